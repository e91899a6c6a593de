// Zip archives with several members (issue 11 item 2): every CSV member is read, in name order, each
// reported as its own input (archive.zip:member.csv); other members are skipped and named in a note.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectFiles, preview } from '../../../engine/preview.js';
import { build, readRows, tempDir } from '../../helpers.js';
import { zipOf } from '../../support/zip.js';

const HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const T0_US = 1704067200000000;

/** Tardis trades rows with ids from `first`, one every 10 ms. */
function tardisCsv(first: number, n: number): string {
  const rows = [HEADER];
  for (let i = 0; i < n; i++) {
    const id = first + i;
    rows.push(`binance-futures,BTCUSDT,${T0_US + id * 10_000},${T0_US + id * 10_000 + 7},${id},${id % 2 ? 'buy' : 'sell'},42000.5,0.01${id % 9}`);
  }
  return rows.join('\n') + '\n';
}

test('a zip with two CSV members: both are read, in name order, each reported as its own input', async (t) => {
  const dir = await tempDir(t);
  const n = 25_000;
  // b.csv is stored first: reading follows the names, not the archive order.
  await zipOf(join(dir, 'trades.zip'), [['b.csv', tardisCsv(n, n)], ['a.csv', tardisCsv(0, n)]]);
  const r = await build(dir, { trades: { file_path: 'trades.zip' } });
  assert.equal(r.ok, true, r.errors.join('\n'));
  const zip = join(dir, 'trades.zip');
  assert.deepEqual(r.files.map((f) => [f.path, f.rows, f.format, f.compression]), [
    [`${zip}:a.csv`, n, 'tardis.trades', 'zip'],
    [`${zip}:b.csv`, n, 'tardis.trades', 'zip'],
  ]);
  assert.deepEqual([r.totals.read, r.totals.written, r.totals.duplicates], [2 * n, 2 * n, 0]);
  const rows = await readRows(r.days[0]!.file!);
  assert.equal(rows.length, 2 * n);
  assert.equal(new Set(rows.map((x) => x.trade_id)).size, 2 * n);
});

test('a README first in the zip is skipped and named; the CSV member is read', async (t) => {
  const dir = await tempDir(t);
  await zipOf(join(dir, 'trades.zip'), [['README.txt', 'Trades of BTCUSDT, see https://example.com\n'], ['data/trades.csv', tardisCsv(0, 50)], ['CHECKSUM', 'abc\n']]);
  const r = await build(dir, { trades: { file_path: 'trades.zip' } });
  assert.equal(r.ok, true, r.errors.join('\n'));
  assert.deepEqual(r.files.map((f) => [f.path, f.rows, f.error]), [[`${join(dir, 'trades.zip')}:data/trades.csv`, 50, undefined]]);
  assert.equal(r.totals.written, 50);
  const note = r.notes.find((x) => x.includes('trades.zip'));
  assert.ok(note, r.notes.join('\n'));
  assert.match(note, /skipped 2 zip member\(s\) that are not CSV files: README\.txt, CHECKSUM/);
});

test('a zip without any CSV member fails that file by name, listing what it holds; other files go on', async (t) => {
  const dir = await tempDir(t);
  await zipOf(join(dir, 'docs.zip'), [['README.txt', 'hello\n'], ['notes.md', '# notes\n']]);
  await zipOf(join(dir, 'trades.zip'), [['trades.csv', tardisCsv(0, 10)]]);
  const r = await build(dir, { trades: { file_path: ['docs.zip', 'trades.zip'] } });
  assert.equal(r.ok, false);
  const docs = r.files.find((f) => f.path === join(dir, 'docs.zip'))!;
  assert.match(docs.error!, /docs\.zip: the zip archive holds no CSV .* member \(it holds README\.txt, notes\.md\)/);
  assert.equal(r.files.find((f) => f.path.endsWith('trades.zip:trades.csv'))!.rows, 10);
});

test('a reject inside a zip member names the member in the rejects file', async (t) => {
  const dir = await tempDir(t);
  const bad = tardisCsv(100, 3).replace(',42000.5,0.011', ',-1,0.011');
  await zipOf(join(dir, 'trades.zip'), [['a.csv', tardisCsv(0, 3)], ['b.csv', bad]]);
  const r = await build(dir, { trades: { file_path: 'trades.zip' } });
  assert.equal(r.totals.rejected, 1);
  const rejects = (await readFile(r.rejectsFile!, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { file: string; line: number });
  assert.deepEqual(rejects.map((x) => [x.file, x.line]), [[`${join(dir, 'trades.zip')}:b.csv`, 2]]);
});

test('preview of a zip shows its first data member and how many members it holds', async (t) => {
  const dir = await tempDir(t);
  const zip = join(dir, 'trades.zip');
  await zipOf(zip, [['README.txt', 'not data\n'], ['b.csv', tardisCsv(10, 5)], ['a.csv', tardisCsv(0, 5)]]);
  const [info] = await inspectFiles([zip]);
  assert.equal(info!.member, 'a.csv');
  assert.equal(info!.members, 3);
  assert.equal(info!.dataMembers, 2);
  assert.equal(info!.format, 'tardis.trades');
  const p = await preview({ path: zip, dataType: 'trades', symbol: 'BTCUSDT', rows: 10 });
  assert.deepEqual(p.rows.map((r) => r.mapped?.trade_id), ['0', '1', '2', '3', '4']);
});

test('a zip of WebSocket captures: every .jsonl member is read, other members are named', async (t) => {
  const dir = await tempDir(t);
  const T0 = Date.UTC(2024, 0, 1);
  const capture = (first: number, n: number) => Array.from({ length: n }, (_, i) => {
    const a = first + i;
    return JSON.stringify({ e: 'aggTrade', E: T0 + a + 5, s: 'BTCUSDT', a, p: '42000.50', q: '0.010', f: a * 3, l: a * 3 + 1, T: T0 + a, m: a % 2 === 0 });
  }).join('\n') + '\n';
  await zipOf(join(dir, 'cap.zip'), [['h2.jsonl', capture(100, 20)], ['README.md', '# capture\n'], ['h1.jsonl', capture(0, 30)]]);
  const r = await build(dir, { trades: { file_path: 'cap.zip' } }, { source: 'websocket' });
  assert.equal(r.ok, true, r.errors.join('\n'));
  assert.deepEqual(r.files.map((f) => [f.path, f.rows]), [[`${join(dir, 'cap.zip')}:h1.jsonl`, 30], [`${join(dir, 'cap.zip')}:h2.jsonl`, 20]]);
  assert.equal(r.totals.written, 50);
  assert.ok(r.notes.some((x) => /not JSONL files: README\.md/.test(x)), r.notes.join('\n'));
});

test('preview of a folder, a missing file or a damaged zip still says what is wrong', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'bad.zip'), Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40, 7)]));
  const infos = await inspectFiles([dir, join(dir, 'missing.zip'), join(dir, 'bad.zip')]);
  assert.deepEqual(infos.map((i) => i.error), ['not a regular file', 'file not found', infos[2]!.error]);
  assert.match(infos[2]!.error!, /zip/);
});
