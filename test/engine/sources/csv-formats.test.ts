// CSV source formats (spec sources.md §1.5, §2, §4): every detected format and option, checked
// against the rows actually written to the catalog.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';
import type { JobSpecInput } from '../../../shared/job.js';
import type { RunReport } from '../../../shared/report.js';
import { readRaw } from '../../../engine/numbers/fixed.js';
import { autoMap } from '../../../engine/sources/csv/plan.js';
import { SOURCES, build, fundingRate, needShared, readRows, tempDir } from '../../helpers.js';

type Row = Record<string, unknown>;

/** Decimal text -> raw at 10^16 (128-bit mode), computed independently of the engine. */
function raw(text: string, F = 16): bigint {
  const [i, f = ''] = text.split('.');
  return BigInt(i! + f.padEnd(F, '0'));
}
const fixed = (r: Row, k: string, signed = true) => readRaw(r[k] as Uint8Array, 0, 16, signed);
/** [price, size, aggressor_side, trade_id, ts_event, ts_init] of trade rows. */
const tradeTuples = (rows: Row[]) => rows.map((r) => [fixed(r, 'price'), fixed(r, 'size', false), r.aggressor_side, r.trade_id, r.ts_event, r.ts_init]);
const ms = (v: number) => BigInt(v) * 1_000_000n;

async function write(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
}

/** Runs a job that must succeed and returns its report. */
async function ok(dir: string, files: Record<string, unknown>, job: Partial<JobSpecInput>): Promise<RunReport> {
  const report = await build(dir, files, job);
  assert.equal(report.ok, true, report.errors.join('\n'));
  return report;
}

/** Rows of the single written day of `type`. */
async function dayRows(report: RunReport, type: string, day?: string): Promise<Row[]> {
  const d = report.days.filter((x) => x.dataType === type && (!day || x.day === day));
  assert.equal(d.length, 1, `one ${type} day expected, got ${d.map((x) => x.day).join(', ')}`);
  assert.equal(d[0]!.state, 'done');
  assert.ok(d[0]!.file, `${type} ${d[0]!.day} has no file`);
  return readRows(d[0]!.file!);
}

const T0 = 1704067200000; // 2024-01-01T00:00:00Z in ms

// ---------------------------------------------------------------------------------------------
// Tardis

test('Tardis trades fixture: 1200 rows, ts from µs, buy/sell sides, sorted by ts_init', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const src = join(SOURCES, 'tardis-csv_trades_binance-futures_BTCUSDT_2020-02-22.csv');
  const report = await ok(dir, { trades: { file_path: src } }, { start: '2020-02-22', end: '2020-02-22' });
  assert.equal(report.files.length, 1);
  assert.equal(report.files[0]!.format, 'tardis.trades');
  assert.equal(report.files[0]!.compression, 'none');
  assert.equal(report.files[0]!.rows, 1200);
  assert.equal(report.files[0]!.rejected, 0);
  assert.equal(report.files[0]!.outOfRange, 0);
  assert.ok(report.files[0]!.notes.includes('timestamps: Unix us'), report.files[0]!.notes.join('; '));
  assert.equal(report.days.length, 1);
  const day = report.days[0]!;
  assert.deepEqual([day.day, day.state, day.read, day.written, day.duplicates, day.skipped, day.rejected], ['2020-02-22', 'done', 1200, 1200, 0, 0, {}]);
  assert.equal(report.instrument.id, 'BTCUSDT-PERP.BINANCE');

  // Expected rows, parsed from the fixture here without the engine.
  const lines = (await readFile(src, 'utf8')).trim().split('\n');
  assert.equal(lines[0], 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount');
  const expected = new Map(lines.slice(1).map((l) => {
    const [, , ts, local, id, side, price, amount] = l.split(',');
    return [id!, [raw(price!), raw(amount!), side === 'buy' ? 1 : 2, id!, BigInt(ts!) * 1000n, BigInt(local!) * 1000n]] as const;
  }));
  assert.equal(expected.size, 1200);

  const rows = await readRows(day.file!);
  assert.equal(rows.length, 1200);
  for (let i = 1; i < rows.length; i++) assert.ok((rows[i]!.ts_init as bigint) >= (rows[i - 1]!.ts_init as bigint), `row ${i} out of ts_init order`);
  for (const tuple of tradeTuples(rows)) assert.deepEqual(tuple, expected.get(tuple[3] as string));
  assert.equal(rows.filter((r) => r.aggressor_side === 1).length, 751);
  assert.equal(rows.filter((r) => r.aggressor_side === 2).length, 449);
  // First fixture row, spelled out.
  const first = rows.find((r) => r.trade_id === '42377944')!;
  assert.deepEqual(tradeTuples([first])[0], [9682n * 10n ** 16n, 132n * 10n ** 13n, 1, '42377944', 1582329602111000000n, 1582329602418379000n]);
});

