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
const EVENTS = EVENT_NAMES.map((s) => Buffer.from(s, 'latin1'));
/** Keys of more than one byte a payload may hold (the parsers never read them); any other declines. */
const LONG_KEYS = ['st', 'pu'].map((s) => Buffer.from(s, 'latin1'));
const MAX_MEMBERS = 32;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TS_RECV = Buffer.from('{"ts_recv":"', 'latin1');
const MSG = Buffer.from(',"msg":', 'latin1');
const STREAM = Buffer.from('{"stream":"', 'latin1');
const DATA = Buffer.from(',"data":', 'latin1');

/** Whether buf[p..] starts with `lit` (within `end`). */
function startsWith(buf: Uint8Array, p: number, end: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (p + n > end) return false;
  for (let i = 0; i < n; i++) if (buf[p + i] !== lit[i]) return false;
  return true;
}

/** Bytes that end a plain string: the quote, and those the fast path declines (backslash, control, non-ASCII). */
const STR_STOP = Uint8Array.from({ length: 256 }, (_, c) => (c === 34 || c === 92 || c < 0x20 || c > 0x7e ? 1 : 0));

/** After an opening quote at p - 1: the index after the closing quote, or -1 (escape, control or non-ASCII byte, cut line). */
function skipString(buf: Uint8Array, p: number, end: number): number {
  for (; p < end; p++) {
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
    this.buf = buf;
    this.gen = (this.gen + 1) | 0;
    this.n = 0;
    this.long = 0;
    let p = s;
    this.wrapped = startsWith(buf, p, end, TS_RECV);
    if (this.wrapped) {
      this.recvS = p + TS_RECV.length;
      p = skipString(buf, this.recvS, end);
      if (p < 0 || !startsWith(buf, p, end, MSG)) return -1;
      this.recvE = p - 1;
      p += MSG.length;
    }
    this.enveloped = startsWith(buf, p, end, STREAM);
    if (this.enveloped) {
      this.streamS = p + STREAM.length;
      p = skipString(buf, this.streamS, end);
      if (p < 0 || !startsWith(buf, p, end, DATA)) return -1;
      this.streamE = p - 1;
      p += DATA.length;
    }
    p = this.object(buf, p, end);
    if (p < 0 || !this.readEvent()) return -1;
    for (let k = (this.wrapped ? 1 : 0) + (this.enveloped ? 1 : 0); k > 0; k--) {
      if (p >= end || buf[p] !== 125) return -1;
      p++;
    }
    if (p < end && buf[p] === 10) return p + 1;
    if (p + 1 < end && buf[p] === 13 && buf[p + 1] === 10) return p + 2;
    return -1;
  }

  /** The payload object at p: its members recorded; the index after its '}', or -1. */
  private object(buf: Uint8Array, p: number, end: number): number {
    if (p >= end || buf[p] !== 123) return -1;
    p++;
    for (;;) {
      if (p >= end || buf[p] !== 34 || this.n === MAX_MEMBERS) return -1;
      const ks = p + 1;
      p = skipString(buf, ks, end);
      if (p < 0 || !this.key(buf, ks, p - 1) || p >= end || buf[p] !== 58) return -1;
      p = this.value(buf, p + 1, end);
      if (p < 0 || p >= end) return -1;
      this.n++;
      const c = buf[p++];
      if (c === 125) return p;
      if (c !== 44) return -1;
    }
  }

  /** Records key buf[ks, ke) as member n; false for a duplicate or an unknown long key. */
  private key(buf: Uint8Array, ks: number, ke: number): boolean {
    const i = this.n;
    this.keyS[i] = ks;
    this.keyE[i] = ke;
    if (ke - ks === 1) {
      const c = buf[ks]!;
      if (this.stamp[c] === this.gen) return false;
      this.stamp[c] = this.gen;
      this.slot[c] = i;
      return true;
    }
    for (let k = 0; k < LONG_KEYS.length; k++) {
      const lit = LONG_KEYS[k]!;
      if (ke - ks !== lit.length || !startsWith(buf, ks, ke, lit)) continue;
      if (this.long & (1 << k)) return false;
      this.long |= 1 << k;
      return true;
    }
    return false;
  }

  /** The value at p of member n: the index after it, or -1 when it is not a plain one. */
  private value(buf: Uint8Array, p: number, end: number): number {
    if (p >= end) return -1;
    const i = this.n, c = buf[p]!;
    if (c === 34) {
      this.kind[i] = K_STR;
      this.valS[i] = p + 1;
      p = skipString(buf, p + 1, end);
      this.valE[i] = p - 1;
      return p;
    }
    if (c >= 48 && c <= 57) {
      const st = p;
      let v = 0;
      for (; p < end; p++) {
        const d = buf[p]!;
        if (d < 48 || d > 57) break;
        v = v * 10 + (d - 48);
      }
      // A leading zero, 17+ digits or a value past 2^53 - 1: not read the way JSON.parse reads it here.
      if ((c === 48 && p - st > 1) || p - st > 16 || v > MAX_SAFE) return -1;
      this.kind[i] = K_NUM;
      this.valS[i] = st;
      this.valE[i] = p;
      this.num[i] = v;
      return p;
    }
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
      if (e - s === name.length && startsWith(this.buf, s, e, name)) {
        this.event = code;
        return true;
      }
    }
    return false;
  }

  /** Whether the payload's "s" (a string member) upper-cased is `want` (char codes), as the parser compares it. */
  symbolIs(want: ArrayLike<number>): boolean {
    const i = this.at(115);
    const s = this.valS[i]!, n = this.valE[i]! - s;
    if (n !== want.length) return false;
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
const RECV_UNITS: Record<TsUnit, { min: number; max: number; k: number }> = { s: { min: 1, max: 11, k: 9 }, ms: { min: 12, max: 14, k: 6 }, us: { min: 15, max: 17, k: 3 }, ns: { min: 18, max: 19, k: 0 } };

/**
 * A receive time's digits read as the file's clock reads a plain integer in its unit (TsColumn.parse:
 * that unit's digit count, no leading zero), into nanosecond halves and a UTC day with no BigInt.
 */
export class FastRecv {
  lo = 0;
  hi = 0;
  day = 0;
  private rule: { min: number; max: number; k: number } | null = null;

  /** The clock's unit: Unix values of it are read here, others (ISO, undecided) are declined. */
  setUnit(unit: TsUnit | 'iso' | null): void {
    this.rule = unit === null || unit === 'iso' ? null : RECV_UNITS[unit];
  }

  /** Reads digits buf[s, e); false when the complete path must read them. */
  read(buf: Uint8Array, s: number, e: number): boolean {
    const r = this.rule, nd = e - s;
    if (!r || nd < r.min || nd > r.max || buf[s] === 48) return false;
    // value = secs * 10^(9 - k) + sub: whole seconds (at most 11 digits, exact) and the digits below them
    const subDigits = 9 - r.k;
    let secs = 0, sub = 0;
    for (let p = s; p < e; p++) {
      const c = buf[p]! - 48;
      if (c < 0 || c > 9) return false;
      if (p < e - subDigits) secs = secs * 10 + c;
      else sub = sub * 10 + c;
    }
    if (!mulPow10U64(secs, 9)) return false;
    let lo = u64.lo + sub * 10 ** r.k, hi = u64.hi;
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
