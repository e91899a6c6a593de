// Venues and their markets, named as NautilusTrader's own adapters name them (README, "Instrument
// ids"): which market a venue, a Tardis exchange id or a symbol names. The markets table, the id
// rule and the kind guess are defined once in shared/markets.ts (the app shows the id the engine writes).
export { MARKETS, MARKET, VENUES, guessKind, instrumentIdFor, type MarketKey, type Market } from '../../shared/markets.js';
import { MARKETS, MARKET, VENUES, type MarketKey } from '../../shared/markets.js';

const isLinearQuote = (s: string) => /(USDT|USDC|FDUSD|BUSD)$/.test(s);

/** The market of a venue symbol when only the venue is known (bare `BINANCE`: USD-M, as before markets existed). */
export function marketOfVenue(venue: string, symbol: string): MarketKey | null {
  const s = symbol.toUpperCase();
  switch (venue.toUpperCase()) {
    // COIN-M: BTCUSD_PERP, BTCUSD_240329 (base + USD); USD-M dated: BTCUSDT_240329, BTCBUSD_210129.
    case 'BINANCE': return /_PERP$/.test(s) || (/^[A-Z0-9]+USD_\d{6}$/.test(s) && !isLinearQuote(s.slice(0, -7))) ? 'binance-coinm' : 'binance-usdm';
    case 'BYBIT': return /-SPOT$/.test(s) ? 'bybit-spot' : isLinearQuote(s.replace(/-\d{2}[A-Z]{3}\d{2}$/, '')) || /-\d{2}[A-Z]{3}\d{2}$/.test(s) ? 'bybit-linear' : 'bybit-inverse';
    case 'OKX': case 'OKEX': return /-SWAP$/.test(s) ? 'okx-swap' : /-\d{6}$/.test(s) ? 'okx-futures' : 'okx-spot';
    case 'BITMEX': return 'bitmex';
    case 'DERIBIT': return 'deribit';
    default: return null;
  }
}

/** The market of a Tardis exchange id and symbol (`bybit` holds linear and inverse contracts). */
export function tardisMarket(exchange: string, symbol: string): MarketKey | null {
  const ex = exchange.toLowerCase();
  if (ex === 'bybit') return marketOfVenue('BYBIT', symbol) === 'bybit-linear' ? 'bybit-linear' : 'bybit-inverse';
  return MARKETS.find((k) => MARKET[k].tardis.includes(ex)) ?? null;
}

/** What a job's `exchange` names: a market key, a Tardis exchange id, or a venue (its market then follows the symbol). */
export interface ExchangeRef {
  venue: string;
  /** null: the venue only; the data or the symbol says which market */
  market: MarketKey | null;
  text: string;
}

export function parseExchange(text: string): ExchangeRef | null {
  const t = text.trim();
  const low = t.toLowerCase();
  if ((MARKETS as readonly string[]).includes(low) && low !== 'other') return { venue: MARKET[low as MarketKey].venue, market: low as MarketKey, text: t };
  // A bare venue name (any case) before Tardis ids: `binance` is the venue, as the CLI always took it.
  const venue = low === 'okex' ? 'OKX' : VENUES.find((v) => v.toLowerCase() === low);
  if (venue) return { venue, market: null, text: t };
  if (low === 'bybit-spot') return { venue: 'BYBIT', market: 'bybit-spot', text: t };
  const m = MARKETS.find((k) => MARKET[k].tardis.includes(low) && low !== 'bybit');
  if (m) return { venue: MARKET[m].venue, market: m, text: t };
  // Another venue (HUOBI, KRAKEN): its own name, nothing assumed of its instruments.
  if (/^[A-Za-z][A-Za-z0-9_]{1,31}$/.test(t)) return { venue: t.toUpperCase(), market: 'other', text: t };
  return null;
}

/** The market a job means: its own, else the venue's for this symbol. */
export function marketOf(ref: ExchangeRef, symbol: string): MarketKey | null {
  return ref.market ?? marketOfVenue(ref.venue, symbol);
}
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/**
 * A dated future's expiry when its venue writes the date into the symbol and settles at a fixed
 * hour: Binance (_YYMMDD), OKX (-YYMMDD), Deribit and Bybit (-DDMMMYY), all at 08:00 UTC by their
 * contract specifications. Null when the symbol does not say (BitMEX's month codes).
 */
export function expiryFromSymbol(market: MarketKey, symbol: string): string | null {
  const s = symbol.toUpperCase();
  let y: number, mo: number, d: number;
  const ymd = /[-_](\d{2})(\d{2})(\d{2})$/.exec(s);
  const dmy = /-(\d{1,2})([A-Z]{3})(\d{2})$/.exec(s);
  if (ymd && (market === 'binance-usdm' || market === 'binance-coinm' || market === 'okx-futures')) [y, mo, d] = [2000 + +ymd[1]!, +ymd[2]!, +ymd[3]!];
  else if (dmy && (market === 'deribit' || market === 'bybit-linear' || market === 'bybit-inverse') && MONTHS.includes(dmy[2]!)) [y, mo, d] = [2000 + +dmy[3]!, MONTHS.indexOf(dmy[2]!) + 1, +dmy[1]!];
  else return null;
  const t = new Date(Date.UTC(y, mo - 1, d, 8));
  return t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? t.toISOString() : null;
}
