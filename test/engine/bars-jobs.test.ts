// Bar jobs end to end through the engine: rejects with file, line and reason, duplicates, gaps per
// day, the bar type (given, detected, refused), the sources that cannot feed bars, and the preview.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobSpec } from '../../shared/job.js';
import type { RunReport } from '../../shared/report.js';
import { preview } from '../../engine/preview.js';
import { TARDIS_DATA_TYPES } from '../../engine/index.js';
import { autoMap, makePlan } from '../../engine/sources/csv/plan.js';
import { detect } from '../../engine/sources/csv/detect.js';
import { build, readRows, tempDir } from '../helpers.js';

const HEADER = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;

/** A klines row: open time (ms), OHLCV, close time = open + interval - 1. */
const kline = (openMs: number, o: string, h: string, l: string, c: string, v: string, intervalMs = MIN) => `${openMs},${o},${h},${l},${c},${v},${openMs + intervalMs - 1},0,0,0,0,0`;
/** n plain 1-minute klines from bar `from`. */
const run = (from: number, n: number, intervalMs = MIN) => Array.from({ length: n }, (_, k) => kline(T0 + (from + k) * intervalMs, '100.0', '101.0', '99.0', '100.5', '2.5', intervalMs));

async function rejectsOf(r: RunReport): Promise<{ file: string; line: number; field: string; reason: string }[]> {
  if (!r.rejectsFile) return [];
  return (await readFile(r.rejectsFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; line: number; field: string; reason: string });
}

/** Why a job was refused: its thrown message, or the errors of its failed report (nothing written). */
async function refusal(p: Promise<RunReport>): Promise<string> {
  try {
    const r = await p;
    assert.ok(!r.ok, 'the job was refused');
    assert.equal(r.totals.written, 0);
    return r.errors.join('; ');
  } catch (e) {
    return (e as Error).message;
  }
}

