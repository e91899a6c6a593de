// Renderer helpers: calendar, typed paths, job spec, chart geometry, formatting.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { addMonths, datesFromNames, daysBetween, inRange, monthGrid, pickDay } from '../../renderer/src/logic/dates.js';
import { mergeFiles, parsePaths, proposedUse, typesInUse } from '../../renderer/src/logic/files.js';
import { DATA_TYPE_INFO, TYPE_LABELS } from '../../renderer/src/logic/dataTypes.js';
import { DATA_TYPES } from '../../shared/job.js';
import { buildJob, defaultDraft } from '../../renderer/src/logic/job.js';
import { chartModel } from '../../renderer/src/logic/chart.js';
import { formatBytes, formatEta, formatRate } from '../../renderer/src/logic/format.js';
import * as M from '../../renderer/src/logic/mapping.js';
import { verifyInfoView } from '../../renderer/src/logic/verify.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { tempDir } from '../helpers.js';
import { fileInfo } from '../support/fake-api.js';

test('calendar: month grid starts on Monday, range picking in either order', () => {
  const feb = monthGrid({ year: 2024, month: 1 });
  assert.deepEqual(feb[0], [null, null, null, '2024-02-01', '2024-02-02', '2024-02-03', '2024-02-04']);
  assert.equal(feb.flat().filter(Boolean).length, 29);
  assert.deepEqual(addMonths({ year: 2024, month: 11 }, 1), { year: 2025, month: 0 });
  let r = pickDay({ start: null, end: null }, '2024-03-05');
  assert.deepEqual(r, { start: '2024-03-05', end: null });
  assert.equal(inRange(r, '2024-03-03', '2024-03-02'), true, 'hover previews the range backwards');
  r = pickDay(r, '2024-03-02');
  assert.deepEqual(r, { start: '2024-03-02', end: '2024-03-05' });
  assert.deepEqual(pickDay(r, '2024-04-01'), { start: '2024-04-01', end: null }, 'a third click starts again');
  assert.deepEqual(daysBetween('2024-02-28', '2024-03-01'), ['2024-02-28', '2024-02-29', '2024-03-01']);
  assert.deepEqual(daysBetween('2024-03-01', '2024-02-01'), []);
});

test('dates named in file names', () => {
  assert.deepEqual(datesFromNames(['binance-futures_trades_2024-01-03_BTCUSDT.csv.gz', 'BTCUSDT-aggTrades-2024-01-01.zip', 'x_20231231.csv', 'nodate.csv', 'bad-2024-13-01.csv']), { start: '2023-12-31', end: '2024-01-03' });
  assert.deepEqual(datesFromNames(['a.csv']), { start: null, end: null });
});

test('typed and pasted paths: one per line, quotes and file URLs', () => {
  assert.deepEqual(parsePaths('  /a/b.csv \n\n"/c d/e.csv"\r\nfile:///x/y%20z.csv.gz\n/a/b.csv'), ['/a/b.csv', '/c d/e.csv', '/x/y z.csv.gz']);
  assert.deepEqual(parsePaths('file:///C:/data/t.csv'), ['C:/data/t.csv']);
});

