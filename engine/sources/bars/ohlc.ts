// OHLCV checks on the decimal text, compared exactly. NautilusTrader's catalog reader loads an
// inconsistent bar without a word (docs/quotes-bars.md §3), so the writer must refuse it.
import { compareDecimal, parseDecimal, type Decimal } from '../../numbers/decimal.js';

export interface OhlcvText { open: string; high: string; low: string; close: string; volume: string }

/** Null when the bar is consistent, else the reason (names the field and both values). */
export function checkBar(bar: OhlcvText): string | null {
  const d: Partial<Record<keyof OhlcvText, Decimal>> = {};
  for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) {
    const text = bar[k].trim();
    if (text === '') return `${k} is empty`;
    const v = parseDecimal(text);
    if (!v) return `${k} "${text}" is not a number`;
    d[k] = v;
  }
  const { open, high, low, close, volume } = d as Record<keyof OhlcvText, Decimal>;
  if (volume.neg && volume.digits !== '') return `volume ${bar.volume} is negative`;
  if (compareDecimal(high, low) < 0) return `high ${bar.high} is below low ${bar.low}`;
  if (compareDecimal(high, open) < 0) return `high ${bar.high} is below open ${bar.open}`;
  if (compareDecimal(high, close) < 0) return `high ${bar.high} is below close ${bar.close}`;
  if (compareDecimal(low, open) > 0) return `low ${bar.low} is above open ${bar.open}`;
  if (compareDecimal(low, close) > 0) return `low ${bar.low} is above close ${bar.close}`;
  return null;
}
