// Every row accounted for (issue 11, items 4, 5, 6, 11, 16): the timestamp unit is decided by most
// of a file's first values, every row read lands in exactly one bucket of the report, a run that
// lost rows exits non-zero and says why, impossible dates and bad mappings are refused by name.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { JobSpec } from '../../shared/job.js';
import type { RunReport } from '../../shared/report.js';
import { ROOT, assertBucketsAddUp, build, filesUnder, tempDir } from '../helpers.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');

/** A generic trades CSV: `first` (if any) then `n` valid rows with Unix ms timestamps. */
function msTrades(n: number, first?: string): string {
  const out = ['timestamp,price,size,trade_id'];
  if (first !== undefined) out.push(`${first},100.5,0.001,999999`);
  for (let i = 0; i < n; i++) out.push(`${T0 + 1000 + i * 1000},${100 + (i % 7)}.5,0.00${1 + (i % 9)},${i + 1}`);
  return out.join('\n') + '\n';
}

for (const first of ['0', '17040672', '1704067200.5']) {
  test(`an odd first timestamp (${first}) is that row's reject; the 100 ms rows after it are written`, async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'trades.csv'), msTrades(100, first));
    const r = await build(dir, { trades: { file_path: 'trades.csv' } });
    assert.equal(r.totals.read, 101);
    assert.equal(r.totals.written, 100, JSON.stringify(r.files[0]));
    assert.equal(r.totals.rejected, 1);
    assert.ok(r.files[0]!.notes.includes('timestamps: Unix ms'), r.files[0]!.notes.join('; '));
    // The one odd row is named once in a file note, not as the file's unit.
    assert.ok(r.files[0]!.notes.some((n) => /1 timestamp value\(s\) are in another unit than the file's Unix ms/.test(n)), r.files[0]!.notes.join('; '));
  });
}

test('rows in another unit than most of the file are rejected, with one file-level note', async (t) => {
  const dir = await tempDir(t);
  const lines = msTrades(60).trimEnd().split('\n');
  // 40 rows in seconds among 60 in ms: the ms majority decides; the s rows are rejects.
  for (let i = 0; i < 40; i++) lines.push(`${Math.floor(T0 / 1000) + 5000 + i},100.5,0.001,${1000 + i}`);
  await writeFile(join(dir, 'trades.csv'), lines.join('\n') + '\n');
  const r = await build(dir, { trades: { file_path: 'trades.csv' } }, { maxRejectRatio: 1 });
  assert.equal(r.totals.written, 60);
  assert.equal(r.totals.rejected, 40);
  const notes = r.files[0]!.notes.filter((n) => /another unit/.test(n));
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /^40 timestamp value\(s\) are in another unit than the file's Unix ms \(decided by 60 of the first 100 values\)/);
});


/** A generic trades CSV of `n` rows per day over `days` (Unix ms), ids unique across days. */
function tradesOver(days: string[], n: number): string {
  const out = ['timestamp,price,size,trade_id'];
  days.forEach((day, k) => {
    const t0 = Date.parse(`${day}T00:00:00Z`);
    for (let i = 0; i < n; i++) out.push(`${t0 + 1 + Math.floor((i * 86_000_000) / n)},${100 + (i % 7)}.5,0.00${1 + (i % 9)},${k * n + i + 1}`);
  });
  return out.join('\n') + '\n';
}

test('a re-run over days already written: their rows are counted as existing, per day and in total', async (t) => {
  const dir = await tempDir(t);
  // Enough rows that most of them take the CSV fast path.
  await writeFile(join(dir, 'trades.csv'), tradesOver(['2024-01-01', '2024-01-02'], 5000));
  const files = { trades: { file_path: 'trades.csv' } };
  const first = await build(dir, files, { end: '2024-01-01' });
  assert.equal(first.totals.written, 5000);
  assert.equal(first.totals.outOfRange, 5000);
  assertBucketsAddUp(first);
  const again = await build(dir, files, { end: '2024-01-02' });
  assert.deepEqual(again.days.map((d) => [d.day, d.state, d.read, d.written, d.existing]), [['2024-01-01', 'skipped', 5000, 0, 5000], ['2024-01-02', 'done', 5000, 5000, 0]]);
  assert.equal(again.totals.existing, 5000);
  assert.equal(again.ok, true);
  assertBucketsAddUp(again);
});

