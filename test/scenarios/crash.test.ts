// Interrupted jobs: a build killed with SIGKILL at any point, or cancelled through an AbortSignal,
// leaves only complete files in the catalog, and re-running the job completes it exactly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ProgressEvent } from '../../shared/progress.js';
import type { RunReport } from '../../shared/report.js';
import { readParquetInfo } from '../../engine/parquet/parquet.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { JobCancelled, STATE_DIR, runBuild } from '../../engine/jobs/build.js';
import { genTardisTrades } from '../../scripts/gen-data.js';
import { ROOT, filesUnder, readRows, spawnAndKill, tempDir, type KillResult } from '../helpers.js';

const INSTRUMENT = 'BTCUSDT-PERP.BINANCE';
const START = '2024-01-01';
const END = '2024-01-02';
// Enough rows for the job to take a couple of seconds, with each day written in one piece at the
// end (fewer rows per day than a row group), so "while writing" and "between two days" are windows
// wide enough for a kill to land in.
const ROWS = 120_000;

/** Names of the files in the run folders under <catalog>/.catalog-builder/tmp, except folders in `ignore`. */
function tmpFiles(catalog: string, ignore: Set<string>): string[] {
  const root = join(catalog, STATE_DIR, 'tmp');
  const out: string[] = [];
  for (const run of tmpRuns(catalog)) {
    if (ignore.has(run)) continue;
    try {
      out.push(...readdirSync(join(root, run)));
    } catch { /* removed meanwhile */ }
  }
  return out;
}

function tmpRuns(catalog: string): Set<string> {
  try {
    return new Set(readdirSync(join(catalog, STATE_DIR, 'tmp')));
  } catch {
    return new Set();
  }
}

interface Ref {
  /** data/-relative path -> row count */
  counts: Map<string, number>;
}

/**
 * What an interrupted catalog may hold: only .parquet files under data/, each one complete (the
 * reference build's name and row count) and the whole catalog valid.
 */
async function assertNoPartialFile(catalog: string, ref: Ref, when: string): Promise<string[]> {
  const files = await filesUnder(join(catalog, 'data'));
  for (const f of files) {
    assert.match(f, /\.parquet$/, `${when}: ${f} in data/ is not a finished Parquet file`);
    assert.ok(ref.counts.has(f), `${when}: ${f} is not a file of the reference build`);
    assert.equal((await readParquetInfo(join(catalog, 'data', f))).numRows, ref.counts.get(f), `${when}: ${f} is incomplete`);
  }
  if (files.length) {
    const v = await verifyCatalog(catalog);
    assert.deepEqual(v.errors, [], `${when}: the catalog does not verify`);
  }
  return files;
}

function cliArgs(dir: string, catalog: string): string[] {
  return [join(ROOT, 'bin', 'catalog-builder.mjs'), 'build', '--source', 'csv', '--symbol', 'BTCUSDT', '--start', START, '--end', END,
    '--output', catalog, '--data-types', 'trades', '--config', join(dir, 'config.json'), '--json'];
}

/** Runs the CLI build and SIGKILLs it as soon as `when()` says so (polled every 3 ms). */
function buildAndKill(dir: string, catalog: string, when: (elapsedMs: number) => boolean): Promise<KillResult> {
  return spawnAndKill(cliArgs(dir, catalog), when, 3);
}

