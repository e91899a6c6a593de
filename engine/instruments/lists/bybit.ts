// Bybit v5 /v5/market/instruments-info (category linear, inverse or spot; `result.list`) as
// definitions, as NautilusTrader's Bybit adapter builds them (crates/adapters/bybit/src/common/parse.rs
// parse_linear_instrument / parse_inverse_instrument / parse_spot_instrument).
import type { InstrumentDef, InstrumentKind } from '../definition.js';
import { instrumentIdFor, type MarketKey } from '../markets.js';
import { atPrecision, dec, isRec, money, msToNs, optDec, precisionOf, readRecords, RecordError, str, sub, type ListFormat, type ListRead, type Rec } from './common.js';

const CONTRACTS: Record<string, { market: MarketKey; kind: InstrumentKind }> = {
  LinearPerpetual: { market: 'bybit-linear', kind: 'perpetual' },
  LinearFutures: { market: 'bybit-linear', kind: 'future' },
  InversePerpetual: { market: 'bybit-inverse', kind: 'perpetual' },
  InverseFutures: { market: 'bybit-inverse', kind: 'future' },
};

function listOf(json: unknown): Rec[] | null {
  if (!isRec(json) || !isRec(json.result) || !Array.isArray(json.result.list)) return null;
  return (json.result.list as unknown[]).filter(isRec);
}

/** A record's market: its contract type; spot records have none (options, with optionsType, are not read). */
function marketOf(r: Rec): { market: MarketKey; kind: InstrumentKind } | null {
  if (typeof r.contractType === 'string') return CONTRACTS[r.contractType] ?? null;
  return 'optionsType' in r ? null : { market: 'bybit-spot', kind: 'spot' };
}

// NautilusTrader without credentials: the fee rate it falls back to (0.001 both ways) and its
// default margins (0.1).
const FEES_AND_MARGINS = { marginInit: '0.1', marginMaint: '0.1', makerFee: '0.001', takerFee: '0.001' };

function record(r: Rec, file: string): InstrumentDef {
  const m = marketOf(r);
  if (!m) throw new RecordError(`contractType ${JSON.stringify(r.contractType ?? r.optionsType)} is not read (options and unknown contracts)`);
  const raw = str(r, 'symbol'), base = str(r, 'baseCoin'), quote = str(r, 'quoteCoin');
  const pf = sub(r, 'priceFilter'), lot = sub(r, 'lotSizeFilter');
  const priceIncrement = dec(pf, 'tickSize');
  // Spot sizes step by basePrecision; contracts by qtyStep.
  const sizeIncrement = m.kind === 'spot' ? dec(lot, 'basePrecision') : dec(lot, 'qtyStep');
  const pp = precisionOf(priceIncrement), sp = precisionOf(sizeIncrement);
  const common = {
    kind: m.kind, id: instrumentIdFor(m.market, m.kind, raw), rawSymbol: raw, base, quote,
    priceIncrement, sizeIncrement, multiplier: '1', lotSize: sizeIncrement,
    minQuantity: atPrecision(dec(lot, 'minOrderQty'), sp), maxQuantity: atPrecision(dec(lot, 'maxOrderQty'), sp),
    maxNotional: null, ...FEES_AND_MARGINS, info: r, source: `Bybit instruments-info ${file}`,
  };
  if (m.kind === 'spot') return { ...common, settlement: quote, isInverse: false, minNotional: null, minPrice: null, maxPrice: null };
  const settle = str(r, 'settleCoin');
  const settlement = settle.toUpperCase() === base.toUpperCase() ? base : settle.toUpperCase() === quote.toUpperCase() ? quote : (() => { throw new RecordError(`settleCoin ${settle} is neither ${base} nor ${quote}`); })();
  const notional = optDec(lot, 'minNotionalValue');
  return {
    ...common, settlement, isInverse: m.market === 'bybit-inverse',
    minPrice: atPrecision(dec(pf, 'minPrice'), pp), maxPrice: atPrecision(dec(pf, 'maxPrice'), pp),
    // A minimum of 0 is none, as NautilusTrader reads it.
    minNotional: notional && !/^0*\.?0*$/.test(notional) ? money(notional, quote) : null,
    ...(m.kind === 'future' ? { activationNs: msToNs(r, 'launchTime'), expirationNs: msToNs(r, 'deliveryTime') } : {}),
  };
}

export const BYBIT: ListFormat = {
  name: 'Bybit instruments-info',
  recognise(json) {
    const list = listOf(json);
    if (!list || !list.length || !list.some((r) => 'lotSizeFilter' in r && 'symbol' in r)) return null;
    const category = isRec(json) && isRec(json.result) && typeof json.result.category === 'string' ? ` (${json.result.category})` : '';
    return `Bybit v5 instruments-info${category}`;
  },
  read(json, file): ListRead {
    const list = listOf(json)!;
    const markets = [...new Set(list.map(marketOf).filter((m) => m !== null).map((m) => m.market))];
    return { markets, ...readRecords(list, 'symbol', (r) => record(r, file)) };
  },
};
