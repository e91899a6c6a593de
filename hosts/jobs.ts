// Running jobs: each on its own worker thread, never on the host's thread; a crashing job marks
// itself failed and leaves the host running. Finished jobs stay queryable (the last 100).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JobInfo, JobSummary } from '../shared/api.js';
import type { DataType, JobSpecInput } from '../shared/job.js';
import type { ProgressEvent } from '../shared/progress.js';
import type { RunReport } from '../shared/report.js';
import {
  STATE_DIR, assertNoLinks, startJobWorker, daysBetween, releaseLock, removeQuietly,
  type FromWorker, type ToWorker,
} from '../engine/index.js';
import { realPath } from './allowlist.js';
import { errorMessage } from './messages.js';
import { JobProgress } from './job-progress.js';

export interface JobRunnerOptions {
  /** job worker entry; default engine/jobs/worker.ts (dev, through tsx) or worker.js (built) */
  workerUrl?: URL;
  /** ms a cancelled worker gets to stop before it is terminated */
  cancelGraceMs: number;
  /** every progress event of every job */
  emit(jobId: string, e: ProgressEvent): void;
}

interface JobRecord {
  info: JobInfo;
  output: string;
  startedAt: string;
  spec: JobSpecInput;
  /** what its events said so far: a page that attaches later starts from it */
  progress: JobProgress;
  worker: Worker;
  cancelRequested: boolean;
  terminated: boolean;
  done: Promise<void>;
}

type Finish = (state: 'done' | 'failed' | 'cancelled', fields: { report?: RunReport; error?: string }) => void;

/**
 * After a job's worker ended (terminated mid-job, or crashed): drop its lock and its temporary
 * files, and only its own: another job may hold the catalog by now. Never catalog files.
 */
async function cleanAfterExit(output: string, jobId: string): Promise<void> {
  const stateDir = join(output, STATE_DIR);
  await releaseLock(stateDir, jobId);
  const tmp = join(stateDir, 'tmp', jobId);
  await assertNoLinks(output, tmp);
  await removeQuietly(tmp);
}

/** Turns the worker's messages, errors and exit into the job's end (once) and its progress events. */
function watchWorker(rec: JobRecord, emit: JobRunnerOptions['emit'], finish: Finish, settle: () => void): void {
  const { worker, output } = rec;
  const { jobId } = rec.info;
  worker.on('message', (m: FromWorker) => {
    if (rec.info.state !== 'running') return;
    switch (m?.type) {
      case 'progress':
        // The final job event is sent by finish(), once job(jobId) already has the report.
        if (m.event.kind === 'job' && m.event.state !== 'started') return;
        rec.progress.add(m.event);
        emit(jobId, m.event);
        break;
      case 'done':
        finish(m.report.ok ? 'done' : 'failed', { report: m.report, error: m.report.ok ? undefined : m.report.errors[0] });
        break;
      case 'cancelled':
        finish('cancelled', { report: m.report });
        break;
      case 'error':
        finish(rec.cancelRequested ? 'cancelled' : 'failed', { error: m.error });
        break;
    }
  });
  worker.on('error', (e) => {
    finish(rec.cancelRequested ? 'cancelled' : 'failed', { error: `the job crashed: ${errorMessage(e)}` });
  });
  worker.on('exit', (code) => {
    void (async () => {
      await cleanAfterExit(output, jobId).catch(() => undefined);
      if (rec.cancelRequested) finish('cancelled', {});
      else finish('failed', { error: `the job's worker stopped unexpectedly (exit code ${code})` });
      settle();
    })();
  });
}

/** A job as listJobs() names it: from its spec and its events so far. */
function summary(rec: JobRecord): JobSummary {
  const { spec, info } = rec;
  const dataTypes = (spec.dataTypes ?? []) as DataType[];
  const symbols = spec.symbols?.length ? [...spec.symbols] : undefined;
  const days = daysBetween(spec.start, spec.end).length * dataTypes.length * Math.max(1, symbols?.length ?? 1);
  return {
    jobId: info.jobId, state: info.state, output: rec.output, source: spec.source, ...(spec.symbol ? { symbol: spec.symbol } : {}), ...(symbols ? { symbols } : {}),
    start: spec.start, end: spec.end, dataTypes, startedAt: rec.startedAt, days, daysFinished: rec.progress.daysFinished(), ...(info.error ? { error: info.error } : {}),
  };
}

