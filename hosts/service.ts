// The engine behind window.api: one object with every Api method, shared by the Electron main
// process (IPC) and browser mode (hosts/server.ts). Jobs run on worker threads, never on the
// caller's thread (jobs.ts); a crashing job marks itself failed and leaves the host running. Only
// files and folders the user chose (see AllowList) are read or written.
import { readdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Api, PresetInfo, SampleJob } from '../shared/api.js';
import type { ProgressEvent } from '../shared/progress.js';
import { progressBatcher } from '../shared/progress-batch.js';
import { incrementPrecision, inspectFiles, preview, presetTable, verifyCatalog } from '../engine/index.js';
import { AllowList } from './allowlist.js';
import { checkSpec } from './job-check.js';
import { JobRunner } from './jobs.js';
import { dailyStats } from './overview.js';
import { readRejects, rejectsFiles } from './rejects.js';
import { pickingApi, type HostPickers } from './picking.js';
import { storeKey, type SecretStore } from './secrets.js';
import { templateStore } from './templates.js';

export type { SecretStore };

export interface ServiceOptions extends HostPickers {
  /** templates.json lives here (Electron: userData; browser mode: ~/.config/catalog-builder) */
  configDir: string;
  /** the user's documents folder; default outputs go to <documents>/Catalog Builder */
  documentsDir?: string;
  /** default output root instead of <documents>/Catalog Builder */
  outputRoot?: string;
  /** folders (or files) allowed from the start, e.g. browser mode's --allow */
  allow?: string[];
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
  /** the events of onProgress, in batches of about 100 ms per job (browser mode sends one frame per batch) */
  onProgressBatch(cb: (jobId: string, events: ProgressEvent[]) => void): () => void;
  /** the host vouches for a path (a file dropped on the window) */
  allowPath(path: string): void;
  allowed(): string[];
  /** stops every running job (terminating its worker) */
  close(): Promise<void>;
}

const DEFAULT_RESOURCES = fileURLToPath(new URL('../resources/', import.meta.url));

export const SAMPLE = { symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-03' } as const;

export function defaultDocumentsDir(): string {
  const docs = join(homedir(), 'Documents');
  try {
    readdirSync(docs);
    return docs;
  } catch {
    return homedir();
  }
}

/** The bundled presets of every market, with the precisions their increments give, by market and symbol. */
function presetList(): PresetInfo[] {
  return Object.entries(presetTable()).flatMap(([market, table]) => Object.entries(table ?? {})
    .map(([symbol, p]) => ({
      market: market as PresetInfo['market'], symbol, kind: p.kind, isInverse: p.is_inverse ?? false, multiplier: p.multiplier ?? '1',
      priceIncrement: p.price_increment, sizeIncrement: p.size_increment,
      pricePrecision: incrementPrecision(p.price_increment), sizePrecision: incrementPrecision(p.size_increment),
    }))
    .sort((a, b) => a.symbol.localeCompare(b.symbol)));
}

/** The bundled sample (resources/sample) as a ready job writing to <outputRoot>/sample-catalog. */
async function readSampleJob(sampleDir: string, outputRoot: string): Promise<SampleJob> {
  const config = JSON.parse(await readFile(join(sampleDir, 'csv_config.json'), 'utf8')) as SampleJob['spec']['config'];
  const files = (await readdir(sampleDir)).filter((n) => !n.endsWith('.json')).sort().map((n) => join(sampleDir, n));
  return {
    spec: {
      source: 'csv', symbol: SAMPLE.symbol, exchange: 'BINANCE', start: SAMPLE.start, end: SAMPLE.end,
      output: join(outputRoot, 'sample-catalog'), dataTypes: ['trades', 'mark', 'funding'], config, configDir: sampleDir,
    },
    files,
  };
}

export function createService(opts: ServiceOptions): Service {
  const sampleDir = join(opts.resourcesDir ?? DEFAULT_RESOURCES, 'sample');
  const outputRoot = resolve(opts.outputRoot ?? join(opts.documentsDir ?? defaultDocumentsDir(), 'Catalog Builder'));
  const allow = new AllowList([sampleDir, outputRoot, ...(opts.allow ?? [])]);
  const templates = templateStore(opts.configDir);
  const listeners = new Set<(jobId: string, e: ProgressEvent) => void>();
  const batchListeners = new Set<(jobId: string, events: ProgressEvent[]) => void>();
  const each = <A extends unknown[]>(set: Set<(...a: A) => void>, ...args: A) => {
    for (const cb of [...set]) {
      try {
        cb(...args);
      } catch {
        // A listener's failure is its own; the job and the other listeners go on.
      }
    }
  };
  const batcher = progressBatcher((jobId, events) => each(batchListeners, jobId, events));
  const emit = (jobId: string, e: ProgressEvent) => {
    each(listeners, jobId, e);
    if (batchListeners.size) batcher.push(jobId, e);
  };
  const jobs = new JobRunner({ workerUrl: opts.workerUrl, cancelGraceMs: opts.cancelGraceMs ?? 1500, emit });

  return {
    inspectFiles: async (paths) => inspectFiles(paths.map((p) => allow.check(p))),
    preview: async (req) => preview({ ...req, path: allow.check(req.path) }),
    presets: async () => presetList(),
    sampleJob: () => readSampleJob(sampleDir, outputRoot),
    async startJob(input) {
      const { spec, output } = await checkSpec(input, allow, opts.secrets);
      jobs.assertFree(output);
      return jobs.start(spec, output);
    },
    cancelJob: (jobId) => jobs.cancel(jobId),
    job: async (jobId, o) => jobs.info(jobId, o),
    onProgress(cb) {
      listeners.add(cb);
      return () => {
        listeners.delete(cb);
      };
    },
    // --- jobs after a reload, progress in batches (issue 15, items 6 and 7) ---
    listJobs: async () => jobs.list(),
    onProgressBatch(cb) {
      batchListeners.add(cb);
      return () => {
        batchListeners.delete(cb);
      };
    },
    verify: async (catalog) => verifyCatalog(allow.check(catalog, 'catalog folder')),
    dailyStats: async (catalog, instrumentId) => dailyStats(allow.check(catalog, 'catalog folder'), instrumentId),
    listTemplates: () => templates.list(),
    saveTemplate: (t) => templates.save(t),
    deleteTemplate: (name) => templates.remove(name),
    ...pickingApi(opts, allow),
    setApiKey: (key) => storeKey(opts.secrets, key),
    hasApiKey: async () => (await opts.secrets?.has()) ?? false,
    // -- the app's frame: where typed paths may point (the bundled sample is no place for the user's files)
    allowedFolders: async () => allow.folders([sampleDir]),
    async rejects(jobId, query) {
      const info = jobs.info(jobId);
      if (!info.report) throw new Error(info.state === 'running' ? 'the job is still running: its rejected rows are shown once it has ended' : 'the job ended without a report, so there are no rejected rows to show');
      return readRejects(rejectsFiles(info.report, query?.instrument), query);
    },
    allowPath: (path) => allow.add(path),
    allowed: () => allow.list(),
    close: async () => {
      await jobs.close();
      batcher.flush();
      batcher.close();
    },
  };
}
