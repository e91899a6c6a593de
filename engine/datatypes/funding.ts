// FundingRateUpdate (folder funding_rate_update): schema, encoder, decoder, preview and checks.
// The layout is what NautilusTrader's own ParquetDataCatalog.write_data writes (its v1 Python
// encoder, nautilus_trader/serialization/arrow/schema.py): `rate` is Binary holding the Decimal's
// JSON encoding ("0.0001" with the quotes), `interval` UInt16 minutes, no instrument_id column.
// Files of both writers in one folder then form one dataset (test/nautilus/parity.test.ts).
import * as A from 'apache-arrow';
import type { VarCol } from '../blocks/block.js';
import type { FixedMode } from '../numbers/fixed.js';
import { nsToIso } from '../catalog/paths.js';
import { BatchColumns, asBytes, asU64, batchOf, tsInitData, u64Data } from './arrow.js';
import { KEY_INSTRUMENT_ID, KEY_TYPE, plain, type DataTypeModule, type TypeMeta } from './types.js';

/** Column indices into Block.fixed (and Block.vars for rate). */
export const FUNDING = { tsEvent: 0, interval: 1, next: 2, flags: 3, rate: 0 } as const;
/** Bits of the flags column: which of the optional values a row has. */
export const FUNDING_HAS_INTERVAL = 1;
export const FUNDING_HAS_NEXT = 2;
const CLASS = 'FundingRateUpdate';

function metadata(meta: TypeMeta): Map<string, string> {
  return new Map([[KEY_INSTRUMENT_ID, meta.instrumentId]]);
}

function schema(_fm: FixedMode, meta: TypeMeta): A.Schema {
  const u64 = (name: string, nullable = false) => new A.Field(name, new A.Uint64(), nullable);
  return new A.Schema(
    [new A.Field('rate', new A.Binary(), false), new A.Field('interval', new A.Uint16(), true), u64('next_funding_ns', true), u64('ts_event'), u64('ts_init')],
    metadata(meta));
}

/** Each value wrapped in double quotes (a decimal's text is its JSON string without escapes). */
function jsonQuoted(n: number, v: VarCol): VarCol {
  const offsets = new Int32Array(n + 1);
  const out = new Uint8Array(v.offsets[n]! - v.offsets[0]! + 2 * n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    out[p++] = 0x22;
    out.set(v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!), p);
    p += v.offsets[i + 1]! - v.offsets[i]!;
    out[p++] = 0x22;
    offsets[i + 1] = p;
  }
  return { offsets, bytes: out };
}

/** The inverse of jsonQuoted; values without quotes (files of the earlier Utf8 layout) are kept as they are. */
function unquoted(n: number, v: VarCol): VarCol {
  const offsets = new Int32Array(n + 1);
  const out = new Uint8Array(v.bytes.length);
  let p = 0;
  for (let i = 0; i < n; i++) {
    let s = v.offsets[i]!, e = v.offsets[i + 1]!;
    if (e - s >= 2 && v.bytes[s] === 0x22 && v.bytes[e - 1] === 0x22) { s++; e--; }
    out.set(v.bytes.subarray(s, e), p);
    p += e - s;
    offsets[i + 1] = p;
  }
  return { offsets, bytes: out.subarray(0, p) };
}

