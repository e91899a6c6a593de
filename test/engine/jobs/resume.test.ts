// Re-running jobs on an existing catalog: skip, fill gaps, overwrite atomically, refuse clashes and
// mixed widths; the run report stays outside data/; spilling to disk changes nothing in the output.
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { once } from 'node:events';
import { createGunzip, createGzip } from 'node:zlib';
import type { RunReport } from '../../../shared/report.js';
import { STATE_DIR } from '../../../engine/jobs/build.js';
import { dayInterval, fileName } from '../../../engine/catalog/paths.js';
import { verifyCatalog } from '../../../engine/catalog/verify.js';
import { genTardisTicker, genTardisTrades, rng } from '../../../scripts/gen-data.js';
import { build, readRows, tempDir } from '../../helpers.js';

const INSTRUMENT = 'BTCUSDT-PERP.BINANCE';
const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03'];
const JOB = { start: DAYS[0], end: DAYS.at(-1) };
const dayFile = (day: string) => fileName(dayInterval(day).start, dayInterval(day).end);

async function sources(dir: string, rows = 6000): Promise<Record<string, unknown>> {
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows, start: '2024-01-01', days: 3, seed: 21 });
  await genTardisTicker({ path: join(dir, 'ticker.csv'), start: '2024-01-01', days: 3, everySec: 600, seed: 4 });
  return { trades: { file_path: 'trades.csv.gz' }, mark: { file_path: 'ticker.csv' }, funding: { file_path: 'ticker.csv' } };
}

/** Every file under `root`, relative, with '/' separators. */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const go = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await go(p);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  };
  await go(root);
  return out.sort();
}

interface Snap { bytes: Buffer; mtimeMs: number; ino: number }

async function snapshot(catalog: string): Promise<Map<string, Snap>> {
  const m = new Map<string, Snap>();
  for (const f of (await walk(join(catalog, 'data')))) {
    const p = join(catalog, 'data', f);
    const st = await stat(p);
    m.set(f, { bytes: await readFile(p), mtimeMs: st.mtimeMs, ino: st.ino });
  }
  return m;
}

/** A finished run leaves no temporary file: data/ holds only .parquet, the state folder no tmp/run/lock. */
async function assertClean(catalog: string): Promise<void> {
  for (const f of await walk(join(catalog, 'data'))) assert.match(f, /\.parquet$/, `unexpected file in data/: ${f}`);
  for (const f of await walk(join(catalog, 'data'))) assert.doesNotMatch(f, /\.tmp|\.run$/, f);
  const state = await walk(join(catalog, STATE_DIR));
  for (const f of state) {
    assert.doesNotMatch(f, /\.tmp$|\.run$/, `leftover in ${STATE_DIR}: ${f}`);
    assert.ok(!f.startsWith('tmp/'), `leftover in ${STATE_DIR}: ${f}`);
    assert.notEqual(f, 'lock', 'the lock is released');
  }
}

function daysOf(r: RunReport, type?: string) {
  return r.days.filter((d) => !type || d.dataType === type);
}

test('re-running without overwrite skips written days and leaves their files untouched', async (t) => {
  const dir = await tempDir(t);
  const files = await sources(dir);
  const first = await build(dir, files, JOB);
  assert.equal(first.ok, true, first.errors.join('\n'));
  assert.deepEqual(daysOf(first).map((d) => d.state), Array(9).fill('done'));
  const catalog = join(dir, 'catalog');
  const before = await snapshot(catalog);
  assert.equal(before.size, 10, [...before.keys()].join('\n')); // 3 types x 3 days + instrument

  const again = await build(dir, files, JOB);
  assert.equal(again.ok, true, again.errors.join('\n'));
  assert.deepEqual(daysOf(again).map((d) => `${d.dataType} ${d.day} ${d.state} ${d.written}`),
    daysOf(first).map((d) => `${d.dataType} ${d.day} skipped 0`));
  assert.equal(again.totals.skippedDays, 9);
  assert.equal(again.totals.written, 0);
  const after = await snapshot(catalog);
  assert.deepEqual([...after.keys()], [...before.keys()]);
  for (const [f, s] of before) {
    const a = after.get(f)!;
    assert.equal(a.mtimeMs, s.mtimeMs, `${f} was touched`);
    assert.equal(a.ino, s.ino, `${f} was replaced`);
    assert.ok(a.bytes.equals(s.bytes), `${f} changed`);
  }
  await assertClean(catalog);
});

