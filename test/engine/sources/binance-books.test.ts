// Binance USD-M order books built into OrderBookDelta: the T_DEPTH snapshot and update CSVs (alone,
// together as two files or through snapshot_path) and WebSocket depthUpdate captures synced from a
// saved REST depth snapshot (raw, combined and Tardis line shapes). Checked: actions, sides, exact
// values, flags (CLEAR + F_SNAPSHOT per snapshot, F_LAST per message), sequences, times, the sync
// rules (older updates skipped, a pu gap noted with its line and time and its updates rejected until
// the next snapshot), a snapshot of another symbol refused, and that every row is in one bucket.
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../../shared/report.js';
import { formatRaw } from '../../../engine/numbers/decimal.js';
import { readRaw } from '../../../engine/numbers/fixed.js';
import { SOURCES, build, filesUnder, needShared, readRows, tempDir } from '../../helpers.js';

const SNAP = join(SOURCES, 'binance-tdepth_um_depth-snap_BTCUSDT_2022-11-01.csv');
const UPDATE = join(SOURCES, 'binance-tdepth_um_depth-update_BTCUSDT_2022-11-01.csv');
const DAY_2022 = { start: '2022-11-01', end: '2022-11-01' };
const MS = 1_000_000n;

/** One delta as text: action side price size flags sequence ts_event ts_init. */
type D = [number, number, string, string, number, bigint, bigint, bigint];

/** Every delta of a catalog in file order (128-bit values at price precision 2, size precision 3). */
async function deltasOf(catalog: string): Promise<D[]> {
  const out: D[] = [];
  const files = (await filesUnder(join(catalog, 'data'))).filter((f) => f.startsWith('order_book_deltas/') && f.endsWith('.parquet')).sort();
  for (const f of files) {
    for (const r of await readRows(join(catalog, 'data', f))) {
      const v = (k: string, places: number) => formatRaw(readRaw(r[k] as Uint8Array, 0, 16, k === 'price'), 16, places);
      out.push([r.action as number, r.side as number, v('price', 2), v('size', 3), r.flags as number, r.sequence as bigint, r.ts_event as bigint, r.ts_init as bigint]);
    }
  }
  return out;
}

/** read + added (the CLEARs) = written + the other buckets, per day and in total. */
function assertAccounts(r: RunReport): void {
  for (const d of r.days) {
    const rejected = Object.values(d.rejected).reduce((a, b) => a + b, 0);
    assert.equal(d.written + d.duplicates + d.skipped + rejected + d.existing + d.discarded, d.read + (d.added ?? 0), `${d.day}: ${JSON.stringify(d)}`);
  }
  const t = r.totals;
  assert.equal(t.written + t.duplicates + t.rejected + t.outOfRange + t.skipped + t.existing + t.discarded, t.read + (t.added ?? 0), JSON.stringify(t));
}

const notesOf = (r: RunReport, name: string) => r.files.filter((f) => f.path.endsWith(name)).flatMap((f) => f.notes).join('\n');

test('T_DEPTH snapshot CSV: a CLEAR, then one ADD per row with F_SNAPSHOT, the last with F_LAST; sequence = last_update_id', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const r = await build(dir, { deltas: { file_path: SNAP } }, DAY_2022);
  assert.equal(r.ok, true, r.errors.join('; '));
  assert.equal(r.files[0]!.format, 'binance.tdepth');
  const d = await deltasOf(join(dir, 'catalog'));
  const ts = 1667346579146n * MS, seq = 2098021528332n;
  assert.equal(d.length, 101);
  assert.deepEqual(d[0], [4, 0, '0.00', '0.000', 32, seq, ts, ts]);
  assert.deepEqual(d[1], [1, 1, '20377.00', '1.770', 32, seq, ts, ts]);
  assert.deepEqual(d[2], [1, 1, '20376.90', '0.001', 32, seq, ts, ts]);
  assert.deepEqual(d[100], [1, 1, '20365.90', '0.207', 32 | 128, seq, ts, ts]);
  assert.equal(d.filter((x) => x[4] & 128).length, 1, 'one event, one F_LAST');
  assert.deepEqual(r.totals.added, 1);
  assertAccounts(r);
});

test('T_DEPTH update CSV alone: every update is rejected, the book it changes is unknown', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const r = await build(dir, { deltas: { file_path: UPDATE } }, { ...DAY_2022, maxRejectRatio: 1 });
  assert.equal(r.totals.written, 0);
  assert.equal(r.totals.rejected, 100);
  assert.match(Object.keys(r.days[0]!.rejected)[0]!, /^update_type: an update before any snapshot/);
  assertAccounts(r);
});

