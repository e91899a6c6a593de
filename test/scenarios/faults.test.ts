// Faults: a CLI build SIGKILLed at many moments, catalogs that already hold NautilusTrader's own files,
// a full disk and a folder the job may not write. After each: only complete, valid files in the
// catalog, nothing half-written, a clear error naming the path, and a re-run that completes exactly
// the missing days into a catalog byte-identical to an uninterrupted build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobSpecInput } from '../../shared/job.js';
import type { ProgressEvent } from '../../shared/progress.js';
import type { RunReport } from '../../shared/report.js';
import { dayInterval, fileName } from '../../engine/catalog/paths.js';
import { readParquetInfo } from '../../engine/parquet/parquet.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { STATE_DIR, runBuild } from '../../engine/jobs/build.js';
import { genTardisTicker, genTardisTrades } from '../../scripts/gen-data.js';
import { GOLDEN, ROOT, filesUnder, needShared, readRows, spawnAndKill, tempDir, type KillResult } from '../helpers.js';
import { fullDisk } from '../support/full-disk.js';

const INSTRUMENT = 'BTCUSDT-PERP.BINANCE';
const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03'];
const dayFile = (day: string) => fileName(dayInterval(day).start, dayInterval(day).end);
// Days of ~20k trades with 5000-row groups: each day streams into its temporary file while the source
// is read, so a kill lands while reading, while a day file is open, between commits, and while the
// mark and funding days are written.
const ROWS = 60_000;
const ROW_GROUP = 5000;

function listSync(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Files of the killed runs' temporary folders (`.catalog-builder/tmp/<run>/…`). */
function tmpFiles(catalog: string): string[] {
  const root = join(catalog, STATE_DIR, 'tmp');
  return listSync(root).flatMap((run) => listSync(join(root, run)));
}

async function makeSources(dir: string): Promise<{ job: JobSpecInput; configPath: string }> {
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows: ROWS, start: DAYS[0]!, days: 3, seed: 11 });
  await genTardisTicker({ path: join(dir, 'ticker.csv'), start: DAYS[0]!, days: 3, everySec: 120, seed: 12 });
  const config = { base_path: '.', files: { trades: { file_path: 'trades.csv.gz' }, mark: { file_path: 'ticker.csv' }, funding: { file_path: 'ticker.csv' } } };
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  return {
    configPath,
    job: { source: 'csv', symbol: 'BTCUSDT', start: DAYS[0]!, end: DAYS.at(-1)!, output: '', dataTypes: ['trades', 'mark', 'funding'], config, configDir: dir, rowGroupSize: ROW_GROUP },
  };
}

function cliArgs(configPath: string, catalog: string, extra: string[] = []): string[] {
  return [join(ROOT, 'bin', 'catalog-builder.mjs'), 'build', '--source', 'csv', '--symbol', 'BTCUSDT', '--start', DAYS[0]!, '--end', DAYS.at(-1)!,
    '--output', catalog, '--data-types', 'trades,mark,funding', '--config', configPath, '--row-group-size', String(ROW_GROUP), '--json', ...extra];
}

/** Spawns the CLI build and SIGKILLs it once `when()` (polled every 2 ms) says so. */
function buildAndKill(configPath: string, catalog: string, when: (ms: number) => boolean): Promise<KillResult> {
  return spawnAndKill(cliArgs(configPath, catalog), when, 2);
}

/** data/ holds only files of the reference build, each byte for byte (the writer is deterministic). */
async function assertOnlyCompleteFiles(catalog: string, ref: Map<string, Buffer>, when: string): Promise<string[]> {
  const files = await filesUnder(join(catalog, 'data'));
  for (const f of files) {
    const want = ref.get(f);
    assert.ok(want, `${when}: ${f} in data/ is not a file of the uninterrupted build (partial or temporary file?)`);
    assert.ok((await readFile(join(catalog, 'data', f))).equals(want), `${when}: ${f} differs from the uninterrupted build`);
  }
  if (files.length) assert.deepEqual((await verifyCatalog(catalog)).errors, [], `${when}: the catalog verifies`);
  return files;
}

