// The CSV fast path for trades, quotes and order-book deltas: plain numeric rows are read straight from the decompressed
// bytes, with no per-line or per-field strings and no BigInt. A row the fast path is not sure about
// (a quote character, another column count, a sign, spaces, an odd timestamp, a value it would
// reject, ...) is handed, as its text line, to the complete path (mapLines), so the result and the
// reject reasons are the same either way. Validation stays with the Normalizer (tradeFast, quoteFast).
import type { DataType } from '../../../shared/job.js';
import { LITTLE_ENDIAN, POW10_NUM, floorDiv, mulPow10U64, u64 } from '../../numbers/fixedfast.js';
import { SIDE_BUYER, SIDE_NONE, SIDE_SELLER, type FastDelta, type FastTimes, type FastQuote, type FastTrade, type Normalizer } from '../../normalize/normalizer.js';
import { BOOK_BUY, BOOK_SELL } from '../../datatypes/index.js';
import { LONG_LINE, MAX_LINE, QUOTE_CHARS, longHead, type Line } from '../io/lines.js';
import type { TsUnit } from '../timestamp.js';
import type { Detected } from './detect.js';
import type { Plan } from './plan.js';
import { symbolByte, type SymbolFilter } from './symbols.js';

/** A timestamp column as the complete path sees it (TsColumn). */
export interface TsState {
  readonly forced?: TsUnit;
  unit: TsUnit | 'iso' | null;
}

/** The fast path is on unless CB_FAST_PATH=0 (tests compare both), and only on little-endian hosts. */
export function fastPathEnabled(): boolean {
  return process.env.CB_FAST_PATH !== '0' && LITTLE_ENDIAN;
}

const R_SKIP = 0, R_TS = 1, R_INIT = 2, R_PRICE = 3, R_SIZE = 4, R_SIDE = 5, R_ID = 6;
const R_BID = 7, R_BID_SIZE = 8, R_ASK = 9, R_ASK_SIZE = 10, R_SYMBOL = 11, R_BOOK_SIDE = 12, R_SNAPSHOT = 13;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const UNIT_EXP: Record<TsUnit, number> = { s: 9, ms: 6, us: 3, ns: 0 };
/** Digit counts unitOfDigits() gives each unit (capped at 16: larger values are not exact doubles). */
const UNIT_DIGITS: Record<TsUnit, [number, number]> = { s: [1, 11], ms: [12, 14], us: [15, 16], ns: [18, 16] };

/** Which plain integers a timestamp column takes on the fast path, mirroring TsColumn.parse. */
interface TsRule {
  ok: boolean;
  /** ns = value * 10^k */
  k: number;
  minDigits: number;
  maxDigits: number;
  noLeadingZero: boolean;
  /** units per day */
  perDay: number;
}

function tsRule(col: TsState): TsRule {
  // A forced unit takes any digits (parseWithUnit); a detected one only values of its own digit
  // count without a leading zero (parseTimestamp's plain-integer path). Until the unit is known, or
  // for ISO text, every row takes the complete path.
  const unit = col.forced ?? (col.unit === 'iso' ? null : col.unit);
  if (!unit) return { ok: false, k: 0, minDigits: 1, maxDigits: 0, noLeadingZero: true, perDay: 1 };
  const k = UNIT_EXP[unit];
  const [minDigits, maxDigits] = col.forced ? [1, 16] : UNIT_DIGITS[unit];
  return { ok: true, k, minDigits, maxDigits, noLeadingZero: !col.forced, perDay: 86_400 * POW10_NUM[9 - k]! };
}

/** A parser of one data type's rows for FastLineReader. */
export interface FastParser {
  /** buf[s..] to its '\n': the index after it, or -1 when the line must take the complete path */
  line(buf: Uint8Array, s: number, end: number, no: number): number;
  /** re-reads the timestamp units after rows on the complete path */
  refresh(): void;
}

/** Roles of the columns for a plan's fields (role per field), or null when two fields share a column. */
function rolesOf(det: Detected, plan: Plan, fields: [number | undefined, number][]): Uint8Array | null {
  if (det.delimiter.length !== 1 || det.delimiter.charCodeAt(0) > 0x7e || det.delimiter === '"') return null;
  // A decimal comma in a comma-separated file is only in quoted cells: the complete path's.
  if (det.delimiter === plan.decimal) return null;
  const roles = new Uint8Array(det.columns.length);
  for (const [col, role] of fields) {
    if (col === undefined) continue;
    if (col >= roles.length || roles[col] !== R_SKIP) return null;
    roles[col] = role;
  }
  return roles;
}

