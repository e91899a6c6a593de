// The column mapping logic: assign, move, clear, undo, templates, required fields, certainty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as M from '../../renderer/src/logic/mapping.js';

const auto = (): M.MappingState => M.fromPreview({
  mapping: { timestamp: 'time', price: 'price', size: 'qty' },
  confidence: { timestamp: 0.85, price: 1, size: 0.8 },
  file: { columns: ['time', 'ts', 'price', 'qty', 'direction', 'match_id'] } as never,
});

test('the automatic mapping is the starting point, untouched and with nothing to undo', () => {
  const s = auto();
  assert.equal(s.touched, false);
  assert.equal(M.canUndo(s), false);
  assert.equal(M.certainty(s, 'price'), 'exact');
  assert.equal(M.certainty(s, 'timestamp'), 'likely');
  assert.equal(M.certaintyLabel(s, 'timestamp'), 'auto · 85% sure');
  assert.equal(M.certainty(s, 'trade_id'), 'none');
});

test('assigning a column replaces the field, marks it as set by hand and can be undone', () => {
  const s0 = auto();
  const s1 = M.assign(s0, 'timestamp', 'ts');
  assert.equal(s1.columns.timestamp, 'ts');
  assert.equal(s1.touched, true);
  assert.equal(M.certainty(s1, 'timestamp'), 'manual');
  assert.equal(M.certaintyLabel(s1, 'timestamp'), 'set by you');
  const s2 = M.assign(s1, 'trade_id', 'match_id');
  assert.deepEqual(s2.columns, { timestamp: 'ts', price: 'price', size: 'qty', trade_id: 'match_id' });
  const u1 = M.undo(s2);
  assert.deepEqual(u1.columns, s1.columns);
  assert.equal(u1.touched, true);
  const u0 = M.undo(u1);
  assert.deepEqual(u0.columns, s0.columns);
  assert.equal(u0.touched, false, 'back at the automatic mapping');
  assert.deepEqual(u0.manual, []);
  assert.equal(M.undo(u0), u0, 'nothing more to undo');
});

test('the same column may feed two fields; assigning what a field already has is not an undo step', () => {
  let s = M.assign(auto(), 'local_timestamp', 'time');
  assert.deepEqual(M.fieldsOf(s.columns, 'time').sort(), ['local_timestamp', 'timestamp']);
  const before = s.past.length;
  s = M.assign(s, 'local_timestamp', 'time');
  assert.equal(s.past.length, before);
});

test('moving an assigned chip from one field to another, and clearing a field', () => {
  let s = M.move(auto(), 'size', 'trade_id');
  assert.equal(s.columns.size, undefined);
  assert.equal(s.columns.trade_id, 'qty');
  assert.deepEqual(M.missingRequired(s.columns, ['timestamp', 'price', 'size']), ['size']);
  s = M.unassign(s, 'trade_id');
  assert.equal(s.columns.trade_id, undefined);
  assert.equal(M.unassign(s, 'trade_id'), s, 'clearing an empty field changes nothing');
  s = M.undo(M.undo(s));
  assert.equal(s.columns.size, 'qty');
});

test('reset to the automatic mapping is one undoable step', () => {
  const changed = M.assign(M.assign(auto(), 'timestamp', 'ts'), 'trade_id', 'match_id');
  const reset = M.resetTo(changed, { timestamp: 'time', price: 'price', size: 'qty' });
  assert.deepEqual(reset.columns, { timestamp: 'time', price: 'price', size: 'qty' });
  assert.deepEqual(M.undo(reset).columns, changed.columns);
});

test('history is capped', () => {
  let s = auto();
  for (let i = 0; i < M.HISTORY_LIMIT + 20; i++) s = M.assign(s, 'trade_id', i % 2 ? 'match_id' : 'direction');
  assert.equal(s.past.length, M.HISTORY_LIMIT);
});

test('a template applies the columns the file has and reports the ones it lacks', () => {
  const { state, missing } = M.applyTemplate(auto(), { columns: { timestamp: 'TS', price: 'price', size: 'amount', trade_id: 'match_id' } }, ['time', 'ts', 'price', 'qty', 'match_id']);
  assert.deepEqual(state.columns, { timestamp: 'ts', price: 'price', trade_id: 'match_id' });
  assert.deepEqual(missing, ['amount']);
  assert.equal(state.touched, true);
  assert.deepEqual(M.undo(state).columns, auto().columns);
});

test('restrict keeps only the fields of a data type', () => {
  assert.deepEqual(M.restrict({ timestamp: 'a', mark_price: 'b', price: 'c' }, ['timestamp', 'mark_price']), { timestamp: 'a', mark_price: 'b' });
});