test('mark rows of a day already written are counted as existing', async (t) => {
  const dir = await tempDir(t);
  const rows = ['timestamp,mark_price'];
  for (let i = 0; i < 100; i++) rows.push(`${T0 + i * 1_440_000},${42000 + i}.5`);
  await writeFile(join(dir, 'mark.csv'), rows.join('\n') + '\n');
  await build(dir, { mark: { file_path: 'mark.csv' } }, { start: '2024-01-02', end: '2024-01-02' });
  // Days without a day to write are not read at all; with one, the existing day's rows are counted.
  const again = await build(dir, { mark: { file_path: 'mark.csv' } }, { end: '2024-01-02' });
  assert.deepEqual(again.days.map((d) => [d.state, d.read, d.written, d.existing]), [['done', 60, 60, 0], ['skipped', 40, 0, 40]]);
  assertBucketsAddUp(again);
});

test('a day failed by a truncated gzip counts its rows as discarded', async (t) => {
  const dir = await tempDir(t);
  const gz = gzipSync(tradesOver(['2024-01-01'], 40_000));
  await writeFile(join(dir, 'trades.csv.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
  const r = await build(dir, { trades: { file_path: 'trades.csv.gz' } });
  const d = r.days[0]!;
  assert.equal(d.state, 'failed');
  assert.ok(d.read > 0, JSON.stringify(d));
  assert.equal(d.discarded, d.read - d.duplicates - Object.values(d.rejected).reduce((a, b) => a + b, 0));
  assert.equal(r.totals.discarded, d.discarded);
  assert.equal(r.ok, false);
  assertBucketsAddUp(r);
});

test('a day refused up front (it overlaps a file in the catalog) counts its rows as discarded', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'trades.csv'), tradesOver(['2024-01-01', '2024-01-02'], 3000));
  const first = await build(dir, { trades: { file_path: 'trades.csv' } });
  assert.equal(first.totals.outOfRange, 3000);
  // The day's file, renamed to a range that overlaps the day without being its own file name.
  const f = first.days[0]!.file!;
  assert.match(f, /999999999Z\.parquet$/);
  await rename(f, f.replace(/999999999Z\.parquet$/, '999999998Z.parquet'));
  const r = await build(dir, { trades: { file_path: 'trades.csv' } }, { end: '2024-01-02' });
  assert.equal(r.days[0]!.state, 'failed', JSON.stringify(r.days[0]));
  assert.equal(r.days[0]!.discarded, 3000);
  assert.equal(r.days[1]!.written, 3000);
  assertBucketsAddUp(r);
});

const CLI = join(ROOT, 'bin', 'catalog-builder.mjs');