/** Same file names and the same bytes as the reference catalog; no temporary file, no lock. */
async function assertSameCatalog(catalog: string, ref: Map<string, Buffer>, when: string): Promise<void> {
  const files = await filesUnder(join(catalog, 'data'));
  assert.deepEqual(files, [...ref.keys()].sort(), `${when}: same files as the uninterrupted build`);
  for (const f of files) assert.ok((await readFile(join(catalog, 'data', f))).equals(ref.get(f)!), `${when}: ${f} is byte-identical to the uninterrupted build`);
  assert.deepEqual(await filesUnder(join(catalog, STATE_DIR, 'tmp')), [], `${when}: no temporary file left`);
  assert.ok(!existsSync(join(catalog, STATE_DIR, 'lock')), `${when}: the lock is released`);
}

test('SIGKILL at many moments of a CLI build: only complete files survive, and a re-run completes exactly the missing days', async (t) => {
  const dir = await tempDir(t);
  const { job, configPath } = await makeSources(dir);

  // The uninterrupted build, twice: the writer gives the same bytes for the same rows.
  const ref = new Map<string, Buffer>();
  const refReport = await runBuild({ ...job, output: join(dir, 'reference') });
  assert.equal(refReport.ok, true, refReport.errors.join('\n'));
  for (const f of await filesUnder(join(dir, 'reference', 'data'))) ref.set(f, await readFile(join(dir, 'reference', 'data', f)));
  assert.equal(ref.size, 10, [...ref.keys()].join('\n')); // instrument + 3 types x 3 days
  const again = await runBuild({ ...job, output: join(dir, 'reference-2') });
  assert.equal(again.ok, true);
  await assertSameCatalog(join(dir, 'reference-2'), ref, 'a second uninterrupted build');
  const refRows = refReport.totals.written;

  const folder = (catalog: string, type: string) => join(catalog, 'data', type, INSTRUMENT);
  const committed = (catalog: string, type: string, day: string) => existsSync(join(folder(catalog, type), dayFile(day)));
  const tmpExists = (re: RegExp) => (catalog: string) => tmpFiles(catalog).some((n) => re.test(n));
  const started = (catalog: string) => existsSync(join(catalog, STATE_DIR, 'lock'));
  // Moments of the run, in order: [name, condition on the catalog folder].
  const milestones: [string, (c: string) => boolean][] = [
    ['the job took its lock', started],
    ['the instrument file is being written', tmpExists(/^instrument\.parquet\.tmp$/)],
    ['the instrument file was committed', (c) => listSync(folder(c, 'crypto_perpetual')).length > 0],
    [`trades ${DAYS[0]} is being streamed`, tmpExists(new RegExp(`^trades-${DAYS[0]}\\.parquet\\.tmp$`))],
    [`trades ${DAYS[1]} is being streamed`, tmpExists(new RegExp(`^trades-${DAYS[1]}\\.parquet\\.tmp$`))],
    [`trades ${DAYS[2]} is being streamed`, tmpExists(new RegExp(`^trades-${DAYS[2]}\\.parquet\\.tmp$`))],
    [`trades ${DAYS[0]} was committed`, (c) => committed(c, 'trade_tick', DAYS[0]!)],
    [`trades ${DAYS[1]} was committed`, (c) => committed(c, 'trade_tick', DAYS[1]!)],
    [`trades ${DAYS[2]} was committed`, (c) => committed(c, 'trade_tick', DAYS[2]!)],
    [`mark ${DAYS[0]} was committed`, (c) => committed(c, 'mark_price_update', DAYS[0]!)],
    [`mark ${DAYS[2]} was committed`, (c) => committed(c, 'mark_price_update', DAYS[2]!)],
    ['a funding day is being written', tmpExists(/^funding-.*\.parquet\.tmp$/)],
    [`funding ${DAYS[1]} was committed`, (c) => committed(c, 'funding_rate_update', DAYS[1]!)],
  ];
  // …and moments by time since the job took its lock, spread over the run.
  for (const ms of [50, 200, 400, 650, 900, 1200]) {
    let since: number | null = null;
    milestones.push([`${ms} ms after the job took its lock`, (c) => {
      if (since === null && started(c)) since = Date.now();
      return since !== null && Date.now() - since >= ms;
    }]);
  }

  let landed = 0, tried = 0, rowsLost = 0;
  const outcomes: string[] = [];
  let k = 0;
  for (const [name, cond] of milestones) {
    tried++;
    const catalog = join(dir, `killed-${k++}`);
    const res = await buildAndKill(configPath, catalog, () => cond(catalog));
    const done = await assertOnlyCompleteFiles(catalog, ref, `killed when ${name}`);
    if (res.signal === 'SIGKILL') landed++;
    else assert.equal(res.code, 0, `${name}: the build was not killed, so it must have finished cleanly`);
    // The re-run writes exactly the days missing, skips the finished ones, and the result is identical.
    const rerun = await runBuild({ ...job, output: catalog });
    assert.equal(rerun.ok, true, `${name}: ${rerun.errors.join('\n')}`);
    const TYPE_DIR: Record<string, string> = { trades: 'trade_tick', mark: 'mark_price_update', funding: 'funding_rate_update' };
    for (const d of rerun.days) {
      const had = done.includes(`${TYPE_DIR[d.dataType]}/${INSTRUMENT}/${dayFile(d.day)}`);
      assert.equal(d.state, had ? 'skipped' : 'done', `${name}: ${d.dataType} ${d.day} ${had ? 'was finished before the kill' : 'was missing'}`);
    }
    await assertSameCatalog(catalog, ref, `re-run after the kill when ${name}`);
    let rows = 0;
    for (const f of await filesUnder(join(catalog, 'data'))) if (!f.startsWith('crypto_perpetual/')) rows += (await readParquetInfo(join(catalog, 'data', f))).numRows;
    rowsLost += refRows - rows;
    outcomes.push(`${name}: ${res.signal ?? `exit ${res.code}`}, ${done.length} file(s) survived`);
    await rm(catalog, { recursive: true, force: true });
  }

  // Killed twice in a row before the re-run: the second run resumes the first one's days.
  {
    tried += 2;
    const catalog = join(dir, 'killed-twice');
    const first = await buildAndKill(configPath, catalog, () => committed(catalog, 'trade_tick', DAYS[0]!));
    await assertOnlyCompleteFiles(catalog, ref, 'first kill of two');
    const second = await buildAndKill(configPath, catalog, () => committed(catalog, 'mark_price_update', DAYS[0]!));
    await assertOnlyCompleteFiles(catalog, ref, 'second kill of two');
    landed += Number(first.signal === 'SIGKILL') + Number(second.signal === 'SIGKILL');
    const rerun = await runBuild({ ...job, output: catalog });
    assert.equal(rerun.ok, true, rerun.errors.join('\n'));
    await assertSameCatalog(catalog, ref, 're-run after two kills');
    outcomes.push(`killed twice: ${first.signal ?? first.code}, ${second.signal ?? second.code}`);
  }

  for (const o of outcomes) t.diagnostic(o);
  console.log(`faults: ${tried} kill points tried, ${landed} kills landed mid-run, rows lost after the re-runs: ${rowsLost}`);
  assert.equal(rowsLost, 0);
  assert.ok(landed >= 12, `at least 12 kills landed while the job ran (${landed} of ${tried})`);
});

