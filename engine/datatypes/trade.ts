// TradeTick (folder trade_tick): schema, encoder, decoder, preview and checks (spec §5, §7).
import * as A from 'apache-arrow';
import type { BlockBuilder } from '../blocks/block.js';
import { formatRaw } from '../numbers/decimal.js';
import { readRaw, type FixedMode } from '../numbers/fixed.js';
import { nsToIso } from '../catalog/paths.js';
import { BatchColumns, batchOf, fsbData, tsInitData, u64Data, u8Data, utf8Data, asU64 } from './arrow.js';
import {
  FIXED, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, fixedPointIncompatibility, fixedPointMetadata, plain,
  type DataTypeModule, type RowCheck, type TypeMeta,
} from './types.js';

/** Column indices into Block.fixed (and Block.vars for id). */
export const TRADE = { tsEvent: 0, price: 1, size: 2, side: 3, id: 0 } as const;

/** AggressorSide values 0, 1, 2 by name (NautilusTrader's enum). */
const SIDE_NAMES = ['NO_AGGRESSOR', 'BUYER', 'SELLER'];
/** NautilusTrader's TradeId holds 1 to 36 characters. */
const TRADE_ID_MAX = 36;

function schema(fm: FixedMode, meta: TypeMeta): A.Schema {
  const PB = () => new A.FixedSizeBinary(fm.W);
  return new A.Schema(
    [new A.Field('price', PB(), false), new A.Field('size', PB(), false), new A.Field('aggressor_side', new A.Uint8(), false),
      new A.Field('trade_id', new A.Utf8(), false), new A.Field('ts_event', new A.Uint64(), false), new A.Field('ts_init', new A.Uint64(), false)],
    fixedPointMetadata(meta));
}

/** Aggressor sides and trade ids NautilusTrader would refuse, counted over the file. */
function rowCheck(): RowCheck {
  let badSide = 0, badId = 0;
  return {
    add(b) {
      const side = b.getChild('aggressor_side'), id = b.getChild('trade_id');
      for (let i = 0; i < b.numRows; i++) {
        const s = side?.get(i);
        if (s !== 0 && s !== 1 && s !== 2) badSide++;
        const tid = String(id?.get(i) ?? '');
        if (tid.length < 1 || tid.length > TRADE_ID_MAX) badId++;
      }
    },
    finish() {
      const out: string[] = [];
      if (badSide) out.push(`${badSide} rows have an aggressor_side other than 0, 1 or 2`);
      if (badId) out.push(`${badId} rows have a trade_id that is empty or longer than ${TRADE_ID_MAX} characters`);
      return out;
    },
  };
}

function previewFields(b: BlockBuilder, i: number, fm: FixedMode, p: { price: number; size: number }): Record<string, string> {
  return {
    ts_event: nsToIso(b.views[TRADE.tsEvent]!.getBigUint64(i * 8, true)),
    price: formatRaw(readRaw(b.fixed[TRADE.price]!, i * fm.W, fm.W, true), fm.F, p.price),
    size: formatRaw(readRaw(b.fixed[TRADE.size]!, i * fm.W, fm.W, false), fm.F, p.size),
    aggressor_side: SIDE_NAMES[b.fixed[TRADE.side]![i]!]!,
    trade_id: b.varAt(TRADE.id, i),
  };
}

export const TRADE_TICK: DataTypeModule = {
  type: 'trades',
  className: 'TradeTick',
  folder: 'trade_tick',
  layout: (fm) => ({ fixed: [8, fm.W, fm.W, 1], vars: 1 }),
  schema,
  metadata: fixedPointMetadata,
  toBatch: (fm, s, b) => batchOf(s, b.n, [
    fsbData(fm.W, b.n, b.fixed[TRADE.price]!), fsbData(fm.W, b.n, b.fixed[TRADE.size]!), u8Data(b.n, b.fixed[TRADE.side]!),
    utf8Data(b.n, b.vars[TRADE.id]!), u64Data(asU64(b.fixed[TRADE.tsEvent]!)), tsInitData(b.tsInit),
  ]),
  fromBatch: (fm, batch) => {
    const c = new BatchColumns(batch);
    return { n: c.n, tsInit: c.u64('ts_init'), fixed: [c.fixed('ts_event', 8), c.fixed('price', fm.W), c.fixed('size', fm.W), c.fixed('aggressor_side', 1)], vars: [c.vars('trade_id')] };
  },
  previewFields,
  duplicateReason: 'same trade id as an earlier row',
  unmappedNotes: {
    trade_id: 'no trade id column: each trade gets an id derived from its time, price, size and side, as NautilusTrader derives them; such rows are never dropped as duplicates',
  },
  incompatibility: (folder, sig, fm, meta) => fixedPointIncompatibility(TRADE_TICK, folder, sig, fm, meta),
  fields: [['price', FIXED, false], ['size', FIXED, false], ['aggressor_side', plain('Uint8'), false], ['trade_id', plain('Utf8'), false], ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false]],
  metaKeys: [KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION],
  needsInstrument: true,
  fixedColumns: { signed: ['price'], unsigned: ['size'] },
  instrumentPrecision: { price: 'error', size: 'error' },
  rowCheck,
};