export class JobRunner {
  private readonly jobs = new Map<string, JobRecord>();

  constructor(private readonly opts: JobRunnerOptions) {}

  /** Throws while a running job writes to `output`: the same catalog under another name (a symbolic link to it) is the same catalog. */
  assertFree(output: string): void {
    for (const j of this.jobs.values()) {
      if (j.info.state === 'running' && realPath(j.output) === realPath(output)) {
        throw new Error(`a job is already writing to ${realPath(output)} (job ${j.info.jobId}, started ${j.startedAt}); wait for it or cancel it`);
      }
    }
  }

  /** Starts a checked spec on a new worker. */
  start(spec: JobSpecInput, output: string): { jobId: string } {
    // Finished jobs stay queryable (job(jobId)), the oldest beyond the last 100 are forgotten.
    const finishedJobs = [...this.jobs.values()].filter((j) => j.info.state !== 'running');
    for (const j of finishedJobs.slice(0, Math.max(0, finishedJobs.length - 100))) this.jobs.delete(j.info.jobId);
    // A finished job's events (a day's each: 11,323 for 31 years) are kept for the last few only.
    for (const j of finishedJobs.slice(0, Math.max(0, finishedJobs.length - 5))) j.progress.forget();
    const jobId = randomUUID();
    let worker: Worker;
    try {
      worker = startJobWorker({ spec, jobId }, this.opts.workerUrl);
    } catch (e) {
      throw new Error(`could not start the job: ${errorMessage(e)}`);
    }
    let settle!: () => void;
    const done = new Promise<void>((r) => (settle = r));
    const info: JobInfo = { jobId, state: 'running' };
    const rec: JobRecord = {
      info, output, startedAt: new Date().toISOString(), spec, progress: new JobProgress(), worker, cancelRequested: false, terminated: false, done,
    };
    this.jobs.set(jobId, rec);
    // A job ends once: finish() is the only writer of info.state.
    const finish: Finish = (state, fields) => {
      if (info.state !== 'running') return;
      info.state = state;
      if (fields.report) info.report = fields.report;
      if (fields.error) info.error = fields.error;
      const e: ProgressEvent = { kind: 'job', state, message: fields.error };
      rec.progress.add(e);
      this.opts.emit(jobId, e);
    };
    watchWorker(rec, this.opts.emit, finish, settle);
    return { jobId };
  }

  private record(jobId: string): JobRecord {
    const rec = this.jobs.get(jobId);
    if (!rec) throw new Error(`no job ${jobId}`);
    return rec;
  }

  /** The job's state and report; with `progress`, what its events said so far (for a page attaching to it). */
  info(jobId: string, opts: { progress?: boolean } = {}): JobInfo {
    const rec = this.record(jobId);
    return { ...rec.info, ...(opts.progress ? { progress: rec.progress.events() } : {}) };
  }

  /** Running jobs first, then the finished ones, newest first within each. */
  list(): JobSummary[] {
    const recs = [...this.jobs.values()].reverse();
    return [...recs.filter((r) => r.info.state === 'running'), ...recs.filter((r) => r.info.state !== 'running')].map(summary);
  }

  /** Asks the worker to stop; terminates it after the grace period. Resolves once the job has ended. */
  async cancel(jobId: string): Promise<void> {
    const rec = this.record(jobId);
    if (rec.info.state !== 'running') return;
    rec.cancelRequested = true;
    try {
      rec.worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    } catch {
      // The worker is already gone; 'exit' settles the job.
    }
    const timer = setTimeout(() => {
      rec.terminated = true;
      void rec.worker.terminate();
    }, this.opts.cancelGraceMs);
    await rec.done;
    clearTimeout(timer);
  }

  /** Stops every running job (terminating its worker). */
  async close(): Promise<void> {
    await Promise.all([...this.jobs.values()].filter((j) => j.info.state === 'running').map(async (j) => {
      j.cancelRequested = true;
      j.terminated = true;
      await j.worker.terminate();
      await j.done;
    }));
  }
}
