// Arrow column building blocks shared by the data type modules: block columns -> Arrow Data, and
// the columns of a record batch read back -> contiguous block columns.
import * as A from 'apache-arrow';
import type { VarCol } from '../blocks/block.js';

export const u64Data = (arr: BigUint64Array, nullBitmap?: Uint8Array, nullCount = 0) =>
  A.makeData({ type: new A.Uint64(), length: arr.length, nullCount, data: arr, nullBitmap });
export const fsbData = (w: number, n: number, bytes: Uint8Array) => A.makeData({ type: new A.FixedSizeBinary(w), length: n, nullCount: 0, data: bytes });
export const utf8Data = (n: number, v: VarCol) =>
  A.makeData({ type: new A.Utf8(), length: n, nullCount: 0, valueOffsets: v.offsets, data: v.bytes });
export const u8Data = (n: number, bytes: Uint8Array) => A.makeData({ type: new A.Uint8(), length: n, nullCount: 0, data: bytes });

/**
 * An 8-byte block column as u64 values: a view when its bytes are 8-aligned (a builder's columns
 * are), else a copy. Copying every row group's columns churned MBs of buffers through malloc.
 */
export const asU64 = (bytes: Uint8Array) => bytes.byteOffset % 8 === 0
  ? new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8)
  : new BigUint64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
export const asBytes = (a: BigUint64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The ts_init column of a block; each column gets its own Data object (apache-arrow's IPC writer breaks when one is shared), over the block's own values (no copy). */
export const tsInitData = (tsInit: BigUint64Array) => u64Data(new BigUint64Array(tsInit.buffer, tsInit.byteOffset, tsInit.length));

/** A record batch of `schema` from its columns' Data, in schema order. */
export function batchOf(schema: A.Schema, n: number, children: A.Data[]): A.RecordBatch {
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: n, nullCount: 0, children }));
}

/**
 * The columns of a record batch, each chunk list concatenated into one contiguous buffer. A sliced
 * Data (offset > 0) already has its values and value offsets cut to the slice by apache-arrow; its
 * offset only applies to the validity bitmap, so it is not added here.
 */
export class BatchColumns {
  readonly n: number;

  constructor(private batch: A.RecordBatch) {
    this.n = batch.numRows;
  }

  col(name: string): A.Vector {
    const v = this.batch.getChild(name);
    if (!v) throw new Error(`column ${name} missing`);
    return v;
  }

  /** `w` bytes per row. */
  fixed(name: string, w: number): Uint8Array {
    const out = new Uint8Array(this.n * w);
    let row = 0;
    for (const d of this.col(name).data) {
      const vals = d.values as ArrayLike<number> & { buffer: ArrayBuffer; byteOffset: number };
      out.set(new Uint8Array(vals.buffer, vals.byteOffset, d.length * w), row * w);
      row += d.length;
    }
    return out;
  }

  u64(name: string): BigUint64Array {
    return new BigUint64Array(this.fixed(name, 8).buffer);
  }

  /** A Utf8 or Binary column as a block's variable-length column. */
  vars(name: string): VarCol {
    const offsets = new Int32Array(this.n + 1);
    const parts: Uint8Array[] = [];
    let row = 0, total = 0;
    for (const d of this.col(name).data) {
      const vo = d.valueOffsets as Int32Array;
      const base = vo[0]!;
      for (let i = 1; i <= d.length; i++) offsets[row + i] = total + vo[i]! - base;
      const len = vo[d.length]! - base;
      parts.push((d.values as Uint8Array).subarray(base, base + len));
      total += len;
      row += d.length;
    }
    const bytes = new Uint8Array(total);
    let p = 0;
    for (const x of parts) { bytes.set(x, p); p += x.length; }
    return { offsets, bytes };
  }
}