/**
 * The symbol field buf[fs, fe) against the filter's: -2 when it is the symbol (read the row on), the
 * index after the line's '\n' when it is another symbol's row (counted, skipped as the complete path
 * skips it), -1 when unsure (empty, spaces, non-ASCII, a long or cut line: the complete path decides).
 */
function symbolField(only: SymbolFilter, buf: Uint8Array, s: number, fs: number, fe: number, end: number): number {
  const want = only.bytes;
  let same = fe - fs === want.length;
  for (let i = fs; i < fe && same; i++) {
    const c = buf[i]!;
    if ((c >= 97 && c <= 122 ? c - 32 : c) !== want[i - fs]) same = false;
  }
  if (same) return -2;
  // Another symbol only when the cell is one (SYMBOL_CELL); the complete path trims and decides the rest.
  if (fe === fs || fe - fs > 64) return -1;
  for (let i = fs; i < fe; i++) if (!symbolByte(buf[i]!, i === fs)) return -1;
  const nl = buf.indexOf(10, fe);
  if (nl < 0 || nl >= end || nl - s > MAX_LINE) return -1;
  only.count(only.wantsNames ? Buffer.from(buf.buffer, buf.byteOffset + fs, fe - fs).toString('latin1') : '');
  return nl + 1;
}

/** Where the field readers below stopped (at.p), the byte there (at.c) and the value read. */
export const at = { p: 0, c: 0, v: 0, scale: 0 };

/** Skips a field to its delimiter or line end; false at a quote character or the end of buf. */
function skipField(buf: Uint8Array, p: number, end: number, d: number): boolean {
  let c = 0;
  for (;;) {
    if (p >= end) return false;
    c = buf[p]!;
    if (c === d || c === 10 || c === 13 || c === 34) break;
    p++;
  }
  at.p = p;
  at.c = c;
  return c !== 34;
}

/** A plain-integer timestamp into at.v, by the column's rule (TsColumn.parse's plain integers). */
function readTs(buf: Uint8Array, p: number, end: number, rule: TsRule): boolean {
  const st = p;
  let v = 0, c = 0;
  for (;;) {
    if (p >= end) return false;
    c = buf[p]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    p++;
  }
  const nd = p - st;
  if (!rule.ok || nd < rule.minDigits || nd > rule.maxDigits || v > MAX_SAFE || (rule.noLeadingZero && buf[st] === 48)) return false;
  at.p = p;
  at.c = c;
  at.v = v;
  return true;
}

/**
 * digits [point digits] into at.v (mantissa of at most 15 significant digits) and at.scale (without
 * trailing zeros); `point` is the file's decimal separator ('.' 46 or ',' 44): the other one ends the
 * field, which then fails nextField (the complete path decides, as for a thousands separator).
 */
export function readDecimal(buf: Uint8Array, p: number, end: number, point: number): boolean {
  let m = 0, sig = 0, scale = 0, zeros = 0, nd = 0, c = 0;
  for (;;) {
    if (p >= end) return false;
    c = buf[p]!;
    if (c < 48 || c > 57) break;
    if (m !== 0 || c !== 48) {
      if (++sig > 15) return false;
      m = m * 10 + (c - 48);
    }
    nd++;
    p++;
  }
  if (c === point) {
    p++;
    for (;;) {
      if (p >= end) return false;
      c = buf[p]!;
      if (c < 48 || c > 57) break;
      nd++;
      p++;
      if (c === 48) zeros++;
      else {
        const add = zeros + 1;
        sig = m === 0 ? 1 : sig + add;
        if (sig > 15 || add > 16) return false;
        m = m * POW10_NUM[add]! + (c - 48);
        scale += add;
        zeros = 0;
      }
    }
  }
  if (nd === 0) return false;
  at.p = p;
  at.c = c;
  at.v = m;
  at.scale = scale;
  return true;
}

/**
 * Where the next field starts after one ending at `p` on `c` (the delimiter, or the line end for the
 * last field: LF or CRLF); -1 when the line does not have that shape (the complete path decides).
 */
