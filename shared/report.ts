// The run report written to <output>/.catalog-builder/ and returned by the service.
import type { DataType } from './job.js';

export interface DayReport {
  dataType: DataType;
  /** a job of several instruments: whose day this is */
  instrument?: string;
  day: string;
  state: 'done' | 'skipped' | 'failed';
  /** rows read from sources that fell on this day */
  read: number;
  written: number;
  duplicates: number;
  /** rows with no value for this type (e.g. a derivative_ticker row without mark_price) */
  skipped: number;
  rejected: Record<string, number>;
  /** rows of a day already in the catalog (skipped, not re-written) */
  existing: number;
  /** rows of a day that failed: held, then dropped with it */
  discarded: number;
  /**
   * rows the engine added that no source row is (the CLEAR delta before each order-book snapshot,
   * as NautilusTrader's loader adds it): read + added = written + the other buckets
   */
  added?: number;
  file?: string;
  error?: string;
  firstTsInit?: string;
  lastTsInit?: string;
}

export interface FileReport {
  dataType: DataType;
  /** a job of several instruments: whose rows were read */
  instrument?: string;
  path: string;
  format: string;
  compression: string;
  rows: number;
  /** rows whose ts_init fell outside the job's date range */
  outOfRange: number;
  rejected: number;
  error?: string;
  notes: string[];
}

export interface RunReport {
  runId: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  job: Record<string, unknown>;
  instrument: {
    id: string; pricePrecision: number; sizePrecision: number; precisionSource: string; file?: string;
    /** NautilusTrader's class (CryptoPerpetual, CryptoFuture, CurrencyPair), the market and what a unit of size is */
    className?: string; market?: string; isInverse?: boolean; multiplier?: string; settlement?: string;
  };
  files: FileReport[];
  days: DayReport[];
  /**
   * Every row read is in exactly one bucket: read = written + duplicates + rejected + outOfRange +
   * skipped (no value for the type) + existing (its day was already written) + discarded (its day failed).
   * The same holds per day, without outOfRange (rejects before a row has a time belong to no day).
   */
  totals: {
    read: number; written: number; duplicates: number; rejected: number; outOfRange: number;
    skipped: number; existing: number; discarded: number; skippedDays: number; failedDays: number;
    /** rows the engine added (DayReport.added): read + added = the buckets */
    added?: number;
  };
  rejectsFile?: string;
  notes: string[];
  errors: string[];
  /** a job of several instruments: each one's own report, in order; the fields above add them up */
  sections?: RunReport[];
}

/** Catalog folders of instrument definitions (NautilusTrader names them after the instrument class). */
export const INSTRUMENT_FOLDERS: readonly string[] = [
  'crypto_perpetual', 'crypto_future', 'crypto_option', 'currency_pair', 'equity', 'futures_contract', 'futures_spread',
  'option_contract', 'option_spread', 'binary_option', 'betting_instrument', 'cfd', 'commodity', 'index_instrument', 'synthetic_instrument',
];