const DT_HEADER = 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price';
const NEXT1 = 1704096000000000, NEXT2 = 1704124800000000; // µs
const dtRow = (k: number, next: number | '', rate: string, mark: string) =>
  `binance-futures,BTCUSDT,${(T0 + k * 1000) * 1000},${(T0 + k * 1000 + 100) * 1000},${next},${rate},,,42000.6,42001.2,${mark}`;
const DERIVATIVE_TICKER = [
  DT_HEADER,
  dtRow(0, NEXT1, '0.00010000', '42002.37'), // mark new,   funding new
  dtRow(1, NEXT1, '0.00010000', '42002.37'), // mark dup,   funding dup
  dtRow(2, NEXT1, '0.00012000', ''), //         mark skip,  funding new (rate)
  dtRow(3, '', '', '42003.5'), //               mark new,   funding skip
  dtRow(4, NEXT1, '0.000120', '42003.50'), //   mark dup,   funding dup (same rate, same next)
  dtRow(5, NEXT2, '0.00012000', '42003.499'), // mark dup after rounding to 2 decimals, funding new (next)
  dtRow(6, NEXT2, '0.00012000', '42002.37'), // mark new (changed back), funding dup
].join('\n') + '\n';
const dtTs = (k: number) => [BigInt((T0 + k * 1000) * 1000) * 1000n, BigInt((T0 + k * 1000 + 100) * 1000) * 1000n];

test('Tardis derivative_ticker -> mark: changes only, empty mark_price counted as skipped', async (t) => {
  const dir = await tempDir(t);
  await write(dir, { 'dt.csv': DERIVATIVE_TICKER });
  const report = await ok(dir, { mark: { file_path: 'dt.csv' } }, {});
  assert.equal(report.files[0]!.format, 'tardis.derivative_ticker');
  assert.equal(report.files[0]!.rows, 7);
  const d = report.days[0]!;
  assert.deepEqual([d.read, d.written, d.duplicates, d.skipped, d.rejected], [7, 3, 3, 1, {}]);
  const rows = await dayRows(report, 'mark');
  assert.deepEqual(rows.map((r) => [fixed(r, 'value'), r.ts_event, r.ts_init]), [
    [raw('42002.37'), ...dtTs(0)],
    [raw('42003.5'), ...dtTs(3)],
    [raw('42002.37'), ...dtTs(6)],
  ]);
});

test('Tardis derivative_ticker -> funding: rate text, next_funding_ns from funding_timestamp, no interval, unchanged repeats dropped', async (t) => {
  const dir = await tempDir(t);
  await write(dir, { 'dt.csv': DERIVATIVE_TICKER });
  const report = await ok(dir, { funding: { file_path: 'dt.csv' } }, {});
  const d = report.days[0]!;
  assert.deepEqual([d.dataType, d.read, d.written, d.duplicates, d.skipped, d.rejected], ['funding', 7, 3, 3, 1, {}]);
  const rows = await dayRows(report, 'funding');
  assert.deepEqual(rows.map((r) => [fundingRate(r.rate), r.interval, r.next_funding_ns, r.ts_event, r.ts_init]), [
    ['0.0001', null, BigInt(NEXT1) * 1000n, ...dtTs(0)],
    ['0.00012', null, BigInt(NEXT1) * 1000n, ...dtTs(2)],
    ['0.00012', null, BigInt(NEXT2) * 1000n, ...dtTs(5)],
  ]);
});

test('one derivative_ticker file feeds mark and funding in the same job', async (t) => {
  const dir = await tempDir(t);
  await write(dir, { 'dt.csv': DERIVATIVE_TICKER });
  const report = await ok(dir, { mark: { file_path: 'dt.csv' }, funding: { file_path: 'dt.csv' } }, {});
  assert.deepEqual(report.days.map((d) => [d.dataType, d.written]), [['mark', 3], ['funding', 3]]);
  assert.ok(report.days.every((d) => d.file && d.file.includes(d.dataType === 'mark' ? 'mark_price_update' : 'funding_rate_update')), report.days.map((d) => d.file).join(', '));
});

// ---------------------------------------------------------------------------------------------
// Binance Vision

const AGG_HEADER = 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker';
const AGG_ROWS = [`100,42000.10,0.005,200,201,${T0 + 123},true`, `101,42000.2,1.000,202,202,${T0 + 456},false`, `102,41999.99,0.1,203,205,${T0 + 456},FALSE`];
const AGG_EXPECTED = [
  [raw('42000.10'), raw('0.005'), 2, '100', ms(T0 + 123), ms(T0 + 123)],
  [raw('42000.2'), raw('1'), 1, '101', ms(T0 + 456), ms(T0 + 456)],
  [raw('41999.99'), raw('0.1'), 1, '102', ms(T0 + 456), ms(T0 + 456)],
];

