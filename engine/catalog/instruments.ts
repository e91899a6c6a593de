// The CryptoPerpetual instrument (spec §7): presets for common Binance USD-M symbols, overrides,
// or precision from the data; written once per catalog in the Rust encoder's layout (the schema: datatypes/instrument.ts).
import * as A from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDecimal } from '../numbers/decimal.js';
import { CRYPTO_PERPETUAL } from '../datatypes/index.js';

export interface Preset {
  base: string;
  quote: string;
  price_increment: string;
  size_increment: string;
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
}

export interface Instrument {
  id: string;
  rawSymbol: string;
  base: string;
  quote: string;
  pricePrecision: number;
  sizePrecision: number;
  priceIncrement: string;
  sizeIncrement: string;
  preset: Preset | null;
}

const PRESETS_PATH = fileURLToPath(new URL('../../resources/instruments.json', import.meta.url));
let presetCache: Record<string, Preset> | null = null;

export function presets(): Record<string, Preset> {
  if (!presetCache) {
    const raw = JSON.parse(readFileSync(PRESETS_PATH, 'utf8')) as Record<string, unknown>;
    presetCache = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('_'))) as Record<string, Preset>;
  }
  return presetCache;
}

/** Digits after the point, trailing zeros included ("0.10" -> 2), as Nautilus reads an increment. */
export function incrementPrecision(inc: string): number {
  const dot = inc.indexOf('.');
  return dot < 0 ? 0 : inc.length - dot - 1;
}

export function incrementOf(precision: number): string {
  return precision === 0 ? '1' : '0.' + '0'.repeat(precision - 1) + '1';
}

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'USD', 'BTC', 'ETH'];

export function instrumentId(symbol: string, exchange: string): string {
  return `${symbol.toUpperCase()}-PERP.${exchange.toUpperCase()}`;
}

export function resolveInstrument(symbol: string, exchange: string, over: { price?: number; size?: number }, fromData?: { price: number; size: number }): Instrument & { source: string } {
  const sym = symbol.toUpperCase();
  const preset = presets()[sym] ?? null;
  let pricePrecision: number, sizePrecision: number, priceIncrement: string, sizeIncrement: string;
  const sources: string[] = [];
  if (preset) {
    priceIncrement = preset.price_increment;
    sizeIncrement = preset.size_increment;
    pricePrecision = incrementPrecision(priceIncrement);
    sizePrecision = incrementPrecision(sizeIncrement);
    sources.push(`preset ${sym}`);
  } else if (over.price !== undefined && over.size !== undefined) {
    // Both given explicitly: nothing to infer (and no data scan needed).
    pricePrecision = over.price;
    sizePrecision = over.size;
    priceIncrement = incrementOf(pricePrecision);
    sizeIncrement = incrementOf(sizePrecision);
    sources.push('--price-precision', '--size-precision');
  } else if (fromData) {
    pricePrecision = Math.max(0, fromData.price);
    sizePrecision = Math.max(0, fromData.size);
    priceIncrement = incrementOf(pricePrecision);
    sizeIncrement = incrementOf(sizePrecision);
    sources.push('inferred from the data (most decimals seen)');
  } else {
    throw new Error(`no preset for ${sym}: pass --price-precision and --size-precision, or include trades so they can be inferred`);
  }
  if (over.price !== undefined && over.price !== pricePrecision) {
    pricePrecision = over.price;
    priceIncrement = incrementOf(over.price);
    sources.push('--price-precision');
  }
  if (over.size !== undefined && over.size !== sizePrecision) {
    sizePrecision = over.size;
    sizeIncrement = incrementOf(over.size);
    sources.push('--size-precision');
  }
  const quote = preset?.quote ?? QUOTES.find((q) => sym.endsWith(q) && sym.length > q.length) ?? 'USDT';
  const base = preset?.base ?? sym.slice(0, sym.length - quote.length);
  return {
    id: instrumentId(sym, exchange), rawSymbol: sym, base, quote, pricePrecision, sizePrecision, priceIncrement, sizeIncrement,
    preset, source: sources.join(' + '),
  };
}

/** A size/price limit only makes sense at the instrument's precision; drop preset limits that no longer fit. */
function fits(value: string | undefined, precision: number): string | null {
  if (!value) return null;
  const d = parseDecimal(value);
  return d && d.scale <= precision ? value : null;
}

export function instrumentBatch(inst: Instrument, ts: bigint): A.RecordBatch {
  const p = inst.preset;
  const usePreset = p && incrementPrecision(p.price_increment) === inst.pricePrecision && incrementPrecision(p.size_increment) === inst.sizePrecision;
  const info = new TextEncoder().encode(JSON.stringify({ symbol: inst.rawSymbol, source: 'catalog-builder', preset: !!usePreset }));
  const row: Record<string, unknown> = {
    id: inst.id, raw_symbol: inst.rawSymbol, base_currency: inst.base, quote_currency: inst.quote, settlement_currency: inst.quote,
    is_inverse: false, price_precision: inst.pricePrecision, size_precision: inst.sizePrecision,
    price_increment: inst.priceIncrement, size_increment: inst.sizeIncrement, multiplier: '1', lot_size: '1',
    max_quantity: usePreset ? fits(p.max_quantity, inst.sizePrecision) : null,
    min_quantity: usePreset ? fits(p.min_quantity, inst.sizePrecision) : null,
    max_notional: usePreset ? (p.max_notional ?? null) : null,
    min_notional: usePreset ? (p.min_notional ?? null) : null,
    max_price: usePreset ? fits(p.max_price, inst.pricePrecision) : null,
    min_price: usePreset ? fits(p.min_price, inst.pricePrecision) : null,
    // Without a preset, what NautilusTrader's Binance futures provider uses for every symbol: margins
    // 1/1 (it ignores the API's values) and fee tier 0 (its table without credentials).
    margin_init: p?.margin_init ?? '1', margin_maint: p?.margin_maint ?? '1',
    maker_fee: p?.maker_fee ?? '0.000200', taker_fee: p?.taker_fee ?? '0.000500',
    tick_scheme: null, info, ts_event: ts, ts_init: ts,
  };
  const schema = CRYPTO_PERPETUAL.schema({ instrumentId: inst.id, pricePrecision: inst.pricePrecision, sizePrecision: inst.sizePrecision });
  const children = schema.fields.map((f) => {
    const v = row[f.name];
    if (f.type instanceof A.Uint64) return A.makeData({ type: new A.Uint64(), length: 1, nullCount: 0, data: BigUint64Array.of(v as bigint) });
    return A.vectorFromArray([v], f.type).data[0]!;
  });
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: 1, nullCount: 0, children }));
}