test('a deleted day file is written again, and only that day', async (t) => {
  const dir = await tempDir(t);
  const files = await sources(dir);
  const first = await build(dir, files, JOB);
  assert.equal(first.ok, true, first.errors.join('\n'));
  const catalog = join(dir, 'catalog');
  const gone = join('trade_tick', INSTRUMENT, dayFile('2024-01-02'));
  const rowsBefore = await readRows(join(catalog, 'data', gone));
  const before = await snapshot(catalog);
  await rm(join(catalog, 'data', gone));

  const again = await build(dir, files, JOB);
  assert.equal(again.ok, true, again.errors.join('\n'));
  for (const d of daysOf(again)) {
    const missing = d.dataType === 'trades' && d.day === '2024-01-02';
    assert.equal(d.state, missing ? 'done' : 'skipped', `${d.dataType} ${d.day}`);
    if (missing) assert.equal(d.written, rowsBefore.length);
  }
  const after = await snapshot(catalog);
  assert.deepEqual([...after.keys()], [...before.keys()]);
  for (const [f, s] of before) {
    if (f === gone) continue;
    assert.equal(after.get(f)!.mtimeMs, s.mtimeMs, `${f} was touched`);
    assert.ok(after.get(f)!.bytes.equals(s.bytes), `${f} changed`);
  }
  assert.deepEqual(await readRows(join(catalog, 'data', gone)), rowsBefore);
  await assertClean(catalog);
});

test('overwrite rewrites the days as new files with the same rows; no temporary file remains; the report stays outside data/', async (t) => {
  const dir = await tempDir(t);
  const files = await sources(dir);
  const first = await build(dir, files, JOB);
  assert.equal(first.ok, true, first.errors.join('\n'));
  const catalog = join(dir, 'catalog');
  const before = await snapshot(catalog);
  const rowsBefore = new Map<string, unknown[]>();
  for (const f of before.keys()) rowsBefore.set(f, await readRows(join(catalog, 'data', f)));

  const again = await build(dir, files, { ...JOB, overwrite: true });
  assert.equal(again.ok, true, again.errors.join('\n'));
  assert.deepEqual(daysOf(again).map((d) => `${d.dataType} ${d.day} ${d.state} ${d.written}`),
    daysOf(first).map((d) => `${d.dataType} ${d.day} done ${d.written}`));
  const after = await snapshot(catalog);
  assert.deepEqual([...after.keys()], [...before.keys()]);
  for (const [f, s] of before) {
    const a = after.get(f)!;
    assert.notEqual(a.ino, s.ino, `${f} is a new file (written aside, renamed into place)`);
    assert.ok(a.mtimeMs >= s.mtimeMs, f);
    assert.deepEqual(await readRows(join(catalog, 'data', f)), rowsBefore.get(f), `${f}: same rows`);
  }
  await assertClean(catalog);
  assert.equal((await verifyCatalog(catalog)).ok, true);

  // Reports of both runs: <output>/.catalog-builder/runs/<id>/report.json, never under data/.
  for (const r of [first, again]) {
    const path = join(catalog, STATE_DIR, 'runs', r.runId, 'report.json');
    const saved = JSON.parse(await readFile(path, 'utf8')) as RunReport;
    assert.equal(saved.runId, r.runId);
    assert.deepEqual(saved.days, JSON.parse(JSON.stringify(r.days)));
  }
  assert.notEqual(first.runId, again.runId);
  const last = JSON.parse(await readFile(join(catalog, STATE_DIR, 'last-run.json'), 'utf8')) as { runId: string; report: string };
  assert.equal(last.runId, again.runId);
  assert.equal(last.report, join(catalog, STATE_DIR, 'runs', again.runId, 'report.json'));
  for (const f of await walk(join(catalog, 'data'))) assert.doesNotMatch(f, /report|\.json/, f);
});

