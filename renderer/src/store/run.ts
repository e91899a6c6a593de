// Running a job: starting it (from the draft, a spec, or the sample), its progress events, cancel.
import type { FileInfo, SampleJob } from '../../../shared/api.js';
import type { DataType, JobSpecInput } from '../../../shared/job.js';
import type { ProgressEvent } from '../../../shared/progress.js';
import { mergeFiles } from '../logic/files.js';
import { marketOfExchange } from '../logic/instrument.js';
import { idleRun, initRun, isBusy, isFinished, reduceProgress, type RunState } from '../logic/progress.js';
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

export function runSlice(ctx: SliceContext): RunSlice {
  const { api, set, get } = ctx;
  /** events of a job whose id is not known yet (they can overtake startJob's answer) */
  let early: { jobId: string; e: ProgressEvent }[] = [];

  return {
    run: idleRun(),
    lastSpec: null,

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
        run: initRun(dataTypes, spec.start, spec.end, Date.now(), instruments.length > 1 ? instruments : []), lastSpec: spec, screen: 'run',
        result: { report: null, output: spec.output, verify: null, verifying: false, stats: null, error: null },
      });
      try {
        const { jobId } = await api.startJob(spec);
        set((s) => ({ run: { ...s.run, jobId } }));
        const mine = early.filter((x) => x.jobId === jobId);
        early = [];
        for (const x of mine) get().onProgress(x.jobId, x.e);
      } catch (e) {
        const msg = errText(e);
        set((s) => ({ run: reduceProgress(s.run, { kind: 'job', state: 'failed', message: msg }), result: { ...s.result, error: msg } }));
      }
    },

    async runSample() {
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
    },

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
      const { run } = get();
      if (!run.jobId) {
        if (run.status === 'starting') early.push({ jobId, e });
        return;
      }
      if (jobId !== run.jobId) return;
      const next = reduceProgress(run, e);
      if (next === run) return;
      set({ run: next });
      if (e.kind === 'job' && e.state !== 'started') void finishJob(ctx, jobId);
    },
  };
}
