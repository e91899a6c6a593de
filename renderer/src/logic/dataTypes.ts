// The renderer's one table of data types: how each is named, and what a generic CSV header holding
// its rows looks like. Every list of types the app shows follows shared DATA_TYPES; a new type
// needs one line here (the Record type makes the compiler ask for it) and nothing else.
import { wordFits, wordsOf } from '../../../shared/columns.js';
import type { DataType, MappingField } from '../../../shared/job.js';

/** A CSV header as the guesses read it. */
export interface Header {
  /** lower-cased names without non-alphanumerics ("Bid Price" -> "bidprice") */
  names: string[];
  /** the open, high, low, close columns when the header has them all: the file holds bars */
  ohlc: string[] | null;
  /** each column's words (exec_price: exec, price), for guesses by word as the engine makes them */
  words: string[][];
}

export interface TypeInfo {
  label: string;
  /** Whether a generic CSV with this header holds rows of this type (a guess; the user can change it). */
  looksLike(h: Header): boolean;
}

// Header names as the engine's automatic mapping reads them (engine/sources/csv/plan.ts ALIASES).
const PRICE = ['price', 'p', 'px', 'tradeprice', 'lastprice'];
const SIZE = ['size', 'volume', 'qty', 'amount', 'quantity', 'q', 'vol', 'basevolume'];
const has = (h: Header, re: RegExp) => h.names.some((n) => re.test(n));
const bidAsk = (h: Header) => has(h, /bid/) && has(h, /ask/);
/** A column named as the field (exactly), or one column whose words make it the field (exec_price). */
const holds = (h: Header, names: string[], field: MappingField) => h.names.some((n) => names.includes(n)) || h.words.filter((w) => wordFits(w, field)).length === 1;

export const DATA_TYPE_INFO: Record<DataType, TypeInfo> = {
  // A bar's close and volume are not a trade: an OHLC file is never guessed as trades.
  trades: { label: 'Trades', looksLike: (h) => !h.ohlc && !bidAsk(h) && holds(h, PRICE, 'price') && holds(h, SIZE, 'size') },
  mark: { label: 'Mark price', looksLike: (h) => has(h, /mark/) },
  funding: { label: 'Funding rate', looksLike: (h) => has(h, /funding|^rate$/) && !has(h, /^(price|p|px|qty|size|amount|quantity)$/) },
  quotes: { label: 'Quotes', looksLike: bidAsk },
  bars: { label: 'Bars', looksLike: (h) => !!h.ohlc },
  // Order books come from known layouts (Tardis incremental_book_L2, book_snapshot_N): the engine says which.
  deltas: { label: 'Order book deltas', looksLike: (h) => h.names.includes('issnapshot') },
  depth10: { label: 'Order book depth 10', looksLike: (h) => h.names.some((n) => /^bids\d+price$/.test(n)) },
};

export const TYPE_LABELS: Record<DataType, string> = Object.fromEntries(
  Object.entries(DATA_TYPE_INFO).map(([t, i]) => [t, i.label]),
) as Record<DataType, string>;

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The header of a file's columns (same OHLC rule as the engine's ohlcColumns). */
export function headerOf(columns: string[]): Header {
  const names = columns.map(norm);
  let ohlc: string[] | null = null;
  for (const set of [['open', 'high', 'low', 'close'], ['o', 'h', 'l', 'c']]) {
    const idx = set.map((n) => names.indexOf(n));
    if (idx.every((i) => i >= 0)) {
      ohlc = idx.map((i) => columns[i]!);
      break;
    }
  }
  return { names, ohlc, words: columns.map(wordsOf) };
}
