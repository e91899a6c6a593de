// Binance best bid/ask: the bookTicker WebSocket stream (raw, combined, and the capture wrappers of
// spec sources.md §3.5) and the Binance Vision `bookTicker` CSV. Times are ms.
import { parseIso } from '../timestamp.js';
import type { QuoteError, QuoteRow } from './quote.js';

type Obj = Record<string, unknown>;
const MS = 1_000_000n;

function msTime(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return BigInt(v) * MS;
  if (typeof v === 'string' && /^\d{13}$/.test(v)) return BigInt(v) * MS;
  return null;
}

/**
 * One bookTicker payload (`{"e":"bookTicker","u":…,"E":…,"T":…,"s":…,"b":…,"B":…,"a":…,"A":…}`;
 * spot omits e, E and T). ts_event = T (transaction time, as NautilusTrader's BinanceQuoteData),
 * else E, else the receive time; ts_init = the receive time when known, else ts_event.
 * Null when the payload is another event.
 */
export function parseBookTicker(p: Obj, recvNs: bigint | null): QuoteRow | QuoteError | null {
  if (p.e !== undefined && p.e !== 'bookTicker') return null;
  if (p.e === undefined && !('b' in p && 'a' in p && 'u' in p)) return null;
  for (const k of ['b', 'B', 'a', 'A'] as const) {
    if (typeof p[k] !== 'string') return { error: `bookTicker field "${k}" is ${p[k] === undefined ? 'missing' : 'not a string'}` };
  }
  const tsEvent = msTime(p.T) ?? msTime(p.E) ?? recvNs;
  if (tsEvent === null) return { error: 'bookTicker has no time: no "T" or "E" and no receive time on the line' };
  return { tsEvent, tsInit: recvNs ?? tsEvent, bidPrice: p.b as string, bidSize: p.B as string, askPrice: p.a as string, askSize: p.A as string };
}

/** A Tardis data-feed line starts with the 28-character ISO receive time and a space (§3.5 D). */
const FEED_LINE = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z) (\{.*)$/s;

function recvOf(v: unknown): bigint | QuoteError {
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string') {
    const r = parseIso(v);
    if ('ns' in r) return r.ns;
  }
  return { error: `receive time ${JSON.stringify(v)} is neither ns nor ISO 8601` };
}

/**
 * The bookTicker quotes of one capture line for `symbol` (upper case): a raw payload, a combined
 * `{"stream","data"}` envelope (data may be an array), our `{"ts_recv","msg"}` wrapper, a Tardis
 * data-feed line `<ISO> <json>` or a Tardis Machine `{"localTimestamp","message"}`. Other events
 * and other symbols give nothing; a line that is not JSON gives one error.
 */
export function bookTickersOfLine(line: string, symbol: string): Array<QuoteRow | QuoteError> {
  const text = line.trim();
  if (text === '') return [];
  let recv: bigint | null = null;
  let json = text;
  const feed = FEED_LINE.exec(text);
  if (feed) {
    const r = recvOf(feed[1]);
    if (typeof r !== 'bigint') return [r];
    [recv, json] = [r, feed[2]!];
  }
  let o: Obj;
  try {
    o = JSON.parse(json) as Obj;
  } catch {
    return [{ error: 'not JSON' }];
  }
  for (const [timeKey, msgKey] of [['ts_recv', 'msg'], ['localTimestamp', 'message']] as const) {
    if (timeKey in o && msgKey in o) {
      const r = recvOf(o[timeKey]);
      if (typeof r !== 'bigint') return [r];
      [recv, o] = [r, o[msgKey] as Obj];
    }
  }
  const payloads = ('stream' in o && 'data' in o ? [o.data].flat() : [o]) as Obj[];
  const out: Array<QuoteRow | QuoteError> = [];
  for (const p of payloads) {
    if (p === null || typeof p !== 'object' || String(p.s).toUpperCase() !== symbol) continue;
    const q = parseBookTicker(p, recv);
    if (q) out.push(q);
  }
  return out;
}

export const VISION_BOOK_TICKER_HEADER = 'update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time';

/** One data row of a Vision futures `bookTicker` CSV: ts_event = ts_init = transaction_time (ms). */
export function parseVisionBookTickerRow(cells: readonly string[]): QuoteRow | QuoteError {
  if (cells.length !== 7) return { error: `${cells.length} columns, a Vision bookTicker row has 7` };
  const [id, bid, bidQty, ask, askQty, tx, ev] = cells.map((c) => c.trim()) as [string, string, string, string, string, string, string];
  if (!/^\d+$/.test(id)) return { error: `update_id "${id}" is not a whole number` };
  const tsEvent = /^\d{13}$/.test(tx) ? BigInt(tx) * MS : null;
  if (tsEvent === null) return { error: `transaction_time "${tx}" is not a Unix ms time (13 digits)` };
  if (!/^\d{13}$/.test(ev)) return { error: `event_time "${ev}" is not a Unix ms time (13 digits)` };
  return { tsEvent, tsInit: tsEvent, bidPrice: bid, bidSize: bidQty, askPrice: ask, askSize: askQty };
}
