// The CSV fast path (engine/sources/csv/fast.ts) and the parallel row-group writer
// (engine/parquet/pwriter.ts) are speed-ups only: with them on or off, a job must write the same
// bytes, count the same rows and reject the same lines for the same reasons.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { RunReport } from '../../../shared/report.js';
import { verifyCatalog } from '../../../engine/catalog/verify.js';
import { genTardisBookL2, genTardisQuotes, genTardisTrades } from '../../../scripts/gen-data.js';
import { ROOT, SOURCES, build, filesUnder, needShared, tempDir } from '../../helpers.js';
import { FastDeltaParser, FastTradeParser } from '../../../engine/sources/csv/fast.js';
import { BOOK_BUY, BOOK_SELL } from '../../../engine/datatypes/index.js';
import type { Detected } from '../../../engine/sources/csv/detect.js';
import type { Plan } from '../../../engine/sources/csv/plan.js';
import { parseSide, type FastDelta, type FastTrade, type Normalizer } from '../../../engine/normalize/normalizer.js';

/** Runs the same build with the fast path off, then on; returns both reports and output folders. */
async function both(t: TestContext, dir: string, files: Record<string, unknown>, job: Record<string, unknown>) {
  const runs: { report: RunReport; out: string }[] = [];
  for (const fast of ['0', '1']) {
    const prev = process.env.CB_FAST_PATH;
    process.env.CB_FAST_PATH = fast;
    t.after(() => (prev === undefined ? delete process.env.CB_FAST_PATH : (process.env.CB_FAST_PATH = prev)));
    const out = join(dir, `catalog-fast-${fast}`);
    const report = await build(dir, files, { output: out, ...job });
    if (prev === undefined) delete process.env.CB_FAST_PATH;
    else process.env.CB_FAST_PATH = prev;
    runs.push({ report, out });
  }
  return runs as [{ report: RunReport; out: string }, { report: RunReport; out: string }];
}

async function assertSame(a: { report: RunReport; out: string }, b: { report: RunReport; out: string }): Promise<number> {
  assert.deepEqual(b.report.totals, a.report.totals, 'the same counts');
  assert.deepEqual(b.report.days.map((d) => [d.day, d.dataType, d.state, d.read, d.written, d.duplicates, d.skipped, d.rejected, d.firstTsInit, d.lastTsInit]), a.report.days.map((d) => [d.day, d.dataType, d.state, d.read, d.written, d.duplicates, d.skipped, d.rejected, d.firstTsInit, d.lastTsInit]));
  assert.deepEqual(b.report.errors, a.report.errors);
  const strip = (l: string) => {
    const r = JSON.parse(l) as Record<string, unknown>;
    delete r.run;
    return JSON.stringify(r);
  };
  const rejects = async (r: RunReport) => (r.rejectsFile ? (await readFile(r.rejectsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(strip) : []);
  assert.deepEqual(await rejects(b.report), await rejects(a.report), 'the same rejects with the same reasons');
  const files = await filesUnder(join(a.out, 'data'));
  assert.deepEqual(await filesUnder(join(b.out, 'data')), files);
  assert.ok(files.length > 0);
  for (const f of files) assert.ok((await readFile(join(a.out, 'data', f))).equals(await readFile(join(b.out, 'data', f))), `${f}: the same bytes`);
  return files.length;
}

test('fast path on the real Tardis trades fixture (and shifted copies of it): the same catalog, byte for byte', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  // The fast path takes over after the first batch (1 MiB of text), and the fixture is 100 KB: it is
  // followed by 40 copies of its rows, each a minute later with ids shifted, so that most rows take
  // the fast path. The copies keep every field's text exactly as the fixture writes it.
  const text = await readFile(join(SOURCES, 'tardis-csv_trades_binance-futures_BTCUSDT_2020-02-22.csv'), 'utf8');
  const [header, ...rows] = text.split('\n').filter(Boolean);
  const out = [header!, ...rows];
  for (let k = 1; k <= 40; k++) {
    for (const r of rows) {
      const f = r.split(',');
      f[2] = String(Number(f[2]) + k * 60_000_000);
      f[3] = String(Number(f[3]) + k * 60_000_000);
      f[4] = String(Number(f[4]) + k * 1_000_000);
      out.push(f.join(','));
    }
  }
  await writeFile(join(dir, 'trades.csv'), out.join('\n') + '\n');
  const [a, b] = await both(t, dir, { trades: { file_path: 'trades.csv' } }, { start: '2020-02-22', end: '2020-02-22' });
  assert.equal(a.report.ok, true, a.report.errors.join('\n'));
  assert.equal(a.report.totals.written, 1200 * 41);
  await assertSame(a, b);
});

test('fast path on the Binance Vision headerless trades row: the same catalog', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  await copyFile(join(SOURCES, 'binance-vision_um_daily_trades_OMGUSDT-2021-04-08_headerless-row.csv'), join(dir, 'trades.csv'));
  const [a, b] = await both(t, dir, { trades: { file_path: 'trades.csv' } }, { symbol: 'OMGUSDT', start: '2021-04-08', end: '2021-04-08' });
  assert.equal(a.report.totals.written, 1, a.report.errors.join('\n'));
  await assertSame(a, b);
});

