// Parquet value encodings, written as parquet-rs writes them: the RLE / bit-packed hybrid (dictionary
// indices), DELTA_BINARY_PACKED (64-bit integers given as 32-bit halves: exact, no BigInt per value)
// and DELTA_BYTE_ARRAY (prefix-shared strings).
import { BitPacker, ByteSink, bitsOf } from './sink.js';

/**
 * The RLE / bit-packed hybrid as parquet-rs's RleEncoder writes it (same runs, same bytes): values
 * go in groups of 8; a group of 8 equal values starts an RLE run that lasts while they repeat; other
 * groups join a bit-packed run (at most 63 groups, its indicator byte reserved in front); at the end
 * a lone repeat becomes an RLE run, anything else a last group padded with zeros.
 */
class RleEncoder {
  private buffered = new Uint32Array(8);
  private nbuf = 0;
  private current = 0;
  private repeat = 0;
  /** values in the open bit-packed run */
  private packed = 0;
  private indicatorAt = -1;
  private readonly valueBytes: number;

  constructor(private readonly width: number, private readonly out: ByteSink) {
    this.valueBytes = (width + 7) >> 3;
  }

  put(value: number): void {
    if (this.current === value) {
      if (++this.repeat > 8) return; // the RLE run goes on: nothing to buffer
    } else {
      if (this.repeat >= 8) this.flushRle();
      this.repeat = 1;
      this.current = value;
    }
    this.buffered[this.nbuf++] = value;
    if (this.nbuf === 8) this.flushBuffered();
  }

  private flushBuffered(): void {
    if (this.repeat >= 8) {
      // The 8 buffered values are the start of an RLE run: close the bit-packed run before it.
      this.nbuf = 0;
      if (this.packed > 0) this.flushPacked(true);
      return;
    }
    this.packed += this.nbuf;
    this.flushPacked(this.packed / 8 + 1 >= 64);
    this.repeat = 0;
  }

  private flushRle(): void {
    this.out.varint(this.repeat * 2);
    this.out.le(this.current, this.valueBytes);
    this.nbuf = 0;
    this.repeat = 0;
  }

  private flushPacked(close: boolean): void {
    const out = this.out;
    out.ensure(1 + 8 * 4);
    if (this.indicatorAt < 0) this.indicatorAt = out.n++;
    out.n = packBits(this.buffered, 0, this.nbuf, this.nbuf, this.width, out.buf, out.n);
    this.nbuf = 0;
    if (close) {
      out.buf[this.indicatorAt] = ((this.packed / 8) << 1) | 1;
      this.indicatorAt = -1;
      this.packed = 0;
    }
  }

  finish(): void {
    if (this.packed === 0 && this.repeat === 0 && this.nbuf === 0) return;
    const allRepeat = this.packed === 0 && (this.repeat === this.nbuf || this.nbuf === 0);
    if (this.repeat > 0 && allRepeat) {
      this.flushRle();
      return;
    }
    if (this.nbuf > 0) while (this.nbuf < 8) this.buffered[this.nbuf++] = 0;
    this.packed += this.nbuf;
    this.flushPacked(true);
    this.repeat = 0;
  }
}

/** Values [0, n) of `v` (each below 2^width) as the RLE / bit-packed hybrid, without a length prefix. */
export function rleHybrid(v: Uint32Array, n: number, width: number, out: ByteSink): void {
  const e = new RleEncoder(width, out);
  for (let i = 0; i < n; i++) e.put(v[i]!);
  e.finish();
}

// parquet-rs's block shapes: 4 miniblocks of 64 values for INT64, of 32 for INT32 (the lengths of
// DELTA_BYTE_ARRAY). The longer miniblocks of INT64 also compress better (fewer widths in the bits).
const MINIS = 4, MINI_I64 = 64, MINI_I32 = 32;
const dLo = new Uint32Array(MINIS * MINI_I64), dHi = new Int32Array(MINIS * MINI_I64);


