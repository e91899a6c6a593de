// Exact fixed-point and timestamp arithmetic on plain numbers, for the CSV fast path: no BigInt.
// Every value handled here is an integer below 2^53, where double arithmetic is exact; results
// wider than that are built from 16-bit limbs (or two 32-bit halves) whose partial sums stay exact.

/** Whether typed arrays are little-endian here (the limb writers assume it; big-endian hosts use the BigInt path). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const INV16 = 1 / 65536;
const INV32 = 1 / 4294967296;
const TWO32 = 4294967296;

/** 10^k (k = 0..22) as four 16-bit limbs each, least significant first (10^22 < 2^74 does not fit: only k <= 19 are used). */
const POW10_LIMBS = new Float64Array(4 * 20);
for (let k = 0; k < 20; k++) {
  let v = 10n ** BigInt(k);
  for (let j = 0; j < 4; j++) {
    POW10_LIMBS[4 * k + j] = Number(v & 0xffffn);
    v >>= 16n;
  }
}

/** 10^k as a double, exact for k <= 22. */
export const POW10_NUM: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Writes m * 10^k as a little-endian unsigned integer of `limbs` 16-bit limbs (4: 64-bit, 8: 128-bit)
 * into `out` at limb index `at`. m is an integer 0 <= m < 2^53, k <= 19; the caller has checked that
 * the product fits (limit checks), so higher limbs are zero.
 */
export function writeScaled(out: Uint16Array, at: number, m: number, k: number, limbs: number): void {
  // Bit operations truncate modulo 2^32, which keeps the low bits of any integer below 2^53 exact.
  const lo32 = m >>> 0;
  const h = (m - lo32) * INV32;
  const m0 = lo32 & 0xffff, m1 = lo32 >>> 16, m2 = h & 0xffff, m3 = h >>> 16;
  const b = 4 * k;
  const p0 = POW10_LIMBS[b]!, p1 = POW10_LIMBS[b + 1]!, p2 = POW10_LIMBS[b + 2]!, p3 = POW10_LIMBS[b + 3]!;
  // Column sums of 16x16-bit partial products plus carry: each below 2^35, exact in a double.
  let v = m0 * p0;
  let lo = v & 0xffff;
  out[at] = lo;
  v = (v - lo) * INV16 + m0 * p1 + m1 * p0;
  lo = v & 0xffff;
  out[at + 1] = lo;
  v = (v - lo) * INV16 + m0 * p2 + m1 * p1 + m2 * p0;
  lo = v & 0xffff;
  out[at + 2] = lo;
  v = (v - lo) * INV16 + m0 * p3 + m1 * p2 + m2 * p1 + m3 * p0;
  lo = v & 0xffff;
  out[at + 3] = lo;
  if (limbs === 4) return;
  v = (v - lo) * INV16 + m1 * p3 + m2 * p2 + m3 * p1;
  lo = v & 0xffff;
  out[at + 4] = lo;
  v = (v - lo) * INV16 + m2 * p3 + m3 * p2;
  lo = v & 0xffff;
  out[at + 5] = lo;
  v = (v - lo) * INV16 + m3 * p3;
  lo = v & 0xffff;
  out[at + 6] = lo;
  out[at + 7] = (v - lo) * INV16;
}

/** Low and high 32-bit halves of the last mulPow10U64 result. */
export const u64 = { lo: 0, hi: 0 };

/**
 * v * 10^k as an unsigned 64-bit integer (halves in `u64`); v is an integer below 2^53 and
 * k is 0, 3, 6 or 9. Returns false when the product does not fit in 64 bits.
 */
export function mulPow10U64(v: number, k: number): boolean {
  let hi = Math.floor(v / TWO32);
  let lo = v - hi * TWO32;
  // Multiply by at most 10^6 at a time: lo * f stays below 2^52.
  for (let r = k; r > 0; r -= 6) {
    const f = r >= 6 ? 1_000_000 : POW10_NUM[r]!;
    const pl = lo * f;
    const c = Math.floor(pl / TWO32);
    lo = pl - c * TWO32;
    hi = hi * f + c;
    if (hi >= TWO32) return false;
  }
  u64.lo = lo;
  u64.hi = hi;
  return true;
}

/** floor(v / d) for integers 0 <= v < 2^53 and d > 0, exact (the float quotient can round across an integer). */
export function floorDiv(v: number, d: number): number {
  let q = Math.floor(v / d);
  const r = v - q * d;
  if (r < 0) q--;
  else if (r >= d) q++;
  return q;
}
