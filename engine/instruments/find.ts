// Definitions the job can look up before it falls back to presets: a venue's saved instrument
// list (--instruments FILE) and, for Tardis jobs with a key, Tardis's instruments API.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { InstrumentDef } from './definition.js';
import { definitionsFromList } from './lists/index.js';
import type { MarketKey } from './markets.js';

export interface FindContext {
  market: MarketKey;
  symbol: string;
  /** a venue's saved instrument list */
  instrumentsFile?: string;
  configDir: string;
  signal?: AbortSignal;
}

/** The definition of the symbol in the user's saved list; null without a list; an error when the list lacks the symbol. */
export async function findDefinition(ctx: FindContext): Promise<InstrumentDef | null> {
  if (!ctx.instrumentsFile) return null;
  const path = resolve(ctx.configDir, ctx.instrumentsFile);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`the instrument list ${path} cannot be read: ${(e as Error).message}`);
  }
  const list = definitionsFromList(json, path);
  const sym = ctx.symbol.toUpperCase();
  const hit = list.defs.find((d) => d.rawSymbol.toUpperCase() === sym && (list.markets.includes(ctx.market)));
  if (!hit) {
    const near = list.defs.filter((d) => d.rawSymbol.toUpperCase().includes(sym.slice(0, 3))).slice(0, 5).map((d) => d.rawSymbol);
    throw new Error(`the instrument list ${path} (${list.format}) has no ${sym} for ${ctx.market}${near.length ? `; it has ${near.join(', ')}` : ''}`);
  }
  return hit;
}
