// The one Binance USD-M message parser (spec sources.md §3), shared by the WebSocket capture source
// and the Tardis replay source: an envelope or payload plus an optional receive time in, rows to
// the Normalizer out. aggTrade/trade -> trades; markPriceUpdate -> mark and funding; bookTicker -> quotes;
// depthUpdate -> deltas.
import type { DataType } from '../../../shared/job.js';
import { SIDE_BUYER, SIDE_SELLER, type FastMark, type FastQuote, type FastTimes, type FastTrade, type Normalizer } from '../../normalize/normalizer.js';
import { BOOK_BUY, BOOK_SELL } from '../../datatypes/index.js';
import { floorDiv, mulPow10U64, u64 } from '../../numbers/fixedfast.js';
import { at, readDecimal } from '../csv/fast.js';
import { EVENT_NAMES, EV_AGG, EV_BOOK, EV_TRADE, K_FALSE, K_NUM, K_STR, K_TRUE, lit, type FastRecv, type Lit, type ScannedLine } from '../websocket/fast.js';
import { depthSync, type DepthLevel } from './depth.js';

const MS = 1_000_000n;

/** Binance USD-M events that carry no data this tool builds: ignored, not rejected. */
const OTHER_EVENTS = new Set([
  'kline', 'continuous_kline', 'forceOrder', '24hrTicker', '24hrMiniTicker',
  'compositeIndex', 'contractInfo', 'assetIndexUpdate', 'indexPriceUpdate', 'markPriceKline', 'indexPriceKline',
  'tradeLite', 'ORDER_TRADE_UPDATE', 'ACCOUNT_UPDATE', 'MARGIN_CALL', 'listenKeyExpired',
]);

/** Events each data type is built from. */
export const EVENT_FEEDS: Record<DataType, Set<string>> = {
  trades: new Set(['aggTrade', 'trade']),
  mark: new Set(['markPriceUpdate']),
  funding: new Set(['markPriceUpdate']),
  quotes: new Set(['bookTicker']),
  // JobSpec refuses bars from a capture (kline messages are not read)
  bars: new Set(),
  // depthUpdate diffs, synced from the REST depth snapshot the capture's entry names (binance/depth.ts)
  deltas: new Set(['depthUpdate']),
  depth10: new Set(),
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Messages seen but not turned into rows of this data type (they are not counted as rows). */
export interface ParserStats {
  otherSymbol: number;
  otherEvent: number;
  control: number;
  generated: number;
  /** trades of the id space not chosen for this run (aggTrade vs trade) */
  otherTradeStream: number;
  /** trade messages with X other than MARKET (insurance fund, ADL): rows, skipped */
  notMarket: number;
}

/** Per-run state (one Normalizer = one data type of one job): which trade stream feeds the trades. */
const RUN_STATE = new WeakMap<Normalizer, { tradeStream: 'aggTrade' | 'trade' | null }>();

/** A whole number of ms (JSON number or digit string) -> ns; null when absent or not one. */
function msField(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v) * MS;
  if (typeof v === 'string' && /^\d{1,16}$/.test(v)) return BigInt(v) * MS;
  return null;
}

function idField(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v;
  return null;
}

/** A spot bookTicker payload: no "e", only u, s, b, B, a, A. */
const isSpotBookTicker = (p: Obj) => p.e === undefined && 'u' in p && 's' in p && 'b' in p && 'a' in p && 'B' in p && 'A' in p;

const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

// Payload keys by char code, for the fast path.
const K_a = 97, K_A = 65, K_b = 98, K_B = 66, K_E = 69, K_m = 109, K_p = 112, K_q = 113, K_r = 114, K_s = 115, K_t = 116, K_T = 84, K_X = 88;
const MARKET = Buffer.from('MARKET', 'latin1');