for (const header of [true, false]) {
  test(`Vision aggTrades ${header ? 'with' : 'without'} header: agg id, ms timestamps, is_buyer_maker true -> SELLER`, async (t) => {
    const dir = await tempDir(t);
    await write(dir, { 'BTCUSDT-aggTrades-2024-01-01.csv': [...(header ? [AGG_HEADER] : []), ...AGG_ROWS].join('\n') + '\n' });
    const report = await ok(dir, { trades: { file_path: 'BTCUSDT-aggTrades-2024-01-01.csv' } }, {});
    assert.equal(report.files[0]!.format, 'vision.aggTrades');
    assert.equal(report.files[0]!.rows, 3);
    assert.ok(report.files[0]!.notes.includes('timestamps: Unix ms'));
    assert.deepEqual(tradeTuples(await dayRows(report, 'trades')), AGG_EXPECTED);
  });
}

test('Vision trades with header: id, qty, is_buyer_maker both ways', async (t) => {
  const dir = await tempDir(t);
  await write(dir, {
    'BTCUSDT-trades-2024-01-01.csv': `id,price,qty,quote_qty,time,is_buyer_maker\n5001,42000.5,0.010,420.005,${T0 + 1},false\n5002,42000.4,0.020,840.008,${T0 + 2},true\n`,
  });
  const report = await ok(dir, { trades: { file_path: 'BTCUSDT-trades-2024-01-01.csv' } }, {});
  assert.equal(report.files[0]!.format, 'vision.trades');
  assert.deepEqual(tradeTuples(await dayRows(report, 'trades')), [
    [raw('42000.5'), raw('0.01'), 1, '5001', ms(T0 + 1), ms(T0 + 1)],
    [raw('42000.4'), raw('0.02'), 2, '5002', ms(T0 + 2), ms(T0 + 2)],
  ]);
});

test('Vision trades, the real headerless OMGUSDT row: explicit precision for a symbol without a preset', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const src = join(SOURCES, 'binance-vision_um_daily_trades_OMGUSDT-2021-04-08_headerless-row.csv');
  assert.equal((await readFile(src, 'utf8')).trim(), '51254697,9.96,18.8,187.248,1617840001352,false');
  const report = await ok(dir, { trades: { file_path: src } }, { symbol: 'OMGUSDT', start: '2021-04-08', end: '2021-04-08', pricePrecision: 4, sizePrecision: 1 });
  assert.equal(report.files[0]!.format, 'vision.trades');
  assert.equal(report.instrument.id, 'OMGUSDT-PERP.BINANCE');
  assert.deepEqual([report.instrument.pricePrecision, report.instrument.sizePrecision], [4, 1]);
  assert.match(report.instrument.precisionSource, /--price-precision/);
  assert.match(report.instrument.precisionSource, /--size-precision/);
  const rows = await dayRows(report, 'trades', '2021-04-08');
  assert.deepEqual(tradeTuples(rows), [[996n * 10n ** 14n, 188n * 10n ** 15n, 1, '51254697', 1617840001352000000n, 1617840001352000000n]]);
});

test('explicit precision also works for a funding-only job on a symbol without a preset', async (t) => {
  const dir = await tempDir(t);
  await write(dir, { 'f.csv': `calc_time,funding_interval_hours,last_funding_rate\n${T0},8,0.00010000\n` });
  const report = await ok(dir, { funding: { file_path: 'f.csv' } }, { symbol: 'OMGUSDT', pricePrecision: 4, sizePrecision: 1 });
  assert.deepEqual([report.instrument.pricePrecision, report.instrument.sizePrecision], [4, 1]);
  assert.equal((await dayRows(report, 'funding')).length, 1);
});

const KLINE_HEADER = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
const kline = (k: number, close: string) => `${T0 + k * 60000},42000.0,42010.5,41990.1,${close},0,${T0 + k * 60000 + 59999},0,60,0,0,0`;