test('fast path on odd rows mixed into plain ones: quoted fields, CRLF, signs, spaces, huge and zero values, long ids, duplicates, out of order', async (t) => {
  const dir = await tempDir(t);
  // Plain rows over two days (enough that the fast path takes over after detection)...
  await genTardisTrades({ path: join(dir, 'plain.csv'), rows: 40_000, start: '2024-01-01', days: 2, gzip: false, seed: 7 });
  const lines = (await readFile(join(dir, 'plain.csv'), 'utf8')).split('\n').filter(Boolean);
  const us = (day: number, s: number) => (Date.UTC(2024, 0, 1 + day) + s * 1000) * 1000;
  const odd = [
    `binance-futures,BTCUSDT,"${us(0, 50)}",${us(0, 50) + 10},"9000000001",buy,"42000.5",0.001`,
    `binance-futures,BTCUSDT,${us(0, 51)},${us(0, 51) + 10},9000000002,sell,42000.50,0.0010\r`,
    `binance-futures,BTCUSDT,${us(0, 52)},${us(0, 52) + 10},9000000003,buy,+42000.5,0.001`,
    `binance-futures,BTCUSDT,${us(0, 53)},${us(0, 53) + 10},9000000004,buy, 42000.5 ,0.001`,
    `binance-futures,BTCUSDT,${us(0, 54)},${us(0, 54) + 10},9000000005,buy,-42000.5,0.001`,
    `binance-futures,BTCUSDT,${us(0, 55)},${us(0, 55) + 10},9000000006,buy,0,0.001`,
    `binance-futures,BTCUSDT,${us(0, 56)},${us(0, 56) + 10},9000000007,buy,42000.5,0`,
    `binance-futures,BTCUSDT,${us(0, 57)},${us(0, 57) + 10},9000000008,buy,99999999999999999999999999.5,0.001`,
    `binance-futures,BTCUSDT,${us(0, 58)},${us(0, 58) + 10},9000000009,buy,42000.123456789012345678,0.001`,
    `binance-futures,BTCUSDT,${us(0, 59)},${us(0, 59) + 10},${'x'.repeat(40)},buy,42000.5,0.001`,
    `binance-futures,BTCUSDT,${us(0, 60)},${us(0, 60) + 10},abc-123,buy,42000.5,0.001`,
    `binance-futures,BTCUSDT,${us(0, 61)},${us(0, 61) + 10},9000000010,buy,4.2e4,0.001`,
    `binance-futures,BTCUSDT,${us(0, 62)},${us(0, 62) + 10},9000000011,buy,.5,5.`,
    `binance-futures,BTCUSDT,${us(0, 63)},${us(0, 63) + 10},9000000012,unknown,42000.5,0.001`,
    `binance-futures,BTCUSDT,${us(0, 64)},${us(0, 64) + 10},9000000013,buy,42000.5`,
    `binance-futures,BTCUSDT,${us(0, 65)},${us(0, 65) + 10},9000000014,buy,42000.5,0.001,extra`,
    `binance-futures,BTCUSDT,2024-01-01T00:01:06Z,${us(0, 66) + 10},9000000015,buy,42000.5,0.001`,
    `binance-futures,BTCUSDT,${us(0, 67)},,9000000016,buy,42000.5,0.001`,
    `binance-futures,BTCUSDT,0${us(0, 68)},${us(0, 68) + 10},9000000017,buy,42000.5,0.001`,
    `binance-futures,BTCUSDT,${us(0, 69)},${us(0, 69) + 10},9000000001,buy,42000.5,0.001`, // duplicate id
    `binance-futures,BTCUSDT,${us(1, 10)},${us(0, 70)},9000000018,buy,42000.5,0.001`, // ts_init before ts_event
    `binance-futures,BTCUSDT,${us(5, 1)},${us(5, 1) + 10},9000000019,buy,42000.5,0.001`, // out of range
    `binance-futures,BTCUSDT,${us(0, 71)},${us(0, 71) + 10},9000000020,buy,42000.5,0.001`,
    '',
    `binance-futures,BTCUSDT,${us(0, 72)},${us(0, 72) + 10},9000000021,BUY,42000.5,0.001`,
    `"binance-futures","BTCUSDT","${us(0, 73)}","${us(0, 73) + 10}","9000000022","sell","42000.5","0.001"`,
    `binance-futures,BTCUSDT,${us(0, 74)},${us(0, 74) + 10},"id, with comma",buy,42000.5,0.001`,
    `binance-futures,BTCUSDT,${us(0, 75)},${us(0, 75) + 10},9000000023,buy,42000.5,12345678901234567890.001`,
  ];
  // ...with the odd ones spread through the file, late ones out of receive-time order, then the file
  // gzipped (the fast path reads the decompressed bytes).
  const out = [lines[0]!];
  for (let i = 1; i < lines.length; i++) {
    out.push(lines[i]!);
    if (i % 1400 === 0 && odd.length) out.push(odd.shift()!);
  }
  out.push(...odd);
  out.push(...lines.slice(1, 200)); // a block of duplicates at the end
  await writeFile(join(dir, 'mixed.csv.gz'), gzipSync(out.join('\n') + '\n'));
  const [a, b] = await both(t, dir, { trades: { file_path: 'mixed.csv.gz' } }, { start: '2024-01-01', end: '2024-01-02', rowGroupSize: 5000 });
  assert.ok(a.report.totals.rejected >= 10, `rejected ${a.report.totals.rejected}`);
  assert.ok(a.report.totals.duplicates >= 199, `duplicates ${a.report.totals.duplicates}`);
  assert.ok(a.report.totals.written > 39_000);
  assert.equal(await assertSame(a, b) >= 3, true);
  assert.equal((await verifyCatalog(b.out)).ok, true);
});