/**
 * DELTA_BINARY_PACKED of the int64 values [from, to) of `w` (little-endian 32-bit halves: w[2i] low,
 * w[2i+1] high): blocks of 4 miniblocks of `mini` deltas, deltas wrapping as in two's complement.
 */
export function deltaBinaryPacked(w: Uint32Array, from: number, to: number, out: ByteSink, mini = MINI_I64): void {
  const block = MINIS * mini;
  const count = to - from;
  out.varint(block);
  out.varint(MINIS);
  out.varint(count);
  if (count === 0) {
    out.zigzag64(0n);
    return;
  }
  zigzagHalves(w[2 * from]!, w[2 * from + 1]! | 0, out);
  for (let i = from + 1; i < to; i += block) deltaBlock(w, i, Math.min(to, i + block), mini, out);
}

function deltaBlock(w: Uint32Array, from: number, to: number, mini: number, out: ByteSink): void {
  const n = to - from;
  // Deltas and their minimum (signed compare: high words signed, then low words unsigned).
  let minLo = 0xffffffff, minHi = 0x7fffffff;
  for (let k = 0, i = from; k < n; k++, i++) {
    const aLo = w[2 * i]!, bLo = w[2 * i - 2]!;
    const lo = (aLo - bLo) >>> 0;
    const hi = ((w[2 * i + 1]! | 0) - (w[2 * i - 1]! | 0) - (aLo < bLo ? 1 : 0)) | 0;
    dLo[k] = lo;
    dHi[k] = hi;
    if (hi < minHi || (hi === minHi && lo < minLo)) {
      minLo = lo;
      minHi = hi;
    }
  }
  zigzagHalves(minLo, minHi, out);
  // Room for the widths and four miniblocks of 32 values of up to 64 bits.
  out.ensure(MINIS + MINIS * mini * 8);
  const widthsAt = out.n;
  out.n += MINIS;
  for (let m = 0; m < MINIS; m++) {
    const s = m * mini, e = Math.min(n, s + mini);
    if (s >= n) {
      out.buf[widthsAt + m] = 0;
      continue;
    }
    // Deltas minus the minimum (unsigned); a miniblock's width is that of the OR of its values.
    let orLo = 0, orHi = 0;
    for (let k = s; k < e; k++) {
      const lo = dLo[k]!;
      const hi = (dHi[k]! - minHi - (lo < minLo ? 1 : 0)) | 0;
      const u = (lo - minLo) >>> 0;
      dHi[k] = hi;
      dLo[k] = u;
      orLo |= u;
      orHi |= hi;
    }
    const width = orHi ? 32 + bitsOf(orHi >>> 0) : bitsOf(orLo >>> 0);
    out.buf[widthsAt + m] = width;
    // The last miniblock is padded to full length (zeros).
    for (let k = e; k < s + mini; k++) dLo[k] = dHi[k] = 0;
    if (width <= 32) out.n = packBits(dLo, s, mini, mini + s, width, out.buf, out.n);
    else pack64(s, mini, width, out);
  }
}

/** Zigzag LEB128 of the signed 64-bit value lo + hi * 2^32 (hi signed), without BigInt. */
function zigzagHalves(lo: number, hi: number, out: ByteSink): void {
  const sign = hi >> 31;
  let zl = ((lo << 1) ^ sign) >>> 0;
  let zh = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
  out.ensure(10);
  while (zh !== 0 || zl >= 0x80) {
    out.buf[out.n++] = (zl & 0x7f) | 0x80;
    zl = ((zl >>> 7) | ((zh & 0x7f) << 25)) >>> 0;
    zh >>>= 7;
  }
  out.buf[out.n++] = zl;
}

/**
 * Values [start, start + count) of `v` (zeros from `n` on), each below 2^width (width <= 32), LSB
 * first into `buf` at `at`; returns the end. count * width is a multiple of 8 (groups of 8 values or
 * miniblocks of 32): nothing stays pending. Locals only: this is the hottest loop of the writer.
 */
