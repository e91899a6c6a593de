// Running a job: starting it (from the draft, a spec, or the sample), its progress events, cancel.
import type { FileInfo, JobSummary, SampleJob } from '../../../shared/api.js';
import type { DataType, JobSpecInput } from '../../../shared/job.js';
import type { ProgressEvent } from '../../../shared/progress.js';
import { mergeFiles } from '../logic/files.js';
import { marketOfExchange } from '../logic/instrument.js';
import { idleRun, initRun, isBusy, isFinished, reduceAll, reduceProgress, type RunState } from '../logic/progress.js';
import type { AppState } from './app.js';
import { errText, type SliceContext } from './slice.js';

export interface RunSlice {
  run: RunState;
  lastSpec: JobSpecInput | null;
  startJob(): Promise<void>;
  startSpec(spec: JobSpecInput): Promise<void>;
  runSample(): Promise<void>;
  cancel(): Promise<void>;
  onProgress(jobId: string, e: ProgressEvent): void;
  /** a batch of one job's events, applied in one set() (a job of decades of days sends thousands a second) */
  onProgressBatch(jobId: string, events: readonly ProgressEvent[]): void;
  // --- jobs after a reload (issue 15, item 7) ---
  /** the engine's running and recently finished jobs, as last asked (listJobs) */
  jobs: JobSummary[];
  /** the job the Run screen shows when it was attached to (not started here): what it writes */
  attached: JobSummary | null;
  /** asks the engine for its jobs; a running one, when this page runs none, is shown with its progress so far */
  reattach(): Promise<void>;
  /** cancels any job of the engine (one whose page is gone) */
  cancelJobById(jobId: string): Promise<void>;
  /** asks the engine for its jobs again (after a start was refused: another job may hold the folder) */
  refreshJobs(): Promise<void>;
}

/** Once the job has ended: its report, then (unless cancelled) the catalog's check and chart. */
async function finishJob({ api, set, get }: SliceContext, jobId: string) {
  try {
    const info = await api.job(jobId);
    if (get().run.jobId !== jobId) return;
    set((s) => ({ result: { ...s.result, report: info.report ?? null, error: info.error ?? null } }));
  } catch (e) {
    set((s) => ({ result: { ...s.result, error: errText(e) } }));
  }
  if (get().run.status !== 'cancelled') void get().loadResult();
}

/** The screens show the sample's files and settings, so the user can change them and run again. */
function withSample(s: AppState, infos: FileInfo[], spec: SampleJob['spec']): Partial<AppState> {
  return {
    files: mergeFiles(s.files, infos),
    source: spec.source,
    draft: {
      ...s.draft, source: spec.source, symbol: spec.symbol, market: marketOfExchange(spec.exchange), definition: 'preset', start: spec.start, end: spec.end,
      dataTypes: [...spec.dataTypes], output: spec.output, precisionMode: (spec.precisionMode ?? 128) as 128 | 64,
    },
  };
}

/** The bundled sample: its files added and its job started, written where the first-run card says. */
async function runSample({ api, set, get }: SliceContext): Promise<void> {
  try {
    const sample = await api.sampleJob();
    const infos = await api.inspectFiles(sample.files).catch(() => []);
    // Written where the user said (the first-run card shows the folder before the click).
    const output = get().sampleOutput?.trim();
    const spec = output ? { ...sample.spec, output } : sample.spec;
    set((s) => withSample(s, infos, spec));
    await get().startSpec(spec);
  } catch (e) {
    get().notify('error', `The sample could not start: ${errText(e)}`);
  }
}