// ---- catalogs that already hold NautilusTrader's files --------------------------------------------

/** Byte content and mtime, to show a file was not touched. */
async function fingerprint(path: string): Promise<{ bytes: Buffer; mtimeMs: number; ino: number }> {
  const st = await stat(path);
  return { bytes: await readFile(path), mtimeMs: st.mtimeMs, ino: st.ino };
}

async function assertUntouched(path: string, before: { bytes: Buffer; mtimeMs: number; ino: number }): Promise<void> {
  const now = await fingerprint(path);
  assert.ok(now.bytes.equals(before.bytes), `${path}: same bytes`);
  assert.equal(now.mtimeMs, before.mtimeMs, `${path}: not rewritten`);
  assert.equal(now.ino, before.ino, `${path}: not replaced`);
}

test('a catalog holding NautilusTrader golden files: overlaps and 64/128-bit mixing refused by file name, foreign names reported, nothing of theirs touched', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows: 3000, start: DAYS[0]!, days: 3, seed: 13 });
  const config = { base_path: '.', files: { trades: { file_path: 'trades.csv.gz' } } };
  // The golden trades use price/size precision 4: the job matches it, so only the intervals, the
  // width or the names can clash.
  const job = (output: string, precisionMode: 64 | 128 = 128): JobSpecInput => ({
    source: 'csv', symbol: 'BTCUSDT', start: DAYS[0]!, end: DAYS.at(-1)!, output, dataTypes: ['trades'], config, configDir: dir, precisionMode, pricePrecision: 4, sizePrecision: 4,
  });
  const clean = join(dir, 'clean');
  assert.equal((await runBuild(job(clean))).ok, true);
  const cleanFolder = join(clean, 'data', 'trade_tick', INSTRUMENT);
  const seed = async (name: string, golden: string, as: string) => {
    const catalog = join(dir, name);
    const folder = join(catalog, 'data', 'trade_tick', INSTRUMENT);
    await mkdir(folder, { recursive: true });
    await copyFile(join(GOLDEN, golden, 'trades.parquet'), join(folder, as));
    return { catalog, folder, file: join(folder, as), before: await fingerprint(join(folder, as)) };
  };
  const run = async (catalog: string, mode: 64 | 128 = 128) => {
    const events: ProgressEvent[] = [];
    const report = await runBuild(job(catalog, mode), { onProgress: (e) => events.push(e) });
    return { report, events };
  };

  await t.test('a golden file whose interval overlaps a day: that day is refused before anything is written for it, naming the file', async () => {
    const iv = dayInterval(DAYS[1]!);
    const name = fileName(iv.start + 6n * 3600n * 1_000_000_000n, iv.start + 18n * 3600n * 1_000_000_000n);
    const g = await seed('overlap', '128-bit', name);
    const { report, events } = await run(g.catalog);
    assert.equal(report.ok, false);
    for (const d of report.days) {
      if (d.day === DAYS[1]) {
        assert.equal(d.state, 'failed');
        assert.ok(d.error?.includes(name) && /overlaps/.test(d.error), d.error);
        assert.equal(d.written, 0);
      } else assert.equal(d.state, 'done', `${d.day}: ${d.error ?? ''}`);
    }
    assert.ok(report.errors.some((e) => e.includes(name) && e.includes(DAYS[1]!)), report.errors.join('\n'));
    // Never written: no progress of day 2 ever said "writing", and there is no file for it.
    assert.ok(!events.some((e) => e.kind === 'day' && e.day === DAYS[1] && (e.state === 'writing' || e.state === 'reading')), 'day 2 was never read into nor written');
    assert.deepEqual((await readdir(g.folder)).sort(), [name, dayFile(DAYS[0]!), dayFile(DAYS[2]!)].sort());
    await assertUntouched(g.file, g.before);
    // The days that were written are exactly those of a catalog without the golden file.
    for (const day of [DAYS[0]!, DAYS[2]!]) assert.ok((await readFile(join(g.folder, dayFile(day)))).equals(await readFile(join(cleanFolder, dayFile(day)))), day);
  });

  await t.test('64-bit golden files refuse a 128-bit job in their folder, and 128-bit ones a 64-bit job', async () => {
    const old = fileName(dayInterval('2023-12-01').start, dayInterval('2023-12-01').end);
    for (const [golden, mode, other] of [['64-bit', 128, 64], ['128-bit', 64, 128]] as const) {
      const g = await seed(`mix-${golden}`, golden, old);
      const { report } = await run(g.catalog, mode);
      assert.equal(report.ok, false);
      const err = report.errors.find((e) => e.startsWith('trades:'));
      assert.ok(err, report.errors.join('\n'));
      assert.ok(err.includes(`${other}-bit`) && err.includes(`${mode}-bit`) && err.includes(old) && /cannot mix/.test(err), err);
      for (const d of report.days) assert.deepEqual([d.state, d.written], ['failed', 0], d.day);
      assert.deepEqual(await readdir(g.folder), [old], `${golden}: nothing added to the folder`);
      await assertUntouched(g.file, g.before);
    }
  });

  await t.test('a golden file under a foreign name is reported and left alone; the job writes beside it', async () => {
    const g = await seed('foreign', '128-bit', 'part-0.parquet');
    const { report } = await run(g.catalog);
    assert.equal(report.ok, true, report.errors.join('\n'));
    assert.ok(report.notes.some((n) => n.includes('part-0.parquet') && /untouched/.test(n)), report.notes.join('\n'));
    await assertUntouched(g.file, g.before);
    assert.deepEqual((await readdir(g.folder)).sort(), ['part-0.parquet', ...DAYS.map(dayFile)].sort());
    for (const day of DAYS) assert.ok((await readFile(join(g.folder, dayFile(day)))).equals(await readFile(join(cleanFolder, dayFile(day)))), day);
    // verify names the foreign file (Nautilus's v1 catalog fails on it) and nothing of ours.
    const v = await verifyCatalog(g.catalog);
    assert.ok(v.errors.length > 0 && v.errors.every((e) => e.includes('part-0.parquet')), v.errors.join('\n'));
  });

  await t.test('a golden file on a day outside the job: the job writes its days beside it and leaves it as it was', async () => {
    const old = fileName(dayInterval('2023-12-01').start, dayInterval('2023-12-01').end);
    const g = await seed('beside', '128-bit', old);
    const { report } = await run(g.catalog);
    assert.equal(report.ok, true, report.errors.join('\n'));
    await assertUntouched(g.file, g.before);
    for (const day of DAYS) assert.ok((await readFile(join(g.folder, dayFile(day)))).equals(await readFile(join(cleanFolder, dayFile(day)))), day);
    // A second run skips everything and still does not touch it.
    const again = await run(g.catalog);
    assert.deepEqual(again.report.days.map((d) => d.state), ['skipped', 'skipped', 'skipped']);
    await assertUntouched(g.file, g.before);
  });
});

