// Shared test helpers: the ../shared fixtures (skip when absent, fail under CI), temp folders,
// a job runner and a Parquet row reader.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { JobSpecInput } from '../shared/job.js';
import type { RunReport } from '../shared/report.js';
import type { JobInfo } from '../shared/api.js';
import { runBuild, type BuildOptions } from '../engine/jobs/build.js';
import { readParquetBatches } from '../engine/parquet/parquet.js';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const SHARED = resolve(ROOT, '..', 'shared');
export const FIXTURES = join(SHARED, 'fixtures');
export const SOURCES = join(FIXTURES, 'sources');
export const GOLDEN = join(FIXTURES, 'nautilus');

/** True when ../shared is there. Without it a test skips with a reason, except under CI, where it fails. */
export function needShared(t: TestContext): boolean {
  if (existsSync(FIXTURES)) return true;
  if (process.env.CI) throw new Error(`../shared/fixtures is missing at ${FIXTURES}; CI must run with ../shared beside the repo`);
  t.skip(`../shared is absent (${FIXTURES}); this test needs its fixtures`);
  return false;
}

export async function tempDir(t: TestContext, prefix = 'cb-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a config file into `dir` and runs a build job with it. */
export async function build(dir: string, files: Record<string, unknown>, job: Partial<JobSpecInput> = {}, opts: BuildOptions = {}) {
  const config = { base_path: '.', files };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return runBuild({
    source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: join(dir, 'catalog'),
    dataTypes: Object.keys(files) as JobSpecInput['dataTypes'], config, configDir: dir, ...job,
  }, opts);
}

/** All rows of a Parquet file as plain objects (small files only). */
export async function readRows(path: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const b of readParquetBatches(path)) {
    for (let i = 0; i < b.numRows; i++) {
      const r: Record<string, unknown> = {};
      for (const f of b.schema.fields) r[f.name] = b.getChild(f.name)!.get(i);
      rows.push(r);
    }
  }
  return rows;
}

export const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

/** Every file under `root` (relative, '/' separators, sorted); none when `root` does not exist. */
export async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  const go = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await go(p);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  };
  await go(root);
  return out.sort();
}

/** A funding_rate_update `rate` cell as text: NautilusTrader's layout stores the Decimal's JSON string ("0.0001" with quotes) as Binary. */
export function fundingRate(cell: unknown): string {
  return JSON.parse(Buffer.from(cell as Uint8Array).toString('utf8')) as string;
}

/** Every row read is in exactly one bucket of the report, per day and in total (RunReport['totals']). */
export function assertBucketsAddUp(r: RunReport): void {
  for (const d of r.days) {
    const rejected = Object.values(d.rejected).reduce((a, b) => a + b, 0);
    assert.equal(d.written + d.duplicates + d.skipped + rejected + d.existing + d.discarded, d.read, `${d.dataType} ${d.day}: ${JSON.stringify(d)}`);
  }
  const t = r.totals;
  assert.equal(t.written + t.duplicates + t.rejected + t.outOfRange + t.skipped + t.existing + t.discarded, t.read, JSON.stringify(t));
}

export interface KillResult {
  /** whether the SIGKILL was sent (the child may have ended first) */
  killed: boolean;
  signal: NodeJS.Signals | null;
  code: number | null;
}

/**
 * Runs `node ...args` in the repository and SIGKILLs it as soon as `when(elapsedMs)` says so, polled
 * every `pollMs`. Resolves with how the child ended and whether the kill was sent (crash tests).
 */
export function spawnAndKill(args: string[], when: (elapsedMs: number) => boolean, pollMs: number): Promise<KillResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    const t0 = Date.now();
    let killed = false;
    const timer = setInterval(() => {
      if (!killed && when(Date.now() - t0)) {
        killed = child.kill('SIGKILL');
        clearInterval(timer);
      }
    }, pollMs);
    child.on('error', (e) => { clearInterval(timer); reject(e); });
    child.on('exit', (code, signal) => { clearInterval(timer); resolve({ killed, signal, code }); });
  });
}

/** A service job's info once it is no longer running (polled; throws after `timeoutMs`). */
export async function settled(svc: { job(jobId: string): Promise<JobInfo> }, jobId: string, timeoutMs = 60_000): Promise<JobInfo> {
  const t0 = Date.now();
  for (;;) {
    const info = await svc.job(jobId);
    if (info.state !== 'running') return info;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${jobId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
