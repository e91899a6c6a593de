// The registry of Nautilus data types: the types a job writes (one module each), the instrument,
// and the folders verify knows. Adding a type is adding its module file and a line here.
import { DATA_TYPES, type DataType } from '../../shared/job.js';
import { FUNDING_RATE_UPDATE } from './funding.js';
import { CRYPTO_FUTURE, CRYPTO_PERPETUAL, CURRENCY_PAIR, INSTRUMENT_MODULES } from './instrument.js';
import { MARK_PRICE_UPDATE } from './mark.js';
import { QUOTE_TICK } from './quote.js';
import { BAR_MODULE } from './bar.js';
import { TRADE_TICK } from './trade.js';
import { ORDER_BOOK_DELTA } from './delta.js';
import { ORDER_BOOK_DEPTH10 } from './depth.js';
import type { DataTypeModule, FolderSpec, InstrumentModule } from './types.js';

export * from './types.js';
export { TRADE } from './trade.js';
export { MARK } from './mark.js';
export { FUNDING, FUNDING_HAS_INTERVAL, FUNDING_HAS_NEXT } from './funding.js';
export { QUOTE } from './quote.js';
export { TRADE_TICK, MARK_PRICE_UPDATE, FUNDING_RATE_UPDATE, CRYPTO_PERPETUAL, CRYPTO_FUTURE, CURRENCY_PAIR, INSTRUMENT_MODULES, QUOTE_TICK };
export { BAR, BAR_MODULE } from './bar.js';
export { DELTA, ORDER_BOOK_DELTA, ACTION_ADD, ACTION_UPDATE, ACTION_DELETE, ACTION_CLEAR, BOOK_NO_SIDE, BOOK_BUY, BOOK_SELL, F_LAST, F_SNAPSHOT } from './delta.js';
export { DEPTH, DEPTH_LEVELS, ORDER_BOOK_DEPTH10 } from './depth.js';

// A Record, so a DataType without a module does not compile.
const BY_TYPE: Record<DataType, DataTypeModule> = { trades: TRADE_TICK, mark: MARK_PRICE_UPDATE, funding: FUNDING_RATE_UPDATE, quotes: QUOTE_TICK, bars: BAR_MODULE, deltas: ORDER_BOOK_DELTA, depth10: ORDER_BOOK_DEPTH10 };

/** The types a job writes, in the order a job handles them (shared/job.ts DATA_TYPES). */
export const DATA_TYPE_MODULES: readonly DataTypeModule[] = DATA_TYPES.map((t) => BY_TYPE[t]);

export function dataTypeOf(type: DataType): DataTypeModule {
  return BY_TYPE[type];
}

/** Every folder verify checks the schema of: the written types, the instrument, NautilusTrader-only ones. */
export const FOLDER_SPECS: readonly FolderSpec[] = [...DATA_TYPE_MODULES, ...INSTRUMENT_MODULES];

const BY_FOLDER = new Map(FOLDER_SPECS.map((s) => [s.folder, s]));

/** What verify knows of a folder under data/; undefined for a type it does not check. */
export function folderSpecOf(folder: string): FolderSpec | undefined {
  return BY_FOLDER.get(folder);
}

/** Each job type's catalog folder (an instrument's follows its class: instrumentModuleOf). */
export const TYPE_FOLDER = Object.fromEntries(DATA_TYPE_MODULES.map((m) => [m.type, m.folder])) as Record<DataType, string>;

const BY_CLASS = { CryptoPerpetual: CRYPTO_PERPETUAL, CryptoFuture: CRYPTO_FUTURE, CurrencyPair: CURRENCY_PAIR } as const;
/** The module (folder, schema) of an instrument class this tool writes. */
export function instrumentModuleOf(className: keyof typeof BY_CLASS): InstrumentModule {
  return BY_CLASS[className];
}