for (const header of [true, false]) {
  test(`Vision markPriceKlines ${header ? 'with' : 'without'} header: ts_event = close_time, value = close`, async (t) => {
    const dir = await tempDir(t);
    // Binance names these files SYMBOL-1m-DATE: the all-zero volumes are what marks them as mark-price klines.
    await write(dir, { 'BTCUSDT-1m-2024-01-01.csv': [...(header ? [KLINE_HEADER] : []), kline(0, '42001.23'), kline(1, '42002.5'), kline(2, '42002.5')].join('\n') + '\n' });
    const report = await ok(dir, { mark: { file_path: 'BTCUSDT-1m-2024-01-01.csv' } }, {});
    assert.equal(report.files[0]!.format, 'vision.markPriceKlines');
    const d = report.days[0]!;
    assert.deepEqual([d.read, d.written, d.duplicates, d.skipped], [3, 3, 0, 0], 'Vision klines are not deduplicated');
    assert.deepEqual((await dayRows(report, 'mark')).map((r) => [fixed(r, 'value'), r.ts_event, r.ts_init]), [
      [raw('42001.23'), ms(T0 + 59999), ms(T0 + 59999)],
      [raw('42002.5'), ms(T0 + 119999), ms(T0 + 119999)],
      [raw('42002.5'), ms(T0 + 179999), ms(T0 + 179999)],
    ]);
  });
}

test('last-price klines (non-zero volumes, no markPriceKlines in the name) are not taken as mark prices', async (t) => {
  const dir = await tempDir(t);
  await write(dir, { 'BTCUSDT-1m-2024-01-01.csv': `${KLINE_HEADER}\n${T0},42000.0,42010.5,41990.1,42001.2,12.5,${T0 + 59999},525000.1,60,6.1,256000.2,0\n` });
  const report = await build(dir, { mark: { file_path: 'BTCUSDT-1m-2024-01-01.csv' } });
  assert.equal(report.ok, false);
  // a file that cannot feed the data type asked of it is a config mismatch: refused before reading
  assert.match(report.errors.join('\n'), /BTCUSDT-1m-2024-01-01\.csv.*Binance Vision klines/);
  // …but the file name settles it.
  const dir2 = await tempDir(t);
  await write(dir2, { 'BTCUSDT-markPriceKlines-1m-2024-01-01.csv': `${KLINE_HEADER}\n${T0},42000.0,42010.5,41990.1,42001.2,12.5,${T0 + 59999},525000.1,60,6.1,256000.2,0\n` });
  const r2 = await ok(dir2, { mark: { file_path: 'BTCUSDT-markPriceKlines-1m-2024-01-01.csv' } }, {});
  assert.equal(r2.files[0]!.format, 'vision.markPriceKlines');
  assert.deepEqual((await dayRows(r2, 'mark')).map((r) => fixed(r, 'value')), [raw('42001.2')]);
});

for (const header of [true, false]) {
  test(`Vision fundingRate ${header ? 'with' : 'without'} header: interval = hours*60, next = calc_time + hours`, async (t) => {
    const dir = await tempDir(t);
    const body = [...(header ? ['calc_time,funding_interval_hours,last_funding_rate'] : []),
      `${T0},8,0.00010000`, `${T0 + 8 * 3600000},8,0.00010000`, `${T0 + 16 * 3600000},4,-0.00002500`].join('\n') + '\n';
    await write(dir, { 'BTCUSDT-fundingRate-2024-01.csv': body });
    const report = await ok(dir, { funding: { file_path: 'BTCUSDT-fundingRate-2024-01.csv' } }, {});
    assert.equal(report.files[0]!.format, 'vision.fundingRate');
    const d = report.days[0]!;
    assert.deepEqual([d.read, d.written, d.duplicates], [3, 3, 0], 'settled rates are all kept, even when equal');
    const h = 3_600_000_000_000n;
    assert.deepEqual((await dayRows(report, 'funding')).map((r) => [fundingRate(r.rate), r.interval, r.next_funding_ns, r.ts_event, r.ts_init]), [
      ['0.0001', 480, ms(T0) + 8n * h, ms(T0), ms(T0)],
      ['0.0001', 480, ms(T0) + 16n * h, ms(T0) + 8n * h, ms(T0) + 8n * h],
      ['-0.000025', 240, ms(T0) + 20n * h, ms(T0) + 16n * h, ms(T0) + 16n * h],
    ]);
  });
}

// ---------------------------------------------------------------------------------------------
// Generic CSV

const GENERIC_EXPECTED = [
  [raw('42000.1'), raw('0.5'), 1, 'a1', ms(T0 + 1000), ms(T0 + 1000)],
  [raw('42000.25'), raw('1.25'), 2, 'a2', ms(T0 + 2000), ms(T0 + 2000)],
  [raw('41999'), raw('2'), 0, 'a3', ms(T0 + 3000), ms(T0 + 3000)],
];
const genericRows = (d: string) => [
  ['time', 'price', 'volume', 'side', 'id'],
  [T0 + 1000, '42000.1', '0.5', 'buy', 'a1'],
  [T0 + 2000, '42000.25', '1.25', 'SELL', 'a2'],
  [T0 + 3000, '41999', '2', 'unknown', 'a3'],
].map((r) => r.join(d)).join('\n') + '\n';

