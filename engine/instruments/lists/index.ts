// A venue's saved instrument list, recognised by its shape, as definitions.
import type { InstrumentDef } from '../definition.js';
import type { MarketKey } from '../markets.js';
import { BINANCE } from './binance.js';
import { BITMEX } from './bitmex.js';
import { BYBIT } from './bybit.js';
import type { ListFormat } from './common.js';
import { DERIBIT } from './deribit.js';
import { OKX } from './okx.js';
import { TARDIS } from './tardis.js';

export { parseJsonKeepingNumbers } from './common.js';

export interface InstrumentList {
  /** what the file was recognised as: "Binance USD-M exchangeInfo" */
  format: string;
  /** the markets its instruments belong to */
  markets: MarketKey[];
  defs: InstrumentDef[];
  /** records that could not be read, and why */
  skipped: { symbol: string; why: string }[];
}

const FORMATS: ListFormat[] = [BINANCE, BYBIT, OKX, BITMEX, DERIBIT, TARDIS];

export const LIST_FORMATS_TEXT = 'Binance exchangeInfo (spot, USD-M, COIN-M), Bybit v5 instruments-info, OKX v5 instruments, BitMEX /instrument, Deribit get_instruments, a Tardis instruments API answer';

/** The list's definitions (as in force at `atNs` where the format keeps history); a file of no known shape is an error naming it and the shapes read. */
export function definitionsFromList(json: unknown, file: string, atNs?: bigint): InstrumentList {
  for (const f of FORMATS) {
    const format = f.recognise(json);
    if (format) return { format, ...f.read(json, file, atNs) };
  }
  throw new Error(`${file} is not an instrument list this tool reads (${LIST_FORMATS_TEXT}: the venue's response saved as JSON)`);
}
