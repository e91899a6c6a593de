// What the Result screen says about a finished job (issue 15, items 4 and 5): one headline that
// agrees with the counts, failures by file in the app's words without binary bytes, and a per-day
// table that adds up to the totals, rows without a day included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayCounts, dayTableExtras, daysText, failedFiles, failureGroups, resultTitle, resultTone } from '../../renderer/src/logic/result.js';
import type { JobSpecInput } from '../../shared/job.js';
import type { DayReport, FileReport, RunReport } from '../../shared/report.js';
import { appText, HINTS, printable } from '../../shared/text.js';
import { errText } from '../../engine/jobs/context.js';
import { makePlan } from '../../engine/sources/csv/plan.js';
import { createAppStore } from '../../renderer/src/store/app.js';
import { fakeApi, tick } from '../support/fake-api.js';

const day = (d: string, state: DayReport['state'], written: number, rejected: Record<string, number> = {}): DayReport => ({
  dataType: 'trades', day: d, state, read: written + Object.values(rejected).reduce((a, b) => a + b, 0), written, duplicates: 0, skipped: 0, rejected, existing: 0, discarded: 0,
});
const file = (path: string, rows: number, rejected: number, extra: Partial<FileReport> = {}): FileReport => ({
  dataType: 'trades', path, format: 'tardis.trades', compression: 'none', rows, outOfRange: 0, rejected, notes: [], ...extra,
});

const GOOD = '/data/in/good_2024-04-01.csv';
const JUNK = '/data/in/junk_2024-04-02.csv';
const BYTES = '\u0007\ufffd\r\ufffd\u0013\ufffd\u0019\ufffd\u001f\ufffd%\ufffd+\ufffd';

/** The job of the issue: one file of rows, one of binary junk behind a header (every row rejected). */
function report(): Pick<RunReport, 'ok' | 'days' | 'files' | 'errors' | 'totals'> {
  return {
    ok: false,
    days: [day('2024-04-01', 'done', 1000, { 'price: not a decimal number': 1 }), day('2024-04-02', 'done', 0)],
    files: [file(GOOD, 1003, 3), file(JUNK, 17, 17)],
    errors: [`trades: ${JUNK}: 17 of 17 rows rejected (100.0%), more than the allowed 50% (max reject ratio 0.5); ${HINTS.rejectsFile.cli}`],
    totals: { read: 1020, written: 1000, duplicates: 0, rejected: 20, outOfRange: 0, skipped: 0, existing: 0, discarded: 0, skippedDays: 0, failedDays: 0 },
  };
}

test('a job with a failed file: the headline names it and the days written; no day with nothing written counts as ok', () => {
  const r = report();
  assert.deepEqual(failedFiles(r), [JUNK]);
  assert.deepEqual(dayCounts(r.days), { total: 2, written: 1, empty: 1, kept: 0, failed: 0 });
  assert.equal(resultTitle(r), 'Finished with errors: 1 file failed · 1 of 2 days written');
  assert.equal(daysText(dayCounts(r.days)), '1 of 2 days written · 1 empty');
  assert.equal(daysText({ total: 11_323, written: 2, empty: 11_321, kept: 1_000, failed: 0 }), '2 of 11,323 days written · 1,000 kept from before · 11,321 empty', 'counts grouped as everywhere else');
  assert.equal(daysText({ total: 1, written: 1, empty: 0, kept: 0, failed: 0 }), '1 of 1 day written');
  assert.equal(resultTone(r), 'partial');
  assert.equal(resultTone({ ...r, days: [day('2024-04-02', 'failed', 0)] }), 'failed');
  assert.equal(resultTitle({ ...r, days: [day('2024-04-02', 'failed', 0)] }), 'The job failed: 1 file failed · 1 day failed · 0 of 1 day written');
  assert.equal(resultTone({ ...r, ok: true, errors: [] }), 'ok');
});

test('failures are grouped by file, the name once, in the app’s words, without binary bytes', () => {
  const r = report();
  r.files[1]!.error = `${JUNK}: its lines end with a bare CR (classic Mac OS), not LF or CRLF: convert the line ends (it starts: ${JSON.stringify(BYTES + 'x'.repeat(5))})`;
  r.errors.push(`trades: ${JUNK}: its lines end with a bare CR (classic Mac OS), not LF or CRLF: convert the line ends (it starts: ${JSON.stringify(BYTES + 'x'.repeat(5))})`);
  r.errors.push(`trades 2024-04-02: no rows, and ${JUNK} could not be read (it may hold rows of this day)`);
  r.errors.push('the rejects file could not be written: disk full');
  const groups = failureGroups(r);
  assert.deepEqual(groups.map((g) => g.name), ['junk_2024-04-02.csv', 'The job']);
  const lines = groups[0]!.lines;
  assert.equal(lines.length, 3, 'the same error from the file and the job shown once');
  assert.ok(lines.every((l) => !l.includes(JUNK)), 'the path is in the heading, not in each line');
  assert.match(lines[0]!, /^its lines end with a bare CR .*\(it starts: "\[binary data\]x{5}"\)$/);
  assert.equal(lines[1], '17 of 17 rows rejected (100.0%), more than the allowed 50% (Job step, Options: "Rejected rows allowed per file"); the reasons are under Rejected rows');
  assert.equal(lines[2], 'trades 2024-04-02: no rows, and this file could not be read (it may hold rows of this day)');
  const raw = new RegExp(String.raw`[\u0000-\u0008\u000e-\u001f\ufffd]|\\u00|--|config`);
  for (const l of lines) assert.doesNotMatch(l, raw, l);
});

