// The Tardis.dev source (spec sources.md §1): our own client of the datasets API (daily CSV.gz,
// read by the CSV source) and of the raw replay API (one gzip minute of exchange messages per
// request, read by the WebSocket source). Everything goes through a disk cache first, so a second
// run of the same job downloads nothing and an interrupted run resumes at the first missing file.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DataType, FileConfig, SettledJobSpec as JobSpec } from '../../../shared/job.js';
import type { ProgressEvent } from '../../../shared/progress.js';
import { removeQuietly } from '../../catalog/atomic.js';
import { daysBetween } from '../../catalog/paths.js';
import type { Normalizer } from '../../normalize/normalizer.js';
import { readCsvFile, type ReadHooks } from '../csv/index.js';
import type { Compression } from '../io/open.js';
import { readWebsocketFile } from '../websocket/index.js';
import { tardisConfig, type ResolvedTardisConfig } from './config.js';
import { HttpStatusError, RetriesExhausted, downloadToFile, runPool, type GetOptions } from './http.js';

export { tardisConfig, defaultCacheDir } from './config.js';

/** Files of one data type, ready for the reader, plus what went wrong for some days. */
export interface TardisTypeFiles {
  files: string[];
  errors: string[];
  notes: string[];
}

export interface TardisContext {
  signal?: AbortSignal;
  /** folder relative cache_dir is resolved against */
  configDir: string;
  emit?: (e: ProgressEvent) => void;
  env?: NodeJS.ProcessEnv;
}

/** A failure that ends the job (no access, bad request, server down after all retries). */
export class TardisError extends Error {}

// Order books: the L2 updates for deltas, the 25-level snapshots (cut to 10) for depth10.
const DATASET: Partial<Record<DataType, string>> = {
  trades: 'trades', mark: 'derivative_ticker', funding: 'derivative_ticker', quotes: 'quotes', deltas: 'incremental_book_L2', depth10: 'book_snapshot_25',
};
/** Types downloaded only when asked for by name: large (every top-of-book or book change). */
const BY_NAME_ONLY: DataType[] = ['quotes', 'deltas', 'depth10'];
/**
 * The data types a Tardis job downloads when none are named (the CLI's default): all Tardis feeds
 * but quotes and order books, which are large and downloaded only when asked for by name.
 */
export const TARDIS_DATA_TYPES = (Object.keys(DATASET) as DataType[]).filter((t) => !BY_NAME_ONLY.includes(t));
/** Replay mode reads Binance messages: no order book is built from them (the datasets hold the books). */
const NOT_REPLAYED: DataType[] = ['deltas', 'depth10'];
const MINUTES_PER_DAY = 1440;

const exists = (p: string) => access(p).then(() => true, () => false);
const pad = (n: number) => String(n).padStart(2, '0');
const hostTag = (endpoint: string) => new URL(endpoint).host.replace(/[^A-Za-z0-9.-]/g, '_');

interface Download {
  url: string;
  dest: string;
  /** what and when, for messages: "trades 2020-02-22" */
  what: string;
  day: string;
}

/** Turns an HTTP failure into the message a user can act on. */
function failure(e: unknown, d: Download, c: ResolvedTardisConfig): Error {
  if (e instanceof HttpStatusError && (e.status === 401 || e.status === 403)) {
    if (!c.apiKey) {
      const free = d.day.endsWith('-01');
      return new TardisError(`Tardis API key required: ${d.what} was refused without a key (HTTP ${e.status}${e.body ? `: ${e.body}` : ''}). `
        + (free ? 'The first day of a month is normally free, but not this time. ' : 'Without a key only the first day of each month is free. ')
        + 'Set "api_key" in the --config JSON file or the TARDIS_API_KEY environment variable.');
    }
    const from = c.keySource === 'env' ? 'the TARDIS_API_KEY environment variable' : 'the config\'s "api_key"';
    return new TardisError(`Tardis refused the API key from ${from} for ${d.what} (HTTP ${e.status}${e.body ? `: ${e.body}` : ''}): check the key and that its plan covers ${c.exchange} on ${d.day}.`);
  }
  if (e instanceof HttpStatusError) return new TardisError(`Tardis answered HTTP ${e.status} for ${d.what} (${d.url})${e.body ? `: ${e.body}` : ''}`);
  if (e instanceof RetriesExhausted) return new TardisError(`could not download ${d.what} from Tardis: ${e.message}`);
  return e instanceof Error ? e : new Error(String(e));
}

