// Order books judged by NautilusTrader 1.231 itself. Generated Tardis incremental_book_L2 day files
// (test/support/books.ts: repeated and back-to-back snapshots, deletions, several rows an event,
// other symbols mixed in, a case with bad rows) become OrderBookDelta catalogs that load through its
// ParquetDataCatalog (nt_check.py) delta by delta equal to an independent reading of the input
// under its Tardis loader's rules, and equal to what its own TardisCSVDataLoader.load_deltas +
// write_data makes of the same files; a BacktestNode strategy's L2 book equals a replay of the rows
// after every event. The book_snapshot_5 / _25 fixtures become OrderBookDepth10 equal to the rows
// and to its own load_depth10. Every catalog passes our verify.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { RunReport } from '../../shared/report.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { ROOT, SOURCES, build, needShared } from '../helpers.js';
import { needNautilus, ntLoad, runPython, type NtCatalog, type NtObject } from '../support/nautilus.js';
import { dec } from './inputs.js';
import { F_LAST, F_SNAPSHOT, fixed, genL2Day, ntDeltas, parseL2, replay, type DeltaIn, type GenFile, type Levels } from '../support/books.js';

const BOOK_5 = join(SOURCES, 'tardis-csv_book_snapshot_5_binance-futures_BTCUSDT_2020-09-01.csv');
const BOOK_25 = join(SOURCES, 'tardis-csv_book_snapshot_25_binance-futures_BTCUSDT_2020-09-01.csv');
const P = { price: 2, size: 3 };
const DAYS = ['2024-01-01', '2024-01-02'];
const ID = 'BTCUSDT-PERP.BINANCE';

interface Built { dir: string; catalog: string; report: RunReport }
interface Setup {
  root: string;
  /** the two day files (other symbols mixed in) and what they should give */
  days: { file: GenFile; expected: DeltaIn[] }[];
  deltas: Built;
  /** the two days' rows in one file */
  span: Built;
  /** one day with bad rows */
  bad: Built & { file: GenFile; expected: DeltaIn[] };
  depth5: Built; depth25: Built;
  loaded: Map<string, NtCatalog>;
  ref: { deltas: string; depth5: string; depth25: string };
  /** the depths NautilusTrader's load_depth10 made, by reference catalog */
  asLoaded: Map<string, NtObject[]>;
}

let root = '';
let setup: Promise<Setup> | null = null;
before(() => { root = mkdtempSync(join(tmpdir(), 'cb-nt-books-')); });
after(() => rmSync(root, { recursive: true, force: true }));

async function buildIn(name: string, files: Record<string, string>, dataType: 'deltas' | 'depth10', days: string[]): Promise<Built> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) await writeFile(join(dir, f), text);
  const report = await build(dir, { [dataType]: { file_path: Object.keys(files) } }, { start: days[0]!, end: days.at(-1)!, dataTypes: [dataType], maxRejectRatio: 1 });
  assert.ok(report.ok, `${name}: ${report.errors.join('; ')}`);
  return { dir, catalog: join(dir, 'catalog'), report };
}

/**
 * Builds every catalog, then in one Python process NautilusTrader's own references (one
 * write_data call per file) and in another loads them all.
 */
