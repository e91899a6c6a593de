// A venue's saved instrument list, recognised by its shape, as definitions.
import type { InstrumentDef } from '../definition.js';
import type { MarketKey } from '../markets.js';

export interface InstrumentList {
  /** what the file was recognised as: "Binance USD-M exchangeInfo" */
  format: string;
  /** the markets its instruments belong to */
  markets: MarketKey[];
  defs: InstrumentDef[];
}

export function definitionsFromList(_json: unknown, file: string): InstrumentList {
  throw new Error(`${file}: saved instrument lists are not read yet`);
}
