// A build job: source files -> validated, deduplicated, sorted rows -> one Parquet file per data
// type and UTC day, each committed atomically; a run report and a rejects file beside the catalog.
// The steps live beside it: plan.ts (files per type), precision.ts, instrument.ts, typerun.ts (each
// type's days), read.ts, finish.ts (writing and committing days), report.ts.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { JobSpec, type JobSpecInput } from '../../shared/job.js';
import type { ProgressEvent } from '../../shared/progress.js';
import type { RunReport } from '../../shared/report.js';
import { JobError, assertNoLinks, removeQuietly } from '../catalog/atomic.js';
import { realPath } from '../catalog/atomic.js';
import { Ownership, applyJournal } from '../catalog/owned.js';
import { fixedMode } from '../numbers/fixed.js';
import { MARKET, instrumentIdFor } from '../instruments/markets.js';
import { NS_PER_DAY, STATE_DIR, dayStartNs, daysBetween, uriSafe } from '../catalog/paths.js';
import { INSTRUMENT_MODULES, TYPE_FOLDER } from '../datatypes/index.js';
import { RejectSink } from '../normalize/rejects.js';
import { COMMIT_JOURNAL, TYPE_ORDER, errText, type JobContext } from './context.js';
import { commitStaged, finishRun } from './finish.js';
import { prepareInstrument } from './instrument.js';
import { takeLock } from './lock.js';
import { gatherFacts, settleJob, severalSymbols, type InputFacts } from './identity.js';
import { planInputs } from './plan.js';
import { jobMarket, resolvePrecision } from './precision.js';
import { readGroup } from './read.js';
import { gapNotes } from './barspec.js';
import { runReport, saveReport } from './report.js';
import { buildSections } from './sections.js';
import { openTypeRun, readGroups, type TypeRun } from './typerun.js';

export interface BuildOptions {
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  /** bytes of buffered rows before days spill to disk (tests lower it to exercise spilling) */
  bufferBudget?: number;
  /** owner of the catalog's lock and name of the job's temp folder (the service's job id); default: the run id */
  jobId?: string;
  /** internal: this build is one symbol of a job of several (engine/jobs/sections.ts) */
  section?: boolean;
  /** internal: what the job's files say, gathered once by runBuild */
  facts?: InputFacts[];
}

export class JobCancelled extends Error {
  constructor() {
    super('the job was cancelled');
  }
}

export { STATE_DIR };
export { accountingErrors } from './report.js';

/**
 * Checks that no folder the job will create, write or delete in leads out of the catalog through a
 * symbolic link, takes the catalog's lock, and clears the temporary files of jobs that died (the
 * lock is ours, so no other job is alive). A refused job has written nothing but the state folder.
 */
async function openCatalog(out: string, jobId: string, paths: { stateDir: string; runDir: string; tmpRoot: string; tmpDir: string; folders: string[] }): Promise<() => Promise<void>> {
  const { stateDir, runDir, tmpRoot, tmpDir, folders } = paths;
  const cannot = (e: unknown) => new JobError(`cannot write to the output folder ${out}: ${errText(e)} (${(e as Error).message})`);
  try {
    await mkdir(out, { recursive: true });
  } catch (e) {
    throw cannot(e);
  }
  for (const p of [runDir, tmpDir, ...folders]) await assertNoLinks(out, p);
  try {
    await mkdir(stateDir, { recursive: true });
  } catch (e) {
    throw cannot(e);
  }
  const unlock = await takeLock(stateDir, realPath(out), jobId);
  const journal = join(stateDir, COMMIT_JOURNAL);
  try {
    // A job stopped while committing a precision change: complete it before anything else.
    await applyJournal(journal, await Ownership.open(out, stateDir));
  } catch (e) {
    await unlock();
    throw new JobError(`completing the interrupted commit ${journal} failed: ${errText(e)}`);
  }
  try {
    await mkdir(runDir, { recursive: true });
    // fs.rm removes a link found in tmp/ itself and never follows one (tmp/ itself was checked above).
    for (const old of await readdir(tmpRoot).catch(() => [] as string[])) if (old !== jobId) await removeQuietly(join(tmpRoot, old));
    await mkdir(tmpDir, { recursive: true });
  } catch (e) {
    await unlock();
    throw cannot(e);
  }
  return unlock;
}

/**
 * A build job. One naming several symbols builds each as its own instrument, one after the other
 * (each in the catalog's lock, with its own report section and progress tagged with its symbol).
 */
export async function runBuild(input: JobSpecInput, opts: BuildOptions = {}): Promise<RunReport> {
  const parsed = JobSpec.parse(input);
  // What the files say, read once for the job: each symbol's build is checked against the same facts.
  // (A Tardis job's facts are its config's, and its market can follow the symbol: gathered per build.)
  const facts = parsed.source === 'tardis' ? undefined : await gatherFacts(parsed, parsed.configDir ?? process.cwd());
  const withFacts = { ...opts, facts };
  // Several symbols named, or none named and the files hold several: one section per symbol.
  const symbols = parsed.symbols ?? (parsed.symbol || !facts ? undefined : severalSymbols(facts));
  if (!symbols || symbols.length < 2) return buildInstrument(symbols ? { ...parsed, symbol: symbols[0]!, symbols: undefined } : parsed, withFacts);
  return buildSections({ ...parsed, symbols }, withFacts, buildInstrument);
}

