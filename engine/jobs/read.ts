// Reading a group's input files into the normalisers of its data types, with progress per file and day.
import { stat } from 'node:fs/promises';
import type { FileReport } from '../../shared/report.js';
import type { FileCounters } from '../normalize/normalizer.js';
import { readerFor } from '../sources/index.js';
import { readWebsocketTargets } from '../sources/websocket/index.js';
import { errText, type JobContext } from './context.js';
import { OutputError, relieveSinks } from './daysink.js';
import type { Input } from './inputs.js';
import type { InputPlan } from './plan.js';
import type { TypeRun } from './typerun.js';
import { etaOf, rateOf } from './rate.js';

/** What one data type keeps of the file being read. */
interface Reading {
  run: TypeRun;
  report: FileReport;
  counters: FileCounters;
}

/** Reads the group's files (the same list for each of its types) into their normalisers. */
export async function readGroup(job: JobContext, group: TypeRun[], plan: InputPlan): Promise<void> {
  const reading = group.filter((r) => r.active.length);
  if (!reading.length) return;
  const reports = new Map<TypeRun, FileReport[]>(reading.map((r) => [r, []]));
  try {
    for (const [i, first] of reading[0]!.files.entries()) {
      job.signal?.throwIfAborted();
      // One capture read for several types: the deltas' depth snapshot rides on their own input.
      const snapshot = reading.map((r) => r.files[i]?.snapshot).find((s) => s !== undefined);
      await readInput(job, snapshot ? { ...first, snapshot } : first, reading, reports, plan);
    }
  } finally {
    // File reports in data-type order, as when each type read its files in turn.
    for (const r of reading) job.files.push(...reports.get(r)!);
  }
}

/** One input for every type of the group; a file that cannot be read fails for each of them. */
async function readInput(job: JobContext, input: Input, reading: TypeRun[], reports: Map<TypeRun, FileReport[]>, plan: InputPlan): Promise<void> {
  const { spec, signal, emit, errors } = job;
  // A zip member is its own input, named archive.zip:member in reports, rejects and errors.
  const f = input.label;
  const t0 = performance.now();
  const fileSize = (await stat(input.path).catch(() => null))?.size ?? 0;
  const each: Reading[] = reading.map((run) => {
    const report: FileReport = { dataType: run.type, path: f, format: '?', compression: '?', rows: 0, outOfRange: 0, rejected: 0, notes: [] };
    reports.get(run)!.push(report);
    return { run, report, counters: run.norm.startFile(f, input.identity) };
  });
  const onBatch = batchProgress(job, f, each, t0);
  try {
    if (input.error) throw new Error(input.error);
    const hooks = { signal, onBatch, member: input.member, symbol: input.symbol, snapshot: input.snapshot };
    const results = each.length === 1
      ? [await readerFor(spec.source)(input.path, each[0]!.run.type, input.fc ?? plan.entries[each[0]!.run.type], each[0]!.run.norm, hooks)]
      : await readWebsocketTargets(input.path, each.map(({ run }) => ({ type: run.type, norm: run.norm })), hooks);
    each.forEach(({ run, report, counters }, i) => {
      const res = results[i]!;
      Object.assign(report, { format: res.format, compression: res.compression, notes: res.notes });
      emit({ kind: 'file', dataType: run.type, path: f, format: res.label, bytesRead: fileSize, bytesTotal: fileSize, rows: counters.rows, rowsPerSec: 0, etaSec: 0, state: 'done' });
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    for (const { run, report, counters } of each) {
      report.error = e instanceof OutputError ? `${f}: reading stopped, writing ${e.dest} failed: ${errText(e)}` : `${f}: ${errText(e)}`;
      errors.push(`${run.type}: ${report.error}`);
      run.failedFiles.add(f);
      emit({ kind: 'file', dataType: run.type, path: f, bytesRead: 0, bytesTotal: fileSize, rows: counters.rows, rowsPerSec: 0, etaSec: null, state: 'failed', error: report.error });
    }
  }
  for (const { run, report, counters } of each) {
    // The file's last held order-book delta, and what its deltas showed.
    run.norm.endFile();
    report.notes.push(...run.norm.bookNotes);
    Object.assign(report, { rows: counters.rows, outOfRange: counters.outOfRange, rejected: counters.rejected });
  }
}

/** After each batch the reader hands over: the normalisers relieve their memory, and progress (at most every 100 ms). */
function batchProgress(job: JobContext, f: string, each: Reading[], t0: number): (read: number, total: number) => Promise<void> {
  const { emit } = job;
  let lastEmit = 0;
  /** each day's rows at its last event: a day whose rows did not change gets none (a file of decades of days sent thousands a tick) */
  const told = new Map<object, number>();
  return async (read: number, total: number) => {
    for (const { run } of each) await relieveSinks(run.sinks, job.bufferBudget);
    const now = performance.now();
    if (now - lastEmit < 100) return;
    lastEmit = now;
    const secs = (now - t0) / 1000;
    const frac = total ? Math.min(1, read / total) : 0;
    for (const { run, counters } of each) {
      const rate = rateOf(counters.rows, secs);
      const eta = etaOf(frac, secs);
      emit({ kind: 'file', dataType: run.type, path: f, bytesRead: read, bytesTotal: total, rows: counters.rows, rowsPerSec: rate, etaSec: eta, state: 'reading' });
      for (const s of run.active) {
        if (!s.sources.has(f) || told.get(s) === s.stats.read) continue;
        told.set(s, s.stats.read);
        s.state = 'reading';
        emit({ kind: 'day', dataType: run.type, day: s.day, state: 'reading', rows: s.stats.read, fraction: frac * 0.9, rowsPerSec: rate, etaSec: eta });
      }
    }
  };
}
