// Rejected rows, duplicates, out-of-range rows and failing files: every row ends in exactly one
// bucket, every reject is in the rejects file with its line, and one bad file never hides the rest.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { DataType, JobSpecInput } from '../../../shared/job.js';
import type { RunReport } from '../../../shared/report.js';
import type { Reject } from '../../../engine/normalize/rejects.js';
import { build, readRows, tempDir } from '../../helpers.js';

const T0 = 1704067200000; // 2024-01-01T00:00:00Z in ms
const DAY_MS = 86_400_000;

async function write(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
}

async function rejectsOf(report: RunReport): Promise<Reject[]> {
  if (!report.rejectsFile) return [];
  return (await readFile(report.rejectsFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Reject);
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** Every row read is in exactly one bucket: per day, per file and over the whole run. */
function assertBalanced(report: RunReport): void {
  const t = report.totals;
  const skipped = report.days.reduce((a, d) => a + d.skipped, 0);
  assert.equal(t.read, report.files.reduce((a, f) => a + f.rows, 0));
  assert.equal(t.read, t.written + t.duplicates + skipped + t.rejected + t.outOfRange,
    `read ${t.read} != written ${t.written} + duplicates ${t.duplicates} + skipped ${skipped} + rejected ${t.rejected} + outOfRange ${t.outOfRange}`);
  for (const d of report.days) {
    if (d.state !== 'done') continue;
    assert.equal(d.read, d.written + d.duplicates + d.skipped + sum(d.rejected), `${d.dataType} ${d.day}: ${JSON.stringify(d)}`);
  }
  // Rows that reached a day = rows read - rows rejected before they had a day - rows out of range.
  const placed = report.days.reduce((a, d) => a + d.read, 0);
  const unplaced = t.rejected - report.days.reduce((a, d) => a + sum(d.rejected), 0);
  assert.equal(placed, t.read - t.outOfRange - unplaced);
}

interface Case {
  name: string;
  type?: DataType;
  header: string;
  good: string[];
  bad: string;
  /** expected reject: field, reason (exact), value */
  field: string;
  reason: string;
  value: string;
  /** false when the row has no usable ts_init, so no day can count it */
  onDay?: boolean;
  job?: Partial<JobSpecInput>;
  /** columns of the good rows written (compared as [ts_init, trade_id] for trades, ts_init otherwise) */
  written?: unknown[];
}

const GEN = 'time,price,volume,side,id';
const g = (k: number, price = '42000.1', size = '0.5', side = 'buy', id = `id${k}`) => `${T0 + k * 1000},${price},${size},${side},${id}`;
const G = [g(1), g(3)];
const ID36 = 'x'.repeat(36);

const CASES: Case[] = [
  { name: 'price 0', header: GEN, good: G, bad: g(2, '0'), field: 'price', reason: 'must be > 0', value: '0' },
  { name: 'negative price', header: GEN, good: G, bad: g(2, '-42000.1'), field: 'price', reason: 'must be > 0', value: '-42000.1' },
  { name: 'size 0', header: GEN, good: G, bad: g(2, '42000.1', '0.000'), field: 'size', reason: 'must be > 0', value: '0.000' },
  { name: 'negative size', header: GEN, good: G, bad: g(2, '42000.1', '-1'), field: 'size', reason: 'must be > 0', value: '-1' },
  { name: 'unparseable price', header: GEN, good: G, bad: g(2, '42k'), field: 'price', reason: 'not a decimal number', value: '42k' },
  { name: 'unparseable size', header: GEN, good: G, bad: g(2, '42000.1', '1.2.3'), field: 'size', reason: 'not a decimal number', value: '1.2.3' },
  { name: 'empty price', header: GEN, good: G, bad: g(2, ''), field: 'price', reason: 'not a decimal number', value: '' },
  {
    name: 'unparseable timestamp', header: GEN, good: G, bad: 'yesterday,42000.1,0.5,buy,id2',
    field: 'timestamp', reason: 'not a number (file timestamps are Unix ms)', value: 'yesterday', onDay: false,
  },
  {
    name: 'timestamp in another unit than the file (s in a ms file)', header: GEN, good: G, bad: `${(T0 + 2000) / 1000},42000.1,0.5,buy,id2`,
    field: 'timestamp', reason: "looks like Unix s, but the file's timestamps are Unix ms", value: String((T0 + 2000) / 1000), onDay: false,
  },
  {
    name: 'ISO timestamp in a Unix file', header: GEN, good: G, bad: '2024-01-01T00:00:02Z,42000.1,0.5,buy,id2',
    field: 'timestamp', reason: 'not a number (file timestamps are Unix ms)', value: '2024-01-01T00:00:02Z', onDay: false,
  },
  {
    name: 'impossible ISO date', header: GEN, good: ['2024-01-01T00:00:01Z,42000.1,0.5,buy,id1', '2024-01-01T00:00:03Z,42000.1,0.5,buy,id3'],
    bad: '2024-02-30T00:00:02Z,42000.1,0.5,buy,id2', field: 'timestamp', reason: 'not a valid date', value: '2024-02-30T00:00:02Z', onDay: false,
  },
  {
    name: 'price with more decimals than the instrument precision', header: GEN, good: G, bad: g(2, '42000.123'),
    field: 'price', reason: "has 3 decimals, more than the instrument's price precision 2", value: '42000.123',
  },
  {
    name: 'size with more decimals than the instrument precision', header: GEN, good: G, bad: g(2, '42000.1', '0.0005'),
    field: 'size', reason: "has 4 decimals, more than the instrument's size precision 3", value: '0.0005',
  },
  {
    name: 'trade_id longer than 36 characters', header: GEN, good: [g(1, undefined, undefined, undefined, ID36), g(3)], bad: g(2, undefined, undefined, undefined, ID36 + 'y'),
    field: 'trade_id', reason: 'must be 1 to 36 printable ASCII characters', value: ID36 + 'y',
    written: [[BigInt(T0 + 1000) * 1_000_000n, ID36], [BigInt(T0 + 3000) * 1_000_000n, 'id3']],
  },
  {
    name: 'trade_id with a non-ASCII character', header: GEN, good: G, bad: g(2, undefined, undefined, undefined, 'idé'),
    field: 'trade_id', reason: 'must be 1 to 36 printable ASCII characters', value: 'idé',
  },
  { name: 'unknown aggressor side', header: GEN, good: G, bad: g(2, undefined, undefined, 'long'), field: 'aggressor_side', reason: '"long" is not a side (expected buy or sell): map it to buyer or seller in the file\'s side values (side_values)', value: 'long' },
  {
    name: 'unknown is_buyer_maker value', header: 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker',
    good: [`1,42000.1,0.5,1,1,${T0 + 1000},true`, `3,42000.1,0.5,3,3,${T0 + 3000},false`], bad: `2,42000.1,0.5,2,2,${T0 + 2000},maybe`,
    field: 'aggressor_side', reason: '"maybe" is not a buyer-is-maker flag (expected true or false): map it to buyer or seller in the file\'s side values (side_values)', value: 'maybe',
    written: [[BigInt(T0 + 1000) * 1_000_000n, '1'], [BigInt(T0 + 3000) * 1_000_000n, '3']],
  },
  {
    name: 'a row with too few columns', header: GEN, good: G, bad: `${T0 + 2000},42000.1`,
    field: 'row', reason: 'has 2 columns, expected 5', value: `${T0 + 2000},42000.1`, onDay: false,
  },
  {
    name: 'unparseable local_timestamp (Tardis)', header: 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount',
    good: [`binance-futures,BTCUSDT,${(T0 + 1000) * 1000},${(T0 + 1100) * 1000},1,buy,42000.1,0.5`, `binance-futures,BTCUSDT,${(T0 + 3000) * 1000},${(T0 + 3100) * 1000},3,sell,42000.1,0.5`],
    bad: `binance-futures,BTCUSDT,${(T0 + 2000) * 1000},soon,2,buy,42000.1,0.5`, field: 'local_timestamp', reason: 'not a number', value: 'soon',
    written: [[BigInt(T0 + 1100) * 1_000_000n, '1'], [BigInt(T0 + 3100) * 1_000_000n, '3']],
  },
  ...['0', '-8', '1.5', 'eight'].map((v): Case => ({
    name: `funding_interval ${JSON.stringify(v)}`, type: 'funding', header: 'calc_time,funding_interval_hours,last_funding_rate',
    good: [`${T0},8,0.0001`, `${T0 + 16 * 3600000},8,0.0001`], bad: `${T0 + 8 * 3600000},${v},0.0001`,
    field: 'funding_interval', reason: 'expected a positive whole number', value: v,
    written: [BigInt(T0) * 1_000_000n, BigInt(T0 + 16 * 3600000) * 1_000_000n],
  })),
  {
    name: 'unparseable funding rate', type: 'funding', header: 'calc_time,funding_interval_hours,last_funding_rate',
    good: [`${T0},8,0.0001`, `${T0 + 16 * 3600000},8,0.0001`], bad: `${T0 + 8 * 3600000},8,0.01%`,
    field: 'funding_rate', reason: 'not a decimal number', value: '0.01%',
    written: [BigInt(T0) * 1_000_000n, BigInt(T0 + 16 * 3600000) * 1_000_000n],
  },
  {
    name: 'unparseable funding_timestamp (Tardis derivative_ticker)', type: 'funding',
    header: 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price',
    good: [`binance-futures,BTCUSDT,${(T0 + 1000) * 1000},${(T0 + 1000) * 1000},1704096000000000,0.0001,,,,,`, `binance-futures,BTCUSDT,${(T0 + 3000) * 1000},${(T0 + 3000) * 1000},1704096000000000,0.0002,,,,,`],
    bad: `binance-futures,BTCUSDT,${(T0 + 2000) * 1000},${(T0 + 2000) * 1000},later,0.0003,,,,,`,
    field: 'next_funding_time', reason: 'not a number', value: 'later',
    written: [BigInt(T0 + 1000) * 1_000_000n, BigInt(T0 + 3000) * 1_000_000n],
  },
  {
    name: 'mark price ≤ 0', type: 'mark', header: 'time,mark_price',
    good: [`${T0 + 1000},42000.1`, `${T0 + 3000},42000.2`], bad: `${T0 + 2000},-1`,
    field: 'mark_price', reason: 'must be > 0', value: '-1',
    written: [BigInt(T0 + 1000) * 1_000_000n, BigInt(T0 + 3000) * 1_000_000n],
  },
];

for (const c of CASES) {
  test(`reject: ${c.name}`, async (t) => {
    const dir = await tempDir(t);
    const type = c.type ?? 'trades';
    // A blank line before the bad row: line numbers count every physical line, header included.
    const body = [c.header, c.good[0], '', c.bad, c.good[1]].join('\n') + '\n';
    await write(dir, { 'in.csv': body });
    const report = await build(dir, { [type]: { file_path: 'in.csv' } }, c.job ?? {});
    assert.equal(report.ok, true, report.errors.join('\n'));
    const rejects = await rejectsOf(report);
    assert.deepEqual(rejects, [{ dataType: type, file: join(dir, 'in.csv'), line: 4, field: c.field, reason: c.reason, value: c.value }]);
    const f = report.files[0]!;
    assert.deepEqual([f.rows, f.rejected, f.outOfRange, f.error], [3, 1, 0, undefined]);
    const day = report.days[0]!;
    assert.equal(day.state, 'done');
    assert.deepEqual(day.rejected, c.onDay === false ? {} : { [`${c.field}: ${c.reason}`]: 1 });
    assert.equal(day.written, 2);
    assert.equal(report.totals.rejected, 1);
    assertBalanced(report);
    const rows = await readRows(day.file!);
    const got = type === 'trades' ? rows.map((r) => [r.ts_init, r.trade_id]) : rows.map((r) => r.ts_init);
    assert.deepEqual(got, c.written ?? [[BigInt(T0 + 1000) * 1_000_000n, c.good[0]!.split(',')[4]], [BigInt(T0 + 3000) * 1_000_000n, 'id3']]);
  });
}

test('several rejects in one file: each on its own line, counted by reason on its day', async (t) => {
  const dir = await tempDir(t);
  await write(dir, {
    'in.csv': [GEN, g(1), g(2, '0'), g(3, '-1'), g(4, '42000.1', '0'), g(5, '42000.123'), g(6), 'bad,42000.1,0.5,buy,id7', g(8, undefined, undefined, 'x'), g(9)].join('\n'),
  });
  // 6 of 9 rows rejected: above the default max reject ratio (0.5); allowed here, this test is about the rejects.
  const report = await build(dir, { trades: { file_path: 'in.csv' } }, { maxRejectRatio: 1 });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const rejects = await rejectsOf(report);
  assert.deepEqual(rejects.map((r) => [r.line, r.field, r.value]), [
    [3, 'price', '0'], [4, 'price', '-1'], [5, 'size', '0'], [6, 'price', '42000.123'], [8, 'timestamp', 'bad'], [9, 'aggressor_side', 'x'],
  ]);
  const day = report.days[0]!;
  assert.deepEqual(day.rejected, {
    'price: must be > 0': 2, 'size: must be > 0': 1, "price: has 3 decimals, more than the instrument's price precision 2": 1,
    'aggressor_side: "x" is not a side (expected buy or sell): map it to buyer or seller in the file\'s side values (side_values)': 1,
  });
  assert.deepEqual([day.read, day.written, report.files[0]!.rows, report.files[0]!.rejected], [8, 3, 9, 6]);
  assertBalanced(report);
});

test('duplicate trade ids are dropped and counted as duplicates, not rejects (also across files)', async (t) => {
  const dir = await tempDir(t);
  await write(dir, {
    'a.csv': [GEN, g(1, '42000.1', '0.5', 'buy', '7'), g(2, '42000.2', '0.6', 'sell', '8'), g(3, '42999.9', '9', 'sell', '7')].join('\n') + '\n',
    'b.csv': [GEN, g(4, '42000.2', '0.6', 'sell', '8'), g(5, '42000.3', '0.7', 'buy', '9')].join('\n') + '\n',
  });
  const report = await build(dir, { trades: { file_path: ['a.csv', 'b.csv'] } });
  assert.equal(report.ok, true, report.errors.join('\n'));
  assert.equal(report.rejectsFile, undefined);
  const day = report.days[0]!;
  assert.deepEqual([day.read, day.written, day.duplicates, day.rejected], [5, 3, 2, {}]);
  assert.deepEqual([report.totals.duplicates, report.totals.rejected], [2, 0]);
  assertBalanced(report);
  const rows = await readRows(day.file!);
  // The first occurrence is kept.
  assert.deepEqual(rows.map((r) => [r.trade_id, r.ts_init]), [['7', BigInt(T0 + 1000) * 1_000_000n], ['8', BigInt(T0 + 2000) * 1_000_000n], ['9', BigInt(T0 + 5000) * 1_000_000n]]);
});

test('rows outside [start, end] are counted in files[].outOfRange, not rejected', async (t) => {
  const dir = await tempDir(t);
  const end = T0 + DAY_MS; // 2024-01-02T00:00:00Z
  await write(dir, {
    'in.csv': [GEN, `${T0 - 1},42000.1,0.5,buy,1`, `${T0},42000.1,0.5,buy,2`, `${end - 1},42000.1,0.5,buy,3`, `${end},42000.1,0.5,buy,4`, `${end + DAY_MS},42000.1,0.5,buy,5`].join('\n'),
  });
  const report = await build(dir, { trades: { file_path: 'in.csv' } }, { start: '2024-01-01', end: '2024-01-01' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  assert.equal(report.rejectsFile, undefined);
  assert.deepEqual([report.files[0]!.rows, report.files[0]!.outOfRange, report.files[0]!.rejected], [5, 3, 0]);
  assert.deepEqual([report.totals.outOfRange, report.totals.rejected, report.totals.written], [3, 0, 2]);
  const day = report.days[0]!;
  assert.deepEqual([day.day, day.read, day.written, day.rejected], ['2024-01-01', 2, 2, {}]);
  assertBalanced(report);
  assert.deepEqual((await readRows(day.file!)).map((r) => r.trade_id), ['2', '3']);
});

/** A job over 2024-01-01..02 whose 01-02 file is fine and whose other trades file is broken. */
async function withBrokenFile(t: Parameters<typeof tempDir>[0], name: string, body: string | Buffer | null) {
  const dir = await tempDir(t);
  const d2 = T0 + DAY_MS;
  await write(dir, { 'good.csv': [GEN, `${d2 + 1000},42000.1,0.5,buy,id1`, `${d2 + 2000},42000.2,0.5,sell,id2`].join('\n') + '\n' });
  if (body !== null) await write(dir, { [name]: body });
  const report = await build(dir, { trades: { file_path: [name, 'good.csv'] } }, { start: '2024-01-01', end: '2024-01-02' });
  const bad = report.files.find((f) => f.path === join(dir, name))!;
  const good = report.files.find((f) => f.path === join(dir, 'good.csv'))!;
  const day2 = report.days.find((d) => d.day === '2024-01-02')!;
  assert.equal(report.ok, false);
  assert.ok(bad.error, 'the broken file has an error');
  assert.ok(bad.error.includes(join(dir, name)), `error names the file: ${bad.error}`);
  assert.ok(report.errors.some((e) => e.includes(join(dir, name))), report.errors.join('\n'));
  assert.equal(good.error, undefined);
  assert.deepEqual([day2.state, day2.written], ['done', 2]);
  assert.ok(existsSync(day2.file!), 'the other day was written');
  assert.deepEqual((await readRows(day2.file!)).map((r) => r.trade_id), ['id1', 'id2']);
  return { dir, report, bad, day1: report.days.find((d) => d.day === '2024-01-01')!, day2 };
}

test('a file with wrong columns (no price column, no mapping) fails by name; the other file completes', async (t) => {
  const { bad, day1 } = await withBrokenFile(t, 'wrong.csv', `time,amount,side\n${T0 + 1000},0.5,buy\n`);
  assert.match(bad.error!, /wrong\.csv: .*no column for price/);
  assert.equal(bad.rows, 0);
  assert.equal(day1.file, undefined);
});

test('a missing file gives "file not found" naming it; the other file completes', async (t) => {
  const { bad, day1 } = await withBrokenFile(t, 'missing.csv', null);
  assert.match(bad.error!, /missing\.csv: file not found$/);
  assert.equal(day1.file, undefined);
});

test('an empty file fails by name; the other file completes', async (t) => {
  const { bad } = await withBrokenFile(t, 'empty.csv', '');
  assert.match(bad.error!, /empty\.csv: the file is empty/);
});

test('a truncated .gz fails by name, the day it fed is failed with no file, other days complete', async (t) => {
  // Enough rows that part of them decompress before the cut.
  const rows = [GEN];
  for (let k = 0; k < 20000; k++) rows.push(`${T0 + k * 4},42000.${k % 10},0.${(k % 997) + 1},${k % 3 ? 'buy' : 'sell'},${1000000 + k}`);
  const gz = gzipSync(rows.join('\n') + '\n');
  const cut = gz.subarray(0, Math.floor(gz.length / 2));
  const { report, bad, day1 } = await withBrokenFile(t, 'cut.csv.gz', cut);
  assert.match(bad.error!, /cut\.csv\.gz: compressed data is truncated/);
  assert.ok(bad.rows > 0 && bad.rows < 20000, `some rows were read before the cut: ${bad.rows}`);
  assert.equal(day1.state, 'failed');
  assert.match(day1.error!, /incomplete: .*cut\.csv\.gz/);
  assert.equal(day1.file, undefined);
  assert.equal(day1.written, 0);
  const folder = dirname(report.days.find((d) => d.day === '2024-01-02')!.file!);
  assert.deepEqual(await readdir(folder), ['2024-01-02T00-00-00-000000000Z_2024-01-02T23-59-59-999999999Z.parquet']);
  assert.ok(report.errors.some((e) => /2024-01-01: incomplete/.test(e)), report.errors.join('\n'));
  assert.equal(report.totals.failedDays, 1);
});

test('a corrupt zip and a zstd file fail with a clear error naming the file', async (t) => {
  const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60, 7)]);
  const r1 = await withBrokenFile(t, 'broken.zip', zip);
  assert.match(r1.bad.error!, /broken\.zip: not a readable zip archive/);
  const zst = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(20)]);
  const r2 = await withBrokenFile(t, 'data.csv', zst);
  assert.match(r2.bad.error!, /data\.csv: zstd-compressed input is not supported/);
});