async function buildInstrument(input: JobSpecInput, opts: BuildOptions): Promise<RunReport> {
  const parsed = JobSpec.parse(input);
  const configDir = parsed.configDir ?? process.cwd();
  // The symbol and exchange, checked against (or read from) the files before anything is written.
  const { spec, notes: identityNotes, rowSymbols } = await settleJob(parsed, configDir, { section: !!opts.section, facts: opts.facts });
  const emit = opts.onProgress ?? (() => undefined);
  const signal = opts.signal;
  const fm = fixedMode(spec.precisionMode);
  const out = resolve(spec.output);
  const stateDir = join(out, STATE_DIR);
  const runId = new Date().toISOString().replace(/[:.]/g, '-') + '-' + randomBytes(3).toString('hex');
  const runDir = join(stateDir, 'runs', runId);
  const tmpRoot = join(stateDir, 'tmp');
  const jobId = opts.jobId ?? runId;
  const tmpDir = join(tmpRoot, jobId);
  const startedAt = new Date().toISOString();
  const days = daysBetween(spec.start, spec.end);
  const startDay = Number(dayStartNs(spec.start) / NS_PER_DAY);

  // Every folder the instrument's id could name (its kind is settled later, in the lock).
  const { market, venue } = jobMarket(spec.exchange, spec.symbol);
  const ids = MARKET[market].kinds.map((k) => uriSafe(instrumentIdFor(market, k, spec.symbol, venue)));
  const typeFolders = [...Object.values(TYPE_FOLDER), ...INSTRUMENT_MODULES.map((m) => m.folder)];
  const folders = ids.flatMap((id) => typeFolders.map((f) => join(out, 'data', f, id)));
  const unlock = await openCatalog(out, jobId, { stateDir, runDir, tmpRoot, tmpDir, folders });
  const rejects = new RejectSink(join(runDir, 'rejects.jsonl'));
  emit({ kind: 'job', state: 'started' });

  const job: JobContext = {
    spec, emit, signal, bufferBudget: opts.bufferBudget, fm, out, stateDir, tmpDir, configDir, days, startDay, rejects,
    notes: [...identityNotes], errors: [], files: [], rowSymbols, dayReports: [], instrument: null, instrumentFile: undefined, supersededInstruments: [], keepTmp: false, openSinks: [],
  };
  let cancelled = false;
  /** the job stopped part-way (cancelled, or an error no file or day could take) */
  let stopped = false;
  try {
    await buildCatalog(job);
  } catch (e) {
    stopped = true;
    if (signal?.aborted) {
      cancelled = true;
      job.errors.push('cancelled');
    } else {
      job.errors.push(errText(e));
    }
  } finally {
    for (const s of job.openSinks) if ((s.state !== 'done' && s.state !== 'skipped') || s.staged) await s.discard().catch(() => undefined);
    await rejects.close().catch(() => undefined);
    if (rejects.error) job.errors.push(`the rejects file ${rejects.path} could not be written: ${errText(rejects.error)}`);
    if (!job.keepTmp) await removeQuietly(tmpDir);
  }

  const report = runReport(job, { runId, startedAt, stopped });
  await saveReport(job, report, runDir, unlock);
  emit({ kind: 'job', state: cancelled ? 'cancelled' : report.ok ? 'done' : 'failed', message: job.errors[0] });
  if (cancelled) throw Object.assign(new JobCancelled(), { report });
  return report;
}

/**
 * The job's work, in the lock: plan the files, settle the instrument, open every data type's days
 * and normaliser; then the files are read (a capture file that feeds several types once for all of
 * them), then each type's days are written and committed. Throws when the job stops part-way.
 */
async function buildCatalog(job: JobContext): Promise<void> {
  const { fm, signal } = job;
  const plan = await planInputs(job);
  const inst = job.instrument = await resolvePrecision(job, plan);
  if (inst.pricePrecision > fm.F || inst.sizePrecision > fm.F) {
    throw new Error(`precision ${Math.max(inst.pricePrecision, inst.sizePrecision)} is above ${fm.F}, the most a ${fm.mode}-bit catalog holds`);
  }
  const target = await prepareInstrument(job, plan, inst);
  const runs: TypeRun[] = [];
  for (const type of TYPE_ORDER) {
    const typeFiles = plan.filesByType.get(type);
    if (!typeFiles) continue;
    signal?.throwIfAborted();
    runs.push(await openTypeRun(job, type, typeFiles, inst, target, plan.bar));
    job.openSinks = runs.flatMap((r) => r.sinks);
  }
  for (const group of readGroups(runs, job.spec.source)) {
    await readGroup(job, group, plan);
    for (const run of group) if (run.norm.gaps) job.notes.push(...gapNotes(run.norm.gaps, job.days));
    for (const run of group) await finishRun(job, run);
  }
  if (target.staging) await commitStaged(job, target);
}