async function prepare(): Promise<Setup> {
  const days = DAYS.map((d, i) => {
    const file = genL2Day(d, { others: true, seed: 11 + i });
    return { file, expected: ntDeltas(parseL2(file.text, 'BTCUSDT')) };
  });
  const deltas = await buildIn('deltas', { 'day1.csv': days[0]!.file.text, 'day2.csv': days[1]!.file.text }, 'deltas', DAYS);
  // the same rows in one file spanning midnight: the engine splits it by day, flags as for the file
  const spanText = days[0]!.file.text + days[1]!.file.text.slice(days[1]!.file.text.indexOf('\n') + 1);
  const span = await buildIn('span', { 'both.csv': spanText }, 'deltas', DAYS);
  const badFile = genL2Day(DAYS[0]!, { others: true, bad: true, seed: 5 });
  const bad = { ...(await buildIn('bad', { 'bad.csv': badFile.text }, 'deltas', DAYS.slice(0, 1))), file: badFile, expected: ntDeltas(parseL2(badFile.text, 'BTCUSDT', badFile.bad)) };
  const [book5, book25] = [await readFile(BOOK_5, 'utf8'), await readFile(BOOK_25, 'utf8')];
  const depth5 = await buildIn('depth5', { 'b5.csv': book5 }, 'depth10', ['2020-09-01']);
  const depth25 = await buildIn('depth25', { 'b25.csv': book25 }, 'depth10', ['2020-09-01']);
  // NautilusTrader's loader takes every row for the instrument it is given: its input is the day
  // files without the other symbol's rows. (The bad-rows file has no reference: NautilusTrader's
  // loader panics on the negative amount (a Rust panic in Quantity), rounds over-precise prices and
  // amounts, and keeps a row of an unknown side as a NO_ORDER_SIDE update: we reject those rows.)
  const ref = { deltas: join(root, 'ref-deltas'), depth5: join(root, 'ref-depth5'), depth25: join(root, 'ref-depth25') };
  const only = [];
  for (const [i, d] of days.entries()) {
    const path = join(root, `ref-day${i + 1}.csv`);
    await writeFile(path, d.file.text.split('\n').filter((l) => !l.includes(',ETHUSDT,')).join('\n'));
    only.push(path);
  }
  const base = { instrument_id: ID, price_precision: P.price, size_precision: P.size };
  const spec = [
    { ...base, catalog: ref.deltas, deltas: only },
    // NautilusTrader 1.231 cannot write its own book_snapshot_5 depths (write_data: "Mixed metadata":
    // the empty levels it makes have precision 0): those are compared as its loader gives them.
    { ...base, catalog: ref.depth5, depth5: [BOOK_5], write: false },
    { ...base, catalog: ref.depth25, depth25: [BOOK_25] },
  ];
  await writeFile(join(root, 'spec.json'), JSON.stringify(spec));
  const printed = runPython([join(ROOT, 'test', 'nautilus', 'nt_reference.py'), 'book-references', join(root, 'spec.json')]);
  const loaded = ntLoad([deltas.catalog, span.catalog, bad.catalog, depth5.catalog, depth25.catalog, ref.deltas, ref.depth25]);
  const asLoaded = new Map<string, NtObject[]>();
  for (const l of printed.split('\n').filter(Boolean)) {
    const o = JSON.parse(l) as NtObject;
    asLoaded.set(o.catalog, [...(asLoaded.get(o.catalog) ?? []), o]);
  }
  return { root, days, deltas, span, bad, depth5, depth25, loaded, ref, asLoaded };
}

function prepared(): Promise<Setup> {
  return (setup ??= prepare());
}

const ready = (t: Parameters<typeof needNautilus>[0]) => needNautilus(t) && needShared(t);

/** A delta of the input as nt_check.py prints NautilusTrader's object (prices and sizes at the instrument's precisions). */
function asNt(d: DeltaIn): Record<string, unknown> {
  return {
    instrument_id: ID, action: d.action, side: d.side, price: fixed(d.price, P.price), size: fixed(d.size, P.size), order_id: '0',
    flags: d.flags, sequence: String(d.sequence), ts_event: String(d.tsEvent), ts_init: String(d.tsInit),
  };
}

const fieldsOf = (o: NtObject) => {
  const { catalog: _c, type: _t, ...rest } = o;
  return rest;
};

