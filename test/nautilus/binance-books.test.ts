// Binance order books judged by NautilusTrader 1.231 itself: catalogs built from the T_DEPTH
// snapshot fixture, a generated T_DEPTH snapshot + update pair and a depthUpdate capture with its
// REST snapshot load through its ParquetDataCatalog, and its own OrderBook, fed every delta in
// order, ends with the book the inputs describe. The fixture's deltas are NautilusTrader's own
// BinanceOrderBookDeltaDataLoader + OrderBookDeltaDataWrangler output except where we follow its live
// Binance adapter instead (engine/sources/binance/depth.ts): the CLEAR carries F_SNAPSHOT (Rust's
// OrderBookDelta::clear; the installed Cython clear gives 0) and the last delta F_LAST.
// The Python below is this test's own (nt_check.py is shared with other suites).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { SOURCES, build, needShared, tempDir } from '../helpers.js';
import { needNautilus, runPython } from '../support/nautilus.js';

const SNAP = join(SOURCES, 'binance-tdepth_um_depth-snap_BTCUSDT_2022-11-01.csv');

/** Loads a catalog's deltas, applies them to an L2 OrderBook; with `loader`, NautilusTrader's own loader + wrangler output of that CSV too. */
const PY = `
import sys, json
from nautilus_trader.persistence.catalog import ParquetDataCatalog
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.enums import BookType
req = json.loads(sys.stdin.read())
c = ParquetDataCatalog(req["catalog"])
inst = c.instruments()[0]
ds = c.order_book_deltas()
# sequences and times as text: JSON numbers past 2^53 would not be exact
row = lambda d: [int(d.action), int(d.order.side), str(d.order.price), str(d.order.size), d.flags, str(d.sequence), str(d.ts_event), str(d.ts_init)]
book = OrderBook(inst.id, BookType.L2_MBP)
for d in ds:
    book.apply_delta(d)
level = lambda l: [str(l.price), str(l.orders()[0].size)]
out = {"deltas": [row(d) for d in ds], "bids": [level(l) for l in book.bids()], "asks": [level(l) for l in book.asks()]}
if req.get("loader"):
    from nautilus_trader.adapters.binance.loaders import BinanceOrderBookDeltaDataLoader
    from nautilus_trader.persistence.wranglers import OrderBookDeltaDataWrangler
    out["loader"] = [row(d) for d in OrderBookDeltaDataWrangler(inst).process(BinanceOrderBookDeltaDataLoader.load(req["loader"]))]
print(json.dumps(out))
`;

type Row = [number, number, string, string, number, string, string, string];
interface NtBook { deltas: Row[]; bids: string[][]; asks: string[][]; loader?: Row[] }

function ntBook(catalog: string, loader?: string): NtBook {
  return JSON.parse(runPython(['-c', PY], { input: JSON.stringify({ catalog, loader }) })) as NtBook;
}

test('T_DEPTH snapshot fixture: NautilusTrader loads it, and its loader + wrangler give the same deltas but for the CLEAR flags and F_LAST', async (t) => {
  if (!needNautilus(t) || !needShared(t)) return;
  const dir = await tempDir(t);
  const r = await build(dir, { deltas: { file_path: SNAP } }, { start: '2022-11-01', end: '2022-11-01' });
  assert.equal(r.ok, true, r.errors.join('; '));
  const nt = ntBook(join(dir, 'catalog'), SNAP);
  const ours = nt.deltas, theirs = nt.loader!;
  assert.equal(ours.length, 101);
  assert.equal(theirs.length, 101);
  // The CLEAR: theirs has flags 0 and a price of precision 0; the rest of it is the same.
  assert.deepEqual([ours[0]![0], ours[0]![4], ...ours[0]!.slice(5)], [4, 32, ...theirs[0]!.slice(5)]);
  assert.deepEqual([theirs[0]![0], theirs[0]![4]], [4, 0]);
  for (let i = 1; i < 101; i++) {
    const flags = i === 100 ? theirs[i]![4] | 128 : theirs[i]![4];
    assert.deepEqual(ours[i], [...theirs[i]!.slice(0, 4), flags, ...theirs[i]!.slice(5)], `delta ${i}`);
  }
  assert.equal(nt.bids.length, 100);
  assert.deepEqual(nt.bids[0], ['20377.00', '1.770']);
  assert.deepEqual(nt.asks, []);
});

const T0 = Date.UTC(2024, 0, 1, 0, 0, 1);

