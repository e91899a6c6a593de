// A small in-memory Api for the renderer's store tests: records calls, answers from fixtures,
// and lets a test push progress events.
import type { Api, FileInfo, JobInfo, JobSummary, RejectRow, VerifyOutcome, MappingTemplate, PreviewRequest, PreviewResult, PreviewRow } from '../../shared/api.js';
import type { MappingField } from '../../shared/job.js';
import type { ProgressEvent } from '../../shared/progress.js';
import type { RunReport } from '../../shared/report.js';

export interface FakeApi extends Api {
  calls: { method: string; args: unknown[] }[];
  emit(jobId: string, e: ProgressEvent): void;
  /** pushes a batch, as browser mode's transport does (to batch listeners at once, to the others one by one) */
  emitBatch(jobId: string, events: ProgressEvent[]): void;
  /** what listJobs answers, and job(jobId) for those jobs (with their progress so far) */
  jobList: (JobSummary & { progress?: ProgressEvent[] })[];
  templates: MappingTemplate[];
  report: RunReport | null;
  /** what verify answers */
  verifyOutcome: VerifyOutcome;
  /** the rejected rows `rejects` pages through */
  rejectRows: RejectRow[];
}

export function fileInfo(path: string, columns: string[], extra: Partial<FileInfo> = {}): FileInfo {
  return {
    path, name: path.split('/').pop()!, size: 1234, compression: 'none', format: 'generic', label: 'CSV with header',
    delimiter: ',', hasHeader: true, columns, rowEstimate: 100, feeds: ['trades', 'mark', 'funding'], ...extra,
  };
}

export const COLUMNS = ['time', 'ts', 'price', 'qty', 'direction', 'match_id'];
const AUTO: Partial<Record<MappingField, string>> = { timestamp: 'time', price: 'price', size: 'qty' };

/** Rows as the engine would answer: rejected while timestamp is the time-of-day column. */
function rowsFor(req: PreviewRequest, columns: Partial<Record<MappingField, string>>): PreviewRow[] {
  return [1, 2, 3].map((k) => {
    const cells = ['00:00:0' + k, String(1709251200000 + k), '6000.1', '0.001', 'buy', `m${k}`];
    if (columns.timestamp === 'time') return { line: k + 1, cells, status: 'rejected', field: 'timestamp', reason: 'not a timestamp' };
    return { line: k + 1, cells, status: 'ok', mapped: { ts_init: '2024-03-01T00:00:00.00' + k + 'Z', price: '6000.1', size: '0.001', aggressor_side: req.columns?.aggressor_side ? 'BUYER' : 'NO_AGGRESSOR' } };
  });
}

