// Bundled definitions for common symbols of each market (resources/instruments.json; each market
// there says where its values came from). Entries use the venue's field names in snake case.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InstrumentDef, InstrumentKind } from './definition.js';
import { MARKET, MARKETS, instrumentIdFor, type MarketKey } from './markets.js';

export interface PresetEntry {
  kind: InstrumentKind;
  base: string;
  quote: string;
  settlement?: string;
  is_inverse?: boolean;
  price_increment: string;
  size_increment: string;
  multiplier?: string;
  lot_size?: string;
  min_quantity?: string;
  max_quantity?: string;
  min_notional?: string;
  max_notional?: string;
  max_price?: string;
  min_price?: string;
  margin_init: string;
  margin_maint: string;
  maker_fee: string;
  taker_fee: string;
  /** futures: ISO times */
  activation?: string;
  expiration?: string;
}

const PRESETS_PATH = fileURLToPath(new URL('../../resources/instruments.json', import.meta.url));
let cache: Partial<Record<MarketKey, Record<string, PresetEntry>>> | null = null;

export function presetTable(): Partial<Record<MarketKey, Record<string, PresetEntry>>> {
  if (!cache) {
    const raw = JSON.parse(readFileSync(PRESETS_PATH, 'utf8')) as Record<string, Record<string, unknown>>;
    cache = {};
    for (const m of MARKETS) {
      if (raw[m]) cache[m] = Object.fromEntries(Object.entries(raw[m]).filter(([k]) => !k.startsWith('_'))) as Record<string, PresetEntry>;
    }
  }
  return cache;
}

/** Binance USD-M presets by symbol (the app's and the preview's precision hints). */
export function presets(): Record<string, PresetEntry> {
  return presetTable()['binance-usdm'] ?? {};
}

const isoNs = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

/** A definition from the venue's field names (presets and user entries share them). */
export function definitionFromEntry(market: MarketKey, rawSymbol: string, e: PresetEntry, source: string, venue?: string): InstrumentDef {
  const inverse = e.is_inverse ?? false;
  return {
    kind: e.kind, id: instrumentIdFor(market, e.kind, rawSymbol, venue), rawSymbol: rawSymbol.toUpperCase(),
    base: e.base, quote: e.quote, settlement: e.settlement ?? (e.kind === 'spot' ? e.quote : inverse ? e.base : e.quote), isInverse: inverse,
    priceIncrement: e.price_increment, sizeIncrement: e.size_increment, multiplier: e.multiplier ?? '1', lotSize: e.lot_size ?? '1',
    minQuantity: e.min_quantity ?? null, maxQuantity: e.max_quantity ?? null, minNotional: e.min_notional ?? null, maxNotional: e.max_notional ?? null,
    minPrice: e.min_price ?? null, maxPrice: e.max_price ?? null,
    marginInit: e.margin_init, marginMaint: e.margin_maint, makerFee: e.maker_fee, takerFee: e.taker_fee,
    ...(e.kind === 'future' ? { activationNs: e.activation ? isoNs(e.activation) : 0n, expirationNs: e.expiration ? isoNs(e.expiration) : undefined } : {}),
    source,
  };
}

export function presetDefinition(market: MarketKey, symbol: string): InstrumentDef | null {
  const e = presetTable()[market]?.[symbol.toUpperCase()];
  return e ? definitionFromEntry(market, symbol, e, `preset ${MARKET[market].label} ${symbol.toUpperCase()}`) : null;
}