function runCli(dir: string, catalog: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(dir, catalog), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Same files as the reference, with the same rows (byte-identical files need no row-by-row check). */
async function assertSameCatalog(catalog: string, reference: string): Promise<void> {
  const got = await filesUnder(join(catalog, 'data'));
  const want = await filesUnder(join(reference, 'data'));
  assert.deepEqual(got, want, 'same files as the reference build');
  for (const f of want) {
    if ((await readFile(join(catalog, 'data', f))).equals(await readFile(join(reference, 'data', f)))) continue;
    const a = await readRows(join(catalog, 'data', f));
    const b = await readRows(join(reference, 'data', f));
    assert.equal(a.length, b.length, f);
    assert.deepEqual(a, b, `${f}: same rows as the reference build`);
  }
}

test('interrupted builds leave no partial file, and a re-run completes the catalog', async (t: TestContext) => {
  const dir = await tempDir(t);
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows: ROWS, start: START, days: 2, seed: 3 });
  const config = { base_path: '.', files: { trades: { file_path: 'trades.csv.gz' } } };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const job = {
    source: 'csv' as const, symbol: 'BTCUSDT', start: START, end: END, dataTypes: ['trades' as const],
    config, configDir: dir,
  };

  // Clean reference build.
  const reference = join(dir, 'reference');
  const refReport = await runBuild({ ...job, output: reference });
  assert.equal(refReport.ok, true, refReport.errors.join('\n'));
  const ref: Ref = { counts: new Map() };
  for (const f of await filesUnder(join(reference, 'data'))) ref.counts.set(f, (await readParquetInfo(join(reference, 'data', f))).numRows);
  const dayFiles = [...ref.counts.keys()].filter((f) => f.startsWith(`trade_tick/${INSTRUMENT}/`));
  assert.equal(dayFiles.length, 2);
  assert.equal(dayFiles.reduce((a, f) => a + ref.counts.get(f)!, 0), ROWS);

  await t.test('SIGKILL at several points of a CLI build', async (st) => {
    const catalog = join(dir, 'killed');

    // 1. Early: while the process starts or begins reading.
    const early = await buildAndKill(dir, catalog, (ms) => ms >= 300);
    assert.equal(early.signal, 'SIGKILL', 'the job was still running after 300 ms');
    await assertNoPartialFile(catalog, ref, 'killed after 300 ms');

    // 2. While the instrument file, then a day file, is being written (its temporary file exists).
    const killWhileWriting = async (what: RegExp) => {
      const old = tmpRuns(catalog);
      let seen: string[] = [];
      const res = await buildAndKill(dir, catalog, () => {
        seen = tmpFiles(catalog, old).filter((n) => what.test(n));
        return seen.length > 0;
      });
      assert.equal(res.signal, 'SIGKILL', `the job ended before ${what} was being written`);
      assert.ok(seen.length, `killed while writing ${what}`);
      await assertNoPartialFile(catalog, ref, `killed while writing ${seen.join(', ')}`);
      return seen;
    };
    const seen = [...await killWhileWriting(/^instrument.*\.parquet\.tmp$/), ...await killWhileWriting(/^trades-.*\.parquet\.tmp$/)];

    // 3. Right after the first day was committed, while the rest is still being finished.
    const before = new Set(await filesUnder(join(catalog, 'data')));
    const committed = await buildAndKill(dir, catalog, () => {
      const folder = join(catalog, 'data', 'trade_tick', INSTRUMENT);
      return existsSync(folder) && readdirSync(folder).some((n) => n.endsWith('.parquet') && !before.has(`trade_tick/${INSTRUMENT}/${n}`));
    });
    const afterCommit = await assertNoPartialFile(catalog, ref, 'killed after a day was committed');
    st.diagnostic(`kill 2 landed while ${seen.join(', ')} existed; kill 3: ${committed.signal ?? `exit ${committed.code}`}, finished files ${afterCommit.join(', ')}`);
    if (committed.signal === 'SIGKILL') {
      assert.ok(afterCommit.some((f) => dayFiles.includes(f)), 'a committed day survives the kill');
    } else {
      // Both days were committed within one poll interval: the run simply finished.
      assert.equal(committed.code, 0);
    }

    // 4. The killed runs left temporary files only in the state folder, never in data/.
    for (const f of await filesUnder(join(catalog, 'data'))) assert.doesNotMatch(f, /tmp|\.run$/, f);

    // Re-run the same job: it completes the catalog, identical to the clean build.
    const rerun = await runCli(dir, catalog);
    assert.equal(rerun.code, 0, rerun.stderr);
    const report = JSON.parse(rerun.stdout) as RunReport;
    assert.equal(report.ok, true, report.errors.join('\n'));
    for (const d of report.days) {
      const had = afterCommit.some((f) => d.file?.endsWith(f.split('/').join(sep)));
      assert.equal(d.state, had ? 'skipped' : 'done', `${d.day}: days finished before the kill are skipped`);
    }
    await assertSameCatalog(catalog, reference);
    assert.deepEqual(await filesUnder(join(catalog, STATE_DIR, 'tmp')), [], 'the re-run cleared the killed runs\' temporary files');
    assert.equal((await verifyCatalog(catalog)).ok, true);
  });

  /** Runs the job in-process and aborts it when `when(event)` first says so. */
  const cancelWhen = async (output: string, when: (e: ProgressEvent) => boolean) => {
    const ac = new AbortController();
    let abortedOn: ProgressEvent | null = null;
    const onProgress = (e: ProgressEvent) => {
      if (!ac.signal.aborted && when(e)) {
        abortedOn = e;
        ac.abort();
      }
    };
    const err = await runBuild({ ...job, output }, { signal: ac.signal, onProgress }).then(
      (r) => assert.fail(`the job finished instead of being cancelled (ok ${r.ok})`),
      (e: unknown) => e,
    );
    assert.ok(abortedOn, 'the abort was sent');
    assert.ok(err instanceof JobCancelled, `rejects with JobCancelled, got ${String(err)}`);
    const report = (err as JobCancelled & { report?: RunReport }).report;
    assert.ok(report, 'the cancelled job still has its report');
    assert.ok(report.errors.includes('cancelled'), report.errors.join('\n'));
    assert.ok(existsSync(join(output, STATE_DIR, 'runs', report.runId, 'report.json')));
    return report;
  };

  await t.test('cancelling through an AbortSignal shortly after start rejects with JobCancelled and leaves no partial file', async () => {
    const output = join(dir, 'cancelled-early');
    await cancelWhen(output, (e) => e.kind === 'file' && e.state === 'reading');
    const files = await assertNoPartialFile(output, ref, 'cancelled while reading');
    assert.deepEqual(files.filter((f) => f.startsWith('trade_tick/')), [], 'no day was finished');
    assert.deepEqual(await filesUnder(join(output, STATE_DIR, 'tmp')), [], 'temporary files are removed');
    assert.ok(!existsSync(join(output, STATE_DIR, 'lock')), 'the lock is released');
  });

  await t.test('cancelling while a day file is being written leaves no partial file; the re-run completes it', async () => {
    const output = join(dir, 'cancelled-writing');
    const runsBefore = tmpRuns(output);
    await cancelWhen(output, () => tmpFiles(output, runsBefore).some((n) => /^trades-.*\.parquet\.tmp$/.test(n)));
    await assertNoPartialFile(output, ref, 'cancelled while writing');
    assert.deepEqual(await filesUnder(join(output, STATE_DIR, 'tmp')), [], 'temporary files are removed');
    const again = await runBuild({ ...job, output });
    assert.equal(again.ok, true, again.errors.join('\n'));
    await assertSameCatalog(output, reference);
  });
});