test('an existing file overlapping a day under another name fails that day, naming the file, and writes nothing for it', async (t) => {
  const dir = await tempDir(t);
  const files = await sources(dir);
  // A valid trade file from another run, placed under a half-day name that overlaps day 2.
  const side = await build(dir, { trades: files.trades }, { start: '2024-01-02', end: '2024-01-02', output: join(dir, 'side') });
  assert.equal(side.ok, true, side.errors.join('\n'));
  const catalog = join(dir, 'catalog');
  const folder = join(catalog, 'data', 'trade_tick', INSTRUMENT);
  const clash = fileName(dayInterval('2024-01-02').start, dayInterval('2024-01-02').start + 12n * 3600n * 1_000_000_000n);
  await mkdir(folder, { recursive: true });
  await copyFile(side.days[0]!.file!, join(folder, clash));
  const clashBytes = await readFile(join(folder, clash));

  const r = await build(dir, files, JOB);
  assert.equal(r.ok, false);
  for (const d of daysOf(r)) {
    const hit = d.dataType === 'trades' && d.day === '2024-01-02';
    assert.equal(d.state, hit ? 'failed' : 'done', `${d.dataType} ${d.day}: ${d.error ?? ''}`);
    if (hit) {
      assert.ok(d.error?.includes(clash), `the error names the clashing file: ${d.error}`);
      assert.match(d.error!, /overlaps/);
      assert.equal(d.written, 0);
      assert.equal(d.file, undefined);
    }
  }
  assert.ok(r.errors.some((e) => e.includes('2024-01-02') && e.includes(clash)), r.errors.join('\n'));
  assert.deepEqual((await readdir(folder)).sort(), [clash, dayFile('2024-01-01'), dayFile('2024-01-03')].sort());
  assert.ok((await readFile(join(folder, clash))).equals(clashBytes), 'the clashing file is left as it was');
  await assertClean(catalog);
});

test('a folder holding 64-bit files refuses a 128-bit job for that type; other types are written', async (t) => {
  const dir = await tempDir(t);
  const files = await sources(dir);
  const r64 = await build(dir, { trades: files.trades }, { start: '2024-01-01', end: '2024-01-01', precisionMode: 64 });
  assert.equal(r64.ok, true, r64.errors.join('\n'));
  const catalog = join(dir, 'catalog');
  const folder = join(catalog, 'data', 'trade_tick', INSTRUMENT);
  const before = await snapshot(catalog);

  const r = await build(dir, { trades: files.trades, mark: files.mark }, { ...JOB, precisionMode: 128 });
  assert.equal(r.ok, false);
  const err = r.errors.find((e) => e.startsWith('trades:'));
  assert.ok(err, r.errors.join('\n'));
  assert.match(err, /64-bit files/);
  assert.match(err, /128-bit/);
  assert.ok(err.includes(dayFile('2024-01-01')), `the error names the existing file: ${err}`);
  for (const d of daysOf(r, 'trades')) {
    assert.equal(d.state, 'failed', d.day);
    assert.equal(d.written, 0, d.day);
  }
  for (const d of daysOf(r, 'mark')) assert.equal(d.state, 'done', `mark ${d.day}: ${d.error ?? ''}`);
  assert.deepEqual(await readdir(folder), [dayFile('2024-01-01')], 'nothing was added to the 64-bit folder');
  assert.ok((await readFile(join(folder, dayFile('2024-01-01')))).equals(before.get(`trade_tick/${INSTRUMENT}/${dayFile('2024-01-01')}`)!.bytes));
  await assertClean(catalog);
});

