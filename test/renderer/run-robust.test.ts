// A run of decades of days stays light (issue 15, item 6): progress comes in coalesced batches, the
// store applies a batch in one update and every one of 11,323 days gets its bar. A page opened while
// a job runs shows it with its progress so far and can cancel it (item 7). After a cancel, no file
// line keeps its last rate and ETA (item 15).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressEvent } from '../../shared/progress.js';
import { coalesceEvents, progressBatcher } from '../../shared/progress-batch.js';
import { JobProgress } from '../../hosts/job-progress.js';
import { initRun, reduceProgress } from '../../renderer/src/logic/progress.js';
import { daysBetween } from '../../renderer/src/logic/dates.js';
import { groupBars, runSummary, yearSpans } from '../../renderer/src/logic/progressView.js';
import { createAppStore } from '../../renderer/src/store/app.js';
import { fakeApi, tick } from '../support/fake-api.js';

const START = '2000-01-01';
const END = '2030-12-31';
const DAYS = 11_323;

const day = (d: string, state: 'reading' | 'writing' | 'done' | 'failed', extra: Partial<Extract<ProgressEvent, { kind: 'day' }>> = {}): ProgressEvent => ({
  kind: 'day', dataType: 'trades', day: d, state, rows: 1, fraction: state === 'done' ? 1 : 0.9, rowsPerSec: 0, etaSec: null, ...extra,
});

test('2000-01-01…2030-12-31 has 11,323 days, every one a bar (a cap stopped them at 3,700)', () => {
  assert.equal(daysBetween(START, END).length, DAYS);
  assert.equal(daysBetween(START, END).at(-1), END);
  const s = initRun(['trades'], START, END, 0);
  assert.equal(s.order.length, DAYS);
  assert.equal(runSummary(s).total, DAYS);
});

test('the store applies a batch in one update: 11,323 days written and done, all counted', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: 5 });
  await store.getState().startSpec({ source: 'csv', symbol: 'BTCUSDT', start: START, end: END, output: '/out/cat', dataTypes: ['trades'], config: { files: { trades: { file_path: 'x.csv' } } } });
  const jobId = store.getState().run.jobId!;
  let updates = 0;
  const off = store.subscribe(() => updates++);
  const events: ProgressEvent[] = [{ kind: 'job', state: 'started' }];
  for (const d of daysBetween(START, END)) events.push(day(d, 'writing'), day(d, 'done', { written: 1 }));
  const BATCH = 2_000;
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += BATCH) api.emitBatch(jobId, events.slice(i, i + BATCH));
  const ms = performance.now() - t0;
  off();
  const batches = Math.ceil(events.length / BATCH);
  assert.equal(updates, batches, 'one store update per batch');
  const sum = runSummary(store.getState().run);
  assert.equal(sum.total, DAYS);
  assert.equal(sum.done, DAYS);
  assert.match(sum.text, /^11,323 of 11,323 days finished/);
  // A sanity bound only (the bench measures): before, each event copied and re-sorted every bar.
  assert.ok(ms < 20_000, `${events.length} events took ${Math.round(ms)} ms`);
  api.emit(jobId, { kind: 'job', state: 'done' });
  await tick(10);
  assert.equal(store.getState().run.status, 'done');
});

test('one event at a time costs what it changes, not every day of the job', () => {
  let s = initRun(['trades'], START, END, 0);
  const t0 = performance.now();
  for (const d of daysBetween(START, END)) s = reduceProgress(reduceProgress(s, day(d, 'writing')), day(d, 'done', { written: 1 }));
  const ms = performance.now() - t0;
  assert.equal(runSummary(s).done, DAYS);
  assert.ok(ms < 20_000, `${2 * DAYS} single events took ${Math.round(ms)} ms`);
  // A late "reading" never reopens a finished day, and changes nothing.
  assert.equal(reduceProgress(s, day(START, 'reading')), s);
});

test('a batch keeps each day’s and file’s latest event, in order; the job’s own events go out at once', async () => {
  const file = (bytesRead: number): ProgressEvent => ({ kind: 'file', dataType: 'trades', path: '/a.csv', bytesRead, bytesTotal: 10, rows: bytesRead, rowsPerSec: 0, etaSec: null, state: 'reading' });
  const log: ProgressEvent = { kind: 'log', level: 'info', message: 'x' };
  const events = [file(1), day('2024-01-01', 'reading'), log, file(2), day('2024-01-01', 'done'), day('2024-01-02', 'writing')];
  assert.deepEqual(coalesceEvents(events), [log, file(2), day('2024-01-01', 'done'), day('2024-01-02', 'writing')]);
  const sent: [string, ProgressEvent[]][] = [];
  const b = progressBatcher((jobId, ev) => sent.push([jobId, ev]), 20);
  b.push('j', file(1));
  b.push('j', file(2));
  b.push('k', file(3));
  assert.equal(sent.length, 0, 'queued');
  b.push('j', { kind: 'job', state: 'cancelled' });
  assert.deepEqual(sent, [['j', [file(2), { kind: 'job', state: 'cancelled' }]]], 'the job event flushes its job at once, after what came before');
  await tick(40);
  assert.deepEqual(sent[1], ['k', [file(3)]], 'the others after the interval');
  b.close();
});