/** `rows` repeated `copies` more times, timestamp columns `tsCols` shifted by a minute per copy (text otherwise as is). */
function shifted(rows: string[], copies: number, tsCols: number[], unitPerMinute: number): string[] {
  const out = [...rows];
  for (let k = 1; k <= copies; k++) {
    for (const r of rows) {
      const f = r.split(',');
      for (const c of tsCols) f[c] = String(Number(f[c]) + k * unitPerMinute);
      out.push(f.join(','));
    }
  }
  return out;
}

test('fast path on the real Tardis quotes and book_snapshot_25 fixtures (and shifted copies): the same catalog, byte for byte', async (t) => {
  if (!needShared(t)) return;
  // As for trades: enough copies that most rows come after the first batch, where the fast path takes over.
  for (const [name, copies, day] of [['tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv', 40, '2020-02-22'], ['tardis-csv_book_snapshot_25_binance-futures_BTCUSDT_2020-09-01.csv', 300, '2020-09-01']] as const) {
    const dir = await tempDir(t);
    const [header, ...rows] = (await readFile(join(SOURCES, name), 'utf8')).split('\n').filter(Boolean);
    await writeFile(join(dir, 'quotes.csv'), [header!, ...shifted(rows, copies, [2, 3], 60_000_000)].join('\n') + '\n');
    const [a, b] = await both(t, dir, { quotes: { file_path: 'quotes.csv' } }, { start: day, end: day, dataTypes: ['quotes'] });
    assert.equal(a.report.ok, true, a.report.errors.join('\n'));
    assert.equal(a.report.totals.written, rows.length * (copies + 1), name);
    await assertSame(a, b);
  }
});