function nextField(buf: Uint8Array, p: number, end: number, c: number, last: boolean, d: number): number {
  if (!last) return c === d ? p + 1 : -1;
  if (c === 10) return p + 1;
  if (c === 13 && p + 1 < end && buf[p + 1] === 10) return p + 2;
  return -1;
}

/** A row's ts_event and ts_init as read, in their columns' units (stampRow makes the rest of FastTimes). */
interface RawTimes {
  evRaw: number;
  initRaw: number;
}

/**
 * A row's timestamps as nanosecond halves and its ts_init day, from the values read into r.evRaw and
 * r.initRaw (the columns' units); false when one is beyond 64 bits. The values travel in the row,
 * not as arguments: a timestamp is no small integer, and passing one to a call that is not inlined
 * boxes it on the heap (a few such boxes a row were most of the parsers' garbage).
 */
function stampRow(r: FastTimes & RawTimes, ev: TsRule, hasInit: boolean, init: TsRule): boolean {
  if (!mulPow10U64(r.evRaw, ev.k)) return false;
  r.evLo = u64.lo;
  r.evHi = u64.hi;
  let iv = r.evRaw, ir = ev;
  if (hasInit) {
    iv = r.initRaw;
    ir = init;
    if (!mulPow10U64(iv, ir.k)) return false;
  }
  r.initLo = u64.lo;
  r.initHi = u64.hi;
  r.day = floorDiv(iv, ir.perDay);
  return true;
}

/** Lower-case ASCII words the fast parsers read in a text field. */
const W_BUY = Buffer.from('buy'), W_SELL = Buffer.from('sell'), W_TRUE = Buffer.from('true'), W_FALSE = Buffer.from('false');
const W_BID = Buffer.from('bid'), W_ASK = Buffer.from('ask');

/**
 * Whether buf[st, st + len) is `word` in any letter case, as the complete path reads such words (it
 * lower-cases them): byte | 0x20 equals a lower-case letter only for that letter and its capital.
 */
function isWord(buf: Uint8Array, st: number, len: number, word: Uint8Array): boolean {
  if (len !== word.length) return false;
  for (let i = 0; i < len; i++) if ((buf[st + i]! | 0x20) !== word[i]) return false;
  return true;
}

/**
 * What every fast parser reads alike: the delimiter and decimal point bytes, and the timestamp
 * columns' rules (re-read when rows on the complete path decided a unit).
 */
abstract class FastRows implements FastParser {
  protected delim: number;
  /** the decimal separator's byte */
  protected point: number;
  protected hasInit: boolean;
  protected ev!: TsRule;
  protected init!: TsRule;

  constructor(det: Detected, plan: Plan, protected norm: Normalizer, private ts: TsState, private tsInit: TsState, protected only: SymbolFilter | null) {
    this.delim = det.delimiter.charCodeAt(0);
    this.point = plan.decimal.charCodeAt(0);
    this.hasInit = plan.cols.local_timestamp !== undefined;
    this.refresh();
  }

  /** Re-reads the timestamp columns' units (a row on the complete path may have detected them). */
  refresh(): void {
    this.ev = tsRule(this.ts);
    this.init = tsRule(this.tsInit);
  }

  abstract line(buf: Uint8Array, s: number, end: number, no: number): number;
}

/**
 * Quote rows (Tardis quotes and book snapshots, Vision bookTicker, generic quote CSV): timestamps,
 * the four values, every other column skipped. The same field readers and hand-over as FastTradeParser.
 */
export class FastQuoteParser extends FastRows {
  private row: FastQuote & RawTimes = {
    line: 0, day: 0, evRaw: 0, initRaw: 0, initLo: 0, initHi: 0, evLo: 0, evHi: 0,
    bidMant: 0, bidScale: 0, askMant: 0, askScale: 0, bidSizeMant: 0, bidSizeScale: 0, askSizeMant: 0, askSizeScale: 0,
  };

  /** Column roles when the plan fits the fast path, else null. */
  static roles(det: Detected, plan: Plan, type: DataType, only: SymbolFilter | null = null): Uint8Array | null {
    const c = plan.cols;
    if (type !== 'quotes' || c.timestamp === undefined || c.bid_price === undefined || c.bid_size === undefined || c.ask_price === undefined || c.ask_size === undefined) return null;
    return rolesOf(det, plan, [[c.timestamp, R_TS], [c.local_timestamp, R_INIT], [c.bid_price, R_BID], [c.bid_size, R_BID_SIZE], [c.ask_price, R_ASK], [c.ask_size, R_ASK_SIZE], [only?.col, R_SYMBOL]]);
  }

