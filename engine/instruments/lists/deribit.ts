// Deribit public/get_instruments (JSON-RPC `result`: an array of instruments) as definitions, as
// NautilusTrader's Deribit adapter builds them (crates/adapters/deribit/src/common/parse.rs
// parse_perpetual_instrument / parse_future_instrument / parse_spot_instrument): sizes are
// Deribit's `amount` (USD for inverse contracts), so the multiplier is 1 and the size step is
// min_trade_amount (10 for BTC-PERPETUAL).
import type { InstrumentDef, InstrumentKind } from '../definition.js';
import { instrumentIdFor } from '../markets.js';
import { atPrecision, num, isRec, msToNs, precisionOf, readRecords, RecordError, str, type ListFormat, type ListRead, type Rec } from './common.js';

function resultOf(json: unknown): Rec[] | null {
  return isRec(json) && Array.isArray(json.result) ? (json.result as unknown[]).filter(isRec) : null;
}

function kindOf(r: Rec): InstrumentKind {
  if (r.kind === 'spot') return 'spot';
  if (r.kind === 'future') return String(r.instrument_name).includes('PERPETUAL') ? 'perpetual' : 'future';
  throw new RecordError(`kind ${JSON.stringify(r.kind)} is not read (options and combos are not)`);
}

function record(r: Rec, file: string): InstrumentDef {
  const kind = kindOf(r);
  const raw = str(r, 'instrument_name'), base = str(r, 'base_currency').toUpperCase(), quote = str(r, 'quote_currency').toUpperCase();
  const priceIncrement = num(r, 'tick_size'), sizeIncrement = num(r, 'min_trade_amount');
  const inverse = kind !== 'spot' && r.instrument_type === 'reversed';
  const settlement = kind === 'spot' ? quote : typeof r.settlement_currency === 'string' ? r.settlement_currency.toUpperCase() : base;
  return {
    kind, id: instrumentIdFor('deribit', kind, raw), rawSymbol: raw, base, quote, settlement, isInverse: inverse,
    priceIncrement, sizeIncrement, multiplier: '1', lotSize: kind === 'spot' ? null : sizeIncrement,
    minQuantity: atPrecision(sizeIncrement, precisionOf(sizeIncrement)), maxQuantity: null,
    minNotional: null, maxNotional: null, minPrice: null, maxPrice: null,
    marginInit: '0', marginMaint: '0', makerFee: num(r, 'maker_commission'), takerFee: num(r, 'taker_commission'),
    ...(kind === 'future' ? { activationNs: msToNs(r, 'creation_timestamp'), expirationNs: msToNs(r, 'expiration_timestamp') } : {}),
    info: r, source: `Deribit get_instruments ${file}`,
  };
}

export const DERIBIT: ListFormat = {
  name: 'Deribit get_instruments',
  recognise(json) {
    const res = resultOf(json);
    return res && res.some((r) => 'instrument_name' in r && 'tick_size' in r) ? 'Deribit get_instruments' : null;
  },
  read(json, file): ListRead {
    return { markets: ['deribit'], ...readRecords(resultOf(json)!, 'instrument_name', (r) => record(r, file)) };
  },
};