test('fast path on Binance Vision bookTicker quotes (ms, no receive time): the same catalog', async (t) => {
  const dir = await tempDir(t);
  const rows = ['update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time'];
  for (let i = 0; i < 40_000; i++) {
    const ms = Date.UTC(2024, 0, 1) + i * 2000;
    const bid = 4200000 + ((i * 7919) % 300);
    rows.push(`${1000 + i},${(bid / 100).toFixed(2)},${(1 + (i % 17) / 8).toFixed(3)},${((bid + 1 + (i % 3)) / 100).toFixed(2)},0.250,${ms},${ms + 3}`);
  }
  rows.splice(20_000, 0, `99,42000.30,1.400,42000.20,0.250,${Date.UTC(2024, 0, 1, 12)},1`); // crossed
  await writeFile(join(dir, 'BTCUSDT-bookTicker-2024-01-01.csv'), rows.join('\n') + '\n');
  const [a, b] = await both(t, dir, { quotes: { file_path: 'BTCUSDT-bookTicker-2024-01-01.csv' } }, { dataTypes: ['quotes'] });
  assert.equal(a.report.totals.written, 40_000, a.report.errors.join('\n'));
  assert.equal(a.report.totals.rejected, 1);
  await assertSame(a, b);
});

test('fast path on odd quote rows mixed into plain ones: crossed, locked, zero, empty, signed, spaced, quoted, huge, long, short rows; read twice; 64 and 128 bits', async (t) => {
  const dir = await tempDir(t);
  await genTardisQuotes({ path: join(dir, 'plain.csv'), rows: 40_000, start: '2024-01-01', days: 2, gzip: false, seed: 5 });
  const lines = (await readFile(join(dir, 'plain.csv'), 'utf8')).split('\n').filter(Boolean);
  const us = (day: number, s: number) => (Date.UTC(2024, 0, 1 + day) + s * 1000) * 1000;
  let s = 100;
  /** a row at the next second: ask_amount, ask_price, bid_price, bid_amount */
  const q = (askSize: string, ask: string, bid: string, bidSize: string) => `binance-futures,BTCUSDT,${us(0, ++s)},${us(0, s) + 10},${askSize},${ask},${bid},${bidSize}`;
  const odd = [
    q('1.5', '41999', '42000', '2'), // crossed
    q('1.5', '42000.05', '42000.1', '2'), // crossed, other scales
    q('1.5', '42000.1', '42000.05', '2'),
    q('1.5', '42000.5', '42000.5', '2'), // locked: kept
    q('1.5', '42000.50', '42000.5', '2.000'),
    q('1.5', '42000.5', '42000.4', '0'), q('0.000', '42000.5', '42000.4', '2'), q('1.5', '42000.5', '0', '2'), q('1.5', '0.0', '42000.4', '2'),
    q('1.5', '42000.5', '', ''), q('', '', '42000.4', '2'), q('', '', '', ''), q('1.5', '42000.5', '42000.4', ''),
    q('-1.5', '42000.5', '42000.4', '2'), q('1.5', '42000.5', '-42000.4', '2'), q('1.5', '+42000.5', '42000.4', '2'),
    q('1.5', ' 42000.5', '42000.4 ', '2'), q('"1.5"', '"42000.5"', '42000.4', '2'), q('1.5', '42000.5', '42000.4', '2\r'),
    q('1.5', '99999999999999999999999999.5', '42000.4', '2'), q('1.5', '42000.5', '42000.123456789012345678', '2'),
    q('1.5', '42000.5', '42000.4', '12345678901234567890.001'), q('1.5', '9999999999.5', '42000.4', '2'), q('1.5', '90071992547410', '9007199254740.99', '2'),
    q('1.5', '4.2e4', '42000.4', '2'), q('.5', '42000.5', '.5', '5.'), q('1.5', '42000.5', '42000.4', '1.0000000001'), q('1.5', '42000.00000000001', '42000', '2'),
    q('1.5', '42000.5', '42000.4', '2') + ',extra', q('1.5', '42000.5', '42000.4', '2').split(',').slice(0, 7).join(','),
    `binance-futures,BTCUSDT,2024-01-01T00:10:00Z,${us(0, 600) + 10},1.5,42000.5,42000.4,2`,
    `binance-futures,BTCUSDT,${us(0, 601)},,1.5,42000.5,42000.4,2`,
    `binance-futures,BTCUSDT,0${us(0, 602)},${us(0, 602) + 10},1.5,42000.5,42000.4,2`,
    `binance-futures,BTCUSDT,${us(1, 10)},${us(0, 603)},1.5,42000.5,42000.4,2`, // ts_init before ts_event
    `binance-futures,BTCUSDT,${us(5, 1)},${us(5, 1) + 10},1.5,42000.5,42000.4,2`, // out of range
    `binance-futures,BTCUSDT,${us(5, 2)},${us(5, 2) + 10},1.5,42000.5,42001,2`, // out of range and crossed
    '',
  ];
  const out = [lines[0]!];
  for (let i = 1; i < lines.length; i++) {
    out.push(lines[i]!);
    // after the first batch (about 13,000 rows), where the fast path takes over
    if (i >= 14_000 && i % 500 === 0 && odd.length) out.push(odd.shift()!);
  }
  out.push(...odd);
  for (const precisionMode of [64, 128] as const) {
    const sub = join(dir, String(precisionMode));
    await mkdir(sub);
    await writeFile(join(sub, 'mixed.csv.gz'), gzipSync(out.join('\n') + '\n'));
    const [a, b] = await both(t, sub, { quotes: { file_path: ['mixed.csv.gz', './mixed.csv.gz'] } }, { start: '2024-01-01', end: '2024-01-02', dataTypes: ['quotes'], precisionMode, rowGroupSize: 5000, maxRejectRatio: 1 });
    assert.ok(a.report.totals.rejected >= 2 * 20, `rejected ${a.report.totals.rejected}`);
    assert.ok(a.report.totals.written > 39_000, `written ${a.report.totals.written}`);
    assert.equal(a.report.totals.duplicates, a.report.totals.written, 'the second read: every kept row a duplicate');
    assert.equal(await assertSame(a, b) >= 2, true);
    assert.equal((await verifyCatalog(b.out)).ok, true);
  }
});

