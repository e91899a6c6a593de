// The job's instrument: a definition from the first source that knows the symbol (the user's
// entries, a saved venue list, Tardis's API, a bundled preset), completed by what the user entered
// and the precision overrides; with none, a linear or spot instrument from the data's precision.
import { incrementOf, incrementPrecision, definitionProblems, withPrecision, type Instrument, type InstrumentDef } from './definition.js';
import { MARKET, expiryFromSymbol, guessKind, instrumentIdFor, type MarketKey } from './markets.js';
import { definitionFromEntry, presetDefinition, type PresetEntry } from './presets.js';
import { HINTS } from '../../shared/text.js';

/** Fields the user gave (CLI flags, the app's form, a config's `instrument`), in the venue's names. */
export type EnteredFields = Partial<PresetEntry>;

/** A definition that is wrong or cannot be completed: scanning the data would not help. */
export class DefinitionError extends Error {}

export interface Resolved extends Instrument {
  market: MarketKey;
}

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'USD', 'BTC', 'ETH'];

/** Base and quote from a venue symbol's shape (BTCUSDT, BTC-USDT-SWAP, BTCUSD_PERP, XBTUSD); null when it does not say. */
export function splitSymbol(symbol: string): { base: string; quote: string } | null {
  const s = symbol.toUpperCase().replace(/-SWAP$|-PERPETUAL$|_PERP$|[-_]\d{6}$|-\d{1,2}[A-Z]{3}\d{2}$/, '');
  const dash = /^([A-Z0-9]+)[-_/]([A-Z0-9]+)$/.exec(s);
  if (dash) return { base: dash[1]!, quote: dash[2]! };
  const quote = QUOTES.find((q) => s.endsWith(q) && s.length > q.length);
  if (!quote) return null;
  const base = s.slice(0, s.length - quote.length);
  // BitMEX names bitcoin XBT; NautilusTrader's BitMEX adapter keeps XBT as the currency code.
  return { base, quote };
}

/** Without any definition: what the data and the user say, for a market whose sizes are plain units. */
function fromData(market: MarketKey, symbol: string, entered: EnteredFields, data: { price: number; size: number } | undefined, venue: string | undefined, overridden: boolean): InstrumentDef {
  const m = { ...MARKET[market], label: market === 'other' ? venue ?? 'another venue' : MARKET[market].label };
  const kind = entered.kind ?? guessKind(market, symbol);
  const split = entered.base && entered.quote ? { base: entered.base, quote: entered.quote } : splitSymbol(symbol);
  const contractSized = m.contracts && !entered.multiplier;
  const missing: string[] = [];
  if (contractSized) missing.push('its contract size (multiplier)');
  if (!split) missing.push('its base and quote currencies');
  const expiry = entered.expiration ?? (kind === 'future' ? expiryFromSymbol(market, symbol) : null);
  if (kind === 'future' && !expiry) missing.push('its expiry');
  // The increments may still come from a pass over the data: the only gap that does not end the job now.
  const noIncrements = !data && !(entered.price_increment && entered.size_increment);
  if (noIncrements && !missing.length) {
    throw new Error(`no preset for ${symbol} (${m.label}): ${HINTS.precisions.cli}, or include data to infer them from`);
  }
  if (missing.length) {
    throw new DefinitionError(`no definition of ${symbol} on ${m.label} is known: ${missing.join(', ')} cannot be guessed. ${HINTS.definition.cli}`);
  }
  const spot = kind === 'spot';
  const entry: PresetEntry = {
    kind, base: split!.base, quote: split!.quote,
    price_increment: entered.price_increment ?? incrementOf(Math.max(0, data!.price)),
    size_increment: entered.size_increment ?? incrementOf(Math.max(0, data!.size)),
    // What NautilusTrader's Binance providers set when the venue gives nothing better: margins 1/1
    // (they ignore the API's values) and fee tier 0 (their table without credentials).
    margin_init: '1', margin_maint: '1', maker_fee: spot ? '0.001' : '0.0002', taker_fee: spot ? '0.001' : '0.0005',
    ...(expiry ? { expiration: expiry } : {}),
    ...entered,
  };
  const how0 = entered.price_increment && entered.size_increment ? 'entered' : overridden ? '--price-precision + --size-precision' : 'inferred from the data (most decimals seen)';
  const how = expiry && !entered.expiration ? `${how0}; expiry ${expiry} from the symbol` : how0;
  return definitionFromEntry(market, symbol, entry, how, venue);
}

/** The user's entries over a found definition (the id follows the kind). */
function applyEntered(def: InstrumentDef, market: MarketKey, entered: EnteredFields): InstrumentDef {
  if (!Object.keys(entered).length) return def;
  const merged = definitionFromEntry(market, def.rawSymbol, {
    kind: def.kind, base: def.base, quote: def.quote, settlement: def.settlement, is_inverse: def.isInverse,
    price_increment: def.priceIncrement, size_increment: def.sizeIncrement, multiplier: def.multiplier, lot_size: def.lotSize ?? undefined,
    min_quantity: def.minQuantity ?? undefined, max_quantity: def.maxQuantity ?? undefined, min_notional: def.minNotional ?? undefined,
    max_notional: def.maxNotional ?? undefined, min_price: def.minPrice ?? undefined, max_price: def.maxPrice ?? undefined,
    margin_init: def.marginInit, margin_maint: def.marginMaint, maker_fee: def.makerFee, taker_fee: def.takerFee, ...entered,
  }, `${def.source} + entered ${Object.keys(entered).join(', ')}`);
  return { ...merged, info: def.info, activationNs: entered.activation ? merged.activationNs : def.activationNs, expirationNs: entered.expiration ? merged.expirationNs : def.expirationNs };
}

export interface ResolveInput {
  market: MarketKey;
  symbol: string;
  /** a definition found in a saved list or Tardis's API (found before: those are async) */
  found?: InstrumentDef | null;
  entered?: EnteredFields;
  over?: { price?: number; size?: number };
  /** the venue of market `other` (HUOBI) */
  venue?: string;
  /** the most decimals the data shows, when it was scanned */
  data?: { price: number; size: number };
}

/** The instrument; throws when nothing defines it and the data cannot (the caller then scans the data and asks again). */
export function resolveInstrument(input: ResolveInput): Resolved {
  const { market, symbol, entered = {}, over = {} } = input;
  const base = input.found ?? presetDefinition(market, symbol);
  // Both precisions given: nothing to infer from the data.
  const both = over.price !== undefined && over.size !== undefined ? { price: over.price, size: over.size } : undefined;
  let def = base ? applyEntered(base, market, entered) : fromData(market, symbol, entered, input.data ?? both, input.venue, !input.data && !!both);
  const sources = [def.source];
  if (over.price !== undefined && over.price !== incrementPrecision(def.priceIncrement)) {
    def = { ...def, priceIncrement: incrementOf(over.price) };
    sources.push('--price-precision');
  }
  if (over.size !== undefined && over.size !== incrementPrecision(def.sizeIncrement)) {
    def = { ...def, sizeIncrement: incrementOf(over.size) };
    sources.push('--size-precision');
  }
  // The venue's limits are on its own grid: with an increment overridden they are left out (null).
  if (sources.length > 1) def = { ...def, minQuantity: null, maxQuantity: null, minPrice: null, maxPrice: null, minNotional: null, maxNotional: null };
  def = { ...def, source: sources.join(' + ') };
  const bad = definitionProblems(def);
  if (bad.length) throw new DefinitionError(`the instrument ${def.id} cannot be built: ${bad.join('; ')}`);
  return { ...withPrecision(def), market };
}

export { instrumentIdFor };
