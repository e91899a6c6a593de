// The Api the renderer calls (window.api in Electron, a loopback WebSocket in browser mode).
// Every request is validated with these zod schemas on the engine side before it runs.
import { z } from 'zod';
import { zodIssuesText } from './errors.js';
import { DATE_FORMATS, DECIMAL_SEPARATORS, DEFAULT_SYMBOL, DataType, JobSpec, MappingField, SIDE_NAMES, SourceConfig, type DateFormat, type SideName, type SourceKind } from './job.js';
import type { InstrumentKind, MarketKey } from './markets.js';
import type { ProgressEvent } from './progress.js';
import type { RunReport } from './report.js';

export const FileOptions = z.object({
  delimiter: z.string().length(1).optional(),
  hasHeader: z.boolean().optional(),
  timestampUnit: z.enum(['s', 'ms', 'us', 'ns']).optional(),
  /** the file's decimal separator (config `decimal`) */
  decimal: z.enum(DECIMAL_SEPARATORS).optional(),
  /** day-first or month-first text dates (config `date_format`) */
  dateFormat: z.enum(DATE_FORMATS).optional(),
  /** trade side value -> buyer / seller / none (config `side_values`) */
  sideValues: z.record(z.string().min(1).max(40), z.enum(SIDE_NAMES)).optional(),
}).strict();
export type FileOptions = z.infer<typeof FileOptions>;

export interface FileInfo {
  path: string;
  name: string;
  size: number;
  compression: string;
  /** 'tardis.trades', 'vision.aggTrades', 'generic', … */
  format: string;
  label: string;
  delimiter: string;
  hasHeader: boolean;
  columns: string[];
  /** estimated data rows in the whole file, from the start of it */
  rowEstimate: number;
  /** data types this file can feed */
  feeds: DataType[];
  /** zip: the member shown (the first data member in name order), how many files the zip holds, how many of them are read */
  member?: string;
  members?: number;
  dataMembers?: number;
  /** what the file says about itself (symbol, venue, days); null when it says nothing */
  facts?: FileFacts | null;
  /** the source that reads it (a JSONL capture: websocket); absent: csv */
  source?: SourceKind;
  /** what the file holds that this version builds nothing from (an order book), said to the user */
  note?: string;
  error?: string;
}

export const PreviewRequest = z.object({
  path: z.string().min(1),
  dataType: DataType,
  options: FileOptions.optional(),
  /** target field -> column name; omitted: the automatic mapping */
  columns: z.partialRecord(MappingField, z.string()).optional(),
  symbol: z.string().min(1).default(DEFAULT_SYMBOL),
  /** the job's market, venue or Tardis exchange id: the preset of the symbol there gives the precisions */
  exchange: z.string().min(1).max(32).optional(),
  pricePrecision: z.number().int().min(0).max(16).optional(),
  sizePrecision: z.number().int().min(0).max(16).optional(),
  rows: z.number().int().min(1).max(1000).default(100),
  /** bars: the bar spec (e.g. 1-MINUTE-LAST); omitted: detected from the rows shown */
  barType: z.string().min(1).optional(),
}).strict();
export type PreviewRequest = z.input<typeof PreviewRequest>;

export interface PreviewRow {
  line: number;
  cells: string[];
  status: 'ok' | 'rejected' | 'duplicate' | 'skipped';
  /** mapped, normalised values as a user reads them (UTC timestamps, BUYER/SELLER, decimals) */
  mapped?: Record<string, string>;
  field?: string;
  reason?: string;
}

/**
 * What a file says about itself, read from its name and first rows (engine/sources/facts.ts): the
 * app fills the job's symbol and venue from it, a build checks the job against it.
 */
