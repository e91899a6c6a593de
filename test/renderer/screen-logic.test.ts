// The pure helpers the screens were split around: what a card shows and what a click changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrowStep, firstDay, isShown, rangeSummary, tabDay, viewReaching } from '../../renderer/src/logic/dates.js';
import { fileCountText, markedDays } from '../../renderer/src/logic/files.js';
import { missingText, slotLabel } from '../../renderer/src/logic/mapping.js';
import { jobBackStep, optionalNumber, toggleDataType } from '../../renderer/src/logic/job.js';
import { presetFor } from '../../renderer/src/logic/instrument.js';
import { isBusy } from '../../renderer/src/logic/progress.js';
import { fileReadPercent, specLine } from '../../renderer/src/logic/progressView.js';
import { dayStateLabel, failedDays, resultTitle, stateTone } from '../../renderer/src/logic/result.js';
import { verifyTotals } from '../../renderer/src/logic/verify.js';
import type { DayReport } from '../../shared/report.js';
import { fileInfo } from '../support/fake-api.js';

test('job screen: data types toggle in a fixed order, presets by typed symbol, number fields', () => {
  assert.deepEqual(toggleDataType(['funding'], 'trades'), ['trades', 'funding'], 'ticked types keep trades, mark, funding order');
  assert.deepEqual(toggleDataType(['trades', 'funding'], 'mark'), ['trades', 'mark', 'funding']);
  assert.deepEqual(toggleDataType(['trades', 'mark'], 'trades'), ['mark']);
  assert.deepEqual(toggleDataType([], 'mark'), ['mark']);
  const preset = (symbol: string, market: 'binance-usdm' | 'bybit-inverse' = 'binance-usdm') => ({
    market, symbol, kind: 'perpetual' as const, isInverse: market === 'bybit-inverse', multiplier: '1', pricePrecision: 1, sizePrecision: 3, priceIncrement: '0.1', sizeIncrement: '0.001',
  });
  const presets = [preset('BTCUSDT'), preset('ETHUSDT'), preset('BTCUSD', 'bybit-inverse')];
  assert.equal(presetFor(presets, 'binance-usdm', ' ethusdt ')?.symbol, 'ETHUSDT');
  assert.equal(presetFor(presets, 'binance-usdm', 'SOLUSDT'), undefined);
  assert.equal(presetFor(presets, 'bybit-inverse', 'btcusd')?.isInverse, true);
  assert.equal(presetFor(presets, 'bybit-linear', 'BTCUSD'), undefined, 'a preset belongs to its own market only');
  assert.equal(optionalNumber(''), null);
  assert.equal(optionalNumber('0'), 0);
  assert.equal(optionalNumber('2.5'), 2.5);
  assert.equal(jobBackStep('csv'), 'mapping');
  assert.equal(jobBackStep('websocket'), 'preview');
  assert.equal(jobBackStep('tardis'), 'source');
});

test('job screen: days named by files, file counts, a running job', () => {
  const entry = (path: string) => ({ info: fileInfo(path, []), types: [], options: {} });
  assert.deepEqual(markedDays([entry('/d/t-2024-03-01.csv'), entry('/d/nodate.csv'), entry('/d/x_20240105_20240107.csv')]), ['2024-03-01', '2024-01-05']);
  assert.equal(fileCountText(0), 'no file');
  assert.equal(fileCountText(1), '1 file');
  assert.equal(fileCountText(3), '3 files');
  for (const s of ['starting', 'running', 'cancelling'] as const) assert.equal(isBusy(s), true, s);
  for (const s of ['idle', 'done', 'failed', 'cancelled'] as const) assert.equal(isBusy(s), false, s);
});

