// A small HTTP GET client for the Tardis.dev APIs (node:http/https, no tardis-dev package): one URL
// into one cache file, written atomically (temp file + rename) and only after the gzip body was
// checked to be complete. 429 and 5xx, dropped connections and truncated bodies are retried with
// exponential backoff and jitter, a bounded number of times; other 4xx fail at once.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { setMaxListeners } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { removeQuietly } from '../../catalog/atomic.js';

export interface RetryPolicy {
  /** attempts in all (1 = no retry) */
  maxAttempts: number;
  /** first backoff delay; doubles per attempt */
  baseDelayMs: number;
  /** cap of one delay (also caps a server's Retry-After) */
  maxDelayMs: number;
  /** a request with no progress for this long is abandoned (and retried) */
  timeoutMs: number;
}

export interface GetOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  retry: RetryPolicy;
  /** called before each retry (for logs and tests) */
  onRetry?: (attempt: number, delayMs: number, reason: string) => void;
}

/** A non-200 answer. */
export class HttpStatusError extends Error {
  constructor(readonly url: string, readonly status: number, readonly body: string, readonly retryAfterMs: number | null) {
    super(`HTTP ${status}${body ? `: ${body}` : ''}`);
  }
}

/** The body arrived incomplete or damaged (connection cut, truncated gzip, length mismatch). */
class BodyError extends Error {}

export class RetriesExhausted extends Error {
  constructor(readonly url: string, readonly attempts: number, readonly last: unknown) {
    super(`${url}: gave up after ${attempts} attempt(s); last error: ${last instanceof Error ? last.message : String(last)}`);
  }
}

function retryAfter(h: string | string[] | undefined): number | null {
  if (typeof h !== 'string' || h.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(h.trim())) return Number(h) * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? null : Math.max(0, t - Date.now());
}

function retryable(e: unknown): boolean {
  if (e instanceof HttpStatusError) return e.status === 429 || e.status === 408 || e.status >= 500;
  if (e instanceof BodyError) return true;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  // Network errors: reset, refused, timed out, DNS hiccups, a socket closed mid-body.
  return typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ENOTFOUND|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_.*|ERR_HTTP2_.*|Z_BUF_ERROR|Z_DATA_ERROR)$/.test(code)
    || /aborted|socket hang up|premature close/i.test((e as Error | undefined)?.message ?? '');
}

/** Sleeps, waking early (with the abort reason) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((res, rej) => {
    if (signal.aborted) return rej(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      res();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      rej(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function backoff(attempt: number, p: RetryPolicy, e: unknown): number {
  const exp = Math.min(p.baseDelayMs * 2 ** (attempt - 1), p.maxDelayMs);
  const jitter = Math.random() * p.baseDelayMs * 0.5;
  const server = e instanceof HttpStatusError ? e.retryAfterMs : null;
  return Math.round(server !== null ? Math.min(Math.max(server, exp), p.maxDelayMs) : exp + jitter);
}

/**
 * One attempt: 200 -> body streamed into `tmp`, a gzip body checked for completeness on the way
 * (decompressed and discarded); anything else -> HttpStatusError. Resolves with whether it was gzip.
 */
function attempt(url: URL, tmp: string, o: GetOptions): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.get(url, { headers: o.headers, signal: o.signal, timeout: o.retry.timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          let body = Buffer.concat(chunks).toString('utf8').slice(0, 500).trim();
          try {
            const j = JSON.parse(body) as { message?: unknown };
            if (typeof j.message === 'string') body = j.message;
          } catch {}
          reject(new HttpStatusError(url.href, status, body, retryAfter(res.headers['retry-after'])));
        });
        res.on('error', reject);
        return;
      }
      const expected = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : null;
      let got = 0;
      let gzip: boolean | null = null;
      const check = createGunzip();
      check.on('data', () => undefined);
      const checked = new Promise<void>((ok, bad) => {
        check.on('end', ok);
        check.on('error', (e) => bad(new BodyError(`the gzip body is truncated or corrupt (${e.message})`)));
      });
      checked.catch(() => undefined);
      const out = createWriteStream(tmp);
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          if (gzip === null) gzip = chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
          got += chunk.length;
          if (gzip) check.write(chunk);
          if (out.write(chunk)) cb();
          else out.once('drain', () => cb());
        },
        final(cb) {
          check.end();
          out.end(cb);
        },
        destroy(err, cb) {
          // Runs after a normal finish too (autoDestroy): only an error tears the helpers down.
          if (err) {
            check.destroy();
            out.destroy();
          }
          cb(err);
        },
      });
      out.on('error', (e) => sink.destroy(e));
      pipeline(res, sink, { signal: o.signal })
        .then(async () => {
          if (expected !== null && got !== expected) throw new BodyError(`the body has ${got} of ${expected} bytes (connection cut)`);
          if (gzip) await checked;
          resolve(gzip === true);
        })
        .catch((e: unknown) => {
          reject(e instanceof Error && /aborted|premature close/i.test(e.message) && !o.signal.aborted ? new BodyError(`the connection was cut in the middle of the body (${e.message})`) : e);
        });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer for ${o.retry.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/** A plain (not gzip) body is gzipped, so the cache holds gzip only. */
async function gzipInPlace(tmp: string): Promise<void> {
  const gz = `${tmp}.gz`;
  await pipeline(createReadStream(tmp), createGzip(), createWriteStream(gz));
  await rename(gz, tmp);
}

/**
 * Downloads `url` into `dest` (gzip), retrying per `o.retry`. `dest` appears only complete: the body
 * goes to a temp file beside it, is checked, then renamed. Nothing is left behind on failure or abort.
 */
export async function downloadToFile(url: string, dest: string, o: GetOptions): Promise<{ attempts: number }> {
  const u = new URL(url);
  await mkdir(dirname(dest), { recursive: true });
  for (let n = 1; ; n++) {
    o.signal.throwIfAborted();
    const tmp = `${dest}.${randomBytes(6).toString('hex')}.part`;
    try {
      if (!(await attempt(u, tmp, o))) await gzipInPlace(tmp);
      await rename(tmp, dest);
      return { attempts: n };
    } catch (e) {
      await removeQuietly(tmp);
      await removeQuietly(`${tmp}.gz`);
      if (o.signal.aborted) throw o.signal.reason;
      if (!retryable(e)) throw e;
      if (n >= o.retry.maxAttempts) throw new RetriesExhausted(url, n, e);
      const delay = backoff(n, o.retry, e);
      o.onRetry?.(n, delay, e instanceof Error ? e.message : String(e));
      await sleep(delay, o.signal);
    }
  }
}

/** Runs `fn` over `items` with at most `limit` at once; the first error stops the rest and is thrown. */
export async function runPool<T>(items: T[], limit: number, signal: AbortSignal, fn: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const sig = AbortSignal.any([signal, stop.signal]);
  // Each request and stream listens on it: that is limit × a few listeners, not a leak.
  setMaxListeners(limit * 4 + 16, sig);
  let next = 0;
  let first: { e: unknown } | null = null;
  const worker = async () => {
    while (!sig.aborted && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item, sig);
      } catch (e) {
        if (!first) first = { e: signal.aborted ? signal.reason : e };
        stop.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  signal.throwIfAborted();
  if (first) throw (first as { e: unknown }).e;
}