export interface FileFacts {
  /** the Tardis exchange id the file names (its exchange column or file name) */
  exchange?: string;
  /** the market that exchange id is (none for an exchange this tool has no market for) */
  market?: MarketKey;
  /** the venue the data is of (BINANCE for Binance Vision files and captures, whose market the name does not say) */
  venue?: string;
  /** the distinct symbols of the first rows (or the one the file name says), upper case */
  symbols: string[];
  /** the first and last UTC day the file holds, when its name or first row says (YYYY-MM-DD) */
  first?: string;
  last?: string;
  /** where the symbols and exchange were read: a column of the rows, the file name, or the messages */
  from: 'column' | 'file name' | 'messages';
  /** the symbols come from the first rows only; the file goes on */
  partial?: boolean;
}

export interface PreviewResult {
  file: FileInfo;
  /** what the file says about its symbol, exchange and days (absent when it says nothing) */
  facts?: FileFacts;
  /** field -> column name */
  mapping: Partial<Record<MappingField, string>>;
  /** field -> 0..1, how sure the automatic mapping is */
  confidence: Partial<Record<MappingField, number>>;
  /** field -> the runner-up columns (not the one mapped), best first, with how sure each would be */
  alternatives?: Partial<Record<MappingField, { column: string; confidence: number }[]>>;
  fields: MappingField[];
  required: MappingField[];
  timestampUnit: string | null;
  pricePrecision: number;
  sizePrecision: number;
  rows: PreviewRow[];
  /** what the rows shown suggest for the file's options (decimal comma, day-first dates, side values); the user confirms */
  proposals?: LocaleProposals;
  error?: string;
}

/** Options the first rows suggest (engine/sources/csv/locale.ts); none is applied until the user takes it. */
export interface LocaleProposals {
  /** numbers such as 42000,5: a decimal comma; `example` is a cell that says so */
  decimal?: { value: ','; example: string };
  /** dates such as 31.01.2024 10:00:00; `sure`: a day (or month) above 12 or a "." separator decides it */
  dateFormat?: { value: DateFormat; example: string; sure: boolean };
  /** the side column's values the default reading does not know: every value shown, with a guess ('' = none) */
  sideValues?: { column: string; values: Record<string, SideName | ''>; unknown: string[] };
}

/** A bundled instrument definition, as the app names it ("preset: Bybit inverse BTCUSD"). */
export interface PresetInfo {
  /** the market the preset belongs to; a symbol has a preset only on its own market */
  market: MarketKey;
  symbol: string;
  kind: InstrumentKind;
  isInverse: boolean;
  /** what one unit of size is worth: 1 for linear instruments, the contract's value otherwise */
  multiplier: string;
  pricePrecision: number;
  sizePrecision: number;
  priceIncrement: string;
  sizeIncrement: string;
}

export interface SampleJob {
  /** the sample names its symbol (the app's form shows it) */
  spec: z.input<typeof JobSpec> & { symbol: string };
  files: string[];
}

export const MappingTemplate = z.object({
  name: z.string().min(1).max(80),
  dataType: DataType,
  columns: z.partialRecord(MappingField, z.string()),
  options: FileOptions.optional(),
}).strict();
export type MappingTemplate = z.infer<typeof MappingTemplate>;

export interface DayPoint {
  day: string;
  trades: number;
  open?: string;
  close?: string;
  low?: string;
  high?: string;
}

export interface JobInfo {
  jobId: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  report?: RunReport;
  error?: string;
  /** job(jobId, { progress: true }): what the job's events said so far (each day's and file's latest, the log), for a page that attaches to a running job */
  progress?: ProgressEvent[];
}

/** A running or recently finished job as listJobs() names it: what it writes, and how far it got. */
export interface JobSummary {
  jobId: string;
  state: JobInfo['state'];
  output: string;
  source: string;
  /** the symbol named (absent: the files' own), or the symbols of a job of several */
  symbol?: string;
  symbols?: string[];
  start: string;
  end: string;
  dataTypes: DataType[];
  /** when it started (ISO) */
  startedAt: string;
  /** bars of the job: days × data types (× symbols of a job of several) */
  days: number;
  /** of them finished (done, already in the catalog, or failed) */
  daysFinished: number;
  error?: string;
}

