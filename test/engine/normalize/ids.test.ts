// Trade-id dedupe (issue 11 items 3, 10, 16): IdSet agrees with a Set of strings in any order; ids are
// text ("7" is not "007"); rows without an id are never duplicates unless the same file is read twice;
// a day's content does not depend on which other days are in the date range.
import assert from 'node:assert/strict';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { IdSet } from '../../../engine/normalize/idset.js';
import { build, readRows, tempDir } from '../../helpers.js';

fc.configureGlobal({ includeErrorInReport: true });

/** Ids as exchanges write them: runs of consecutive numbers, near-duplicates with leading zeros, text. */
const ID = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 400 }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 60 }).map((n) => `0${n}`) },
  { weight: 1, arbitrary: fc.constantFrom('0', '00', '000', '7', '007', '999999999999999', '1000000000000000', '99999999999999999999') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }).map((n) => String(4_000_000_000_000 + n)) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,8}$/) },
);

test('IdSet agrees with a Set of strings, whatever the order of the ids', () => {
  fc.assert(fc.property(fc.array(ID, { maxLength: 400 }), fc.integer({ min: 0, max: 3 }), (ids, shape) => {
    // shape: as drawn, plus runs that fill gaps (merging ranges), reversed and interleaved orders.
    const runs = shape === 0 ? ids : ids.flatMap((id) => (/^[1-9]\d{0,5}$/.test(id) ? Array.from({ length: 5 }, (_, k) => String(Number(id) + k)) : [id]));
    const order = shape === 2 ? [...runs].reverse() : shape === 3 ? runs.filter((_, i) => i % 2 === 0).concat(runs.filter((_, i) => i % 2 === 1)) : runs;
    const set = new IdSet();
    const oracle = new Set<string>();
    for (const id of order) {
      assert.equal(set.add(id), !oracle.has(id), `add(${id}) after ${oracle.size} ids`);
      oracle.add(id);
    }
    // Every id is now known, and numbers next to the known ones are only known if added.
    for (const id of order) assert.equal(set.add(id), false, `${id} again`);
    for (const id of order) {
      if (!/^\d{1,6}$/.test(id)) continue;
      const near = String(Number(id) + 1);
      assert.equal(set.add(near), !oracle.has(near), `neighbour ${near}`);
      oracle.add(near);
    }
  }), { numRuns: 300 });
});

test('IdSet: many shuffled ids stay exact and collapse to one range once all are in', () => {
  const n = 200_000;
  const ids = Array.from({ length: n }, (_, i) => i + 1_000_000);
  let s = 7;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const set = new IdSet();
  for (const v of ids) assert.equal(set.add(String(v)), true);
  for (let k = 0; k < n; k += 997) assert.equal(set.add(String(ids[k])), false);
  assert.equal(set.ranges, 1);
  assert.equal(set.add(String(999_999)), true);
  assert.equal(set.add(String(1_000_000 + n)), true);
  assert.equal(set.ranges, 1);
});

test('ids are text: "7" and "007", "0" and "00" are different trades', () => {
  const set = new IdSet();
  for (const id of ['7', '007', '0', '00', '07']) assert.equal(set.add(id), true, id);
  for (const id of ['7', '007', '0', '00', '07']) assert.equal(set.add(id), false, id);
});

const HEADER = 'time,price,volume,side,id';

test('trade ids 7 and 007 are both written, by the line reader and by the fast path deep in a big file', async (t) => {
  const dir = await tempDir(t);
  const t0 = Date.UTC(2024, 0, 1);
  // Enough rows (about 2 MB) that the fast path reads the end of the file.
  const lines = [HEADER];
  const n = 50_000;
  for (let i = 0; i < n; i++) lines.push(`${t0 + i},42000.1,0.001,buy,${1000 + i}`);
  lines.splice(2, 0, `${t0},42000.1,0.001,buy,7`, `${t0},42000.1,0.001,buy,007`, `${t0},42000.1,0.001,buy,0`, `${t0},42000.1,0.001,buy,00`);
  lines.push(`${t0 + n},42000.1,0.001,buy,8`, `${t0 + n},42000.1,0.001,buy,008`, `${t0 + n},42000.1,0.001,buy,8`);
  await writeFile(join(dir, 'trades.csv'), lines.join('\n') + '\n');
  const r = await build(dir, { trades: { file_path: 'trades.csv' } });
  assert.equal(r.ok, true, r.errors.join('\n'));
  assert.equal(r.totals.read, n + 7);
  assert.equal(r.totals.duplicates, 1, 'only the second "8" is a duplicate');
  assert.equal(r.totals.written, n + 6);
  const ids = new Set((await readRows(r.days[0]!.file!)).map((x) => x.trade_id));
  for (const id of ['7', '007', '0', '00', '8', '008']) assert.ok(ids.has(id), id);
});

