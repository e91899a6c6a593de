// What the result screen says about a finished run: its title, and how each day's state reads.
import type { DayReport, RunReport } from '../../../shared/report.js';

export function failedDays(days: readonly DayReport[]): number {
  return days.filter((d) => d.state === 'failed').length;
}

export function resultTitle(r: Pick<RunReport, 'ok' | 'days'>): string {
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