/** The ms time `ms` as ts_event, and ts_init from the receive time, else that time (FastTimes); false past 64 bits. */
function stampFast(r: FastTimes, ms: number, recv: FastRecv | null): boolean {
  if (ms < 0 || !mulPow10U64(ms, 6)) return false;
  r.evLo = u64.lo;
  r.evHi = u64.hi;
  if (recv) {
    r.initLo = recv.lo;
    r.initHi = recv.hi;
    r.day = recv.day;
  } else {
    r.initLo = u64.lo;
    r.initHi = u64.hi;
    r.day = floorDiv(ms, 86_400_000);
  }
  return true;
}

/** A string member of key c holding a plain decimal (readDecimal's digits[.digits], nothing else), into at.v / at.scale. */
function decimalOf(m: ScannedLine, c: number): boolean {
  const i = m.at(c);
  if (i < 0 || m.kind[i] !== K_STR) return false;
  const e = m.valE[i]!;
  return readDecimal(m.buf, m.valS[i]!, e + 1, 46) && at.p === e;
}

/** A fast trade or aggTrade payload into r; false when a value is not plain (message() then reads it). */
function tradeRow(r: FastTrade, m: ScannedLine, recv: FastRecv | null): boolean {
  if (!stampFast(r, m.int(K_T), recv)) return false;
  const agg = m.event === EV_AGG;
  const id = m.at(agg ? K_a : K_t);
  if (id < 0 || m.kind[id] !== K_NUM) return false;
  r.idBuf = m.buf;
  r.idStart = m.valS[id]!;
  r.idEnd = m.valE[id]!;
  // JSON integers have no leading zero: up to 15 digits IdSet keys them by value.
  r.idNum = r.idEnd - r.idStart <= 15 ? m.num[id]! : -1;
  if (!decimalOf(m, K_p)) return false;
  r.priceMant = at.v;
  r.priceScale = at.scale;
  if (!decimalOf(m, K_q)) return false;
  r.sizeMant = at.v;
  r.sizeScale = at.scale;
  const side = m.at(K_m), k = side < 0 ? 0 : m.kind[side];
  if (k !== K_TRUE && k !== K_FALSE) return false;
  r.side = k === K_TRUE ? SIDE_SELLER : SIDE_BUYER;
  if (agg) return true;
  // trade: an X other than MARKET is skipped by message()
  const x = m.at(K_X);
  return x < 0 || (m.kind[x] === K_STR && m.valE[x]! - m.valS[x]! === MARKET.length && MARKET.every((b, j) => m.buf[m.valS[x]! + j] === b));
}

/** A fast bookTicker payload into q (ts_event T, else E); false when a value is not plain. */
function quoteRow(q: FastQuote, m: ScannedLine, recv: FastRecv | null): boolean {
  if (!stampFast(q, m.int(m.at(K_T) >= 0 ? K_T : K_E), recv)) return false;
  if (!decimalOf(m, K_b)) return false;
  q.bidMant = at.v;
  q.bidScale = at.scale;
  if (!decimalOf(m, K_B)) return false;
  q.bidSizeMant = at.v;
  q.bidSizeScale = at.scale;
  if (!decimalOf(m, K_a)) return false;
  q.askMant = at.v;
  q.askScale = at.scale;
  if (!decimalOf(m, K_A)) return false;
  q.askSizeMant = at.v;
  q.askSizeScale = at.scale;
  return true;
}

export class BinanceUsdmParser {
  readonly stats: ParserStats = { otherSymbol: 0, otherEvent: 0, control: 0, generated: 0, otherTradeStream: 0, notMarket: 0 };
  private readonly symbol: string;
  private readonly run: { tradeStream: 'aggTrade' | 'trade' | null };
  /** the fast path's: the symbol's char codes, which of its events feed this type, its reused rows */
  private readonly symbolCodes: Uint16Array;
  private readonly symbolLit: Lit | null;
  private readonly fastFeeds: boolean[];
  private readonly tradeRow: FastTrade = {
    line: 0, day: 0, initLo: 0, initHi: 0, evLo: 0, evHi: 0, priceMant: 0, priceScale: 0, sizeMant: 0, sizeScale: 0, side: 0, idBuf: new Uint8Array(0), idStart: 0, idEnd: 0, idNum: -1,
  };
  private readonly markRow: FastMark = { line: 0, day: 0, initLo: 0, initHi: 0, evLo: 0, evHi: 0, priceMant: 0, priceScale: 0 };
  private readonly quoteRow: FastQuote = {
    line: 0, day: 0, initLo: 0, initHi: 0, evLo: 0, evHi: 0, bidMant: 0, bidScale: 0, askMant: 0, askScale: 0, bidSizeMant: 0, bidSizeScale: 0, askSizeMant: 0, askSizeScale: 0,
  };

