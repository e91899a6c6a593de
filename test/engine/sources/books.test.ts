// Order-book deltas from Tardis incremental_book_L2 CSVs, without NautilusTrader (its judgement is
// test/nautilus/books.test.ts): bad rows are rejected naming line, field and reason while every
// other row is written under the loader's rules (test/support/books.ts ntDeltas, no engine/ code);
// a crossed book is a file note; a file of another symbol refuses the job; each day's accounting
// adds up (read + added = written + the other buckets); a second read of a file is duplicates only.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../../shared/report.js';
import { formatRaw } from '../../../engine/numbers/decimal.js';
import { readRaw } from '../../../engine/numbers/fixed.js';
import { build, filesUnder, readRows, tempDir } from '../../helpers.js';
import { ACTION, F_LAST, F_SNAPSHOT, L2_HEADER, fixed, genL2Day, ntDeltas, parseL2, type DeltaIn } from '../../support/books.js';

const P = { price: 2, size: 3 };
const DAY = { start: '2024-01-01', end: '2024-01-01', dataTypes: ['deltas' as const], maxRejectRatio: 1 };
const T0 = 1_704_067_201_000_000n; // 2024-01-01T00:00:01Z in µs

/** A Tardis incremental_book_L2 file of BTCUSDT rows [µs offset from T0, is_snapshot, side, price, amount]. */
function l2(rows: [number, boolean, string, string, string][], symbol = 'BTCUSDT'): string {
  return [L2_HEADER, ...rows.map(([dt, snap, side, price, amount]) => `binance-futures,${symbol},${T0 + BigInt(dt)},${T0 + BigInt(dt) + 500n},${snap},${side},${price},${amount}`)].join('\n') + '\n';
}

/** Every delta of a catalog in file order, prices and sizes as text at the instrument's precisions. */
async function deltasOf(catalog: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const f of (await filesUnder(join(catalog, 'data'))).filter((n) => n.startsWith('order_book_deltas/')).sort()) {
    for (const r of await readRows(join(catalog, 'data', f))) {
      const v = (k: string, signed: boolean, places: number) => formatRaw(readRaw(r[k] as Uint8Array, 0, 16, signed), 16, places);
      out.push({
        action: r.action, side: r.side, price: v('price', true, P.price), size: v('size', false, P.size), order_id: r.order_id,
        flags: r.flags, sequence: r.sequence, ts_event: r.ts_event, ts_init: r.ts_init,
      });
    }
  }
  return out;
}

/** The model's delta in the form deltasOf gives. */
const asRow = (d: DeltaIn) => ({
  action: d.action, side: d.side, price: fixed(d.price, P.price), size: fixed(d.size, P.size), order_id: 0n,
  flags: d.flags, sequence: d.sequence, ts_event: d.tsEvent, ts_init: d.tsInit,
});

