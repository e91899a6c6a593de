// Order books in the renderer: what a book file is proposed for, the rows the engine adds in the
// mapped preview, a book_snapshot's levels, and how a deltas job's figures add up on the Result screen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DayReport } from '../../shared/report.js';
import { addedSums, foldLevels, mappingSkipped, isAddedRow, levelsText, mappedKeys, snapshotLevels } from '../../renderer/src/logic/books.js';
import { FIELD_HINTS, fieldHint } from '../../renderer/src/logic/mapping.js';
import { dayTableExtras } from '../../renderer/src/logic/result.js';
import { proposedUse } from '../../renderer/src/logic/files.js';
import { fileInfo } from '../support/fake-api.js';
import { barView } from '../../renderer/src/logic/progressView.js';

const L2 = ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'is_snapshot', 'side', 'price', 'amount'];
const snapshotColumns = (n: number) => ['exchange', 'symbol', 'timestamp', 'local_timestamp', ...Array.from({ length: n }, (_, i) => [`asks[${i}].price`, `asks[${i}].amount`, `bids[${i}].price`, `bids[${i}].amount`]).flat()];

test('a Tardis L2 file is proposed as order book deltas; a book snapshot as depth 10, its quotes one click away; no "not yet" warning', () => {
  assert.deepEqual(proposedUse(fileInfo('/l2.csv', L2, { format: 'tardis.incremental_book_L2', feeds: ['deltas'] })), { types: ['deltas'], warning: null, hint: null });
  const snap = proposedUse(fileInfo('/s.csv', snapshotColumns(25), { format: 'tardis.book_snapshot', feeds: ['quotes', 'depth10'] }));
  assert.deepEqual(snap, { types: ['depth10'], warning: null, hint: null });
  // Other known formats keep all their own types (a ticker feeds mark and funding).
  assert.deepEqual(proposedUse(fileInfo('/t.csv', ['x'], { format: 'tardis.derivative_ticker', feeds: ['mark', 'funding'] })).types, ['mark', 'funding']);
  // A capture of depth updates still says this version builds no books from it.
  assert.deepEqual(proposedUse(fileInfo('/d.jsonl', ['message'], { format: 'websocket.capture', feeds: [], note: 'an order book: this version does not build order books yet (depthUpdate messages)' })).warning,
    'Holds an order book: this version does not build order books yet (depthUpdate messages).');
});

test('the mapped preview: an added CLEAR row is told apart, and the columns keep the rows\' order (action, side, price, size, flags)', () => {
  const clear = { line: 2, cells: [], status: 'ok' as const, reason: 'added: NautilusTrader\'s loader puts a CLEAR before each snapshot', mapped: { ts_init: 'a', ts_event: 'b', action: 'CLEAR', side: 'NONE', flags: 'SNAPSHOT' } };
  const add = { line: 2, cells: [], status: 'ok' as const, mapped: { ts_init: 'a', ts_event: 'b', action: 'ADD', side: 'BID', price: '1.0', size: '2.0', flags: '-' } };
  assert.equal(isAddedRow(clear), true);
  assert.equal(isAddedRow(add), false);
  assert.equal(isAddedRow({ status: 'rejected', reason: 'price: not a decimal number' }), false, 'a reason alone is not an added row');
  assert.deepEqual(mappedKeys([clear, add]), ['ts_init', 'ts_event', 'action', 'side', 'price', 'size', 'flags']);
  assert.deepEqual(mappedKeys([add, clear]), ['ts_init', 'ts_event', 'action', 'side', 'price', 'size', 'flags']);
  // Other types: first seen, first shown; a key only a later row has goes after its predecessor there.
  assert.deepEqual(mappedKeys([{ mapped: { a: '1', c: '1' } }, { mapped: { a: '1', b: '1', c: '1' } }, { mapped: { d: '1' } }, {}]), ['a', 'b', 'c', 'd']);
  assert.deepEqual(mappedKeys([]), []);
});