test('generic CSV with an explicit "columns" mapping (names that no alias would find)', async (t) => {
  const dir = await tempDir(t);
  await write(dir, { 'x.csv': `when_ms,instrument,px,qty_base,taker,fill_ref\n${T0 + 1000},BTC,42000.1,0.5,b,a1\n${T0 + 2000},BTC,42000.25,1.25,s,a2\n${T0 + 3000},BTC,41999,2,none,a3\n` });
  const columns = { timestamp: 'when_ms', price: 'px', size: 'qty_base', aggressor_side: 'taker', trade_id: 'fill_ref' };
  const report = await ok(dir, { trades: { file_path: 'x.csv', columns } }, {});
  assert.equal(report.files[0]!.format, 'generic');
  assert.deepEqual(tradeTuples(await dayRows(report, 'trades')), GENERIC_EXPECTED);

  // Without the mapping the same file cannot be read.
  const dir2 = await tempDir(t);
  await write(dir2, { 'x.csv': await readFile(join(dir, 'x.csv')) });
  const bad = await build(dir2, { trades: { file_path: 'x.csv' } });
  assert.equal(bad.ok, false);
  // (qty_base is guessed for the size by its word "qty"; when_ms says no time word)
  assert.match(bad.files[0]!.error!, /x\.csv.*no column for timestamp \(columns:/);
});

test('an exchange export\'s columns are guessed by their words (exec_time, exec_price, execQty), never from a word that makes them something else', () => {
  const guess = (cols: string[], type: 'trades' | 'quotes' | 'mark' = 'trades') => {
    const a = autoMap(cols, type);
    return Object.fromEntries(Object.entries(a.cols).map(([f, i]) => [f, `${cols[i!]} ${a.confidence[f as keyof typeof a.confidence]}`]));
  };
  assert.deepEqual(guess(['exec_time', 'symbol', 'Side', 'exec_price', 'execQty', 'exec_id']),
    { timestamp: 'exec_time 0.6', aggressor_side: 'Side 1', price: 'exec_price 0.6', size: 'execQty 0.6', trade_id: 'exec_id 0.6' });
  // Words of another thing: a quote's bid and ask, a notional, a receive time, a mark price are never a trade's.
  assert.deepEqual(guess(['recv_time', 'bid_price', 'ask_price', 'bid_qty', 'ask_qty']), { local_timestamp: 'recv_time 0.8' }, 'a receive time is never the event time');
  assert.deepEqual(guess(['event_time', 'mark_price', 'quote_qty', 'trade_price', 'base_qty']), { timestamp: 'event_time 0.5', price: 'trade_price 0.75', size: 'base_qty 0.6' }, 'exact names (eventtime, tradeprice) first');
  // Two columns with the word: no guess (the user picks; the app shows both as runner-ups).
  assert.deepEqual(guess(['create_time', 'update_time', 'price', 'qty']), { price: 'price 1', size: 'qty 0.8' });
  // An exact name still wins over a word, and quotes are not made of trade words.
  assert.deepEqual(guess(['timestamp', 'exec_time', 'bid_price', 'bid_size', 'ask_price', 'ask_size'], 'quotes'),
    { timestamp: 'timestamp 1', bid_price: 'bid_price 1', bid_size: 'bid_size 1', ask_price: 'ask_price 1', ask_size: 'ask_size 1' });
});

test('an OHLCV export is never auto-mapped as trades or mark prices (a close is not a trade); an explicit mapping is the user\'s word', async (t) => {
  const ohlcv = `datetime,open,high,low,close,volume\n${T0 + 3_600_000},42000.5,42100,41900.25,42050,12.5\n${T0 + 7_200_000},42050,42080,42000,42010.75,3\n`;
  for (const type of ['trades', 'mark'] as const) {
    const dir = await tempDir(t);
    await write(dir, { 'bars.csv': ohlcv });
    const bad = await build(dir, { [type]: { file_path: 'bars.csv' } }, { dataTypes: [type] });
    assert.equal(bad.ok, false, type);
    assert.match(bad.files[0]!.error!, /bars\.csv holds bars \(columns open, high, low, close\), not (trades|mark)/);
    assert.deepEqual(bad.days.filter((d) => d.state === 'done' && d.file), [], `no ${type} file written`);
  }
  // Same file, columns mapped by hand: written as the user said.
  const dir = await tempDir(t);
  await write(dir, { 'bars.csv': ohlcv });
  const report = await ok(dir, { trades: { file_path: 'bars.csv', columns: { timestamp: 'datetime', price: 'close', size: 'volume' } } }, { dataTypes: ['trades'] });
  assert.deepEqual((await dayRows(report, 'trades')).map((r) => fixed(r, 'price')), [raw('42050'), raw('42010.75')]);
});

test('headerless generic CSV mapped by column index', async (t) => {
  const dir = await tempDir(t);
  await write(dir, { 'x.csv': `a1,${T0 + 1000},42000.1,0.5,buy\na2,${T0 + 2000},42000.25,1.25,sell\na3,${T0 + 3000},41999,2,\n` });
  const columns = { trade_id: '0', timestamp: '1', price: '2', size: '3', aggressor_side: '4' };
  const report = await ok(dir, { trades: { file_path: 'x.csv', columns, has_header: false } }, {});
  assert.equal(report.files[0]!.format, 'generic');
  assert.deepEqual(tradeTuples(await dayRows(report, 'trades')), GENERIC_EXPECTED);
});

test('generic CSV auto-mapped by header aliases (time,price,volume,side,id)', async (t) => {
  const dir = await tempDir(t);
  await write(dir, { 'x.csv': genericRows(',') });
  const report = await ok(dir, { trades: { file_path: 'x.csv' } }, {});
  assert.equal(report.files[0]!.format, 'generic');
  assert.deepEqual(tradeTuples(await dayRows(report, 'trades')), GENERIC_EXPECTED);
});

test('semicolon- and tab-delimited files are detected; a forced delimiter also works', async (t) => {
  for (const [d, cfg] of [[';', {}], ['\t', {}], ['|', { delimiter: '|' }]] as const) {
    const dir = await tempDir(t);
    await write(dir, { 'x.csv': genericRows(d) });
    const report = await ok(dir, { trades: { file_path: 'x.csv', ...cfg } }, {});
    assert.deepEqual(tradeTuples(await dayRows(report, 'trades')), GENERIC_EXPECTED, JSON.stringify(d));
  }
});

test('quoted fields (one holding the delimiter) give the same rows as the unquoted file', async (t) => {
  const plain = `time,note,price,volume,side,id\n${T0 + 1000},x,42000.1,0.5,buy,a1\n${T0 + 2000},y,42000.25,1.25,SELL,a2\n${T0 + 3000},z,41999,2,unknown,a3\n`;
  const quoted = `"time","note","price","volume","side","id"\n"${T0 + 1000}","hello, world","42000.1","0.5","buy","a1"\n` +
    `"${T0 + 2000}","say ""hi"", then go","42000.25","1.25","SELL","a2"\n"${T0 + 3000}","a, b, c","41999","2","unknown","a3"\n`;
  const out: unknown[] = [];
  for (const body of [plain, quoted]) {
    const dir = await tempDir(t);
    await write(dir, { 'x.csv': body });
    const report = await ok(dir, { trades: { file_path: 'x.csv' } }, {});
    assert.equal(report.files[0]!.rows, 3);
    out.push(tradeTuples(await dayRows(report, 'trades')));
  }
  assert.deepEqual(out[0], GENERIC_EXPECTED);
  assert.deepEqual(out[1], out[0]);
});

// ---------------------------------------------------------------------------------------------
// Timestamps

const TS_CASES: [string, string[], bigint[], string][] = [
  ['s', ['1704067200', '1704067201.5', '1704067202'], [0n, 1_500_000_000n, 2_000_000_000n], 'timestamps: Unix s'],
  ['ms', ['1704067200000', '1704067201500', '1704067202000'], [0n, 1_500_000_000n, 2_000_000_000n], 'timestamps: Unix ms'],
  ['µs', ['1704067200000000', '1704067201500001', '1704067202000000'], [0n, 1_500_001_000n, 2_000_000_000n], 'timestamps: Unix us'],
  ['ns', ['1704067200000000000', '1704067201500000001', '1704067202000000000'], [0n, 1_500_000_001n, 2_000_000_000n], 'timestamps: Unix ns'],
  ['ISO Z', ['2024-01-01T00:00:00Z', '2024-01-01T00:00:01.5Z', '2024-01-01T00:00:02.000000000Z'], [0n, 1_500_000_000n, 2_000_000_000n], 'timestamps: ISO 8601'],
  ['ISO +02:00', ['2024-01-01T02:00:00+02:00', '2024-01-01T02:00:01.5+02:00', '2024-01-01T02:00:02.000000001+02:00'], [0n, 1_500_000_000n, 2_000_000_001n], 'timestamps: ISO 8601'],
  ['ISO no zone', ['2024-01-01T00:00:00', '2024-01-01 00:00:01.5', '2024-01-01T00:00:02.123456'], [0n, 1_500_000_000n, 2_123_456_000n], 'timestamps: ISO 8601'],
];

for (const [name, stamps, offsets, note] of TS_CASES) {
  test(`timestamp unit ${name} is detected per file`, async (t) => {
    const dir = await tempDir(t);
    await write(dir, { 'x.csv': `time,price,volume,side,id\n${stamps.map((s, i) => `${s},42000.1,0.5,buy,t${i}`).join('\n')}\n` });
    const report = await ok(dir, { trades: { file_path: 'x.csv' } }, {});
    const f = report.files[0]!;
    assert.ok(f.notes.includes(note), f.notes.join('; '));
    assert.equal(f.notes.some((n) => /without a time zone.*UTC/.test(n)), name === 'ISO no zone', f.notes.join('; '));
    const rows = await dayRows(report, 'trades');
    assert.deepEqual(rows.map((r) => [r.ts_event, r.ts_init]), offsets.map((o) => [ms(T0) + o, ms(T0) + o]));
  });
}

test('a forced timestamp_unit overrides detection', async (t) => {
  const dir = await tempDir(t);
  // 1704067200 read as ms would be 1970; forced to s it is 2024-01-01.
  await write(dir, { 'x.csv': 'time,price,volume,side,id\n1704067200,42000.1,0.5,buy,t1\n' });
  const report = await ok(dir, { trades: { file_path: 'x.csv', timestamp_unit: 's' } }, {});
  assert.deepEqual((await dayRows(report, 'trades')).map((r) => r.ts_event), [ms(T0)]);
});

// ---------------------------------------------------------------------------------------------
// Containers and text encoding

const PLAIN = `${AGG_HEADER}\n${AGG_ROWS.join('\n')}\n`;

function hasBzip2(): boolean {
  const r = spawnSync('bzip2', ['--help'], { stdio: 'ignore' });
  return !r.error;
}

async function zipOf(buf: Buffer, member: string, path: string): Promise<void> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(buf, member);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}

