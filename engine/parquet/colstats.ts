// Minimum, maximum and null count of decoded Arrow values in Parquet's sort order, and the
// comparison with the statistics a Parquet footer (or column index) claims for the same rows.
// verify uses it to find footers and pages whose statistics do not match their values: readers such
// as DataFusion (NautilusTrader's catalog queries) skip row groups and pages by those statistics.
import * as A from 'apache-arrow';

/** How a column's values are ordered and how its statistics are encoded (plain encoding). */
export type Kind = 'u64' | 'i64' | 'u32' | 'i32' | 'bytes' | 'bool';

export function kindOf(t: A.DataType): Kind | null {
  if (A.DataType.isInt(t)) {
    if (t.bitWidth === 64) return t.isSigned ? 'i64' : 'u64';
    return t.isSigned ? 'i32' : 'u32';
  }
  if (A.DataType.isFixedSizeBinary(t) || A.DataType.isUtf8(t) || A.DataType.isBinary(t)) return 'bytes';
  if (A.DataType.isBool(t)) return 'bool';
  return null;
}

type V = bigint | number | Uint8Array;

function cmpBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = a[as + i]! - b[bs + i]!;
    if (d) return d;
  }
  return ae - as - (be - bs);
}

function cmp(a: V, b: V): number {
  if (a instanceof Uint8Array) return cmpBytes(a, 0, a.length, b as Uint8Array, 0, (b as Uint8Array).length);
  const x = a as number | bigint, y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Decodes a plain-encoded statistics value of `kind`; null when its length is wrong. */
function fromStat(kind: Kind, b: Uint8Array): V | null {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  switch (kind) {
    case 'u64': return b.length === 8 ? buf.readBigUInt64LE(0) : null;
    case 'i64': return b.length === 8 ? buf.readBigInt64LE(0) : null;
    case 'u32': return b.length === 4 ? buf.readUInt32LE(0) : null;
    case 'i32': return b.length === 4 ? buf.readInt32LE(0) : null;
    case 'bool': return b.length === 1 ? b[0]! : null;
    case 'bytes': return b;
  }
}

function show(v: V | undefined): string {
  if (v === undefined) return 'none';
  if (!(v instanceof Uint8Array)) return String(v);
  const text = Buffer.from(v).toString('utf8');
  // Printable text as text (trade ids), anything else as hex (fixed-point prices).
  return /^[\x20-\x7e]*$/.test(text) ? JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text) : `0x${Buffer.from(v.subarray(0, 24)).toString('hex')}${v.length > 24 ? '…' : ''}`;
}

export class ColumnStats {
  min: V | undefined;
  max: V | undefined;
  nulls = 0;
  rows = 0;

  constructor(readonly kind: Kind) {}

  /**
   * Adds rows [from, to) of one Arrow data chunk. apache-arrow slices value and offset buffers
   * (index i), but not validity bitmaps or boolean values (bit d.offset + i).
   */
  add(d: A.Data, from: number, to: number): void {
    const bitmap = d.nullCount > 0 ? d.nullBitmap : null;
    const valid = (i: number) => !bitmap || ((bitmap[(d.offset + i) >> 3]! >> ((d.offset + i) & 7)) & 1) === 1;
    this.rows += to - from;
    if (this.kind === 'bytes') return this.addBytes(d, from, to, valid);
    const vals = d.values as ArrayLike<number | bigint>;
    for (let i = from; i < to; i++) {
      if (!valid(i)) {
        this.nulls++;
        continue;
      }
      const v = this.kind === 'bool' ? (((vals as Uint8Array)[(d.offset + i) >> 3]! >> ((d.offset + i) & 7)) & 1) : vals[i]!;
      if (this.min === undefined || v < (this.min as number | bigint)) this.min = v;
      if (this.max === undefined || v > (this.max as number | bigint)) this.max = v;
    }
  }

  private addBytes(d: A.Data, from: number, to: number, valid: (i: number) => boolean): void {
    const bytes = d.values as Uint8Array;
    const fixed = A.DataType.isFixedSizeBinary(d.type) ? (d.type as A.FixedSizeBinary).byteWidth : 0;
    const offsets = fixed ? null : (d.valueOffsets as Int32Array);
    for (let i = from; i < to; i++) {
      if (!valid(i)) {
        this.nulls++;
        continue;
      }
      const s = offsets ? offsets[i]! : i * fixed;
      const e = offsets ? offsets[i + 1]! : s + fixed;
      const mn = this.min as Uint8Array | undefined, mx = this.max as Uint8Array | undefined;
      if (!mn || cmpBytes(bytes, s, e, mn, 0, mn.length) < 0) this.min = bytes.slice(s, e);
      if (!mx || cmpBytes(bytes, s, e, mx, 0, mx.length) > 0) this.max = bytes.slice(s, e);
    }
  }

  /**
   * Problems between these values and claimed statistics (raw plain-encoded min/max; `exact` false
   * when the writer truncated them, so they only bound the values). Empty when they agree.
   */
  compare(claim: { min?: Uint8Array; max?: Uint8Array; nulls?: bigint; minExact?: boolean; maxExact?: boolean }): string[] {
    const out: string[] = [];
    if (claim.nulls !== undefined && claim.nulls !== BigInt(this.nulls)) out.push(`null count ${claim.nulls}, the values have ${this.nulls}`);
    for (const side of ['min', 'max'] as const) {
      const raw = claim[side];
      const actual = this[side];
      if (raw === undefined) continue;
      const v = fromStat(this.kind, raw);
      if (v === null) {
        out.push(`${side} is ${raw.length} bytes, not a ${this.kind} value`);
        continue;
      }
      if (actual === undefined) {
        out.push(`${side} ${show(v)}, but every value is null`);
        continue;
      }
      const c = cmp(v, actual);
      const exact = side === 'min' ? claim.minExact !== false : claim.maxExact !== false;
      const ok = exact ? c === 0 : side === 'min' ? c <= 0 : c >= 0;
      if (!ok) out.push(`${side} ${show(v)}, the values give ${show(actual)}`);
    }
    return out;
  }
}
