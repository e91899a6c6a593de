// OrderBookDepth10 (folder order_book_depths): schema, encoder, decoder and preview. The schema is
// NautilusTrader's (crates/serialization/src/arrow/depth.rs): bid_price_0..9, ask_price_0..9,
// bid_size_0..9, ask_size_0..9, bid_count_0..9, ask_count_0..9, flags, sequence, ts_event, ts_init,
// in that order (the Rust decoder takes the columns by position). An empty level is NautilusTrader's
// NULL_ORDER: price 0, size 0, count 0.
import * as A from 'apache-arrow';
import { formatRaw } from '../numbers/decimal.js';
import { readRaw, type FixedMode } from '../numbers/fixed.js';
import { nsToIso } from '../catalog/paths.js';
import { BatchColumns, asU64, batchOf, fsbData, tsInitData, u64Data, u8Data } from './arrow.js';
import {
  FIXED, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, fixedPointIncompatibility, fixedPointMetadata, plain,
  type DataTypeModule, type FieldSpec, type TypeMeta,
} from './types.js';

export const DEPTH_LEVELS = 10;
const L = DEPTH_LEVELS;
/** Column indices into Block.fixed: each group is 10 columns, level 0 first. */
export const DEPTH = {
  tsEvent: 0, bidPrice: 1, askPrice: 1 + L, bidSize: 1 + 2 * L, askSize: 1 + 3 * L, bidCount: 1 + 4 * L, askCount: 1 + 5 * L,
  flags: 1 + 6 * L, sequence: 2 + 6 * L,
} as const;

const GROUPS = ['bid_price', 'ask_price', 'bid_size', 'ask_size', 'bid_count', 'ask_count'] as const;
const names = (g: string) => Array.from({ length: L }, (_, i) => `${g}_${i}`);

function schema(fm: FixedMode, meta: TypeMeta): A.Schema {
  const fields: A.Field[] = [];
  for (const g of GROUPS) for (const n of names(g)) fields.push(new A.Field(n, g.endsWith('count') ? new A.Uint32() : new A.FixedSizeBinary(fm.W), false));
  fields.push(new A.Field('flags', new A.Uint8(), false), new A.Field('sequence', new A.Uint64(), false), new A.Field('ts_event', new A.Uint64(), false), new A.Field('ts_init', new A.Uint64(), false));
  return new A.Schema(fields, fixedPointMetadata(meta));
}

const u32Data = (n: number, bytes: Uint8Array) => A.makeData({ type: new A.Uint32(), length: n, nullCount: 0, data: new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n * 4)) });

const FIELDS: FieldSpec[] = [
  ...GROUPS.flatMap((g) => names(g).map((n): FieldSpec => [n, g.endsWith('count') ? plain('Uint32') : FIXED, false])),
  ['flags', plain('Uint8'), false], ['sequence', plain('Uint64'), false], ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false],
];

export const ORDER_BOOK_DEPTH10: DataTypeModule = {
  type: 'depth10',
  className: 'OrderBookDepth10',
  folder: 'order_book_depths',
  layout: (fm) => ({ fixed: [8, ...Array(4 * L).fill(fm.W), ...Array(2 * L).fill(4), 1, 8], vars: 0 }),
  schema,
  metadata: fixedPointMetadata,
  toBatch: (fm, s, b) => {
    const cols: A.Data[] = [];
    for (let k = 0; k < 4 * L; k++) cols.push(fsbData(fm.W, b.n, b.fixed[DEPTH.bidPrice + k]!));
    for (let k = 0; k < 2 * L; k++) cols.push(u32Data(b.n, b.fixed[DEPTH.bidCount + k]!));
    cols.push(u8Data(b.n, b.fixed[DEPTH.flags]!), u64Data(asU64(b.fixed[DEPTH.sequence]!)), u64Data(asU64(b.fixed[DEPTH.tsEvent]!)), tsInitData(b.tsInit));
    return batchOf(s, b.n, cols);
  },
  fromBatch: (fm, batch) => {
    const c = new BatchColumns(batch);
    const fixed = [c.fixed('ts_event', 8)];
    for (const g of GROUPS) for (const n of names(g)) fixed.push(c.fixed(n, g.endsWith('count') ? 4 : fm.W));
    fixed.push(c.fixed('flags', 1), c.fixed('sequence', 8));
    return { n: c.n, tsInit: c.u64('ts_init'), vars: [], fixed };
  },
  previewFields: (b, i, fm, p) => {
    const px = (col: number) => formatRaw(readRaw(b.fixed[col]!, i * fm.W, fm.W, true), fm.F, p.price);
    const sz = (col: number) => formatRaw(readRaw(b.fixed[col]!, i * fm.W, fm.W, false), fm.F, p.size);
    const count = (col: number) => b.views[col]!.getUint32(i * 4, true);
    const level = (side: 'bid' | 'ask', k: number) => {
      const [pc, sc, cc] = side === 'bid' ? [DEPTH.bidPrice, DEPTH.bidSize, DEPTH.bidCount] : [DEPTH.askPrice, DEPTH.askSize, DEPTH.askCount];
      return count(cc + k) === 0 ? '—' : `${sz(sc + k)} @ ${px(pc + k)}`;
    };
    const out: Record<string, string> = { ts_event: nsToIso(b.views[DEPTH.tsEvent]!.getBigUint64(i * 8, true)) };
    // The top three levels each side; the rest are in the file.
    for (let k = 0; k < 3; k++) out[`bid_${k}`] = level('bid', k);
    for (let k = 0; k < 3; k++) out[`ask_${k}`] = level('ask', k);
    out.levels = `${Array.from({ length: L }, (_, k) => count(DEPTH.bidCount + k)).filter(Boolean).length} bids, ${Array.from({ length: L }, (_, k) => count(DEPTH.askCount + k)).filter(Boolean).length} asks`;
    return out;
  },
  duplicateReason: 'the same file was read twice (equal snapshots are otherwise separate updates)',
  incompatibility: (folder, sig, fm, meta) => fixedPointIncompatibility(ORDER_BOOK_DEPTH10, folder, sig, fm, meta),
  fields: FIELDS,
  metaKeys: [KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION],
  needsInstrument: true,
  fixedColumns: { signed: [...names('bid_price'), ...names('ask_price')], unsigned: [...names('bid_size'), ...names('ask_size')] },
  instrumentPrecision: { price: 'error', size: 'error' },
};
