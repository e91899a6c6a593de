// Safety of existing catalogs and of the disk around them (issue 11, items 7, 12, 14, 15):
// --overwrite never leaves instrument and data disagreeing and never deletes a file it did not write;
// a full disk leaves every state file whole and the lock released; symbolic links inside a catalog
// never lead a job outside it; one job per catalog, whatever the alias, thread or process.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fsp, { copyFile, mkdir, mkdtemp, open, readFile, readdir, rm, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { JobSpecInput } from '../../shared/job.js';
import type { RunReport } from '../../shared/report.js';
import { MANIFEST, hashFile } from '../../engine/catalog/manifest.js';
import { readParquetInfo } from '../../engine/parquet/parquet.js';
import { dayInterval, fileName } from '../../engine/catalog/paths.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { STATE_DIR, runBuild } from '../../engine/jobs/build.js';
import { createService } from '../../hosts/service.js';
import { genTardisTicker, genTardisTrades } from '../../scripts/gen-data.js';
import { ROOT, filesUnder, readRows, tempDir } from '../helpers.js';
import { fullDisk } from '../support/full-disk.js';

const INSTRUMENT = 'BTCUSDT-PERP.BINANCE';
const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'];
const dayFile = (day: string) => fileName(dayInterval(day).start, dayInterval(day).end);
const CLI = join(ROOT, 'bin', 'catalog-builder.mjs');
/** A stack trace line as Node prints it. */
const STACK = /\n\s+at .+[(:]\d+/;

async function sources(dir: string, rows = 10_000, days = DAYS.length): Promise<{ config: JobSpecInput['config']; configPath: string }> {
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows, start: DAYS[0]!, days, seed: 21 });
  await genTardisTicker({ path: join(dir, 'ticker.csv'), start: DAYS[0]!, days, everySec: 600, seed: 22 });
  const config = { base_path: '.', files: { trades: { file_path: 'trades.csv.gz' }, mark: { file_path: 'ticker.csv' } } };
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  return { config, configPath };
}

function jobOf(dir: string, config: JobSpecInput['config'], output: string, extra: Partial<JobSpecInput> = {}): JobSpecInput {
  return { source: 'csv', symbol: 'BTCUSDT', start: DAYS[0]!, end: DAYS.at(-1)!, output, dataTypes: ['trades', 'mark'], config, configDir: dir, ...extra };
}

function cliArgs(configPath: string, catalog: string, extra: string[] = []): string[] {
  return [CLI, 'build', '--source', 'csv', '--symbol', 'BTCUSDT', '--start', DAYS[0]!, '--end', DAYS.at(-1)!, '--output', catalog,
    '--data-types', 'trades,mark', '--config', configPath, '--json', ...extra];
}

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Print = { bytes: Buffer; ino: number; mtimeMs: number };

/** Every file under `root` with its bytes, inode and mtime: to show that nothing was touched. */
async function snapshot(root: string): Promise<Map<string, Print>> {
  const out = new Map<string, Print>();
  for (const f of await filesUnder(root)) {
    const st = await stat(join(root, f));
    out.set(f, { bytes: await readFile(join(root, f)), ino: st.ino, mtimeMs: st.mtimeMs });
  }
  return out;
}

async function assertUnchanged(root: string, before: Map<string, Print>, when: string): Promise<void> {
  const now = await snapshot(root);
  assert.deepEqual([...now.keys()], [...before.keys()], `${when}: the same files under ${root}`);
  for (const [f, p] of before) {
    const q = now.get(f)!;
    assert.ok(q.bytes.equals(p.bytes) && q.ino === p.ino && q.mtimeMs === p.mtimeMs, `${when}: ${f} was not touched`);
  }
}

async function pricePrecisionOf(path: string): Promise<string | undefined> {
  return (await readParquetInfo(path)).keyValue.get('price_precision');
}

// ---- item 7: existing catalogs --------------------------------------------------------------------