  /** `symbol`: the one whose messages are read (default: the Normalizer's, the job's). */
  constructor(private readonly norm: Normalizer, private readonly type: DataType, symbol?: string) {
    this.symbol = (symbol ?? norm.o.symbol).toUpperCase();
    let st = RUN_STATE.get(norm);
    if (!st) RUN_STATE.set(norm, (st = { tradeStream: null }));
    this.run = st;
    this.symbolCodes = Uint16Array.from(this.symbol, (ch) => ch.charCodeAt(0));
    this.symbolLit = this.symbol.length >= 4 && /^[\x20-\x7e]+$/.test(this.symbol) ? lit(this.symbol) : null;
    this.fastFeeds = EVENT_NAMES.map((e) => EVENT_FEEDS[type].has(e));
  }

  /** The trade stream this run takes trades from, once the first valid trade message decided it. */
  get tradeStream(): 'aggTrade' | 'trade' | null {
    return this.run.tradeStream;
  }

  /** Counts a row and rejects it (for source readers: a line that is not a message at all). */
  rejectLine(line: number, field: string, reason: string, value: string): void {
    this.norm.counters.rows++;
    this.norm.reject(line, field, reason, value);
  }

  /**
   * One message: a combined-stream envelope `{stream, data}` (data may be an array), a raw payload
   * `{e, …}`, or a control message (subscription ack). `recvNs` is the line's receive time, if any.
   */
  message(line: number, msg: unknown, recvNs: bigint | null, raw: string): void {
    if (!isObj(msg)) return this.rejectLine(line, 'message', 'not a JSON object', raw);
    if (msg.generated === true) {
      // Tardis-made REST polls (depthSnapshot, openInterest): not Binance WebSocket data (§3.5).
      this.stats.generated++;
      return;
    }
    if ('data' in msg && 'stream' in msg) {
      const d = msg.data;
      if (Array.isArray(d)) {
        for (const p of d) this.payload(line, p, recvNs, raw);
        return;
      }
      return this.payload(line, d, recvNs, raw);
    }
    if ('e' in msg || isSpotBookTicker(msg)) return this.payload(line, msg, recvNs, raw);
    if ('id' in msg && ('result' in msg || 'error' in msg)) {
      this.stats.control++;
      return;
    }
    this.rejectLine(line, 'e', 'unknown message: neither a Binance payload (no "e") nor a {"stream","data"} envelope', raw);
  }

  /**
   * message() for a line the fast path took apart (websocket/fast.ts): counted, or handed to the
   * Normalizer's fast entry points, exactly as message() would. False, having changed nothing, when
   * message() must read it instead (a value it would reject or the fast entry points refuse).
   */
  fastMessage(line: number, m: ScannedLine, recv: FastRecv | null): boolean {
    if (!this.fastFeeds[m.event]) {
      this.stats.otherEvent++;
      return true;
    }
    const s = m.at(K_s);
    if (s < 0 || m.kind[s] !== K_STR) return false;
    if (!m.symbolIs(this.symbolCodes, this.symbolLit)) {
      this.stats.otherSymbol++;
      return true;
    }
    if (m.event === EV_AGG || m.event === EV_TRADE) {
      const e = m.event === EV_AGG ? 'aggTrade' : 'trade';
      if (this.run.tradeStream !== null && this.run.tradeStream !== e) {
        this.stats.otherTradeStream++;
        return true;
      }
      const r = this.tradeRow;
      r.line = line;
      if (!tradeRow(r, m, recv) || !this.norm.tradeFast(r)) return false;
      this.run.tradeStream ??= e;
    } else if (m.event === EV_BOOK) {
      const q = this.quoteRow;
      q.line = line;
      if (!quoteRow(q, m, recv) || !this.norm.quoteFast(q)) return false;
    } else return this.fastMark(line, m, recv);
    this.norm.counters.rows++;
    return true;
  }

