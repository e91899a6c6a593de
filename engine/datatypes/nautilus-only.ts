// Folders NautilusTrader writes that this tool only reads (verify checks them): Bar.
// When the engine learns to write one, its spec here becomes part of a DataTypeModule in its own file.
import { FIXED, KEY_BAR_TYPE, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, plain, type FolderSpec } from './types.js';

export const BAR_FOLDER: FolderSpec = {
  className: 'Bar',
  folder: 'bar',
  fields: [['open', FIXED, false], ['high', FIXED, false], ['low', FIXED, false], ['close', FIXED, false], ['volume', FIXED, false], ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false]],
  metaKeys: [KEY_BAR_TYPE, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION],
  // Folders are named by bar type, e.g. BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL.
  idKey: KEY_BAR_TYPE,
  instrumentOf: (ident) => (ident.split('-').length > 2 ? ident.split('-').slice(0, 2).join('-') : ident),
  needsInstrument: true,
  fixedColumns: { signed: ['open', 'high', 'low', 'close'], unsigned: ['volume'] },
  instrumentPrecision: { price: 'error', size: 'error' },
};
