// Validates source rows and turns them into fixed-point columns routed to their UTC day.
// Every row ends in exactly one bucket: written, duplicate, skipped, rejected, out of range, or
// (its day not written in this run) existing or discarded.
import type { DataType } from '../../shared/job.js';
import { formatDecimal, parseDecimal, pow10, toScaled, toScaledRounded, type Decimal } from '../numbers/decimal.js';
import { fixedMode, writeRaw, type FixedMode } from '../numbers/fixed.js';
import { LITTLE_ENDIAN, POW10_NUM, writeScaled } from '../numbers/fixedfast.js';
import { NS_PER_DAY, nsToIso } from '../catalog/paths.js';
import {
  ACTION_ADD, ACTION_DELETE, ACTION_UPDATE, BAR, DELTA, DEPTH, DEPTH_LEVELS, F_LAST, F_SNAPSHOT, FUNDING, FUNDING_HAS_INTERVAL, FUNDING_HAS_NEXT, MARK, QUOTE, TRADE,
} from '../datatypes/index.js';
import { DeltaFile, type HeldDelta } from './book.js';
import { quoteProblem, type QuoteCheck, type QuoteDecimals } from '../sources/quotes/quote.js';
import { GapTracker } from '../sources/bars/gaps.js';
import { checkBar, type OhlcvText } from '../sources/bars/ohlc.js';
import { describeNs } from '../sources/bars/spec.js';
import { IdSet } from './idset.js';
import type { RejectSink } from './rejects.js';
import type { RowSink, SinkAt } from './sink.js';
import { HINTS } from '../../shared/text.js';

export const SIDE_NONE = 0, SIDE_BUYER = 1, SIDE_SELLER = 2;

const SIDE_TEXT: Record<string, number> = {
  buy: SIDE_BUYER, b: SIDE_BUYER, buyer: SIDE_BUYER, bid: SIDE_BUYER, '1': SIDE_BUYER,
  sell: SIDE_SELLER, s: SIDE_SELLER, seller: SIDE_SELLER, ask: SIDE_SELLER, '2': SIDE_SELLER, '-1': SIDE_SELLER,
  '': SIDE_NONE, unknown: SIDE_NONE, none: SIDE_NONE, no_aggressor: SIDE_NONE, '0': SIDE_NONE,
};
const MAKER_TEXT: Record<string, number> = {
  // buyer is maker -> the taker sold (spec §2.2, §3.3)
  true: SIDE_SELLER, t: SIDE_SELLER, '1': SIDE_SELLER, yes: SIDE_SELLER,
  false: SIDE_BUYER, f: SIDE_BUYER, '0': SIDE_BUYER, no: SIDE_BUYER,
};

/**
 * Aggressor from side text or a buyer-is-maker flag; -1 when unrecognised. `custom` (the file's
 * side values, keys trimmed and lower case) is asked first: it may give a value another meaning.
 */
export function parseSide(text: string, mode: 'text' | 'maker', custom: ReadonlyMap<string, number> | null = null): number {
  const key = text.trim().toLowerCase();
  const table = mode === 'text' ? SIDE_TEXT : MAKER_TEXT;
  // hasOwn: a cell "constructor" is no side either.
  const v = custom?.get(key) ?? (Object.hasOwn(table, key) ? table[key] : undefined);
  return v === undefined ? -1 : v;
}

const SIDE_WORD = ['unknown', 'buy', 'sell'];
const idScratch = new DataView(new ArrayBuffer(8));

/**
 * Id for a row without one, exactly as NautilusTrader derives it (derive_trade_id in its Tardis
 * adapter, crates/adapters/tardis/src/common/parse.rs, used by its Tardis CSV loader): 64-bit FNV-1a
 * over the upper-case symbol, ts_event (u64 little-endian), the price and the amount as f64 bits
 * (little-endian), and the Tardis side word (buy, sell, unknown), separated by 0x1f; 16 hex digits.
 * A catalog built by NautilusTrader from the same rows then holds the same ids.
 */
