// Progress events -> one bar per day per data type, and what the Run screen shows for them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressEvent } from '../../shared/progress.js';
import { barKey, initRun, reduceAll, reduceProgress } from '../../renderer/src/logic/progress.js';
import { barView, groupBars, runSummary } from '../../renderer/src/logic/progressView.js';

const day = (d: string, state: 'reading' | 'writing' | 'done' | 'failed' | 'skipped', fraction: number, extra: Partial<Extract<ProgressEvent, { kind: 'day' }>> = {}): ProgressEvent => ({
  kind: 'day', dataType: 'trades', day: d, state, rows: Math.round(fraction * 1000), fraction, rowsPerSec: 50_000, etaSec: 4, ...extra,
});

test('a pending bar for each day and type before any event, in type then day order', () => {
  const s = initRun(['mark', 'trades'], '2024-01-30', '2024-02-01');
  assert.equal(s.status, 'starting');
  assert.deepEqual(s.order, [
    'trades|2024-01-30', 'trades|2024-01-31', 'trades|2024-02-01', 'mark|2024-01-30', 'mark|2024-01-31', 'mark|2024-02-01',
  ]);
  assert.ok(Object.values(s.bars).every((b) => b.state === 'pending' && b.fraction === 0));
});

test('day events move a bar forward, never back, and finish it at 100%', () => {
  let s = initRun(['trades'], '2024-01-01', '2024-01-02');
  s = reduceProgress(s, { kind: 'job', state: 'started' });
  assert.equal(s.status, 'running');
  s = reduceAll(s, [day('2024-01-01', 'reading', 0.3), day('2024-01-01', 'reading', 0.6)]);
  assert.equal(s.bars[barKey('trades', '2024-01-01')]!.fraction, 0.6);
  // A second file feeding the same day starts its own fraction at 0: the bar stays put.
  s = reduceProgress(s, day('2024-01-01', 'reading', 0.1));
  assert.equal(s.bars['trades|2024-01-01']!.fraction, 0.6);
  s = reduceProgress(s, day('2024-01-01', 'writing', 0.95, { written: 500 }));
  s = reduceProgress(s, day('2024-01-01', 'done', 1, { written: 1000, etaSec: 0, file: '/cat/x.parquet' }));
  const b = s.bars['trades|2024-01-01']!;
  assert.equal(b.state, 'done');
  assert.equal(b.fraction, 1);
  assert.equal(b.file, '/cat/x.parquet');
  // A late reading event does not reopen a finished day.
  assert.equal(reduceProgress(s, day('2024-01-01', 'reading', 0.2)), s);
});

test('a failed day keeps its error while the other days go on', () => {
  let s = initRun(['trades'], '2024-01-01', '2024-01-03');
  s = reduceAll(s, [
    { kind: 'job', state: 'started' },
    day('2024-01-02', 'failed', 1, { error: 'incomplete: b.csv.gz could not be read to the end' }),
    day('2024-01-01', 'reading', 0.5),
    day('2024-01-03', 'reading', 0.25),
  ]);
  const views = groupBars(s)[0]!.bars;
  assert.equal(views[1]!.tone, 'failed');
  assert.equal(views[1]!.error, 'incomplete: b.csv.gz could not be read to the end');
  assert.equal(views[0]!.tone, 'active');
  assert.equal(views[0]!.percent, 50);
  assert.equal(views[0]!.rateText, '50k rows/s');
  assert.equal(views[0]!.etaText, 'ETA 4 s');
  assert.equal(runSummary(s).failed, 1);
  s = reduceAll(s, [day('2024-01-01', 'done', 1, { written: 10 }), day('2024-01-03', 'done', 1, { written: 10 }), { kind: 'job', state: 'failed', message: 'trades 2024-01-02: incomplete' }]);
  assert.equal(s.status, 'failed');
  const sum = runSummary(s);
  assert.equal(sum.title, 'Finished with errors');
  assert.equal(sum.text, '2 of 3 days finished · 1 failed · 3,000 rows read');
  assert.equal(sum.percent, 100);
});