  constructor(private roles: Uint8Array, det: Detected, plan: Plan, norm: Normalizer, ts: TsState, tsInit: TsState, only: SymbolFilter | null = null) {
    super(det, plan, norm, ts, tsInit, only);
  }

  line(buf: Uint8Array, s: number, end: number, no: number): number {
    const roles = this.roles, n = roles.length, d = this.delim, r = this.row;
    let p = s;
    for (let col = 0; col < n; col++) {
      const role = roles[col]!;
      if (role === R_SKIP) {
        if (!skipField(buf, p, end, d)) return -1;
      } else if (role === R_SYMBOL) {
        if (!skipField(buf, p, end, d)) return -1;
        const other = symbolField(this.only!, buf, s, p, at.p, end);
        if (other !== -2) return other;
      } else if (role === R_TS || role === R_INIT) {
        if (!readTs(buf, p, end, role === R_TS ? this.ev : this.init)) return -1;
        if (role === R_TS) r.evRaw = at.v;
        else r.initRaw = at.v;
      } else {
        if (!readDecimal(buf, p, end, this.point)) return -1;
        if (role === R_BID) { r.bidMant = at.v; r.bidScale = at.scale; }
        else if (role === R_ASK) { r.askMant = at.v; r.askScale = at.scale; }
        else if (role === R_BID_SIZE) { r.bidSizeMant = at.v; r.bidSizeScale = at.scale; }
        else { r.askSizeMant = at.v; r.askSizeScale = at.scale; }
      }
      p = nextField(buf, at.p, end, at.c, col === n - 1, d);
      if (p < 0) return -1;
    }
    if (!stampRow(r, this.ev, this.hasInit, this.init)) return -1;
    r.line = no;
    if (!this.norm.quoteFast(r)) return -1;
    this.norm.counters.rows++;
    return p;
  }
}

/**
 * Order-book deltas (Tardis incremental_book_L2, or a file mapped onto its fields): timestamps, the
 * side (bid / ask), is_snapshot (true / false), price and amount; other spellings, and any row
 * deltaFast turns down, take the complete path. The same field readers and hand-over as FastQuoteParser.
 */
export class FastDeltaParser extends FastRows {
  private row: FastDelta & RawTimes = {
    line: 0, day: 0, evRaw: 0, initRaw: 0, initLo: 0, initHi: 0, evLo: 0, evHi: 0, isSnapshot: false, side: 0, priceMant: 0, priceScale: 0, sizeMant: 0, sizeScale: 0,
  };

  /** Column roles when the plan fits the fast path, else null. */
  static roles(det: Detected, plan: Plan, type: DataType, only: SymbolFilter | null = null): Uint8Array | null {
    const c = plan.cols;
    if (type !== 'deltas' || c.timestamp === undefined || c.book_side === undefined || c.price === undefined || c.size === undefined) return null;
    return rolesOf(det, plan, [[c.timestamp, R_TS], [c.local_timestamp, R_INIT], [c.book_side, R_BOOK_SIDE], [c.is_snapshot, R_SNAPSHOT], [c.price, R_PRICE], [c.size, R_SIZE], [only?.col, R_SYMBOL]]);
  }

  constructor(private roles: Uint8Array, det: Detected, plan: Plan, norm: Normalizer, ts: TsState, tsInit: TsState, only: SymbolFilter | null = null) {
    super(det, plan, norm, ts, tsInit, only);
  }

  /** The side field buf[st, st + len): bid or ask (Tardis's words) in any letter case; else false. */
  private side(buf: Uint8Array, st: number, len: number): boolean {
    if (isWord(buf, st, len, W_BID)) this.row.side = BOOK_BUY;
    else if (isWord(buf, st, len, W_ASK)) this.row.side = BOOK_SELL;
    else return false;
    return true;
  }