/** Runs the CLI's build on `dir`/config.json (written from `files`) with extra flags. */
function cli(dir: string, files: Record<string, unknown> | null, args: string[]): { code: number | null; stdout: string; stderr: string } {
  if (files) writeFileSync(join(dir, 'config.json'), JSON.stringify({ base_path: '.', files }));
  const r = spawnSync(process.execPath, [CLI, 'build', '--source', 'csv', '--symbol', 'BTCUSDT', '--output', join(dir, 'catalog'),
    '--config', join(dir, 'config.json'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const NO_STACK = /\n\s+at /;

test('CLI: a file with more rejects than accepted rows fails the run (exit 1, ok false, the reason); the ratio is the user\'s', async (t) => {
  const dir = await tempDir(t);
  const lines = msTrades(40).trimEnd().split('\n');
  for (let i = 0; i < 60; i++) lines.push(`${T0 + 90_000 + i},-1,0.001,${500 + i}`);
  await writeFile(join(dir, 'trades.csv'), lines.join('\n') + '\n');
  const files = { trades: { file_path: 'trades.csv' } };
  const r = cli(dir, files, ['--start', '2024-01-01', '--end', '2024-01-01', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as RunReport;
  assert.equal(report.ok, false);
  assert.equal(report.totals.written, 40);
  assert.ok(report.errors.some((e) => /trades\.csv: 60 of 100 rows rejected \(60\.0%\), more than the allowed 50% \(max reject ratio 0\.5\)/.test(e)), report.errors.join('\n'));
  // The user may allow it; and may allow none.
  const lenient = cli(dir, null, ['--start', '2024-01-01', '--end', '2024-01-01', '--json', '--overwrite', '--max-reject-ratio', '0.6']);
  assert.equal(lenient.code, 0, lenient.stdout);
  assert.equal((JSON.parse(lenient.stdout) as RunReport).ok, true);
  const strict = cli(dir, null, ['--start', '2024-01-01', '--end', '2024-01-01', '--overwrite', '--max-reject-ratio', '0']);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /60 of 100 rows rejected/);
  const bad = cli(dir, null, ['--start', '2024-01-01', '--end', '2024-01-01', '--max-reject-ratio', '1.5']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-reject-ratio must be a number from 0 to 1, got "1\.5"/);
});

test('CLI: a failed day exits 1 and the summary shows its discarded rows; rows add up in --json', async (t) => {
  const dir = await tempDir(t);
  const gz = gzipSync(tradesOver(['2024-01-01'], 20_000));
  await writeFile(join(dir, 'trades.csv.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
  const files = { trades: { file_path: 'trades.csv.gz' } };
  const r = cli(dir, files, ['--start', '2024-01-01', '--end', '2024-01-01', '--json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as RunReport;
  assert.equal(report.ok, false);
  assert.ok(report.totals.discarded > 0, JSON.stringify(report.totals));
  assertBucketsAddUp(report);
  const text = cli(dir, null, ['--start', '2024-01-01', '--end', '2024-01-01']);
  assert.equal(text.code, 1);
  assert.match(text.stdout, new RegExp(`discarded with a failed day ${report.totals.discarded.toLocaleString('en-US')}`));
});

const BAD_DATES: [string, string, string, RegExp][] = [
  ['2024-13-01', '2024-13-01', 'start', /"2024-13-01" is not a real date: there is no month 13/],
  ['2024-02-30', '2024-03-01', 'start', /"2024-02-30" is not a real date: 2024-02 has 29 days/],
  ['2023-02-29', '2023-03-01', 'start', /"2023-02-29" is not a real date: 2023-02 has 28 days/],
  ['2024-02-31', '2024-03-01', 'start', /"2024-02-31" is not a real date: 2024-02 has 29 days/],
  ['1969-12-31', '1970-01-01', 'start', /"1969-12-31" is before 1970-01-01/],
  ['0000-01-01', '2024-01-01', 'start', /"0000-01-01" is before 1970-01-01/],
  ['2024-01-01', '2024-1-2', 'end', /expected a date as YYYY-MM-DD, got "2024-1-2"/],
  ['2024-01-01', '2999-01-01', 'end', /"2999-01-01" is after 2262-04-10/],
  ['2024-01-02', '2024-01-01', 'end', /end 2024-01-01 is before start 2024-01-02/],
];

for (const [start, end, field, why] of BAD_DATES) {
  test(`CLI: --start ${start} --end ${end} is refused by name, nothing written, no stack trace`, async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'trades.csv'), msTrades(10));
    const r = cli(dir, { trades: { file_path: 'trades.csv' } }, ['--start', start, '--end', end]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, why);
    assert.match(r.stderr, new RegExp(`^catalog-builder: ${field}: `));
    assert.doesNotMatch(r.stderr, NO_STACK);
    assert.deepEqual(await filesUnder(join(dir, 'catalog')), []);
    const j = cli(dir, null, ['--start', start, '--end', end, '--json']);
    assert.equal(j.code, 2);
    const out = JSON.parse(j.stdout) as { ok: boolean; error: string };
    assert.equal(out.ok, false);
    assert.match(out.error, why);
  });
}

test('the job spec refuses impossible dates for every caller (app, browser mode, CLI)', () => {
  const base = { source: 'csv', symbol: 'BTCUSDT', output: '/tmp/x', dataTypes: ['trades'], config: {} } as const;
  for (const [start, end, field, why] of BAD_DATES) {
    const r = JobSpec.safeParse({ ...base, start, end });
    assert.equal(r.success, false, `${start}..${end}`);
    assert.ok(r.error!.issues.some((i) => i.path.join('.') === field && why.test(i.message)), JSON.stringify(r.error!.issues));
  }
  for (const [start, end] of [['1970-01-01', '1970-01-01'], ['2024-02-29', '2024-02-29'], ['2000-02-29', '2262-04-10']]) {
    assert.equal(JobSpec.safeParse({ ...base, start, end }).success, true, `${start}..${end}`);
  }
});

test('CLI: a refusal before any work (output is a file) is one line, or JSON under --json; no stack trace', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'trades.csv'), msTrades(10));
  await writeFile(join(dir, 'catalog'), 'not a folder');
  const r = cli(dir, { trades: { file_path: 'trades.csv' } }, ['--start', '2024-01-01', '--end', '2024-01-01']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^catalog-builder: cannot write to the output folder .*catalog/);
  assert.doesNotMatch(r.stderr, NO_STACK);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  const j = cli(dir, null, ['--start', '2024-01-01', '--end', '2024-01-01', '--json']);
  assert.equal(j.code, 1);
  assert.doesNotMatch(j.stderr, NO_STACK);
  const out = JSON.parse(j.stdout) as { ok: boolean; error: string };
  assert.equal(out.ok, false);
  assert.match(out.error, /cannot write to the output folder/);
});

test('CLI: a job refused before its instrument is known does not print a made-up one', async (t) => {
  const dir = await tempDir(t);
  // Headerless bars: no bar type can be told before the columns are mapped.
  await writeFile(join(dir, 'bars.csv'), '1704067200,42000.0,42016.9,41948.1,41963.4,13.5,263\n1704070800,41963.4,41998.9,41955.8,41989.5,11.2,259\n');
  const r = cli(dir, { bars: { file_path: 'bars.csv' } }, ['--start', '2024-01-01', '--end', '2024-01-01', '--data-types', 'bars']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bars: cannot tell the bar type: .*bars\.csv: no column for timestamp, open, high, low, close, volume/);
  assert.doesNotMatch(r.stdout, /Instrument\s+:|precision -1/, r.stdout);
  assert.match(r.stdout, /Instrument: not decided \(the job stopped before it\)/);
});

test('CLI: a bad flag under --json is JSON too', async (t) => {
  const dir = await tempDir(t);
  const r = cli(dir, { trades: { file_path: 'trades.csv' } }, ['--start', '2024-01-01', '--end', '2024-01-01', '--json', '--no-such-flag']);
  assert.equal(r.code, 2);
  const out = JSON.parse(r.stdout) as { ok: boolean; error: string };
  assert.equal(out.ok, false);
  assert.match(out.error, /no-such-flag/);
});

// A symbol without a preset: its precision is inferred from the data, so a file that cannot be
// read used to surface only as "no valid trades rows … to infer the precision".
const NO_PRESET = { symbol: 'ZZQQUSDT' };

test('without a preset symbol, the real reason a file cannot be read comes first', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'folder.csv'));
  spawnSync('mkfifo', [join(dir, 'pipe.csv')]);
  await writeFile(join(dir, 'nocol.csv'), 'timestamp,price,how_much,trade_id\n1704067201000,100.5,0.001,1\n');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ trades: { file_path: 'folder.csv' } }, /^trades: .*folder\.csv: not a regular file; so there are no valid trades rows/],
    [{ trades: { file_path: 'pipe.csv' } }, /^trades: .*pipe\.csv: not a regular file; so there are no valid trades rows/],
    [{ trades: { file_path: 'nocol.csv' } }, /^trades: .*nocol\.csv: nocol\.csv: no column for size/],
  ];
  for (const [files, why] of cases) {
    const r = await build(dir, files, NO_PRESET);
    assert.equal(r.ok, false);
    assert.match(r.errors[0]!, why, r.errors.join('\n'));
  }
  // base_path pointing at a folder that does not exist: the missing file is named.
  await writeFile(join(dir, 'trades.csv'), msTrades(5));
  const r = await build(dir, {}, { ...NO_PRESET, dataTypes: ['trades'], config: { base_path: 'nowhere', files: { trades: { file_path: 'trades.csv' } } } });
  assert.match(r.errors[0]!, /^trades: .*nowhere\/trades\.csv: file not found; so there are no valid trades rows/, r.errors.join('\n'));
});