test('fast path on quotes with no preset: the precision scan infers the same precisions (a rejected row counts for nothing)', async (t) => {
  const dir = await tempDir(t);
  // Generated quotes have prices with 1 decimal and sizes with 3; after the first batch come a row
  // with a 3-decimal price and a 5-decimal size, and a crossed row with 6 decimals (rejected: not counted).
  await genTardisQuotes({ path: join(dir, 'plain.csv'), rows: 40_000, start: '2024-01-01', days: 1, gzip: false, seed: 9 });
  // The generator writes BTCUSDT rows: they become FOOUSDT's, the symbol the job builds (other symbols' rows are skipped).
  const lines = (await readFile(join(dir, 'plain.csv'), 'utf8')).split('\n').filter(Boolean).map((l) => l.replace(',BTCUSDT,', ',FOOUSDT,'));
  const us = Date.UTC(2024, 0, 1, 12) * 1000;
  lines.splice(30_000, 0, `binance-futures,FOOUSDT,${us},${us + 5},1.23456,42000.125,42000.1,2`, `binance-futures,FOOUSDT,${us + 1},${us + 6},1,42000.1,42000.123456,2.1234567`);
  await writeFile(join(dir, 'quotes.csv'), lines.join('\n') + '\n');
  const [a, b] = await both(t, dir, { quotes: { file_path: 'quotes.csv' } }, { symbol: 'FOOUSDT', dataTypes: ['quotes'] });
  assert.ok(a.report.ok, a.report.errors.join('\n'));
  assert.deepEqual([a.report.instrument.pricePrecision, a.report.instrument.sizePrecision], [3, 5]);
  assert.deepEqual([b.report.instrument.pricePrecision, b.report.instrument.sizePrecision], [3, 5]);
  assert.equal(a.report.totals.rejected, 1);
  await assertSame(a, b);
});

/**
 * Odd variants of a Tardis incremental_book_L2 row (exchange,symbol,timestamp,local_timestamp,
 * is_snapshot,side,price,amount), each at the row's own times so that it joins the row's event.
 */
