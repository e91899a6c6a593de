// The venues and markets a job can name (facts defined once: the engine maps symbols and Tardis
// exchange ids onto them, engine/instruments/markets.ts; the app offers them), and the id a venue
// symbol gets in NautilusTrader, shown by the app and written by the engine.
import type { INSTRUMENT_KINDS } from './job.js';

export type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];

export const MARKETS = [
  'binance-spot', 'binance-usdm', 'binance-coinm',
  'bybit-linear', 'bybit-inverse', 'bybit-spot',
  'okx-swap', 'okx-futures', 'okx-spot',
  'bitmex', 'deribit',
  // any other venue: the id is SYMBOL.VENUE and nothing is assumed of its contracts (they must be entered)
  'other',
] as const;
export type MarketKey = (typeof MARKETS)[number];

export interface Market {
  key: MarketKey;
  venue: string;
  label: string;
  /** Tardis exchange ids whose data this market's instruments have */
  tardis: string[];
  /** the kinds a symbol of this market can be */
  kinds: InstrumentKind[];
  /** sizes are contracts of `multiplier` (inverse and contract-sized venues) */
  contracts: boolean;
}

export const MARKET: Record<MarketKey, Market> = {
  'binance-spot': { key: 'binance-spot', venue: 'BINANCE', label: 'Binance spot', tardis: ['binance'], kinds: ['spot'], contracts: false },
  'binance-usdm': { key: 'binance-usdm', venue: 'BINANCE', label: 'Binance USD-M futures', tardis: ['binance-futures'], kinds: ['perpetual', 'future'], contracts: false },
  'binance-coinm': { key: 'binance-coinm', venue: 'BINANCE', label: 'Binance COIN-M futures', tardis: ['binance-delivery'], kinds: ['perpetual', 'future'], contracts: true },
  'bybit-linear': { key: 'bybit-linear', venue: 'BYBIT', label: 'Bybit linear', tardis: ['bybit'], kinds: ['perpetual', 'future'], contracts: false },
  'bybit-inverse': { key: 'bybit-inverse', venue: 'BYBIT', label: 'Bybit inverse', tardis: ['bybit'], kinds: ['perpetual', 'future'], contracts: true },
  'bybit-spot': { key: 'bybit-spot', venue: 'BYBIT', label: 'Bybit spot', tardis: ['bybit-spot'], kinds: ['spot'], contracts: false },
  'okx-swap': { key: 'okx-swap', venue: 'OKX', label: 'OKX perpetual swaps', tardis: ['okex-swap'], kinds: ['perpetual'], contracts: true },
  'okx-futures': { key: 'okx-futures', venue: 'OKX', label: 'OKX futures', tardis: ['okex-futures'], kinds: ['future'], contracts: true },
  'okx-spot': { key: 'okx-spot', venue: 'OKX', label: 'OKX spot', tardis: ['okex'], kinds: ['spot'], contracts: false },
  bitmex: { key: 'bitmex', venue: 'BITMEX', label: 'BitMEX', tardis: ['bitmex'], kinds: ['perpetual', 'future', 'spot'], contracts: true },
  deribit: { key: 'deribit', venue: 'DERIBIT', label: 'Deribit', tardis: ['deribit'], kinds: ['perpetual', 'future'], contracts: true },
  other: { key: 'other', venue: '', label: 'another venue', tardis: [], kinds: ['perpetual', 'future', 'spot'], contracts: true },
};

export const VENUES = ['BINANCE', 'BYBIT', 'OKX', 'BITMEX', 'DERIBIT'] as const;

/** The market a bare venue names before a symbol says more (BINANCE: USD-M, as the CLI always took it). */
export const VENUE_MARKET: Record<string, MarketKey> = { BINANCE: 'binance-usdm', BYBIT: 'bybit-linear', OKX: 'okx-swap', BITMEX: 'bitmex', DERIBIT: 'deribit' };

/** The kind a symbol of a market has when no definition says (from the venue's symbol shapes). */
export function guessKind(market: MarketKey, symbol: string): InstrumentKind {
  const s = symbol.toUpperCase();
  switch (market) {
    case 'binance-spot': case 'bybit-spot': case 'okx-spot': return 'spot';
    case 'binance-usdm': case 'binance-coinm': return /_\d{6}$/.test(s) ? 'future' : 'perpetual';
    case 'bybit-linear': case 'bybit-inverse': return /-\d{2}[A-Z]{3}\d{2}$|[FGHJKMNQUVXZ]\d{2}$/.test(s) && !/USDT$|USD$/.test(s) ? 'future' : 'perpetual';
    case 'okx-swap': return 'perpetual';
    case 'okx-futures': return 'future';
    // BitMEX futures end in a month code and a two-digit year (XBTZ24); the rest here are perpetual swaps.
    case 'bitmex': return /[FGHJKMNQUVXZ]\d{2}$/.test(s) ? 'future' : 'perpetual';
    case 'deribit': return /-PERPETUAL$/.test(s) ? 'perpetual' : 'future';
    case 'other': return 'perpetual';
  }
}

/**
 * NautilusTrader's instrument id for a venue symbol, as its adapter for the venue names it:
 * Binance (BinanceSymbol.parse_as_nautilus): perpetuals get -PERP (COIN-M BTCUSD_PERP becomes
 * BTCUSD-PERP), dated futures and spot keep the symbol; Bybit appends -LINEAR/-INVERSE/-SPOT; OKX,
 * BitMEX and Deribit keep the venue symbol.
 */
export function instrumentIdFor(market: MarketKey, kind: InstrumentKind, rawSymbol: string, otherVenue = 'OTHER'): string {
  const s = rawSymbol.toUpperCase();
  const venue = market === 'other' ? otherVenue.toUpperCase() : MARKET[market].venue;
  switch (market) {
    case 'binance-usdm': case 'binance-coinm':
      if (kind !== 'perpetual') return `${s}.${venue}`;
      return s.endsWith('_PERP') ? `${s.slice(0, -5)}-PERP.${venue}` : `${s}-PERP.${venue}`;
    case 'bybit-linear': return `${s}-LINEAR.${venue}`;
    case 'bybit-inverse': return `${s}-INVERSE.${venue}`;
    case 'bybit-spot': return `${s}-SPOT.${venue}`;
    default: return `${s}.${venue}`;
  }
}