// ---- disk full ------------------------------------------------------------------------------------

test('disk full: the failing file is named, nothing partial is left, and after freeing space the re-run completes the catalog', async (t) => {
  const dir = await tempDir(t);
  const { job } = await makeSources(dir);
  const reference = join(dir, 'reference');
  assert.equal((await runBuild({ ...job, output: reference })).ok, true);
  const ref = new Map<string, Buffer>();
  for (const f of await filesUnder(join(reference, 'data'))) ref.set(f, await readFile(join(reference, 'data', f)));
  const dayBytes = ref.get(`trade_tick/${INSTRUMENT}/${dayFile(DAYS[0]!)}`)!.length;

  // Budgets: nothing at all (the instrument file fails), part of the first day, about one and a half days.
  const cases: [string, number, RegExp][] = [
    ['no space at all', 0, /crypto_perpetual\/.*failed: no space left on the output disk/],
    ['space for part of a day', Math.floor(dayBytes / 2), /trade_tick\/.*failed: no space left on the output disk/],
    ['space for about a day and a half', Math.floor(dayBytes * 1.5), /trade_tick\/.*failed: no space left on the output disk/],
  ];
  for (const [name, budget, expected] of cases) {
    await t.test(name, async (st) => {
      const catalog = join(dir, `full-${budget}`);
      const disk = fullDisk(st, /\.parquet\.tmp$|\.run$/, budget);
      const report = await runBuild({ ...job, output: catalog });
      assert.ok(disk.failures() > 0, 'the disk ran full');
      assert.equal(report.ok, false);
      assert.ok(report.errors.some((e) => expected.test(e)), report.errors.join('\n'));
      // Every error about writing names the destination file; the input file is never blamed alone.
      for (const e of report.errors.filter((x) => /no space/.test(x))) assert.match(e, /writing \/.*\.parquet failed: no space left on the output disk/, e);
      await assertOnlyCompleteFiles(catalog, ref, name);
      assert.deepEqual(await filesUnder(join(catalog, STATE_DIR, 'tmp')), [], 'no temporary file left');
      for (const d of report.days) if (d.state === 'failed') assert.ok(!existsSync(join(catalog, 'data', d.dataType === 'trades' ? 'trade_tick' : d.dataType === 'mark' ? 'mark_price_update' : 'funding_rate_update', INSTRUMENT, dayFile(d.day))), `${d.dataType} ${d.day}`);
    });
    // Space freed: the same job completes the catalog exactly.
    const catalog = join(dir, `full-${budget}`);
    const rerun = await runBuild({ ...job, output: catalog });
    assert.equal(rerun.ok, true, rerun.errors.join('\n'));
    await assertSameCatalog(catalog, ref, `${name}, then re-run`);
  }

  await t.test('the rejects file hits the full disk: the job reports it instead of crashing', async (st) => {
    const src = join(dir, 'bad.csv');
    await writeFile(src, ['time,price,volume,side,id', ...Array.from({ length: 50 }, (_, i) => `${Date.UTC(2024, 0, 1) + i * 1000},${i % 2 ? '-1' : '42000.1'},0.5,buy,id${i}`)].join('\n') + '\n');
    fullDisk(st, /rejects\.jsonl(\.tmp)?$/, 0);
    const catalog = join(dir, 'full-rejects');
    const report = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: DAYS[0]!, end: DAYS[0]!, output: catalog, dataTypes: ['trades'], config: { base_path: '.', files: { trades: { file_path: 'bad.csv' } } }, configDir: dir });
    assert.equal(report.ok, false);
    assert.ok(report.errors.some((e) => e.includes('rejects.jsonl') && /no space left/.test(e)), report.errors.join('\n'));
    assert.equal(report.totals.rejected, 25);
  });
});

