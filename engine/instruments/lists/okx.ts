// OKX v5 /api/v5/public/instruments (instType SWAP, FUTURES or SPOT; `data`) as definitions, as
// NautilusTrader's OKX adapter builds them (crates/adapters/okx/src/common/parse.rs
// parse_swap_instrument / parse_futures_instrument / parse_spot_instrument).
import type { InstrumentDef, InstrumentKind } from '../definition.js';
import { instrumentIdFor, type MarketKey } from '../markets.js';
import { atPrecision, dec, isRec, msToNs, optDec, precisionOf, product, readRecords, RecordError, str, type ListFormat, type ListRead, type Rec } from './common.js';

const TYPES: Record<string, { market: MarketKey; kind: InstrumentKind }> = {
  SWAP: { market: 'okx-swap', kind: 'perpetual' },
  FUTURES: { market: 'okx-futures', kind: 'future' },
  SPOT: { market: 'okx-spot', kind: 'spot' },
};

function dataOf(json: unknown): Rec[] | null {
  return isRec(json) && Array.isArray(json.data) ? (json.data as unknown[]).filter(isRec) : null;
}

/** What one size unit is: ctMult × ctVal (0.01 BTC for BTC-USDT-SWAP, 100 USD for BTC-USD-SWAP); 1 when neither is given (spot). */
function multiplier(r: Rec): string {
  const mult = optDec(r, 'ctMult'), val = optDec(r, 'ctVal');
  return mult === null && val === null ? '1' : product(mult ?? '1', val ?? '1');
}

/** The underlying's two halves, "BTC-USD" -> BTC, USD. */
function underlying(r: Rec): [string, string] {
  const uly = str(r, 'uly');
  const parts = uly.split('-');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new RecordError(`uly ${JSON.stringify(uly)} is not BASE-QUOTE`);
  return [parts[0], parts[1]];
}

function record(r: Rec, file: string): InstrumentDef {
  const t = TYPES[String(r.instType)];
  if (!t) throw new RecordError(`instType ${JSON.stringify(r.instType)} is not read (options, margin and events are not)`);
  const raw = str(r, 'instId');
  const priceIncrement = dec(r, 'tickSz'), sizeIncrement = dec(r, 'lotSz');
  const sp = precisionOf(sizeIncrement);
  const maxQ = optDec(r, 'maxMktSz'), minQ = optDec(r, 'minSz');
  const common = {
    kind: t.kind, id: instrumentIdFor(t.market, t.kind, raw), rawSymbol: raw,
    priceIncrement, sizeIncrement, multiplier: multiplier(r), lotSize: sizeIncrement,
    minQuantity: minQ === null ? null : atPrecision(minQ, sp), maxQuantity: maxQ === null ? null : atPrecision(maxQ, sp),
    // NautilusTrader leaves notionals and price limits out (its "TBD"), margins at 0, fees at 0 without credentials.
    minNotional: null, maxNotional: null, minPrice: null, maxPrice: null,
    marginInit: '0', marginMaint: '0', makerFee: '0', takerFee: '0', info: r, source: `OKX instruments ${file}`,
  };
  if (t.kind === 'spot') {
    const quote = str(r, 'quoteCcy');
    return { ...common, base: str(r, 'baseCcy'), quote, settlement: quote, isInverse: false };
  }
  const [base, quote] = underlying(r);
  const ct = r.ctType;
  if (ct !== 'linear' && ct !== 'inverse') throw new RecordError(`ctType ${JSON.stringify(ct)} is neither linear nor inverse`);
  return {
    // Deliberate difference for FUTURES: NautilusTrader names the underlying by the whole uly ("BTC-USD"),
    // which is no currency code; we keep its base (BTC), as its SWAP parser does.
    ...common, base, quote, settlement: str(r, 'settleCcy'), isInverse: ct === 'inverse',
    ...(t.kind === 'future' ? { activationNs: msToNs(r, 'listTime'), expirationNs: msToNs(r, 'expTime') } : {}),
  };
}

export const OKX: ListFormat = {
  name: 'OKX instruments',
  recognise(json) {
    const data = dataOf(json);
    if (!data || !data.length || !data.some((r) => 'instType' in r && 'instId' in r && 'tickSz' in r)) return null;
    const types = [...new Set(data.map((r) => String(r.instType)))];
    return `OKX v5 instruments (${types.join(', ')})`;
  },
  read(json, file): ListRead {
    const data = dataOf(json)!;
    const markets = [...new Set(data.map((r) => TYPES[String(r.instType)]?.market).filter((m) => m !== undefined))];
    return { markets, ...readRecords(data, 'instId', (r) => record(r, file)) };
  },
};
