// The JSONL fast path: a capture line of the common shapes (a flat Binance payload, inside a
// combined-stream envelope {"stream","data"} and our {"ts_recv","msg"} wrapper, either of them
// optional) is taken apart from its bytes, with no line string, no JSON.parse and no objects. It
// takes only what it reads exactly as JSON.parse reads it: no whitespace, escapes or non-ASCII
// bytes, integers without sign, fraction or exponent up to 2^53 - 1, strings, true and false;
// nested values, null, duplicate keys, unknown long keys or a cut line make it decline, and the
// line then takes JSON.parse as before (test/engine/sources/websocket-fast.test.ts checks both).
import { fastPathEnabled } from '../csv/fast.js';
import { floorDiv, mulPow10U64, u64 } from '../../numbers/fixedfast.js';
import type { TsUnit } from '../timestamp.js';

/** The fast path is on unless CB_FAST_PATH=0 (tests compare both), and only on little-endian hosts. */
export function jsonFastPathEnabled(): boolean {
  return fastPathEnabled();
}

export const K_STR = 1, K_NUM = 2, K_TRUE = 3, K_FALSE = 4;
/** Events the fast path hands to the parsers; any other "e" declines the line. */
export const EV_AGG = 1, EV_TRADE = 2, EV_MARK = 3, EV_BOOK = 4;
/** Each EV_* code's event name (index 0: none). */
export const EVENT_NAMES = ['', 'aggTrade', 'trade', 'markPriceUpdate', 'bookTicker'];
const EVENTS = EVENT_NAMES.map((s) => (s ? lit(s) : null));
/** Keys of more than one byte a payload may hold (the parsers never read them); any other declines. */
const LONG_KEYS = ['st', 'pu'].map((s) => Buffer.from(s, 'latin1'));
const MAX_MEMBERS = 32;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TS_RECV = lit('{"ts_recv":"');
const MSG = lit(',"msg":');
const STREAM = lit('{"stream":"');
const DATA = lit(',"data":');

/** Whether buf[p..] starts with `lit` (within `end`). */
function startsWith(buf: Uint8Array, p: number, end: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (p + n > end) return false;
  for (let i = 0; i < n; i++) if (buf[p + i] !== lit[i]) return false;
  return true;
}

/** A text of 4 or more bytes as little-endian 32-bit words (its last word overlapping the one before), for startsWord. */
export interface Lit { n: number; words: Int32Array }
export function lit(text: string): Lit {
  const b = Buffer.from(text, 'latin1');
  const at = (i: number) => b.readInt32LE(Math.min(i, b.length - 4));
  return { n: b.length, words: Int32Array.from({ length: Math.ceil(b.length / 4) }, (_, k) => at(4 * k)) };
}

/** startsWith for a Lit (at least 4 bytes), a word at a time. */
function startsWord(dv: DataView, p: number, end: number, l: Lit): boolean {
  const n = l.n, w = l.words;
  if (p + n > end) return false;
  for (let k = 0; k < w.length; k++) if (dv.getInt32(Math.min(p + 4 * k, p + n - 4), true) !== w[k]) return false;
  return true;
}

/** Bytes that end a plain string: the quote, and those the fast path declines (backslash, control, non-ASCII). */
const STR_STOP = Uint8Array.from({ length: 256 }, (_, c) => (c === 34 || c === 92 || c < 0x20 || c >= 0x80 ? 1 : 0));

/**
 * Past 4-byte groups of plain string bytes from p (none a quote, backslash, control or non-ASCII
 * byte), by word tests: the index of the first group that holds one, or of the last < 4 bytes.
 */
function plainRun(dv: DataView, p: number, end: number): number {
  for (; p + 4 <= end; p += 4) {
    // int32 arithmetic throughout (| 0): the high bit of a byte is set for one below 0x20, a quote
    // (xor 0x22 gives 0), a backslash (xor 0x5c) or a non-ASCII byte
    const w = dv.getInt32(p, true);
    const q = w ^ 0x22222222, b = w ^ 0x5c5c5c5c;
    if (((((w - 0x20202020) | 0) & ~w) | (((q - 0x01010101) | 0) & ~q) | (((b - 0x01010101) | 0) & ~b) | w) & 0x80808080) return p;
  }
  return p;
}

/** After an opening quote at p - 1: the index after the closing quote, or -1 (escape, control or non-ASCII byte, cut line). */
function skipString(buf: Uint8Array, dv: DataView, p: number, end: number): number {
  for (p = plainRun(dv, p, end); p < end; p++) {
    const c = buf[p]!;
    if (STR_STOP[c] !== 0) return c === 34 ? p + 1 : -1;
  }
  return -1;
}

