// MarkPriceUpdate (folder mark_price_update): schema, encoder, decoder, preview and checks (spec §5, §7).
import * as A from 'apache-arrow';
import { formatRaw } from '../numbers/decimal.js';
import { readRaw, type FixedMode } from '../numbers/fixed.js';
import { nsToIso } from '../catalog/paths.js';
import { BatchColumns, batchOf, fsbData, tsInitData, u64Data, asU64 } from './arrow.js';
import { FIXED, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, fixedPointIncompatibility, plain, type DataTypeModule, type TypeMeta } from './types.js';

/** Column indices into Block.fixed. */
export const MARK = { tsEvent: 0, value: 1 } as const;

function metadata(meta: TypeMeta): Map<string, string> {
  return new Map([[KEY_INSTRUMENT_ID, meta.instrumentId], [KEY_PRICE_PRECISION, String(meta.pricePrecision)]]);
}

function schema(fm: FixedMode, meta: TypeMeta): A.Schema {
  return new A.Schema(
    [new A.Field('value', new A.FixedSizeBinary(fm.W), false), new A.Field('ts_event', new A.Uint64(), false), new A.Field('ts_init', new A.Uint64(), false)],
    metadata(meta));
}

export const MARK_PRICE_UPDATE: DataTypeModule = {
  type: 'mark',
  className: 'MarkPriceUpdate',
  folder: 'mark_price_update',
  layout: (fm) => ({ fixed: [8, fm.W], vars: 0 }),
  schema,
  metadata,
  toBatch: (fm, s, b) => batchOf(s, b.n, [fsbData(fm.W, b.n, b.fixed[MARK.value]!), u64Data(asU64(b.fixed[MARK.tsEvent]!)), tsInitData(b.tsInit)]),
  fromBatch: (fm, batch) => {
    const c = new BatchColumns(batch);
    return { n: c.n, tsInit: c.u64('ts_init'), fixed: [c.fixed('ts_event', 8), c.fixed('value', fm.W)], vars: [] };
  },
  previewFields: (b, i, fm, p) => ({
    ts_event: nsToIso(b.views[MARK.tsEvent]!.getBigUint64(i * 8, true)),
    mark_price: formatRaw(readRaw(b.fixed[MARK.value]!, i * fm.W, fm.W, true), fm.F, p.price),
  }),
  // A mark price is kept only when it changes (normalize/normalizer.ts).
  duplicateReason: 'same value as the previous row',
  incompatibility: (folder, sig, fm, meta) => fixedPointIncompatibility(MARK_PRICE_UPDATE, folder, sig, fm, meta),
  fields: [['value', FIXED, false], ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false]],
  metaKeys: [KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION],
  needsInstrument: true,
  fixedColumns: { signed: ['value'], unsigned: [] },
  // NautilusTrader does not compare a mark price's precision with the instrument's: a difference is only suspicious.
  instrumentPrecision: { price: 'warning' },
};