test('--overwrite with another price precision: refused before anything changes unless every remaining file agrees', async (t) => {
  const dir = await tempDir(t);
  const { config } = await sources(dir);
  const catalog = join(dir, 'catalog');
  const first = await runBuild(jobOf(dir, config, catalog));
  assert.equal(first.ok, true, first.errors.join('\n'));
  assert.equal(first.instrument.pricePrecision, 2);
  const data = join(catalog, 'data');
  const before = await snapshot(data);

  // One day of five, trades only, at price precision 3: days 1-2 and 4-5 stay at 2.
  const oneDay = await runBuild(jobOf(dir, config, catalog, { start: DAYS[2]!, end: DAYS[2]!, dataTypes: ['trades'], overwrite: true, pricePrecision: 3 }));
  assert.equal(oneDay.ok, false);
  const err = oneDay.errors.join('\n');
  assert.match(err, /price_precision 2/, err);
  assert.ok(err.includes(`trade_tick/${INSTRUMENT}/${dayFile(DAYS[0]!)}`), `names a file that would remain: ${err}`);
  await assertUnchanged(data, before, 'one day of five at another precision');

  // Every trades day at 3, but the mark days (not in the job) stay at 2.
  const allTrades = await runBuild(jobOf(dir, config, catalog, { dataTypes: ['trades'], overwrite: true, pricePrecision: 3 }));
  assert.equal(allTrades.ok, false);
  assert.ok(allTrades.errors.some((e) => e.includes(`mark_price_update/${INSTRUMENT}/`) && /price_precision 2/.test(e)), allTrades.errors.join('\n'));
  await assertUnchanged(data, before, 'all trades days at another precision, mark days left at 2');

  // Everything rewritten at 3, but the disk fills after a day and a half: all or nothing, so nothing.
  await t.test('a day of the precision change fails: the catalog stays as it was', async (st) => {
    const dayBytes = (await stat(join(data, 'trade_tick', INSTRUMENT, dayFile(DAYS[0]!)))).size;
    const disk = fullDisk(st, /\.parquet\.tmp$|\.run$/, Math.floor(dayBytes * 1.5));
    const failed = await runBuild(jobOf(dir, config, catalog, { overwrite: true, pricePrecision: 3 }));
    assert.ok(disk.failures() > 0, 'the disk ran full');
    assert.equal(failed.ok, false);
    assert.ok(failed.errors.some((e) => /no space left/.test(e)), failed.errors.join('\n'));
    assert.ok(failed.days.every((d) => d.state === 'failed' && d.written === 0), JSON.stringify(failed.days.map((d) => [d.day, d.state, d.error])));
    await assertUnchanged(data, before, 'a precision change that could not complete');
    assert.deepEqual(await filesUnder(join(catalog, STATE_DIR, 'tmp')), []);
  });

  // Everything the instrument has, rewritten at 3: allowed, and then instrument and data agree.
  const all = await runBuild(jobOf(dir, config, catalog, { overwrite: true, pricePrecision: 3 }));
  assert.equal(all.ok, true, all.errors.join('\n'));
  for (const f of await filesUnder(data)) {
    if (f.startsWith('crypto_perpetual/')) continue;
    assert.equal(await pricePrecisionOf(join(data, f)), '3', f);
  }
  assert.deepEqual((await verifyCatalog(catalog)).errors, []);

  // A change to 4 stops after two of its renames (an I/O error): the next job on the catalog completes it.
  await t.test('a precision change stopped part-way through its commit is completed by the next job', async (st) => {
    const original = fsp.rename;
    let moved = 0;
    fsp.rename = (async (from: string, to: string) => {
      if (String(to).endsWith('.parquet') && ++moved === 3) throw Object.assign(new Error(`EIO: i/o error, rename '${from}'`), { code: 'EIO' });
      return original(from, to);
    }) as typeof fsp.rename;
    syncBuiltinESMExports();
    const restore = () => {
      fsp.rename = original;
      syncBuiltinESMExports();
    };
    st.after(restore);
    const stopped = await runBuild(jobOf(dir, config, catalog, { overwrite: true, pricePrecision: 4 }));
    restore();
    assert.equal(stopped.ok, false);
    assert.ok(stopped.errors.some((e) => /stopped part-way/.test(e)), stopped.errors.join('\n'));
    const precisions = async () => {
      const out = new Set<string>();
      for (const f of await filesUnder(data)) {
        out.add(f.startsWith('crypto_perpetual/') ? String((await readRows(join(data, f)))[0]!.price_precision) : String(await pricePrecisionOf(join(data, f))));
      }
      return [...out];
    };
    assert.ok((await precisions()).length > 1, 'stopped with the catalog part at 3, part at 4');
    const next = await runBuild(jobOf(dir, config, catalog, { pricePrecision: 4 }));
    assert.equal(next.ok, true, next.errors.join('\n'));
    assert.deepEqual(await precisions(), ['4'], 'instrument and every day at 4');
    assert.deepEqual(next.days.map((d) => d.state), Array(10).fill('skipped'));
    assert.deepEqual(await filesUnder(join(catalog, STATE_DIR, 'tmp')), []);
    assert.deepEqual((await verifyCatalog(catalog)).errors, []);
  });
});

