// Bar (folder bar/<bar type>): schema, encoder, decoder, preview and checks (docs/quotes-bars.md §1, §2).
// Unlike the other types, a bar folder is named by the full bar type
// (BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL), which the metadata also records.
import * as A from 'apache-arrow';
import { formatRaw } from '../numbers/decimal.js';
import { readRaw, type FixedMode } from '../numbers/fixed.js';
import { nsToIso } from '../catalog/paths.js';
import { BatchColumns, asU64, batchOf, fsbData, tsInitData, u64Data } from './arrow.js';
import {
  FIXED, KEY_BAR_TYPE, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, fixedPointIncompatibility, plain,
  type DataTypeModule, type TypeMeta,
} from './types.js';

/** Column indices into Block.fixed. */
export const BAR = { tsEvent: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 } as const;
const PRICES = ['open', 'high', 'low', 'close'] as const;

function barTypeOf(meta: TypeMeta): string {
  if (!meta.barType) throw new Error('a bar file needs its bar type (e.g. BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL)');
  return meta.barType;
}

function metadata(meta: TypeMeta): Map<string, string> {
  // Keys and order as NautilusTrader's own writer puts them (docs/quotes-bars.md §1).
  return new Map([[KEY_BAR_TYPE, barTypeOf(meta)], [KEY_INSTRUMENT_ID, meta.instrumentId], [KEY_PRICE_PRECISION, String(meta.pricePrecision)], [KEY_SIZE_PRECISION, String(meta.sizePrecision)]]);
}

function schema(fm: FixedMode, meta: TypeMeta): A.Schema {
  const PB = (name: string) => new A.Field(name, new A.FixedSizeBinary(fm.W), false);
  return new A.Schema(
    [...PRICES.map(PB), PB('volume'), new A.Field('ts_event', new A.Uint64(), false), new A.Field('ts_init', new A.Uint64(), false)],
    metadata(meta));
}

export const BAR_MODULE: DataTypeModule = {
  type: 'bars',
  className: 'Bar',
  folder: 'bar',
  identFolder: barTypeOf,
  layout: (fm) => ({ fixed: [8, fm.W, fm.W, fm.W, fm.W, fm.W], vars: 0 }),
  schema,
  metadata,
  toBatch: (fm, s, b) => batchOf(s, b.n, [
    ...PRICES.map((k) => fsbData(fm.W, b.n, b.fixed[BAR[k]]!)), fsbData(fm.W, b.n, b.fixed[BAR.volume]!),
    u64Data(asU64(b.fixed[BAR.tsEvent]!)), tsInitData(b.tsInit),
  ]),
  fromBatch: (fm, batch) => {
    const c = new BatchColumns(batch);
    return { n: c.n, tsInit: c.u64('ts_init'), fixed: [c.fixed('ts_event', 8), ...PRICES.map((k) => c.fixed(k, fm.W)), c.fixed('volume', fm.W)], vars: [] };
  },
  previewFields: (b, i, fm, p) => {
    const px = (k: (typeof PRICES)[number]) => formatRaw(readRaw(b.fixed[BAR[k]]!, i * fm.W, fm.W, true), fm.F, p.price);
    return {
      ts_event: nsToIso(b.views[BAR.tsEvent]!.getBigUint64(i * 8, true)),
      open: px('open'), high: px('high'), low: px('low'), close: px('close'),
      volume: formatRaw(readRaw(b.fixed[BAR.volume]!, i * fm.W, fm.W, false), fm.F, p.size),
    };
  },
  duplicateReason: 'same open time as an earlier bar',
  incompatibility: (folder, sig, fm, meta) => fixedPointIncompatibility(BAR_MODULE, folder, sig, fm, meta),
  fields: [['open', FIXED, false], ['high', FIXED, false], ['low', FIXED, false], ['close', FIXED, false], ['volume', FIXED, false], ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false]],
  metaKeys: [KEY_BAR_TYPE, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION],
  // Folders are named by bar type, e.g. BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL.
  idKey: KEY_BAR_TYPE,
  instrumentOf: (ident) => (ident.split('-').length > 2 ? ident.split('-').slice(0, 2).join('-') : ident),
  needsInstrument: true,
  fixedColumns: { signed: ['open', 'high', 'low', 'close'], unsigned: ['volume'] },
  instrumentPrecision: { price: 'error', size: 'error' },
};