// ---- permission denied ----------------------------------------------------------------------------

/** Runs a command as user nobody (root ignores file permissions); null when that is not possible here. */
function asNobody(): ((args: string[], cwd: string) => { code: number | null; stdout: string; stderr: string }) | null {
  if (process.getuid?.() !== 0) return null;
  const probe = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(join(ROOT, 'bin', 'catalog-builder.mjs'))})`], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  return (args, cwd) => {
    const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, ...args], { cwd, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

test('permission denied: a read-only output folder or catalog folder gives a clear error naming the path and no partial file', async (t) => {
  const run = process.getuid?.() === 0 ? asNobody() : (args: string[], cwd: string) => {
    const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  if (!run) {
    t.skip('running as root (which ignores file permissions) and cannot switch to user nobody with setpriv here');
    return;
  }
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const { job, configPath } = await makeSources(dir);
  await chmod(configPath, 0o644);
  await chmod(join(dir, 'trades.csv.gz'), 0o644);
  await chmod(join(dir, 'ticker.csv'), 0o644);

  await t.test('the output folder itself cannot be written', async () => {
    const out = join(dir, 'readonly-out');
    await mkdir(out);
    await chmod(out, 0o555);
    const r = run(cliArgs(configPath, out), ROOT);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot write to the output folder ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: permission denied`));
    assert.deepEqual(await filesUnder(out), [], 'nothing was written');
  });

  await t.test('the catalog\'s data folder cannot be written: the days fail naming their file, the state folder holds no leftovers', async () => {
    const out = join(dir, 'readonly-data');
    // An earlier run (as root) wrote day 1 of every type; the data folder stays root's, read-only for others.
    assert.equal((await runBuild({ ...job, output: out, end: DAYS[0]! })).ok, true);
    const before = new Map<string, Buffer>();
    for (const f of await filesUnder(join(out, 'data'))) before.set(f, await readFile(join(out, 'data', f)));
    // The job's own state folder stays writable for it (as when another user made the data folder).
    if (process.getuid?.() === 0) spawnSync('chown', ['-R', 'nobody:nogroup', join(out, STATE_DIR)]);
    const typeDirs = ['trade_tick', 'mark_price_update', 'funding_rate_update'].map((d) => join(out, 'data', d, INSTRUMENT));
    if (process.getuid?.() !== 0) for (const d of typeDirs) await chmod(d, 0o555);
    const r = run(cliArgs(configPath, out), ROOT);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as RunReport;
    for (const d of report.days) {
      if (d.day === DAYS[0]) {
        assert.equal(d.state, 'skipped');
        continue;
      }
      assert.equal(d.state, 'failed', `${d.dataType} ${d.day}`);
      assert.match(d.error!, /^writing \/.*\.parquet failed: permission denied$/, d.error);
      assert.ok(d.error!.includes(dayFile(d.day)), d.error);
    }
    // data/ is exactly as before, and the job left no temporary file anywhere.
    assert.deepEqual(await filesUnder(join(out, 'data')), [...before.keys()]);
    for (const [f, b] of before) assert.ok((await readFile(join(out, 'data', f))).equals(b), f);
    assert.deepEqual(await filesUnder(join(out, STATE_DIR, 'tmp')), []);
    assert.ok(!existsSync(join(out, STATE_DIR, 'lock')));
    // With the permission back, the same job completes it.
    if (process.getuid?.() !== 0) for (const d of typeDirs) await chmod(d, 0o755);
    const rerun = await runBuild({ ...job, output: out });
    assert.equal(rerun.ok, true, rerun.errors.join('\n'));
    assert.equal((await verifyCatalog(out)).ok, true);
    assert.equal(rerun.days.filter((d) => d.state === 'done').length, 6);
    const rows = await readRows(join(out, 'data', 'trade_tick', INSTRUMENT, dayFile(DAYS[2]!)));
    assert.ok(rows.length > 0);
  });
});