/**
 * One line taken apart: its wrappers, and the payload's members (key and value byte ranges, an
 * integer's value), each one-byte key's member found by its byte. One instance is reused per line.
 */
export class ScannedLine {
  buf: Uint8Array = new Uint8Array(0);
  /** a view of buf for word reads */
  dv = new DataView(this.buf.buffer);
  wrapped = false;
  enveloped = false;
  /** ts_recv's digits (wrapped lines), the stream name (enveloped ones): [start, end) */
  recvS = 0;
  recvE = 0;
  streamS = 0;
  streamE = 0;
  /** EV_* of the payload's "e" */
  event = 0;
  /** members of the payload, in order */
  n = 0;
  readonly keyS = new Int32Array(MAX_MEMBERS);
  readonly keyE = new Int32Array(MAX_MEMBERS);
  readonly kind = new Uint8Array(MAX_MEMBERS);
  /** strings: the contents between the quotes; integers: the digits */
  readonly valS = new Int32Array(MAX_MEMBERS);
  readonly valE = new Int32Array(MAX_MEMBERS);
  readonly num = new Float64Array(MAX_MEMBERS);
  /** member index of a one-byte key c, valid when stamp[c] === gen */
  private readonly slot = new Int32Array(128);
  private readonly stamp = new Int32Array(128);
  private gen = 0;
  /** long keys seen on this line (bit per LONG_KEYS entry) */
  private long = 0;

  /** The member of one-byte key c (a char code below 128), or -1. */
  at(c: number): number {
    return this.stamp[c] === this.gen ? this.slot[c]! : -1;
  }

  /** The integer value of key c, or -1 when it is absent or not an integer. */
  int(c: number): number {
    const i = this.at(c);
    return i >= 0 && this.kind[i] === K_NUM ? this.num[i]! : -1;
  }