  /** markPriceUpdate for mark (markFast) or funding (a few a second: strings and BigInt are fine there). */
  private fastMark(line: number, m: ScannedLine, recv: FastRecv | null): boolean {
    const E = m.int(K_E);
    if (this.type === 'mark') {
      const r = this.markRow;
      r.line = line;
      if (!stampFast(r, E, recv) || !decimalOf(m, K_p)) return false;
      r.priceMant = at.v;
      r.priceScale = at.scale;
      if (!this.norm.markFast(r)) return false;
      this.norm.counters.rows++;
      return true;
    }
    const rate = m.str(K_r), next = m.int(K_T);
    if (E < 0 || rate === null || (rate !== '' && next < 0)) return false;
    const tsEvent = BigInt(E) * MS;
    const tsInit = recv ? recv.ns() : tsEvent;
    this.norm.counters.rows++;
    // delivery contracts: no funding rate, or no next funding time
    if (rate === '' || next === 0) this.norm.skip(tsInit);
    else this.norm.funding(line, tsEvent, tsInit, rate, null, BigInt(next) * MS, true);
    return true;
  }

  private payload(line: number, p: unknown, recvNs: bigint | null, raw: string): void {
    if (!isObj(p)) return this.rejectLine(line, 'data', 'not a JSON object', raw);
    if (p.generated === true) {
      // Tardis-made REST polls (depthSnapshot, openInterest): not Binance WebSocket data (§3.5).
      this.stats.generated++;
      return;
    }
    const e = isSpotBookTicker(p) ? 'bookTicker' : p.e;
    if (typeof e !== 'string' || e === '') return this.rejectLine(line, 'e', 'missing field (event type)', raw);
    if (!EVENT_FEEDS[this.type].has(e)) {
      if (EVENT_FEEDS.trades.has(e) || EVENT_FEEDS.mark.has(e) || EVENT_FEEDS.quotes.has(e) || EVENT_FEEDS.deltas.has(e) || OTHER_EVENTS.has(e)) {
        this.stats.otherEvent++;
        return;
      }
      return this.rejectLine(line, 'e', `unknown event "${e}"`, raw);
    }
    const s = p.s;
    if (typeof s === 'string' && s.toUpperCase() !== this.symbol) {
      this.stats.otherSymbol++;
      return;
    }
    if (e === 'aggTrade' || e === 'trade') {
      if (this.run.tradeStream !== null && this.run.tradeStream !== e) {
        this.stats.otherTradeStream++;
        return;
      }
      this.norm.counters.rows++;
      if (typeof s !== 'string') return this.norm.reject(line, 's', 'missing field (symbol)', raw);
      this.trade(line, e, p, recvNs, raw);
    } else if (e === 'depthUpdate') {
      if (typeof s !== 'string') return this.rejectLine(line, 's', 'missing field (symbol)', raw);
      this.depthUpdate(line, p, recvNs, raw);
    } else if (e === 'bookTicker') {
      this.norm.counters.rows++;
      if (typeof s !== 'string') return this.norm.reject(line, 's', 'missing field (symbol)', raw);
      this.bookTicker(line, p, recvNs);
    } else {
      this.norm.counters.rows++;
      if (typeof s !== 'string') return this.norm.reject(line, 's', 'missing field (symbol)', raw);
      this.markPrice(line, p, recvNs, raw);
    }
  }

  /** Rejects a message; with a known `tsInit` it counts on that day (read = written + … + rejected per day). */
  private rejectAt(line: number, field: string, reason: string, value: string, tsInit?: bigint): void {
    if (tsInit === undefined) this.norm.reject(line, field, reason, value);
    else this.norm.rejectUnplaced(line, field, reason, value, tsInit);
  }