/** A validity bitmap from one bit of the flags column, with its null count. */
function validity(flags: Uint8Array, n: number, bit: number): { bm: Uint8Array; nulls: number } {
  const bm = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (flags[i]! & bit) bm[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return { bm, nulls };
}

const toBatch: DataTypeModule['toBatch'] = (_fm, s, b) => {
  const n = b.n;
  const flags = b.fixed[FUNDING.flags]!;
  const iv = validity(flags, n, FUNDING_HAS_INTERVAL), nx = validity(flags, n, FUNDING_HAS_NEXT);
  const rate = jsonQuoted(n, b.vars[FUNDING.rate]!);
  const interval = Uint16Array.from(asU64(b.fixed[FUNDING.interval]!), Number);
  return batchOf(s, n, [
    A.makeData({ type: new A.Binary(), length: n, nullCount: 0, valueOffsets: rate.offsets, data: rate.bytes }),
    A.makeData({ type: new A.Uint16(), length: n, nullCount: iv.nulls, data: interval, nullBitmap: iv.bm }),
    u64Data(asU64(b.fixed[FUNDING.next]!), nx.bm, nx.nulls),
    u64Data(asU64(b.fixed[FUNDING.tsEvent]!)), tsInitData(b.tsInit),
  ]);
};

const fromBatch: DataTypeModule['fromBatch'] = (_fm, batch) => {
  const c = new BatchColumns(batch);
  const n = c.n;
  const flags = new Uint8Array(n);
  const iv = c.col('interval'), nx = c.col('next_funding_ns');
  for (let i = 0; i < n; i++) flags[i] = (iv.isValid(i) ? FUNDING_HAS_INTERVAL : 0) | (nx.isValid(i) ? FUNDING_HAS_NEXT : 0);
  // interval is UInt16 (NautilusTrader's layout) or UInt64 (our earlier files): widened to 8 bytes.
  // By bit width: a type read back from a file is an A.Int, never an A.Uint16 instance.
  const ivWidth = A.DataType.isInt(iv.type) && iv.type.bitWidth === 16 ? 2 : 8;
  const ivRaw = c.fixed('interval', ivWidth);
  const interval = ivWidth === 8 ? ivRaw : asBytes(BigUint64Array.from(new Uint16Array(ivRaw.buffer, ivRaw.byteOffset, n), BigInt));
  const next = c.fixed('next_funding_ns', 8);
  // A reader leaves any bytes under a null; the normaliser writes 0 there, so a block read back is the block written.
  for (let i = 0; i < n; i++) {
    if (!(flags[i]! & FUNDING_HAS_INTERVAL)) interval.fill(0, i * 8, i * 8 + 8);
    if (!(flags[i]! & FUNDING_HAS_NEXT)) next.fill(0, i * 8, i * 8 + 8);
  }
  return { n, tsInit: c.u64('ts_init'), fixed: [c.fixed('ts_event', 8), interval, next, flags], vars: [unquoted(n, c.vars('rate'))] };
};

export const FUNDING_RATE_UPDATE: DataTypeModule = {
  type: 'funding',
  className: CLASS,
  folder: 'funding_rate_update',
  layout: () => ({ fixed: [8, 8, 8, 1], vars: 1 }),
  schema,
  metadata,
  toBatch,
  fromBatch,
  previewFields: (b, i) => {
    const u64 = (col: number) => b.views[col]!.getBigUint64(i * 8, true);
    const out: Record<string, string> = { ts_event: nsToIso(u64(FUNDING.tsEvent)) };
    const flags = b.fixed[FUNDING.flags]![i]!;
    if (flags & FUNDING_HAS_NEXT) out.next_funding_time = nsToIso(u64(FUNDING.next));
    if (flags & FUNDING_HAS_INTERVAL) out.funding_interval = `${u64(FUNDING.interval)} min`;
    out.funding_rate = b.varAt(FUNDING.rate, i);
    return out;
  },
  // A funding rate is kept only when it changes (normalize/normalizer.ts).
  duplicateReason: 'same value as the previous row',
  incompatibility: (folder, sig) => {
    // Our earlier files (and the Rust catalog's) use the JSON layout, metadata `type`; NautilusTrader's
    // Python reader takes one schema for the whole folder, so the two layouts cannot share it.
    if (!sig.meta.has(KEY_TYPE)) return null;
    return `${folder} holds FundingRateUpdate files of the Rust JSON layout (${sig.file}, written by catalog-builder before it wrote NautilusTrader's write_data layout); one folder cannot mix the two: build into another output folder, or delete that folder first`;
  },
  fields: [['rate', plain('Binary'), false], ['interval', plain('Uint16'), true], ['next_funding_ns', plain('Uint64'), true], ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false]],
  metaKeys: [KEY_INSTRUMENT_ID],
  needsInstrument: true,
  // The rate is a decimal text, on no instrument grid.
  instrumentPrecision: {},
  metaProblems: (meta) => (meta.has(KEY_TYPE) && meta.get(KEY_TYPE) !== CLASS ? [`metadata type is "${meta.get(KEY_TYPE)}", must be ${CLASS}`] : []),
};
