// What the result screen says about a finished run: its title, and how each day's state reads.
import { MARKET, MARKETS, type MarketKey } from '../../../shared/markets.js';
import type { DayReport, RunReport } from '../../../shared/report.js';

export function failedDays(days: readonly DayReport[]): number {
  return days.filter((d) => d.state === 'failed').length;
}

export function resultTitle(r: Pick<RunReport, 'ok' | 'days'> & { sections?: Pick<RunReport, 'ok'>[] }): string {
  // A job of several: how many instruments failed, when some were written.
  const bad = r.sections?.filter((s) => !s.ok).length ?? 0;
  if (r.sections && bad && bad < r.sections.length) return `Written, ${bad} of ${r.sections.length} instruments failed`;
  const failed = failedDays(r.days);
  return r.ok ? 'Catalog written' : failed ? `Written, ${failed} day${failed === 1 ? '' : 's'} failed` : 'The job failed';
}

export function stateTone(s: DayReport['state']): 'done' | 'skipped' | 'failed' {
  return s === 'done' ? 'done' : s === 'skipped' ? 'skipped' : 'failed';
}

/** A skipped day was already in the catalog and is kept as it was. */
export function dayStateLabel(s: DayReport['state']): string {
  return s === 'skipped' ? 'kept' : s;
}

/**
 * What the catalog's instrument is, in the words the job screen used: its class, market, linear or
 * inverse, contract size and settlement (reports written before instruments had kinds say none of it).
 */
export function instrumentFacts(i: RunReport['instrument']): string[] {
  const facts: string[] = [];
  if (i.className) facts.push(i.className);
  if (i.market) facts.push((MARKETS as readonly string[]).includes(i.market) ? MARKET[i.market as MarketKey].label : i.market);
  if (i.isInverse !== undefined && i.className !== 'CurrencyPair') facts.push(i.isInverse ? 'inverse' : 'linear');
  if (i.multiplier !== undefined && i.className !== 'CurrencyPair') facts.push(`multiplier ${i.multiplier}`);
  if (i.settlement && i.className !== 'CurrencyPair') facts.push(`settled in ${i.settlement}`);
  return facts;
}

/** How an instrument of a job of several is named: its id, or (refused before it had one) its symbol. */
export function sectionLabel(r: Pick<RunReport, 'instrument' | 'job'>): string {
  return r.instrument.id || String((r.job as { symbol?: unknown }).symbol ?? '?');
}