test('--overwrite of one mark day replaces only files catalog-builder wrote: another writer\'s instrument and day files stay', async (t) => {
  const dir = await tempDir(t);
  const { config } = await sources(dir);
  const catalog = join(dir, 'catalog');
  const job = jobOf(dir, config, catalog, { start: DAYS[1]!, end: DAYS[2]!, dataTypes: ['mark'] });
  assert.equal((await runBuild(job)).ok, true);
  // Files of another writer (here: copied in from a catalog built elsewhere, from other rows).
  const other = join(dir, 'other');
  await genTardisTicker({ path: join(dir, 'ticker-other.csv'), start: DAYS[0]!, days: 5, everySec: 900, seed: 99 });
  const otherConfig = { base_path: '.', files: { mark: { file_path: 'ticker-other.csv' } } };
  assert.equal((await runBuild(jobOf(dir, otherConfig, other, { start: DAYS[0]!, end: DAYS[2]!, dataTypes: ['mark'] }))).ok, true);
  const instDir = (c: string) => join(c, 'data', 'crypto_perpetual', INSTRUMENT);
  const markDir = (c: string) => join(c, 'data', 'mark_price_update', INSTRUMENT);
  const [theirInstrument] = await readdir(instDir(other));
  const [ourInstrument] = await readdir(instDir(catalog));
  assert.notEqual(theirInstrument, ourInstrument, 'another name (another start day)');
  await copyFile(join(instDir(other), theirInstrument!), join(instDir(catalog), theirInstrument!));
  const theirDay = join(markDir(catalog), dayFile(DAYS[2]!));
  const ourSize = (await stat(theirDay)).size;
  await copyFile(join(markDir(other), dayFile(DAYS[2]!)), theirDay);
  assert.notEqual((await stat(theirDay)).size, ourSize, 'their day file differs from ours');
  const theirs = new Map<string, Print>();
  for (const p of [join(instDir(catalog), theirInstrument!), theirDay]) {
    const st = await stat(p);
    theirs.set(p, { bytes: await readFile(p), ino: st.ino, mtimeMs: st.mtimeMs });
  }

  const report = await runBuild({ ...job, overwrite: true });
  for (const [p, was] of theirs) {
    assert.ok(existsSync(p), `${p} (not ours) still exists`);
    const st = await stat(p);
    assert.ok((await readFile(p)).equals(was.bytes) && st.ino === was.ino && st.mtimeMs === was.mtimeMs, `${p} (not ours) untouched`);
  }
  // Our own day is replaced; theirs is refused by name, and the report says why.
  const day1 = report.days.find((d) => d.day === DAYS[1])!;
  assert.equal(day1.state, 'done', day1.error);
  const day2 = report.days.find((d) => d.day === DAYS[2])!;
  assert.equal(day2.state, 'failed');
  assert.ok(day2.error?.includes(dayFile(DAYS[2]!)) && /not written by catalog-builder/.test(day2.error), day2.error);
  assert.ok(report.notes.some((n) => n.includes(theirInstrument!)), report.notes.join('\n'));
});

