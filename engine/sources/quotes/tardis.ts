// Tardis CSV quotes and book snapshots (spec sources.md §1.5): timestamps are µs, `timestamp` is
// the exchange time (ts_event) and `local_timestamp` Tardis's receive time (ts_init).
import { parseWithUnit } from '../timestamp.js';
import type { QuoteError, QuoteRow } from './quote.js';

/** Note the order: ask amount first, bid amount last. */
export const TARDIS_QUOTES_HEADER = 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount';

function usToNs(field: string, text: string): bigint | QuoteError {
  const t = text.trim();
  if (!/^\d{16}$/.test(t)) return { error: `${field} "${t}" is not a Unix µs time (16 digits)` };
  const r = parseWithUnit(t, 'us');
  return 'error' in r ? { error: `${field} "${t}": ${r.error}` } : r.ns;
}

function times(ts: string, local: string): { tsEvent: bigint; tsInit: bigint } | QuoteError {
  const tsEvent = usToNs('timestamp', ts);
  if (typeof tsEvent !== 'bigint') return tsEvent;
  const tsInit = usToNs('local_timestamp', local);
  if (typeof tsInit !== 'bigint') return tsInit;
  return { tsEvent, tsInit };
}

/** One data row of a `quotes` file, split on commas. Empty sides stay "" (checkQuote refuses them). */
export function parseTardisQuoteRow(cells: readonly string[]): QuoteRow | QuoteError {
  if (cells.length !== 8) return { error: `${cells.length} columns, a Tardis quotes row has 8` };
  const t = times(cells[2]!, cells[3]!);
  if ('error' in t) return t;
  return { ...t, askSize: cells[4]!.trim(), askPrice: cells[5]!.trim(), bidPrice: cells[6]!.trim(), bidSize: cells[7]!.trim() };
}

/**
 * Levels N of a `book_snapshot_N` header, null when it is not one: the four fixed columns, then
 * asks[i].price, asks[i].amount, bids[i].price, bids[i].amount for i = 0..N-1.
 */
export function bookSnapshotLevels(headerLine: string): number | null {
  const cols = headerLine.trim().toLowerCase().split(',');
  if (cols.length < 8 || (cols.length - 4) % 4 !== 0 || cols.slice(0, 4).join(',') !== 'exchange,symbol,timestamp,local_timestamp') return null;
  const n = (cols.length - 4) / 4;
  for (let i = 0; i < n; i++) {
    const want = [`asks[${i}].price`, `asks[${i}].amount`, `bids[${i}].price`, `bids[${i}].amount`];
    if (want.some((w, k) => cols[4 + 4 * i + k] !== w)) return null;
  }
  return n;
}

/** The top of book (level 0) of one `book_snapshot_N` data row with `levels` levels. */
export function parseBookSnapshotTop(cells: readonly string[], levels: number): QuoteRow | QuoteError {
  if (cells.length !== 4 + 4 * levels) return { error: `${cells.length} columns, a book_snapshot_${levels} row has ${4 + 4 * levels}` };
  const t = times(cells[2]!, cells[3]!);
  if ('error' in t) return t;
  return { ...t, askPrice: cells[4]!.trim(), askSize: cells[5]!.trim(), bidPrice: cells[6]!.trim(), bidSize: cells[7]!.trim() };
}
