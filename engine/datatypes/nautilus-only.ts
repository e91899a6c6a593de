// Folders NautilusTrader writes that this tool only reads (verify checks them): QuoteTick (Bar is bar.ts).
// When the engine learns to write one, its spec here becomes part of a DataTypeModule in its own file.
import { FIXED, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, plain, type FolderSpec } from './types.js';

export const QUOTE_TICK_FOLDER: FolderSpec = {
  className: 'QuoteTick',
  folder: 'quote_tick',
  fields: [['bid_price', FIXED, false], ['ask_price', FIXED, false], ['bid_size', FIXED, false], ['ask_size', FIXED, false], ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false]],
  metaKeys: [KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION],
  needsInstrument: true,
  fixedColumns: { signed: ['bid_price', 'ask_price'], unsigned: ['bid_size', 'ask_size'] },
  instrumentPrecision: { price: 'error', size: 'error' },
};