test('OrderBookDelta: two generated Tardis incremental_book_L2 days (two files, or one across midnight) load through NautilusTrader delta by delta equal to the input under its loader’s rules (CLEARs, F_LAST, F_SNAPSHOT, deletions); other symbols skipped', async (t) => {
  if (!ready(t)) return;
  const s = await prepared();
  const got = (s.loaded.get(s.deltas.catalog)!.OrderBookDelta ?? []).map(fieldsOf);
  const want = s.days.flatMap((d) => d.expected).map(asNt);
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `delta ${i}`);
  // The generated days hold what the rules are about: a snapshot sent twice at one time (one
  // CLEAR), back-to-back snapshots at different times (a CLEAR each), deletions, several rows an event.
  const clears = want.filter((d) => d.action === 4);
  assert.equal(clears.length, 8, 'four CLEARs a day');
  assert.ok(clears.every((d) => d.flags === F_SNAPSHOT && d.side === 0 && d.price === '0.00' && d.size === '0.000'));
  assert.ok(want.filter((d) => d.action === 3).length > 20 && want.filter((d) => d.action === 2).length > 100);
  assert.ok(want.filter((d) => d.flags === 0 && d.action !== 4).length > 50, 'events of several rows');
  const r = s.deltas.report;
  assert.equal(r.totals.rejected, 0);
  assert.equal(r.totals.written, want.length);
  assert.equal(r.totals.added, 8);
  assert.equal(r.totals.read + (r.totals.added ?? 0), r.totals.written);
  for (const f of r.files) assert.ok(f.notes.some((n) => /ETHUSDT\) skipped/.test(n)), `${f.path}: ${f.notes.join('; ')}`);
  assert.deepEqual(r.days.map((d) => [d.day, d.written]), DAYS.map((d, i) => [d, s.days[i]!.expected.length]));
  const v = await verifyCatalog(s.deltas.catalog);
  assert.deepEqual(v.errors, []);
  // One file across midnight: the same deltas, and the same days.
  assert.deepEqual((s.loaded.get(s.span.catalog)!.OrderBookDelta ?? []).map(fieldsOf), want);
  assert.deepEqual(s.span.report.days.map((d) => [d.day, d.written]), DAYS.map((d, i) => [d, s.days[i]!.expected.length]));
  assert.deepEqual((await verifyCatalog(s.span.catalog)).errors, []);
  t.diagnostic(`${got.length} deltas (8 CLEARs) over 2 days equal to the input, from two day files and from one file`);
});

test('OrderBookDelta: the same objects as NautilusTrader’s own TardisCSVDataLoader.load_deltas + write_data of each day file', async (t) => {
  if (!ready(t)) return;
  const s = await prepared();
  const ours = (s.loaded.get(s.deltas.catalog)!.OrderBookDelta ?? []).map(fieldsOf);
  const theirs = (s.loaded.get(s.ref.deltas)!.OrderBookDelta ?? []).map(fieldsOf);
  assert.ok(theirs.length > 300);
  assert.deepEqual(ours, theirs);
});

