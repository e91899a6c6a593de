// The engine behind window.api: one object with every Api method, shared by the Electron main
// process (IPC) and browser mode (hosts/server.ts). Jobs run on worker threads, never on the
// caller's thread; a crashing job marks itself failed and leaves the host running. Only files and
// folders the user chose (see AllowList) are read or written.
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ZodError } from 'zod';
import {
  MappingTemplate, type Api, type DayPoint, type FileInfo, type JobInfo, type PresetInfo,
  type PreviewRequest, type PreviewResult, type SampleJob, type VerifyOutcome,
} from '../shared/api.js';
import { zodIssuesText } from '../shared/errors.js';
import { JobSpec, type JobSpecInput } from '../shared/job.js';
import type { ProgressEvent } from '../shared/progress.js';
import type { RunReport } from '../shared/report.js';
import { AllowList, realPath } from './allowlist.js';
import { JOB_WORKER_URL, WORKER_BOOT_URL, assertNoLinks, removeQuietly, writeFileAtomic, formatRaw, incrementPrecision, presets as presetTable, mergeDay, type DayAcc, readDayStatsIsolated, TYPE_FOLDER, daysBetween, parseFileName, uriSafe, verifyCatalog, STATE_DIR, releaseLock, resolveFiles, type FromWorker, type ToWorker, type WorkerInput, inspectFiles as inspectEngine, preview as previewEngine } from '../engine/index.js';

/** Where the Tardis API key lives (Electron: safeStorage; browser mode: memory). `get` never reaches the renderer. */
export interface SecretStore {
  set(key: string): Promise<void>;
  has(): Promise<boolean>;
  get?(): Promise<string | null>;
}

export interface ServiceOptions {
  /** templates.json lives here (Electron: userData; browser mode: ~/.config/catalog-builder) */
  configDir: string;
  /** the user's documents folder; default outputs go to <documents>/Catalog Builder */
  documentsDir?: string;
  /** default output root instead of <documents>/Catalog Builder */
  outputRoot?: string;
  /** folders (or files) allowed from the start, e.g. browser mode's --allow */
  allow?: string[];
  pickFiles?: () => Promise<string[]>;
  pickFolder?: () => Promise<string | null>;
  openFolder?: (path: string) => Promise<void>;
  secrets?: SecretStore;
  /** job worker entry; default engine/jobs/worker.ts (dev, through tsx) or worker.js (built) */
  workerUrl?: URL;
  /** ms a cancelled worker gets to stop before it is terminated */
  cancelGraceMs?: number;
  /** bundled resources (sample); default <repo>/resources */
  resourcesDir?: string;
}

/** The Api plus what only the host (main process / server) may call. */
export interface Service extends Api {
  /** the host vouches for a path (a file dropped on the window) */
  allowPath(path: string): void;
  allowed(): string[];
  /** stops every running job (terminating its worker) */
  close(): Promise<void>;
}

interface JobRecord {
  info: JobInfo;
  output: string;
  startedAt: string;
  worker: Worker;
  cancelRequested: boolean;
  terminated: boolean;
  done: Promise<void>;
}

const DEFAULT_RESOURCES = fileURLToPath(new URL('../resources/', import.meta.url));

export const SAMPLE = { symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-03' } as const;

function message(e: unknown): string {
  if (e instanceof ZodError) return zodIssuesText(e.issues);
  return e instanceof Error ? e.message : String(e);
}

/** Writes a file whole or not at all (temporary file, flushed, renamed: atomic.ts). */
async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, text, 0o600);
}

export function defaultDocumentsDir(): string {
  const docs = join(homedir(), 'Documents');
  try {
    readdirSync(docs);
    return docs;
  } catch {
    return homedir();
  }
}

const TARDIS_HOST = /^https:\/\/([a-z0-9-]+\.)*tardis\.dev(\/|$)/i;

