// A job of several instruments: one capture holding two symbols builds each as its own instrument,
// with its own report section, progress tagged with its symbol, and totals that add the sections up.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ProgressEvent } from '../../../shared/progress.js';
import { assertBucketsAddUp, build, readRows, tempDir } from '../../helpers.js';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 1);
const agg = (s: string, a: number, ms: number, p: string, q: string) => JSON.stringify({ stream: `${s.toLowerCase()}@aggTrade`, data: { e: 'aggTrade', E: ms + 5, s, a, p, q, f: a, l: a, T: ms, m: a % 2 === 0 } });

async function capture(dir: string): Promise<void> {
  const lines = [
    agg('BTCUSDT', 1, T0, '42000.10', '0.010'), agg('ETHUSDT', 7, T0 + 1, '2300.01', '0.500'),
    agg('BTCUSDT', 2, T0 + 2, '42000.20', '0.020'), agg('ETHUSDT', 8, T0 + 3, '2300.02', '1.000'), agg('ETHUSDT', 9, T0 + 4, '2300.03', '1.500'),
  ];
  await writeFile(join(dir, 'cap.jsonl'), lines.join('\n') + '\n');
}

test('one capture, two symbols: each its own instrument and trades, a report section each, progress tagged', async (t) => {
  const dir = await tempDir(t);
  await capture(dir);
  const events: ProgressEvent[] = [];
  const r = await build(dir, { trades: { file_path: 'cap.jsonl' } }, { source: 'websocket', symbols: ['BTCUSDT', 'ETHUSDT'] }, { onProgress: (e) => events.push(e) });
  assert.ok(r.ok, r.errors.join('\n'));
  assert.deepEqual(r.sections?.map((s) => [s.instrument.id, s.totals.written]), [['BTCUSDT-PERP.BINANCE', 2], ['ETHUSDT-PERP.BINANCE', 3]]);
  assert.equal(r.totals.written, 5);
  for (const s of r.sections!) assertBucketsAddUp(s);
  assert.deepEqual([...new Set(r.days.map((d) => d.instrument))], ['BTCUSDT-PERP.BINANCE', 'ETHUSDT-PERP.BINANCE']);
  const eth = await readRows(join(dir, 'catalog', 'data', 'trade_tick', 'ETHUSDT-PERP.BINANCE', r.sections![1]!.days[0]!.file!.split('/').pop()!));
  assert.deepEqual(eth.map((x) => x.trade_id), ['7', '8', '9']);
  const dayTags = new Set(events.filter((e) => e.kind === 'day').map((e) => (e as { instrument?: string }).instrument));
  assert.deepEqual([...dayTags].sort(), ['BTCUSDT', 'ETHUSDT']);
});

test('a symbol the files do not hold is its own failed section; the other is built', async (t) => {
  const dir = await tempDir(t);
  await capture(dir);
  const r = await build(dir, { trades: { file_path: 'cap.jsonl' } }, { source: 'websocket', symbols: ['BTCUSDT', 'NOPEUSDT'] });
  assert.equal(r.sections?.length, 2);
  assert.equal(r.sections![0]!.totals.written, 2);
  assert.equal(r.sections![1]!.totals.written, 0);
  assert.equal(r.ok, false, 'a section that failed fails the job');
  assert.ok(r.errors.every((e) => e.startsWith('NOPEUSDT')), r.errors.join('\n'));
});

test('several symbols with a file that does not say its symbol: each symbol is refused (its rows would go to every one)', async (t) => {
  const dir = await tempDir(t);
  await capture(dir);
  await writeFile(join(dir, 'plain.csv'), 'time,price,qty\n1704067201000,42000.5,0.010\n');
  const r = await build(dir, { trades: { file_path: ['cap.jsonl', 'plain.csv'], columns: { timestamp: 'time', price: 'price', size: 'qty' } } }, { source: 'csv', symbols: ['BTCUSDT', 'ETHUSDT'] });
  assert.equal(r.ok, false);
  assert.equal(r.totals.written, 0);
  assert.deepEqual(r.sections?.map((s) => s.errors.length > 0), [true, true]);
  assert.match(r.errors.join('\n'), /plain\.csv does not say which symbol its rows are; a job of several symbols needs every file to say it/);
});