export function deriveTradeId(symbol: string, tsEvent: bigint, price: string, size: string, side: number): string {
  // FNV-1a 64 in two 32-bit halves: h * 0x100000001b3 = h * 0x1b3 + (h << 40), modulo 2^64.
  let lo = 0x84222325, hi = 0xcbf29ce4;
  const mix = (b: number) => {
    lo = (lo ^ b) >>> 0;
    const m = lo * 0x1b3; // < 2^41, exact
    hi = (Math.imul(hi, 0x1b3) + Math.floor(m / 0x100000000) + ((lo & 0xffffff) << 8)) >>> 0;
    lo = m >>> 0;
  };
  const text = (s: string) => { for (const b of Buffer.from(s, 'utf8')) mix(b); };
  const scratch = () => { for (let i = 0; i < 8; i++) mix(idScratch.getUint8(i)); };
  text(symbol.toUpperCase());
  mix(0x1f);
  idScratch.setBigUint64(0, tsEvent, true);
  scratch();
  mix(0x1f);
  idScratch.setFloat64(0, Number(price.trim()), true);
  scratch();
  mix(0x1f);
  idScratch.setFloat64(0, Number(size.trim()), true);
  scratch();
  mix(0x1f);
  text(SIDE_WORD[side] ?? 'unknown');
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Why a price above PRICE_MAX is rejected, with the limit and (64-bit) the way out. */
export function priceLimitText(fm: FixedMode): string {
  const max = (fm.priceMax / pow10(fm.F)).toString();
  return fm.mode === 64
    ? `above the 64-bit price limit ${max}; ${HINTS.precision128.cli} holds prices up to ${(fixedMode(128).priceMax / pow10(16)).toString()}`
    : `above the 128-bit price limit ${max}`;
}

export interface FileCounters {
  rows: number;
  outOfRange: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

export interface NormalizerOptions {
  type: DataType;
  fm: FixedMode;
  symbol: string;
  pricePrecision: number;
  sizePrecision: number;
  /** first day of the job, as a day index since the epoch */
  startDay: number;
  /** the output port: where each day's rows go */
  sinkAt: SinkAt;
  rejects: RejectSink | null;
  /** precision scan: record decimals, write nothing */
  scan?: boolean;
  /** bars: the interval of the job's bar type, and whether prices are rounded (MARK, as mark prices are) */
  bar?: { intervalNs: bigint; round: boolean };
}

/** The four values of a quote as source text ("" for a side the source has no level for). */
export interface QuoteSides {
  bidPrice: string;
  bidSize: string;
  askPrice: string;
  askSize: string;
}

/**
 * Reject reasons of the quote checks: one text per kind (the values go in the reject's value), so
 * the per-reason counts of a file stay few.
 */
const QUOTE_REASON: Record<QuoteCheck, string> = {
  empty: 'empty: no level on that side',
  'not a number': 'not a decimal number',
  'negative size': 'must be > 0 (negative size)',
  'zero size': 'must be > 0 (zero size)',
  crossed: 'crossed quote: bid above ask',
};

const TRADE_ID_RE = /^[\x21-\x7e]{1,36}$/;

/**
 * A trade row the CSV fast path has already taken apart (one object reused for every row). It only
 * holds plain syntax: the Normalizer decides, by the same rules as trade(), whether it is written.
 */
/** The line and times of a row the CSV fast path took apart (fast.ts stampRow fills them). */
export interface FastTimes {
  line: number;
  /** ts_init: its UTC day (days since the epoch) and its nanoseconds as 32-bit halves */
  day: number;
  initLo: number;
  initHi: number;
  /** ts_event nanoseconds as 32-bit halves */
  evLo: number;
  evHi: number;
}

export interface FastTrade extends FastTimes {
  /** decimal value = mant / 10^scale: mant an integer of at most 15 significant digits, scale without trailing zeros */
  priceMant: number;
  priceScale: number;
  sizeMant: number;
  sizeScale: number;
  side: number;
  /** trade id: bytes idBuf[idStart, idEnd), 1 to 36 printable ASCII characters */
  idBuf: Uint8Array;
  idStart: number;
  idEnd: number;
  /** the id's value when it is all digits, at most 15 of them and no leading zero (as IdSet keys it), else -1 */
  idNum: number;
}

/** A mark price the JSONL fast path took apart: times as in FastTrade, the price as mant / 10^scale (FastTrade's price). */
export interface FastMark extends FastTimes {
  priceMant: number;
  priceScale: number;
}

/**
 * A quote row the CSV fast path has already taken apart (one object reused for every row): times as
 * in FastTrade, each value as mant / 10^scale (FastTrade's price). quoteFast decides by quote()'s rules.
 */
export interface FastQuote extends FastTimes {
  bidMant: number;
  bidScale: number;
  askMant: number;
  askScale: number;
  bidSizeMant: number;
  bidSizeScale: number;
  askSizeMant: number;
  askSizeScale: number;
}

/**
 * An incremental_book_L2 row the CSV fast path has already taken apart (one object reused for every
 * row): times as in FastTrade, price and amount as mant / 10^scale. deltaFast decides by delta()'s rules.
 */
export interface FastDelta extends FastTimes {
  isSnapshot: boolean;
  /** BOOK_BUY or BOOK_SELL */
  side: number;
  priceMant: number;
  priceScale: number;
  sizeMant: number;
  sizeScale: number;
}

const M32 = 0xffffffffn;

/**
 * Whether bid > ask for two fast-path values (mant / 10^scale), or null when the comparison would
 * not be exact in doubles (the complete path then decides).
 */
function crossedFast(bm: number, bs: number, am: number, as: number): boolean | null {
  if (bs === as) return bm > am;
  const k = Math.abs(bs - as);
  if (k > 22) return null;
  // Bring both to the larger scale: exact while the product stays below 2^53.
  const b = bs < as ? bm * POW10_NUM[k]! : bm, a = as < bs ? am * POW10_NUM[k]! : am;
  if (b > Number.MAX_SAFE_INTEGER || a > Number.MAX_SAFE_INTEGER) return null;
  return b > a;
}

export class Normalizer {
  file = '';
  counters: FileCounters = { rows: 0, outOfRange: 0, rejected: 0, rejectedByReason: {} };
  maxPriceDecimals = -1;
  maxSizeDecimals = -1;
  /**
   * Trade ids seen, one set per day of the job: a day's content depends only on the rows that fall
   * on it, never on which other days are in the range (ids repeating on another day are other trades).
   */
  private ids: IdSet[] = [];
  /** mark / funding: the last value kept per day (within the current file), for change-only dedupe */
  private lastKey: string[] = [];
  /** identities of the files read so far, and whether the current file is one of them (read twice) */
  private filesRead = new Set<string>();
  private rereading = false;
  /** the day index sinkOf placed the last row on */
  private idx = -1;
  /** largest mantissa per scale (0..F) below the price / quantity limit, for tradeFast */
  private priceLim: number[];
  private sizeLim: number[];
  /** the sink tradeFast last placed a row on (its `sources` already holds this file) */
  private fastSink: RowSink | null = null;
  /** bars: missing bars per UTC day, over every file of the job */
  readonly gaps: GapTracker | null;
  /** order-book deltas of the current file (normalize/book.ts) */
  private book: DeltaFile | null = null;
  /** what the current file's deltas showed (crossed book), for its notes */
  bookNotes: string[] = [];

  constructor(readonly o: NormalizerOptions) {
    // m * 10^(F - s) <= max  <=>  m <= floor(max / 10^(F - s)); exact as a double for every m below 2^53.
    const lim = (max: bigint) => Array.from({ length: o.fm.F + 1 }, (_, s) => Number(max / pow10(o.fm.F - s)));
    this.priceLim = lim(o.fm.priceMax);
    this.sizeLim = lim(o.fm.quantityMax);
    this.gaps = o.bar ? new GapTracker(o.bar.intervalNs) : null;
  }

  /**
   * Starts a file. `identity` says which files are the same one (the same file listed twice, by
   * overlapping globs or through a link): rows without a trade id are duplicates only on a second
   * read of the same file; defaults to the path.
   */
  startFile(path: string, identity = path): FileCounters {
    this.endFile();
    this.bookNotes = [];
    this.file = path;
    this.rereading = this.filesRead.has(identity);
    this.filesRead.add(identity);
    this.lastKey = [];
    this.fastSink = null;
    this.counters = { rows: 0, outOfRange: 0, rejected: 0, rejectedByReason: {} };
    return this.counters;
  }

  /**
   * Ends the current file: its last held order-book delta is written (it ends its event). Every
   * reader's caller calls it once the file is read, or failed.
   */
  endFile(): void {
    const book = this.book;
    if (!book) return;
    this.book = null;
    book.end();
    const c = book.crossed;
    if (c.first) {
      this.bookNotes.push(`the book was crossed (best bid above best ask) at the end of ${c.count} event${c.count === 1 ? '' : 's'}, first at line ${c.first.line} (${nsToIso(c.first.tsEvent)}): bid ${c.first.bid} > ask ${c.first.ask}; the updates are written as the venue sent them`);
    }
  }

  private sinkOf(tsInit: bigint): RowSink | null {
    const idx = Number(tsInit / NS_PER_DAY) - this.o.startDay;
    const sink = this.o.sinkAt(idx);
    if (!sink) {
      this.counters.outOfRange++;
      return null;
    }
    this.idx = idx;
    sink.stats.read++;
    sink.sources.add(this.file);
    return sink;
  }

  /** Rejects a row. `tsInit` places it on a day when it is known. */
  reject(line: number, field: string, reason: string, value: string, tsInit?: bigint): void {
    const key = `${field}: ${reason}`;
    this.counters.rejected++;
    this.counters.rejectedByReason[key] = (this.counters.rejectedByReason[key] ?? 0) + 1;
    if (tsInit !== undefined) {
      const idx = Number(tsInit / NS_PER_DAY) - this.o.startDay;
      const sink = this.o.sinkAt(idx);
      if (sink) sink.stats.rejected[key] = (sink.stats.rejected[key] ?? 0) + 1;
    }
    this.o.rejects?.add({ dataType: this.o.type, file: this.file, line, field, reason, value: value.length > 200 ? value.slice(0, 200) + '…' : value });
  }

  /**
   * Rejects a row the source turned down before handing it over (bad side, local time, interval):
   * like a row placed by `sinkOf`, it counts as read on its day, so read = written + duplicates +
   * skipped + rejected holds per day.
   */
  rejectUnplaced(line: number, field: string, reason: string, value: string, tsInit: bigint): void {
    const sink = this.o.sinkAt(Number(tsInit / NS_PER_DAY) - this.o.startDay);
    if (sink) {
      sink.stats.read++;
      sink.sources.add(this.file);
    }
    this.reject(line, field, reason, value, tsInit);
  }

  /** Row carries no value for this data type (e.g. a derivative_ticker row without mark_price). */
  skip(tsInit: bigint): void {
    const sink = this.sinkOf(tsInit);
    if (sink) sink.stats.skipped++;
  }

  private price(line: number, text: string, tsInit: bigint, field: string, round: boolean): bigint | null {
    const d = parseDecimal(text.trim());
    if (!d) return this.reject(line, field, 'not a decimal number', text, tsInit), null;
    return this.priceOf(line, d, text, tsInit, field, round);
  }

  /** price() for a value already parsed from `text`. */
  private priceOf(line: number, d: Decimal, text: string, tsInit: bigint, field: string, round: boolean): bigint | null {
    if (d.neg || d.digits === '') return this.reject(line, field, 'must be > 0', text, tsInit), null;
    if (this.o.scan) {
      this.maxPriceDecimals = Math.max(this.maxPriceDecimals, d.scale);
      return 1n;
    }
    const p = this.o.pricePrecision;
    if (d.scale > p && !round) {
      return this.reject(line, field, `has ${d.scale} decimals, more than the instrument's price precision ${p}`, text, tsInit), null;
    }
    const raw = toScaledRounded(d, p) * pow10(this.o.fm.F - p);
    if (raw === 0n) return this.reject(line, field, `rounds to 0 at price precision ${p}`, text, tsInit), null;
    if (raw > this.o.fm.priceMax) return this.reject(line, field, priceLimitText(this.o.fm), text, tsInit), null;
    return raw;
  }

  /** A quantity at the size precision; a bar's volume (`field` volume) may be 0. */
  private size(line: number, text: string, tsInit: bigint, field = 'size', zeroOk = field === 'volume'): bigint | null {
    const d = parseDecimal(text.trim());
    if (!d) return this.reject(line, field, 'not a decimal number', text, tsInit), null;
    return this.sizeOf(line, d, text, tsInit, field, zeroOk);
  }

  /** size() for a value already parsed from `text`. */
  private sizeOf(line: number, d: Decimal, text: string, tsInit: bigint, field: string, zeroOk = field === 'volume'): bigint | null {
    if (d.neg && d.digits !== '') return this.reject(line, field, zeroOk ? 'must be >= 0' : 'must be > 0', text, tsInit), null;
    if (d.digits === '' && !zeroOk) return this.reject(line, field, 'must be > 0', text, tsInit), null;
    if (this.o.scan) {
      this.maxSizeDecimals = Math.max(this.maxSizeDecimals, d.scale);
      return 1n;
    }
    const p = this.o.sizePrecision;
    if (d.scale > p) return this.reject(line, field, `has ${d.scale} decimals, more than the instrument's size precision ${p}`, text, tsInit), null;
    const raw = d.neg ? 0n : toScaled(d, this.o.fm.F);
    if (raw > this.o.fm.quantityMax) return this.reject(line, field, `above the ${this.o.fm.mode}-bit quantity limit`, text, tsInit), null;
    return raw;
  }

  trade(line: number, tsEvent: bigint, tsInit: bigint, priceText: string, sizeText: string, side: number, id: string | null): void {
    const sink = this.sinkOf(tsInit);
    if (!sink) return;
    const price = this.price(line, priceText, tsInit, 'price', false);
    if (price === null) return;
    const size = this.size(line, sizeText, tsInit);
    if (size === null || this.o.scan) return;
    const tradeId = id ?? deriveTradeId(this.o.symbol, tsEvent, priceText, sizeText, side);
    if (!TRADE_ID_RE.test(tradeId)) return this.reject(line, 'trade_id', 'must be 1 to 36 printable ASCII characters', tradeId, tsInit);
    // Rows without an id: real trades may share time, price, size and side, so only a second read
    // of the same file makes them duplicates (of the same line); rows with an id dedupe by id per day.
    if (id === null ? this.rereading : !this.idsOf(this.idx).add(tradeId)) {
      sink.stats.duplicates++;
      return;
    }
    if (this.notKept(sink)) return;
    const b = sink.builder;
    const i = b.add(tsInit);
    const W = this.o.fm.W;
    b.views[TRADE.tsEvent]!.setBigUint64(i * 8, tsEvent, true);
    writeRaw(b.views[TRADE.price]!, i * W, price, W);
    writeRaw(b.views[TRADE.size]!, i * W, size, W);
    b.fixed[TRADE.side]![i] = side;
    b.setVar(TRADE.id, i, tradeId);
  }

  /**
   * trade() for a row the CSV fast path parsed. Returns false, having changed nothing, when the row
   * is not a plain accepted row (it would be rejected, or needs the exact path): the caller then
   * hands the same line to the complete path, which gives the reject and its reason. Otherwise the
   * row is counted exactly as trade() would count it (out of range, duplicate, written).
   */
  tradeFast(r: FastTrade): boolean {
    const o = this.o;
    const idx = r.day - o.startDay;
    const sink = o.sinkAt(idx);
    if (!sink) {
      this.counters.outOfRange++;
      return true;
    }
    if (r.priceMant === 0 || r.sizeMant === 0) return false;
    if (o.scan) {
      this.placeFast(sink);
      this.maxPriceDecimals = Math.max(this.maxPriceDecimals, r.priceScale);
      this.maxSizeDecimals = Math.max(this.maxSizeDecimals, r.sizeScale);
      return true;
    }
    if (r.priceScale > o.pricePrecision || r.priceMant > this.priceLim[r.priceScale]!) return false;
    if (r.sizeScale > o.sizePrecision || r.sizeMant > this.sizeLim[r.sizeScale]!) return false;
    this.placeFast(sink);
    const ids = this.idsOf(idx);
    const fresh = r.idNum >= 0 ? ids.addNum(r.idNum) : ids.add(Buffer.from(r.idBuf.buffer, r.idBuf.byteOffset, r.idBuf.byteLength).toString('latin1', r.idStart, r.idEnd));
    if (!fresh) {
      sink.stats.duplicates++;
      return true;
    }
    if (this.notKept(sink)) return true;
    const b = sink.builder;
    const i = b.addHalves(r.initLo, r.initHi);
    const ev = b.fixed32[TRADE.tsEvent]!;
    ev[2 * i] = r.evLo;
    ev[2 * i + 1] = r.evHi;
    const F = o.fm.F, L = o.fm.W >> 1;
    writeScaled(b.fixed16[TRADE.price]!, i * L, r.priceMant, F - r.priceScale, L);
    writeScaled(b.fixed16[TRADE.size]!, i * L, r.sizeMant, F - r.sizeScale, L);
    b.fixed[TRADE.side]![i] = r.side;
    b.setVarAscii(TRADE.id, i, r.idBuf, r.idStart, r.idEnd);
    return true;
  }

  private idsOf(idx: number): IdSet {
    return (this.ids[idx] ??= new IdSet());
  }

  /**
   * A day already written (skipped) or refused (failed) counts its valid rows as existing or
   * discarded and keeps none in memory.
   */
  private notKept(sink: RowSink): boolean {
    if (sink.state === 'skipped') sink.stats.existing++;
    else if (sink.state === 'failed') sink.stats.discarded++;
    else return false;
    return true;
  }

  /**
   * The builder row of an accepted row without an id (quotes, depths): none when a second read of
   * its file makes it a duplicate, or its day keeps no rows (notKept).
   */
  private placeRow(sink: RowSink, tsInit: bigint): number | null {
    if (this.rereading) {
      sink.stats.duplicates++;
      return null;
    }
    return this.notKept(sink) ? null : sink.builder.add(tsInit);
  }

  /** sinkOf's bookkeeping for a placed fast row. */
  private placeFast(sink: RowSink): void {
    sink.stats.read++;
    if (sink !== this.fastSink) {
      sink.sources.add(this.file);
      this.fastSink = sink;
    }
  }

  /** Mark prices are rounded to the instrument's precision, as Nautilus's Binance adapter does. */
  mark(line: number, tsEvent: bigint, tsInit: bigint, priceText: string, dedupe: boolean): void {
    const sink = this.sinkOf(tsInit);
    if (!sink) return;
    const price = this.price(line, priceText, tsInit, 'mark_price', true);
    if (price === null || this.o.scan) return;
    if (dedupe) {
      const key = price.toString();
      if (key === this.lastKey[this.idx]) { sink.stats.duplicates++; return; }
      this.lastKey[this.idx] = key;
    }
    if (this.notKept(sink)) return;
    const b = sink.builder;
    const i = b.add(tsInit);
    b.views[MARK.tsEvent]!.setBigUint64(i * 8, tsEvent, true);
    writeRaw(b.views[MARK.value]!, i * this.o.fm.W, price, this.o.fm.W);
  }

  /**
   * mark(…, dedupe) for a value the fast path took apart: false, having changed nothing, when it
   * is not a plain accepted one (mark() then gives the reject). Rounds half up at the instrument's
   * price precision as toScaledRounded, and keeps the dedupe key mark() keeps (the raw value's text).
   */
  markFast(r: FastMark): boolean {
    const o = this.o;
    const idx = r.day - o.startDay;
    const sink = o.sinkAt(idx);
    if (!sink) {
      this.counters.outOfRange++;
      return true;
    }
    if (o.scan) return false;
    const p = o.pricePrecision;
    let m = r.priceMant, sc = r.priceScale;
    if (sc > p) {
      const div = POW10_NUM[sc - p]!;
      const q = Math.floor(m / div), rem = m - q * div;
      // m < 2^53: an exact quotient unless the float division rounded up across an integer
      m = rem < 0 ? q - 1 : q;
      if ((rem < 0 ? rem + div : rem) * 2 >= div) m++;
      sc = p;
    }
    if (m === 0 || m > this.priceLim[sc]!) return false;
    this.placeFast(sink);
    const key = String(m) + '0'.repeat(o.fm.F - sc);
    if (key === this.lastKey[idx]) {
      sink.stats.duplicates++;
      return true;
    }
    this.lastKey[idx] = key;
    if (this.notKept(sink)) return true;
    const b = sink.builder;
    const i = b.addHalves(r.initLo, r.initHi);
    const ev = b.fixed32[MARK.tsEvent]!;
    ev[2 * i] = r.evLo;
    ev[2 * i + 1] = r.evHi;
    writeScaled(b.fixed16[MARK.value]!, i * (o.fm.W >> 1), m, o.fm.F - sc, o.fm.W >> 1);
    return true;
  }

  /**
   * One top-of-book quote. The quote is checked as a whole first (empty side, not a number, zero or
   * negative size, crossed; NautilusTrader would keep all but the negative size), then each value as
   * trade() checks its price and size, at the instrument's precisions, never rounded. Dedupe: a quote
   * has no id and a book repeats its top with every update of a deeper level, so two equal quotes
   * are two updates; only a second read of the same file makes its rows duplicates.
   */
  quote(line: number, tsEvent: bigint, tsInit: bigint, q: QuoteSides): void {
    const sink = this.sinkOf(tsInit);
    if (!sink) return;
    // Each value is parsed once, by the check; price() and size()'s rules then run on the result.
    const d: QuoteDecimals = {};
    const bad = quoteProblem(q, d);
    if (bad) return this.reject(line, bad.field, QUOTE_REASON[bad.kind], `bid ${q.bidPrice} x ${q.bidSize}, ask ${q.askPrice} x ${q.askSize}`, tsInit);
    const bid = this.priceOf(line, d.bidPrice!, q.bidPrice, tsInit, 'bid_price', false);
    if (bid === null) return;
    const ask = this.priceOf(line, d.askPrice!, q.askPrice, tsInit, 'ask_price', false);
    if (ask === null) return;
    const bidSize = this.sizeOf(line, d.bidSize!, q.bidSize, tsInit, 'bid_size');
    if (bidSize === null) return;
    const askSize = this.sizeOf(line, d.askSize!, q.askSize, tsInit, 'ask_size');
    if (askSize === null || this.o.scan) return;
    const i = this.placeRow(sink, tsInit);
    if (i === null) return;
    const b = sink.builder;
    const W = this.o.fm.W;
    b.views[QUOTE.tsEvent]!.setBigUint64(i * 8, tsEvent, true);
    writeRaw(b.views[QUOTE.bidPrice]!, i * W, bid, W);
    writeRaw(b.views[QUOTE.askPrice]!, i * W, ask, W);
    writeRaw(b.views[QUOTE.bidSize]!, i * W, bidSize, W);
    writeRaw(b.views[QUOTE.askSize]!, i * W, askSize, W);
  }

  /**
   * A bar, stamped at its close (ts_event = ts_init = closeNs): prices > 0 at the price precision,
   * volume >= 0 at the size precision, high/low around open and close, the open time on the bar
   * type's grid; a second bar with the same open time is a duplicate.
   */
  bar(line: number, openNs: bigint, closeNs: bigint, t: OhlcvText): void {
    const bo = this.o.bar;
    if (!bo) throw new Error('bar(): the normaliser has no bar interval');
    const sink = this.sinkOf(closeNs);
    // A bar closing after the last day (its open on that day) still counts as present for the gaps.
    if (!sink) return void this.gaps?.add(openNs);
    const raw: bigint[] = [];
    for (const k of ['open', 'high', 'low', 'close'] as const) {
      const v = this.price(line, t[k], closeNs, k, bo.round);
      if (v === null) return;
      raw.push(v);
    }
    const volume = this.size(line, t.volume, closeNs, 'volume');
    if (volume === null || this.o.scan) return;
    const why = checkBar(t);
    // The reason without its values (they are in the reject's value), so rejects group by kind.
    if (why) return this.reject(line, why.split(' ')[0]!, why.replace(/ "?[-+.\deE]+"?(?= |$)/g, ''), `open ${t.open}, high ${t.high}, low ${t.low}, close ${t.close}, volume ${t.volume}`, closeNs);
    if (openNs % bo.intervalNs !== 0n) return this.reject(line, 'timestamp', `open time is not on the ${describeNs(bo.intervalNs)} grid counted from 00:00 UTC`, String(openNs), closeNs);
    // The bar's number on the grid keys the day's set (consecutive bars make one range, as trade ids do).
    if (!this.idsOf(this.idx).addNum(Number(openNs / bo.intervalNs))) {
      sink.stats.duplicates++;
      return;
    }
    this.gaps!.add(openNs);
    if (this.notKept(sink)) return;
    const b = sink.builder;
    const i = b.add(closeNs);
    const W = this.o.fm.W;
    b.views[BAR.tsEvent]!.setBigUint64(i * 8, closeNs, true);
    [BAR.open, BAR.high, BAR.low, BAR.close].forEach((col, k) => writeRaw(b.views[col]!, i * W, raw[k]!, W));
    writeRaw(b.views[BAR.volume]!, i * W, volume, W);
  }

  /**
   * quote() for a row the CSV fast path parsed, with tradeFast's contract: false, having changed
   * nothing, unless the row is a plain accepted quote (the complete path then gives the reject);
   * otherwise counted exactly as quote() counts it (out of range, duplicate on a re-read, written).
   */
  quoteFast(r: FastQuote): boolean {
    const o = this.o;
    const sink = o.sinkAt(r.day - o.startDay);
    if (!sink) {
      this.counters.outOfRange++;
      return true;
    }
    // zero values (a zero size, or a price quote() turns down), crossed, or not surely not crossed
    if (r.bidMant === 0 || r.askMant === 0 || r.bidSizeMant === 0 || r.askSizeMant === 0) return false;
    if (crossedFast(r.bidMant, r.bidScale, r.askMant, r.askScale) !== false) return false;
    if (o.scan) {
      this.placeFast(sink);
      this.maxPriceDecimals = Math.max(this.maxPriceDecimals, r.bidScale, r.askScale);
      this.maxSizeDecimals = Math.max(this.maxSizeDecimals, r.bidSizeScale, r.askSizeScale);
      return true;
    }
    const pp = o.pricePrecision, sp = o.sizePrecision, pl = this.priceLim, sl = this.sizeLim;
    if (r.bidScale > pp || r.bidMant > pl[r.bidScale]! || r.askScale > pp || r.askMant > pl[r.askScale]!) return false;
    if (r.bidSizeScale > sp || r.bidSizeMant > sl[r.bidSizeScale]! || r.askSizeScale > sp || r.askSizeMant > sl[r.askSizeScale]!) return false;
    this.placeFast(sink);
    if (this.rereading) {
      sink.stats.duplicates++;
      return true;
    }
    if (this.notKept(sink)) return true;
    const b = sink.builder;
    const i = b.addHalves(r.initLo, r.initHi);
    const ev = b.fixed32[QUOTE.tsEvent]!;
    ev[2 * i] = r.evLo;
    ev[2 * i + 1] = r.evHi;
    const F = o.fm.F, L = o.fm.W >> 1, at = i * L;
    writeScaled(b.fixed16[QUOTE.bidPrice]!, at, r.bidMant, F - r.bidScale, L);
    writeScaled(b.fixed16[QUOTE.askPrice]!, at, r.askMant, F - r.askScale, L);
    writeScaled(b.fixed16[QUOTE.bidSize]!, at, r.bidSizeMant, F - r.bidSizeScale, L);
    writeScaled(b.fixed16[QUOTE.askSize]!, at, r.askSizeMant, F - r.askSizeScale, L);
    return true;
  }

  /**
   * One order-book level change (NautilusTrader's Tardis rules, normalize/book.ts): side 1 bid, 2 ask;
   * amount 0 deletes the level, a snapshot row adds it, any other updates it. Rows outside the job's
   * days are not written but still move the state on, so the flags of the rows written are the ones
   * NautilusTrader's loader gives the whole file. `event`: a venue's event number (Binance depth,
   * whose sync engine/sources/binance/depth.ts decides; DeltaFile.venueRow flags it), else Tardis rules.
   */
  delta(line: number, tsEvent: bigint, tsInit: bigint, isSnapshot: boolean, side: number, priceText: string, sizeText: string, sequence = 0n, event?: number): void {
    const book = this.deltaFile();
    const sink = this.sinkOf(tsInit);
    const d = book.next;
    const ev = BigInt.asUintN(64, tsEvent), init = BigInt.asUintN(64, tsInit);
    Object.assign(d, { line, evLo: Number(ev & M32), evHi: Number(ev >> 32n), initLo: Number(init & M32), initHi: Number(init >> 32n), day: Number(tsInit / NS_PER_DAY) });
    Object.assign(d, { side, flags: 0, sequence, added: false, outside: !sink });
    if (sink) {
      const price = this.price(line, priceText, tsInit, 'price', false);
      if (price === null) return;
      const size = this.size(line, sizeText, tsInit, 'amount', true);
      if (size === null) return;
      if (!isSnapshot && !book.seenSnapshot && event === undefined) return this.reject(line, 'is_snapshot', 'an update before the file\'s first snapshot: the book it changes is unknown', `${priceText} x ${sizeText}`, tsInit);
      if (this.o.scan) return;
      d.priceRaw = price;
      d.sizeRaw = size;
    } else {
      // Outside the job: only whether it is a deletion matters to the state.
      d.priceRaw = 0n;
      d.sizeRaw = /^\s*[-+]?0*\.?0*\s*$/.test(sizeText) ? 0n : 1n;
    }
    d.px = Number(priceText);
    d.action = d.sizeRaw === 0n ? ACTION_DELETE : isSnapshot ? ACTION_ADD : ACTION_UPDATE;
    if (event === undefined) book.row(isSnapshot);
    else book.venueRow(isSnapshot, event);
  }

  private deltaFile(): DeltaFile {
    return (this.book ??= new DeltaFile((d) => this.writeDelta(d)));
  }

  /**
   * delta() for a row the CSV fast path parsed, with tradeFast's contract: false, having changed
   * nothing, unless delta() would take the row without a reject (the complete path then gives it,
   * in order: the book's state is only ever moved on by DeltaFile.row).
   */
  deltaFast(r: FastDelta): boolean {
    const o = this.o;
    const book = this.deltaFile();
    const sink = o.sinkAt(r.day - o.startDay);
    // must be > 0, and the amount >= 0 (the fast path reads no sign)
    if (sink && r.priceMant === 0) return false;
    if (sink && !r.isSnapshot && !book.seenSnapshot) return false;
    if (sink && o.scan) {
      this.placeFast(sink);
      this.maxPriceDecimals = Math.max(this.maxPriceDecimals, r.priceScale);
      this.maxSizeDecimals = Math.max(this.maxSizeDecimals, r.sizeScale);
      return true;
    }
    if (sink && (r.priceScale > o.pricePrecision || r.priceMant > this.priceLim[r.priceScale]!)) return false;
    if (sink && (r.sizeScale > o.sizePrecision || r.sizeMant > this.sizeLim[r.sizeScale]!)) return false;
    if (sink) this.placeFast(sink);
    else this.counters.outOfRange++;
    const d = book.next;
    d.line = r.line;
    d.evLo = r.evLo;
    d.evHi = r.evHi;
    d.initLo = r.initLo;
    d.initHi = r.initHi;
    d.day = r.day;
    d.side = r.side;
    d.priceRaw = null;
    d.priceMant = r.priceMant;
    d.priceScale = r.priceScale;
    d.sizeRaw = null;
    d.sizeMant = r.sizeMant;
    d.sizeScale = r.sizeScale;
    d.flags = 0;
    d.sequence = 0n;
    d.added = false;
    d.outside = !sink;
    // the double nearest the decimal, as Number(text) gives it: both operands are exact doubles
    d.px = r.priceMant / POW10_NUM[r.priceScale]!;
    d.action = r.sizeMant === 0 ? ACTION_DELETE : r.isSnapshot ? ACTION_ADD : ACTION_UPDATE;
    book.row(r.isSnapshot);
    return true;
  }

  /** A delta whose flags are final: onto its day (or, outside the job, nowhere). */
  private writeDelta(d: HeldDelta): void {
    if (d.outside) return;
    const sink = this.o.sinkAt(d.day - this.o.startDay);
    if (!sink) return;
    // A second read of a file: its rows are duplicates, and its CLEARs (no source row) are not
    // added again, which would wipe the book the first read's snapshot built.
    if (this.rereading) {
      if (!d.added) sink.stats.duplicates++;
      return;
    }
    if (d.added) {
      sink.stats.added = (sink.stats.added ?? 0) + 1;
      sink.sources.add(this.file);
    }
    if (this.notKept(sink)) return;
    const b = sink.builder;
    const W = this.o.fm.W, F = this.o.fm.F, L = W >> 1;
    let i: number;
    if (LITTLE_ENDIAN) {
      i = b.addHalves(d.initLo, d.initHi);
      const ev = b.fixed32[DELTA.tsEvent]!, oid = b.fixed32[DELTA.orderId]!;
      ev[2 * i] = d.evLo;
      ev[2 * i + 1] = d.evHi;
      oid[2 * i] = 0;
      oid[2 * i + 1] = 0;
    } else {
      i = b.add((BigInt(d.initHi) << 32n) | BigInt(d.initLo));
      b.views[DELTA.tsEvent]!.setBigUint64(i * 8, (BigInt(d.evHi) << 32n) | BigInt(d.evLo), true);
      b.views[DELTA.orderId]!.setBigUint64(i * 8, 0n, true);
    }
    b.fixed[DELTA.action]![i] = d.action;
    b.fixed[DELTA.side]![i] = d.side;
    // raw null: the fast path's mant / 10^scale (little-endian hosts only, fastPathEnabled)
    if (d.priceRaw !== null) writeRaw(b.views[DELTA.price]!, i * W, d.priceRaw, W);
    else writeScaled(b.fixed16[DELTA.price]!, i * L, d.priceMant, F - d.priceScale, L);
    if (d.sizeRaw !== null) writeRaw(b.views[DELTA.size]!, i * W, d.sizeRaw, W);
    else writeScaled(b.fixed16[DELTA.size]!, i * L, d.sizeMant, F - d.sizeScale, L);
    b.fixed[DELTA.flags]![i] = d.flags;
    if (d.sequence === 0n && LITTLE_ENDIAN) {
      const seq = b.fixed32[DELTA.sequence]!;
      seq[2 * i] = 0;
      seq[2 * i + 1] = 0;
    } else b.views[DELTA.sequence]!.setBigUint64(i * 8, d.sequence, true);
  }

  /**
   * One OrderBookDepth10 snapshot (flags SNAPSHOT | LAST, as NautilusTrader's loader gives them):
   * up to 10 levels a side as [price, amount] texts, level 0 the best; a level without a price is
   * empty (NautilusTrader's NULL_ORDER), and so are those beyond the source's. A crossed top (bid
   * above ask) is rejected, as a crossed quote is.
   */
  depth(line: number, tsEvent: bigint, tsInit: bigint, bids: [string, string][], asks: [string, string][], sequence = 0n): void {
    const sink = this.sinkOf(tsInit);
    if (!sink) return;
    const levels: ([bigint, bigint] | null)[][] = [[], []];
    for (const [k, side] of [bids, asks].entries()) {
      const name = k === 0 ? 'bids' : 'asks';
      for (let i = 0; i < Math.min(side.length, DEPTH_LEVELS); i++) {
        const [p, a] = side[i]!;
        if (p.trim() === '') { levels[k]!.push(null); continue; }
        const price = this.price(line, p, tsInit, `${name}[${i}].price`, false);
        if (price === null) return;
        const size = a.trim() === '' ? 0n : this.size(line, a, tsInit, `${name}[${i}].amount`, true);
        if (size === null) return;
        levels[k]!.push([price, size]);
      }
    }
    if (this.o.scan) return;
    const [b0, a0] = [levels[0]![0], levels[1]![0]];
    if (b0 && a0 && b0[0] > a0[0]) return this.reject(line, 'bids[0].price', QUOTE_REASON.crossed, `bid ${bids[0]![0]}, ask ${asks[0]![0]}`, tsInit);
    const i = this.placeRow(sink, tsInit);
    if (i === null) return;
    const b = sink.builder;
    const W = this.o.fm.W;
    b.views[DEPTH.tsEvent]!.setBigUint64(i * 8, tsEvent, true);
    for (let k = 0; k < DEPTH_LEVELS; k++) {
      for (const [side, pc, sc, cc] of [[0, DEPTH.bidPrice, DEPTH.bidSize, DEPTH.bidCount], [1, DEPTH.askPrice, DEPTH.askSize, DEPTH.askCount]] as const) {
        const lv = levels[side]![k] ?? null;
        writeRaw(b.views[pc + k]!, i * W, lv ? lv[0] : 0n, W);
        writeRaw(b.views[sc + k]!, i * W, lv ? lv[1] : 0n, W);
        b.views[cc + k]!.setUint32(i * 4, lv ? 1 : 0, true);
      }
    }
    b.fixed[DEPTH.flags]![i] = F_SNAPSHOT | F_LAST;
    b.views[DEPTH.sequence]!.setBigUint64(i * 8, sequence, true);
  }

  funding(line: number, tsEvent: bigint, tsInit: bigint, rateText: string, intervalMin: bigint | null, nextNs: bigint | null, dedupe: boolean): void {
    const sink = this.sinkOf(tsInit);
    if (!sink) return;
    const d = parseDecimal(rateText.trim());
    if (!d) return this.reject(line, 'funding_rate', 'not a decimal number', rateText, tsInit);
    // NautilusTrader's FundingRateUpdate.interval is a u16 of minutes.
    if (intervalMin !== null && intervalMin > 65535n) return this.reject(line, 'funding_interval', 'above 65535 minutes (NautilusTrader keeps the interval as a 16-bit number of minutes)', String(intervalMin), tsInit);
    if (this.o.scan) return;
    const rate = formatDecimal(d);
    if (dedupe) {
      const key = `${rate}|${nextNs ?? ''}|${intervalMin ?? ''}`;
      if (key === this.lastKey[this.idx]) { sink.stats.duplicates++; return; }
      this.lastKey[this.idx] = key;
    }
    if (this.notKept(sink)) return;
    const b = sink.builder;
    const i = b.add(tsInit);
    b.views[FUNDING.tsEvent]!.setBigUint64(i * 8, tsEvent, true);
    b.views[FUNDING.interval]!.setBigUint64(i * 8, intervalMin ?? 0n, true);
    b.views[FUNDING.next]!.setBigUint64(i * 8, nextNs ?? 0n, true);
    b.fixed[FUNDING.flags]![i] = (intervalMin !== null ? FUNDING_HAS_INTERVAL : 0) | (nextNs !== null ? FUNDING_HAS_NEXT : 0);
    b.setVar(FUNDING.rate, i, rate);
  }
}

export { toScaled };