async function job(dir: string, files: Record<string, string[]>, entry: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<RunReport> {
  for (const [name, lines] of Object.entries(files)) await writeFile(join(dir, name), lines.join('\n') + '\n');
  return build(dir, { bars: entry }, { start: '2024-01-01', end: '2024-01-01', maxRejectRatio: 1, ...extra });
}

test('bad bars are rejected with file, line and reason; volume 0 is kept; a repeated open time is a duplicate; nothing else is lost', async (t) => {
  const dir = await tempDir(t);
  const rows = [HEADER, ...run(0, 10),
    kline(T0 + 10 * MIN, '100.0', '99.0', '98.0', '99.5', '1'), // line 12: high below open
    kline(T0 + 11 * MIN, '100.0', '101.0', '100.5', '100.2', '1'), // line 13: low above open
    kline(T0 + 12 * MIN, '0', '101.0', '0', '100.0', '1'), // line 14: price 0
    kline(T0 + 13 * MIN, '100.0', '101.0', '99.0', '100.0', '-1'), // line 15: negative volume
    kline(T0 + 14 * MIN, '100.0', '101.0', '99.0', '100.0', '0'), // volume 0: kept
    kline(T0 + 15 * MIN, '100.001', '101.0', '99.0', '100.0', '1'), // line 17: more decimals than precision 2
    kline(T0 + 5 * MIN, '100.0', '101.0', '99.0', '100.5', '2.5'), // line 18: bar 5 again
    `${T0 + 16 * MIN},100.0,101.0,99.0,100.0,1,${T0 + 16 * MIN + 30_000},0,0,0,0,0`, // line 19: close_time not open + 1m - 1 ms
  ];
  const r = await job(dir, { 'BTCUSDT-1m-2024-01-01.csv': rows }, { file_path: 'BTCUSDT-1m-2024-01-01.csv' });
  assert.ok(r.ok, r.errors.join('; '));
  const rej = await rejectsOf(r);
  assert.deepEqual(rej.map((x) => [x.file.split('/').pop(), x.line, x.field]), [
    ['BTCUSDT-1m-2024-01-01.csv', 12, 'high'], ['BTCUSDT-1m-2024-01-01.csv', 13, 'low'], ['BTCUSDT-1m-2024-01-01.csv', 14, 'open'],
    ['BTCUSDT-1m-2024-01-01.csv', 15, 'volume'], ['BTCUSDT-1m-2024-01-01.csv', 17, 'open'], ['BTCUSDT-1m-2024-01-01.csv', 19, 'close_time'],
  ]);
  assert.deepEqual(rej.map((x) => x.reason), [
    'high is below open', 'low is above open', 'must be > 0', 'must be >= 0', "has 3 decimals, more than the instrument's price precision 2",
    `close time ${BigInt(T0 + 16 * MIN + 30_000) * 1_000_000n} is not open time ${BigInt(T0 + 16 * MIN) * 1_000_000n} + 1 minute(s) - 1 ms`,
  ]);
  const day = r.days[0]!;
  assert.equal(day.read, 18);
  assert.equal(day.duplicates, 1);
  assert.equal(day.written, 11);
  const folder = join(dir, 'catalog', 'data', 'bar', 'BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL');
  const written = await readRows(join(folder, (await readdir(folder))[0]!));
  assert.equal(written.length, 11);
  // ts_event = ts_init = the close: open + 1 minute.
  assert.equal(written[0]!.ts_event, BigInt(T0 + MIN) * 1_000_000n);
  assert.equal(written[0]!.ts_init, written[0]!.ts_event);
  // A repeated open time is reported as a duplicate; the gap note counts the rejected bars as missing,
  // between the data's first bar (00:00) and its last (00:14): the rest of the day is not a gap.
  assert.ok(r.notes.some((n) => /^bars: 2024-01-01: 4 of 15 bars missing \(not filled\), the first opening at 2024-01-01T00:10:00/.test(n)), r.notes.join('\n'));
  assert.ok(r.notes.includes("bars: the data's bars open from 2024-01-01T00:00:00.000000000Z to 2024-01-01T00:14:00.000000000Z; the range's time outside that holds no bars (not counted as gaps)"), r.notes.join('\n'));
});

test('gaps: each day with missing bars is reported with its count and first missing bar; a complete day is not, nor the range beyond the data', async (t) => {
  const dir = await tempDir(t);
  const day2 = 1440;
  const rows = [HEADER, ...run(0, 1440), ...run(day2, 100), ...run(day2 + 130, 1440 - 130)];
  const r = await job(dir, { 'k.csv': rows }, { file_path: 'k.csv' }, { end: '2024-01-03' });
  assert.ok(r.ok, r.errors.join('; '));
  const gaps = r.notes.filter((n) => /bars missing/.test(n));
  assert.deepEqual(gaps, [
    'bars: 2024-01-02: 30 of 1440 bars missing (not filled), the first opening at 2024-01-02T01:40:00.000000000Z',
  ]);
  // The range's third day is after the data's last bar: said once, not counted as 1440 missing bars.
  assert.ok(r.notes.some((n) => /^bars: the data's bars open from 2024-01-01T00:00:00\.000000000Z to 2024-01-02T23:59:00\.000000000Z;/.test(n)), r.notes.join('\n'));
});

test('the bar type: detected per file, the files must agree (both named), --bar-type checked against the data, refused when NautilusTrader would refuse it', async (t) => {
  const dir = await tempDir(t);
  const five = [HEADER, ...run(0, 20, 5 * MIN)];
  await writeFile(join(dir, 'one.csv'), [HEADER, ...run(0, 20)].join('\n') + '\n');
  await writeFile(join(dir, 'five.csv'), five.join('\n') + '\n');
  assert.match(await refusal(build(dir, { bars: { file_path: ['one.csv', 'five.csv'] } }, { start: '2024-01-01', end: '2024-01-01' })),
    /the files disagree on the bar type: \S*one\.csv holds 1-MINUTE-LAST bars, \S*five\.csv 5-MINUTE-LAST bars/);
  assert.match(await refusal(job(dir, {}, { file_path: 'five.csv' }, { barType: '1-MINUTE-LAST' })), /five\.csv: its bars are 5-MINUTE apart, not 1-MINUTE as --bar-type 1-MINUTE-LAST says/);
  assert.match(await refusal(job(dir, {}, { file_path: 'five.csv' }, { barType: '90-MINUTE-LAST' })), /--bar-type "90-MINUTE-LAST": NautilusTrader refuses 90-MINUTE/);
  // One bar cannot tell its interval: refused, asking for --bar-type; with it, the bar is written.
  await writeFile(join(dir, 'single.csv'), [HEADER, ...run(3, 1)].join('\n') + '\n');
  assert.match(await refusal(job(dir, {}, { file_path: 'single.csv' })), /cannot tell the bar interval .*too few.*; pass --bar-type, e\.g\. 1-MINUTE-LAST/);
  const given = await job(dir, {}, { file_path: 'single.csv' }, { barType: '1-minute-last' });
  assert.ok(given.ok, given.errors.join('; '));
  assert.equal(given.totals.written, 1);
  assert.ok(given.notes.some((n) => n.includes('BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL (given by --bar-type)')));
  // With --bar-type, an open time off its grid is that row's reject.
  await writeFile(join(dir, 'off.csv'), ['time,open,high,low,close,volume', `${T0},1,2,1,2,1`, `${T0 + 90_000},1,2,1,2,1`].join('\n') + '\n');
  const off = await job(dir, {}, { file_path: 'off.csv' }, { barType: '1-MINUTE-LAST', overwrite: true });
  assert.deepEqual((await rejectsOf(off)).map((x) => [x.line, x.field, x.reason]), [[3, 'timestamp', 'open time is not on the 1 minute(s) grid counted from 00:00 UTC']]);
});

test('markPriceKlines are MARK bars (mark rows stay as they were), indexPriceKlines are refused with the reason, LAST on mark klines is refused', async (t) => {
  const dir = await tempDir(t);
  const mark = [HEADER, ...Array.from({ length: 5 }, (_, k) => kline(T0 + k * MIN, '100.004', '100.126', '99.5', '100.0', '0'))];
  const mr = await job(dir, { 'BTCUSDT-markPriceKlines-1m-2024-01-01.csv': mark }, { file_path: 'BTCUSDT-markPriceKlines-1m-2024-01-01.csv' });
  assert.ok(mr.ok, mr.errors.join('; '));
  const folder = join(dir, 'catalog', 'data', 'bar', 'BTCUSDT-PERP.BINANCE-1-MINUTE-MARK-EXTERNAL');
  const rows = await readRows(join(folder, (await readdir(folder))[0]!));
  assert.equal(rows.length, 5, 'prices rounded to the instrument precision, as mark prices are');
  assert.match(await refusal(job(dir, {}, { file_path: 'BTCUSDT-markPriceKlines-1m-2024-01-01.csv' }, { barType: '1-MINUTE-LAST', overwrite: true })), /markPriceKlines file: its bars are MARK bars, not LAST/);
  assert.match(await refusal(job(dir, { 'BTCUSDT-indexPriceKlines-1m-2024-01-01.csv': mark }, { file_path: 'BTCUSDT-indexPriceKlines-1m-2024-01-01.csv' })), /indexPriceKlines file.*NautilusTrader has no INDEX price type/);
  assert.match(await refusal(build(dir, { mark: { file_path: 'BTCUSDT-indexPriceKlines-1m-2024-01-01.csv' } }, { start: '2024-01-01', end: '2024-01-01', overwrite: true })), /holds no mark data .*index prices are not prices of the instrument/);
});

test('a new instrument precision is refused while bar files of the instrument disagree, and allowed when the job rewrites them', async (t) => {
  const dir = await tempDir(t);
  const r = await job(dir, { 'k.csv': [HEADER, ...run(0, 5)] }, { file_path: 'k.csv' });
  assert.ok(r.ok, r.errors.join('; '));
  await writeFile(join(dir, 't.csv'), ['time,price,size,id', `${T0},100.125,1,1`].join('\n') + '\n');
  const why = await refusal(build(dir, { trades: { file_path: 't.csv' } }, { start: '2024-01-01', end: '2024-01-01', pricePrecision: 3, overwrite: true }));
  assert.match(why, /would get price\/size precision 3\/3, but files this job does not replace disagree: \S*bar\/BTCUSDT-PERP\.BINANCE-1-MINUTE-LAST-EXTERNAL\/\S+ holds price_precision 2/);
  const both = await build(dir, { trades: { file_path: 't.csv' }, bars: { file_path: 'k.csv' } }, { start: '2024-01-01', end: '2024-01-01', pricePrecision: 3, overwrite: true });
  assert.ok(both.ok, both.errors.join('; '));
});

test('headerless µs klines and a generic OHLCV CSV with a close-time column', async (t) => {
  const dir = await tempDir(t);
  const us = Array.from({ length: 4 }, (_, k) => { const o = (T0 + k * MIN) * 1000; return `${o},10.5,11,10,10.75,3,${o + 59_999_999},0,0,0,0,0`; });
  const r = await job(dir, { 'spot.csv': us }, { file_path: 'spot.csv' });
  assert.ok(r.ok, r.errors.join('; '));
  assert.equal(r.totals.written, 4);
  assert.equal(r.files[0]!.format, 'vision.klines');
  // A close time one ms before the boundary (…59.999) is moved to it; the note says the column is a close time.
  const iso = ['close_time,o,h,l,c,v', ...[1, 2, 3].map((k) => `${new Date(T0 + k * 3_600_000 - 1).toISOString()},5,6,4,5,1`)];
  const g = await job(dir, { 'g.csv': iso }, { file_path: 'g.csv' }, { overwrite: true });
  assert.ok(g.ok, g.errors.join('; '));
  assert.ok(g.files[0]!.notes.some((n) => /column "close_time" taken as the bar's close time/.test(n)), g.files[0]!.notes.join('\n'));
  const folder = join(dir, 'catalog', 'data', 'bar', 'BTCUSDT-PERP.BINANCE-1-HOUR-LAST-EXTERNAL');
  const rows = await readRows(join(folder, (await readdir(folder))[0]!));
  assert.deepEqual(rows.map((x) => x.ts_event), [1, 2, 3].map((k) => BigInt(T0 + k * 3_600_000) * 1_000_000n));
});

test('auto-mapping an OHLCV header; ticks from a bar file stay refused; the sources without bars are refused; Tardis defaults to what it feeds', () => {
  const det = detect(['Open Time,Open,High,Low,Close,Volume,Close Time', '1,2,3,1,2,5,9'], 'x.csv');
  const plan = makePlan(det, 'bars', undefined, 'x.csv');
  assert.deepEqual(plan.cols, { timestamp: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 });
  assert.equal(plan.barTime, 'open');
  assert.deepEqual(autoMap(['t', 'o', 'h', 'l', 'c', 'v'], 'bars').cols, { timestamp: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 });
  // A klines header other than USD-M's (COIN-M names column 7 base_volume): mapped by name, open time first.
  const coinM = detect(['open_time,open,high,low,close,volume,close_time,base_volume,count,taker_buy_volume,taker_buy_base_volume,ignore', '1,2,3,1,2,5,9,1,1,1,1,0'], 'c.csv');
  const cp = makePlan(coinM, 'bars', undefined, 'c.csv');
  assert.deepEqual([cp.cols, cp.barTime], [{ timestamp: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 }, 'open']);
  assert.throws(() => makePlan(det, 'trades', undefined, 'x.csv'), /holds bars/);
  for (const source of ['websocket', 'tardis'] as const) {
    const r = JobSpec.safeParse({ source, symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: 'o', dataTypes: ['bars'], config: {} });
    assert.ok(!r.success);
    assert.match(r.error.issues[0]!.message, new RegExp(`the ${source} source cannot feed bars`));
  }
  assert.deepEqual(TARDIS_DATA_TYPES, ['trades', 'mark', 'funding']);
});

test('preview of a klines file as bars: mapped OHLCV at the close, the bad bar and the duplicate marked', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'BTCUSDT-1m-2024-01-01.csv');
  await writeFile(path, [HEADER, ...run(0, 3), kline(T0 + 3 * MIN, '100', '99', '98', '99', '1'), run(1, 1)[0]!].join('\n') + '\n');
  const p = await preview({ path, dataType: 'bars', symbol: 'BTCUSDT' });
  assert.equal(p.error, undefined);
  assert.deepEqual(p.rows.map((r) => r.status), ['ok', 'ok', 'ok', 'rejected', 'duplicate']);
  assert.deepEqual(p.rows[0]!.mapped, { ts_init: '2024-01-01T00:01:00.000000000Z', ts_event: '2024-01-01T00:01:00.000000000Z', open: '100.00', high: '101.00', low: '99.00', close: '100.50', volume: '2.500' });
  assert.equal(p.rows[3]!.reason, 'high is below open');
});