/** Copies a (gzipped) CSV with its data lines in a seeded random order. */
async function shuffleCsv(src: string, dest: string, seed: number): Promise<number> {
  const lines: string[] = [];
  const rl = createInterface({ input: createReadStream(src).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const l of rl) if (l) lines.push(l);
  const [header, ...rows] = lines;
  const r = rng(seed);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const gz = createGzip();
  const out = createWriteStream(dest);
  gz.pipe(out);
  gz.end([header, ...rows].join('\n') + '\n');
  await once(out, 'close');
  return rows.length;
}

test('a tiny buffer budget spills to disk and still writes sorted rows identical to a normal build', async (t) => {
  const dir = await tempDir(t);
  const files = await sources(dir, 40_000);
  const n = await shuffleCsv(join(dir, 'trades.csv.gz'), join(dir, 'shuffled.csv.gz'), 99);
  assert.equal(n, 40_000);
  const trades = { trades: { file_path: 'shuffled.csv.gz' } };

  // Sorted runs spilled to the job's temporary folder show the small budget really spilled.
  const runsSeen = (output: string) => {
    const seen = new Set<string>();
    const onProgress = () => {
      const tmp = join(output, STATE_DIR, 'tmp');
      for (const run of existsSync(tmp) ? readdirSync(tmp) : []) {
        for (const f of existsSync(join(tmp, run)) ? readdirSync(join(tmp, run)) : []) if (f.endsWith('.run')) seen.add(f);
      }
    };
    return { seen, onProgress };
  };
  const normalSpy = runsSeen(join(dir, 'normal'));
  const normal = await build(dir, trades, { ...JOB, output: join(dir, 'normal') }, { onProgress: normalSpy.onProgress });
  assert.equal(normal.ok, true, normal.errors.join('\n'));
  assert.equal(normalSpy.seen.size, 0, 'the default budget holds this data in memory');
  const spilledSpy = runsSeen(join(dir, 'spilled'));
  const spilled = await build(dir, trades, { ...JOB, output: join(dir, 'spilled') }, { bufferBudget: 1, onProgress: spilledSpy.onProgress });
  assert.equal(spilled.ok, true, spilled.errors.join('\n'));
  assert.ok(spilledSpy.seen.size > DAYS.length, `expected several spilled runs per day, saw ${[...spilledSpy.seen].join(', ')}`);
  const sorted = await build(dir, { trades: files.trades }, { ...JOB, output: join(dir, 'sorted') });
  assert.equal(sorted.ok, true, sorted.errors.join('\n'));

  const key = (r: Record<string, unknown>) => `${r.ts_init}|${r.trade_id}`;
  let total = 0;
  for (const day of DAYS) {
    const rel = join('data', 'trade_tick', INSTRUMENT, dayFile(day));
    const a = await readRows(join(dir, 'spilled', rel));
    const b = await readRows(join(dir, 'normal', rel));
    const c = await readRows(join(dir, 'sorted', rel));
    assert.ok(a.length > 0, day);
    for (let i = 1; i < a.length; i++) assert.ok((a[i - 1]!.ts_init as bigint) <= (a[i]!.ts_init as bigint), `${day}: row ${i} out of order`);
    assert.deepEqual(a, b, `${day}: spilled and in-memory builds differ`);
    // Against the build of the unshuffled input: the same rows (equal ts_init may come in another order).
    const bySortKey = (rows: Record<string, unknown>[]) => [...rows].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
    assert.deepEqual(bySortKey(a), bySortKey(c), `${day}: rows differ from the unshuffled build`);
    total += a.length;
  }
  assert.equal(total, 40_000);
  await assertClean(join(dir, 'spilled'));
});