export function createService(opts: ServiceOptions): Service {
  const resources = opts.resourcesDir ?? DEFAULT_RESOURCES;
  const sampleDir = join(resources, 'sample');
  const outputRoot = resolve(opts.outputRoot ?? join(opts.documentsDir ?? defaultDocumentsDir(), 'Catalog Builder'));
  const allow = new AllowList([sampleDir, outputRoot, ...(opts.allow ?? [])]);
  const templatesFile = join(opts.configDir, 'templates.json');
  const graceMs = opts.cancelGraceMs ?? 1500;
  const jobs = new Map<string, JobRecord>();
  const listeners = new Set<(jobId: string, e: ProgressEvent) => void>();
  let templateQueue: Promise<unknown> = Promise.resolve();

  const emit = (jobId: string, e: ProgressEvent) => {
    for (const cb of [...listeners]) {
      try {
        cb(jobId, e);
      } catch {
        // A listener's failure is its own; the job and the other listeners go on.
      }
    }
  };

  // ---- job spec checks -------------------------------------------------------------------
  async function checkSpec(input: unknown): Promise<{ spec: JobSpec; output: string }> {
    let spec: JobSpec;
    try {
      spec = JobSpec.parse(input);
    } catch (e) {
      throw new Error(`invalid job: ${message(e)}`);
    }
    const output = allow.check(spec.output, 'output folder (or inside one)');
    const configDir = resolve(spec.configDir ?? process.cwd());
    const base = spec.config.base_path ? resolve(configDir, spec.config.base_path) : configDir;
    if (spec.source !== 'tardis') {
      for (const type of spec.dataTypes) {
        const fc = spec.config.files[type];
        if (!fc) continue; // runBuild reports the missing entry
        for (const p of Array.isArray(fc.file_path) ? fc.file_path : [fc.file_path]) {
          const full = isAbsolute(p) ? p : join(base, p);
          // A pattern (* ?) reads a folder: the folder itself must have been chosen.
          const pattern = /[*?]/.test(full.split(/[\\/]/).pop() ?? '');
          allow.check(pattern ? dirname(full) : full, /[*?]/.test(p) ? 'folder' : 'file');
          // …and every file it matches (a link in the folder must not lead out of it).
          if (pattern) for (const f of await resolveFiles(p, spec.config.base_path, configDir).catch(() => [] as string[])) allow.check(f, 'file');
        }
      }
    } else {
      const c = spec.config as Record<string, unknown>;
      if (typeof c.cache_dir === 'string') allow.check(resolve(configDir, c.cache_dir), 'folder (Tardis cache_dir)');
      if (!spec.config.api_key && opts.secrets?.get && (await opts.secrets.has())) {
        // The stored key only ever goes to Tardis itself.
        for (const k of ['endpoint', 'datasets_endpoint']) {
          if (c[k] !== undefined && !(typeof c[k] === 'string' && TARDIS_HOST.test(c[k] as string))) {
            throw new Error(`the stored Tardis API key is only sent to https://*.tardis.dev; config.${k} is ${String(c[k])}`);
          }
        }
        const key = await opts.secrets.get();
        if (key) spec = { ...spec, config: { ...spec.config, api_key: key } };
      }
    }
    for (const j of jobs.values()) {
      // The same catalog under another name (a symbolic link to it) is the same catalog.
      if (j.info.state === 'running' && realPath(j.output) === realPath(output)) {
        throw new Error(`a job is already writing to ${realPath(output)} (job ${j.info.jobId}, started ${j.startedAt}); wait for it or cancel it`);
      }
    }
    return { spec: { ...spec, output, configDir }, output };
  }

  function startWorker(spec: JobSpecInput, jobId: string): Worker {
    const url = opts.workerUrl ?? JOB_WORKER_URL;
    const data: WorkerInput = { spec, jobId };
    if (url.pathname.endsWith('.ts')) {
      // Development: Node 20 cannot start a .ts worker entry through --import tsx; worker-boot.mjs registers tsx first.
      return new Worker(WORKER_BOOT_URL, { workerData: { ...data, entry: url.href } });
    }
    return new Worker(url, { workerData: data });
  }

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

  async function startJob(input: unknown): Promise<{ jobId: string }> {
    const { spec, output } = await checkSpec(input);
    // Finished jobs stay queryable (job(jobId)), the oldest beyond the last 100 are forgotten.
    const finishedJobs = [...jobs.values()].filter((j) => j.info.state !== 'running');
    for (const j of finishedJobs.slice(0, Math.max(0, finishedJobs.length - 100))) jobs.delete(j.info.jobId);
    const jobId = randomUUID();
    const info: JobInfo = { jobId, state: 'running' };
    let worker: Worker;
    try {
      worker = startWorker(spec, jobId);
    } catch (e) {
      throw new Error(`could not start the job: ${message(e)}`);
    }
    let settle!: () => void;
    const done = new Promise<void>((r) => (settle = r));
    const rec: JobRecord = { info, output, startedAt: new Date().toISOString(), worker, cancelRequested: false, terminated: false, done };
    jobs.set(jobId, rec);

    let finished = false;
    const finish = (state: 'done' | 'failed' | 'cancelled', fields: { report?: RunReport; error?: string }) => {
      if (finished) return;
      finished = true;
      info.state = state;
      if (fields.report) info.report = fields.report;
      if (fields.error) info.error = fields.error;
      emit(jobId, { kind: 'job', state, message: fields.error });
    };

    worker.on('message', (m: FromWorker) => {
      if (finished) return;
      switch (m?.type) {
        case 'progress':
          // The final job event is sent by finish(), once job(jobId) already has the report.
          if (m.event.kind === 'job' && m.event.state !== 'started') return;
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
      finish(rec.cancelRequested ? 'cancelled' : 'failed', { error: `the job crashed: ${message(e)}` });
    });
    worker.on('exit', (code) => {
      void (async () => {
        await cleanAfterExit(output, jobId).catch(() => undefined);
        if (rec.cancelRequested) finish('cancelled', {});
        else finish('failed', { error: `the job's worker stopped unexpectedly (exit code ${code})` });
        settle();
      })();
    });
    return { jobId };
  }

  function record(jobId: string): JobRecord {
    const rec = jobs.get(jobId);
    if (!rec) throw new Error(`no job ${jobId}`);
    return rec;
  }

  async function cancelJob(jobId: string): Promise<void> {
    const rec = record(jobId);
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
    }, graceMs);
    await rec.done;
    clearTimeout(timer);
  }

  // ---- daily stats ---------------------------------------------------------------------------
  async function dailyStats(catalog: string, instrumentId: string): Promise<DayPoint[]> {
    const root = allow.check(catalog, 'catalog folder');
    const ident = uriSafe(instrumentId);
    if (!/^[A-Za-z0-9_.-]+$/.test(ident) || ident.includes('..')) throw new Error(`invalid instrument id ${instrumentId}`);
    const dir = join(root, 'data', TYPE_FOLDER.trades, ident);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => parseFileName(n)).sort();
    type Acc = DayAcc & { scale: number; places: number };
    const days = new Map<string, Acc>();
    // Read on a reader thread (catalog/read-pool.ts): a damaged file fails this call, not the host.
    for (const name of names) {
      const path = join(dir, name);
      let file;
      try {
        file = await readDayStatsIsolated(path);
      } catch (e) {
        throw new Error(`${path}: cannot be read (${message(e)})`);
      }
      for (const [day, acc] of file.days) {
        const a = days.get(day);
        if (a) mergeDay(a, acc);
        else days.set(day, { ...acc, scale: file.scale, places: file.places });
      }
    }
    if (!days.size) return [];
    const sorted = [...days.keys()].sort();
    // Every day from the first to the last, so a missing day shows as a gap (0 trades).
    return daysBetween(sorted[0]!, sorted[sorted.length - 1]!).map((day) => {
      const a = days.get(day);
      if (!a) return { day, trades: 0 };
      const f = (raw: bigint) => formatRaw(raw, a.scale, a.places);
      return { day, trades: a.trades, open: f(a.open), high: f(a.high), low: f(a.low), close: f(a.close) };
    });
  }

  // ---- templates -----------------------------------------------------------------------------
  async function readTemplates(): Promise<MappingTemplate[]> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(templatesFile, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`${templatesFile} cannot be read: ${message(e)}`);
    }
    const list = Array.isArray(raw) ? raw : [];
    return list.flatMap((t) => {
      const r = MappingTemplate.safeParse(t);
      return r.success ? [r.data] : [];
    });
  }

  function updateTemplates(f: (list: MappingTemplate[]) => MappingTemplate[]): Promise<void> {
    // One read-modify-write at a time, so two quick saves do not lose one of them.
    const next = templateQueue.then(async () => {
      const list = f(await readTemplates());
      await writeAtomic(templatesFile, JSON.stringify(list, null, 2) + '\n');
    });
    templateQueue = next.catch(() => undefined);
    return next;
  }

  const service: Service = {
    async inspectFiles(paths: string[]): Promise<FileInfo[]> {
      return inspectEngine(paths.map((p) => allow.check(p)));
    },

    async preview(req: PreviewRequest): Promise<PreviewResult> {
      return previewEngine({ ...req, path: allow.check(req.path) });
    },

    async presets(): Promise<PresetInfo[]> {
      return Object.entries(presetTable())
        .map(([symbol, p]) => ({
          symbol, priceIncrement: p.price_increment, sizeIncrement: p.size_increment,
          pricePrecision: incrementPrecision(p.price_increment), sizePrecision: incrementPrecision(p.size_increment),
        }))
        .sort((a, b) => a.symbol.localeCompare(b.symbol));
    },

    async sampleJob(): Promise<SampleJob> {
      const config = JSON.parse(await readFile(join(sampleDir, 'csv_config.json'), 'utf8')) as SampleJob['spec']['config'];
      const files = (await readdir(sampleDir)).filter((n) => !n.endsWith('.json')).sort().map((n) => join(sampleDir, n));
      return {
        spec: {
          source: 'csv', symbol: SAMPLE.symbol, exchange: 'BINANCE', start: SAMPLE.start, end: SAMPLE.end,
          output: join(outputRoot, 'sample-catalog'), dataTypes: ['trades', 'mark', 'funding'], config, configDir: sampleDir,
        },
        files,
      };
    },

    startJob,
    cancelJob,

    async job(jobId: string): Promise<JobInfo> {
      const { info } = record(jobId);
      return { ...info };
    },

    onProgress(cb) {
      listeners.add(cb);
      return () => {
        listeners.delete(cb);
      };
    },

    async verify(catalog: string): Promise<VerifyOutcome> {
      return verifyCatalog(allow.check(catalog, 'catalog folder'));
    },

    dailyStats,

    listTemplates: readTemplates,

    async saveTemplate(t: MappingTemplate): Promise<void> {
      const tpl = MappingTemplate.parse(t);
      await updateTemplates((list) => [...list.filter((x) => x.name !== tpl.name), tpl].sort((a, b) => a.name.localeCompare(b.name)));
    },

    async deleteTemplate(name: string): Promise<void> {
      await updateTemplates((list) => list.filter((x) => x.name !== name));
    },

    async pickFiles(): Promise<string[]> {
      const picked = (await opts.pickFiles?.()) ?? [];
      for (const p of picked) allow.add(p);
      return picked.map((p) => resolve(p));
    },

    async pickFolder(): Promise<string | null> {
      const picked = (await opts.pickFolder?.()) ?? null;
      if (picked) allow.add(picked);
      return picked ? resolve(picked) : null;
    },

    async openFolder(path: string): Promise<void> {
      const p = allow.check(path, 'folder');
      if (!opts.openFolder) throw new Error(`opening folders is not available here; the folder is ${p}`);
      const st = await stat(p).catch(() => null);
      if (!st) throw new Error(`${p} does not exist`);
      // Only ever a folder is opened, never a file (opening a file could run it).
      await opts.openFolder(st.isDirectory() ? p : dirname(p));
    },

    async setApiKey(key: string): Promise<void> {
      if (!opts.secrets) throw new Error('no secure storage for the API key here');
      const k = key.trim();
      if (!k) throw new Error('the API key is empty');
      await opts.secrets.set(k);
    },

    async hasApiKey(): Promise<boolean> {
      return (await opts.secrets?.has()) ?? false;
    },

    allowPath(path: string) {
      allow.add(path);
    },

    allowed() {
      return allow.list();
    },

    async close() {
      await Promise.all([...jobs.values()].filter((j) => j.info.state === 'running').map(async (j) => {
        j.cancelRequested = true;
        j.terminated = true;
        await j.worker.terminate();
        await j.done;
      }));
    },
  };
  return service;
}