test('T_DEPTH snapshot + update CSVs (two files, or snapshot_path): the fixture updates start after a gap, which is noted and rejects them', async (t) => {
  if (!needShared(t)) return;
  for (const files of [{ file_path: [SNAP, UPDATE] }, { file_path: UPDATE, snapshot_path: SNAP }]) {
    const dir = await tempDir(t);
    const r = await build(dir, { deltas: files }, { ...DAY_2022, maxRejectRatio: 1 });
    const d = await deltasOf(join(dir, 'catalog'));
    assert.equal(d.length, 101, 'the snapshot only');
    assert.equal(r.totals.rejected, 100);
    // The snapshot's lastUpdateId 2098021528332; the first update's U 2098041693435 is past it.
    assert.match(notesOf(r, 'update_BTCUSDT_2022-11-01.csv'), /1 gap\(s\) in the update ids .*at line 2 \(2022-11-01T23:59:59\.939000000Z\): the first update after the snapshot \(lastUpdateId 2098021528332\) starts at U=2098041693435/);
    assert.match(Object.keys(r.days[0]!.rejected)[0]!, /^pu: after the gap in the update ids at line 2 \(2022-11-01T23:59:59\.939000000Z\): updates are rejected until the next snapshot/);
    assertAccounts(r);
  }
});

/** A T_DEPTH row. */
const row = (ms: number, first: number, last: number, side: string, type: string, price: string, qty: string, pu: number) =>
  `BTCUSDT,${ms},${first},${last},${side},${type},${price},${qty},${pu}`;
const HEADER = 'symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu';
const T0 = Date.UTC(2024, 0, 1, 0, 0, 1);

test('T_DEPTH generated: older updates skipped, the bridging one applied, a pu gap rejects updates until the next snapshot, which resumes', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'snap.csv'), [HEADER,
    row(T0, 100, 100, 'b', 'snap', '42000.00', '1.000', -1),
    row(T0, 100, 100, 'a', 'snap', '42000.10', '2.000', -1)].join('\n') + '\n');
  await writeFile(join(dir, 'upd.csv'), [HEADER,
    row(T0 - 50, 90, 95, 'b', 'set', '41999.00', '1.000', 89), //   2 older than the snapshot: skipped
    row(T0 + 10, 96, 104, 'b', 'set', '42000.00', '0.000', 95), // 3 U <= 100 <= u: applied (DELETE)
    row(T0 + 10, 96, 104, 'a', 'set', '42000.20', '1.000', 95), // 4 same event: UPDATE, F_LAST
    row(T0 + 20, 105, 110, 'b', 'set', '41999.50', '3.000', 104), // 5 applied
    row(T0 + 30, 115, 120, 'a', 'set', '42000.30', '1.000', 112), // 6 pu 112 != 110: the gap
    row(T0 + 40, 121, 125, 'a', 'set', '42000.40', '1.000', 120), // 7 after the gap: rejected
    row(T0 + 50, 130, 130, 'b', 'snap', '41990.00', '5.000', -1), // 8 a new snapshot heals it
    row(T0 + 50, 130, 130, 'a', 'snap', '42010.00', '6.000', -1), // 9
    row(T0 + 60, 128, 133, 'a', 'set', '42010.00', '0.000', 125), // 10 U <= 130 <= u: applied
  ].join('\n') + '\n');
  const r = await build(dir, { deltas: { file_path: 'upd.csv', snapshot_path: 'snap.csv' } });
  assert.equal(r.ok, true, r.errors.join('; '));
  const ns = (ms: number) => BigInt(ms) * MS;
  assert.deepEqual(await deltasOf(join(dir, 'catalog')), [
    [4, 0, '0.00', '0.000', 32, 100n, ns(T0), ns(T0)],
    [1, 1, '42000.00', '1.000', 32, 100n, ns(T0), ns(T0)],
    [1, 2, '42000.10', '2.000', 160, 100n, ns(T0), ns(T0)],
    [3, 1, '42000.00', '0.000', 0, 104n, ns(T0 + 10), ns(T0 + 10)],
    [2, 2, '42000.20', '1.000', 128, 104n, ns(T0 + 10), ns(T0 + 10)],
    [2, 1, '41999.50', '3.000', 128, 110n, ns(T0 + 20), ns(T0 + 20)],
    [4, 0, '0.00', '0.000', 32, 130n, ns(T0 + 50), ns(T0 + 50)],
    [1, 1, '41990.00', '5.000', 32, 130n, ns(T0 + 50), ns(T0 + 50)],
    [1, 2, '42010.00', '6.000', 160, 130n, ns(T0 + 50), ns(T0 + 50)],
    [3, 2, '42010.00', '0.000', 128, 133n, ns(T0 + 60), ns(T0 + 60)],
  ]);
  const day = r.days[0]!;
  assert.equal(day.skipped, 1);
  assert.deepEqual(day.rejected, { 'pu: after the gap in the update ids at line 6 (2024-01-01T00:00:01.030000000Z): updates are rejected until the next snapshot': 2 });
  const notes = notesOf(r, 'upd.csv');
  assert.match(notes, /1 update level\(s\) older than the snapshot .* skipped/);
  assert.match(notes, /1 gap\(s\) in the update ids .*at line 6 \(2024-01-01T00:00:01\.030000000Z\): pu 112, but the previous update ended at u=110; 2 update level\(s\) after them rejected/);
  assert.equal(r.totals.added, 2);
  assertAccounts(r);
});