export interface VerifyOutcome {
  ok: boolean;
  errors: string[];
  warnings: string[];
  /** facts that are not problems, e.g. files another program wrote (not in catalog-builder's manifest) */
  info?: string[];
  summary: { type: string; identifier: string; files: number; rows: number; first?: string; last?: string; precisionBits?: number }[];
}

/** Which rejected rows of a finished job to read: a page of them, by reason, field or file. */
export const RejectsQuery = z.object({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
  /** "field: reason", as the per-day counts name it */
  reason: z.string().min(1).max(1000).optional(),
  field: z.string().min(1).max(100).optional(),
  /** the file's path as the rejects name it */
  file: z.string().min(1).max(4096).optional(),
  /** a job of several instruments: that instrument's (its id) */
  instrument: z.string().min(1).max(100).optional(),
}).strict();
export type RejectsQuery = z.input<typeof RejectsQuery>;

/** One rejected row, as the rejects file holds it (value cut at 200 characters by the engine). */
export interface RejectRow {
  dataType: string;
  file: string;
  line: number;
  field: string;
  reason: string;
  value: string;
  /** a job of several instruments: whose row */
  instrument?: string;
}

export interface RejectsPage {
  rows: RejectRow[];
  offset: number;
  /** rows that match the query's filters */
  total: number;
  /** every rejected row of the job (or of the instrument asked for) */
  all: number;
  /** how many rows each "field: reason" has, most first (over all rows, filters aside) */
  reasons: { reason: string; count: number }[];
}

/** Everything the renderer can ask of the engine. */
export interface Api {
  inspectFiles(paths: string[]): Promise<FileInfo[]>;
  preview(req: PreviewRequest): Promise<PreviewResult>;
  /** the bundled presets of every market (a symbol has one only on its own market) */
  presets(): Promise<PresetInfo[]>;
  sampleJob(): Promise<SampleJob>;
  startJob(spec: z.input<typeof JobSpec>): Promise<{ jobId: string }>;
  cancelJob(jobId: string): Promise<void>;
  job(jobId: string, opts?: { progress?: boolean }): Promise<JobInfo>;
  onProgress(cb: (jobId: string, e: ProgressEvent) => void): () => void;
  // --- jobs after a reload (issue 15, item 7) and progress in batches (item 6) ---
  /** running jobs and the recently finished ones (newest first): a page opened later sees and can cancel them */
  listJobs(): Promise<JobSummary[]>;
  /**
   * The same events as onProgress, as the transport received them: in batches (about one per 100 ms
   * per job), each to be applied at once. Optional: a transport without it delivers one at a time.
   */
  onProgressBatch?(cb: (jobId: string, events: ProgressEvent[]) => void): () => void;
  verify(catalog: string): Promise<VerifyOutcome>;
  dailyStats(catalog: string, instrumentId: string): Promise<DayPoint[]>;
  listTemplates(): Promise<MappingTemplate[]>;
  saveTemplate(t: MappingTemplate): Promise<void>;
  deleteTemplate(name: string): Promise<void>;
  /** system dialogs (Electron) or the server's file chooser (browser mode) */
  pickFiles(): Promise<string[]>;
  pickFolder(): Promise<string | null>;
  openFolder(path: string): Promise<void>;
  /** the Tardis API key is stored encrypted and never sent back */
  setApiKey(key: string): Promise<void>;
  hasApiKey(): Promise<boolean>;
  // -- the app's frame (issue 15, items 8, 13)
  /** the folders whose files the engine may read and write (browser mode: --allow), widest first, nested ones left out */
  allowedFolders(): Promise<string[]>;
  /** a finished job's rejected rows, a page at a time (issue 15: rejects shown in the app) */
  rejects(jobId: string, query?: RejectsQuery): Promise<RejectsPage>;
}