test('a page opened while a job runs shows it with its progress so far, applies its events, and can cancel it', async () => {
  const api = fakeApi();
  api.jobList = [{
    jobId: 'old-job', state: 'running', output: '/out/cat', source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-03', dataTypes: ['trades'],
    startedAt: new Date().toISOString(), days: 3, daysFinished: 1,
    progress: [{ kind: 'job', state: 'started' }, day('2024-01-01', 'done', { written: 5 }), day('2024-01-02', 'reading', { fraction: 0.5 })],
  }];
  const store = createAppStore(api, { debounceMs: 5, browserMode: true });
  await store.getState().init();
  let s = store.getState();
  assert.equal(s.screen, 'run');
  assert.equal(s.run.jobId, 'old-job');
  assert.equal(s.run.status, 'running');
  assert.equal(s.attached?.output, '/out/cat');
  assert.equal(s.run.bars['trades|2024-01-01']!.state, 'done');
  assert.equal(s.run.bars['trades|2024-01-02']!.fraction, 0.5);
  assert.ok(api.calls.some((c) => c.method === 'job' && (c.args[1] as { progress?: boolean })?.progress === true));
  api.emit('old-job', day('2024-01-03', 'writing'));
  assert.equal(store.getState().run.bars['trades|2024-01-03']!.state, 'writing');
  await s.cancel();
  assert.ok(api.calls.some((c) => c.method === 'cancelJob' && c.args[0] === 'old-job'));
  api.emit('old-job', { kind: 'job', state: 'cancelled' });
  s = store.getState();
  assert.equal(s.run.status, 'cancelled');
  assert.equal(s.run.bars['trades|2024-01-03']!.state, 'cancelled');
});

test('after a cancel no file keeps its last reading line (rate, ETA)', () => {
  let s = initRun(['trades'], '2024-01-01', '2024-01-01', 0);
  s = reduceProgress(s, { kind: 'file', dataType: 'trades', path: '/a.csv', bytesRead: 5, bytesTotal: 10, rows: 500, rowsPerSec: 1000, etaSec: 3, state: 'reading' });
  s = reduceProgress(s, { kind: 'job', state: 'cancelled' });
  const f = Object.values(s.files)[0]!;
  assert.equal(f.state, 'stopped');
  assert.equal(f.rowsPerSec, 0);
  assert.equal(f.etaSec, null);
});

test('a long group’s days by year: where each year starts, its rows and failures (the Run screen jumps there)', () => {
  let s = initRun(['trades'], '2023-12-30', '2025-01-02', 0);
  s = reduceProgress(s, day('2024-05-01', 'done', { rows: 7, written: 7 }));
  s = reduceProgress(s, day('2025-01-01', 'failed', { error: 'x' }));
  const spans = yearSpans(groupBars(s)[0]!.bars);
  assert.deepEqual(spans.map((y) => [y.year, y.first, y.days, y.rows, y.failed]), [['2023', 0, 2, 0, 0], ['2024', 2, 366, 7, 0], ['2025', 368, 2, 1, 1]]);
});

test('a start refused because another job writes the folder lists that job; it can be cancelled from this page', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: 5 });
  await store.getState().init();
  const orphan = { jobId: 'orphan', state: 'running' as const, output: '/out/cat', source: 'csv', start: '2024-01-01', end: '2024-01-02', dataTypes: ['trades' as const], startedAt: new Date().toISOString(), days: 2, daysFinished: 0 };
  api.jobList = [orphan];
  api.startJob = async () => {
    throw new Error('a job is already writing to /out/cat (job orphan, started …); wait for it or cancel it');
  };
  await store.getState().startSpec({ source: 'csv', start: '2024-01-01', end: '2024-01-02', output: '/out/cat', dataTypes: ['trades'], config: { files: { trades: { file_path: 'x.csv' } } } });
  let s = store.getState();
  assert.equal(s.run.status, 'failed');
  assert.deepEqual(s.jobs.map((j) => j.jobId), ['orphan']);
  api.cancelJob = async (jobId) => {
    api.calls.push({ method: 'cancelJob', args: [jobId] });
    api.jobList = [{ ...orphan, state: 'cancelled' }];
  };
  await s.cancelJobById('orphan');
  s = store.getState();
  assert.ok(api.calls.some((c) => c.method === 'cancelJob' && c.args[0] === 'orphan'));
  assert.equal(s.jobs[0]!.state, 'cancelled');
});

test('the host keeps what a job’s events said: each day’s latest, its log, its end; a late "reading" never reopens a day', () => {
  const p = new JobProgress();
  p.add({ kind: 'job', state: 'started' });
  p.add(day('2024-01-01', 'reading'));
  p.add({ kind: 'log', level: 'warn', message: 'w' });
  p.add(day('2024-01-01', 'done', { written: 3 }));
  p.add(day('2024-01-01', 'reading'));
  p.add(day('2024-01-02', 'writing'));
  assert.equal(p.daysFinished(), 1);
  assert.deepEqual(p.events(), [{ kind: 'job', state: 'started' }, day('2024-01-01', 'done', { written: 3 }), day('2024-01-02', 'writing'), { kind: 'log', level: 'warn', message: 'w' }]);
  p.add({ kind: 'job', state: 'cancelled' });
  assert.deepEqual(p.events().at(-1), { kind: 'job', state: 'cancelled' });
  p.forget();
  assert.deepEqual(p.events(), [{ kind: 'job', state: 'started' }, { kind: 'job', state: 'cancelled' }]);
  assert.equal(p.daysFinished(), 1);
});