class Downloader {
  /** files now in the cache that were not before */
  downloaded = 0;
  /** files dealt with (downloaded or missing) */
  done = 0;
  retries: string[] = [];
  private lastLog = 0;
  private t0 = performance.now();

  /** `dataType` labels the download's progress events (the first type of the job). */
  constructor(private c: ResolvedTardisConfig, readonly signal: AbortSignal, private dataType: DataType, private emit?: (e: ProgressEvent) => void) {}

  /** Download progress, as a 'file' event (files done of total) so progress bars show it, and a log line. */
  private progress(total: number): void {
    const now = performance.now();
    if (now - this.lastLog < 250 && this.done !== total) return;
    this.lastLog = now;
    const secs = (now - this.t0) / 1000;
    const rate = this.done / Math.max(secs, 1e-3);
    this.emit?.({
      kind: 'file', dataType: this.dataType, path: `Tardis ${this.c.mode} download (${this.done}/${total} files)`, bytesRead: this.done, bytesTotal: total,
      rows: 0, rowsPerSec: rate, etaSec: rate > 0 ? (total - this.done) / rate : null, state: this.done === total ? 'done' : 'reading',
    });
    this.emit?.({ kind: 'log', level: 'info', message: `tardis: downloaded ${this.done}/${total} file(s)` });
  }

  private options(signal: AbortSignal): GetOptions {
    const headers: Record<string, string> = { 'Accept-Encoding': 'gzip', 'User-Agent': 'catalog-builder (+tardis client)' };
    if (this.c.apiKey) headers.Authorization = `Bearer ${this.c.apiKey}`;
    return {
      headers, signal,
      retry: { maxAttempts: this.c.max_attempts, baseDelayMs: this.c.retry_base_ms, maxDelayMs: this.c.retry_max_ms, timeoutMs: this.c.timeout_ms },
      onRetry: (n, ms, why) => {
        this.retries.push(why);
        this.emit?.({ kind: 'log', level: 'warn', message: `tardis: attempt ${n} failed (${why}); retrying in ${ms} ms` });
      },
    };
  }

  /**
   * Downloads what is missing. The last item goes first and alone (as Tardis's own clients do):
   * a key that does not cover the range fails before anything else is fetched.
   * `onMissing` handles a 404 (returns true when it is not an error for the job).
   */
  async run(items: Download[], onMissing?: (d: Download, e: HttpStatusError) => boolean): Promise<void> {
    const one = async (d: Download, signal: AbortSignal) => {
      try {
        await downloadToFile(d.url, d.dest, this.options(signal));
        this.downloaded++;
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        if (!(e instanceof HttpStatusError && e.status === 404 && onMissing?.(d, e))) throw failure(e, d, this.c);
      }
      this.done++;
      this.progress(items.length);
    };
    if (!items.length) return;
    this.t0 = performance.now();
    const last = items[items.length - 1]!;
    await one(last, this.signal);
    await runPool(items.slice(0, -1), this.c.concurrency, this.signal, one);
  }
}