test('the manifest alone tells --overwrite which files are ours, a pending entry by its new or its prior file', async (t) => {
  const dir = await tempDir(t);
  const { config } = await sources(dir, 2000, 3);
  const catalog = join(dir, 'catalog');
  const job = jobOf(dir, config, catalog, { end: DAYS[2]!, dataTypes: ['trades'] });
  assert.equal((await runBuild(job)).ok, true);
  // No run reports to fall back on: only the manifest can say the files are ours.
  await rm(join(catalog, STATE_DIR, 'runs'), { recursive: true });
  const tradesDir = join(catalog, 'data', 'trade_tick', INSTRUMENT);
  const key = (day: string) => `data/trade_tick/${INSTRUMENT}/${dayFile(day)}`;
  const path = join(catalog, STATE_DIR, MANIFEST);
  const doc = JSON.parse(await readFile(path, 'utf8')) as { version: 1; files: Record<string, unknown> };
  // Day 1: a job stopped between announcing a replacement and the rename (the prior file is there).
  const prior = await hashFile(join(tradesDir, dayFile(DAYS[1]!)));
  doc.files[key(DAYS[1]!)] = { size: prior.size + 7, sha256: '0'.repeat(64), pending: true, prior };
  // Day 2: an entry whose size no longer matches the file (another writer replaced it since).
  const day2 = doc.files[key(DAYS[2]!)] as { size: number };
  day2.size += 1;
  await writeFile(path, JSON.stringify(doc));
  const again = await runBuild({ ...job, overwrite: true });
  assert.deepEqual(again.days.map((d) => d.state), ['done', 'done', 'failed'], again.errors.join('\n'));
  assert.match(again.days[2]!.error ?? '', /not written by catalog-builder/);
});

// ---- item 12: a full disk and the state files ------------------------------------------------------