  /** Rejects a missing or malformed field. */
  private bad(line: number, p: Obj, key: string, what: string, tsInit?: bigint): void {
    const v = p[key];
    const reason = v === undefined ? `missing field (${what})` : `expected ${what}`;
    this.rejectAt(line, key, reason, show(v), tsInit);
  }

  private decimal(line: number, p: Obj, key: string, what: string, tsInit: bigint): string | null {
    const v = p[key];
    if (typeof v === 'string') return v;
    // A JSON number has already lost exactness in JSON.parse: refuse it rather than round.
    this.bad(line, p, key, v === undefined ? what : `${what} as a decimal string`, tsInit);
    return null;
  }

  private trade(line: number, e: 'aggTrade' | 'trade', p: Obj, recvNs: bigint | null, raw: string): void {
    const tsEvent = msField(p.T);
    if (tsEvent === null) return this.bad(line, p, 'T', 'trade time in ms', recvNs ?? undefined);
    const tsInit = recvNs ?? tsEvent;
    const idKey = e === 'aggTrade' ? 'a' : 't';
    const id = idField(p[idKey]);
    if (id === null) {
      if (p[idKey] === undefined && e === 'aggTrade') {
        // 2019 payloads have no aggregate id; f/l are ids of another space, so none is derived.
        return this.rejectAt(line, 'a', 'missing field (aggregate trade id; not derived from f/l, which are trade-stream ids)', raw, tsInit);
      }
      return this.bad(line, p, idKey, e === 'aggTrade' ? 'aggregate trade id' : 'trade id', tsInit);
    }
    const price = this.decimal(line, p, 'p', 'price', tsInit);
    if (price === null) return;
    const size = this.decimal(line, p, 'q', 'quantity', tsInit);
    if (size === null) return;
    if (typeof p.m !== 'boolean') return this.bad(line, p, 'm', 'buyer-is-maker true or false', tsInit);
    if (e === 'trade' && p.X !== undefined && p.X !== 'MARKET') {
      // Insurance-fund and ADL prints are not market trades (spec §3.2, pitfall 7).
      this.stats.notMarket++;
      return this.norm.skip(tsInit);
    }
    this.run.tradeStream ??= e;
    this.norm.trade(line, tsEvent, tsInit, price, size, p.m ? SIDE_SELLER : SIDE_BUYER, id);
  }

  /**
   * ts_event = T (transaction time, as NautilusTrader's BinanceQuoteData), else E; spot payloads
   * have neither and take the receive time. ts_init = the receive time when the line has one.
   */
  private bookTicker(line: number, p: Obj, recvNs: bigint | null): void {
    const time = p.T !== undefined ? 'T' : p.E !== undefined ? 'E' : null;
    const tsEvent = time ? msField(p[time]) : recvNs;
    if (tsEvent === null) {
      if (time) return this.bad(line, p, time, time === 'T' ? 'transaction time in ms' : 'event time in ms', recvNs ?? undefined);
      return this.rejectAt(line, 'T', 'missing field (transaction time; a spot bookTicker needs a receive time on its line)', show(p));
    }
    const tsInit = recvNs ?? tsEvent;
    const sides: string[] = [];
    for (const [key, what] of [['b', 'bid price'], ['B', 'bid quantity'], ['a', 'ask price'], ['A', 'ask quantity']] as const) {
      const v = this.decimal(line, p, key, what, tsInit);
      if (v === null) return;
      sides.push(v);
    }
    const [bidPrice, bidSize, askPrice, askSize] = sides as [string, string, string, string];
    this.norm.quote(line, tsEvent, tsInit, { bidPrice, bidSize, askPrice, askSize });
  }