test('OrderBookDelta with bad rows: the update before the first snapshot, the negative amount, the over-precise amount and price, the bad side and the non-number price are rejected naming line and field; every other row is written as the rules say', async (t) => {
  if (!ready(t)) return;
  const s = await prepared();
  const got = (s.loaded.get(s.bad.catalog)!.OrderBookDelta ?? []).map(fieldsOf);
  assert.deepEqual(got, s.bad.expected.map(asNt));
  const rejects = (await readFile(s.bad.report.rejectsFile!, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { line: number; field: string; file: string });
  assert.deepEqual(rejects.map((r) => [r.line, r.field]), [...s.bad.file.bad]);
  assert.ok(rejects.every((r) => r.file.endsWith('bad.csv')));
  assert.deepEqual((await verifyCatalog(s.bad.catalog)).errors, []);
});

/** A book_snapshot_N row as NautilusTrader's Depth10 should hold it: levels 0..9, missing ones empty. */
function depthOf(text: string): Record<string, unknown>[] {
  const lines = text.split('\n').filter(Boolean);
  const head = lines.shift()!.split(',');
  return lines.map((l) => {
    const f = l.split(',');
    const cell = (name: string) => { const i = head.indexOf(name); return i < 0 ? null : f[i]!; };
    const side = (name: string, sideNo: number) => Array.from({ length: 10 }, (_, i) => {
      const price = cell(`${name}[${i}].price`);
      // An empty level: price and size 0, count 0. The Parquet layout has no side column; the
      // catalog's reader gives every level its array's side.
      return { side: sideNo, price: fixed(price ?? '0', P.price), size: fixed(cell(`${name}[${i}].amount`) ?? '0', P.size), order_id: '0' };
    });
    const bids = side('bids', 1), asks = side('asks', 2);
    const counts = (name: string) => Array.from({ length: 10 }, (_, i) => (cell(`${name}[${i}].price`) === null ? 0 : 1));
    return {
      instrument_id: ID, bids, asks, bid_counts: counts('bids'), ask_counts: counts('asks'),
      flags: F_SNAPSHOT | F_LAST, sequence: '0', ts_event: String(BigInt(cell('timestamp')!) * 1000n), ts_init: String(BigInt(cell('local_timestamp')!) * 1000n),
    };
  });
}

/**
 * A depth with every price and size as its exact value, and empty levels as side 0: NautilusTrader's
 * loader makes them NULL_ORDER (side 0, "0" at precision 0); read from a catalog they are "0.00" on
 * their array's side.
 */
function byValue(o: Record<string, unknown>): Record<string, unknown> {
  const side = (v: unknown) => (v as { side: number; price: string; size: string }[]).map((l) => {
    const [price, size] = [dec(l.price), dec(l.size)];
    return { ...l, side: price === '0' && size === '0' ? 0 : l.side, price, size };
  });
  return { ...o, bids: side(o.bids), asks: side(o.asks) };
}

test('OrderBookDepth10 from book_snapshot_5 and _25: NautilusTrader loads each equal to its row (levels 5..9 empty for _5, the first 10 of 25) and equal to its own load_depth10 (+ write_data for _25)', async (t) => {
  if (!ready(t)) return;
  const s = await prepared();
  for (const [built, ref, path] of [[s.depth5, s.ref.depth5, BOOK_5], [s.depth25, s.ref.depth25, BOOK_25]] as const) {
    const got = (s.loaded.get(built.catalog)!.OrderBookDepth10 ?? []).map(fieldsOf);
    const want = depthOf(await readFile(path, 'utf8'));
    assert.equal(got.length, 10);
    assert.deepEqual(got, want);
    const loader = (s.asLoaded.get(ref) ?? []).map(fieldsOf);
    assert.equal(loader.length, 10);
    assert.deepEqual(got.map(byValue), loader.map(byValue), `${path}: NautilusTrader's own load_depth10`);
    if (path === BOOK_25) assert.deepEqual(got, (s.loaded.get(ref)!.OrderBookDepth10 ?? []).map(fieldsOf), `${path}: NautilusTrader's load_depth10 + write_data`);
    assert.equal(built.report.totals.written, 10);
    assert.deepEqual((await verifyCatalog(built.catalog)).errors, []);
  }
});

test('OrderBookDelta in a BacktestNode: the L2_MBP book NautilusTrader keeps, and one the strategy applies the deltas to, equal a replay of the CSV rows after every event', async (t) => {
  if (!ready(t)) return;
  const s = await prepared();
  const out = JSON.parse(runPython([join(ROOT, 'test', 'nautilus', 'nt_backtest_books.py'), s.deltas.catalog, ID])) as { events: [string, Levels | null, Levels][]; deltas: number };
  const want = new Map<bigint, Levels>();
  for (const d of s.days) for (const [ts, l] of replay(parseL2(d.file.text, 'BTCUSDT'), P)) want.set(ts, l);
  assert.equal(out.deltas, s.days.reduce((a, d) => a + d.expected.length, 0));
  assert.equal(out.events.length, want.size);
  for (const [ts, cached, own] of out.events) {
    const w = want.get(BigInt(ts));
    assert.ok(w, `an event at ${ts}`);
    assert.deepEqual(own, w, `the strategy's book at ${ts}`);
    assert.deepEqual(cached, w, `NautilusTrader's cached book at ${ts}`);
  }
  t.diagnostic(`${out.events.length} events, books equal after each`);
});