/** Datasets mode: one CSV.gz per dataset type, day and symbol. */
async function datasets(spec: JobSpec, types: DataType[], c: ResolvedTardisConfig, dl: Downloader): Promise<Map<DataType, TardisTypeFiles>> {
  const symbol = spec.symbol.toUpperCase().replace(/[/:]/g, '-');
  const days = daysBetween(spec.start, spec.end);
  const root = join(c.cacheDir, 'datasets', hostTag(c.datasets_endpoint), c.exchange);
  const byKey = new Map<string, Download>();
  for (const dt of new Set(types.flatMap((t) => DATASET[t] ?? []))) {
    for (const day of days) {
      const [y, m, d] = day.split('-');
      byKey.set(`${dt}/${day}`, {
        url: `${c.datasets_endpoint}/${c.exchange}/${dt}/${y}/${m}/${d}/${encodeURIComponent(symbol)}.csv.gz`,
        dest: join(root, dt, y!, m!, d!, `${symbol}.csv.gz`),
        what: `the ${dt} dataset of ${symbol} on ${day}`, day,
      });
    }
  }
  const missing = new Map<string, string>();
  const todo: Download[] = [];
  for (const d of byKey.values()) if (!(await exists(d.dest))) todo.push(d);
  await dl.run(todo, (d, e) => {
    missing.set(d.dest, `no Tardis file for ${d.what} (HTTP 404${e.body ? `: ${e.body}` : ''}); Tardis publishes a day's CSV the next day around 06:00 UTC`);
    return true;
  });
  const out = new Map<DataType, TardisTypeFiles>();
  for (const t of types) {
    const r: TardisTypeFiles = { files: [], errors: [], notes: [] };
    for (const day of days) {
      const d = byKey.get(`${DATASET[t]}/${day}`)!;
      const miss = missing.get(d.dest);
      if (miss) r.errors.push(miss);
      else r.files.push(d.dest);
    }
    out.set(t, r);
  }
  return out;
}

/** Replay mode: 1440 gzip minutes per channel and day, joined into one day file once all are cached. */
async function replay(spec: JobSpec, types: DataType[], c: ResolvedTardisConfig, dl: Downloader): Promise<Map<DataType, TardisTypeFiles>> {
  const channelOf = (t: DataType) => (t === 'trades' ? c.trade_channel : t === 'quotes' ? 'bookTicker' : 'markPrice');
  const days = daysBetween(spec.start, spec.end);
  const symbol = spec.symbol.toLowerCase();
  const dayFile = new Map<string, string>();
  const dayErrors = new Map<string, string>();
  const toJoin: { dir: string; dest: string }[] = [];
  const todo: Download[] = [];
  for (const channel of new Set(types.map(channelOf))) {
    const filters = [{ channel, symbols: [symbol] }];
    const key = createHash('sha256').update(JSON.stringify({ endpoint: c.endpoint, exchange: c.exchange, filters })).digest('hex').slice(0, 16);
    const base = join(c.cacheDir, 'feeds', hostTag(c.endpoint), c.exchange, key);
    await mkdir(base, { recursive: true });
    const about = join(base, 'filters.json');
    if (!(await exists(about))) await writeFile(about, JSON.stringify({ endpoint: c.endpoint, exchange: c.exchange, filters }, null, 2) + '\n');
    const q = encodeURIComponent(JSON.stringify(filters));
    for (const day of days) {
      const dest = join(base, `${day}.jsonl.gz`);
      dayFile.set(`${channel}/${day}`, dest);
      if (await exists(dest)) continue;
      if (Date.parse(`${day}T00:00:00Z`) + 86_400_000 > Date.now()) {
        dayErrors.set(`${channel}/${day}`, `Tardis replay of ${channel} for ${day} is not complete yet: the day has not ended`);
        continue;
      }
      const dir = join(base, day);
      const have = new Set(await readdir(dir).catch(() => [] as string[]));
      for (let m = 0; m < MINUTES_PER_DAY; m++) {
        const name = `${pad(Math.floor(m / 60))}${pad(m % 60)}.json.gz`;
        if (have.has(name)) continue;
        todo.push({
          url: `${c.endpoint}/data-feeds/${c.exchange}?from=${day}T00:00:00.000Z&offset=${m}&filters=${q}`,
          dest: join(dir, name),
          what: `the ${channel} replay of ${symbol} for ${day} ${pad(Math.floor(m / 60))}:${pad(m % 60)} UTC`, day,
        });
      }
      toJoin.push({ dir, dest });
    }
  }
  await dl.run(todo);
  for (const j of toJoin) await joinMinutes(j.dir, j.dest, dl);
  const out = new Map<DataType, TardisTypeFiles>();
  for (const t of types) {
    const r: TardisTypeFiles = { files: [], errors: [], notes: [] };
    for (const day of days) {
      const err = dayErrors.get(`${channelOf(t)}/${day}`);
      if (err) r.errors.push(err);
      else r.files.push(dayFile.get(`${channelOf(t)}/${day}`)!);
    }
    out.set(t, r);
  }
  return out;
}