  /**
   * A depthUpdate diff: its levels (each a row) synced by binance/depth.ts. ts_event = T, else E (as
   * NautilusTrader's Binance adapter); ts_init = the receive time when the line has one. A message
   * whose ids or time cannot be read is one rejected row; the next one then shows the gap it leaves.
   */
  private depthUpdate(line: number, p: Obj, recvNs: bigint | null, raw: string): void {
    const sync = depthSync(this.norm);
    if (!sync.snapshots) throw new Error(`line ${line}: depthUpdate messages need the REST depth snapshot it was synced from: snapshot_path (the saved GET /fapi/v1/depth response) in the capture's files.deltas entry`);
    const time = p.T !== undefined ? 'T' : 'E';
    const tsEvent = msField(p[time]);
    if (tsEvent === null) return this.rejectLine(line, time, p[time] === undefined ? 'missing field (event time)' : 'expected a time in ms', raw);
    const tsInit = recvNs ?? tsEvent;
    const ids: bigint[] = [];
    for (const k of ['U', 'u', 'pu'] as const) {
      const v = idField(p[k]);
      if (v === null) return this.norm.counters.rows++, this.bad(line, p, k, 'an update id', tsInit);
      ids.push(BigInt(v));
    }
    const levels: DepthLevel[] = [];
    for (const [k, side] of [['b', BOOK_BUY], ['a', BOOK_SELL]] as const) {
      const list = p[k];
      if (!Array.isArray(list)) return this.norm.counters.rows++, this.bad(line, p, k, 'a list of [price, quantity]', tsInit);
      for (const lv of list) {
        this.norm.counters.rows++;
        if (Array.isArray(lv) && typeof lv[0] === 'string' && typeof lv[1] === 'string') levels.push({ side, price: lv[0], size: lv[1] });
        else this.rejectAt(line, k, 'expected ["price", "quantity"] as decimal strings', show(lv), tsInit);
      }
    }
    const d = sync.update(line, tsEvent, tsInit, { first: ids[0]!, last: ids[1]!, prev: ids[2]! });
    for (const l of levels) sync.updateLevel(line, tsEvent, tsInit, l, d);
  }

  private markPrice(line: number, p: Obj, recvNs: bigint | null, _raw: string): void {
    const tsEvent = msField(p.E);
    if (tsEvent === null) return this.bad(line, p, 'E', 'event time in ms', recvNs ?? undefined);
    const tsInit = recvNs ?? tsEvent;
    if (this.type === 'mark') {
      const price = this.decimal(line, p, 'p', 'mark price', tsInit);
      if (price === null) return;
      this.norm.mark(line, tsEvent, tsInit, price, true);
      return;
    }
    const r = p.r;
    if (r === '') return this.norm.skip(tsInit); // delivery contract: no funding
    if (typeof r !== 'string') return this.bad(line, p, 'r', r === undefined ? 'funding rate' : 'funding rate as a decimal string', tsInit);
    if (p.T === 0 || p.T === '0') return this.norm.skip(tsInit); // delivery contract: no next funding time
    const next = msField(p.T);
    if (next === null) return this.bad(line, p, 'T', 'next funding time in ms', tsInit);
    this.norm.funding(line, tsEvent, tsInit, r, null, next, true);
  }

  /** Human notes about what was ignored, for the file report. */
  notes(): string[] {
    const s = this.stats;
    const n: string[] = [];
    if (s.otherSymbol) n.push(`${s.otherSymbol} message(s) of other symbols ignored`);
    if (s.otherEvent) n.push(`${s.otherEvent} message(s) of events that do not feed ${this.type} ignored`);
    if (s.control) n.push(`${s.control} subscription ack(s) ignored`);
    if (s.generated) n.push(`${s.generated} Tardis-generated message(s) (generated:true) ignored`);
    if (s.notMarket) n.push(`${s.notMarket} trade(s) with X other than MARKET (insurance fund, ADL) skipped`);
    if (s.otherTradeStream) {
      const other = this.run.tradeStream === 'aggTrade' ? 'trade' : 'aggTrade';
      n.push(`${s.otherTradeStream} ${other} message(s) ignored: this run takes trades from ${this.run.tradeStream} (the two id spaces must not mix in one catalog)`);
    }
    return n;
  }
}
