// Arrow schemas of the Nautilus types we write (spec §5, §7) and block -> RecordBatch conversion.
import * as A from 'apache-arrow';
import type { DataType } from '../../shared/job.js';
import type { Block, Layout } from '../blocks/block.js';
import type { FixedMode } from '../numbers/fixed.js';

export interface TypeMeta {
  instrumentId: string;
  pricePrecision: number;
  sizePrecision: number;
}

// Column indices into Block.fixed for each layout.
export const TRADE = { tsEvent: 0, price: 1, size: 2, side: 3, id: 0 } as const;
export const MARK = { tsEvent: 0, value: 1 } as const;
export const FUNDING = { tsEvent: 0, interval: 1, next: 2, flags: 3, rate: 0 } as const;
export const FUNDING_HAS_INTERVAL = 1;
export const FUNDING_HAS_NEXT = 2;

export function layoutOf(type: DataType, fm: FixedMode): Layout {
  switch (type) {
    case 'trades':
      return { fixed: [8, fm.W, fm.W, 1], vars: 1 };
    case 'mark':
      return { fixed: [8, fm.W], vars: 0 };
    case 'funding':
      return { fixed: [8, 8, 8, 1], vars: 1 };
  }
}

export function schemaOf(type: DataType, fm: FixedMode, meta: TypeMeta): A.Schema {
  const PB = () => new A.FixedSizeBinary(fm.W);
  const u64 = (name: string, nullable = false) => new A.Field(name, new A.Uint64(), nullable);
  switch (type) {
    case 'trades':
      return new A.Schema(
        [new A.Field('price', PB(), false), new A.Field('size', PB(), false), new A.Field('aggressor_side', new A.Uint8(), false),
          new A.Field('trade_id', new A.Utf8(), false), u64('ts_event'), u64('ts_init')],
        metadataOf(type, meta));
    case 'mark':
      return new A.Schema([new A.Field('value', PB(), false), u64('ts_event'), u64('ts_init')], metadataOf(type, meta));
    case 'funding':
      // What NautilusTrader's own ParquetDataCatalog.write_data writes (its v1 Python encoder,
      // nautilus_trader/serialization/arrow/schema.py): `rate` is Binary holding the Decimal's JSON
      // encoding ("0.0001" with the quotes), `interval` UInt16 minutes, no instrument_id column. Files
      // of both writers in one folder then form one dataset (test/nautilus/parity.test.ts).
      return new A.Schema(
        [new A.Field('rate', new A.Binary(), false), new A.Field('interval', new A.Uint16(), true),
          u64('next_funding_ns', true), u64('ts_event'), u64('ts_init')],
        metadataOf(type, meta));
  }
}

export function metadataOf(type: DataType, meta: TypeMeta): Map<string, string> {
  switch (type) {
    case 'trades':
      return new Map([['instrument_id', meta.instrumentId], ['price_precision', String(meta.pricePrecision)], ['size_precision', String(meta.sizePrecision)]]);
    case 'mark':
      return new Map([['instrument_id', meta.instrumentId], ['price_precision', String(meta.pricePrecision)]]);
    case 'funding':
      return new Map([['instrument_id', meta.instrumentId]]);
  }
}

const u64Data = (arr: BigUint64Array, nullBitmap?: Uint8Array, nullCount = 0) =>
  A.makeData({ type: new A.Uint64(), length: arr.length, nullCount, data: arr, nullBitmap });
const fsbData = (w: number, n: number, bytes: Uint8Array) => A.makeData({ type: new A.FixedSizeBinary(w), length: n, nullCount: 0, data: bytes });
const utf8Data = (n: number, offsets: Int32Array, bytes: Uint8Array) =>
  A.makeData({ type: new A.Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: bytes });
/** Each value wrapped in double quotes (a decimal's text is its JSON string without escapes). */
function jsonQuoted(n: number, offsets: Int32Array, bytes: Uint8Array): { offsets: Int32Array; bytes: Uint8Array } {
  const outOffs = new Int32Array(n + 1);
  const out = new Uint8Array(offsets[n]! - offsets[0]! + 2 * n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    out[p++] = 0x22;
    out.set(bytes.subarray(offsets[i]!, offsets[i + 1]!), p);
    p += offsets[i + 1]! - offsets[i]!;
    out[p++] = 0x22;
    outOffs[i + 1] = p;
  }
  return { offsets: outOffs, bytes: out };
}

/** The inverse of jsonQuoted; values without quotes (files of the earlier Utf8 layout) are kept as they are. */
function unquoted(n: number, v: { offsets: Int32Array; bytes: Uint8Array }): { offsets: Int32Array; bytes: Uint8Array } {
  const outOffs = new Int32Array(n + 1);
  const out = new Uint8Array(v.bytes.length);
  let p = 0;
  for (let i = 0; i < n; i++) {
    let s = v.offsets[i]!, e = v.offsets[i + 1]!;
    if (e - s >= 2 && v.bytes[s] === 0x22 && v.bytes[e - 1] === 0x22) { s++; e--; }
    out.set(v.bytes.subarray(s, e), p);
    p += e - s;
    outOffs[i + 1] = p;
  }
  return { offsets: outOffs, bytes: out.subarray(0, p) };
}

const asU64 = (bytes: Uint8Array) => new BigUint64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

