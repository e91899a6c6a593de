// Instrument definitions: CryptoPerpetual (crypto_perpetual), CryptoFuture (crypto_future) and
// CurrencyPair (currency_pair), each in the Rust encoder's layout (crates/serialization/src/arrow/
// instrument/<class>.rs), with verify's checks. The rows are built by instruments/batch.ts.
import * as A from 'apache-arrow';
import { KEY_CLASS, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, plain, type FieldSpec, type InstrumentModule, type TypeMeta } from './types.js';

type Kind = 'Utf8' | 'Bool' | 'Uint8' | 'Uint64' | 'Binary';
type Column = [name: string, kind: Kind, nullable: boolean];
const ARROW: Record<Kind, () => A.DataType> = {
  Utf8: () => new A.Utf8(), Bool: () => new A.Bool(), Uint8: () => new A.Uint8(), Uint64: () => new A.Uint64(), Binary: () => new A.Binary(),
};

// The columns every class shares after its own head (precisions to timestamps).
const TAIL: Column[] = [
  ['price_precision', 'Uint8', false], ['size_precision', 'Uint8', false], ['price_increment', 'Utf8', false],
  ['size_increment', 'Utf8', false], ['multiplier', 'Utf8', false], ['lot_size', 'Utf8', true],
  ['max_quantity', 'Utf8', true], ['min_quantity', 'Utf8', true], ['max_notional', 'Utf8', true],
  ['min_notional', 'Utf8', true], ['max_price', 'Utf8', true], ['min_price', 'Utf8', true],
  ['margin_init', 'Utf8', false], ['margin_maint', 'Utf8', false], ['maker_fee', 'Utf8', false],
  ['taker_fee', 'Utf8', false], ['tick_scheme', 'Utf8', true], ['info', 'Binary', true],
  ['ts_event', 'Uint64', false], ['ts_init', 'Uint64', false],
];

const COLUMNS = {
  CryptoPerpetual: [
    ['id', 'Utf8', false], ['raw_symbol', 'Utf8', false], ['base_currency', 'Utf8', false], ['quote_currency', 'Utf8', false],
    ['settlement_currency', 'Utf8', false], ['is_inverse', 'Bool', false], ...TAIL,
  ],
  CryptoFuture: [
    ['id', 'Utf8', false], ['raw_symbol', 'Utf8', false], ['underlying', 'Utf8', false], ['quote_currency', 'Utf8', false],
    ['settlement_currency', 'Utf8', false], ['is_inverse', 'Bool', false], ['activation_ns', 'Uint64', false], ['expiration_ns', 'Uint64', false], ...TAIL,
  ],
  CurrencyPair: [
    ['id', 'Utf8', false], ['raw_symbol', 'Utf8', false], ['base_currency', 'Utf8', false], ['quote_currency', 'Utf8', false], ...TAIL,
  ],
} satisfies Record<string, Column[]>;

export type InstrumentClass = keyof typeof COLUMNS;

function instrumentModule(className: InstrumentClass, folder: string, expected: FieldSpec[]): InstrumentModule {
  const columns: Column[] = COLUMNS[className];
  return {
    className,
    folder,
    schema: (meta: TypeMeta) => new A.Schema(
      columns.map(([n, k, nullable]) => new A.Field(n, ARROW[k](), nullable)),
      new Map([[KEY_CLASS, className], [KEY_INSTRUMENT_ID, meta.instrumentId], [KEY_PRICE_PRECISION, String(meta.pricePrecision)], [KEY_SIZE_PRECISION, String(meta.sizePrecision)]]),
    ),
    fields: expected,
    metaKeys: [KEY_CLASS],
    needsInstrument: false,
    instrumentPrecision: {},
    metaProblems: (meta) => (meta.get(KEY_CLASS) !== className ? [`metadata ${KEY_CLASS} must be ${className}`] : []),
  };
}

// What NautilusTrader reads, written out rather than derived from COLUMNS: test/engine/datatypes.test.ts compares the two.
const U = plain('Utf8');
const EXPECTED_TAIL: FieldSpec[] = [
  ['price_precision', plain('Uint8'), false], ['size_precision', plain('Uint8'), false], ['price_increment', U, false], ['size_increment', U, false],
  ['multiplier', U, false], ['lot_size', U, true], ['max_quantity', U, true], ['min_quantity', U, true], ['max_notional', U, true], ['min_notional', U, true],
  ['max_price', U, true], ['min_price', U, true], ['margin_init', U, false], ['margin_maint', U, false], ['maker_fee', U, false], ['taker_fee', U, false],
  ['tick_scheme', U, true], ['info', plain('Binary'), true], ['ts_event', plain('Uint64'), false], ['ts_init', plain('Uint64'), false],
];

export const CRYPTO_PERPETUAL = instrumentModule('CryptoPerpetual', 'crypto_perpetual', [
  ['id', U, false], ['raw_symbol', U, false], ['base_currency', U, false], ['quote_currency', U, false],
  ['settlement_currency', U, false], ['is_inverse', plain('Bool'), false], ...EXPECTED_TAIL,
]);
export const CRYPTO_FUTURE = instrumentModule('CryptoFuture', 'crypto_future', [
  ['id', U, false], ['raw_symbol', U, false], ['underlying', U, false], ['quote_currency', U, false],
  ['settlement_currency', U, false], ['is_inverse', plain('Bool'), false], ['activation_ns', plain('Uint64'), false], ['expiration_ns', plain('Uint64'), false], ...EXPECTED_TAIL,
]);
export const CURRENCY_PAIR = instrumentModule('CurrencyPair', 'currency_pair', [
  ['id', U, false], ['raw_symbol', U, false], ['base_currency', U, false], ['quote_currency', U, false], ...EXPECTED_TAIL,
]);

/** The instrument classes this tool writes (and verify reads for their precisions). */
export const INSTRUMENT_MODULES: readonly InstrumentModule[] = [CRYPTO_PERPETUAL, CRYPTO_FUTURE, CURRENCY_PAIR];