/** The saved REST depth snapshot (GET /fapi/v1/depth) of the generated capture. */
const REST = { lastUpdateId: 1000, E: T0 + 500, T: T0 + 499, bids: [['42000.00', '1.000'], ['41999.90', '2.000']], asks: [['42000.10', '1.500'], ['42000.20', '0.500']] };

/** depthUpdate payloads: the first older than the snapshot, two applied, then a pu gap and one after it; ETHUSDT's ignored. */
function depthUpdates(): Record<string, unknown>[] {
  const m = (T: number, U: number, u: number, pu: number, b: string[][], a: string[][], s = 'BTCUSDT') => ({ e: 'depthUpdate', E: T + 1, T, s, U, u, pu, b, a });
  return [
    m(T0 + 100, 990, 995, 989, [['41999.00', '1.000']], [['42001.00', '1.000']]),
    m(T0 + 450, 996, 1003, 995, [['42000.00', '0.000']], [['42000.30', '1.000']]),
    m(T0 + 460, 1, 2, 0, [['3000.00', '1.000']], [], 'ETHUSDT'),
    m(T0 + 600, 1004, 1010, 1003, [['41999.95', '3.000']], []),
    m(T0 + 700, 1011, 1020, 1005, [['41999.80', '1.000']], [['42000.50', '1.000']]),
    m(T0 + 800, 1021, 1025, 1020, [['41999.70', '1.000']], [['42000.60', '1.000']]),
  ];
}

/** "2024-01-01T00:00:01.4000000Z": the 28-character form of a Tardis data-feed line. */
const iso28 = (ms: number) => new Date(ms).toISOString().slice(0, 19) + '.' + String(ms % 1000).padStart(3, '0') + '0000Z';

const SHAPES: Record<string, (p: Record<string, unknown>) => string> = {
  raw: (p) => JSON.stringify(p),
  combined: (p) => JSON.stringify({ stream: `${String(p.s).toLowerCase()}@depth@0ms`, data: p }),
  // received 50 ms before its transaction time: the bridging update arrives before the snapshot's T
  tardis: (p) => `${iso28((p.T as number) - 50)} ${JSON.stringify({ stream: `${String(p.s).toLowerCase()}@depth@0ms`, data: p })}`,
};

