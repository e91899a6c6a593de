// Parquet value encodings, written as parquet-rs writes them: the RLE / bit-packed hybrid (dictionary
// indices), DELTA_BINARY_PACKED (64-bit integers given as 32-bit halves: exact, no BigInt per value)
// and DELTA_BYTE_ARRAY (prefix-shared strings).
import { BitPacker, ByteSink, bitsOf } from './sink.js';

/** Length of the run of equal values starting at `i`, counting at most `cap`. */
function runAt(v: Uint32Array, i: number, n: number, cap: number): number {
  const x = v[i]!;
  let j = i + 1;
  const end = Math.min(n, i + cap);
  while (j < end && v[j] === x) j++;
  return j - i;
}

/**
 * Values [0, n) of `v` (each below 2^width) as the RLE / bit-packed hybrid, without a length prefix:
 * runs of 8 or more equal values as RLE runs, the rest in bit-packed groups of 8 (at most 63 groups
 * a run; the last group padded with zeros, which readers cut at the page's value count).
 */
export function rleHybrid(v: Uint32Array, n: number, width: number, out: ByteSink): void {
  const valueBytes = (width + 7) >> 3;
  let i = 0;
  while (i < n) {
    const run = runAt(v, i, n, n);
    if (run >= 8) {
      out.varint(run * 2);
      out.le(v[i]!, valueBytes);
      i += run;
      continue;
    }
    const start = i;
    let groups = 0;
    do {
      groups++;
      i += 8;
    } while (i < n && groups < 63 && runAt(v, i, n, 8) < 8);
    out.varint(groups * 2 + 1);
    packGroups(v, start, groups * 8, n, width, out);
  }
}

/** `count` values of `v` from `start` (zeros past `n`), `width` bits each, LSB first. */
function packGroups(v: Uint32Array, start: number, count: number, n: number, width: number, out: ByteSink): void {
  out.ensure(count * 4);
  out.n = packBits(v, start, count, n, width, out.buf, out.n);
}

const BLOCK = 128, MINI = 32, MINIS = 4;
const dLo = new Uint32Array(BLOCK), dHi = new Int32Array(BLOCK);


/**
 * DELTA_BINARY_PACKED of the int64 values [from, to) of `w` (little-endian 32-bit halves: w[2i] low,
 * w[2i+1] high): blocks of 128 deltas in 4 miniblocks of 32, deltas wrapping as in two's complement.
 */
export function deltaBinaryPacked(w: Uint32Array, from: number, to: number, out: ByteSink): void {
  const count = to - from;
  out.varint(BLOCK);
  out.varint(MINIS);
  out.varint(count);
  if (count === 0) {
    out.zigzag64(0n);
    return;
  }
  zigzagHalves(w[2 * from]!, w[2 * from + 1]! | 0, out);
  for (let i = from + 1; i < to; i += BLOCK) deltaBlock(w, i, Math.min(to, i + BLOCK), out);
}

function deltaBlock(w: Uint32Array, from: number, to: number, out: ByteSink): void {
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
  out.ensure(MINIS + MINIS * MINI * 8);
  const widthsAt = out.n;
  out.n += MINIS;
  for (let m = 0; m < MINIS; m++) {
    const s = m * MINI, e = Math.min(n, s + MINI);
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
    // The last miniblock is padded to 32 values (zeros).
    for (let k = e; k < s + MINI; k++) dLo[k] = dHi[k] = 0;
    if (width <= 32) out.n = packBits(dLo, s, MINI, MINI + s, width, out.buf, out.n);
    else pack64(s, width, out);
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

/** 32 values of 33 to 64 bits (dLo low words, dHi high words) from `s`: rare (deltas of 2^32 or more). */
function pack64(s: number, width: number, out: ByteSink): void {
  const bits = new BitPacker(out);
  for (let k = s; k < s + MINI; k++) {
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
  deltaBinaryPacked(w, 0, n, out);
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
