// The job contract: what the CLI, the service and the renderer all agree a build job is.
import { z } from 'zod';

// deltas: OrderBookDelta (order_book_deltas); depth10: OrderBookDepth10 (order_book_depths).
export const DATA_TYPES = ['trades', 'mark', 'funding', 'quotes', 'bars', 'deltas', 'depth10'] as const;
export const DataType = z.enum(DATA_TYPES);
export type DataType = z.infer<typeof DataType>;

export const SOURCES = ['csv', 'websocket', 'tardis'] as const;
export const SourceKind = z.enum(SOURCES);
export type SourceKind = z.infer<typeof SourceKind>;

/** The last whole UTC day signed 64-bit nanoseconds since 1970 reach (2^63 ns is 2262-04-11T23:47Z). */
export const LAST_DAY = '2262-04-10';

/** The symbol a new job and a preview take when none is given. */
export const DEFAULT_SYMBOL = 'BTCUSDT';

/**
 * Why `text` is not a day a job can write (null when it is one): YYYY-MM-DD, a real date,
 * 1970..LAST_DAY. Said of the value ("is ..."), or what was expected.
 */
export function dayProblem(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return 'expected a date as YYYY-MM-DD';
  const [y, mo, d] = [+m[1]!, +m[2]!, +m[3]!];
  if (mo < 1 || mo > 12) return `is not a real date: there is no month ${m[2]}`;
  // Day 0 of the next month is the last day of this one (in 2000, a leap year; February fixed below).
  const last = new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 1 : 0);
  if (d < 1 || d > last) return `is not a real date: ${m[1]}-${m[2]} has ${last} days`;
  if (y < 1970) return 'is before 1970-01-01, where catalog timestamps (nanoseconds since 1970) begin';
  if (text > LAST_DAY) return `is after ${LAST_DAY}, the last day nanosecond timestamps reach`;
  return null;
}

/** A job day, refused with its value when impossible (2024-02-30, 2024-13-01) or out of range; callers prefix the field. */
const isoDay = z.string().superRefine((v, ctx) => {
  const why = dayProblem(v);
  if (why) ctx.addIssue({ code: 'custom', message: why.startsWith('expected') ? `${why}, got ${JSON.stringify(v)}` : `${JSON.stringify(v)} ${why}` });
});

/** Target fields a CSV column can be mapped onto (seed config names). */
export const MAPPING_FIELDS = [
  'timestamp', 'local_timestamp', 'price', 'size', 'aggressor_side', 'trade_id',
  'mark_price', 'funding_rate', 'next_funding_time', 'funding_interval',
  'bid_price', 'bid_size', 'ask_price', 'ask_size',
  'open', 'high', 'low', 'close', 'volume',
  // order-book updates: which side a level is on (bid/ask), and whether the row belongs to a snapshot
  'book_side', 'is_snapshot',
] as const;
export const MappingField = z.enum(MAPPING_FIELDS);
export type MappingField = z.infer<typeof MappingField>;

/** The fields a column can be mapped onto, per data type, in the order the app shows them. */
export const FIELDS_FOR: Record<DataType, MappingField[]> = {
  trades: ['timestamp', 'local_timestamp', 'price', 'size', 'aggressor_side', 'trade_id'],
  mark: ['timestamp', 'local_timestamp', 'mark_price'],
  funding: ['timestamp', 'local_timestamp', 'funding_rate', 'next_funding_time', 'funding_interval'],
  quotes: ['timestamp', 'local_timestamp', 'bid_price', 'bid_size', 'ask_price', 'ask_size'],
  // timestamp: the bar's open time, or its close time when the column is one (csv/plan.ts says which)
  bars: ['timestamp', 'open', 'high', 'low', 'close', 'volume'],
  // price and size are a level's price and its new amount (0 deletes the level)
  deltas: ['timestamp', 'local_timestamp', 'is_snapshot', 'book_side', 'price', 'size'],
  // the levels are read by name from a Tardis book_snapshot_N file (csv/rows.ts depthRow)
  depth10: ['timestamp', 'local_timestamp'],
};

/** The fields a data type cannot be built without (the engine refuses a mapping lacking one; the app flags it). */
export const REQUIRED_FIELDS: Record<DataType, MappingField[]> = {
  trades: ['timestamp', 'price', 'size'],
  mark: ['timestamp', 'mark_price'],
  funding: ['timestamp', 'funding_rate'],
  quotes: ['timestamp', 'bid_price', 'bid_size', 'ask_price', 'ask_size'],
  bars: ['timestamp', 'open', 'high', 'low', 'close', 'volume'],
  deltas: ['timestamp', 'book_side', 'price', 'size'],
  depth10: ['timestamp'],
};

/** A CSV's decimal separator (config `decimal`). */
export const DECIMAL_SEPARATORS = ['.', ','] as const;
/** Text dates with the day first (31.01.2024) or the month first (01/31/2024) (config `date_format`). */
export const DATE_FORMATS = ['day-first', 'month-first'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];
/** What a trade side value means (config `side_values`): NautilusTrader's AggressorSide BUYER, SELLER, NO_AGGRESSOR. */
export const SIDE_NAMES = ['buyer', 'seller', 'none'] as const;
export type SideName = (typeof SIDE_NAMES)[number];

