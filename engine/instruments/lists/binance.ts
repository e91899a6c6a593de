// Binance exchangeInfo (spot /api/v3, USD-M /fapi/v1, COIN-M /dapi/v1) as definitions, field by
// field as NautilusTrader's Binance providers build them (adapters/binance/{spot,futures}/providers.py
// `_parse_instrument`), with the deliberate differences said where they are.
import { compareDecimal, parseDecimal } from '../../numbers/decimal.js';
import type { InstrumentDef, InstrumentKind } from '../definition.js';
import { instrumentIdFor, type MarketKey } from '../markets.js';
import { atPrecision, dec, isRec, money, msToNs, precisionOf, readRecords, RecordError, str, type ListFormat, type ListRead, type Rec } from './common.js';

const PERPETUAL = new Set(['PERPETUAL', 'PERPETUAL_DELIVERING', 'TRADIFI_PERPETUAL']);
const DATED = new Set(['CURRENT_MONTH', 'CURRENT_QUARTER', 'CURRENT_QUARTER_DELIVERING', 'NEXT_MONTH', 'NEXT_QUARTER']);

function symbolsOf(json: unknown): Rec[] | null {
  return isRec(json) && Array.isArray(json.symbols) ? (json.symbols as unknown[]).filter(isRec) : null;
}

/** The filters by type; a required one missing is a RecordError. */
function filters(r: Rec): (type: string, required?: boolean) => Rec | null {
  const all = Array.isArray(r.filters) ? (r.filters as unknown[]).filter(isRec) : [];
  return (type, required = true) => {
    const f = all.find((x) => x.filterType === type) ?? null;
    if (!f && required) throw new RecordError(`filters has no ${type}`);
    return f;
  };
}

/** A filter bound at `precision`; a max of 0 is Binance's "no limit" (none; NautilusTrader would write a max of 0). */
const limit = (f: Rec, field: string, precision: number, max = false): string | null => {
  const v = dec(f, field);
  return max && parseDecimal(v)!.digits === '' ? null : atPrecision(v, precision);
};

/** Increments and limits of PRICE_FILTER and LOT_SIZE, at the increments' precisions (Price(float(v), precision) in NautilusTrader). */
function grid(r: Rec, maxPriceCap: string | null) {
  const f = filters(r);
  const pf = f('PRICE_FILTER')!, lot = f('LOT_SIZE')!;
  const priceIncrement = dec(pf, 'tickSize'), sizeIncrement = dec(lot, 'stepSize');
  const pp = precisionOf(priceIncrement), sp = precisionOf(sizeIncrement);
  let maxPrice = dec(pf, 'maxPrice');
  // Spot: NautilusTrader caps the max price at 2^32 (its provider's min(maxPrice, 4294967296.0)).
  if (maxPriceCap && compareDecimal(parseDecimal(maxPrice)!, parseDecimal(maxPriceCap)!) > 0) maxPrice = maxPriceCap;
  return {
    f, priceIncrement, sizeIncrement,
    minPrice: limit(pf, 'minPrice', pp), maxPrice: parseDecimal(maxPrice)!.digits === '' ? null : atPrecision(maxPrice, pp),
    minQuantity: limit(lot, 'minQty', sp), maxQuantity: limit(lot, 'maxQty', sp, true),
  };
}