test('the engine’s CLI hints read as what to do in the app', () => {
  // The engine's own message, made by the code that words it.
  let text = '';
  try {
    makePlan({ format: 'generic', label: 'CSV with header', columns: ['when', 'px'], hasHeader: true, delimiter: ',' } as never, 'trades', undefined, 'a.csv');
  } catch (e) {
    text = errText(e);
  }
  assert.match(text, /map it in the config's "columns"$/);
  assert.match(appText(text), /^a\.csv: no column for .*; map it on the Mapping step$/);
  for (const [k, h] of Object.entries(HINTS)) {
    const shown = appText(`x; ${h.cli}`);
    assert.equal(shown, `x; ${h.app}`, k);
    assert.doesNotMatch(shown, /--[a-z]|config's/, k);
  }
  assert.equal(appText('use the same precision, another output folder, or --overwrite'), `use the same precision, another output folder, or ${HINTS.overwrite.app}`);
});

test('printable: binary stretches become "[binary data]", a lone control character "�", long text is cut', () => {
  assert.equal(printable(`ab${BYTES}cd`), 'ab[binary data]cd');
  assert.equal(printable('a\u0001b'), 'a\ufffdb');
  assert.equal(printable('tab\tand\nlines'), 'tab\tand\nlines');
  assert.equal(printable('prix: 1\u00a0234,5 €'), 'prix: 1\u00a0234,5 €', 'text of other languages is text');
  assert.equal(printable('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
});

test('the per-day table adds up: rows rejected without a timestamp are "no day", rows outside the days their own line', () => {
  const r = report();
  const x = dayTableExtras(r);
  assert.equal(x.noDay, 19);
  assert.equal(x.total.rejected, r.totals.rejected);
  const dayRejected = r.days.reduce((a, d) => a + Object.values(d.rejected).reduce((s, n) => s + n, 0), 0);
  assert.equal(dayRejected + x.noDay, r.totals.rejected);
  assert.equal(x.total.read, r.totals.read);
  const withOut = dayTableExtras({ ...r, totals: { ...r.totals, read: 1025, outOfRange: 5 } });
  assert.equal(withOut.outOfRange, 5);
  assert.equal(withOut.total.read, 1025);
});

test('the store pages the finished job’s rejected rows by reason; a new job clears them', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { browserMode: true });
  const row = (line: number, field: string, reason: string) => ({ dataType: 'trades', file: GOOD, line, field, reason, value: 'v' });
  api.rejectRows = [...Array.from({ length: 60 }, (_, k) => row(k + 2, 'price', 'not a decimal number')), row(90, 'timestamp', 'not a number')];
  const spec: JobSpecInput = { source: 'csv', symbol: 'BTCUSDT', start: '2024-04-01', end: '2024-04-01', output: '/out/c', dataTypes: ['trades'], config: { files: {} } };
  await store.getState().startSpec(spec);
  const jobId = store.getState().run.jobId!;
  api.emit(jobId, { kind: 'job', state: 'failed', message: 'x' });
  await tick(5);
  await store.getState().loadRejects({ reason: null });
  let view = store.getState().result.rejects!;
  assert.deepEqual([view.page!.rows.length, view.page!.total, view.page!.all, view.offset], [50, 61, 61, 0]);
  assert.deepEqual(view.page!.reasons, [{ reason: 'price: not a decimal number', count: 60 }, { reason: 'timestamp: not a number', count: 1 }]);
  await store.getState().loadRejects({ offset: 50 });
  view = store.getState().result.rejects!;
  assert.deepEqual([view.page!.rows.length, view.page!.rows[0]!.line, view.reason], [11, 52, null]);
  await store.getState().loadRejects({ reason: 'timestamp: not a number' });
  view = store.getState().result.rejects!;
  assert.deepEqual(view.page!.rows.map((r) => r.line), [90]);
  assert.deepEqual(api.calls.filter((c) => c.method === 'rejects').at(-1)!.args, [jobId, { offset: 0, limit: 50, reason: 'timestamp: not a number' }]);
  await store.getState().startSpec(spec);
  assert.equal(store.getState().result.rejects, undefined, 'the next job starts without the last one’s rows');
});
