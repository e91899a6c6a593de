// One top-of-book quote as read from a source, and the checks a quote must pass before it is
// written: NautilusTrader itself keeps crossed, empty and zero-size quotes (docs/quotes-bars.md §3).
import { compareDecimal, parseDecimal, type Decimal } from '../../numbers/decimal.js';

export interface QuoteRow {
  tsEvent: bigint;
  tsInit: bigint;
  /** decimal text as in the source ("" when the source has no level on that side) */
  bidPrice: string;
  bidSize: string;
  askPrice: string;
  askSize: string;
}

export type QuoteCheck = 'empty' | 'not a number' | 'negative size' | 'zero size' | 'crossed';

/** The job's field name of each side's value (shared/job.ts MAPPING_FIELDS). */
export const QUOTE_FIELD = { bidPrice: 'bid_price', bidSize: 'bid_size', askPrice: 'ask_price', askSize: 'ask_size' } as const;

/**
 * Null when the quote can be written, else the reason kind and its text. Empty side, a zero or
 * negative size, and bid > ask (crossed) are refused; bid == ask (locked) is kept.
 */
export function checkQuote(q: QuoteRow): { kind: QuoteCheck; reason: string } | null {
  const p = quoteProblem(q);
  return p && { kind: p.kind, reason: p.reason };
}

/** The four values parsed (quoteProblem fills what it parsed, so that the writer need not parse them again). */
export type QuoteDecimals = Partial<Record<'bidPrice' | 'bidSize' | 'askPrice' | 'askSize', Decimal>>;

/** checkQuote with the field the problem is in (bid_price for a crossed quote). */
export function quoteProblem(q: Pick<QuoteRow, 'bidPrice' | 'bidSize' | 'askPrice' | 'askSize'>, d: QuoteDecimals = {}): { kind: QuoteCheck; reason: string; field: (typeof QUOTE_FIELD)[keyof typeof QUOTE_FIELD] } | null {
  for (const k of ['bidPrice', 'bidSize', 'askPrice', 'askSize'] as const) {
    const text = q[k].trim();
    if (text === '') return { kind: 'empty', reason: `${label(k)} is empty (no level on that side)`, field: QUOTE_FIELD[k] };
    const v = parseDecimal(text);
    if (!v) return { kind: 'not a number', reason: `${label(k)} "${text}" is not a number`, field: QUOTE_FIELD[k] };
    d[k] = v;
  }
  for (const k of ['bidSize', 'askSize'] as const) {
    const v = d[k]!;
    if (v.digits === '') return { kind: 'zero size', reason: `${label(k)} is zero`, field: QUOTE_FIELD[k] };
    if (v.neg) return { kind: 'negative size', reason: `${label(k)} ${q[k]} is negative`, field: QUOTE_FIELD[k] };
  }
  if (compareDecimal(d.bidPrice!, d.askPrice!) > 0) return { kind: 'crossed', reason: `crossed: bid ${q.bidPrice} is above ask ${q.askPrice}`, field: 'bid_price' };
  return null;
}

function label(k: 'bidPrice' | 'bidSize' | 'askPrice' | 'askSize'): string {
  return { bidPrice: 'bid price', bidSize: 'bid size', askPrice: 'ask price', askSize: 'ask size' }[k];
}