function oddDeltas(row: string, us: (day: number) => number): string[] {
  const f = row.split(',');
  const v = (k: number, x: string) => f.map((c, i) => (i === k ? x : c)).join(',');
  const [TS, LOCAL, SNAP, SIDE, PRICE, AMOUNT] = [2, 3, 4, 5, 6, 7];
  return [
    v(PRICE, '0'), v(PRICE, '0.0'), v(PRICE, '-42000.1'), v(PRICE, '+42000.1'), v(PRICE, ' 42000.1'), v(PRICE, '42000.12'), v(PRICE, '42000.10'), v(PRICE, '042000.1'),
    v(PRICE, '99999999999999999999999.5'), v(PRICE, '4.2e4'), v(PRICE, ''), v(PRICE, '"42000.1"'), v(PRICE, '9007199254740.9'),
    v(AMOUNT, '-1'), v(AMOUNT, '-0'), v(AMOUNT, '0.000'), v(AMOUNT, '00'), v(AMOUNT, '.5'), v(AMOUNT, '5.'), v(AMOUNT, '1.0001'), v(AMOUNT, ''), v(AMOUNT, '1 '),
    v(AMOUNT, '123456789012345678901234.5'), v(AMOUNT, f[AMOUNT] + '\r'),
    v(SIDE, 'BID'), v(SIDE, 'b'), v(SIDE, 'sell'), v(SIDE, 'middle'), v(SIDE, ''),
    v(SNAP, 'True'), v(SNAP, '1'), v(SNAP, 'maybe'), v(SNAP, 'true'), v(SNAP, 'false'),
    v(TS, '0' + f[TS]), v(TS, '2024-01-01T12:00:00Z'), v(LOCAL, ''), v(LOCAL, 'x'),
    v(LOCAL, String(us(5))), v(TS, String(us(6))), // ts_init out of range; ts_event far from ts_init
    v(1, 'ETHUSDT'), f.slice(0, 7).join(','), row + ',extra', row, row,
  ];
}

test('fast path on generated order-book deltas with odd rows mixed in (rejects, snapshots, CLEARs, F_LAST, out of range, read twice; 64 and 128 bits): the same catalog, byte for byte', async (t) => {
  const dir = await tempDir(t);
  // Two days, snapshots at the start and at three reconnections; events of 1 to 8 deltas.
  await genTardisBookL2({ path: join(dir, 'plain.csv'), rows: 60_000, start: '2024-01-01', days: 2, gzip: false, seed: 11, levels: 50, resnapshots: 3 });
  const [header, ...rows] = (await readFile(join(dir, 'plain.csv'), 'utf8')).split('\n').filter(Boolean);
  const us = (day: number) => Date.UTC(2024, 0, 1 + day, 1) * 1000;
  // 15,000 updates first (past the first batch, where the fast path takes over): before the file's
  // first snapshot, rejected; then the generated file, odd rows after every 300th row from there on.
  const out = [header!, ...rows.slice(200, 15_200)];
  for (let i = 0; i < rows.length; i++) {
    out.push(rows[i]!);
    if (i >= 1000 && i % 300 === 0) out.push(...oddDeltas(rows[i]!, us).slice((i / 300) % 7, (i / 300) % 7 + 7));
  }
  for (const precisionMode of [64, 128] as const) {
    const sub = join(dir, String(precisionMode));
    await mkdir(sub);
    await writeFile(join(sub, 'book.csv.gz'), gzipSync(out.join('\n') + '\n'));
    const job = { start: '2024-01-01', end: '2024-01-02', dataTypes: ['deltas'], precisionMode, pricePrecision: 1, sizePrecision: 3, rowGroupSize: 5000, maxRejectRatio: 1 };
    const [a, b] = await both(t, sub, { deltas: { file_path: ['book.csv.gz', './book.csv.gz'] } }, job);
    assert.ok(a.report.totals.rejected >= 2 * 15_000, `rejected ${a.report.totals.rejected}`);
    assert.ok(a.report.totals.written > 60_000, `written ${a.report.totals.written}`);
    assert.ok(a.report.totals.duplicates > 60_000, `duplicates ${a.report.totals.duplicates}`);
    assert.ok(await assertSame(a, b) >= 2);
    assert.equal((await verifyCatalog(b.out)).ok, true);
  }
});

