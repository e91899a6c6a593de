// The service's rejects(jobId, query): a finished job's rejected rows, read from its rejects file a
// page at a time, filtered by reason, field or file, with every reason counted over all rows.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createService } from '../../hosts/service.js';
import { readRejects } from '../../hosts/rejects.js';
import { tempDir } from '../helpers.js';
import { settled } from '../helpers.js';

/** Tardis trades of 2024-04-01: `good` rows, then 25 with a bad price and 12 with no usable timestamp. */
function tradesWithRejects(good: number): string {
  const t0 = Date.parse('2024-04-01T00:00:00Z') * 1000;
  const out = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount'];
  for (let i = 0; i < good; i++) out.push(`binance-futures,BTCUSDT,${t0 + i * 1_000_000},${t0 + i * 1_000_000 + 5},${i},buy,60000.5,0.001`);
  for (let i = 0; i < 25; i++) out.push(`binance-futures,BTCUSDT,${t0 + i},${t0 + i + 5},p${i},buy,abc${i},0.001`);
  for (let i = 0; i < 12; i++) out.push(`binance-futures,BTCUSDT,soon${i},${t0 + 5},t${i},buy,60000.5,0.001`);
  return out.join('\n') + '\n';
}

test('rejects(jobId): pages through a finished job’s rejected rows, filters by reason, field and file, counts every reason', { timeout: 90_000 }, async (t) => {
  const dir = await tempDir(t, 'cb-rejects-');
  await mkdir(join(dir, 'in'));
  const a = join(dir, 'in', 'binance-futures_trades_2024-04-01_BTCUSDT.csv');
  const b = join(dir, 'in', 'other_trades_2024-04-01_BTCUSDT.csv');
  await writeFile(a, tradesWithRejects(200));
  await writeFile(b, tradesWithRejects(100).split('\n').filter((l) => !l.includes(',soon')).join('\n'));
  const svc = createService({ configDir: join(dir, 'config'), outputRoot: join(dir, 'out'), allow: [join(dir, 'in')] });
  t.after(() => svc.close());
  const { jobId } = await svc.startJob({
    source: 'csv', symbol: 'BTCUSDT', exchange: 'binance-futures', start: '2024-04-01', end: '2024-04-01', output: join(dir, 'out', 'cat'),
    dataTypes: ['trades'], maxRejectRatio: 1, config: { files: { trades: { file_path: [a, b] } } },
  });
  const info = await settled(svc, jobId);
  assert.equal(info.state, 'done', info.error);
  assert.equal(info.report!.totals.rejected, 25 + 12 + 25);

  // Paging: pages of 20 cover every row once, in file and line order.
  const pages = [];
  for (let offset = 0; offset < 62; offset += 20) pages.push(await svc.rejects(jobId, { offset, limit: 20 }));
  assert.deepEqual(pages.map((p) => p.rows.length), [20, 20, 20, 2]);
  assert.ok(pages.every((p) => p.total === 62 && p.all === 62));
  const rows = pages.flatMap((p) => p.rows);
  assert.equal(new Set(rows.map((r) => `${r.file}:${r.line}`)).size, 62);
  assert.deepEqual(rows.slice(0, 3).map((r) => [r.file, r.line]), [[a, 202], [a, 203], [a, 204]]);
  assert.equal(rows[0]!.value, 'abc0');

  // Every reason counted over all rows, most first; the filters narrow the rows, never the counts.
  const price = 'price: not a decimal number';
  assert.deepEqual(pages[0]!.reasons.map((r) => [r.reason, r.count]), [[price, 50], ['timestamp: not a number', 12]]);
  const byReason = await svc.rejects(jobId, { reason: 'timestamp: not a number', limit: 5, offset: 10 });
  assert.equal(byReason.total, 12);
  assert.deepEqual(byReason.rows.map((r) => [r.line, r.value]), [[237, 'soon10'], [238, 'soon11']]);
  assert.deepEqual(byReason.reasons, pages[0]!.reasons);
  const byFile = await svc.rejects(jobId, { file: b, limit: 1000 });
  assert.equal(byFile.total, 25);
  assert.ok(byFile.rows.every((r) => r.file === b && r.field === 'price'));
  assert.equal((await svc.rejects(jobId, { field: 'timestamp' })).total, 12);
  assert.equal((await svc.rejects(jobId, { field: 'price', file: a })).total, 25);

  // What cannot be answered says why.
  await assert.rejects(svc.rejects('no-such-job'), /no job no-such-job/);
  await assert.rejects(svc.rejects(jobId, { limit: 0 }), /limit/);
});

test('readRejects skips a line cut short and reads a job of several instruments’ files, each row naming its instrument', async (t) => {
  const dir = await tempDir(t, 'cb-rejects-');
  const row = (line: number, reason: string) => JSON.stringify({ dataType: 'trades', file: '/in/x.csv', line, field: 'price', reason, value: 'v' });
  await writeFile(join(dir, 'a.jsonl'), `${row(2, 'r1')}\n${row(3, 'r2')}\n{"dataType":"tra`);
  await writeFile(join(dir, 'b.jsonl'), `${row(9, 'r1')}\n`);
  const page = await readRejects([{ path: join(dir, 'a.jsonl'), instrument: 'A' }, { path: join(dir, 'b.jsonl'), instrument: 'B' }], { offset: 1, limit: 5 });
  assert.equal(page.all, 3);
  assert.deepEqual(page.rows.map((r) => [r.instrument, r.line]), [['A', 3], ['B', 9]]);
  assert.deepEqual(page.reasons, [{ reason: 'price: r1', count: 2 }, { reason: 'price: r2', count: 1 }]);
});
