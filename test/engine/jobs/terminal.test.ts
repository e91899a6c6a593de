// The CLI's progress lines: one per data type and day, and per instrument in a job of several.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TerminalProgress } from '../../../engine/jobs/terminal.js';

/** The text without the terminal's cursor and erase codes (ESC [ … letter). */
const plain = (s: string) => s.split('\u001b[').map((part, k) => (k ? part.replace(/^[0-9;]*[A-Za-z]/, '') : part)).join('');

test('days of two instruments are two lines, each named; one instrument keeps the plain line', () => {
  let text = '';
  const out = { columns: 200, write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WriteStream;
  const bars = new TerminalProgress(out);
  const day = (instrument?: string) => ({ kind: 'day' as const, dataType: 'trades' as const, day: '2024-01-01', state: 'done' as const, rows: 2, written: 2, fraction: 1, rowsPerSec: 0, etaSec: 0, ...(instrument ? { instrument } : {}) });
  bars.handle(day('BTCUSDT'));
  bars.handle(day('ETHUSDT'));
  bars.finish();
  const lines = plain(text).split('\n').filter((l) => l.includes('2024-01-01'));
  assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['BTCUSDT', 'ETHUSDT']);
  text = '';
  const one = new TerminalProgress(out);
  one.handle(day());
  one.finish();
  assert.match(plain(text), /^trades {2}2024-01-01 █+ done {4}2 rows written$/m);
});