test('fast path on order-book deltas of two files, days outside the job and no preset: the precision scan and the flags are the same', async (t) => {
  const dir = await tempDir(t);
  await genTardisBookL2({ path: join(dir, 'a.csv.gz'), rows: 50_000, start: '2024-01-01', days: 3, seed: 12, levels: 20, resnapshots: 5, symbol: 'FOOUSDT' });
  await genTardisBookL2({ path: join(dir, 'b.csv'), rows: 30_000, start: '2024-01-02', days: 1, seed: 13, levels: 400, resnapshots: 0, symbol: 'FOOUSDT', gzip: false });
  // a row with a 3-decimal price and a 5-decimal amount after the first batch (the scan finds them)
  const lines = (await readFile(join(dir, 'b.csv'), 'utf8')).split('\n').filter(Boolean);
  const f = lines[20_000]!.split(',');
  f[6] = f[6]!.split('.')[0] + '.125';
  f[7] = '1.23456';
  lines.splice(20_001, 0, f.join(','));
  await writeFile(join(dir, 'b.csv'), lines.join('\n') + '\n');
  // the job's middle day only: the first file's first and last days move the book on, unwritten
  const [a, b] = await both(t, dir, { deltas: { file_path: ['a.csv.gz', 'b.csv'] } }, { symbol: 'FOOUSDT', start: '2024-01-02', end: '2024-01-02', dataTypes: ['deltas'] });
  assert.ok(a.report.ok, a.report.errors.join('\n'));
  assert.deepEqual([a.report.instrument.pricePrecision, a.report.instrument.sizePrecision], [3, 5]);
  assert.deepEqual([b.report.instrument.pricePrecision, b.report.instrument.sizePrecision], [3, 5]);
  await assertSame(a, b);
});

