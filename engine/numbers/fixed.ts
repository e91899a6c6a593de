// Nautilus fixed-point Price/Quantity encoding (spec §4): raw = value * 10^F, LE two's complement.

export type PrecisionMode = 64 | 128;

export interface FixedMode {
  mode: PrecisionMode;
  /** FIXED_PRECISION: 9 or 16 */
  F: number;
  /** byte width of the FixedSizeBinary column */
  W: 8 | 16;
  priceMax: bigint;
  quantityMax: bigint;
}

export function fixedMode(mode: PrecisionMode): FixedMode {
  if (mode === 64) {
    // PRICE_MAX 9,223,372,036 and QUANTITY_MAX 18,446,744,073 at scale 10^9 (spec §4)
    return { mode, F: 9, W: 8, priceMax: 9_223_372_036n * 10n ** 9n, quantityMax: 18_446_744_073n * 10n ** 9n };
  }
  return { mode, F: 16, W: 16, priceMax: 17_014_118_346_046n * 10n ** 16n, quantityMax: 34_028_236_692_093n * 10n ** 16n };
}

const M64 = (1n << 64n) - 1n;

/** Writes `v` as a little-endian two's complement integer of `w` bytes at byte offset `off`. */
export function writeRaw(view: DataView, off: number, v: bigint, w: 8 | 16): void {
  if (w === 8) {
    view.setBigInt64(off, BigInt.asIntN(64, v), true);
    return;
  }
  view.setBigUint64(off, v & M64, true);
  view.setBigInt64(off + 8, BigInt.asIntN(64, v >> 64n), true);
}

/** Reads a little-endian two's complement value; `signed` false reads it as unsigned. */
export function readRaw(bytes: Uint8Array, off: number, w: 8 | 16, signed: boolean): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (w === 8) return signed ? view.getBigInt64(off, true) : view.getBigUint64(off, true);
  const lo = view.getBigUint64(off, true);
  const hi = signed ? view.getBigInt64(off + 8, true) : view.getBigUint64(off + 8, true);
  return (hi << 64n) | lo;
}
