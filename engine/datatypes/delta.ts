// OrderBookDelta (folder order_book_deltas): schema, encoder, decoder, preview and checks. The
// schema is NautilusTrader's (crates/serialization/src/arrow/delta.rs): the Rust decoder takes the
// columns by position, so the order matters.
import * as A from 'apache-arrow';
import { formatRaw } from '../numbers/decimal.js';
import { readRaw, type FixedMode } from '../numbers/fixed.js';
import { nsToIso } from '../catalog/paths.js';
import { BatchColumns, asU64, batchOf, fsbData, tsInitData, u64Data, u8Data } from './arrow.js';
import {
  FIXED, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, fixedPointIncompatibility, fixedPointMetadata, plain,
  type DataTypeModule, type RowCheck, type TypeMeta,
} from './types.js';

/** Column indices into Block.fixed. */
export const DELTA = { tsEvent: 0, action: 1, side: 2, price: 3, size: 4, orderId: 5, flags: 6, sequence: 7 } as const;

/** NautilusTrader's BookAction values. */
export const ACTION_ADD = 1, ACTION_UPDATE = 2, ACTION_DELETE = 3, ACTION_CLEAR = 4;
/** NautilusTrader's OrderSide values (NO_ORDER_SIDE for a CLEAR). */
export const BOOK_NO_SIDE = 0, BOOK_BUY = 1, BOOK_SELL = 2;
/** NautilusTrader's RecordFlag bits. */
export const F_LAST = 128, F_SNAPSHOT = 32;

const ACTION_NAMES = ['?', 'ADD', 'UPDATE', 'DELETE', 'CLEAR'];
const SIDE_NAMES = ['NONE', 'BID', 'ASK'];

function schema(fm: FixedMode, meta: TypeMeta): A.Schema {
  const PB = () => new A.FixedSizeBinary(fm.W);
  const u8 = (name: string) => new A.Field(name, new A.Uint8(), false);
  const u64 = (name: string) => new A.Field(name, new A.Uint64(), false);
  return new A.Schema(
    [u8('action'), u8('side'), new A.Field('price', PB(), false), new A.Field('size', PB(), false), u64('order_id'), u8('flags'), u64('sequence'), u64('ts_event'), u64('ts_init')],
    fixedPointMetadata(meta));
}

/** Actions and sides NautilusTrader would refuse, counted over the file. */
function rowCheck(): RowCheck {
  let badAction = 0, badSide = 0;
  return {
    add(b) {
      const action = b.getChild('action'), side = b.getChild('side');
      for (let i = 0; i < b.numRows; i++) {
        const a = action?.get(i), s = side?.get(i);
        if (!(a >= ACTION_ADD && a <= ACTION_CLEAR)) badAction++;
        if (s !== BOOK_BUY && s !== BOOK_SELL && !(s === BOOK_NO_SIDE && a === ACTION_CLEAR)) badSide++;
      }
    },
    finish() {
      const out: string[] = [];
      if (badAction) out.push(`${badAction} rows have an action other than 1 (ADD), 2 (UPDATE), 3 (DELETE) or 4 (CLEAR)`);
      if (badSide) out.push(`${badSide} rows have a side other than 1 (BUY) or 2 (SELL) on a level`);
      return out;
    },
  };
}

export const ORDER_BOOK_DELTA: DataTypeModule = {
  type: 'deltas',
  className: 'OrderBookDelta',
  folder: 'order_book_deltas',
  layout: (fm) => ({ fixed: [8, 1, 1, fm.W, fm.W, 8, 1, 8], vars: 0 }),
  schema,
  metadata: fixedPointMetadata,
  toBatch: (fm, s, b) => batchOf(s, b.n, [
    u8Data(b.n, b.fixed[DELTA.action]!), u8Data(b.n, b.fixed[DELTA.side]!),
    fsbData(fm.W, b.n, b.fixed[DELTA.price]!), fsbData(fm.W, b.n, b.fixed[DELTA.size]!),
    u64Data(asU64(b.fixed[DELTA.orderId]!)), u8Data(b.n, b.fixed[DELTA.flags]!), u64Data(asU64(b.fixed[DELTA.sequence]!)),
    u64Data(asU64(b.fixed[DELTA.tsEvent]!)), tsInitData(b.tsInit),
  ]),
  fromBatch: (fm, batch) => {
    const c = new BatchColumns(batch);
    return {
      n: c.n, tsInit: c.u64('ts_init'), vars: [],
      fixed: [c.fixed('ts_event', 8), c.fixed('action', 1), c.fixed('side', 1), c.fixed('price', fm.W), c.fixed('size', fm.W), c.fixed('order_id', 8), c.fixed('flags', 1), c.fixed('sequence', 8)],
    };
  },
  previewFields: (b, i, fm, p) => {
    const action = b.fixed[DELTA.action]![i]!, flags = b.fixed[DELTA.flags]![i]!;
    const out: Record<string, string> = {
      ts_event: nsToIso(b.views[DELTA.tsEvent]!.getBigUint64(i * 8, true)),
      action: ACTION_NAMES[action] ?? String(action),
      side: SIDE_NAMES[b.fixed[DELTA.side]![i]!] ?? '?',
    };
    if (action !== ACTION_CLEAR) {
      out.price = formatRaw(readRaw(b.fixed[DELTA.price]!, i * fm.W, fm.W, true), fm.F, p.price);
      out.size = formatRaw(readRaw(b.fixed[DELTA.size]!, i * fm.W, fm.W, false), fm.F, p.size);
    }
    out.flags = [flags & F_SNAPSHOT ? 'SNAPSHOT' : '', flags & F_LAST ? 'LAST' : ''].filter(Boolean).join(' ') || '-';
    return out;
  },
  addedRow: (b, i) => (b.fixed[DELTA.action]![i] === ACTION_CLEAR ? 'added: NautilusTrader\'s loader puts a CLEAR before each snapshot' : null),
  // Deltas carry no id and a book repeats levels: only a second read of the same file is a duplicate.
  duplicateReason: 'the same file was read twice (equal updates are otherwise separate events)',
  incompatibility: (folder, sig, fm, meta) => fixedPointIncompatibility(ORDER_BOOK_DELTA, folder, sig, fm, meta),
  fields: [
    ['action', plain('Uint8'), false], ['side', plain('Uint8'), false], ['price', FIXED, false], ['size', FIXED, false],
    ['order_id', plain('Uint64'), false], ['flags', plain('Uint8'), false], ['sequence', plain('Uint64'), false],
    ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false],
  ],
  metaKeys: [KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION],
  needsInstrument: true,
  fixedColumns: { signed: ['price'], unsigned: ['size'] },
  instrumentPrecision: { price: 'error', size: 'error' },
  rowCheck,
};