test('what a file is used for by default: its own data, never one type from another\'s file', () => {
  const ALL = [...DATA_TYPES];
  const types = (columns: string[], extra: Parameters<typeof fileInfo>[2] = {}) => proposedUse(fileInfo('/a', columns, { feeds: ALL, ...extra })).types;
  assert.deepEqual(types(['time', 'price', 'qty']), ['trades']);
  assert.deepEqual(types(['time', 'mark_price']), ['mark']);
  assert.deepEqual(types(['time', 'funding_rate']), ['funding']);
  assert.deepEqual(types(['time', 'mark_price', 'funding_rate']), ['mark', 'funding'], 'a ticker file feeds both');
  // Known formats: their own types, whatever the columns say.
  assert.deepEqual(types(['x'], { format: 'tardis.derivative_ticker', feeds: ['mark', 'funding'] }), ['mark', 'funding']);
  assert.deepEqual(types(['exchange', 'symbol', 'timestamp', 'local_timestamp', 'ask_amount', 'ask_price', 'bid_price', 'bid_amount'], { format: 'tardis.quotes', feeds: ['quotes'] }), ['quotes']);
  assert.deepEqual(types(['timestamp', 'asks[0].price', 'bids[0].price'], { format: 'tardis.book_snapshot', feeds: ['quotes'] }), ['quotes']);
  assert.deepEqual(types(['update_id', 'best_bid_price'], { format: 'vision.bookTicker', feeds: ['quotes'] }), ['quotes']);
  // Generic quotes: bid and ask columns, even beside a price and a size.
  assert.deepEqual(types(['ts', 'bid', 'bid_size', 'ask', 'ask_size']), ['quotes']);
  assert.deepEqual(types(['time', 'Best Bid Price', 'best_bid_qty', 'Best Ask Price', 'best_ask_qty', 'price', 'size']), ['quotes']);
  assert.deepEqual(types(['time', 'bid_price', 'bid_size']), [], 'one side is not a quote, nor a trade');
  // An exchange's export: trades by the words of its columns (as the engine maps them); a notional or a mark price is no size or price.
  assert.deepEqual(types(['exec_time', 'symbol', 'side', 'exec_price', 'exec_qty', 'exec_id']), ['trades']);
  assert.deepEqual(types(['execTime', 'execPrice', 'execQty']), ['trades']);
  assert.deepEqual(types(['time', 'mark_price', 'quote_qty']), ['mark'], 'not trades: no price, no size of a trade');
  assert.deepEqual(types(['time', 'trade_price', 'buy_qty', 'sell_qty']), [], 'two size columns: the user says which');
  // OHLC columns are bars, never trades (the engine refuses them as trades): Bars proposed; where the
  // engine offers no bars for the file, nothing is ticked and the file says why.
  for (const cols of [['time', 'open', 'high', 'low', 'close', 'volume'], ['t', 'o', 'h', 'l', 'c', 'v'], ['time', 'Open', 'High', 'Low', 'Close', 'price', 'qty']]) {
    assert.deepEqual(proposedUse(fileInfo('/bars.csv', cols, { feeds: ALL })), { types: ['bars'], warning: null, hint: null }, cols.join(','));
    const use = proposedUse(fileInfo('/bars.csv', cols, { feeds: ALL.filter((t) => t !== 'bars') }));
    assert.deepEqual(use.types, [], cols.join(','));
    assert.match(use.warning ?? '', /^Holds bars \(.+\): it cannot be used for trades\.$/, cols.join(','));
    assert.equal(use.hint, null);
  }
  assert.equal(proposedUse(fileInfo('/a', ['time', 'price', 'qty'])).warning, null);
  // Nothing recognised: nothing proposed (the user picks), with a hint.
  assert.deepEqual(proposedUse(fileInfo('/a', ['c0', 'c1', 'c2'], { feeds: ALL, hasHeader: false })), { types: [], warning: null, hint: 'No header: pick what it holds.' });
  assert.deepEqual(proposedUse(fileInfo('/a', ['foo', 'bar'], { feeds: ALL })).hint, 'Columns not recognised: pick what it holds.');
  // Only what the engine says the file can feed; unreadable files feed nothing.
  assert.deepEqual(types(['ts', 'bid', 'bid_size', 'ask', 'ask_size'], { feeds: ['trades', 'mark', 'funding'] }), []);
  assert.deepEqual(proposedUse(fileInfo('/a', [], { error: 'file not found', feeds: [] })), { types: [], warning: null, hint: null });
  const merged = mergeFiles(mergeFiles([], [fileInfo('/a', ['price'])]), [fileInfo('/a', ['price']), fileInfo('/b', ['price'])]);
  assert.deepEqual(merged.map((f) => f.info.path), ['/a', '/b']);
  const q = mergeFiles([], [fileInfo('/q', ['ts', 'bid', 'bid_size', 'ask', 'ask_size'], { feeds: ALL }), fileInfo('/t', ['time', 'price', 'qty'])]);
  assert.deepEqual(typesInUse(q), ['trades', 'quotes'], 'in DATA_TYPES order');
});