  /** The string value of key c (ASCII, no escapes: its bytes are its characters), or null. */
  str(c: number): string | null {
    const i = this.at(c);
    if (i < 0 || this.kind[i] !== K_STR) return null;
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength).toString('latin1', this.valS[i], this.valE[i]);
  }

  /**
   * Takes apart the line at buf[s..end): the index after its line end (LF or CRLF), or -1 when the
   * line is not of the fast shapes (or is cut by `end`). Reads nothing outside [s, end).
   */
  scan(buf: Uint8Array, s: number, end: number): number {
    if (buf !== this.buf) {
      this.buf = buf;
      this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const dv = this.dv;
    // a new stamp per line (restarted before it could meet stamps of 2^31 lines ago)
    if (++this.gen === 0x7fffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
    this.n = 0;
    this.long = 0;
    let p = s;
    this.wrapped = startsWord(dv, p, end, TS_RECV);
    if (this.wrapped) {
      this.recvS = p + TS_RECV.n;
      p = skipString(buf, dv, this.recvS, end);
      if (p < 0 || !startsWord(dv, p, end, MSG)) return -1;
      this.recvE = p - 1;
      p += MSG.n;
    }
    this.enveloped = startsWord(dv, p, end, STREAM);
    if (this.enveloped) {
      this.streamS = p + STREAM.n;
      p = skipString(buf, dv, this.streamS, end);
      if (p < 0 || !startsWord(dv, p, end, DATA)) return -1;
      this.streamE = p - 1;
      p += DATA.n;
    }
    p = this.object(buf, dv, p, end);
    if (p < 0 || !this.readEvent()) return -1;
    for (let k = (this.wrapped ? 1 : 0) + (this.enveloped ? 1 : 0); k > 0; k--) {
      if (p >= end || buf[p] !== 125) return -1;
      p++;
    }
    if (p < end && buf[p] === 10) return p + 1;
    if (p + 1 < end && buf[p] === 13 && buf[p + 1] === 10) return p + 2;
    return -1;
  }

  /**
   * The payload object at p: its members recorded; the index after its '}', or -1. One function
   * with the one-byte keys, strings and integers inline: this loop reads every byte of the line.
   */
  private object(buf: Uint8Array, dv: DataView, p: number, end: number): number {
    if (p >= end || buf[p] !== 123) return -1;
    const stamp = this.stamp, gen = this.gen, kind = this.kind, valS = this.valS, valE = this.valE;
    let n = 0;
    p++;
    for (;;) {
      if (n === MAX_MEMBERS || p + 3 >= end || buf[p] !== 34) return -1;
      const k = buf[p + 1]!;
      this.keyS[n] = p + 1;
      if (buf[p + 2] === 34 && STR_STOP[k] === 0) {
        if (stamp[k] === gen) return -1;
        stamp[k] = gen;
        this.slot[k] = n;
        this.keyE[n] = p + 2;
        p += 3;
      } else {
        p = skipString(buf, dv, p + 1, end);
        if (p < 0 || !this.longKey(buf, this.keyS[n]!, p - 1, n)) return -1;
      }
      if (p >= end || buf[p] !== 58) return -1;
      let c = buf[++p]!;
      if (c === 34) {
        kind[n] = K_STR;
        valS[n] = ++p;
        for (p = plainRun(dv, p, end); ; ) {
          if (p >= end) return -1;
          c = buf[p]!;
          if (STR_STOP[c] !== 0) break;
          p++;
        }
        if (c !== 34) return -1;
        valE[n] = p++;
      } else if (c >= 48 && c <= 57) {
        const st = p;
        let v = 0;
        // four digits a word while there are (bytes 0x30-0x39: high nibble 3, and no carry out of +6)
        for (; p + 4 <= end; p += 4) {
          const w = dv.getInt32(p, true);
          if ((w & 0xf0f0f0f0) !== 0x30303030 || (((w + 0x06060606) | 0) & 0xf0f0f0f0) !== 0x30303030) break;
          v = v * 10000 + (w & 15) * 1000 + ((w >>> 8) & 15) * 100 + ((w >>> 16) & 15) * 10 + ((w >>> 24) & 15);
        }
        for (; p < end; p++) {
          c = buf[p]!;
          if (c < 48 || c > 57) break;
          v = v * 10 + (c - 48);
        }
        // A leading zero, 17+ digits or a value past 2^53 - 1: not read the way JSON.parse reads it here.
        if ((buf[st] === 48 && p - st > 1) || p - st > 16 || v > MAX_SAFE) return -1;
        kind[n] = K_NUM;
        valS[n] = st;
        valE[n] = p;
        this.num[n] = v;
      } else if ((p = this.literal(buf, p, end, n)) < 0) return -1;
      n++;
      if (p >= end) return -1;
      c = buf[p++]!;
      if (c === 125) {
        this.n = n;
        return p;
      }
      if (c !== 44) return -1;
    }
  }

  /** A key of more than one byte, buf[ks, ke), as member i: false when it is not one of LONG_KEYS, or seen before. */
  private longKey(buf: Uint8Array, ks: number, ke: number, i: number): boolean {
    this.keyE[i] = ke;
    for (let k = 0; k < LONG_KEYS.length; k++) {
      const lit = LONG_KEYS[k]!;
      if (ke - ks !== lit.length || !startsWith(buf, ks, ke, lit)) continue;
      if (this.long & (1 << k)) return false;
      this.long |= 1 << k;
      return true;
    }
    return false;
  }

  /** true or false at p as member i: the index after it, or -1 for any other value. */
  private literal(buf: Uint8Array, p: number, end: number, i: number): number {
    const c = buf[p];
    if (c === 116 && p + 3 < end && buf[p + 1] === 114 && buf[p + 2] === 117 && buf[p + 3] === 101) {
      this.kind[i] = K_TRUE;
      return p + 4;
    }
    if (c === 102 && p + 4 < end && buf[p + 1] === 97 && buf[p + 2] === 108 && buf[p + 3] === 115 && buf[p + 4] === 101) {
      this.kind[i] = K_FALSE;
      return p + 5;
    }
    return -1;
  }

  /** The payload's "e" as one of EVENTS; false for any other. */
  private readEvent(): boolean {
    const i = this.at(101);
    if (i < 0 || this.kind[i] !== K_STR) return false;
    const s = this.valS[i]!, e = this.valE[i]!;
    for (let code = 1; code < EVENTS.length; code++) {
      const name = EVENTS[code]!;
      if (e - s === name.n && startsWord(this.dv, s, e, name)) {
        this.event = code;
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the payload's "s" (a string member) upper-cased is `want` (char codes), as the parser
   * compares it; `exact`: want's bytes (4 or more), compared a word at a time first.
   */
  symbolIs(want: ArrayLike<number>, exact: Lit | null): boolean {
    const i = this.at(115);
    const s = this.valS[i]!, n = this.valE[i]! - s;
    if (n !== want.length) return false;
    if (exact && startsWord(this.dv, s, s + n, exact)) return true;
    for (let k = 0; k < n; k++) {
      const c = this.buf[s + k]!;
      if ((c >= 97 && c <= 122 ? c - 32 : c) !== want[k]) return false;
    }
    return true;
  }
}

/**
 * The value JSON.parse gives the line `scan` took apart (same keys, order and values), built from
 * what it recorded: how the tests check the scanner against JSON.parse.
 */
export function scannedValue(l: ScannedLine): unknown {
  const text = (s: number, e: number) => Buffer.from(l.buf.buffer, l.buf.byteOffset, l.buf.byteLength).toString('latin1', s, e);
  const payload: Record<string, unknown> = {};
  for (let i = 0; i < l.n; i++) {
    const k = l.kind[i];
    payload[text(l.keyS[i]!, l.keyE[i]!)] = k === K_STR ? text(l.valS[i]!, l.valE[i]!) : k === K_NUM ? l.num[i] : k === K_TRUE;
  }
  let v: unknown = payload;
  if (l.enveloped) v = { stream: text(l.streamS, l.streamE), data: v };
  if (l.wrapped) v = { ts_recv: text(l.recvS, l.recvE), msg: v };
  return v;
}

/** JSON.parse(text) for a line the fast path takes; undefined for any other line (for tests). */
export function parseFastLine(text: string): unknown {
  const buf = Buffer.from(text + '\n', 'utf8');
  const l = new ScannedLine();
  return l.scan(buf, 0, buf.length) === buf.length ? scannedValue(l) : undefined;
}

const TWO32 = 4294967296;
/** digits a Unix value of each unit has (unitOfDigits), and the power of ten to nanoseconds */
const RECV_UNITS: Record<TsUnit, RecvRule> = {
  s: { min: 1, max: 11, k: 9, mult: 1e9 }, ms: { min: 12, max: 14, k: 6, mult: 1e6 }, us: { min: 15, max: 17, k: 3, mult: 1e3 }, ns: { min: 18, max: 19, k: 0, mult: 1 },
};
/** digit counts of the unit, and ns = value * 10^k (mult) */
interface RecvRule { min: number; max: number; k: number; mult: number }

/** The value of digits buf[s, e) (at most 15 of them), read four a word where it can; -1 at any other byte. */
function digitsValue(dv: DataView, buf: Uint8Array, s: number, e: number): number {
  let v = 0, p = s;
  for (; p + 4 <= e; p += 4) {
    const w = dv.getInt32(p, true);
    if ((w & 0xf0f0f0f0) !== 0x30303030 || (((w + 0x06060606) | 0) & 0xf0f0f0f0) !== 0x30303030) return -1;
    v = v * 10000 + (w & 15) * 1000 + ((w >>> 8) & 15) * 100 + ((w >>> 16) & 15) * 10 + ((w >>> 24) & 15);
  }
  for (; p < e; p++) {
    const c = buf[p]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * A receive time's digits read as the file's clock reads a plain integer in its unit (TsColumn.parse:
 * that unit's digit count, no leading zero), into nanosecond halves and a UTC day with no BigInt.
 */
export class FastRecv {
  lo = 0;
  hi = 0;
  day = 0;
  private rule: RecvRule | null = null;

  /** The clock's unit: Unix values of it are read here, others (ISO, undecided) are declined. */
  setUnit(unit: TsUnit | 'iso' | null): void {
    this.rule = unit === null || unit === 'iso' ? null : RECV_UNITS[unit];
  }

  /** Reads digits buf[s, e) (dv: a view of buf); false when the complete path must read them. */
  read(dv: DataView, buf: Uint8Array, s: number, e: number): boolean {
    const r = this.rule, nd = e - s;
    if (!r || nd < r.min || nd > r.max || buf[s] === 48) return false;
    // value = secs * 10^(9 - k) + sub: whole seconds (at most 11 digits, exact) and the digits below them
    const cut = e - (9 - r.k);
    const secs = digitsValue(dv, buf, s, cut), sub = digitsValue(dv, buf, cut, e);
    if (secs < 0 || sub < 0 || !mulPow10U64(secs, 9)) return false;
    let lo = u64.lo + sub * r.mult, hi = u64.hi;
    if (lo >= TWO32) {
      lo -= TWO32;
      hi++;
    }
    if (hi >= TWO32) return false;
    this.lo = lo;
    this.hi = hi;
    this.day = floorDiv(secs, 86_400);
    return true;
  }

  /** The nanoseconds read, as the clock gives them. */
  ns(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}
