// What an instrument is, whatever told us (a preset, a venue's saved list, Tardis's API, the user):
// the fields NautilusTrader's instrument classes hold, as decimal text, exactly as the venue gave them.
import { parseDecimal } from '../numbers/decimal.js';

/** CryptoPerpetual (linear or inverse), CryptoFuture (dated delivery), CurrencyPair (spot). */
export const INSTRUMENT_KINDS = ['perpetual', 'future', 'spot'] as const;
export type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];

export const CLASS_OF: Record<InstrumentKind, 'CryptoPerpetual' | 'CryptoFuture' | 'CurrencyPair'> = {
  perpetual: 'CryptoPerpetual', future: 'CryptoFuture', spot: 'CurrencyPair',
};

export interface InstrumentDef {
  kind: InstrumentKind;
  /** NautilusTrader's id, as the venue's adapter names it: BTCUSDT-PERP.BINANCE, XBTUSD.BITMEX */
  id: string;
  /** the venue's own symbol: BTCUSDT, XBTUSD, BTC-USDT-SWAP */
  rawSymbol: string;
  /** base currency (the future's underlying) */
  base: string;
  quote: string;
  /** what PnL is paid in; spot pairs have none (kept equal to quote) */
  settlement: string;
  isInverse: boolean;
  priceIncrement: string;
  sizeIncrement: string;
  /**
   * what one unit of size is worth: 1 for linear, the contract's value for contract-sized instruments
   * (100 for OKX BTC-USD-SWAP's 100 USD contracts; 1 for BitMEX XBTUSD, 1 USD a contract, where
   * NautilusTrader's BitMEX adapter writes 100000000 and its inverse PnL comes out 10^8 too large)
   */
  multiplier: string;
  lotSize: string | null;
  minQuantity: string | null;
  maxQuantity: string | null;
  /** Money text, "<amount> <CCY>" */
  minNotional: string | null;
  maxNotional: string | null;
  minPrice: string | null;
  maxPrice: string | null;
  marginInit: string;
  marginMaint: string;
  makerFee: string;
  takerFee: string;
  /** futures: listing and expiry, ns since 1970 */
  activationNs?: bigint;
  expirationNs?: bigint;
  /** the venue's raw record, kept in the file's `info` column */
  info?: unknown;
  /** where the definition came from, said in the report: "preset bitmex XBTUSD", "exchangeInfo file …" */
  source: string;
}

/** The definition with its precisions, as a job uses it. */
export type Instrument = InstrumentDef & { pricePrecision: number; sizePrecision: number };

/** Digits after the point, trailing zeros included ("0.10" -> 2), as Nautilus reads an increment. */
export function incrementPrecision(inc: string): number {
  const t = inc.trim().toLowerCase();
  // 1e-8 (some venues' JSON numbers): the exponent says it.
  const e = /^\d+(?:\.(\d*))?e-(\d+)$/.exec(t);
  if (e) return (e[1]?.length ?? 0) + Number(e[2]);
  const dot = t.indexOf('.');
  return dot < 0 ? 0 : t.length - dot - 1;
}

export function incrementOf(precision: number): string {
  return precision === 0 ? '1' : '0.' + '0'.repeat(precision - 1) + '1';
}

export function withPrecision(def: InstrumentDef): Instrument {
  return { ...def, pricePrecision: incrementPrecision(def.priceIncrement), sizePrecision: incrementPrecision(def.sizeIncrement) };
}

/** A decimal as plain text with no exponent and no float on the way ("1e-8" -> "0.00000001"); null when it is not one. */
export function decimalText(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = String(v).trim();
  const e = /^(\d+)(?:\.(\d*))?e([+-]?\d+)$/i.exec(s);
  if (e) {
    const digits = (e[1]! + (e[2] ?? '')).replace(/^0+(?=\d)/, '');
    const point = e[1]!.length + Number(e[3]);
    if (point <= 0) return '0.' + '0'.repeat(-point) + digits;
    if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
    return digits.slice(0, point) + '.' + digits.slice(point);
  }
  return /^\d+(\.\d+)?$/.test(s) ? s : null;
}

/** Why the definition cannot make a NautilusTrader instrument (the rules of its constructor), or []. */
export function definitionProblems(def: InstrumentDef): string[] {
  const bad: string[] = [];
  const positive = (name: string, v: string | null, allowZero = false) => {
    if (v === null) return;
    const d = parseDecimal(v);
    if (!d || d.neg || (!allowZero && d.digits === '')) bad.push(`${name} must be a decimal ${allowZero ? '≥ 0' : '> 0'}, got ${JSON.stringify(v)}`);
  };
  if (!/^[^.\s]+\.[A-Z0-9_]+$/.test(def.id)) bad.push(`id must be SYMBOL.VENUE, got ${JSON.stringify(def.id)}`);
  for (const [n, v] of [['base', def.base], ['quote', def.quote], ['settlement', def.settlement]] as const) {
    if (!/^[A-Z0-9]{1,16}$/.test(v)) bad.push(`${n} currency must be a currency code (BTC, USDT), got ${JSON.stringify(v)}`);
  }
  positive('price increment', def.priceIncrement);
  positive('size increment', def.sizeIncrement);
  positive('multiplier', def.multiplier);
  positive('lot size', def.lotSize);
  positive('max quantity', def.maxQuantity);
  positive('min quantity', def.minQuantity, true);
  positive('max price', def.maxPrice);
  positive('min price', def.minPrice, true);
  positive('initial margin', def.marginInit, true);
  positive('maintenance margin', def.marginMaint, true);
  for (const [n, v] of [['maker fee', def.makerFee], ['taker fee', def.takerFee]] as const) if (!parseDecimal(v)) bad.push(`${n} must be a decimal, got ${JSON.stringify(v)}`);
  for (const [n, v] of [['min notional', def.minNotional], ['max notional', def.maxNotional]] as const) {
    if (v !== null && !/^\d+(\.\d+)? [A-Z0-9]{1,16}$/.test(v)) bad.push(`${n} must be "<amount> <CURRENCY>", got ${JSON.stringify(v)}`);
  }
  if (def.kind === 'future') {
    if (def.expirationNs === undefined) bad.push('a dated future needs its expiry');
    else if (def.activationNs !== undefined && def.activationNs > def.expirationNs) bad.push('activation is after expiry');
  }
  if (def.kind === 'spot' && def.isInverse) bad.push('a spot pair cannot be inverse');
  return bad;
}
