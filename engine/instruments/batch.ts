// One instrument as the one-row record batch its class's file holds (the Rust encoder's layout,
// datatypes/instrument.ts), so both NautilusTrader catalogs read it.
import * as A from 'apache-arrow';
import { parseDecimal } from '../numbers/decimal.js';
import { instrumentModuleOf } from '../datatypes/index.js';
import { CLASS_OF, type Instrument } from './definition.js';

/** A limit is only valid at the instrument's precision: one finer than it (after a precision override) is left out. */
function fits(value: string | null, precision: number): string | null {
  if (!value) return null;
  const d = parseDecimal(value);
  return d && d.scale <= precision ? value : null;
}

export function instrumentRow(inst: Instrument, ts: bigint): Record<string, unknown> {
  const info = new TextEncoder().encode(JSON.stringify({ source: 'catalog-builder', definition: inst.source, ...(inst.info ? { venue: inst.info } : {}) }));
  const row: Record<string, unknown> = {
    id: inst.id, raw_symbol: inst.rawSymbol, base_currency: inst.base, underlying: inst.base, quote_currency: inst.quote,
    settlement_currency: inst.settlement, is_inverse: inst.isInverse,
    activation_ns: inst.activationNs ?? 0n, expiration_ns: inst.expirationNs ?? 0n,
    price_precision: inst.pricePrecision, size_precision: inst.sizePrecision,
    price_increment: inst.priceIncrement, size_increment: inst.sizeIncrement, multiplier: inst.multiplier, lot_size: inst.lotSize,
    max_quantity: fits(inst.maxQuantity, inst.sizePrecision), min_quantity: fits(inst.minQuantity, inst.sizePrecision),
    max_notional: inst.maxNotional, min_notional: inst.minNotional,
    max_price: fits(inst.maxPrice, inst.pricePrecision), min_price: fits(inst.minPrice, inst.pricePrecision),
    margin_init: inst.marginInit, margin_maint: inst.marginMaint, maker_fee: inst.makerFee, taker_fee: inst.takerFee,
    tick_scheme: null, info, ts_event: ts, ts_init: ts,
  };
  return row;
}

export function instrumentBatch(inst: Instrument, ts: bigint): A.RecordBatch {
  const row = instrumentRow(inst, ts);
  const schema = instrumentModuleOf(CLASS_OF[inst.kind]).schema({ instrumentId: inst.id, pricePrecision: inst.pricePrecision, sizePrecision: inst.sizePrecision });
  const children = schema.fields.map((f) => {
    const v = row[f.name];
    if (f.type instanceof A.Uint64) return A.makeData({ type: new A.Uint64(), length: 1, nullCount: 0, data: BigUint64Array.of(v as bigint) });
    return A.vectorFromArray([v], f.type).data[0]!;
  });
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: 1, nullCount: 0, children }));
}