async function containerRows(t: TestContext, name: string, body: Buffer, compression: string) {
  const dir = await tempDir(t);
  await write(dir, { [name]: body });
  const report = await ok(dir, { trades: { file_path: name } }, {});
  assert.equal(report.files[0]!.compression, compression, name);
  assert.equal(report.files[0]!.format, 'vision.aggTrades', name);
  return tradeTuples(await dayRows(report, 'trades'));
}

test('containers are found by magic bytes: plain, gzip, gzip named .csv, zip, bz2 give identical rows', async (t) => {
  const plain = Buffer.from(PLAIN);
  assert.deepEqual(await containerRows(t, 'a.csv', plain, 'none'), AGG_EXPECTED);
  assert.deepEqual(await containerRows(t, 'a.csv.gz', gzipSync(plain), 'gzip'), AGG_EXPECTED);
  assert.deepEqual(await containerRows(t, 'a.csv', gzipSync(plain), 'gzip'), AGG_EXPECTED, 'a gzip file named .csv');
  assert.deepEqual(await containerRows(t, 'a.zip.csv.gz', gzipSync(plain), 'gzip'), AGG_EXPECTED);
  const zdir = await tempDir(t);
  await zipOf(plain, 'BTCUSDT-aggTrades-2024-01-01.csv', join(zdir, 'z'));
  assert.deepEqual(await containerRows(t, 'BTCUSDT-aggTrades-2024-01-01.zip', await readFile(join(zdir, 'z')), 'zip'), AGG_EXPECTED);
  assert.deepEqual(await containerRows(t, 'a.txt', await readFile(join(zdir, 'z')), 'zip'), AGG_EXPECTED, 'a zip without a .zip name');
});

