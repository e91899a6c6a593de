// The job's instrument as the job screen shows it: the market, the id NautilusTrader's adapter gives
// the symbol, its kind and whether it is inverse, where its definition comes from, and the entered
// definition's fields, each checked as it is typed with the job contract's own rules.
import type { PresetInfo } from '../../../shared/api.js';
import { InstrumentEntry, SYMBOL_RE } from '../../../shared/job.js';
import { MARKET, MARKETS, VENUES, VENUE_MARKET, guessKind, instrumentIdFor, type InstrumentKind, type MarketKey } from '../../../shared/markets.js';

/** Where the definition comes from: a bundled preset (or, with none, the data), a venue's saved list, or the user. */
export type DefinitionSource = 'preset' | 'file' | 'enter';

export const DEFAULT_MARKET: MarketKey = 'binance-usdm';

/** The fields the "Enter it" form asks, in its order (text; '' = not given). Kind and inverse are asked apart. */
export const ENTRY_FIELDS = [
  'base', 'quote', 'settlement', 'price_increment', 'size_increment', 'multiplier',
  'min_quantity', 'max_quantity', 'margin_init', 'margin_maint', 'maker_fee', 'taker_fee', 'expiration',
] as const;
export type EntryField = (typeof ENTRY_FIELDS)[number];

export interface EntryDraft {
  /** null: what the symbol looks like (guessKind) */
  kind: InstrumentKind | null;
  /** null: the market's (inverse markets' contracts are inverse) */
  isInverse: boolean | null;
  fields: Record<EntryField, string>;
}

export function emptyEntry(): EntryDraft {
  return { kind: null, isInverse: null, fields: Object.fromEntries(ENTRY_FIELDS.map((f) => [f, ''])) as Record<EntryField, string> };
}

/** What each field means, said briefly under it, and an example as its placeholder. */
export const ENTRY_INFO: Record<EntryField, { label: string; hint: string; example: string }> = {
  base: { label: 'Base currency', hint: 'what is bought and sold (the future’s underlying)', example: 'BTC' },
  quote: { label: 'Quote currency', hint: 'what prices are in', example: 'USDT' },
  settlement: { label: 'Settlement currency', hint: 'what profit and loss are paid in; empty: the base if inverse, else the quote', example: 'USDT' },
  price_increment: { label: 'Price increment', hint: 'the smallest price step (tick size); its decimals are the price precision', example: '0.1' },
  size_increment: { label: 'Size increment', hint: 'the smallest size step (lot step); its decimals are the size precision', example: '0.001' },
  multiplier: { label: 'Multiplier', hint: 'what one contract is worth; 1 for linear', example: '1' },
  min_quantity: { label: 'Min quantity', hint: 'the smallest order size; empty: none', example: '0.001' },
  max_quantity: { label: 'Max quantity', hint: 'the largest order size; empty: none', example: '1000' },
  margin_init: { label: 'Initial margin', hint: 'share of the notional to open a position; empty: 1', example: '1' },
  margin_maint: { label: 'Maintenance margin', hint: 'share of the notional to keep it open; empty: 1', example: '1' },
  maker_fee: { label: 'Maker fee', hint: 'a share of the notional, negative for a rebate; empty: 0.0002 (spot 0.001)', example: '0.0002' },
  taker_fee: { label: 'Taker fee', hint: 'a share of the notional; empty: 0.0005 (spot 0.001)', example: '0.0005' },
  expiration: { label: 'Expiry', hint: 'when the future settles (UTC)', example: '2024-03-29T08:00:00Z' },
};

/** Fields a value of 0 makes no instrument of (NautilusTrader refuses a zero step or contract size). */
const POSITIVE: ReadonlySet<EntryField> = new Set(['price_increment', 'size_increment', 'multiplier']);
/** Currency codes are upper case; what is typed is raised as it is typed. */
export const CURRENCY_FIELDS: ReadonlySet<EntryField> = new Set(['base', 'quote', 'settlement']);

/** Why a typed value is not one the field takes (InstrumentEntry's rule), or null ('' is "not given"). */
export function entryFieldError(field: EntryField, text: string): string | null {
  const v = text.trim();
  if (!v) return null;
  const r = InstrumentEntry.shape[field].safeParse(v);
  if (!r.success) return r.error.issues[0]?.message ?? 'not a valid value';
  if (POSITIVE.has(field) && !/[1-9]/.test(v)) return 'must be more than 0';
  return null;
}

/** Markets whose contracts are inverse by definition. */
const INVERSE_MARKETS: ReadonlySet<MarketKey> = new Set(['binance-coinm', 'bybit-inverse']);

/** A preset of the symbol under the entered fields (the engine lays entries over it). */
type Under = Pick<PresetInfo, 'kind' | 'isInverse'> | undefined;

/** The kind: as chosen, else the preset's, else what the symbol looks like. */
export function entryKind(e: EntryDraft, market: MarketKey, symbol: string, preset?: Under): InstrumentKind {
  const kinds = MARKET[market].kinds;
  if (e.kind && kinds.includes(e.kind)) return e.kind;
  return preset && kinds.includes(preset.kind) ? preset.kind : guessKind(market, symbol || 'X');
}

