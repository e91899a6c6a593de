// The run report: totals, the checks that every row is accounted for and that files were not mostly
// rejected, and its writing beside the catalog.
import { CLASS_OF } from '../instruments/definition.js';
import { join } from 'node:path';
import type { DayReport, FileReport, RunReport } from '../../shared/report.js';
import { writeFileAtomic } from '../catalog/atomic.js';
import type { JobContext } from './context.js';
import { HINTS, grouped } from '../../shared/text.js';

/** The report of a job that has ended; `stopped`: it stopped part-way, so its counts need not add up. */
export function runReport(job: JobContext, run: { runId: string; startedAt: string; stopped: boolean }): RunReport {
  const { spec, files, dayReports, errors, notes, rejects, instrument } = job;
  const sum = (f: (d: DayReport) => number) => dayReports.reduce((a, d) => a + f(d), 0);
  const totals: RunReport['totals'] = {
    read: files.reduce((a, f) => a + f.rows, 0), written: sum((d) => d.written), duplicates: sum((d) => d.duplicates),
    rejected: files.reduce((a, f) => a + f.rejected, 0), outOfRange: files.reduce((a, f) => a + f.outOfRange, 0),
    skipped: sum((d) => d.skipped), existing: sum((d) => d.existing), discarded: sum((d) => d.discarded),
    skippedDays: dayReports.filter((d) => d.state === 'skipped').length, failedDays: dayReports.filter((d) => d.state === 'failed').length,
    added: sum((d) => d.added ?? 0),
  };
  // A job stopped part-way has unreported days: its counts are not expected to add up.
  if (!run.stopped) errors.push(...accountingErrors(dayReports, totals));
  errors.push(...rejectRatioErrors(files, spec.maxRejectRatio));
  return {
    runId: run.runId, startedAt: run.startedAt, finishedAt: new Date().toISOString(), ok: errors.length === 0,
    job: { ...spec, config: { ...spec.config, api_key: spec.config.api_key ? '(set)' : undefined } },
    instrument: instrument
      ? {
        id: instrument.id, pricePrecision: instrument.pricePrecision, sizePrecision: instrument.sizePrecision, precisionSource: instrument.source, file: job.instrumentFile,
        className: CLASS_OF[instrument.kind], market: instrument.market, isInverse: instrument.isInverse, multiplier: instrument.multiplier, settlement: instrument.settlement,
      }
      : { id: '', pricePrecision: -1, sizePrecision: -1, precisionSource: 'none' },
    files, days: dayReports, totals,
    rejectsFile: rejects.count && !rejects.error ? rejects.path : undefined,
    notes, errors,
  };
}

/**
 * Written while the job still holds the lock (released here), whole or not at all; last-run.json
 * only ever points to a report that was written. A failed write fails the report it returns.
 */
export async function saveReport(job: JobContext, report: RunReport, runDir: string, unlock: () => Promise<void>): Promise<void> {
  try {
    await writeFileAtomic(join(runDir, 'report.json'), JSON.stringify(report, null, 2));
    await writeFileAtomic(join(job.stateDir, 'last-run.json'), JSON.stringify({ runId: report.runId, report: join(runDir, 'report.json') }));
  } catch (e) {
    job.errors.push((e as Error).message);
    report.ok = false;
  } finally {
    await unlock();
  }
}

/**
 * Rows that are in no bucket, or in two, are a bug that would lose rows silently: it fails the run
 * loudly instead (the invariant of RunReport['totals']).
 */
export function accountingErrors(days: DayReport[], t: RunReport['totals']): string[] {
  const out: string[] = [];
  for (const d of days) {
    const rejected = Object.values(d.rejected).reduce((a, b) => a + b, 0);
    const sum = d.written + d.duplicates + d.skipped + rejected + d.existing + d.discarded;
    if (sum !== d.read + (d.added ?? 0)) {
      out.push(`${d.dataType} ${d.day}: rows do not add up (read ${d.read}; written ${d.written}, duplicates ${d.duplicates}, no value ${d.skipped}, rejected ${rejected}, existing ${d.existing}, discarded ${d.discarded}): an internal error, please report it`);
    }
  }
  const sum = t.written + t.duplicates + t.rejected + t.outOfRange + t.skipped + t.existing + t.discarded;
  if (sum !== t.read + (t.added ?? 0)) {
    out.push(`rows do not add up (read ${t.read}; written ${t.written}, duplicates ${t.duplicates}, rejected ${t.rejected}, outside the range ${t.outOfRange}, no value ${t.skipped}, existing ${t.existing}, discarded ${t.discarded}): an internal error, please report it`);
  }
  return out;
}

/** A share as a percent with one decimal, or two significant digits when that would show 0.0 (2 of 50,003: 0.0040). */
function sharePct(part: number, whole: number): string {
  const pct = (100 * part) / whole;
  return pct > 0 && pct < 0.05 ? pct.toPrecision(2) : pct.toFixed(1);
}

/** Files with a larger share of rejected rows than the job allows: the run did not get what they meant. */
function rejectRatioErrors(files: FileReport[], max: number): string[] {
  return files.filter((f) => f.rows > 0 && f.rejected > max * f.rows).map((f) =>
    `${f.dataType}: ${f.path}: ${grouped(f.rejected)} of ${grouped(f.rows)} rows rejected (${sharePct(f.rejected, f.rows)}%), more than the allowed ${+(100 * max).toFixed(4)}% (max reject ratio ${max}); ${HINTS.rejectsFile.cli}`);
}