export function fakeApi(): FakeApi {
  const listeners = new Set<(jobId: string, e: ProgressEvent) => void>();
  const batchListeners = new Set<(jobId: string, events: ProgressEvent[]) => void>();
  const calls: FakeApi['calls'] = [];
  let jobs = 0;
  const api: FakeApi = {
    calls,
    templates: [],
    report: null,
    verifyOutcome: { ok: true, errors: [], warnings: [], summary: [] },
    rejectRows: [],
    jobList: [],
    emit(jobId, e) {
      for (const l of batchListeners) l(jobId, [e]);
      for (const l of listeners) l(jobId, e);
    },
    emitBatch(jobId, events) {
      for (const l of batchListeners) l(jobId, events);
      for (const e of events) for (const l of listeners) l(jobId, e);
    },
    async inspectFiles(paths) {
      calls.push({ method: 'inspectFiles', args: [paths] });
      return paths.map((p) => (p.includes('missing') ? { ...fileInfo(p, []), error: 'file not found', feeds: [] } : fileInfo(p, COLUMNS)));
    },
    async preview(req): Promise<PreviewResult> {
      calls.push({ method: 'preview', args: [req] });
      const columns = req.columns ?? AUTO;
      const missing = (['timestamp', 'price', 'size'] as MappingField[]).filter((f) => !columns[f]);
      const base = {
        file: fileInfo(req.path, COLUMNS), fields: ['timestamp', 'local_timestamp', 'price', 'size', 'aggressor_side', 'trade_id'] as MappingField[],
        required: ['timestamp', 'price', 'size'] as MappingField[], pricePrecision: 1, sizePrecision: 3, timestampUnit: 'ms',
      };
      if (missing.length) return { ...base, mapping: {}, confidence: {}, rows: [], error: `no column for ${missing.join(', ')}` };
      return { ...base, mapping: { ...columns }, confidence: req.columns ? {} : { timestamp: 0.85, price: 1, size: 0.8 }, rows: rowsFor(req, columns) };
    },
    async presets() {
      return [{ market: 'binance-usdm', symbol: 'BTCUSDT', kind: 'perpetual', isInverse: false, multiplier: '1', pricePrecision: 1, sizePrecision: 3, priceIncrement: '0.10', sizeIncrement: '0.001' }];
    },
    async sampleJob() {
      return {
        spec: { source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-03', output: '/out/sample-catalog', dataTypes: ['trades'], config: { files: { trades: { file_path: 'x.csv' } } } },
        files: ['/res/sample/x.csv'],
      };
    },
    async startJob(spec) {
      calls.push({ method: 'startJob', args: [spec] });
      return { jobId: `job-${++jobs}` };
    },
    async cancelJob(jobId) {
      calls.push({ method: 'cancelJob', args: [jobId] });
    },
    async job(jobId, opts) {
      calls.push({ method: 'job', args: opts ? [jobId, opts] : [jobId] });
      const listed = api.jobList.find((j) => j.jobId === jobId);
      if (listed) return { jobId, state: listed.state, ...(opts?.progress ? { progress: listed.progress ?? [] } : {}) } satisfies JobInfo;
      return { jobId, state: 'done', report: api.report ?? undefined };
    },
    onProgress(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    async listJobs() {
      // Not recorded: init asks it on every start, and tests read calls[0].
      return api.jobList.map(({ progress: _, ...j }) => j);
    },
    onProgressBatch(cb) {
      batchListeners.add(cb);
      return () => batchListeners.delete(cb);
    },
    async verify(catalog) {
      calls.push({ method: 'verify', args: [catalog] });
      return api.verifyOutcome;
    },
    async dailyStats(catalog, id) {
      calls.push({ method: 'dailyStats', args: [catalog, id] });
      return [{ day: '2024-03-01', trades: 3, close: '6000.1' }];
    },
    async listTemplates() {
      return [...api.templates];
    },
    async saveTemplate(t) {
      api.templates = [...api.templates.filter((x) => x.name !== t.name), t];
    },
    async deleteTemplate(name) {
      api.templates = api.templates.filter((x) => x.name !== name);
    },
    async pickFiles() {
      return [];
    },
    async pickFolder() {
      return '/picked/folder';
    },
    async openFolder(path) {
      calls.push({ method: 'openFolder', args: [path] });
    },
    async setApiKey(key) {
      calls.push({ method: 'setApiKey', args: [key] });
    },
    async hasApiKey() {
      return false;
    },
    async allowedFolders() {
      return ['/data', '/tmp'];
    },
    async rejects(jobId, query) {
      calls.push({ method: 'rejects', args: [jobId, query] });
      const offset = query?.offset ?? 0;
      const matching = api.rejectRows.filter((r) => !query?.reason || `${r.field}: ${r.reason}` === query.reason);
      const counts = new Map<string, number>();
      for (const r of api.rejectRows) counts.set(`${r.field}: ${r.reason}`, (counts.get(`${r.field}: ${r.reason}`) ?? 0) + 1);
      return {
        rows: matching.slice(offset, offset + (query?.limit ?? 100)), offset, total: matching.length, all: api.rejectRows.length,
        reasons: [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
      };
    },
  };
  return api;
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