/** Real trades without ids: several share time, price, size and side (BitMEX-style fills). */
function idlessTrades(): string {
  const t0 = Date.UTC(2024, 0, 1, 12);
  const rows = ['time,price,volume,side'];
  for (let i = 0; i < 10; i++) rows.push(`${t0 + (i < 8 ? 0 : i)},42000.5,0.1,${i < 8 ? 'buy' : 'sell'}`);
  return rows.join('\n') + '\n';
}

test('rows without a trade id are never duplicates of each other, even when time, price, size and side are equal', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'trades.csv'), idlessTrades());
  const r = await build(dir, { trades: { file_path: 'trades.csv' } });
  assert.equal(r.ok, true, r.errors.join('\n'));
  assert.deepEqual([r.totals.read, r.totals.written, r.totals.duplicates], [10, 10, 0]);
  assert.equal((await readRows(r.days[0]!.file!)).length, 10);
});

test('the same id-less file read twice (listed twice, or through a glob and a link): the second copy is duplicates', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'trades.csv'), idlessTrades());
  await symlink('trades.csv', join(dir, 'link.csv'));
  const r = await build(dir, { trades: { file_path: ['trades.csv', 'trades.csv', 'trade*.csv', 'link.csv'] } });
  assert.equal(r.ok, true, r.errors.join('\n'));
  assert.deepEqual([r.totals.read, r.totals.written, r.totals.duplicates], [40, 10, 30]);
  // Another file with the same content is other trades.
  await writeFile(join(dir, 'more.csv'), idlessTrades());
  const r2 = await build(dir, { trades: { file_path: ['trades.csv', 'more.csv'] } }, { output: join(dir, 'catalog2') });
  assert.deepEqual([r2.totals.read, r2.totals.written, r2.totals.duplicates], [20, 20, 0]);
});

test("a day's trades do not depend on which other days are in the date range", async (t) => {
  const dir = await tempDir(t);
  // Two days whose ids restart at 0 (per-day counters), plus a trade a millisecond before midnight.
  const rows = [HEADER];
  for (let d = 0; d < 2; d++) {
    const t0 = Date.UTC(2024, 0, 1 + d);
    for (let i = 0; i <= 100; i++) rows.push(`${t0 + i * 1000},${42000 + i}.5,0.01,${i % 2 ? 'buy' : 'sell'},${i}`);
  }
  rows.push(`${Date.UTC(2024, 0, 2) - 1},41999.5,0.02,buy,100`);
  await writeFile(join(dir, 'trades.csv'), rows.join('\n') + '\n');
  const alone = await build(dir, { trades: { file_path: 'trades.csv' } }, { start: '2024-01-02', end: '2024-01-02', output: join(dir, 'alone') });
  const both = await build(dir, { trades: { file_path: 'trades.csv' } }, { start: '2024-01-01', end: '2024-01-02', output: join(dir, 'both') });
  assert.equal(alone.ok && both.ok, true, [...alone.errors, ...both.errors].join('\n'));
  const day2 = (r: typeof alone) => r.days.find((d) => d.day === '2024-01-02')!;
  assert.equal(day2(alone).written, 101);
  assert.equal(day2(both).written, 101);
  assert.deepEqual(await readRows(day2(both).file!), await readRows(day2(alone).file!));
  // Day 1 holds its 101 trades and the one before midnight, whose id 100 it also used earlier: a duplicate there.
  const day1 = both.days.find((d) => d.day === '2024-01-01')!;
  assert.deepEqual([day1.read, day1.written, day1.duplicates], [102, 101, 1]);
});

test("a day's mark prices (change-only dedupe) do not depend on which other days are in the date range", async (t) => {
  const dir = await tempDir(t);
  // Tardis derivative_ticker: the mark price stays 42002.37 across midnight; day 2 starts with it.
  const header = 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price';
  const midnight = Date.UTC(2024, 0, 2);
  const row = (ms: number, mark: string) => `binance-futures,BTCUSDT,${ms * 1000},${(ms + 100) * 1000},,,,,42000.6,42001.2,${mark}`;
  const rows = [header, row(midnight - 2000, '42001.5'), row(midnight - 1000, '42002.37'), row(midnight + 1000, '42002.37'), row(midnight + 2000, '42003.5')];
  await writeFile(join(dir, 'dt.csv'), rows.join('\n') + '\n');
  const alone = await build(dir, { mark: { file_path: 'dt.csv' } }, { start: '2024-01-02', end: '2024-01-02', output: join(dir, 'alone') });
  const both = await build(dir, { mark: { file_path: 'dt.csv' } }, { start: '2024-01-01', end: '2024-01-02', output: join(dir, 'both') });
  const day2 = (r: typeof alone) => r.days.find((d) => d.day === '2024-01-02')!;
  assert.deepEqual([day2(alone).written, day2(both).written], [2, 2]);
  assert.deepEqual(await readRows(day2(both).file!), await readRows(day2(alone).file!));
});
