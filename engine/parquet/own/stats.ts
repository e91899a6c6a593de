// Minimum and maximum of a page's values in Parquet's order for the column (the statistics, column
// index and boundary order parquet-rs writes): byte strings compare unsigned byte by byte, unsigned
// integers by value (their PLAIN bytes compared from the most significant, i.e. last, byte).

export type Order = 'lex' | 'le';

export function compare(order: Order, a: Uint8Array, b: Uint8Array): number {
  if (order === 'le') {
    for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export interface MinMax {
  min: Uint8Array;
  max: Uint8Array;
}

/** Fixed-width byte strings [from, to) of `bytes` (`w` bytes each), compared byte by byte. */
export function fixedMinMax(bytes: Uint8Array, w: number, from: number, to: number): MinMax {
  let mn = from, mx = from;
  for (let r = from + 1; r < to; r++) {
    if (cmpAt(bytes, r * w, w, bytes, mn * w, w) < 0) mn = r;
    if (cmpAt(bytes, r * w, w, bytes, mx * w, w) > 0) mx = r;
  }
  return { min: bytes.slice(mn * w, mn * w + w), max: bytes.slice(mx * w, mx * w + w) };
}

function cmpAt(a: Uint8Array, as: number, al: number, b: Uint8Array, bs: number, bl: number): number {
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i++) {
    const d = a[as + i]! - b[bs + i]!;
    if (d) return d;
  }
  return al - bl;
}

/** Variable-length byte strings [from, to), compared byte by byte. */
export function varMinMax(offsets: Int32Array, bytes: Uint8Array, from: number, to: number): MinMax {
  let mn = from, mx = from;
  const len = (r: number) => offsets[r + 1]! - offsets[r]!;
  for (let r = from + 1; r < to; r++) {
    if (cmpAt(bytes, offsets[r]!, len(r), bytes, offsets[mn]!, len(mn)) < 0) mn = r;
    if (cmpAt(bytes, offsets[r]!, len(r), bytes, offsets[mx]!, len(mx)) > 0) mx = r;
  }
  return { min: bytes.slice(offsets[mn]!, offsets[mn + 1]!), max: bytes.slice(offsets[mx]!, offsets[mx + 1]!) };
}

/** Unsigned 64-bit values [from, to) of `w` (32-bit halves, low first), as 8-byte PLAIN values. */
export function u64MinMax(w: Uint32Array, from: number, to: number): MinMax {
  let mn = from, mx = from;
  for (let r = from + 1; r < to; r++) {
    const hi = w[2 * r + 1]!, lo = w[2 * r]!;
    const mnHi = w[2 * mn + 1]!, mxHi = w[2 * mx + 1]!;
    if (hi < mnHi || (hi === mnHi && lo < w[2 * mn]!)) mn = r;
    if (hi > mxHi || (hi === mxHi && lo > w[2 * mx]!)) mx = r;
  }
  const bytes = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  return { min: bytes.slice(mn * 8, mn * 8 + 8), max: bytes.slice(mx * 8, mx * 8 + 8) };
}

/** Boundary order of a column index (parquet-rs): 1 ascending, 2 descending, 0 unordered; one page counts as ascending. */
export function boundaryOrder(order: Order, pages: MinMax[]): number {
  let asc = true, desc = true;
  for (let i = 1; i < pages.length; i++) {
    const p = pages[i - 1]!, q = pages[i]!;
    if (compare(order, p.min, q.min) > 0 || compare(order, p.max, q.max) > 0) asc = false;
    if (compare(order, q.min, p.min) > 0 || compare(order, q.max, p.max) > 0) desc = false;
  }
  return asc ? 1 : desc ? 2 : 0;
}

/** Min and max over pages' min and max. */
export function mergeMinMax(order: Order, pages: MinMax[]): MinMax {
  let { min, max } = pages[0]!;
  for (const p of pages) {
    if (compare(order, p.min, min) < 0) min = p.min;
    if (compare(order, p.max, max) > 0) max = p.max;
  }
  return { min, max };
}