test('bz2 container (made with the bzip2 tool)', async (t) => {
  if (!hasBzip2()) {
    if (process.env.CI) throw new Error('bzip2 is not installed; CI must have it');
    t.skip('the bzip2 command-line tool is missing');
    return;
  }
  const r = spawnSync('bzip2', ['-c'], { input: Buffer.from(PLAIN) });
  assert.equal(r.status, 0, String(r.stderr));
  assert.deepEqual(await containerRows(t, 'a.csv.bz2', r.stdout, 'bz2'), AGG_EXPECTED);
  assert.deepEqual(await containerRows(t, 'a.csv', r.stdout, 'bz2'), AGG_EXPECTED, 'a bz2 file named .csv');
});

test('CRLF line ends and a UTF-8 BOM are accepted, plain and compressed', async (t) => {
  const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(PLAIN.replace(/\n/g, '\r\n'))]);
  assert.deepEqual(await containerRows(t, 'a.csv', crlf, 'none'), AGG_EXPECTED);
  assert.deepEqual(await containerRows(t, 'a.csv.gz', gzipSync(crlf), 'gzip'), AGG_EXPECTED);
  // A BOM before a generic header must not hide the first column name.
  const dir = await tempDir(t);
  await write(dir, { 'x.csv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(genericRows(',').replace(/\n/g, '\r\n'))]) });
  const report = await ok(dir, { trades: { file_path: 'x.csv' } }, {});
  assert.deepEqual(tradeTuples(await dayRows(report, 'trades')), GENERIC_EXPECTED);
});

