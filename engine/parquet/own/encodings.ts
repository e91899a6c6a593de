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
    const bits = new BitPacker(out);
    for (let k = start; k < start + groups * 8; k++) bits.put(k < n ? v[k]! : 0, width);
    bits.flush();
  }
}

const BLOCK = 128, MINI = 32, MINIS = 4;
const dLo = new Uint32Array(BLOCK), dHi = new Int32Array(BLOCK);

/** The signed 64-bit value of halves (lo unsigned, hi signed) as BigInt (headers only). */
const big = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);

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
  out.zigzag64(big(w[2 * from]!, w[2 * from + 1]! | 0));
  for (let i = from + 1; i < to; i += BLOCK) deltaBlock(w, i, Math.min(to, i + BLOCK), out);
}

function deltaBlock(w: Uint32Array, from: number, to: number, out: ByteSink): void {
  const n = to - from;
  // Deltas and their minimum (signed compare: high words signed, then low words unsigned).
  let minLo = 0, minHi = 0x7fffffff;
  let first = true;
  for (let k = 0; k < n; k++) {
    const i = from + k;
    const aLo = w[2 * i]!, bLo = w[2 * i - 2]!;
    const lo = (aLo - bLo) >>> 0;
    const hi = ((w[2 * i + 1]! | 0) - (w[2 * i - 1]! | 0) - (aLo < bLo ? 1 : 0)) | 0;
    dLo[k] = lo;
    dHi[k] = hi;
    if (first || hi < minHi || (hi === minHi && lo < minLo)) {
      minLo = lo;
      minHi = hi;
      first = false;
    }
  }
  out.zigzag64(big(minLo, minHi));
  // Deltas minus the minimum, unsigned; a miniblock's width is that of the OR of its values.
  const widthsAt = out.n;
  out.ensure(MINIS);
  for (let m = 0; m < MINIS; m++) out.buf[out.n++] = 0;
  for (let k = 0; k < n; k++) {
    const lo = dLo[k]!;
    dHi[k] = (dHi[k]! - minHi - (lo < minLo ? 1 : 0)) | 0;
    dLo[k] = (lo - minLo) >>> 0;
  }
  const bits = new BitPacker(out);
  for (let m = 0; m * MINI < n; m++) {
    const s = m * MINI, e = Math.min(n, s + MINI);
    let orLo = 0, orHi = 0;
    for (let k = s; k < e; k++) {
      orLo |= dLo[k]!;
      orHi |= dHi[k]!;
    }
    const width = orHi ? 32 + bitsOf(orHi >>> 0) : bitsOf(orLo >>> 0);
    out.buf[widthsAt + m] = width;
    // The last miniblock is padded to 32 values.
    for (let k = s; k < s + MINI; k++) {
      const lo = k < e ? dLo[k]! : 0, hi = k < e ? dHi[k]! >>> 0 : 0;
      if (width <= 32) bits.put(lo, width);
      else {
        bits.put(lo, 32);
        bits.put(hi, width - 32);
      }
    }
  }
  bits.flush();
}

/** Lengths (below 2^31) as DELTA_BINARY_PACKED int32 values. */
export function deltaLengths(lens: Uint32Array, n: number, out: ByteSink): void {
  const w = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) w[2 * i] = lens[i]!;
  deltaBinaryPacked(w, 0, n, out);
}

/**
 * DELTA_BYTE_ARRAY of the strings [from, to) of a variable-length column: each value's prefix
 * shared with the value before (the page's first shares none), the suffix lengths, the suffixes.
 */
export function deltaByteArray(offsets: Int32Array, bytes: Uint8Array, from: number, to: number, out: ByteSink): void {
  const n = to - from;
  const prefix = new Uint32Array(n), suffix = new Uint32Array(n);
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
