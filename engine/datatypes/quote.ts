// QuoteTick (folder quote_tick): schema, encoder, decoder and preview (docs/quotes-bars.md §1, §2).
import * as A from 'apache-arrow';
import { formatRaw } from '../numbers/decimal.js';
import { readRaw, type FixedMode } from '../numbers/fixed.js';
import { nsToIso } from '../catalog/paths.js';
import { BatchColumns, batchOf, fsbData, tsInitData, u64Data, asU64 } from './arrow.js';
import {
  FIXED, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, fixedPointIncompatibility, fixedPointMetadata, plain,
  type DataTypeModule, type TypeMeta,
} from './types.js';

/** Column indices into Block.fixed. */
export const QUOTE = { tsEvent: 0, bidPrice: 1, askPrice: 2, bidSize: 3, askSize: 4 } as const;

/** Field order matters: NautilusTrader's Rust decoder takes the columns by position. */
function schema(fm: FixedMode, meta: TypeMeta): A.Schema {
  const PB = () => new A.FixedSizeBinary(fm.W);
  return new A.Schema(
    [new A.Field('bid_price', PB(), false), new A.Field('ask_price', PB(), false), new A.Field('bid_size', PB(), false), new A.Field('ask_size', PB(), false),
      new A.Field('ts_event', new A.Uint64(), false), new A.Field('ts_init', new A.Uint64(), false)],
    fixedPointMetadata(meta));
}

export const QUOTE_TICK: DataTypeModule = {
  type: 'quotes',
  className: 'QuoteTick',
  folder: 'quote_tick',
  layout: (fm) => ({ fixed: [8, fm.W, fm.W, fm.W, fm.W], vars: 0 }),
  schema,
  metadata: fixedPointMetadata,
  toBatch: (fm, s, b) => batchOf(s, b.n, [
    fsbData(fm.W, b.n, b.fixed[QUOTE.bidPrice]!), fsbData(fm.W, b.n, b.fixed[QUOTE.askPrice]!),
    fsbData(fm.W, b.n, b.fixed[QUOTE.bidSize]!), fsbData(fm.W, b.n, b.fixed[QUOTE.askSize]!),
    u64Data(asU64(b.fixed[QUOTE.tsEvent]!)), tsInitData(b.tsInit),
  ]),
  fromBatch: (fm, batch) => {
    const c = new BatchColumns(batch);
    return {
      n: c.n, tsInit: c.u64('ts_init'), vars: [],
      fixed: [c.fixed('ts_event', 8), c.fixed('bid_price', fm.W), c.fixed('ask_price', fm.W), c.fixed('bid_size', fm.W), c.fixed('ask_size', fm.W)],
    };
  },
  previewFields: (b, i, fm, p) => {
    const fixed = (col: number, signed: boolean, prec: number) => formatRaw(readRaw(b.fixed[col]!, i * fm.W, fm.W, signed), fm.F, prec);
    return {
      ts_event: nsToIso(b.views[QUOTE.tsEvent]!.getBigUint64(i * 8, true)),
      bid_price: fixed(QUOTE.bidPrice, true, p.price),
      bid_size: fixed(QUOTE.bidSize, false, p.size),
      ask_price: fixed(QUOTE.askPrice, true, p.price),
      ask_size: fixed(QUOTE.askSize, false, p.size),
    };
  },
  // Quotes carry no id and a book often repeats its top: only a second read of the same file is a duplicate.
  duplicateReason: 'the same file was read twice (equal quotes are otherwise separate updates)',
  incompatibility: (folder, sig, fm, meta) => fixedPointIncompatibility(QUOTE_TICK, folder, sig, fm, meta),
  fields: [['bid_price', FIXED, false], ['ask_price', FIXED, false], ['bid_size', FIXED, false], ['ask_size', FIXED, false], ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false]],
  metaKeys: [KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION],
  needsInstrument: true,
  fixedColumns: { signed: ['bid_price', 'ask_price'], unsigned: ['bid_size', 'ask_size'] },
  instrumentPrecision: { price: 'error', size: 'error' },
};