// ---------------------------------------------------------------------------------------------
// Precision

test('no preset and no overrides: precision is inferred from the data (most decimals seen)', async (t) => {
  const dir = await tempDir(t);
  // Most decimals: price 3 (0.125), size 2 (10.25); trailing zeros (1.2000) do not count.
  await write(dir, { 'x.csv': `time,price,volume,side,id\n${T0 + 1},0.125,10,buy,1\n${T0 + 2},1.2000,10.25,sell,2\n${T0 + 3},2,3.5,buy,3\n` });
  const report = await ok(dir, { trades: { file_path: 'x.csv' } }, { symbol: 'FOOUSDT' });
  assert.equal(report.instrument.id, 'FOOUSDT-PERP.BINANCE');
  assert.deepEqual([report.instrument.pricePrecision, report.instrument.sizePrecision], [3, 2]);
  assert.match(report.instrument.precisionSource, /inferred from the data/);
  const rows = await dayRows(report, 'trades');
  assert.deepEqual(rows.map((r) => [fixed(r, 'price'), fixed(r, 'size', false)]), [
    [raw('0.125'), raw('10')], [raw('1.2'), raw('10.25')], [raw('2'), raw('3.5')],
  ]);
  const inst = await readRows(report.instrument.file!);
  assert.deepEqual([inst[0]!.price_precision, inst[0]!.size_precision, inst[0]!.price_increment, inst[0]!.size_increment], [3, 2, '0.001', '0.01']);
});

test('a preset symbol uses the preset, and an override replaces it and says so', async (t) => {
  const dir = await tempDir(t);
  await write(dir, { 'x.csv': genericRows(',') });
  const r1 = await ok(dir, { trades: { file_path: 'x.csv' } }, {});
  assert.deepEqual([r1.instrument.pricePrecision, r1.instrument.sizePrecision, r1.instrument.precisionSource], [2, 3, 'preset Binance USD-M futures BTCUSDT']);
  const dir2 = await tempDir(t);
  await write(dir2, { 'x.csv': genericRows(',') });
  const r2 = await ok(dir2, { trades: { file_path: 'x.csv' } }, { pricePrecision: 4 });
  assert.deepEqual([r2.instrument.pricePrecision, r2.instrument.sizePrecision, r2.instrument.precisionSource], [4, 3, 'preset Binance USD-M futures BTCUSDT + --price-precision']);
  assert.deepEqual(tradeTuples(await dayRows(r2, 'trades')), GENERIC_EXPECTED);
});

test('another venue\'s export (Bybit public trades): its trdMatchID column is the trade id; a file without an id column says its ids are derived', async (t) => {
  const dir = await tempDir(t);
  const header = 'timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional';
  const rows = ['1704067219.4300,BTCUSDT,Buy,0.334,41990.4,PlusTick,6f0c7a1e-0001,1,0.334,14024.7936', '1704067223.7761,BTCUSDT,Sell,0.299,41987.4,MinusTick,6f0c7a1e-0002,1,0.299,12554.2326'];
  await writeFile(join(dir, 'bybit.csv'), [header, ...rows].join('\n') + '\n');
  const withId = await build(dir, { trades: { file_path: 'bybit.csv' } }, { output: join(dir, 'a') });
  assert.equal(withId.totals.written, 2, withId.errors.join('\n'));
  const written = await readRows(withId.days.find((d) => d.written)!.file!);
  assert.deepEqual(written.map((r) => r.trade_id), ['6f0c7a1e-0001', '6f0c7a1e-0002']);
  assert.ok(!withId.files[0]!.notes.some((n) => /no trade id column/.test(n)), withId.files[0]!.notes.join('; '));
  await writeFile(join(dir, 'noid.csv'), [header.replace(',trdMatchID', ''), ...rows.map((r) => r.replace(/,6f0c7a1e-000\d/, ''))].join('\n') + '\n');
  const noId = await build(dir, { trades: { file_path: 'noid.csv' } }, { output: join(dir, 'b') });
  assert.equal(noId.totals.written, 2);
  assert.ok(noId.files[0]!.notes.some((n) => /no trade id column: each trade gets an id derived/.test(n)), noId.files[0]!.notes.join('; '));
});
