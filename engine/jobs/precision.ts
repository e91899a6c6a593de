// The instrument's precision: a preset or the job's overrides, else a first pass over the data.
import { resolveInstrument, type Instrument } from '../catalog/instruments.js';
import { DATA_TYPE_MODULES, type DataTypeModule } from '../datatypes/index.js';
import { Normalizer } from '../normalize/normalizer.js';
import { MemorySink } from '../normalize/sink.js';
import { readerFor } from '../sources/index.js';
import { errText, type JobContext } from './context.js';
import type { InputPlan } from './plan.js';

/** The job's instrument; a precision above what the catalog's number width holds is refused (the caller checks). */
export async function resolvePrecision(job: JobContext, plan: InputPlan): Promise<Instrument & { source: string }> {
  const { spec } = job;
  try {
    return resolveInstrument(spec.symbol, spec.exchange, { price: spec.pricePrecision, size: spec.sizePrecision });
  } catch {
    // The first type (in job order) whose values are on the instrument's price grid; its sizes too, if it has them.
    const scanMod = DATA_TYPE_MODULES.find((m) => m.instrumentPrecision.price && plan.filesByType.has(m.type));
    if (!scanMod) throw new Error(`no preset for ${spec.symbol}: pass --price-precision and --size-precision`);
    const fromData = await scanPrecision(job, plan, scanMod);
    return resolveInstrument(spec.symbol, spec.exchange, { price: spec.pricePrecision, size: spec.sizePrecision }, fromData);
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
    await readerFor(spec.source)(f.path, scanType, plan.entries[scanType], scan, { signal, member: f.member }).catch((e: unknown) => {
      if (signal?.aborted) throw e;
      unreadable.push(`${f.label}: ${errText(e)}`);
    });
  }
  const fromData = { price: spec.pricePrecision ?? scan.maxPriceDecimals, size: spec.sizePrecision ?? (scanMod.instrumentPrecision.size ? scan.maxSizeDecimals : 0) };
  if (fromData.price < 0) {
    const why = unreadable.length ? `${scanType}: ${unreadable.join('; ')}; so there ` : 'there ';
    throw new Error(`${why}are no valid ${scanType} rows in ${spec.start}..${spec.end} to infer the precision of ${spec.symbol} from (no preset for it); pass --price-precision and --size-precision`);
  }
  return fromData;
}