test('row groups encoded on worker threads give the same bytes as row groups encoded in line', async (t) => {
  const dir = await tempDir(t);
  // Row groups of at least pwriter's INLINE_ROWS go to the encoder threads; CB_ENCODE_WORKERS=0 encodes
  // every one on the calling thread. The pool is made once per process, so each mode runs in a child.
  await genTardisTrades({ path: join(dir, 'big.csv.gz'), rows: 120_000, start: '2024-01-01', days: 1, seed: 3 });
  await writeFile(join(dir, 'config.json'), JSON.stringify({ base_path: '.', files: { trades: { file_path: 'big.csv.gz' } } }));
  const script = join(dir, 'run.mts');
  await writeFile(script, `import { runBuild } from ${JSON.stringify(pathToFileURL(join(ROOT, 'engine/jobs/build.ts')).href)};
const config = JSON.parse(await (await import('node:fs/promises')).readFile(${JSON.stringify(join(dir, 'config.json'))}, 'utf8'));
const r = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: process.argv[2], dataTypes: ['trades'], config, configDir: ${JSON.stringify(dir)}, rowGroupSize: 25_000 });
console.log(JSON.stringify(r.totals));
`);
  const outs: string[] = [];
  for (const workers of ['0', '2']) {
    const out = join(dir, `c${workers}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, out], { cwd: ROOT, env: { ...process.env, CB_ENCODE_WORKERS: workers }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout.trim().split('\n').at(-1)!) as RunReport['totals']).written, 120_000);
    outs.push(out);
  }
  const list = await filesUnder(join(outs[0]!, 'data'));
  assert.deepEqual(await filesUnder(join(outs[1]!, 'data')), list);
  for (const f of list) assert.ok((await readFile(join(outs[0]!, 'data', f))).equals(await readFile(join(outs[1]!, 'data', f))), `${f}: the same bytes`);
  const v = await verifyCatalog(outs[1]!);
  assert.equal(v.ok, true, v.errors.join('\n'));
});

/** A FastTradeParser over `exchange,symbol,timestamp,local_timestamp,id,side,price,amount` rows, handing its rows to `seen`. */
function tradeParser(sideMode: 'text' | 'maker', seen: number[]): FastTradeParser {
  const det = { delimiter: ',', columns: ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'id', 'side', 'price', 'amount'] } as unknown as Detected;
  const plan = { decimal: '.', cols: { timestamp: 2, local_timestamp: 3, trade_id: 4, aggressor_side: 5, price: 6, size: 7 }, sideMode, sides: null } as unknown as Plan;
  const norm = { tradeFast: (r: FastTrade) => (seen.push(r.side), true), counters: { rows: 0 } } as unknown as Normalizer;
  return new FastTradeParser(FastTradeParser.roles(det, plan, 'trades')!, det, plan, norm, { unit: 'us' }, { unit: 'us' });
}

test('trade sides in any letter case (Bybit and BitMEX write Buy / Sell) take the fast path, with parseSide\'s value', () => {
  const line = (side: string) => Buffer.from(`bybit,BTCUSDT,1704067200000000,1704067200000100,7,${side},42000.5,0.001\n`);
  for (const [mode, words] of [['text', ['buy', 'Buy', 'BUY', 'bUy', 'sell', 'Sell', 'SELL']], ['maker', ['true', 'True', 'TRUE', 'false', 'False', 'FALSE']]] as const) {
    for (const w of words) {
      const seen: number[] = [];
      const b = line(w);
      assert.equal(tradeParser(mode, seen).line(b, 0, b.length, 2), b.length, `${mode} ${w}: read by the fast path`);
      assert.deepEqual(seen, [parseSide(w, mode)], `${mode} ${w}`);
    }
  }
  // Other spellings stay with the complete path, which trims and knows the rest of its table.
  for (const w of ['Buyer', ' buy', 'buy ', 'Bid', 'B', 'Sel', 'Selll', 'Tru']) {
    const seen: number[] = [];
    const b = line(w);
    assert.equal(tradeParser('text', seen).line(b, 0, b.length, 2), -1, w);
    assert.deepEqual(seen, []);
  }
});

test('fast path on a Bybit-style export (semicolons, ms times, Buy / Sell, hex ids, odd rows): the same catalog', async (t) => {
  const dir = await tempDir(t);
  const rows = ['symbol;execTime;side;price;size;trdMatchID'];
  let ts = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 30_000; i++) {
    ts += (i * 7919) % 900;
    const side = ['Buy', 'Sell', 'BUY', 'sell'][i % 4]!;
    rows.push(`BTCUSDT;${ts};${side};${(42000 + ((i * 37) % 200) / 10).toFixed(1)};${(((i * 13) % 2000) + 1) / 1000};${(i * 2654435761 % 2 ** 32).toString(16)}-${i}`);
  }
  rows.splice(5000, 0, `BTCUSDT;${ts};Buyer;42000.5;0.001;odd-1`, `BTCUSDT;${ts};Sell;42000.5;-0.001;odd-2`, `ETHUSDT;${ts};Buy;2300.5;0.001;odd-3`);
  await writeFile(join(dir, 'bybit.csv'), rows.join('\r\n') + '\r\n');
  const columns = { timestamp: 'execTime', aggressor_side: 'side', price: 'price', size: 'size', trade_id: 'trdMatchID' };
  const [a, b] = await both(t, dir, { trades: { file_path: 'bybit.csv', columns } }, { symbol: 'BTCUSDT', exchange: 'bybit-linear', start: '2024-01-01', end: '2024-01-01', rowGroupSize: 5000 });
  assert.equal(a.report.totals.written, 30_001, a.report.errors.join('\n'));
  assert.equal(a.report.totals.rejected, 1);
  await assertSame(a, b);
});

test('order-book sides and snapshot flags in any letter case take the delta fast path, with the complete path\'s values', () => {
  const det = { delimiter: ',', columns: ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'is_snapshot', 'side', 'price', 'amount'] } as unknown as Detected;
  const plan = { decimal: '.', cols: { timestamp: 2, local_timestamp: 3, is_snapshot: 4, book_side: 5, price: 6, size: 7 } } as unknown as Plan;
  const parse = (snap: string, side: string) => {
    const seen: [boolean, number][] = [];
    const norm = { deltaFast: (r: FastDelta) => (seen.push([r.isSnapshot, r.side]), true), counters: { rows: 0 } } as unknown as Normalizer;
    const p = new FastDeltaParser(FastDeltaParser.roles(det, plan, 'deltas')!, det, plan, norm, { unit: 'us' }, { unit: 'us' });
    const b = Buffer.from(`x,BTCUSDT,1704067200000000,1704067200000100,${snap},${side},42000.5,0.001\n`);
    return { at: p.line(b, 0, b.length, 2), seen };
  };
  for (const [snap, isSnapshot] of [['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false]] as const) {
    for (const [side, book] of [['bid', BOOK_BUY], ['Bid', BOOK_BUY], ['BID', BOOK_BUY], ['ask', BOOK_SELL], ['Ask', BOOK_SELL], ['ASK', BOOK_SELL]] as const) {
      const r = parse(snap, side);
      assert.ok(r.at > 0, `${snap} ${side}: read by the fast path`);
      assert.deepEqual(r.seen, [[isSnapshot, book]], `${snap} ${side}`);
    }
  }
  for (const [snap, side] of [['true', 'bids'], ['true', 'Buy'], ['1', 'bid'], ['Truee', 'bid'], ['true', ' bid']]) assert.equal(parse(snap!, side!).at, -1, `${snap} ${side}`);
});