  /** The is_snapshot field: true or false in any letter case, else false (the complete path reads the other spellings). */
  private snapshot(buf: Uint8Array, st: number, len: number): boolean {
    if (isWord(buf, st, len, W_TRUE)) this.row.isSnapshot = true;
    else if (isWord(buf, st, len, W_FALSE)) this.row.isSnapshot = false;
    else return false;
    return true;
  }

  line(buf: Uint8Array, s: number, end: number, no: number): number {
    const roles = this.roles, n = roles.length, d = this.delim, r = this.row;
    let p = s;
    r.isSnapshot = false;
    for (let col = 0; col < n; col++) {
      const role = roles[col]!;
      if (role === R_SKIP) {
        if (!skipField(buf, p, end, d)) return -1;
      } else if (role === R_SYMBOL) {
        if (!skipField(buf, p, end, d)) return -1;
        const other = symbolField(this.only!, buf, s, p, at.p, end);
        if (other !== -2) return other;
      } else if (role === R_BOOK_SIDE || role === R_SNAPSHOT) {
        if (!skipField(buf, p, end, d)) return -1;
        if (!(role === R_BOOK_SIDE ? this.side(buf, p, at.p - p) : this.snapshot(buf, p, at.p - p))) return -1;
      } else if (role === R_TS || role === R_INIT) {
        if (!readTs(buf, p, end, role === R_TS ? this.ev : this.init)) return -1;
        if (role === R_TS) r.evRaw = at.v;
        else r.initRaw = at.v;
      } else {
        if (!readDecimal(buf, p, end, this.point)) return -1;
        if (role === R_PRICE) { r.priceMant = at.v; r.priceScale = at.scale; }
        else { r.sizeMant = at.v; r.sizeScale = at.scale; }
      }
      p = nextField(buf, at.p, end, at.c, col === n - 1, d);
      if (p < 0) return -1;
    }
    if (!stampRow(r, this.ev, this.hasInit, this.init)) return -1;
    r.line = no;
    if (!this.norm.deltaFast(r)) return -1;
    this.norm.counters.rows++;
    return p;
  }
}

export class FastTradeParser extends FastRows {
  private roles: Uint8Array;
  private maker: boolean;
  /** the file's side values (Plan.sides), asked before buy/sell as parseSide asks them */
  private sides: ReadonlyMap<string, number> | null;
  private row: FastTrade & RawTimes;

  /** Column roles when the plan fits the fast path, else null. */
  static roles(det: Detected, plan: Plan, type: DataType, only: SymbolFilter | null = null): Uint8Array | null {
    const c = plan.cols;
    if (type !== 'trades' || c.timestamp === undefined || c.price === undefined || c.size === undefined || c.trade_id === undefined) return null;
    return rolesOf(det, plan, [[c.timestamp, R_TS], [c.local_timestamp, R_INIT], [c.price, R_PRICE], [c.size, R_SIZE], [c.aggressor_side, R_SIDE], [c.trade_id, R_ID], [only?.col, R_SYMBOL]]);
  }

  constructor(roles: Uint8Array, det: Detected, plan: Plan, norm: Normalizer, ts: TsState, tsInit: TsState, only: SymbolFilter | null = null) {
    super(det, plan, norm, ts, tsInit, only);
    this.roles = roles;
    this.maker = plan.sideMode === 'maker';
    this.sides = plan.sides;
    this.row = {
      line: 0, day: 0, evRaw: 0, initRaw: 0, initLo: 0, initHi: 0, evLo: 0, evHi: 0, priceMant: 0, priceScale: 0, sizeMant: 0, sizeScale: 0,
      side: SIDE_NONE, idBuf: new Uint8Array(0), idStart: 0, idEnd: 0, idNum: -1,
    };
  }