/** A small tmpfs, or null (with the reason) when this machine cannot mount one. */
async function smallDisk(t: TestContext): Promise<{ root: string; fill: (free: number) => Promise<void> } | string> {
  const root = await mkdtemp(join(tmpdir(), 'cb-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', root], { encoding: 'utf8' });
  t.after(async () => {
    if (r.status === 0) spawnSync('umount', ['-l', root]);
    await rm(root, { recursive: true, force: true });
  });
  if (r.status !== 0) return `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}`;
  const filler = join(root, 'filler');
  return {
    root,
    // Fills the disk to the last byte, then frees `free` bytes (tmpfs counts whole 4 KiB pages).
    fill: async (free: number) => {
      const fh = await open(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      try {
        for (;;) await fh.write(chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      } finally {
        await fh.close();
      }
      const size = (await stat(filler)).size;
      await truncate(filler, Math.max(0, size - (size % 4096) - free));
    },
  };
}

/** No zero-byte, temporary or lock file in the catalog's state folder. */
async function assertStateWhole(catalog: string, when: string): Promise<void> {
  const state = join(catalog, STATE_DIR);
  assert.ok(!existsSync(join(state, 'lock')), `${when}: the lock is released`);
  for (const f of await filesUnder(state)) {
    assert.ok((await stat(join(state, f))).size > 0, `${when}: ${f} is empty`);
    assert.doesNotMatch(f, /\.tmp$|^tmp\//, `${when}: temporary file ${f} left`);
    if (f.endsWith('.json')) JSON.parse(await readFile(join(state, f), 'utf8'));
  }
}

test('a full disk while writing state files: a clear message naming the file, no stack trace, last-run.json intact, the lock released', async (t) => {
  const dir = await tempDir(t);
  const { config, configPath } = await sources(dir, 2000, 1);
  const disk = await smallDisk(t);
  if (typeof disk === 'string' && process.getuid?.() === 0 && !process.env.CI) t.diagnostic(`no tmpfs (${disk}); simulating ENOSPC instead`);

  for (const [name, free, failing] of [['no byte left', 0, /lock/], ['room for the lock only', 4096, /report\.json/]] as const) {
    await t.test(name, async (st) => {
      const catalog = join(typeof disk === 'string' ? dir : disk.root, `cat-${free}`);
      const job = jobOf(dir, config, catalog, { end: DAYS[0]! });
      assert.equal((await runBuild(job)).ok, true);
      const lastRun = await readFile(join(catalog, STATE_DIR, 'last-run.json'), 'utf8');
      const data = await snapshot(join(catalog, 'data'));
      let message: string;
      if (typeof disk !== 'string') {
        await disk.fill(free);
        const r = runCli(cliArgs(configPath, catalog, ['--end', DAYS[0]!]));
        assert.equal(r.code, 1, r.stderr);
        assert.doesNotMatch(r.stderr, STACK, 'no stack trace');
        message = r.stderr + r.stdout;
        await rm(join(disk.root, 'filler'));
      } else {
        // The same disk-full seam as test/faults.test.ts: writes to the state files fail.
        fullDisk(st, free ? /report\.json/ : /\.catalog-builder\/(lock|runs|last-run)/, 0);
        try {
          const r = await runBuild(job);
          message = r.errors.join('\n');
        } catch (e) {
          message = (e as Error).message;
          assert.doesNotMatch((e as Error).stack ?? '', /ENOSPC: no space left on device, write\n/, 'a clear error, not the raw ENOSPC');
        }
      }
      assert.match(message, /no space left on the output disk/, message);
      assert.match(message, failing, `names the file: ${message}`);
      assert.equal(await readFile(join(catalog, STATE_DIR, 'last-run.json'), 'utf8'), lastRun, 'the previous last-run.json is intact');
      await assertStateWhole(catalog, name);
      await assertUnchanged(join(catalog, 'data'), data, name);
    });
  }
});

// ---- item 14: symbolic links inside the catalog ----------------------------------------------------

async function outsideFolder(dir: string, name: string): Promise<{ path: string; before: Map<string, Print> }> {
  const path = join(dir, name);
  await mkdir(join(path, 'sub'), { recursive: true });
  await writeFile(join(path, 'keep.txt'), 'not catalog-builder\'s');
  await writeFile(join(path, 'sub', 'old-run.parquet.tmp'), 'looks like a temp file, is not ours');
  return { path, before: await snapshot(path) };
}

test('symbolic links inside the catalog that lead out of it are refused by name; nothing outside is deleted or written', async (t) => {
  const dir = await tempDir(t);
  const { config, configPath } = await sources(dir, 2000, 2);
  const cases: [string, (catalog: string) => string][] = [
    ['.catalog-builder/tmp', (c) => join(c, STATE_DIR, 'tmp')],
    ['.catalog-builder', (c) => join(c, STATE_DIR)],
    ['data', (c) => join(c, 'data')],
    ['data/trade_tick/<instrument>', (c) => join(c, 'data', 'trade_tick', INSTRUMENT)],
  ];
  let k = 0;
  for (const [name, linkOf] of cases) {
    for (const via of ['job', 'CLI'] as const) {
      await t.test(`${name} -> outside, ${via}`, async () => {
        const catalog = join(dir, `cat-${k}`);
        const outside = await outsideFolder(dir, `outside-${k++}`);
        const job = jobOf(dir, config, catalog, { end: DAYS[1]! });
        // A catalog that already has a run (so the state folder and its tmp/ exist), then the link.
        assert.equal((await runBuild(job)).ok, true);
        const link = linkOf(catalog);
        await rm(link, { recursive: true, force: true });
        await mkdir(join(link, '..'), { recursive: true });
        await symlink(outside.path, link);
        let message: string;
        if (via === 'job') {
          message = await runBuild({ ...job, overwrite: true }).then((r) => (assert.equal(r.ok, false), r.errors.join('\n')), (e: Error) => e.message);
        } else {
          const r = runCli(cliArgs(configPath, catalog, ['--end', DAYS[1]!, '--overwrite']));
          assert.equal(r.code, 1, r.stderr);
          assert.doesNotMatch(r.stderr, STACK, 'no stack trace');
          message = r.stderr + r.stdout;
        }
        assert.ok(message.includes(link) && /symbolic link/.test(message), `names the link: ${message}`);
        await assertUnchanged(outside.path, outside.before, `${name} -> outside (${via})`);
      });
    }
  }
});

// ---- item 15: one job per catalog --------------------------------------------------------------------

const LOCKED = /another catalog-builder job \(job \S+, started \d{4}-\d\d-\d\dT[\d:.]+Z/;

test('two jobs in one process on a catalog and on a symbolic link to it: one is refused, the other writes every day', async (t) => {
  const dir = await tempDir(t);
  const { config } = await sources(dir, 40_000);
  const catalog = join(dir, 'catalog');
  const alias = join(dir, 'alias');
  await mkdir(catalog);
  await symlink(catalog, alias);
  const results = await Promise.allSettled([runBuild(jobOf(dir, config, catalog)), runBuild(jobOf(dir, config, alias))]);
  const ok = results.filter((r): r is PromiseFulfilledResult<RunReport> => r.status === 'fulfilled');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.equal(refused.length, 1, `one job refused: ${results.map((r) => (r.status === 'fulfilled' ? r.value.errors.join('; ') || 'ok' : r.reason)).join(' | ')}`);
  assert.match(String(refused[0]!.reason), LOCKED);
  assert.equal(ok[0]!.value.ok, true, ok[0]!.value.errors.join('\n'));
  assert.deepEqual(ok[0]!.value.days.map((d) => d.state), Array(10).fill('done'));
  // The refused job left no trace: one run folder, no temp files, no lock.
  assert.equal((await readdir(join(catalog, STATE_DIR, 'runs'))).length, 1);
  assert.deepEqual(await filesUnder(join(catalog, STATE_DIR, 'tmp')), []);
  assert.ok(!existsSync(join(catalog, STATE_DIR, 'lock')));
});

test('two server jobs (worker threads, one pid) on a catalog and its alias: one refused, the other completes every day', async (t) => {
  const dir = await tempDir(t);
  const inDir = join(dir, 'in');
  await mkdir(inDir);
  const { config } = await sources(inDir, 40_000);
  const svc = createService({ configDir: join(dir, 'config'), outputRoot: join(dir, 'out'), allow: [inDir] });
  t.after(() => svc.close());
  const catalog = join(dir, 'out', 'catalog');
  const alias = join(dir, 'out', 'alias');
  await mkdir(catalog, { recursive: true });
  await symlink(catalog, alias);
  const started = await Promise.allSettled([svc.startJob(jobOf(inDir, config, catalog)), svc.startJob(jobOf(inDir, config, alias))]);
  const infos = [];
  for (const s of started) {
    if (s.status === 'rejected') {
      infos.push({ state: 'refused', error: String(s.reason) });
      continue;
    }
    for (;;) {
      const info = await svc.job(s.value.jobId);
      if (info.state !== 'running') {
        infos.push(info);
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const done = infos.filter((i) => i.state === 'done');
  const refused = infos.filter((i) => i.state !== 'done');
  assert.equal(done.length, 1, JSON.stringify(infos.map((i) => [i.state, i.error])));
  assert.match(String(refused[0]!.error), /already writing|another catalog-builder job/);
  const report = (done[0] as { report: RunReport }).report;
  assert.deepEqual(report.days.map((d) => d.state), Array(10).fill('done'), report.errors.join('\n'));
  assert.deepEqual((await verifyCatalog(catalog)).errors, []);
});

test('CLI processes started together on one catalog: never both', async (t) => {
  const dir = await tempDir(t);
  const { configPath } = await sources(dir, 20_000, 3);
  // Both processes wait for the same moment before loading anything, so their starts are as close
  // as the scheduler allows.
  const barrier = 'data:text/javascript,const t=Number(process.env.CB_BARRIER);while(Date.now()<t);';
  const PAIRS = 8;
  const outcomes: string[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const catalog = join(dir, `cat-${p}`);
    const at = Date.now() + 600;
    const one = () => new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', barrier, ...cliArgs(configPath, catalog)], { cwd: ROOT, env: { ...process.env, CB_BARRIER: String(at) }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    const [a, b] = await Promise.all([one(), one()]);
    outcomes.push(`${a.code}/${b.code}`);
    const codes = [a.code, b.code].sort();
    assert.deepEqual(codes, [0, 1], `pair ${p}: exactly one ran (${a.stderr} | ${b.stderr})`);
    const loser = a.code === 1 ? a : b;
    assert.match(loser.stderr, LOCKED, loser.stderr);
    assert.doesNotMatch(loser.stderr, STACK);
    assert.deepEqual((await verifyCatalog(catalog)).errors, []);
  }
  t.diagnostic(`exit codes per pair: ${outcomes.join(', ')}`);
});

test('a stale lock is taken over (dead process, older version\'s pid or empty lock), a live one never', async (t) => {
  const dir = await tempDir(t);
  const { config } = await sources(dir, 2000, 1);
  const catalog = join(dir, 'catalog');
  const job = jobOf(dir, config, catalog, { end: DAYS[0]! });
  const lock = join(catalog, STATE_DIR, 'lock');
  await mkdir(join(catalog, STATE_DIR), { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  const host = hostname();
  const old = new Date(Date.now() - 60_000);
  for (const [name, text, mtime] of [
    ['a job whose process died', JSON.stringify({ jobId: 'gone', pid: deadPid, host, startedAt: '2024-01-01T00:00:00.000Z' }), null],
    ['an older version\'s pid lock', String(deadPid), null],
    ['an empty lock left by a full disk', '', old],
  ] as const) {
    await writeFile(lock, text);
    if (mtime) await utimes(lock, mtime, mtime);
    const r = await runBuild({ ...job, overwrite: true });
    assert.equal(r.ok, true, `${name}: ${r.errors.join('\n')}`);
    assert.ok(!existsSync(lock), `${name}: released`);
  }
  // A live process's lock (this machine, its pid alive): refused, naming the job, and left in place.
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  t.after(() => sleeper.kill());
  const live = JSON.stringify({ jobId: 'busy-job', pid: sleeper.pid, host, startedAt: '2024-05-05T05:05:05.000Z' });
  await writeFile(lock, live);
  await assert.rejects(runBuild(job), /another catalog-builder job \(job busy-job, started 2024-05-05T05:05:05.000Z/);
  assert.equal(await readFile(lock, 'utf8'), live, 'the live lock is left as it was');
});

test('a catalog written before the manifest: its own files are still recognised by its run reports', async (t) => {
  const dir = await tempDir(t);
  const { config } = await sources(dir, 2000, 2);
  const catalog = join(dir, 'catalog');
  const job = jobOf(dir, config, catalog, { end: DAYS[1]! });
  assert.equal((await runBuild(job)).ok, true);
  // The manifest is the one record of the files catalog-builder wrote: no second record beside it.
  assert.deepEqual((await readdir(join(catalog, STATE_DIR))).filter((f) => f === 'owned'), [], 'no owned/ folder');
  await rm(join(catalog, STATE_DIR, MANIFEST));
  const again = await runBuild({ ...job, overwrite: true, pricePrecision: 3 });
  assert.equal(again.ok, true, again.errors.join('\n'));
  assert.deepEqual(again.days.map((d) => d.state), Array(4).fill('done'));
  assert.equal((await readdir(join(catalog, 'data', 'crypto_perpetual', INSTRUMENT))).length, 1, 'the old instrument file (ours) was replaced');
});