export function recordBatchOf(type: DataType, fm: FixedMode, schema: A.Schema, b: Block): A.RecordBatch {
  const n = b.n;
  // Each column gets its own Data object: apache-arrow's IPC writer breaks when one Data is shared.
  const tsInit = u64Data(b.tsInit.slice());
  let children: A.Data[];
  switch (type) {
    case 'trades':
      children = [fsbData(fm.W, n, b.fixed[TRADE.price]!), fsbData(fm.W, n, b.fixed[TRADE.size]!),
        A.makeData({ type: new A.Uint8(), length: n, nullCount: 0, data: b.fixed[TRADE.side]! }),
        utf8Data(n, b.vars[TRADE.id]!.offsets, b.vars[TRADE.id]!.bytes), u64Data(asU64(b.fixed[TRADE.tsEvent]!)), tsInit];
      break;
    case 'mark':
      children = [fsbData(fm.W, n, b.fixed[MARK.value]!), u64Data(asU64(b.fixed[MARK.tsEvent]!)), tsInit];
      break;
    case 'funding': {
      const flags = b.fixed[FUNDING.flags]!;
      const bitmap = (bit: number) => {
        const bm = new Uint8Array((n + 7) >> 3);
        let nulls = 0;
        for (let i = 0; i < n; i++) {
          if (flags[i]! & bit) bm[i >> 3]! |= 1 << (i & 7);
          else nulls++;
        }
        return { bm, nulls };
      };
      const iv = bitmap(FUNDING_HAS_INTERVAL), nx = bitmap(FUNDING_HAS_NEXT);
      const rate = jsonQuoted(n, b.vars[FUNDING.rate]!.offsets, b.vars[FUNDING.rate]!.bytes);
      const interval = Uint16Array.from(asU64(b.fixed[FUNDING.interval]!), Number);
      children = [A.makeData({ type: new A.Binary(), length: n, nullCount: 0, valueOffsets: rate.offsets, data: rate.bytes }),
        A.makeData({ type: new A.Uint16(), length: n, nullCount: iv.nulls, data: interval, nullBitmap: iv.bm }),
        u64Data(asU64(b.fixed[FUNDING.next]!), nx.bm, nx.nulls),
        u64Data(asU64(b.fixed[FUNDING.tsEvent]!)), tsInit];
      break;
    }
  }
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: n, nullCount: 0, children }));
}

/** Inverse of recordBatchOf: a record batch read back from one of our files as a Block. */
export function blockFromBatch(type: DataType, fm: FixedMode, batch: A.RecordBatch): Block {
  const n = batch.numRows;
  const col = (name: string) => {
    const v = batch.getChild(name);
    if (!v) throw new Error(`column ${name} missing`);
    return v;
  };
  // Concatenate a column's chunks into one contiguous buffer of `w` bytes per row.
  const fixedBytes = (name: string, w: number): Uint8Array => {
    const out = new Uint8Array(n * w);
    let row = 0;
    for (const d of col(name).data) {
      const vals = d.values as ArrayLike<number> & { buffer: ArrayBuffer; byteOffset: number };
      const bytes = new Uint8Array(vals.buffer, vals.byteOffset + d.offset * w, d.length * w);
      out.set(bytes, row * w);
      row += d.length;
    }
    return out;
  };
  const u64 = (name: string) => new BigUint64Array(fixedBytes(name, 8).buffer);
  const utf8 = (name: string) => {
    const offsets = new Int32Array(n + 1);
    const parts: Uint8Array[] = [];
    let row = 0, total = 0;
    for (const d of col(name).data) {
      const vo = d.valueOffsets as Int32Array;
      const base = vo[d.offset]!;
      for (let i = 1; i <= d.length; i++) offsets[row + i] = total + vo[d.offset + i]! - base;
      const len = vo[d.offset + d.length]! - base;
      parts.push((d.values as Uint8Array).subarray(base, base + len));
      total += len;
      row += d.length;
    }
    const bytes = new Uint8Array(total);
    let p = 0;
    for (const x of parts) { bytes.set(x, p); p += x.length; }
    return { offsets, bytes };
  };
  const tsInit = u64('ts_init');
  const asBytes = (a: BigUint64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  switch (type) {
    case 'trades':
      return { n, tsInit, fixed: [asBytes(u64('ts_event')), fixedBytes('price', fm.W), fixedBytes('size', fm.W), fixedBytes('aggressor_side', 1)], vars: [utf8('trade_id')] };
    case 'mark':
      return { n, tsInit, fixed: [asBytes(u64('ts_event')), fixedBytes('value', fm.W)], vars: [] };
    case 'funding': {
      const flags = new Uint8Array(n);
      const iv = col('interval'), nx = col('next_funding_ns');
      for (let i = 0; i < n; i++) flags[i] = (iv.isValid(i) ? FUNDING_HAS_INTERVAL : 0) | (nx.isValid(i) ? FUNDING_HAS_NEXT : 0);
      // interval is UInt16 (NautilusTrader's layout) or UInt64 (our earlier files): widened to 8 bytes
      const ivWidth = iv.type instanceof A.Uint16 ? 2 : 8;
      const ivRaw = fixedBytes('interval', ivWidth);
      const interval = ivWidth === 8 ? ivRaw : asBytes(BigUint64Array.from(new Uint16Array(ivRaw.buffer, ivRaw.byteOffset, n), BigInt));
      return { n, tsInit, fixed: [asBytes(u64('ts_event')), interval, fixedBytes('next_funding_ns', 8), flags], vars: [unquoted(n, utf8('rate'))] };
    }
  }
}