function packBits(v: Uint32Array, start: number, count: number, n: number, width: number, buf: Uint8Array, at: number): number {
  if (width === 0) return at;
  let acc = 0, nb = 0;
  const end = start + count;
  if (width <= 24) {
    // Fewer than 8 bits pending before each value: up to 31 bits in acc.
    for (let k = start; k < end; k++) {
      acc |= (k < n ? v[k]! : 0) << nb;
      nb += width;
      while (nb >= 8) {
        buf[at++] = acc & 0xff;
        acc >>>= 8;
        nb -= 8;
      }
    }
    return at;
  }
  const hw = width - 16;
  for (let k = start; k < end; k++) {
    const x = k < n ? v[k]! : 0;
    acc |= (x & 0xffff) << nb;
    nb += 16;
    while (nb >= 8) {
      buf[at++] = acc & 0xff;
      acc >>>= 8;
      nb -= 8;
    }
    acc |= (x >>> 16) << nb;
    nb += hw;
    while (nb >= 8) {
      buf[at++] = acc & 0xff;
      acc >>>= 8;
      nb -= 8;
    }
  }
  return at;
}

/** A miniblock of values of 33 to 64 bits (dLo low words, dHi high words) from `s`: rare (deltas of 2^32 or more). */
function pack64(s: number, mini: number, width: number, out: ByteSink): void {
  const bits = new BitPacker(out);
  for (let k = s; k < s + mini; k++) {
    bits.put(dLo[k]!, 32);
    bits.put(dHi[k]! >>> 0, width - 32);
  }
  bits.flush();
}

/** Scratch arrays of at least `n` elements, kept between pages (fresh ones per page kept the GC busy). */
let lenWords: Uint32Array = new Uint32Array(0), prefixes: Uint32Array = new Uint32Array(0), suffixes: Uint32Array = new Uint32Array(0);
const atLeast = (a: Uint32Array, n: number) => (a.length >= n ? a : new Uint32Array(Math.max(n, a.length * 2)));

/** Lengths (below 2^31) as DELTA_BINARY_PACKED int32 values. */
export function deltaLengths(lens: Uint32Array, n: number, out: ByteSink): void {
  const w = (lenWords = atLeast(lenWords, 2 * n));
  for (let i = 0; i < n; i++) {
    w[2 * i] = lens[i]!;
    w[2 * i + 1] = 0;
  }
  deltaBinaryPacked(w, 0, n, out, MINI_I32);
}

/**
 * DELTA_BYTE_ARRAY of the strings [from, to) of a variable-length column: each value's prefix
 * shared with the value before (the page's first shares none), the suffix lengths, the suffixes.
 */
export function deltaByteArray(offsets: Int32Array, bytes: Uint8Array, from: number, to: number, out: ByteSink): void {
  const n = to - from;
  const prefix = (prefixes = atLeast(prefixes, n)), suffix = (suffixes = atLeast(suffixes, n));
  for (let k = 0; k < n; k++) {
    const s = offsets[from + k]!, e = offsets[from + k + 1]!;
    let p = 0;
    if (k > 0) {
      const ps = offsets[from + k - 1]!, pe = offsets[from + k]!;
      const max = Math.min(e - s, pe - ps);
      while (p < max && bytes[s + p] === bytes[ps + p]) p++;
    }
    prefix[k] = p;
    suffix[k] = e - s - p;
  }
  deltaLengths(prefix, n, out);
  deltaLengths(suffix, n, out);
  let total = 0;
  for (let k = 0; k < n; k++) total += suffix[k]!;
  out.ensure(total);
  const buf = out.buf;
  let at = out.n;
  for (let k = 0; k < n; k++) {
    const e = offsets[from + k + 1]!;
    for (let j = e - suffix[k]!; j < e; j++) buf[at++] = bytes[j]!;
  }
  out.n = at;
}