export const FileConfig = z.object({
  file_path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /**
   * deltas from Binance depth: the depth snapshot the updates were synced from (a saved REST
   * response for a WebSocket capture, a T_DEPTH snapshot CSV for T_DEPTH update files), read before them
   */
  snapshot_path: z.string().min(1).optional(),
  /** target field -> source column name (or 0-based index as a string for headerless files) */
  columns: z.record(z.string(), z.string()).optional(),
  /** force a timestamp unit instead of detecting it per file */
  timestamp_unit: z.enum(['s', 'ms', 'us', 'ns']).optional(),
  delimiter: z.string().length(1).optional(),
  has_header: z.boolean().optional(),
  /** the decimal separator of the file's numbers: "," for 42000,5 (a "." in such a number is refused, never read as thousands) */
  decimal: z.enum(DECIMAL_SEPARATORS).optional(),
  /** text timestamps with the day (or the month) first: 31.01.2024 10:00:00, 31/01/2024 10:00:00.5; read as UTC */
  date_format: z.enum(DATE_FORMATS).optional(),
  /** trade side values -> the aggressor (e.g. {"Kauf": "buyer", "Verkauf": "seller"}); compared trimmed, ignoring case; others read as usual */
  side_values: z.record(z.string().min(1).max(40), z.enum(SIDE_NAMES)).optional(),
}).strict().superRefine((fc, ctx) => {
  if (fc.date_format && fc.timestamp_unit) ctx.addIssue({ code: 'custom', path: ['date_format'], message: `date_format (${fc.date_format} dates) and timestamp_unit (Unix ${fc.timestamp_unit}) cannot both be set: timestamps are either dates or Unix numbers` });
  // Kauf and KAUF are one value: two meanings for it would depend on the key order.
  const sides = new Map<string, string>();
  for (const [v, side] of Object.entries(fc.side_values ?? {})) {
    const key = v.trim().toLowerCase();
    if (sides.has(key) && sides.get(key) !== side) ctx.addIssue({ code: 'custom', path: ['side_values', v], message: `side value "${v}" is mapped twice (values are compared ignoring case), to ${sides.get(key)} and ${side}` });
    sides.set(key, side);
  }
  // Two fields read from one column (price and size both "p") would write wrong data without a reject.
  // A local_timestamp on the timestamp's column is the default anyway (ts_init = ts_event): allowed.
  const byCol = new Map<string, string>();
  for (const [field, col] of Object.entries(fc.columns ?? {})) {
    const key = col.trim().toLowerCase();
    const other = byCol.get(key);
    const pair = [other, field].sort().join(',');
    if (other !== undefined && pair !== 'local_timestamp,timestamp') {
      ctx.addIssue({ code: 'custom', path: ['columns', field], message: `${other} and ${field} are both mapped to column "${col}"; each field needs its own column` });
    }
    byCol.set(key, field);
  }
});
export type FileConfig = z.infer<typeof FileConfig>;

/**
 * A data type's files: one entry, or one entry per layout (files whose columns differ need their own
 * `columns`; the app sends one entry per layout of a type's files).
 */
export const TypeFiles = z.union([FileConfig, z.array(FileConfig).min(1)]);
export type TypeFiles = z.infer<typeof TypeFiles>;

/** A type's entries as a list (one entry or one per layout). */
export function fileEntries(e: TypeFiles | undefined): FileConfig[] {
  return e === undefined ? [] : Array.isArray(e) ? e : [e];
}

export const SourceConfig = z.object({
  base_path: z.string().optional(),
  files: z.object({
    trades: TypeFiles.optional(),
    mark: TypeFiles.optional(),
    funding: TypeFiles.optional(),
    quotes: TypeFiles.optional(),
    bars: TypeFiles.optional(),
    deltas: TypeFiles.optional(),
    depth10: TypeFiles.optional(),
  }).strict().default({}),
  api_key: z.string().optional(),
}).passthrough();
export type SourceConfig = z.infer<typeof SourceConfig>;

/** The instrument kinds a job writes: CryptoPerpetual, CryptoFuture (dated), CurrencyPair (spot). */
export const INSTRUMENT_KINDS = ['perpetual', 'future', 'spot'] as const;

const decimalText = z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal such as 0.01');
const moneyText = z.string().regex(/^\d+(\.\d+)? [A-Z0-9]{1,16}$/, 'expected an amount and a currency, e.g. "10 USDT"');
const currency = z.string().regex(/^[A-Z0-9]{1,16}$/, 'expected a currency code such as BTC or USDT');
const isoTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expected a date or time, e.g. 2024-03-29 or 2024-03-29T08:00:00Z');

/**
 * An instrument as the user enters it (CLI flags, the app's form, a config's `instrument`), in the
 * venue's field names; over a found definition each field replaces that one, alone it must say
 * everything NautilusTrader needs (engine/instruments/resolve.ts says what is missing).
 */