  /** The side field buf[st, st + len): a side value of the file's, buy / sell, or true / false (buyer is maker); false for anything else. */
  private side(buf: Uint8Array, st: number, len: number): boolean {
    const r = this.row;
    if (this.sides && len <= 40) {
      // The cell's exact bytes: one with spaces around it misses here and takes the complete path (which trims).
      const v = this.sides.get(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', st, st + len).toLowerCase());
      if (v !== undefined) {
        r.side = v;
        return true;
      }
    }
    // Any letter case, as parseSide reads them (Bybit and BitMEX write Buy / Sell).
    if (this.maker) {
      if (isWord(buf, st, len, W_TRUE)) r.side = SIDE_SELLER; // buyer is maker: the taker sold
      else if (isWord(buf, st, len, W_FALSE)) r.side = SIDE_BUYER;
      else return false;
    } else if (isWord(buf, st, len, W_BUY)) r.side = SIDE_BUYER;
    else if (isWord(buf, st, len, W_SELL)) r.side = SIDE_SELLER;
    else return false;
    return true;
  }

  /** Trade id: 1 to 36 printable ASCII characters, copied as bytes (at.p, at.c as the field readers). */
  private id(buf: Uint8Array, p: number, end: number): boolean {
    const r = this.row, d = this.delim, st = p;
    let v = 0, digits = true, c = 0;
    for (;;) {
      if (p >= end) return false;
      c = buf[p]!;
      if (c === d || c < 0x21 || c > 0x7e || c === 34) break;
      if (c < 48 || c > 57) digits = false;
      else v = v * 10 + (c - 48);
      p++;
    }
    const len = p - st;
    if (len < 1 || len > 36) return false;
    r.idStart = st;
    r.idEnd = p;
    // "007" is another id than "7": only canonical digit strings are keyed by value.
    r.idNum = digits && len <= 15 && (len === 1 || buf[st] !== 48) ? v : -1;
    at.p = p;
    at.c = c;
    return true;
  }

  /**
   * Reads the line starting at buf[s] (bytes up to `end`) and hands it to the Normalizer. Returns
   * the index after its '\n', or -1 when the line must take the complete path (or is cut at `end`).
   */
  line(buf: Uint8Array, s: number, end: number, no: number): number {
    const roles = this.roles, n = roles.length, d = this.delim, r = this.row;
    let p = s;
    for (let col = 0; col < n; col++) {
      const role = roles[col]!;
      if (role === R_SKIP) {
        if (!skipField(buf, p, end, d)) return -1;
      } else if (role === R_SYMBOL) {
        if (!skipField(buf, p, end, d)) return -1;
        const other = symbolField(this.only!, buf, s, p, at.p, end);
        if (other !== -2) return other;
      } else if (role === R_SIDE) {
        if (!skipField(buf, p, end, d) || !this.side(buf, p, at.p - p)) return -1;
      } else if (role === R_TS || role === R_INIT) {
        if (!readTs(buf, p, end, role === R_TS ? this.ev : this.init)) return -1;
        if (role === R_TS) r.evRaw = at.v;
        else r.initRaw = at.v;
      } else if (role === R_PRICE || role === R_SIZE) {
        if (!readDecimal(buf, p, end, this.point)) return -1;
        if (role === R_PRICE) {
          r.priceMant = at.v;
          r.priceScale = at.scale;
        } else {
          r.sizeMant = at.v;
          r.sizeScale = at.scale;
        }
      } else if (!this.id(buf, p, end)) return -1;
      p = nextField(buf, at.p, end, at.c, col === n - 1, d);
      if (p < 0) return -1;
    }
    if (!stampRow(r, this.ev, this.hasInit, this.init)) return -1;
    r.line = no;
    r.idBuf = buf;
    if (!this.norm.tradeFast(r)) return -1;
    this.norm.counters.rows++;
    return p;
  }
}

/**
 * Goes on where lineBatches stopped after the file's first batch (format detected, header passed):
 * splits the following chunks into lines exactly as lineBatches does (line numbers, CRLF, lines
 * over MAX_LINE) and sends each line to the fast parser or, as a text record, to `slow`
 * (the complete path, in order: the fast parser never runs ahead of it).
 */
export class FastLineReader {
  private slowLines: Line[] = [];
  /** inside a line longer than MAX_LINE: its start, while the rest of it is dropped */
  private long: Buffer | null = null;

  /** `lineNo`: lines read so far; `carry`: the bytes after the last of them. */
  constructor(private parser: FastParser, private lineNo: number, private carry: Buffer | null, private slow: (lines: Line[]) => void) {}

  /** Runs the complete path on the text records collected so far. */
  flush(): void {
    if (!this.slowLines.length) return;
    const lines = this.slowLines;
    this.slowLines = [];
    this.slow(lines);
    this.parser.refresh();
  }