test('result screen: the title counts failed days; day states read as pills; verify totals', () => {
  const day = (state: DayReport['state']) => ({ state }) as DayReport;
  assert.equal(failedDays([day('done'), day('failed'), day('skipped'), day('failed')]), 2);
  const written = { ...day('done'), written: 10 };
  assert.equal(resultTitle({ ok: true, days: [written] }), 'Catalog written');
  // The title says what failed and how many days hold data (issue 15, item 4: never "failed" over "all days ok").
  assert.equal(resultTitle({ ok: false, days: [written, day('failed')] }), 'Finished with errors: 1 day failed · 1 of 2 days written');
  assert.equal(resultTitle({ ok: false, days: [day('failed'), day('failed')] }), 'The job failed: 2 days failed · 0 of 2 days written');
  assert.equal(resultTitle({ ok: false, days: [written] }), 'Finished with errors: 1 of 1 day written');
  assert.deepEqual((['done', 'skipped', 'failed'] as const).map(stateTone), ['done', 'skipped', 'failed']);
  assert.deepEqual((['done', 'skipped', 'failed'] as const).map(dayStateLabel), ['done', 'kept', 'failed']);
  assert.deepEqual(verifyTotals([{ files: 2, rows: 10 }, { files: 1, rows: 5 }]), { files: 3, rows: 15, instruments: 0 });
  assert.deepEqual(verifyTotals([]), { files: 0, rows: 0, instruments: 0 });
  // The instrument row is not a data row (1,200 quotes + 60 bars were shown as 1,261 rows).
  assert.deepEqual(verifyTotals([{ type: 'quote_tick', files: 1, rows: 1200 }, { type: 'bar', files: 1, rows: 60 }, { type: 'crypto_perpetual', files: 1, rows: 1 }]),
    { files: 3, rows: 1260, instruments: 1 });
});

test('run screen: the job in one line, the share of a file read', () => {
  assert.equal(specLine(null), '');
  assert.equal(specLine({ symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-03', output: '/out/c' }), 'BTCUSDT · 2024-01-01 → 2024-01-03 → /out/c');
  assert.equal(specLine({ symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: '/out/c' }), 'BTCUSDT · 2024-01-01 → /out/c', 'one day is named once');
  assert.equal(fileReadPercent({ bytesRead: 1, bytesTotal: 3 }), 33);
  assert.equal(fileReadPercent({ bytesRead: 2, bytesTotal: 3 }), 67);
  assert.equal(fileReadPercent({ bytesRead: 0, bytesTotal: 0 }), 0, 'an empty file does not divide by zero');
});

test('range picker: two months shown, arrow keys, the Tab stop, the summary line', () => {
  const jan = { year: 2024, month: 0 };
  assert.equal(firstDay({ year: 2024, month: 1 }), '2024-02-01');
  assert.equal(isShown(jan, '2024-01-31'), true);
  assert.equal(isShown(jan, '2024-02-29'), true, 'the second month is shown too');
  assert.equal(isShown(jan, '2024-03-01'), false);
  assert.equal(isShown(jan, '2023-12-31'), false);
  assert.equal(isShown({ year: 2024, month: 11 }, '2025-01-15'), true, 'across a year');
  assert.deepEqual(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Enter', 'toString'].map(arrowStep), [-1, 1, -7, 7, undefined, undefined]);
  assert.deepEqual(viewReaching('2023-12-31', -1), { year: 2023, month: 11 }, 'moving back: the new day in the first month');
  assert.deepEqual(viewReaching('2024-03-06', 7), { year: 2024, month: 1 }, 'moving on: the new day in the second month');
  assert.deepEqual(viewReaching('2025-01-01', 1), { year: 2024, month: 11 });
  assert.equal(tabDay(jan, '2024-02-10'), '2024-02-10');
  assert.equal(tabDay(jan, '2024-05-10'), '2024-01-01', 'a focused day scrolled away gives the Tab stop to the first shown day');
  assert.equal(rangeSummary({ start: null, end: null }), 'Pick the first day');
  assert.equal(rangeSummary({ start: '2024-03-01', end: null }), 'From 2024-03-01: now pick the last day');
  assert.equal(rangeSummary({ start: '2024-03-01', end: '2024-03-01' }), '2024-03-01 → 2024-03-01 · 1 day');
  assert.equal(rangeSummary({ start: '2024-02-28', end: '2024-03-01' }), '2024-02-28 → 2024-03-01 · 3 days');
});

test('mapping screen: a field slot\'s accessible name and the status line', () => {
  assert.equal(slotLabel('timestamp', true, undefined, null), 'Timestamp (required): not mapped');
  assert.equal(slotLabel('trade_id', false, 'match_id', null), 'Trade ID: column match_id');
  assert.equal(slotLabel('price', true, 'price', 'px'), 'Price (required): column price. Press Enter to map column px here');
  assert.equal(missingText([]), '✓ Every required field has a column');
  assert.equal(missingText(['timestamp', 'size']), 'Still needed: Timestamp, Size');
});
