// The Job screen's typed days: half-typed or wrong text must never reach the calendar's month arithmetic;
// and what the window says if a screen throws anyway.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashMessage } from '../../renderer/src/logic/crash.js';
import { dayFieldError, monthGrid, monthOf, startDay, validRange, viewFor, type Month } from '../../renderer/src/logic/dates.js';

const MARCH: Month = { year: 2024, month: 2 };

test('a typed first day moves the calendar only once it is a whole, real day', () => {
  for (const text of ['x', '2', '20', '2024-', '2024-0', '2024-05-', '2024-05-3', '2024-13-01', '2024-02-30', ' 2024-05-01', '0002-01-01x']) {
    const v = viewFor(MARCH, text);
    assert.deepEqual(v, MARCH, `"${text}" keeps the month shown`);
    assert.doesNotThrow(() => monthGrid(v), text);
  }
  assert.deepEqual(viewFor(MARCH, null), MARCH);
  assert.deepEqual(viewFor(MARCH, ''), MARCH);
  assert.deepEqual(viewFor(MARCH, '2024-05-31'), { year: 2024, month: 4 }, 'a real day elsewhere moves the view to its month');
  assert.deepEqual(viewFor(MARCH, '2024-04-15'), MARCH, 'a day in the second month shown keeps the view');
  assert.deepEqual(viewFor(MARCH, '2024-03-01'), MARCH);
});

test('monthOf refuses text that is not a day instead of giving NaN or year 2', () => {
  assert.deepEqual(monthOf('2024-12-31'), { year: 2024, month: 11 });
  for (const text of ['x', '2', '2024-1', '2024-02-30']) assert.throws(() => monthOf(text), /expected YYYY-MM-DD/, text);
});

test('the calendar opens on a real first day, else on today', () => {
  assert.equal(startDay('2024-02-29', '2026-12-01'), '2024-02-29');
  assert.equal(startDay(null, '2026-12-01'), '2026-12-01');
  assert.equal(startDay('x', '2026-12-01'), '2026-12-01');
  assert.equal(startDay('2023-02-29', '2026-12-01'), '2026-12-01');
});

test('the calendar draws and extends only real days; typed text that is not one counts as not chosen', () => {
  assert.deepEqual(validRange({ start: '2024-01-02', end: '2024-01-05' }), { start: '2024-01-02', end: '2024-01-05' });
  assert.deepEqual(validRange({ start: 'x', end: '2024-01-05' }), { start: null, end: '2024-01-05' });
  assert.deepEqual(validRange({ start: '2024-01-02', end: '2024-01-0' }), { start: '2024-01-02', end: null });
  assert.deepEqual(validRange({ start: null, end: null }), { start: null, end: null });
});

test('a typed day that is not one gets a hint naming the format', () => {
  assert.equal(dayFieldError(null), null);
  assert.equal(dayFieldError(''), null);
  assert.equal(dayFieldError('2024-01-31'), null);
  assert.equal(dayFieldError('x'), 'Not a date: expected YYYY-MM-DD, e.g. 2024-01-31.');
  assert.equal(dayFieldError('2'), 'Not a date: expected YYYY-MM-DD, e.g. 2024-01-31.');
  assert.equal(dayFieldError('2024-02-30'), '2024-02-30 is not a day in the calendar (expected YYYY-MM-DD).');
});

test('a screen that throws while drawing is named in one readable line', () => {
  assert.equal(crashMessage(new RangeError('Invalid time value')), 'RangeError: Invalid time value');
  assert.equal(crashMessage(new TypeError('')), 'TypeError');
  assert.equal(crashMessage('boom'), 'boom');
  assert.equal(crashMessage({ code: 7 }), '{"code":7}');
  assert.equal(crashMessage(undefined), 'No details were given.');
  assert.equal(crashMessage(null), 'No details were given.');
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.equal(crashMessage(loop), '[object Object]');
  assert.equal(crashMessage(Symbol('s')), 'Symbol(s)');
});