/**
 * Joins a day's 1440 minute files, in time order, into one gzip file (gzip members concatenate into
 * a valid gzip stream, so the bytes are copied, not recompressed), then drops the minutes.
 */
async function joinMinutes(dir: string, dest: string, dl: Downloader): Promise<void> {
  const names = (await readdir(dir)).filter((n) => /^\d{4}\.json\.gz$/.test(n)).sort();
  if (names.length !== MINUTES_PER_DAY) throw new TardisError(`${dir} holds ${names.length} of ${MINUTES_PER_DAY} minute files`);
  const tmp = `${dest}.${randomBytes(6).toString('hex')}.part`;
  try {
    const out = createWriteStream(tmp);
    await pipeline(async function* () {
      for (const n of names) {
        dl.signal.throwIfAborted();
        for await (const chunk of createReadStream(join(dir, n))) yield chunk as Buffer;
      }
    }, out);
    await rename(tmp, dest);
  } catch (e) {
    await removeQuietly(tmp);
    throw e;
  }
  await removeQuietly(dir);
}

/**
 * Resolves the files of each data type for a Tardis job by downloading what the cache lacks.
 * Throws a TardisError when the job cannot go on (no access, server down); per-day gaps (404,
 * a day not finished yet) come back as errors of their type.
 */
export async function tardisFiles(spec: JobSpec, types: DataType[], ctx: TardisContext): Promise<Map<DataType, TardisTypeFiles>> {
  const c = tardisConfig(spec.config as Record<string, unknown>, ctx.configDir, ctx.env);
  const signal = ctx.signal ?? new AbortController().signal;
  const books = c.mode === 'replay' ? types.filter((t) => NOT_REPLAYED.includes(t)) : [];
  if (books.length) throw new TardisError(`Tardis replay mode cannot build ${books.join(' or ')} (it downloads Binance messages; no order book is built from them): use "mode": "datasets" (incremental_book_L2 for deltas, book_snapshot_25 for depth10)`);
  const dl = new Downloader(c, signal, types[0] ?? 'trades', ctx.emit);
  await mkdir(c.cacheDir, { recursive: true });
  const out = c.mode === 'replay' ? await replay(spec, types, c, dl) : await datasets(spec, types, c, dl);
  const note = `tardis ${c.mode} (${c.mode === 'replay' ? c.endpoint : c.datasets_endpoint}, ${c.exchange}): ${dl.downloaded} file(s) downloaded into ${c.cacheDir}`
    + (dl.retries.length ? `, ${dl.retries.length} retried attempt(s)` : '') + (c.apiKey ? '' : ', no API key');
  const first = types[0];
  if (first) out.get(first)!.notes.push(note);
  return out;
}

/** The reader of the files tardisFiles returns: dataset CSVs to the CSV source, replay days to the WebSocket source. */
export async function readTardisFile(path: string, type: DataType, cfg: FileConfig | undefined, norm: Normalizer, hooks: ReadHooks = {}): Promise<{ format: string; label: string; compression: Compression; notes: string[] }> {
  if (/\.csv(\.gz)?$/i.test(path)) return readCsvFile(path, type, cfg, norm, hooks);
  const r = await readWebsocketFile(path, type, cfg, norm, hooks);
  return { ...r, format: 'tardis.replay', label: 'Tardis replay (Binance messages)' };
}