test('depth 10 levels: read by name, a 25-level file cut to 10, a 5-level file written with empty levels', () => {
  assert.equal(snapshotLevels(snapshotColumns(25)), 25);
  assert.equal(snapshotLevels(snapshotColumns(5)), 5);
  assert.equal(snapshotLevels(L2), 0);
  assert.equal(levelsText(snapshotColumns(25)), 'Levels read by name: bids[0..9] and asks[0..9], price and amount; the file has 25 levels a side, levels 10..24 are not written (Depth 10 holds 10 a side).');
  assert.equal(levelsText(snapshotColumns(5)), 'Levels read by name: bids[0..4] and asks[0..4], price and amount; the file has 5 levels a side, levels 5..9 are written empty.');
  assert.equal(levelsText(snapshotColumns(10)), 'Levels read by name: bids[0..9] and asks[0..9], price and amount.');
  assert.match(levelsText(L2), /this file has none/);
  // The column list: the four others to map, the 100 level columns one line.
  const cols = snapshotColumns(25);
  const fold = foldLevels(cols);
  assert.deepEqual(fold.shown.map((i) => cols[i]), ['exchange', 'symbol', 'timestamp', 'local_timestamp']);
  assert.equal(fold.folded, 'bids[0..24] and asks[0..24]: 100 level columns, read by name');
  assert.deepEqual(foldLevels(L2), { shown: L2.map((_, i) => i), folded: null }, 'nothing to fold');
});

test('field hints: an order book\'s price and size are a level\'s, not a trade\'s', () => {
  assert.equal(fieldHint('deltas', 'size'), 'Decimal amount now at that level (0 removes the level)');
  assert.equal(fieldHint('deltas', 'price'), 'Decimal price of the book level');
  assert.equal(fieldHint('trades', 'price'), FIELD_HINTS.price);
  assert.equal(fieldHint('deltas', 'book_side'), FIELD_HINTS.book_side);
});

function day(d: string, read: number, written: number, extra: Partial<DayReport> = {}): DayReport {
  return { dataType: 'deltas', day: d, state: 'done', read, written, duplicates: 0, rejected: {}, skipped: 0, existing: 0, discarded: 0, ...extra };
}

test('a deltas job adds up on screen: written = read + CLEAR rows added − what was dropped; other types say nothing', () => {
  const days = [
    day('2024-03-01', 1_000_000, 1_000_001, { added: 1 }),
    day('2024-03-02', 500, 499, { added: 2, duplicates: 1, rejected: { 'price: not a decimal number': 2 } }),
    { ...day('2024-03-01', 10, 10), dataType: 'trades' as const },
  ];
  assert.deepEqual(addedSums(days), [{ dataType: 'deltas', text: 'Order book deltas: written 1,000,500 = read 1,000,500 + 3 CLEAR rows added − 1 duplicates − 2 rejected (NautilusTrader’s loader puts a CLEAR before each book snapshot).' }]);
  assert.match(addedSums([days[0]!])[0]!.text, /^Order book deltas: written 1,000,001 = read 1,000,000 \+ 1 CLEAR row added \(/);
  assert.deepEqual(addedSums([days[2]!]), [], 'no row added: no line');
  const x = dayTableExtras({ days, totals: { read: 1_000_510, written: 1_000_510, duplicates: 1, rejected: 2, outOfRange: 0, skipped: 0, existing: 0, discarded: 0, skippedDays: 0, failedDays: 0, added: 3 } });
  assert.equal(x.total.added, 3);
  assert.equal(x.total.read + x.total.added - x.total.duplicates - x.total.rejected, x.total.written);
});

test('a deltas day\'s bar while writing: more rows written than read (the CLEARs added) reads as rows written, never "401 of 400"', () => {
  const bar = { dataType: 'deltas' as const, day: '2024-03-01', state: 'writing' as const, rows: 400_009, written: 400_010, fraction: 1, rowsPerSec: 0, etaSec: null };
  assert.equal(barView(bar).rowsText, '400,010 rows written');
  assert.equal(barView({ ...bar, written: 200_000 }).rowsText, '200,000 of 400,009 rows written');
});

test('known order-book layouts skip the mapping step; any generic file or any other type keeps it', () => {
  const f = (format: string, types: ('deltas' | 'depth10' | 'quotes' | 'trades')[], error?: string) => ({ info: { format, ...(error ? { error } : {}) }, types });
  assert.equal(mappingSkipped([f('tardis.incremental_book_L2', ['deltas'])]), true);
  assert.equal(mappingSkipped([f('tardis.incremental_book_L2', ['deltas']), f('tardis.book_snapshot', ['depth10'])]), true);
  assert.equal(mappingSkipped([f('tardis.book_snapshot', ['depth10', 'quotes'])]), false, 'quotes are mapped as usual');
  assert.equal(mappingSkipped([f('tardis.incremental_book_L2', ['deltas']), f('tardis.trades', ['trades'])]), false);
  assert.equal(mappingSkipped([f('generic', ['deltas'])]), false, 'a CSV of another layout mapped onto the delta fields');
  assert.equal(mappingSkipped([f('tardis.incremental_book_L2', ['deltas']), f('generic', [], 'unreadable')]), true, 'a failed file feeds nothing');
  assert.equal(mappingSkipped([]), false);
});