async function rejectsOf(report: RunReport): Promise<{ file: string; line: number; field: string; reason: string; value: string }[]> {
  if (!report.rejectsFile) return [];
  return (await readFile(report.rejectsFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** read + added = written + every other bucket, for each day and the totals. */
function assertAccounts(r: RunReport): void {
  for (const d of r.days) {
    const rejected = Object.values(d.rejected).reduce((a, b) => a + b, 0);
    assert.equal(d.read + (d.added ?? 0), d.written + d.duplicates + rejected + d.skipped + d.existing + d.discarded, `${d.day}: ${JSON.stringify(d)}`);
  }
  const t = r.totals;
  assert.equal(t.read + (t.added ?? 0), t.written + t.duplicates + t.rejected + t.outOfRange + t.skipped + t.existing + t.discarded, JSON.stringify(t));
}

async function buildFile(t: Parameters<typeof tempDir>[0], text: string, job: Record<string, unknown> = {}, paths = ['d.csv']) {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'd.csv'), text);
  const report = await build(dir, { deltas: { file_path: paths } }, { ...DAY, ...job });
  return { dir, report, catalog: join(dir, 'catalog') };
}

test('bad rows are rejected naming line, field and reason (an update before any snapshot, a negative amount, a non-number price, a bad side, too many decimals); every other row is written as the rules say', async (t) => {
  const text = l2([
    [0, false, 'bid', '99.9', '1'], // line 2: before any snapshot
    [1000, true, 'bid', '99.9', '1.5'],
    [1000, true, 'ask', '100.1', '2'],
    [2000, false, 'bid', '99.9', '-1'], // line 5
    [2000, false, 'bid', 'abc', '1'], // line 6
    [2000, false, 'middle', '99.8', '1'], // line 7
    [2000, false, 'ask', '100.2', '1.0001'], // line 8
    [2000, false, 'ask', '100.123', '1'], // line 9
    [2000, false, 'bid', '99.8', '3'],
    [3000, false, 'ask', '100.1', '0'],
    [3000, false, 'bid', '99.7', '0.5'], // line 12: the last row of the file is a reject
    [3000, false, 'ask', '100.3', '-0.5'],
  ]);
  const { report, catalog } = await buildFile(t, text);
  assert.ok(report.ok, report.errors.join('; '));
  const rejects = await rejectsOf(report);
  assert.deepEqual(rejects.map((r) => [r.line, r.field]), [[2, 'is_snapshot'], [5, 'amount'], [6, 'price'], [7, 'side'], [8, 'amount'], [9, 'price'], [13, 'amount']]);
  const reason = (line: number) => rejects.find((r) => r.line === line)!.reason;
  assert.match(reason(2), /before the file's first snapshot/);
  assert.match(reason(5), />= 0/);
  assert.match(reason(6), /not a decimal number/);
  assert.match(reason(7), /expected bid or ask/);
  assert.match(reason(8), /4 decimals, more than the instrument's size precision 3/);
  assert.match(reason(9), /3 decimals, more than the instrument's price precision 2/);
  assert.ok(rejects.every((r) => r.file.endsWith('d.csv')));
  const kept = parseL2(text.replace('middle', 'bid'), 'BTCUSDT', new Set([2, 5, 6, 7, 8, 9, 13]));
  const want = ntDeltas(kept).map(asRow);
  assert.deepEqual(await deltasOf(catalog), want);
  // the event's last row written ends it: line 12, though line 13 (rejected) has its time
  assert.equal(want.at(-1)!.flags, F_LAST);
  assert.equal(report.totals.rejected, 7);
  assertAccounts(report);
});

test('a book left crossed at the end of an event is a file note naming the events and the first one; its rows are kept', async (t) => {
  const text = l2([
    [1000, true, 'bid', '99.9', '1'],
    [1000, true, 'ask', '100.1', '1'],
    [2000, false, 'bid', '100.3', '2'], // bid 100.3 above ask 100.1 ...
    [2000, false, 'ask', '100.5', '1'], // ... at the end of this event (line 5)
    [3000, false, 'ask', '100.1', '0'], // ask 100.5 now: not crossed
    [4000, false, 'bid', '100.6', '1'], // crossed again
    [5000, false, 'bid', '100.6', '0'],
  ]);
  const { report, catalog } = await buildFile(t, text);
  assert.ok(report.ok, report.errors.join('; '));
  assert.equal(report.totals.rejected, 0);
  const notes = report.files[0]!.notes.filter((n) => /crossed/.test(n));
  assert.equal(notes.length, 1, report.files[0]!.notes.join('; '));
  assert.match(notes[0]!, /at the end of 2 events, first at line 5 \(2024-01-01T00:00:01\.002000000Z\): bid 100\.3 > ask 100\.1/);
  assert.deepEqual(await deltasOf(catalog), ntDeltas(parseL2(text, 'BTCUSDT')).map(asRow));
});

test('a Tardis file whose rows are all another symbol than the job’s refuses the job, naming the file and the symbols', async (t) => {
  const text = l2([[1000, true, 'bid', '2200.0', '1'], [1000, true, 'ask', '2200.5', '1']], 'ETHUSDT');
  await assert.rejects(buildFile(t, text), /refused before writing anything: \S*d\.csv: its rows say symbol ETHUSDT, the job's symbol is BTCUSDT/);
});

test('other symbols mixed in are skipped with a note; each day’s accounting adds up: read + added (the CLEARs) = written + rejected + …, over two days of one file', async (t) => {
  const day1 = genL2Day('2024-01-01', { others: true, bad: true, seed: 21 });
  const day2 = genL2Day('2024-01-02', { others: true, seed: 22 });
  const text = day1.text + day2.text.slice(day2.text.indexOf('\n') + 1);
  const { report, catalog } = await buildFile(t, text, { end: '2024-01-02' });
  assert.ok(report.ok, report.errors.join('; '));
  assertAccounts(report);
  const bad = new Map([...day1.bad].map(([line, field]) => [line, field]));
  const want = ntDeltas(parseL2(text, 'BTCUSDT', bad));
  assert.deepEqual(await deltasOf(catalog), want.map(asRow));
  // every BTCUSDT row is read, the bad ones too
  const [rows1, rows2] = [day1, day2].map((d) => d.text.split('\n').filter((l) => l.includes(',BTCUSDT,')).length) as [number, number];
  const dayOf = (d: DeltaIn) => (d.tsInit < 1_704_153_600_000_000_000n ? 0 : 1);
  const per = [0, 1].map((i) => ({
    read: [rows1, rows2][i],
    written: want.filter((d) => dayOf(d) === i).length,
    added: want.filter((d) => dayOf(d) === i && d.action === ACTION.CLEAR).length,
    rejected: i === 0 ? day1.bad.size : 0,
  }));
  assert.deepEqual(report.days.map((d) => ({ read: d.read, written: d.written, added: d.added ?? 0, rejected: Object.values(d.rejected).reduce((a, b) => a + b, 0) })), per);
  assert.deepEqual(per.map((p) => p.added), [4, 4]);
  assert.match(report.files[0]!.notes.join('; '), /row\(s\) of other symbols \(ETHUSDT\) skipped: only BTCUSDT is read/);
  assert.equal(report.files[0]!.rows, rows1 + rows2);
});

test('a second read of the same file makes duplicates of its rows and adds nothing: the catalog is what one read gives', async (t) => {
  const file = genL2Day('2024-01-01', { seed: 31 });
  const once = await buildFile(t, file.text);
  const twice = await buildFile(t, file.text, {}, ['d.csv', './d.csv']);
  assert.ok(twice.report.ok, twice.report.errors.join('; '));
  const want = ntDeltas(parseL2(file.text, 'BTCUSDT'));
  assert.deepEqual(await deltasOf(twice.catalog), want.map(asRow));
  assert.deepEqual(await deltasOf(once.catalog), want.map(asRow));
  const rows = parseL2(file.text, 'BTCUSDT').length;
  const [d] = twice.report.days;
  assert.deepEqual({ read: d!.read, written: d!.written, duplicates: d!.duplicates, added: d!.added }, { read: 2 * rows, written: want.length, duplicates: rows, added: want.length - rows });
  assertAccounts(twice.report);
});

test('snapshots: two at the same ts_event back to back give one CLEAR; one at the next ts_event gives another; one after updates of its own time gives one in that event', async (t) => {
  const text = l2([
    [1000, true, 'bid', '99.9', '1'],
    [1000, true, 'ask', '100.1', '1'],
    [1000, true, 'bid', '99.9', '1'], // the venue's second copy, same time: no CLEAR
    [1000, true, 'ask', '100.1', '1'],
    [2000, true, 'bid', '99.8', '2'], // a new snapshot right after: CLEAR
    [2000, true, 'ask', '100.2', '2'],
    [3000, false, 'bid', '99.8', '0'],
    [3000, true, 'bid', '99.5', '1'], // a snapshot after an update of its time: CLEAR, same event
    [3000, true, 'ask', '100.0', '0'], // amount 0 in a snapshot: DELETE
  ]);
  const { report, catalog } = await buildFile(t, text);
  assert.ok(report.ok, report.errors.join('; '));
  const got = await deltasOf(catalog);
  const ns = (dt: number) => (T0 + BigInt(dt)) * 1000n;
  const brief = got.map((d) => [d.action, d.side, d.price, d.flags, Number((d.ts_event as bigint) - ns(0)) / 1000]);
  assert.deepEqual(brief, [
    [ACTION.CLEAR, 0, '0.00', F_SNAPSHOT, 1000], [ACTION.ADD, 1, '99.90', 0, 1000], [ACTION.ADD, 2, '100.10', 0, 1000],
    [ACTION.ADD, 1, '99.90', 0, 1000], [ACTION.ADD, 2, '100.10', F_LAST, 1000],
    [ACTION.CLEAR, 0, '0.00', F_SNAPSHOT, 2000], [ACTION.ADD, 1, '99.80', 0, 2000], [ACTION.ADD, 2, '100.20', F_LAST, 2000],
    [ACTION.DELETE, 1, '99.80', 0, 3000], [ACTION.CLEAR, 0, '0.00', F_SNAPSHOT, 3000], [ACTION.ADD, 1, '99.50', 0, 3000], [ACTION.DELETE, 2, '100.00', F_LAST, 3000],
  ]);
  assert.deepEqual(got, ntDeltas(parseL2(text, 'BTCUSDT')).map(asRow));
  assert.equal(report.totals.added, 3);
  assertAccounts(report);
});

test('a job of one day over a file spanning midnight writes that day’s deltas with the flags the whole file gives them, an event across midnight included', async (t) => {
  const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
  const row = (ts: string, local: string, snap: boolean, side: string, price: string, amount: string) =>
    `binance-futures,BTCUSDT,${us(ts)},${us(local)},${snap},${side},${price},${amount}`;
  const text = [
    L2_HEADER,
    row('2024-01-01T23:59:58Z', '2024-01-01T23:59:58.010Z', true, 'bid', '99.9', '1'),
    row('2024-01-01T23:59:58Z', '2024-01-01T23:59:58.010Z', true, 'ask', '100.1', '1'),
    row('2024-01-01T23:59:59.990Z', '2024-01-01T23:59:59.995Z', false, 'bid', '99.8', '2'),
    // the same event, received after midnight: the event ends on day 2
    row('2024-01-01T23:59:59.990Z', '2024-01-02T00:00:00.005Z', false, 'ask', '100.2', '2'),
    row('2024-01-02T00:00:01Z', '2024-01-02T00:00:01.010Z', false, 'bid', '99.9', '0'),
    row('2024-01-02T00:00:02Z', '2024-01-02T00:00:02.010Z', true, 'bid', '99.0', '1'),
  ].join('\n') + '\n';
  const all = ntDeltas(parseL2(text, 'BTCUSDT'));
  const day2 = us('2024-01-02T00:00:00Z') * 1000n;
  for (const [start, keep] of [['2024-01-01', (d: DeltaIn) => d.tsInit < day2], ['2024-01-02', (d: DeltaIn) => d.tsInit >= day2]] as const) {
    const { report, catalog } = await buildFile(t, text, { start, end: start });
    assert.ok(report.ok, report.errors.join('; '));
    const want = all.filter(keep);
    assert.deepEqual(await deltasOf(catalog), want.map(asRow), start);
    assert.equal(report.totals.outOfRange, parseL2(text, 'BTCUSDT').length - want.filter((d) => d.action !== ACTION.CLEAR).length);
    assertAccounts(report);
  }
  // day 1's last delta does not end its event (its ts_event goes on after midnight)
  assert.deepEqual(all.filter((d) => d.tsInit < day2).map((d) => d.flags), [F_SNAPSHOT, 0, F_LAST, 0]);
});

/** A Tardis book_snapshot_5 file: rows of [µs offset from T0, asks [price, amount] x5, bids [price, amount] x5]. */
function snap5(rows: [number, [string, string][], [string, string][]][]): string {
  const head = ['exchange', 'symbol', 'timestamp', 'local_timestamp'];
  for (let i = 0; i < 5; i++) head.push(`asks[${i}].price`, `asks[${i}].amount`, `bids[${i}].price`, `bids[${i}].amount`);
  const body = rows.map(([dt, asks, bids]) => {
    const f = ['binance-futures', 'BTCUSDT', String(T0 + BigInt(dt)), String(T0 + BigInt(dt) + 300n)];
    for (let i = 0; i < 5; i++) f.push(...asks[i]!, ...bids[i]!);
    return f.join(',');
  });
  return [head.join(','), ...body].join('\n') + '\n';
}

test('depth10 from book_snapshot_5: a bad level names its side, level and field; a crossed top is rejected; an empty level is written empty; levels 5..9 empty', async (t) => {
  const asks = (top: string): [string, string][] => [0, 1, 2, 3, 4].map((i) => [(Number(top) + i / 10).toFixed(1), `${i + 1}.5`]);
  const bids = (top: string): [string, string][] => [0, 1, 2, 3, 4].map((i) => [(Number(top) - i / 10).toFixed(1), `${i + 2}.25`]);
  const withLevel = (side: [string, string][], i: number, v: [string, string]) => side.map((l, k) => (k === i ? v : l));
  const text = snap5([
    [1000, asks('100.1'), bids('100.0')], // line 2: kept
    [2000, asks('100.1'), withLevel(bids('100.0'), 2, ['abc', '1'])], // line 3: bids[2].price
    [3000, asks('100.1'), bids('100.2')], // line 4: crossed
    [4000, withLevel(asks('100.1'), 4, ['100.5', '1.0001']), bids('100.0')], // line 5: asks[4].amount
    [5000, asks('100.1'), withLevel(bids('100.0'), 4, ['', ''])], // line 6: kept, bids[4] empty
  ]);
  const dir = await tempDir(t);
  await writeFile(join(dir, 'b.csv'), text);
  const report = await build(dir, { depth10: { file_path: 'b.csv' } }, { ...DAY, dataTypes: ['depth10'] });
  assert.ok(report.ok, report.errors.join('; '));
  const rejects = await rejectsOf(report);
  assert.deepEqual(rejects.map((r) => [r.line, r.field]), [[3, 'bids[2].price'], [4, 'bids[0].price'], [5, 'asks[4].amount']]);
  assert.match(rejects[1]!.reason, /crossed/);
  assert.match(rejects[2]!.reason, /4 decimals/);
  const files = (await filesUnder(join(dir, 'catalog', 'data'))).filter((f) => f.startsWith('order_book_depths/'));
  assert.equal(files.length, 1);
  const rows = await readRows(join(dir, 'catalog', 'data', files[0]!));
  const v = (r: Record<string, unknown>, k: string, places: number) => formatRaw(readRaw(r[k] as Uint8Array, 0, 16, k.includes('price')), 16, places);
  const side = (r: Record<string, unknown>, s: 'bid' | 'ask') => Array.from({ length: 10 }, (_, i) => [v(r, `${s}_price_${i}`, 2), v(r, `${s}_size_${i}`, 3), r[`${s}_count_${i}`]]);
  const want = (a: [string, string][], b: [string, string][]) => ({
    asks: Array.from({ length: 10 }, (_, i) => (a[i]?.[0] ? [fixed(a[i]![0], 2), fixed(a[i]![1], 3), 1] : ['0.00', '0.000', 0])),
    bids: Array.from({ length: 10 }, (_, i) => (b[i]?.[0] ? [fixed(b[i]![0], 2), fixed(b[i]![1], 3), 1] : ['0.00', '0.000', 0])),
  });
  assert.deepEqual(rows.map((r) => ({ asks: side(r, 'ask'), bids: side(r, 'bid') })), [want(asks('100.1'), bids('100.0')), want(asks('100.1'), withLevel(bids('100.0'), 4, ['', '']))]);
  assert.deepEqual(rows.map((r) => [r.flags, r.ts_event, r.ts_init]), [[F_SNAPSHOT | F_LAST, (T0 + 1000n) * 1000n, (T0 + 1300n) * 1000n], [F_SNAPSHOT | F_LAST, (T0 + 5000n) * 1000n, (T0 + 5300n) * 1000n]]);
  assertAccounts(report);
});
