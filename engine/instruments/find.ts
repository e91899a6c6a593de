// Definitions the job can look up before it falls back to presets: a venue's saved instrument
// list (--instruments FILE) and, for Tardis jobs with a key, Tardis's instruments API.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ResolvedTardisConfig } from '../sources/tardis/config.js';
import type { InstrumentDef } from './definition.js';
import { definitionsFromList, parseJsonKeepingNumbers } from './lists/index.js';
import { instrumentIdFor, type MarketKey } from './markets.js';
import { tardisDefinition } from './tardis-api.js';

export interface FindContext {
  market: MarketKey;
  symbol: string;
  /** a venue's saved instrument list */
  instrumentsFile?: string;
  configDir: string;
  /** a Tardis job's settings: with an API key (and no list), Tardis's instruments API is asked */
  tardis?: ResolvedTardisConfig;
  /** the job's first day (YYYY-MM-DD): the Tardis definition in force then */
  start?: string;
  signal?: AbortSignal;
}

/**
 * The definition of the symbol: from the user's saved list (an error when the list lacks it), else
 * from Tardis's API when a key is set (null when Tardis does not know it), else null (presets next).
 */
export async function findDefinition(ctx: FindContext): Promise<InstrumentDef | null> {
  if (!ctx.instrumentsFile) {
    if (ctx.tardis?.apiKey) return tardisDefinition({ config: ctx.tardis, start: ctx.start, signal: ctx.signal }, ctx.market, ctx.symbol);
    return null;
  }
  const path = resolve(ctx.configDir, ctx.instrumentsFile);
  let json: unknown;
  try {
    // Numbers kept as the venue wrote them: no price or size goes through a float.
    json = parseJsonKeepingNumbers(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`the instrument list ${path} cannot be read: ${(e as Error).message}`);
  }
  const list = definitionsFromList(json, path, ctx.start ? BigInt(Date.parse(`${ctx.start}T00:00:00Z`)) * 1_000_000n : undefined);
  const sym = ctx.symbol.toUpperCase();
  // The symbol on the job's market (a Bybit spot list and a linear list both hold BTCUSDT).
  const hit = list.defs.find((d) => d.rawSymbol.toUpperCase() === sym && d.id === instrumentIdFor(ctx.market, d.kind, sym));
  if (hit) return hit;
  const skipped = list.skipped.find((s) => s.symbol.toUpperCase() === sym);
  if (skipped && list.markets.includes(ctx.market)) throw new Error(`the instrument list ${path} (${list.format}) has ${sym}, but it cannot be built: ${skipped.why}`);
  if (!list.markets.includes(ctx.market)) throw new Error(`the instrument list ${path} is a ${list.format}, of ${list.markets.join(', ') || 'no market this tool reads'}; the job's ${sym} is on ${ctx.market}`);
  const near = nearSymbols(list.defs.map((d) => d.rawSymbol), sym);
  throw new Error(`the instrument list ${path} (${list.format}) has no ${sym}${near.length ? `; it has ${near.join(', ')}` : ''}`);
}

/** Up to 5 of the list's symbols closest to `sym`: those sharing its longest prefix. */
function nearSymbols(symbols: string[], sym: string): string[] {
  for (let n = Math.min(sym.length, 6); n >= 2; n--) {
    const hits = symbols.filter((s) => s.toUpperCase().startsWith(sym.slice(0, n)));
    if (hits.length) return hits.slice(0, 5);
  }
  return [];
}
