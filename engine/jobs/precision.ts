// The job's instrument: its market, a definition (the user's list, a preset, the user's entries),
// the precision overrides; with no definition, the precision of a first pass over the data.
import { findDefinition } from '../instruments/find.js';
import { presetDefinition } from '../instruments/presets.js';
import { parseExchange, marketOf, MARKETS, type MarketKey } from '../instruments/markets.js';
import { DefinitionError, resolveInstrument, type Resolved } from '../instruments/resolve.js';
import { DATA_TYPE_MODULES, type DataTypeModule } from '../datatypes/index.js';
import { Normalizer } from '../normalize/normalizer.js';
import { MemorySink } from '../normalize/sink.js';
import { readerFor } from '../sources/index.js';
import { tardisConfig } from '../sources/tardis/config.js';
import { errText, type JobContext } from './context.js';
import type { InputPlan } from './plan.js';
import { HINTS } from '../../shared/text.js';

/** The market a job's exchange and symbol name; an exchange the tool does not know is refused with the ones it does. */
export function jobMarket(exchange: string, symbol: string): { market: MarketKey; venue: string } {
  const ref = parseExchange(exchange);
  const market = ref && marketOf(ref, symbol);
  if (market) return { market, venue: ref.venue };
  throw new Error(`unknown exchange ${JSON.stringify(exchange)}: give a venue (BINANCE, BYBIT, OKX, BITMEX, DERIBIT), a market (${MARKETS.join(', ')}) or a Tardis exchange id (binance-futures, bitmex, deribit, …)`);
}

/** The job's instrument; a precision above what the catalog's number width holds is refused (the caller checks). */
export async function resolvePrecision(job: JobContext, plan: InputPlan): Promise<Resolved> {
  const { spec } = job;
  const { market, venue } = jobMarket(spec.exchange, spec.symbol);
  // A Tardis job with an API key asks Tardis's instruments API for a symbol no preset knows. A preset
  // comes first: it is what NautilusTrader's own adapter builds from the venue's record (Tardis gives
  // increments as numbers, 0.1 for Binance's "0.10", so its precision would differ from the adapter's).
  const tardis = spec.source === 'tardis' && !presetDefinition(market, spec.symbol) ? tardisConfig(spec.config as Record<string, unknown>, job.configDir) : undefined;
  const found = await findDefinition({ market, symbol: spec.symbol, instrumentsFile: spec.instrumentsFile, configDir: job.configDir, tardis, start: spec.start, signal: job.signal });
  const input = { market, venue, symbol: spec.symbol, found, entered: spec.instrument, over: { price: spec.pricePrecision, size: spec.sizePrecision } };
  try {
    return resolveInstrument(input);
  } catch (e) {
    if (e instanceof DefinitionError) throw e;
    // The first type (in job order) whose values are on the instrument's price grid; its sizes too, if it has them.
    const scanMod = DATA_TYPE_MODULES.find((m) => m.instrumentPrecision.price && plan.filesByType.has(m.type));
    if (!scanMod) throw e;
    const fromData = await scanPrecision(job, plan, scanMod);
    return resolveInstrument({ ...input, data: fromData });
  }
}
/** The most decimals the rows of the range show (overrides kept); no valid row at all is an error. */
async function scanPrecision(job: JobContext, plan: InputPlan, scanMod: DataTypeModule): Promise<{ price: number; size: number }> {
  const scanType = scanMod.type;
  const { spec, signal } = job;
  const scratch = job.days.map(() => new MemorySink(scanMod.layout(job.fm), false));
  const scan = new Normalizer({ type: scanType, fm: job.fm, symbol: spec.symbol, pricePrecision: 0, sizePrecision: 0, startDay: job.startDay, sinkAt: (i) => scratch[i], rejects: null, scan: true,
    bar: scanType === 'bars' && plan.bar ? { intervalNs: plan.bar.intervalNs, round: true } : undefined });
  // Why files could not be read: with no rows to infer from, that is the error the user needs.
  const unreadable: string[] = [];
  for (const f of plan.filesByType.get(scanType)!) {
    if (f.error) continue;
    scan.startFile(f.label, f.identity);
    await readerFor(spec.source)(f.path, scanType, f.fc ?? plan.entries[scanType], scan, { signal, member: f.member, symbol: f.symbol }).catch((e: unknown) => {
      if (signal?.aborted) throw e;
      unreadable.push(`${f.label}: ${errText(e)}`);
    });
  }
  const fromData = { price: spec.pricePrecision ?? scan.maxPriceDecimals, size: spec.sizePrecision ?? (scanMod.instrumentPrecision.size ? scan.maxSizeDecimals : 0) };
  if (fromData.price < 0) {
    const why = unreadable.length ? `${scanType}: ${unreadable.join('; ')}; so there ` : 'there ';
    throw new Error(`${why}are no valid ${scanType} rows in ${spec.start}..${spec.end} to infer the precision of ${spec.symbol} from (no preset for it); ${HINTS.precisions.cli}`);
  }
  return fromData;
}
