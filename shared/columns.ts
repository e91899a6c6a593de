// How a column's name is read for a guess, defined once for the engine's automatic mapping
// (engine/sources/csv/plan.ts) and the app's first guess of what a file holds (renderer logic).
import type { MappingField } from './job.js';

/** The words a column name is made of: exec_price, execPrice and "Exec Price" are exec + price. */
export const wordsOf = (c: string): string[] => c.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

/** Fields a column may be guessed for by one of its words (an exchange's export: exec_time, exec_price, exec_qty). */
export const FIELD_WORDS: Partial<Record<MappingField, readonly string[]>> = {
  timestamp: ['timestamp', 'time', 'datetime', 'date', 'ts'],
  price: ['price', 'px'],
  size: ['size', 'qty', 'quantity', 'amount', 'volume', 'vol'],
  aggressor_side: ['side'],
  trade_id: ['id'],
};

/** Words that make a column something else (a bid, a mark price, a receive time, a notional): never guessed by word. */
export const OTHER_WORDS: ReadonlySet<string> = new Set(['bid', 'ask', 'best', 'mark', 'index', 'funding', 'next', 'open', 'high', 'low', 'close', 'avg', 'average',
  'fee', 'local', 'recv', 'receive', 'received', 'quote', 'notional', 'value', 'usd', 'cum', 'total', 'order', 'leaves', 'last', 'prev', 'orig']);

/** Whether a column's words make it a guess for `field` (one of its words, none of another thing's). */
export function wordFits(words: readonly string[], field: MappingField): boolean {
  const want = FIELD_WORDS[field];
  return !!want && words.some((w) => want.includes(w)) && !words.some((w) => OTHER_WORDS.has(w));
}