  chunk(chunk: Buffer): void {
    let pos = 0;
    if (this.long) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.longLine();
      pos = nl + 1;
    } else if (this.carry) {
      const nl = chunk.indexOf(10);
      if (this.carry.length + (nl < 0 ? chunk.length : nl) > MAX_LINE) {
        // Too long: keep its start for the reject, drop the rest up to its end (never held whole).
        this.long = Buffer.concat([this.carry, chunk.subarray(0, QUOTE_CHARS * 4)]);
        this.carry = null;
        if (nl < 0) return;
        this.longLine();
        pos = nl + 1;
      } else if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      } else {
        const joined = Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]);
        this.carry = null;
        this.region(joined, 0);
        pos = nl + 1;
      }
    }
    const stop = this.region(chunk, pos);
    if (stop < chunk.length) {
      if (chunk.length - stop > MAX_LINE) this.long = Buffer.from(chunk.subarray(stop, stop + QUOTE_CHARS * 4));
      // Copy the cut line: a view would keep the whole chunk alive.
      else this.carry = Buffer.from(chunk.subarray(stop));
    }
  }

  /** End of input: the last line without '\n'. */
  end(): void {
    if (this.long) this.longLine();
    if (this.carry && this.carry.length) {
      const last = Buffer.concat([this.carry, Buffer.from('\n')]);
      this.carry = null;
      this.region(last, 0);
    }
    this.flush();
  }

  private longLine(): void {
    this.lineNo++;
    this.slowLines.push({ text: longHead(this.long!.toString('utf8')), no: this.lineNo, error: LONG_LINE });
    this.long = null;
  }

  /** Lines of buf from `pos`; returns where a line cut by the end of buf starts (or buf.length). */
  private region(buf: Buffer, pos: number): number {
    const end = buf.length;
    while (pos < end) {
      this.lineNo++;
      if (this.slowLines.length) this.flush();
      const next = this.parser.line(buf, pos, end, this.lineNo);
      if (next >= 0) {
        pos = next;
        continue;
      }
      const nl = buf.indexOf(10, pos);
      if (nl < 0) {
        this.lineNo--;
        return pos;
      }
      this.textLine(buf, pos, nl);
      pos = nl + 1;
    }
    return end;
  }

  /** lineBatches' handling of one physical line [s, e) (without its '\n'). */
  private textLine(buf: Buffer, s: number, e: number): void {
    if (e > s && buf[e - 1] === 13) e--;
    if (e - s > MAX_LINE) {
      this.slowLines.push({ text: longHead(buf.toString('utf8', s, s + QUOTE_CHARS * 4)), no: this.lineNo, error: LONG_LINE });
      return;
    }
    this.slowLines.push({ text: buf.toString('utf8', s, e), no: this.lineNo });
  }
}

/**
 * Where lineBatches stands after the chunks it was given: the number of lines it has split and
 * the bytes after the last of them. Fed every chunk until the fast path takes over.
 */
export class LineTally {
  lines = 0;
  tail: Buffer | null = null;
  /** the cut line grew past MAX_LINE: its bytes are not kept, so the fast path cannot take over here */
  private overflow = false;

  add(chunk: Buffer): void {
    let last = -1;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
      this.lines++;
      last = i;
    }
    if (last >= 0) {
      this.overflow = false;
      this.tail = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : null;
    } else if (!this.overflow) this.tail = this.tail ? Buffer.concat([this.tail, chunk]) : Buffer.from(chunk);
    if (this.tail && this.tail.length > MAX_LINE) {
      this.overflow = true;
      this.tail = null;
    }
  }

  /** True when every line read so far is in the batches lineBatches gave (none held open by a quote). */
  settled(lastBatch: Line[]): boolean {
    const last = lastBatch[lastBatch.length - 1];
    if (!last || this.overflow) return false;
    let end = last.no;
    for (let i = last.text.indexOf('\n'); i !== -1; i = last.text.indexOf('\n', i + 1)) end++;
    return end === this.lines;
  }
}

/** Reads the rest of the file on the fast path, with a progress hook after every chunk. */
export async function readRest(chunks: AsyncIterator<Buffer>, reader: FastLineReader, hooks: { signal?: AbortSignal; onBatch?: () => void | Promise<void> }): Promise<void> {
  for (let r = await chunks.next(); !r.done; r = await chunks.next()) {
    hooks.signal?.throwIfAborted();
    reader.chunk(r.value);
    reader.flush();
    await hooks.onBatch?.();
  }
  reader.end();
}
