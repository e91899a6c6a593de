// Finishing a data type's days (write, commit, report each), and the all-or-nothing commit of a
// precision change.
import { join } from 'node:path';
import type { DayReport } from '../../shared/report.js';
import { runJournal } from '../catalog/owned.js';
import { nsToIso } from '../catalog/paths.js';
import { COMMIT_JOURNAL, errText, type JobContext } from './context.js';
import type { DaySink } from './daysink.js';
import type { InstrumentTarget } from './instrument.js';
import type { TypeRun } from './typerun.js';
import { etaOf, rateOf } from './rate.js';

/** Fails the days fed by unreadable files, then writes and commits the type's days. */
export async function finishRun(job: JobContext, run: TypeRun): Promise<void> {
  const { signal } = job;
  await failIncomplete(run);
  for (const s of run.sinks) {
    signal?.throwIfAborted();
    await finishDay(job, run, s);
    // A cancel during the day's write stops here, with the finished day reported.
    signal?.throwIfAborted();
  }
}

/** A day fed by a file that failed part-way would be silently incomplete: fail it instead. */
async function failIncomplete(run: TypeRun): Promise<void> {
  const { active, failedFiles } = run;
  for (const s of active) {
    const bad = [...s.sources].filter((f) => failedFiles.has(f));
    if (bad.length) {
      s.state = 'failed';
      s.error = `incomplete: ${bad.join(', ')} could not be read to the end`;
      await s.discard();
    } else if (failedFiles.size && s.stats.read === 0) {
      // No rows at all, but a file that stopped early may have held this day's rows.
      s.state = 'failed';
      s.error = `no rows, and ${[...failedFiles].join(', ')} could not be read (it may hold rows of this day)`;
    }
  }
}

/** Writes a day still open (a write error fails that day only), then reports it. */
async function finishDay(job: JobContext, run: TypeRun, s: DaySink): Promise<void> {
  const { signal, emit } = job;
  const { type } = run;
  if (s.state === 'pending' || s.state === 'reading') {
    const t0 = performance.now();
    emit({ kind: 'day', dataType: type, day: s.day, state: 'writing', rows: s.stats.read, written: 0, fraction: 0.9, rowsPerSec: 0, etaSec: null });
    try {
      let last = 0;
      await s.finalize((written, total) => {
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        const secs = (now - t0) / 1000;
        emit({ kind: 'day', dataType: type, day: s.day, state: 'writing', rows: s.stats.read, written, fraction: 0.9 + 0.1 * (written / total), rowsPerSec: rateOf(written, secs), etaSec: etaOf(written / total, secs) });
      });
      if (s.stats.written === 0) s.error = 'no rows for this day';
    } catch (e) {
      if (signal?.aborted) throw e;
      s.state = 'failed';
      s.error = `writing ${s.dest} failed: ${errText(e)}`;
    }
  }
  if (s.state === 'failed') job.errors.push(`${type} ${s.day}: ${s.error}`);
  emit({ kind: 'day', dataType: type, day: s.day, state: s.state, rows: s.stats.read, written: s.stats.written, fraction: 1, rowsPerSec: 0, etaSec: 0, error: s.error, file: s.stats.written ? s.dest : undefined });
  job.dayReports.push(dayReport(run, s));
}

function dayReport({ type }: TypeRun, s: DaySink): DayReport {
  return {
    dataType: type, day: s.day, state: s.state === 'skipped' ? 'skipped' : s.state === 'failed' ? 'failed' : 'done',
    read: s.stats.read, written: s.stats.written, duplicates: s.stats.duplicates, skipped: s.stats.skipped, rejected: s.stats.rejected,
    existing: s.stats.existing, discarded: s.stats.discarded, ...(s.stats.added ? { added: s.stats.added } : {}),
    file: s.stats.written ? s.dest : s.state === 'skipped' ? s.dest : undefined, error: s.error,
    firstTsInit: s.firstTs !== undefined ? nsToIso(s.firstTs) : undefined, lastTsInit: s.lastTs !== undefined ? nsToIso(s.lastTs) : undefined,
  };
}

/** Commits the staged instrument and days of a precision change, or (if anything failed) none. */
export async function commitStaged(job: JobContext, target: InstrumentTarget): Promise<void> {
  const { errors, notes } = job;
  const { owned } = target;
  const staged = job.openSinks.filter((s) => s.staged);
  if (errors.length) {
    const why = `not written: the instrument's precision changes only if every day is written, and ${errors.length} error(s) occurred (${errors[0]})`;
    for (const s of staged) {
      await s.discard();
      s.state = 'failed';
      s.error = why;
      const rep = job.dayReports.find((d) => d.dataType === s.ctx.type && d.day === s.day)!;
      Object.assign(rep, { state: 'failed', written: 0, discarded: s.stats.discarded, file: undefined, error: why });
      job.emit({ kind: 'day', dataType: s.ctx.type, day: s.day, state: 'failed', rows: s.stats.read, written: 0, fraction: 1, rowsPerSec: 0, etaSec: 0, error: why });
    }
    if (staged.length) errors.push(`${staged.length} day(s) written at the new precision were discarded; the catalog is as it was`);
    return;
  }
  // Through a journal: a job stopped part-way is completed by the next one (openCatalog).
  const moves: [string, string][] = staged.map((s) => [s.tmpPath, s.dest]);
  if (target.tmp) moves.unshift([target.tmp, target.dest]);
  const others = target.instFiles.map((f) => f.path).filter((p) => p !== target.dest);
  for (const f of others) if (!(await owned.owns(f))) notes.push(`${f} was not written by catalog-builder: left untouched`);
  // From here the journal owns the staged files: they stay in tmp/ until moved.
  for (const s of staged) s.staged = false;
  job.keepTmp = true;
  const path = join(job.stateDir, COMMIT_JOURNAL);
  try {
    await runJournal(path, { moves, removes: [...others, ...job.supersededInstruments] }, owned);
  } catch (e) {
    throw new Error(`committing the new precision stopped part-way: ${errText(e)}; the next job on this catalog completes it (${path})`);
  }
  job.keepTmp = false;
  job.instrumentFile = target.dest;
}