/** Argument schemas per method, checked by the main process / server before calling the service. */
export const ApiArgs = {
  inspectFiles: z.tuple([z.array(z.string().min(1)).min(1).max(200)]),
  preview: z.tuple([PreviewRequest]),
  presets: z.tuple([]),
  sampleJob: z.tuple([]),
  startJob: z.tuple([z.unknown()]),
  cancelJob: z.tuple([z.string().min(1).max(100)]),
  job: z.tuple([z.string().min(1).max(100), z.object({ progress: z.boolean().optional() }).strict().optional()]),
  listJobs: z.tuple([]),
  verify: z.tuple([z.string().min(1)]),
  dailyStats: z.tuple([z.string().min(1), z.string().min(1).max(100)]),
  listTemplates: z.tuple([]),
  saveTemplate: z.tuple([MappingTemplate]),
  deleteTemplate: z.tuple([z.string().min(1).max(80)]),
  pickFiles: z.tuple([]),
  pickFolder: z.tuple([]),
  openFolder: z.tuple([z.string().min(1)]),
  setApiKey: z.tuple([z.string().min(1).max(500)]),
  hasApiKey: z.tuple([]),
  // -- the app's frame
  allowedFolders: z.tuple([]),
  rejects: z.tuple([z.string().min(1).max(100), RejectsQuery.optional()]),
} as const;
export type ApiMethod = keyof typeof ApiArgs;
export const API_METHODS = Object.keys(ApiArgs) as ApiMethod[];

/** Sends one request to the engine and resolves with its answer (Electron IPC or the browser-mode WebSocket). */
export type ApiCall = <T>(method: ApiMethod, ...args: unknown[]) => Promise<T>;

/**
 * The Api's request methods, each a named function forwarding its arguments to `call`: the one
 * table both transports (electron/preload-api.ts, renderer/src/lib/rpc-client.ts) expose, each
 * adding its own onProgress.
 */
export function forwardCalls(call: ApiCall): Omit<Api, 'onProgress' | 'onProgressBatch'> {
  return {
    inspectFiles: (paths) => call('inspectFiles', paths),
    preview: (req) => call('preview', req),
    presets: () => call('presets'),
    sampleJob: () => call('sampleJob'),
    startJob: (spec) => call('startJob', spec),
    cancelJob: (jobId) => call('cancelJob', jobId),
    job: (jobId, opts) => (opts ? call('job', jobId, opts) : call('job', jobId)),
    listJobs: () => call('listJobs'),
    verify: (catalog) => call('verify', catalog),
    dailyStats: (catalog, instrumentId) => call('dailyStats', catalog, instrumentId),
    listTemplates: () => call('listTemplates'),
    saveTemplate: (t) => call('saveTemplate', t),
    deleteTemplate: (name) => call('deleteTemplate', name),
    pickFiles: () => call('pickFiles'),
    pickFolder: () => call('pickFolder'),
    openFolder: (path) => call('openFolder', path),
    setApiKey: (key) => call('setApiKey', key),
    hasApiKey: () => call('hasApiKey'),
    // -- the app's frame
    allowedFolders: () => call('allowedFolders'),
    rejects: (jobId, query) => call('rejects', jobId, query),
  };
}

/**
 * The engine side of forwardCalls, for both hosts (browser mode's /rpc, Electron's IPC): refuses a
 * method the Api does not have and arguments that fail its ApiArgs schema, before `api` sees them;
 * then calls the method with the parsed arguments. Errors carry the text the caller is shown.
 */
export async function dispatchCall(api: Omit<Api, 'onProgress' | 'onProgressBatch'>, method: string, args: unknown[]): Promise<unknown> {
  if (!Object.hasOwn(ApiArgs, method)) throw new Error(`unknown method ${method}`);
  const parsed = ApiArgs[method as ApiMethod].safeParse(args);
  if (!parsed.success) throw new Error(`invalid arguments for ${method}: ${zodIssuesText(parsed.error.issues, 'args')}`);
  const fn = api[method as ApiMethod] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(api, parsed.data as unknown[]);
}

export { SourceConfig };