test('cancelling marks the days that had not finished; finished days stay done', () => {
  let s = initRun(['trades', 'mark'], '2024-01-01', '2024-01-01');
  s = reduceAll(s, [{ kind: 'job', state: 'started' }, day('2024-01-01', 'done', 1, { written: 5 }), { kind: 'job', state: 'cancelled' }]);
  assert.equal(s.status, 'cancelled');
  assert.equal(s.bars['trades|2024-01-01']!.state, 'done');
  assert.equal(s.bars['mark|2024-01-01']!.state, 'cancelled');
  assert.equal(barView(s.bars['mark|2024-01-01']!).stateLabel, 'Cancelled — nothing written');
  assert.equal(runSummary(s).title, 'Cancelled');
});

test('a job that stops early marks the untouched days as not built, with the reason', () => {
  let s = initRun(['funding'], '2024-01-01', '2024-01-01');
  s = reduceProgress(s, { kind: 'job', state: 'failed', message: 'funding: the config has no files.funding entry' });
  const b = s.bars['funding|2024-01-01']!;
  assert.equal(b.state, 'failed');
  assert.match(b.error!, /not built: funding: the config has no files\.funding entry/);
});

test('days outside the first range get a bar of their own, and files and logs are kept', () => {
  let s = initRun(['trades'], '2024-01-02', '2024-01-02');
  s = reduceAll(s, [
    day('2024-01-01', 'skipped', 1),
    { kind: 'file', dataType: 'trades', path: '/a.csv', bytesRead: 50, bytesTotal: 100, rows: 10, rowsPerSec: 100, etaSec: 1, state: 'reading' },
    { kind: 'log', level: 'warn', message: 'hello' },
  ]);
  assert.deepEqual(s.order, ['trades|2024-01-01', 'trades|2024-01-02']);
  assert.equal(barView(s.bars['trades|2024-01-01']!).stateLabel, 'Already in catalog');
  assert.equal(s.files['trades|/a.csv']!.bytesRead, 50);
  assert.deepEqual(s.log, [{ level: 'warn', message: 'hello' }]);
});

test('bar texts for each state', () => {
  const base = { dataType: 'trades' as const, day: '2024-01-01', rows: 12345, fraction: 0, rowsPerSec: 0, etaSec: null };
  assert.equal(barView({ ...base, state: 'pending', rows: 0 }).rowsText, '');
  assert.equal(barView({ ...base, state: 'pending', rows: 0 }).stateLabel, 'Waiting');
  assert.equal(barView({ ...base, state: 'writing', written: 2000, fraction: 0.92 }).rowsText, '2,000 of 12,345 rows written');
  assert.equal(barView({ ...base, state: 'done', written: 12000, fraction: 1 }).rowsText, '12,000 rows written');
  // One row is "1 row".
  assert.equal(barView({ ...base, state: 'done', written: 1, fraction: 1 }).rowsText, '1 row written');
  assert.equal(barView({ ...base, state: 'writing', rows: 1, written: 0, fraction: 0.9 }).rowsText, '0 of 1 row written');
  assert.equal(barView({ ...base, state: 'reading', rows: 1, fraction: 0.5 }).rowsText, '1 row');
  assert.equal(barView({ ...base, state: 'done', written: 0, fraction: 1, error: 'no rows for this day' }).stateLabel, 'Done, empty');
  assert.equal(barView({ ...base, state: 'reading', fraction: 0.999, rowsPerSec: 2_500_000, etaSec: 75 }).percent, 99);
  assert.equal(barView({ ...base, state: 'reading', fraction: 0.5, rowsPerSec: 2_500_000, etaSec: 75 }).rateText, '2.5M rows/s');
  assert.equal(barView({ ...base, state: 'reading', fraction: 0.5, rowsPerSec: 2_500_000, etaSec: 75 }).etaText, 'ETA 1 min 15 s');
});