function futuresRecord(r: Rec, coinm: boolean, file: string): InstrumentDef {
  const contractType = typeof r.contractType === 'string' ? r.contractType : '';
  // As NautilusTrader: a symbol with no contract type or still PENDING_TRADING is not defined yet.
  // (COIN-M names the status contractStatus.)
  const status = r.status ?? r.contractStatus;
  if (contractType === '' || status === 'PENDING_TRADING') throw new RecordError(`not defined yet (contractType ${JSON.stringify(contractType)}, status ${String(status)})`);
  const kind: InstrumentKind = PERPETUAL.has(contractType) ? 'perpetual' : DATED.has(contractType) ? 'future' : (() => { throw new RecordError(`unknown contractType ${contractType}`); })();
  const raw = str(r, 'symbol'), base = str(r, 'baseAsset'), quote = str(r, 'quoteAsset'), margin = str(r, 'marginAsset');
  const settlement = margin === base ? base : margin === quote ? quote : (() => { throw new RecordError(`marginAsset ${margin} is neither ${base} nor ${quote}`); })();
  const g = grid(r, null);
  const notional = g.f('MIN_NOTIONAL', false);
  const market: MarketKey = coinm ? 'binance-coinm' : 'binance-usdm';
  return {
    kind, id: instrumentIdFor(market, kind, raw), rawSymbol: raw, base, quote, settlement,
    // Deliberate difference: NautilusTrader's provider writes every Binance future linear with
    // multiplier 1 ("no inverse instruments trade on Binance"). COIN-M sizes are contracts of
    // contractSize USD settled in the base coin, so we build them inverse with that multiplier.
    isInverse: coinm, multiplier: coinm ? dec(r, 'contractSize') : '1', lotSize: '1',
    priceIncrement: g.priceIncrement, sizeIncrement: g.sizeIncrement,
    minQuantity: g.minQuantity, maxQuantity: g.maxQuantity, minPrice: g.minPrice, maxPrice: g.maxPrice,
    minNotional: notional ? money(dec(notional, 'notional'), quote) : null, maxNotional: null,
    // NautilusTrader: margins 1 ("Binance docs: ignore API values"); fees of its tier-0 table without credentials.
    marginInit: '1', marginMaint: '1', makerFee: '0.000200', takerFee: '0.000500',
    ...(kind === 'future' ? { activationNs: msToNs(r, 'onboardDate'), expirationNs: msToNs(r, 'deliveryDate') } : {}),
    info: r, source: `${coinm ? 'COIN-M' : 'USD-M'} exchangeInfo ${file}`,
  };
}

function spotRecord(r: Rec, file: string): InstrumentDef {
  const raw = str(r, 'symbol'), base = str(r, 'baseAsset'), quote = str(r, 'quoteAsset');
  const g = grid(r, '4294967296');
  const minNotional = g.f('MIN_NOTIONAL', false), notional = g.f('NOTIONAL', false);
  return {
    kind: 'spot', id: instrumentIdFor('binance-spot', 'spot', raw), rawSymbol: raw, base, quote, settlement: quote, isInverse: false,
    priceIncrement: g.priceIncrement, sizeIncrement: g.sizeIncrement, multiplier: '1', lotSize: g.sizeIncrement,
    minQuantity: g.minQuantity, maxQuantity: g.maxQuantity, minPrice: g.minPrice, maxPrice: g.maxPrice,
    // The older MIN_NOTIONAL filter first, else NOTIONAL (min and max), as NautilusTrader reads them.
    minNotional: minNotional ? money(dec(minNotional, 'minNotional'), quote) : notional ? money(dec(notional, 'minNotional'), quote) : null,
    maxNotional: !minNotional && notional ? money(dec(notional, 'maxNotional'), quote) : null,
    // NautilusTrader: margins 0; fees 0 without credentials (it asks the account's fees only with a key).
    marginInit: '0', marginMaint: '0', makerFee: '0', takerFee: '0',
    info: r, source: `spot exchangeInfo ${file}`,
  };
}

const isFutures = (s: Rec[]) => s.some((r) => 'contractType' in r);

export const BINANCE: ListFormat = {
  name: 'Binance exchangeInfo',
  recognise(json) {
    const s = symbolsOf(json);
    if (!s || !s.length || !s.some((r) => 'baseAsset' in r && 'filters' in r)) return null;
    if (isFutures(s)) return s.some((r) => 'contractSize' in r) ? 'Binance COIN-M exchangeInfo' : 'Binance USD-M exchangeInfo';
    return s.some((r) => 'permissions' in r || 'permissionSets' in r || 'isSpotTradingAllowed' in r) ? 'Binance spot exchangeInfo' : null;
  },
  read(json, file): ListRead {
    const s = symbolsOf(json)!;
    if (!isFutures(s)) return { markets: ['binance-spot'], ...readRecords(s, 'symbol', (r) => spotRecord(r, file)) };
    const coinm = s.some((r) => 'contractSize' in r);
    return { markets: [coinm ? 'binance-coinm' : 'binance-usdm'], ...readRecords(s, 'symbol', (r) => futuresRecord(r, coinm, file)) };
  },
};