export function runSlice(ctx: SliceContext): RunSlice {
  const { api, set, get } = ctx;
  /** events of a job whose id is not known yet (they can overtake startJob's answer) */
  let early: { jobId: string; e: ProgressEvent }[] = [];
  const replayEarly = (jobId: string) => {
    const mine = early.filter((x) => x.jobId === jobId).map((x) => x.e);
    early = [];
    if (mine.length) get().onProgressBatch(jobId, mine);
  };

  return {
    run: idleRun(),
    lastSpec: null,
    jobs: [],
    attached: null,

    async startJob() {
      const built = get().job();
      if (!built.spec) {
        get().notify('error', built.errors[0] ?? 'The job is not complete.');
        return;
      }
      await get().startSpec(built.spec);
    },

    async startSpec(spec) {
      if (isBusy(get().run.status)) {
        get().notify('error', 'A job is already running: cancel it or wait for it to finish.');
        return;
      }
      early = [];
      const dataTypes = (spec.dataTypes ?? []) as DataType[];
      // A job of several symbols: each one's days under its own heading (events name the symbol).
      const instruments = [...new Set((spec.symbols ?? []).map((x) => x.toUpperCase()))];
      set({
        run: initRun(dataTypes, spec.start, spec.end, Date.now(), instruments.length > 1 ? instruments : []), lastSpec: spec, screen: 'run', attached: null,
        result: { report: null, output: spec.output, verify: null, verifying: false, stats: null, error: null },
      });
      try {
        const { jobId } = await api.startJob(spec);
        set((s) => ({ run: { ...s.run, jobId } }));
        replayEarly(jobId);
      } catch (e) {
        const msg = errText(e);
        set((s) => ({ run: reduceProgress(s.run, { kind: 'job', state: 'failed', message: msg }), result: { ...s.result, error: msg } }));
        // Refused because another job writes there (its page may be gone): the Run screen lists it, with Cancel.
        await get().refreshJobs();
      }
    },

    runSample: () => runSample(ctx),

    async cancel() {
      const { run } = get();
      if (!run.jobId || isFinished(run)) return;
      set((s) => ({ run: { ...s.run, status: 'cancelling' } }));
      try {
        await api.cancelJob(run.jobId);
      } catch (e) {
        get().notify('error', `Cancel failed: ${errText(e)}`);
      }
    },

    onProgress(jobId, e) {
      get().onProgressBatch(jobId, [e]);
    },

    onProgressBatch(jobId, events) {
      const { run } = get();
      if (!run.jobId) {
        if (run.status === 'starting') early.push(...events.map((e) => ({ jobId, e })));
        return;
      }
      if (jobId !== run.jobId) return;
      const next = reduceAll(run, events);
      if (next === run) return;
      set({ run: next });
      if (events.some((e) => e.kind === 'job' && e.state !== 'started')) void finishJob(ctx, jobId);
    },

    ...reattachActions(ctx, { replayEarly, clearEarly: () => (early = []) }),
  };
}

/** What a page opened later does with the engine's jobs: show a running one, cancel any. */
function reattachActions(ctx: SliceContext, hooks: { replayEarly(jobId: string): void; clearEarly(): void }): Pick<RunSlice, 'reattach' | 'cancelJobById' | 'refreshJobs'> {
  const { api, set, get } = ctx;
  return {
    async reattach() {
      let jobs: JobSummary[];
      try {
        jobs = await api.listJobs();
      } catch {
        return;
      }
      set({ jobs });
      const job = jobs.find((j) => j.state === 'running');
      if (!job || get().run.status !== 'idle') return;
      // Its events from now on wait (as a new job's do) until its progress so far is in.
      hooks.clearEarly();
      set({
        run: initRun(job.dataTypes, job.start, job.end, Date.parse(job.startedAt), job.symbols && job.symbols.length > 1 ? job.symbols : []),
        attached: job, lastSpec: null, screen: 'run',
        result: { report: null, output: job.output, verify: null, verifying: false, stats: null, error: null },
      });
      try {
        const info = await api.job(job.jobId, { progress: true });
        if (get().attached?.jobId !== job.jobId) return;
        set((s) => ({ run: reduceAll({ ...s.run, jobId: job.jobId, status: 'running' }, info.progress ?? []) }));
        if (isFinished(get().run)) {
          hooks.clearEarly();
          void finishJob(ctx, job.jobId);
          return;
        }
        hooks.replayEarly(job.jobId);
        // It ended between the two questions, and its end event came before this page listened.
        if (info.state !== 'running' && !isFinished(get().run)) get().onProgress(job.jobId, { kind: 'job', state: info.state, message: info.error });
      } catch (e) {
        set({ run: idleRun(), attached: null, screen: 'source' });
        get().notify('error', `Could not show the running job: ${errText(e)}`);
      }
    },

    async cancelJobById(jobId) {
      if (get().run.jobId === jobId) return get().cancel();
      try {
        await api.cancelJob(jobId);
      } catch (e) {
        get().notify('error', `Cancel failed: ${errText(e)}`);
      }
      await get().refreshJobs();
    },

    async refreshJobs() {
      try {
        set({ jobs: await api.listJobs() });
      } catch {
        // The list is a help, not the job: without it the screens show what they know.
      }
    },
  };
}
