// Order books downloaded from the Tardis datasets API (the loopback mock): deltas from a day's
// incremental_book_L2, depth10 from its book_snapshot_25, each read by the CSV source as a local
// file would be; replay mode (Binance messages) refuses books by name; neither is a default type.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DataType } from '../../../shared/job.js';
import type { RunReport } from '../../../shared/report.js';
import { runBuild } from '../../../engine/jobs/build.js';
import { TARDIS_DATA_TYPES } from '../../../engine/index.js';
import { formatRaw } from '../../../engine/numbers/decimal.js';
import { readRaw } from '../../../engine/numbers/fixed.js';
import { SOURCES, filesUnder, needShared, readRows, tempDir } from '../../helpers.js';
import { TardisMock } from '../../support/tardis-mock.js';

const DAY = '2024-03-01';
const T0 = Date.parse(`${DAY}T00:00:00Z`) * 1000;
const HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';

/** A day of BTCUSDT L2: a 4-level snapshot at T0, then `n` single-level updates a second apart (every 5th a delete). */
function l2Csv(n: number): string {
  const row = (us: number, snap: boolean, side: string, price: string, amount: string) => `binance-futures,BTCUSDT,${us},${us + 2500},${snap},${side},${price},${amount}`;
  const lines = [HEADER, row(T0, true, 'bid', '61000.10', '1.500'), row(T0, true, 'bid', '61000.00', '2.000'), row(T0, true, 'ask', '61000.20', '0.500'), row(T0, true, 'ask', '61000.30', '1.000')];
  for (let i = 1; i <= n; i++) lines.push(row(T0 + i * 1_000_000, false, i % 2 ? 'bid' : 'ask', i % 2 ? '61000.10' : '61000.20', i % 5 === 0 ? '0' : `${i}.250`));
  return lines.join('\n') + '\n';
}

interface Delta { action: number; side: number; price: string; size: string; flags: number; tsEvent: bigint }

async function deltasOf(catalog: string): Promise<Delta[]> {
  const out: Delta[] = [];
  const files = (await filesUnder(join(catalog, 'data'))).filter((f) => f.startsWith('order_book_deltas/') && f.endsWith('.parquet')).sort();
  for (const f of files) {
    for (const r of await readRows(join(catalog, 'data', f))) {
      out.push({
        action: Number(r.action), side: Number(r.side), flags: Number(r.flags), tsEvent: r.ts_event as bigint,
        price: formatRaw(readRaw(r.price as Uint8Array, 0, 16, true), 16, 2), size: formatRaw(readRaw(r.size as Uint8Array, 0, 16, false), 16, 3),
      });
    }
  }
  return out;
}

function tardisJob(mock: TardisMock, dir: string, dataTypes: DataType[], out: string, mode: 'datasets' | 'replay' = 'datasets', start = DAY): Promise<RunReport> {
  return runBuild({
    source: 'tardis', symbol: 'BTCUSDT', start, end: start, output: join(dir, out), dataTypes,
    config: { api_key: 'K', endpoint: mock.url, datasets_endpoint: mock.url, cache_dir: join(dir, 'cache'), retry_base_ms: 5, retry_max_ms: 50, mode },
    configDir: dir,
  });
}

test('Tardis datasets: a day of incremental_book_L2 downloaded and built into deltas (a CLEAR added before the snapshot, F_LAST on each event)', async (t) => {
  // The mock serves the trades fixture by default: needs ../shared.
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await TardisMock.start({ messages: [] });
  t.after(() => mock.close());
  const n = 40;
  mock.datasets.set(`binance-futures/incremental_book_L2/${DAY}/BTCUSDT`, l2Csv(n));
  const r = await tardisJob(mock, dir, ['deltas'], 'catalog');
  assert.ok(r.ok, r.errors.join('; '));
  assert.deepEqual(mock.log('datasets').map((q) => q.path), ['/v1/binance-futures/incremental_book_L2/2024/03/01/BTCUSDT.csv.gz']);
  const [day] = r.days;
  assert.deepEqual([day!.dataType, day!.day, day!.read, day!.added, day!.written, day!.duplicates], ['deltas', DAY, 4 + n, 1, 4 + n + 1, 0]);
  assert.equal(r.totals.added, 1);
  const got = await deltasOf(join(dir, 'catalog'));
  assert.equal(got.length, 4 + n + 1);
  // CLEAR (4, side NONE, F_SNAPSHOT), the snapshot as ADDs (the last one F_LAST), then one UPDATE or DELETE per event, each F_LAST.
  assert.deepEqual(got[0], { action: 4, side: 0, price: '0.00', size: '0.000', flags: 32, tsEvent: BigInt(T0) * 1000n });
  assert.deepEqual(got.slice(1, 5).map((d) => [d.action, d.side, d.price, d.size, d.flags]), [
    [1, 1, '61000.10', '1.500', 0], [1, 1, '61000.00', '2.000', 0], [1, 2, '61000.20', '0.500', 0], [1, 2, '61000.30', '1.000', 128],
  ]);
  assert.deepEqual(got.slice(5, 10).map((d) => [d.action, d.side, d.size, d.flags]), [[2, 1, '1.250', 128], [2, 2, '2.250', 128], [2, 1, '3.250', 128], [2, 2, '4.250', 128], [3, 1, '0.000', 128]]);

  // A second run of the same job downloads nothing (the cache has the day).
  const again = await tardisJob(mock, dir, ['deltas'], 'again');
  assert.ok(again.ok, again.errors.join('; '));
  assert.equal(mock.log('datasets').length, 1);
  assert.equal((await deltasOf(join(dir, 'again'))).length, 4 + n + 1);
});

test('Tardis datasets: depth10 from the book_snapshot_25 dataset; books are never a default type; replay mode refuses them by name', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await TardisMock.start({ messages: [] });
  t.after(() => mock.close());
  const csv = await readFile(join(SOURCES, 'tardis-csv_book_snapshot_25_binance-futures_BTCUSDT_2020-09-01.csv'), 'utf8');
  mock.datasets.set('binance-futures/book_snapshot_25/2020-09-01/BTCUSDT', csv);
  const r = await tardisJob(mock, dir, ['depth10'], 'depth', 'datasets', '2020-09-01');
  assert.ok(r.ok, r.errors.join('; '));
  assert.deepEqual(mock.log('datasets').map((q) => q.path), ['/v1/binance-futures/book_snapshot_25/2020/09/01/BTCUSDT.csv.gz']);
  const rows = csv.trim().split('\n').length - 1;
  assert.deepEqual([r.days[0]!.read, r.days[0]!.written], [rows, rows]);
  const files = (await filesUnder(join(dir, 'depth', 'data'))).filter((f) => f.startsWith('order_book_depths/') && f.endsWith('.parquet'));
  assert.equal(files.length, 1);
  const first = (await readRows(join(dir, 'depth', 'data', files[0]!)))[0]!;
  // The fixture's first row: best bid 11657.07 × 10.896 (its levels past 10 are cut).
  assert.equal(formatRaw(readRaw(first.bid_price_0 as Uint8Array, 0, 16, true), 16, 2), '11657.07');

  assert.deepEqual(TARDIS_DATA_TYPES, ['trades', 'mark', 'funding']);
  const replay = await tardisJob(mock, dir, ['trades', 'deltas'], 'replay', 'replay');
  assert.equal(replay.ok, false);
  assert.match(replay.errors.join('\n'), /Tardis replay mode cannot build deltas .*"mode": "datasets"/);
  assert.equal(mock.log('data-feeds').length, 0, 'refused before any download');
});