test('one table names and guesses every data type', () => {
  assert.deepEqual(Object.keys(DATA_TYPE_INFO).sort(), [...DATA_TYPES].sort());
  assert.deepEqual(Object.keys(TYPE_LABELS).sort(), [...DATA_TYPES].sort());
  assert.equal(TYPE_LABELS.quotes, 'Quotes');
});

test('the job spec: files per type, mapping only when changed, options, and what is missing', () => {
  const files = [
    { info: fileInfo('/d/t1.csv', ['ts', 'p', 'q']), types: ['trades' as const], options: { delimiter: ';' } },
    { info: fileInfo('/d/m1.csv', ['ts', 'mark']), types: ['mark' as const], options: {} },
  ];
  const draft = { ...defaultDraft(), start: '2024-01-01', end: '2024-01-02', output: '/cat', dataTypes: ['trades' as const, 'mark' as const], precisionMode: 64 as const };
  let m = M.fromPreview({ mapping: { timestamp: 'ts' }, confidence: {}, file: { columns: ['ts', 'p', 'q'] } as never });
  m = M.assign(M.assign(m, 'price', 'p'), 'size', 'q');
  const built = buildJob(draft, files, { [M.mappingKey('trades', files[0]!.info)]: m, [M.mappingKey('mark', files[1]!.info)]: M.emptyMapping() });
  assert.deepEqual(built.errors, []);
  assert.deepEqual(built.spec!.config, {
    files: {
      trades: { file_path: ['/d/t1.csv'], columns: { timestamp: 'ts', price: 'p', size: 'q' }, delimiter: ';' },
      mark: { file_path: ['/d/m1.csv'] },
    },
  });
  assert.equal(built.spec!.precisionMode, 64);
  const missing = buildJob({ ...draft, start: null, output: ' ', dataTypes: ['funding'] }, files, {});
  assert.deepEqual(missing.errors, [
    'Pick the first and last day on the calendar.', 'Choose an output folder.',
    'No file is marked as funding data: mark one on the Source step, or untick funding.',
  ]);
  const backwards = buildJob({ ...draft, start: '2024-01-05', end: '2024-01-02' }, files, {});
  assert.match(backwards.errors[0]!, /end 2024-01-02 is before start 2024-01-05/);
  const tardis = buildJob({ ...draft, source: 'tardis' }, [], {});
  assert.deepEqual(tardis.spec!.config, { files: {}, exchange: 'binance-futures' });
  assert.equal(built.spec!.exchange, 'binance-usdm', 'the market names the exchange');
});

test('the job spec: a bar type typed for bars goes to the engine as is; a malformed one is refused; empty means detected', () => {
  const files = [{ info: fileInfo('/d/k.csv', ['time', 'open', 'high', 'low', 'close', 'volume']), types: ['bars' as const], options: {} }];
  const draft = { ...defaultDraft(), start: '2024-01-01', end: '2024-01-01', output: '/cat', dataTypes: ['bars' as const] };
  assert.equal(buildJob(draft, files, {}).spec!.barType, undefined, 'empty: detected from the data');
  assert.equal(buildJob({ ...draft, barType: ' 4-hour-mark ' }, files, {}).spec!.barType, '4-HOUR-MARK');
  for (const bad of ['1-MINUTE', 'MINUTE-LAST', '0-MINUTE-LAST', '1-WEEK-LAST', '1-MINUTE-INDEX']) {
    const b = buildJob({ ...draft, barType: bad }, files, {});
    assert.equal(b.spec, null, bad);
    assert.match(b.errors[0]!, new RegExp(`^Bar type "${bad}": expected step-unit-price, e\\.g\\. 1-MINUTE-LAST`), bad);
  }
  // Without bars among the data types, a leftover bar type is not sent.
  const trades = [{ info: fileInfo('/d/t.csv', ['time', 'price', 'size']), types: ['trades' as const], options: {} }];
  assert.equal(buildJob({ ...draft, dataTypes: ['trades'], barType: 'nonsense' }, trades, {}).spec!.barType, undefined);
});