/** Inverse: as ticked, else the preset's, else the market's (inverse markets' contracts are). */
export function entryInverse(e: EntryDraft, market: MarketKey, kind: InstrumentKind, preset?: Under): boolean {
  return kind !== 'spot' && (e.isInverse ?? preset?.isInverse ?? INVERSE_MARKETS.has(market));
}

/** The problems that keep the entered definition from being one (shown on the job screen, blocking Run). */
export function entryErrors(e: EntryDraft, market: MarketKey, symbol: string, preset?: Under): string[] {
  const errors = ENTRY_FIELDS.flatMap((f) => {
    const why = entryFieldError(f, e.fields[f]);
    return why ? [`${ENTRY_INFO[f].label} (instrument): ${why}.`] : [];
  });
  const kind = entryKind(e, market, symbol, preset);
  // The two things no data can say (engine/instruments/resolve.ts refuses them missing too); a preset says them.
  if (preset) return errors;
  if (kind === 'future' && !e.fields.expiration.trim()) errors.push('Expiry (instrument): a dated future needs its expiry.');
  if (MARKET[market].contracts && kind !== 'spot' && !e.fields.multiplier.trim()) errors.push(`Multiplier (instrument): ${MARKET[market].label} sizes are contracts; say what one is worth.`);
  return errors;
}

/** The entered definition as the job spec's `instrument` (only the fields given). */
export function entrySpec(e: EntryDraft, market: MarketKey, symbol: string, preset?: Under): InstrumentEntry {
  const kind = entryKind(e, market, symbol, preset);
  const out: Record<string, unknown> = { kind, is_inverse: entryInverse(e, market, kind, preset) };
  for (const f of ENTRY_FIELDS) {
    const v = e.fields[f].trim();
    if (!v || (f === 'expiration' && kind !== 'future')) continue;
    out[f] = CURRENCY_FIELDS.has(f) ? v.toUpperCase() : v;
  }
  return out as InstrumentEntry;
}

export const KIND_LABEL: Record<InstrumentKind, string> = { perpetual: 'perpetual', future: 'dated future', spot: 'spot' };
export const CLASS_OF: Record<InstrumentKind, string> = { perpetual: 'CryptoPerpetual', future: 'CryptoFuture', spot: 'CurrencyPair' };

/** The markets, grouped by venue, for the Market select ("Let the data say", a choice of no market, goes first when it exists). */
export function marketGroups(): { venue: string; markets: { key: MarketKey; label: string }[] }[] {
  return VENUES.map((venue) => ({ venue, markets: MARKETS.filter((k) => MARKET[k].venue === venue).map((k) => ({ key: k, label: MARKET[k].label })) }));
}


/** The market a spec's `exchange` names, for the screens (a market key, a Tardis exchange id, or a venue). */
export function marketOfExchange(exchange: string | undefined): MarketKey {
  const low = (exchange ?? '').trim().toLowerCase();
  if ((MARKETS as readonly string[]).includes(low)) return low as MarketKey;
  // A venue's name before Tardis ids (`binance` is the venue, as the engine takes it).
  const venue = VENUE_MARKET[low.toUpperCase()];
  if (venue) return venue;
  const tardis = MARKETS.filter((k) => MARKET[k].tardis.includes(low));
  if (tardis.length === 1) return tardis[0]!;
  return DEFAULT_MARKET;
}

/** The preset of a symbol as typed (any case, spaces around) on this market. */
export function presetFor(presets: readonly PresetInfo[], market: MarketKey, symbol: string): PresetInfo | undefined {
  const sym = symbol.trim().toUpperCase();
  return presets.find((p) => p.market === market && p.symbol === sym);
}

export function symbolError(symbol: string): string | null {
  const s = symbol.trim();
  if (!s) return 'type the venue’s symbol, e.g. BTCUSDT, BTC-USDT-SWAP, BTCUSD_PERP';
  return SYMBOL_RE.test(s) ? null : 'letters, digits, _ or - only, 2 to 40 of them (e.g. BTCUSDT, BTC-USDT-SWAP)';
}

export interface InstrumentView {
  id: string;
  kind: InstrumentKind;
  className: string;
  /** null: the venue's list says */
  inverse: boolean | null;
  /** the kind is what the symbol looks like, not what a definition says */
  kindGuessed: boolean;
}

/** What the job will write, as far as the screen knows before the run. */
export function instrumentView(market: MarketKey, symbol: string, source: DefinitionSource, entry: EntryDraft, preset: PresetInfo | undefined): InstrumentView {
  const sym = symbol.trim().toUpperCase() || 'SYMBOL';
  let kind: InstrumentKind;
  let inverse: boolean | null;
  if (source === 'enter') {
    kind = entryKind(entry, market, sym, preset);
    inverse = entryInverse(entry, market, kind, preset);
  } else if (source === 'preset' && preset) {
    kind = preset.kind;
    inverse = preset.isInverse;
  } else {
    kind = guessKind(market, sym);
    // From the data alone the engine writes a linear instrument; a venue's list says for itself, and
    // a contract market's symbol needs a definition first.
    inverse = source === 'file' || MARKET[market].contracts ? null : false;
  }
  const kindGuessed = source === 'file' || (source === 'preset' && !preset);
  return { id: instrumentIdFor(market, kind, sym), kind, className: CLASS_OF[kind], inverse, kindGuessed };
}
