// BitMEX GET /api/v1/instrument (an array of instruments) as definitions, as NautilusTrader's
// BitMEX adapter builds them (crates/adapters/bitmex/src/http/parse.rs parse_perpetual_instrument /
// parse_futures_instrument / parse_spot_instrument): sizes in the contract units its
// derive_contract_decimal_and_increment gives (1 for inverse contracts such as XBTUSD).
import { decimalText, type InstrumentDef, type InstrumentKind } from '../definition.js';
import { instrumentIdFor } from '../markets.js';
import { atPrecision, isoToNs, isRec, num, optNum, precisionOf, product, readRecords, RecordError, str, type ListFormat, type ListRead, type Rec } from './common.js';

// BitMEX's instrument type codes (`typ`): perpetual swaps, dated futures, spot pairs.
const TYPES: Record<string, InstrumentKind> = { FFWCSX: 'perpetual', FFWCSF: 'perpetual', FFCCSX: 'future', IFXXXP: 'spot' };

/** A signed integer field's magnitude (BitMEX multipliers are negative for inverse contracts), or null. */
function magnitude(r: Rec, field: string): bigint | null {
  const v = r[field];
  if (v === undefined || v === null) return null;
  const t = String(v).trim();
  if (!/^-?\d+(\.0+)?$/.test(t)) throw new RecordError(`${field} is not a whole number (${JSON.stringify(v)})`);
  const n = BigInt(t.replace(/\.0+$/, ''));
  return n < 0n ? -n : n;
}

/** 1/n exactly as decimal text (n = 10^k·2^a·5^b); else a RecordError (NautilusTrader rounds). */
function reciprocal(n: bigint, field: string): string {
  for (let k = 0; k <= 16; k++) {
    const p = 10n ** BigInt(k);
    if (p % n === 0n) return k === 0 ? String(p / n) : `0.${String(p / n).padStart(k, '0')}`;
  }
  throw new RecordError(`1/${field} (1/${n}) has no exact decimal`);
}

function record(r: Rec, file: string): InstrumentDef {
  const raw = str(r, 'symbol');
  const kind = TYPES[String(r.typ)];
  if (!kind) throw new RecordError(`typ ${JSON.stringify(r.typ)} is not read (indices, options, spreads)`);
  if (r.state !== 'Open' && r.state !== 'Closed') throw new RecordError(`state ${JSON.stringify(r.state)}: not listed`);
  if (r.isQuanto === true) throw new RecordError('quanto contracts are not modelled');
  const inverse = r.isInverse === true;
  // One size unit: 1 / the underlying-to-position (inverse: -to-settle) multiplier when it is positive, else 1.
  const pos = inverse ? (r.underlyingToSettleMultiplier ?? r.underlyingToPositionMultiplier) : r.underlyingToPositionMultiplier;
  const posText = pos === undefined || pos === null ? null : decimalText(pos);
  const whole = posText?.replace(/\.0+$/, '');
  if (whole && !/^\d+$/.test(whole)) throw new RecordError(`the position multiplier ${posText} is not whole`);
  const contract = whole && BigInt(whole) > 0n ? reciprocal(BigInt(whole), 'underlyingToPositionMultiplier') : '1';
  const sizeIncrement = contract;
  const sp = precisionOf(sizeIncrement);
  const priceIncrement = num(r, 'tickSize');
  const pp = precisionOf(priceIncrement);
  const lot = optNum(r, 'lotSize'), maxQ = optNum(r, 'maxOrderQty'), maxP = optNum(r, 'maxPrice');
  const base = str(r, 'underlying').toUpperCase(), quote = str(r, 'quoteCurrency').toUpperCase();
  const lotSize = lot === null ? null : product(lot, contract);
  // Deliberate difference: NautilusTrader writes BitMEX's raw |multiplier| (100000000 for XBTUSD, in
  // satoshi). An inverse contract here is worth |multiplier| / |underlyingToSettleMultiplier| of the
  // quote (1 USD for XBTUSD), the multiplier NautilusTrader's inverse notional (qty × multiplier / price) needs.
  const mult = magnitude(r, 'multiplier'), toSettle = magnitude(r, 'underlyingToSettleMultiplier');
  const multiplier = kind === 'spot' || mult === null ? '1' : inverse && toSettle ? (mult % toSettle === 0n ? String(mult / toSettle) : (() => { throw new RecordError('multiplier / underlyingToSettleMultiplier is not whole'); })()) : String(mult);
  return {
    kind, id: instrumentIdFor('bitmex', kind, raw), rawSymbol: raw, base, quote,
    settlement: kind === 'spot' ? quote : (typeof r.settlCurrency === 'string' ? r.settlCurrency : quote).toUpperCase(), isInverse: inverse,
    priceIncrement, sizeIncrement, multiplier, lotSize,
    minQuantity: lotSize === null ? null : atPrecision(lotSize, sp), maxQuantity: maxQ === null ? null : atPrecision(product(maxQ, contract), sp),
    minNotional: null, maxNotional: null, minPrice: null, maxPrice: maxP === null ? null : atPrecision(maxP, pp),
    marginInit: optNum(r, 'initMargin') ?? '0', marginMaint: optNum(r, 'maintMargin') ?? '0',
    makerFee: feeText(r, 'makerFee'), takerFee: feeText(r, 'takerFee'),
    ...(kind === 'future' ? { activationNs: r.listing ? isoToNs(r, 'listing') : 0n, expirationNs: isoToNs(r, 'expiry') } : {}),
    info: r, source: `BitMEX instrument ${file}`,
  };
}

/** Fees may be negative (BitMEX's maker rebates). */
function feeText(r: Rec, field: string): string {
  const v = r[field];
  if (v === undefined || v === null) return '0';
  const t = String(v).trim();
  const neg = t.startsWith('-');
  const d = decimalText(neg ? t.slice(1) : t);
  if (d === null) throw new RecordError(`${field} is not a decimal (${JSON.stringify(v)})`);
  return neg ? `-${d}` : d;
}

export const BITMEX: ListFormat = {
  name: 'BitMEX instrument',
  recognise(json) {
    return Array.isArray(json) && json.some((r) => isRec(r) && 'typ' in r && 'tickSize' in r && 'symbol' in r) ? 'BitMEX /instrument' : null;
  },
  read(json, file): ListRead {
    return { markets: ['bitmex'], ...readRecords((json as unknown[]).filter(isRec), 'symbol', (r) => record(r, file)) };
  },
};