test('the job spec: the share of rows a file may have rejected, as a percent on screen and a ratio in the spec', () => {
  const files = [{ info: fileInfo('/d/t1.csv', ['ts', 'p', 'q']), types: ['trades' as const], options: {} }];
  const draft = { ...defaultDraft(), start: '2024-01-01', end: '2024-01-01', output: '/cat' };
  assert.equal(draft.maxRejectPercent, 50, 'the engine default: more rejected than accepted rows fails');
  assert.equal(buildJob(draft, files, {}).spec!.maxRejectRatio, 0.5);
  assert.equal(buildJob({ ...draft, maxRejectPercent: 5 }, files, {}).spec!.maxRejectRatio, 0.05);
  assert.equal(buildJob({ ...draft, maxRejectPercent: 0 }, files, {}).spec!.maxRejectRatio, 0, '0: any rejected row fails the run');
  assert.equal(buildJob({ ...draft, maxRejectPercent: 100 }, files, {}).spec!.maxRejectRatio, 1);
  assert.equal(buildJob({ ...draft, maxRejectPercent: null }, files, {}).spec!.maxRejectRatio, 0.5, 'an emptied field is the default');
  for (const bad of [-1, 101, Number.NaN]) {
    const b = buildJob({ ...draft, maxRejectPercent: bad }, files, {});
    assert.equal(b.spec, null, String(bad));
    assert.deepEqual(b.errors, ['Rejected rows allowed per file: a percent from 0 to 100.']);
  }
});

test('verify info: files another program wrote are counted and named, other facts kept as they are', async (t) => {
  // verify's own words, from a catalog folder holding a file catalog-builder did not write
  const dir = await tempDir(t);
  const folder = join(dir, 'data', 'trade_tick', 'BTCUSDT-PERP.BINANCE');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, '2024-01-01T00-00-00-000000000Z_2024-01-01T23-59-59-999999999Z.parquet'), 'not parquet');
  await writeFile(join(folder, 'part-0.parquet'), 'not parquet');
  const v = await verifyCatalog(dir);
  assert.ok(v.info.length > 0, 'verify reports the foreign files as info');
  const view = verifyInfoView([...v.info, 'data/x/a.parquet: a run was interrupted while committing this file; it is the new version, complete']);
  assert.equal(view.foreignCount, 2);
  assert.deepEqual(view.foreign, [{ folder: 'data/trade_tick/BTCUSDT-PERP.BINANCE', names: ['2024-01-01T00-00-00-000000000Z_2024-01-01T23-59-59-999999999Z.parquet', 'part-0.parquet'] }]);
  assert.deepEqual(view.other, ['data/x/a.parquet: a run was interrupted while committing this file; it is the new version, complete']);
  assert.deepEqual(verifyInfoView(undefined), { foreignCount: 0, foreign: [], other: [] }, 'an engine without info');
});

test('chart: gaps for days without data, a line broken at them', () => {
  const m = chartModel([
    { day: '2024-01-01', trades: 100, close: '42000.5' },
    { day: '2024-01-03', trades: 300, close: '42100' },
    { day: '2024-01-04', trades: 200, close: '42050' },
  ], { start: '2024-01-01', end: '2024-01-04' }, 640, 220);
  assert.deepEqual(m.days.map((d) => d.gap), [false, true, false, false]);
  assert.equal(m.maxTrades, 500);
  assert.equal((m.closePath.match(/M/g) ?? []).length, 2, 'the line starts again after the gap');
  const d3 = m.days[2]!;
  assert.ok(d3.barH > m.days[0]!.barH);
  assert.ok(d3.closeY! < m.days[0]!.closeY!, 'a higher close is drawn higher');
  assert.equal(chartModel([]).empty, true);
});

test('formatting', () => {
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(52 * 1024 * 1024), '52 MB');
  assert.equal(formatRate(0), '');
  assert.equal(formatRate(1234), '1.2k rows/s');
  assert.equal(formatEta(null), '');
  assert.equal(formatEta(3700), 'ETA 1 h 1 min');
  // Under a second left says nothing (not "ETA 0 s").
  assert.equal(formatEta(0), '');
  assert.equal(formatEta(0.4), '');
  assert.equal(formatEta(1.2), 'ETA 1 s');
});