export const InstrumentEntry = z.object({
  kind: z.enum(INSTRUMENT_KINDS).optional(),
  base: currency.optional(),
  quote: currency.optional(),
  settlement: currency.optional(),
  is_inverse: z.boolean().optional(),
  price_increment: decimalText.optional(),
  size_increment: decimalText.optional(),
  multiplier: decimalText.optional(),
  lot_size: decimalText.optional(),
  min_quantity: decimalText.optional(),
  max_quantity: decimalText.optional(),
  min_notional: moneyText.optional(),
  max_notional: moneyText.optional(),
  min_price: decimalText.optional(),
  max_price: decimalText.optional(),
  margin_init: decimalText.optional(),
  margin_maint: decimalText.optional(),
  maker_fee: z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal fee such as 0.0002 (negative for a rebate)').optional(),
  taker_fee: z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal fee such as 0.0005').optional(),
  activation: isoTime.optional(),
  expiration: isoTime.optional(),
}).strict();
export type InstrumentEntry = z.infer<typeof InstrumentEntry>;

/** A venue symbol as venues write them: BTCUSDT, BTC-USDT-SWAP, BTCUSD_PERP, BTC-29MAR24. */
export const SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$/;

export const JobSpec = z.object({
  source: SourceKind,
  /** the venue symbol; absent: the one the files name (engine/jobs/identity.ts; a Tardis download needs it) */
  symbol: z.string().regex(SYMBOL_RE, 'symbol must be letters, digits, _ or - (e.g. BTCUSDT, BTC-USDT-SWAP)').optional(),
  /**
   * a venue (BINANCE, BYBIT, OKX, BITMEX, DERIBIT), a market (binance-spot, bybit-inverse…) or a Tardis
   * exchange id (binance-futures); absent: the one the files say, else BINANCE
   */
  exchange: z.string().regex(/^[A-Za-z0-9_-]{2,32}$/, 'exchange must be a venue, a market or a Tardis exchange id (e.g. BINANCE, bybit-inverse, binance-futures)').optional(),
  /** build even where a file names another symbol or exchange than the job's (renamed files): the job's are used, a note says so */
  allowMismatch: z.boolean().default(false),
  /** several venue symbols of one file set, each built as its own instrument (a Tardis file or capture holding several) */
  symbols: z.array(z.string().regex(SYMBOL_RE, 'each symbol must be letters, digits, _ or -')).min(1).optional(),
  /** a venue's saved instrument list (Binance exchangeInfo, Bybit instruments-info, OKX instruments) */
  instrumentsFile: z.string().min(1).optional(),
  /** the instrument's fields as the user entered them */
  instrument: InstrumentEntry.optional(),
  start: isoDay,
  end: isoDay,
  output: z.string().min(1),
  dataTypes: z.array(DataType).min(1),
  precisionMode: z.union([z.literal(128), z.literal(64)]).default(128),
  pricePrecision: z.number().int().min(0).max(16).optional(),
  sizePrecision: z.number().int().min(0).max(16).optional(),
  overwrite: z.boolean().default(false),
  compression: z.enum(['zstd', 'snappy']).default('zstd'),
  rowGroupSize: z.number().int().min(1000).max(1_000_000).default(100_000),
  /**
   * The largest share of a file's rows that may be rejected before the run fails (ok: false, exit 1).
   * Default 0.5: a file with more rejected than accepted rows fails the run; 0: any reject does.
   */
  maxRejectRatio: z.number().min(0).max(1).default(0.5),
  /** bars: the bar spec, e.g. 1-MINUTE-LAST (checked by the engine); default: detected from the data */
  barType: z.string().min(1).optional(),
  config: SourceConfig,
  /** folder the config's relative paths are resolved against */
  configDir: z.string().optional(),
}).superRefine((j, ctx) => {
  // Tardis files are downloaded per symbol: the symbol cannot come from them.
  if (j.source === 'tardis' && !j.symbol) ctx.addIssue({ code: 'custom', path: ['symbol'], message: 'a Tardis download needs the symbol (e.g. BTCUSDT)' });
  if (!dayProblem(j.start) && !dayProblem(j.end) && j.end < j.start) ctx.addIssue({ code: 'custom', message: `end ${j.end} is before start ${j.start}`, path: ['end'] });
  // Bars come from kline / OHLCV files only: WebSocket captures and Tardis datasets hold no bars.
  if (j.source !== 'csv' && j.dataTypes.includes('bars')) ctx.addIssue({ code: 'custom', path: ['dataTypes'], message: `the ${j.source} source cannot feed bars (it holds no klines); build bars from CSV files (Binance Vision klines or any OHLCV CSV) with --source csv` });
});
export type JobSpec = z.infer<typeof JobSpec>;
/** A job once its symbol and exchange are settled (given, or read from the files: engine/jobs/identity.ts). */
export type SettledJobSpec = JobSpec & { symbol: string; exchange: string };
export type JobSpecInput = z.input<typeof JobSpec>;
