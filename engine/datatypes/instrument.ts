// CryptoPerpetual (folder crypto_perpetual): the instrument definition's schema and verify's checks.
// The rows themselves (presets, limits, fees) are built by catalog/instruments.ts, in the Rust
// encoder's layout.
import * as A from 'apache-arrow';
import { KEY_CLASS, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, plain, type FieldSpec, type InstrumentModule, type TypeMeta } from './types.js';

const CLASS = 'CryptoPerpetual';
const utf8 = (): A.DataType => new A.Utf8();

const FIELDS: [string, () => A.DataType, boolean][] = [
  ['id', utf8, false], ['raw_symbol', utf8, false], ['base_currency', utf8, false],
  ['quote_currency', utf8, false], ['settlement_currency', utf8, false], ['is_inverse', () => new A.Bool(), false],
  ['price_precision', () => new A.Uint8(), false], ['size_precision', () => new A.Uint8(), false], ['price_increment', utf8, false],
  ['size_increment', utf8, false], ['multiplier', utf8, false], ['lot_size', utf8, true],
  ['max_quantity', utf8, true], ['min_quantity', utf8, true], ['max_notional', utf8, true],
  ['min_notional', utf8, true], ['max_price', utf8, true], ['min_price', utf8, true],
  ['margin_init', utf8, false], ['margin_maint', utf8, false], ['maker_fee', utf8, false],
  ['taker_fee', utf8, false], ['tick_scheme', utf8, true], ['info', () => new A.Binary(), true],
  ['ts_event', () => new A.Uint64(), false], ['ts_init', () => new A.Uint64(), false],
];

// What NautilusTrader reads, written out rather than derived from FIELDS: test/engine/datatypes.test.ts compares the two.
const EXPECTED: FieldSpec[] = [
  ['id', plain('Utf8'), false], ['raw_symbol', plain('Utf8'), false], ['base_currency', plain('Utf8'), false], ['quote_currency', plain('Utf8'), false],
  ['settlement_currency', plain('Utf8'), false], ['is_inverse', plain('Bool'), false], ['price_precision', plain('Uint8'), false], ['size_precision', plain('Uint8'), false],
  ['price_increment', plain('Utf8'), false], ['size_increment', plain('Utf8'), false], ['multiplier', plain('Utf8'), false], ['lot_size', plain('Utf8'), true],
  ['max_quantity', plain('Utf8'), true], ['min_quantity', plain('Utf8'), true], ['max_notional', plain('Utf8'), true], ['min_notional', plain('Utf8'), true],
  ['max_price', plain('Utf8'), true], ['min_price', plain('Utf8'), true], ['margin_init', plain('Utf8'), false], ['margin_maint', plain('Utf8'), false],
  ['maker_fee', plain('Utf8'), false], ['taker_fee', plain('Utf8'), false], ['tick_scheme', plain('Utf8'), true], ['info', plain('Binary'), true],
  ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false],
];

export const CRYPTO_PERPETUAL: InstrumentModule = {
  className: CLASS,
  folder: 'crypto_perpetual',
  schema: (meta: TypeMeta) => new A.Schema(
    FIELDS.map(([n, t, nullable]) => new A.Field(n, t(), nullable)),
    new Map([[KEY_CLASS, CLASS], [KEY_INSTRUMENT_ID, meta.instrumentId], [KEY_PRICE_PRECISION, String(meta.pricePrecision)], [KEY_SIZE_PRECISION, String(meta.sizePrecision)]]),
  ),
  fields: EXPECTED,
  metaKeys: [KEY_CLASS],
  needsInstrument: false,
  instrumentPrecision: {},
  metaProblems: (meta) => (meta.get(KEY_CLASS) !== CLASS ? [`metadata ${KEY_CLASS} must be ${CLASS}`] : []),
};