test('depthUpdate captures (raw, combined, Tardis lines) synced from the REST snapshot: older dropped, pu gap noted and the rest rejected', async (t) => {
  for (const [shape, line] of Object.entries(SHAPES)) {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'cap.jsonl'), depthUpdates().map(line).join('\n') + '\n');
    await writeFile(join(dir, 'depth.json'), JSON.stringify(REST));
    const r = await build(dir, { deltas: { file_path: 'cap.jsonl', snapshot_path: 'depth.json' } }, { source: 'websocket' });
    assert.equal(r.ok, true, `${shape}: ${r.errors.join('; ')}`);
    const ns = (ms: number) => BigInt(ms) * MS;
    const snapT = ns(T0 + 499);
    // ts_init: the receive time of a Tardis line, else ts_event = T; raised to the snapshot's for the
    // bridging update (T0 + 450, before the snapshot's T0 + 499) so sorting keeps it after the CLEAR.
    const init = (T: number) => {
      const t0 = shape === 'tardis' ? ns(T - 50) : ns(T);
      return t0 < snapT ? snapT : t0;
    };
    assert.deepEqual(await deltasOf(join(dir, 'catalog')), [
      [4, 0, '0.00', '0.000', 32, 1000n, snapT, snapT],
      [1, 1, '42000.00', '1.000', 32, 1000n, snapT, snapT],
      [1, 1, '41999.90', '2.000', 32, 1000n, snapT, snapT],
      [1, 2, '42000.10', '1.500', 32, 1000n, snapT, snapT],
      [1, 2, '42000.20', '0.500', 160, 1000n, snapT, snapT],
      [3, 1, '42000.00', '0.000', 0, 1003n, ns(T0 + 450), init(T0 + 450)],
      [2, 2, '42000.30', '1.000', 128, 1003n, ns(T0 + 450), init(T0 + 450)],
      [2, 1, '41999.95', '3.000', 128, 1010n, ns(T0 + 600), init(T0 + 600)],
    ], shape);
    const day = r.days[0]!;
    assert.equal(day.skipped, 2, shape);
    assert.deepEqual(day.rejected, { 'pu: after the gap in the update ids at line 5 (2024-01-01T00:00:01.700000000Z): updates are rejected until the next snapshot': 4 }, shape);
    const notes = notesOf(r, 'cap.jsonl');
    assert.match(notes, /synced from the depth snapshot depth\.json: lastUpdateId 1000 at 2024-01-01T00:00:01\.499000000Z, 2 bid and 2 ask level\(s\) \(it names no symbol/);
    assert.match(notes, /at line 5 \(2024-01-01T00:00:01\.700000000Z\): pu 1005, but the previous update ended at u=1010; 4 update level\(s\) after them rejected/);
    assert.match(notes, /1 message\(s\) of other symbols ignored/);
    assert.match(notes, /ts_init raised to the snapshot's time for 2 update level\(s\)/);
    assert.equal(r.totals.read, 13, shape);
    assertAccounts(r);
  }
});

test('a depthUpdate capture without snapshot_path, and a snapshot of another symbol, are refused with clear errors', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'cap.jsonl'), depthUpdates().map(SHAPES.raw!).join('\n') + '\n');
  const none = await build(dir, { deltas: { file_path: 'cap.jsonl' } }, { source: 'websocket' });
  assert.equal(none.ok, false);
  assert.match(none.errors.join('\n'), /deltas: a capture's depthUpdate messages need the REST depth snapshot it was synced from: snapshot_path/);
  assert.equal(none.totals.written, 0);
  // A Tardis-style envelope names the symbol: ETHUSDT's snapshot for a BTCUSDT capture.
  await writeFile(join(dir, 'eth.json'), JSON.stringify({ stream: 'ethusdt@depthSnapshot', data: REST }));
  const other = await build(dir, { deltas: { file_path: 'cap.jsonl', snapshot_path: 'eth.json' } }, { source: 'websocket' });
  assert.equal(other.ok, false);
  assert.match(other.errors.join('\n'), /depth snapshot eth\.json is of ETHUSDT, but the capture is read for BTCUSDT/);
  assert.equal(other.totals.written, 0);
});

test('the T_DEPTH layout is detected as one format for both files, labelled by its first row', async (t) => {
  if (!needShared(t)) return;
  const { inspectFiles } = await import('../../../engine/preview.js');
  const dir = await tempDir(t);
  await copyFile(SNAP, join(dir, 's.csv'));
  const [s, u] = await inspectFiles([join(dir, 's.csv'), UPDATE]);
  assert.deepEqual([s!.format, s!.label, s!.feeds], ['binance.tdepth', 'Binance T_DEPTH order book snapshot', ['deltas']]);
  assert.deepEqual([u!.format, u!.label, u!.feeds], ['binance.tdepth', 'Binance T_DEPTH order book updates', ['deltas']]);
  assert.ok((await readFile(UPDATE, 'utf8')).startsWith(`${HEADER}\n`));
});

test('trades and deltas from one capture (read once for both): the snapshot_path of the deltas entry reaches the deltas', async (t) => {
  const dir = await tempDir(t);
  const trade = JSON.stringify({ e: 'aggTrade', E: T0 + 300, a: 7, s: 'BTCUSDT', p: '42000.00', q: '0.010', f: 1, l: 1, T: T0 + 300, m: true });
  await writeFile(join(dir, 'cap.jsonl'), [trade, ...depthUpdates().map(SHAPES.raw!)].join('\n') + '\n');
  await writeFile(join(dir, 'depth.json'), JSON.stringify(REST));
  const r = await build(dir, { trades: { file_path: 'cap.jsonl' }, deltas: { file_path: 'cap.jsonl', snapshot_path: 'depth.json' } }, { source: 'websocket' });
  assert.equal(r.ok, true, r.errors.join('; '));
  assert.deepEqual(r.days.map((d) => [d.dataType, d.written]), [['trades', 1], ['deltas', 8]]);
  assertAccounts(r);
});