test('two fields mapped to one column are refused by name (job spec and column plan)', async (t) => {
  const base = { source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: '/tmp/x', dataTypes: ['trades'] } as const;
  const same = JobSpec.safeParse({ ...base, config: { files: { trades: { file_path: 'a.csv', columns: { timestamp: 'ts', price: 'p', size: 'P' } } } } });
  assert.equal(same.success, false);
  assert.match(same.error!.issues[0]!.message, /price and size are both mapped to column "P"; each field needs its own column/);
  assert.deepEqual(same.error!.issues[0]!.path, ['config', 'files', 'trades', 'columns', 'size']);
  // local_timestamp on the timestamp's column is what no local_timestamp means: allowed.
  assert.equal(JobSpec.safeParse({ ...base, config: { files: { trades: { file_path: 'a.csv', columns: { timestamp: 'ts', local_timestamp: 'ts', price: 'p', size: 'q' } } } } }).success, true);
  // By name and by index, the same column: the plan refuses it with the file named.
  const dir = await tempDir(t);
  await writeFile(join(dir, 'trades.csv'), 'ts,p,q\n1704067201000,100.5,0.001\n');
  const r = await build(dir, { trades: { file_path: 'trades.csv', columns: { timestamp: 'ts', price: 'p', size: '1' } } });
  assert.equal(r.ok, false);
  assert.match(r.errors[0]!, /trades\.csv: price and size are both mapped to column "p"; each field needs its own column/, r.errors.join('\n'));
  assert.equal(r.totals.written, 0);
});