test('a generated T_DEPTH pair: NautilusTrader’s OrderBook, fed the catalog, ends with the book after the last snapshot and its update', async (t) => {
  if (!needNautilus(t)) return;
  const dir = await tempDir(t);
  const row = (ms: number, first: number, last: number, side: string, type: string, price: string, qty: string, pu: number) => `BTCUSDT,${ms},${first},${last},${side},${type},${price},${qty},${pu}`;
  const header = 'symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu';
  await writeFile(join(dir, 'snap.csv'), [header, row(T0, 100, 100, 'b', 'snap', '42000.00', '1.000', -1), row(T0, 100, 100, 'a', 'snap', '42000.10', '2.000', -1)].join('\n') + '\n');
  await writeFile(join(dir, 'upd.csv'), [header,
    row(T0 + 10, 96, 104, 'b', 'set', '41999.90', '4.000', 95),
    row(T0 + 20, 105, 110, 'a', 'set', '42000.10', '0.000', 104),
    row(T0 + 20, 105, 110, 'a', 'set', '42000.30', '1.000', 104),
    row(T0 + 30, 115, 120, 'a', 'set', '42000.40', '1.000', 112), // gap: rejected
    row(T0 + 50, 130, 130, 'b', 'snap', '41990.00', '5.000', -1),
    row(T0 + 50, 130, 130, 'a', 'snap', '42010.00', '6.000', -1),
    row(T0 + 50, 130, 130, 'a', 'snap', '42011.00', '7.000', -1),
    row(T0 + 60, 128, 133, 'a', 'set', '42010.00', '0.000', 125),
    row(T0 + 70, 134, 140, 'b', 'set', '41991.00', '1.500', 133),
  ].join('\n') + '\n');
  const r = await build(dir, { deltas: { file_path: ['snap.csv', 'upd.csv'] } });
  assert.equal(r.ok, true, r.errors.join('; '));
  const nt = ntBook(join(dir, 'catalog'));
  assert.equal(nt.deltas.length, 12);
  assert.deepEqual(nt.bids, [['41991.00', '1.500'], ['41990.00', '5.000']]);
  assert.deepEqual(nt.asks, [['42011.00', '7.000']]);
  assert.deepEqual(nt.deltas.map((d) => d[4]), [32, 32, 160, 128, 0, 128, 32, 32, 32, 160, 128, 128]);
});

test('a depthUpdate capture with its REST snapshot: NautilusTrader’s OrderBook, fed the catalog, ends with the snapshot and the updates applied', async (t) => {
  if (!needNautilus(t)) return;
  const dir = await tempDir(t);
  const m = (T: number, U: number, u: number, pu: number, b: string[][], a: string[][]) => JSON.stringify({ stream: 'btcusdt@depth@0ms', data: { e: 'depthUpdate', E: T + 1, T, s: 'BTCUSDT', U, u, pu, b, a } });
  await writeFile(join(dir, 'cap.jsonl'), [
    m(T0 + 100, 990, 995, 989, [['41999.00', '1.000']], []), // older than the snapshot
    m(T0 + 450, 996, 1003, 995, [['42000.00', '0.000']], [['42000.30', '1.000']]),
    m(T0 + 600, 1004, 1010, 1003, [['41999.95', '3.000']], [['42000.10', '0.250']]),
  ].join('\n') + '\n');
  await writeFile(join(dir, 'depth.json'), JSON.stringify({ lastUpdateId: 1000, E: T0 + 500, T: T0 + 499, bids: [['42000.00', '1.000'], ['41999.90', '2.000']], asks: [['42000.10', '1.500'], ['42000.20', '0.500']] }));
  const r = await build(dir, { deltas: { file_path: 'cap.jsonl', snapshot_path: 'depth.json' } }, { source: 'websocket' });
  assert.equal(r.ok, true, r.errors.join('; '));
  const nt = ntBook(join(dir, 'catalog'));
  assert.deepEqual(nt.bids, [['41999.95', '3.000'], ['41999.90', '2.000']]);
  assert.deepEqual(nt.asks, [['42000.10', '0.250'], ['42000.20', '0.500'], ['42000.30', '1.000']]);
  assert.deepEqual(nt.deltas.map((d) => [d[0], d[4], d[5]]), [[4, 32, '1000'], [1, 32, '1000'], [1, 32, '1000'], [1, 32, '1000'], [1, 160, '1000'], [3, 0, '1003'], [2, 128, '1003'], [2, 0, '1010'], [2, 128, '1010']]);
});
