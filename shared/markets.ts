// The venues and markets a job can name (facts defined once: the engine maps symbols and Tardis
// exchange ids onto them, engine/instruments/markets.ts; the app offers them).
import type { INSTRUMENT_KINDS } from './job.js';

type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];

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
