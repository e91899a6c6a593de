// QuoteTick catalogs judged by NautilusTrader 1.231 itself: catalogs built from the Tardis quotes
// fixtures (two venues), a Tardis book_snapshot_25, a generated bookTicker capture and a generic CSV
// load through its ParquetDataCatalog (test/nautilus/nt_check.py), and every quote equals its input
// row, parsed here without engine/ code (test/nautilus/inputs.ts); a BacktestNode strategy receives
// every quote written; NautilusTrader's own Tardis loader + writer gives the same objects, except the
// rows we reject (crossed, zero-size and empty quotes, which it keeps: README, compatibility).
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobSpecInput } from '../../shared/job.js';
import type { RunReport } from '../../shared/report.js';
import { ROOT, SOURCES, build, needShared, tempDir } from '../helpers.js';
import { needNautilus, ntLoad, runPython, type NtObject } from '../support/nautilus.js';
import { binanceBookTickers, dec, genericQuotes, quoteKept, tardisBookTop, tardisQuotes, visionBookTicker, type QuoteIn } from './inputs.js';

const BINANCE_QUOTES = join(SOURCES, 'tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv');
const HUOBI_QUOTES = join(SOURCES, 'tardis-csv_quotes_huobi-dm-swap_BTC-USD_2020-05-01.csv');
const BOOK_25 = join(SOURCES, 'tardis-csv_book_snapshot_25_binance-futures_BTCUSDT_2020-09-01.csv');
const BOOK_5 = join(SOURCES, 'tardis-csv_book_snapshot_5_binance-futures_BTCUSDT_2020-09-01.csv');
const DAY_NS = 86_400_000_000_000n;

interface Case {
  name: string;
  /** input files: name -> text (written into the case's folder) or a fixture path */
  files: Record<string, string>;
  config: Record<string, unknown>;
  job: Partial<JobSpecInput>;
  /** the input quotes in file order, parsed independently */
  quotes: (text: string) => QuoteIn[];
  precision: { price: number; size: number };
}

/** "2024-01-01T00:00:01.1234567Z" for ns: the 28-character form of a Tardis data-feed line. */
function isoOf(ns: bigint): string {
  const base = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  return `${base}.${String(ns % 1_000_000_000n).padStart(9, '0').slice(0, 7)}Z`;
}

/**
 * A two-day Binance USD-M capture: bookTicker messages in four line shapes, with locked, crossed,
 * zero-size and over-precise quotes, other symbols and other events mixed in.
 */
function genCapture(n: number): string {
  const lines: string[] = [];
  const t0 = Date.UTC(2024, 0, 1) + 1000;
  for (let i = 0; i < n; i++) {
    const E = t0 + i * 86_000;
    const bidC = 4_200_000 + ((i * 37) % 500);
    let askC = bidC + 1 + (i % 3);
    if (i % 50 === 0) askC = bidC; // locked: kept
    if (i % 97 === 0) askC = bidC - 1; // crossed: rejected
    const cents = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
    const payload = {
      e: 'bookTicker', u: 1000 + i, E, T: E - 1, s: i % 151 === 0 ? 'ETHUSDT' : 'BTCUSDT',
      b: i % 173 === 0 ? `${cents(bidC)}3` : cents(bidC), B: i % 131 === 0 ? '0.000' : `${1 + (i % 7)}.${String(i % 1000).padStart(3, '0')}`,
      a: cents(askC), A: `${(i % 5) + 1}.250`,
    };
    const recv = BigInt(E) * 1_000_000n + 5_000_000n + BigInt(i % 1000) * 1000n;
    const combined = { stream: `${payload.s.toLowerCase()}@bookTicker`, data: payload };
    if (i % 4 === 0) lines.push(JSON.stringify(payload));
    else if (i % 4 === 1) lines.push(JSON.stringify(combined));
    else if (i % 4 === 2) lines.push(JSON.stringify({ ts_recv: String(recv), msg: combined }));
    else lines.push(`${isoOf(recv)} ${JSON.stringify(combined)}`);
    if (i % 10 === 0) lines.push(JSON.stringify({ e: 'markPriceUpdate', E, s: 'BTCUSDT', p: cents(bidC), i: cents(bidC), P: cents(bidC), r: '0.0001', T: E + 3_600_000 }));
  }
  return lines.join('\n') + '\n';
}

function genGenericCsv(): string {
  const rows = ['time,bid,bid_qty,ask,ask_qty'];
  const t0 = Date.UTC(2024, 0, 1, 12);
  for (let i = 0; i < 60; i++) {
    const bid = 100 + (i % 9) / 10;
    let ask = (bid + 0.1 + (i % 2) / 10).toFixed(2);
    if (i % 13 === 5) ask = (bid - 0.5).toFixed(2); // crossed
    const askQty = i % 17 === 3 ? '' : `${i % 4}.5`; // empty ask size
    rows.push(`${t0 + i * 250},${bid.toFixed(2)},${i % 11 === 7 ? 'n/a' : `${1 + (i % 3)}`},${ask},${askQty}`);
  }
  return rows.join('\n') + '\n';
}

/** A Binance Vision futures bookTicker day file (ms times), with a crossed and a zero-size row. */
function genVisionBookTicker(header: boolean): string {
  const rows = header ? ['update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time'] : [];
  const t0 = Date.UTC(2024, 0, 1, 8);
  for (let i = 0; i < 400; i++) {
    const bid = (42000 + (i % 23) / 10).toFixed(1);
    const ask = i % 61 === 7 ? (Number(bid) - 0.1).toFixed(1) : (Number(bid) + 0.1 * (1 + (i % 2))).toFixed(1);
    const bidQty = i % 89 === 11 ? '0.000' : `${1 + (i % 5)}.${String((i * 7) % 1000).padStart(3, '0')}`;
    rows.push(`${9_000_000_000 + i},${bid},${bidQty},${ask},${(i % 9) + 1}.5,${t0 + i * 137},${t0 + i * 137 + 3}`);
  }
  return rows.join('\n') + '\n';
}

const CASES: Case[] = [
  {
    name: 'Tardis quotes, binance-futures BTCUSDT', files: { 'q.csv': BINANCE_QUOTES }, config: { quotes: { file_path: 'q.csv' } },
    job: { start: '2020-02-22', end: '2020-02-22' }, quotes: tardisQuotes, precision: { price: 2, size: 3 },
  },
  {
    // No preset for a Huobi inverse swap: the precisions are given (prices 0.1, sizes whole contracts).
    name: 'Tardis quotes, huobi-dm-swap BTC-USD', files: { 'q.csv': HUOBI_QUOTES }, config: { quotes: { file_path: 'q.csv' } },
    job: { symbol: 'BTC-USD', exchange: 'HUOBI', start: '2020-05-01', end: '2020-05-01', pricePrecision: 1, sizePrecision: 0, instrument: { kind: 'perpetual', base: 'BTC', quote: 'USD', is_inverse: true, multiplier: '100' } }, quotes: tardisQuotes, precision: { price: 1, size: 0 },
  },
  {
    name: 'Tardis book_snapshot_5 top of book', files: { 'b.csv': BOOK_5 }, config: { quotes: { file_path: 'b.csv' } },
    job: { start: '2020-09-01', end: '2020-09-01' }, quotes: tardisBookTop, precision: { price: 2, size: 3 },
  },
  {
    name: 'Tardis book_snapshot_25 top of book', files: { 'b.csv': BOOK_25 }, config: { quotes: { file_path: 'b.csv' } },
    job: { start: '2020-09-01', end: '2020-09-01' }, quotes: tardisBookTop, precision: { price: 2, size: 3 },
  },
  {
    name: 'generated bookTicker capture (4 line shapes, 2 days)', files: { 'cap.jsonl': genCapture(2000) }, config: { quotes: { file_path: 'cap.jsonl' } },
    job: { source: 'websocket', start: '2024-01-01', end: '2024-01-02', maxRejectRatio: 1 }, quotes: (t) => binanceBookTickers(t, 'BTCUSDT'), precision: { price: 2, size: 3 },
  },
  {
    name: 'Binance Vision bookTicker with header', files: { 'BTCUSDT-bookTicker-2024-01-01.csv': genVisionBookTicker(true) },
    config: { quotes: { file_path: 'BTCUSDT-bookTicker-2024-01-01.csv' } },
    job: { start: '2024-01-01', end: '2024-01-01', maxRejectRatio: 1 }, quotes: visionBookTicker, precision: { price: 2, size: 3 },
  },
  {
    name: 'Binance Vision bookTicker without header', files: { 'BTCUSDT-bookTicker-2024-01-01.csv': genVisionBookTicker(false) },
    config: { quotes: { file_path: 'BTCUSDT-bookTicker-2024-01-01.csv' } },
    job: { start: '2024-01-01', end: '2024-01-01', maxRejectRatio: 1 }, quotes: visionBookTicker, precision: { price: 2, size: 3 },
  },
  {
    name: 'generic CSV (time,bid,bid_qty,ask,ask_qty)', files: { 'g.csv': genGenericCsv() }, config: { quotes: { file_path: 'g.csv' } },
    job: { start: '2024-01-01', end: '2024-01-01', maxRejectRatio: 1 }, quotes: genericQuotes, precision: { price: 2, size: 3 },
  },
];

async function buildCase(c: Case, root: string, i: number): Promise<{ dir: string; report: RunReport; input: QuoteIn[] }> {
  const dir = join(root, `case${i}`);
  await mkdir(dir, { recursive: true });
  let text = '';
  for (const [name, src] of Object.entries(c.files)) {
    text = src.startsWith('/') ? await readFile(src, 'utf8') : src;
    await writeFile(join(dir, name), text);
  }
  const report = await build(dir, c.config, { ...c.job, dataTypes: ['quotes'] });
  assert.ok(report.ok, `${c.name}: ${report.errors.join('; ')}`);
  return { dir, report, input: c.quotes(text) };
}

const keyOf = (q: { tsInit: bigint | string; tsEvent: bigint | string; bid: string; ask: string; bidSize: string; askSize: string }) =>
  [String(q.tsInit).padStart(20, '0'), String(q.tsEvent).padStart(20, '0'), dec(q.bid), dec(q.ask), dec(q.bidSize), dec(q.askSize)].join('|');

const ntKey = (o: NtObject) => keyOf({ tsInit: o.ts_init as string, tsEvent: o.ts_event as string, bid: o.bid_price as string, ask: o.ask_price as string, bidSize: o.bid_size as string, askSize: o.ask_size as string });
const inKey = (q: QuoteIn) => keyOf({ tsInit: q.tsInit, tsEvent: q.tsEvent, bid: q.bidPrice, ask: q.askPrice, bidSize: q.bidSize, askSize: q.askSize });

const places = (s: unknown) => String(s).split('.')[1]?.length ?? 0;

test('QuoteTick catalogs from Tardis quotes (two venues), book_snapshot_5 and _25, a bookTicker capture, Binance Vision bookTicker (with and without header) and a generic CSV load through NautilusTrader, quote by quote equal to the input; a BacktestNode sees every quote', async (t) => {
  if (!needNautilus(t) || !needShared(t)) return;
  const root = await tempDir(t, 'cb-nt-quotes-');
  const built: { dir: string; report: RunReport; input: QuoteIn[] }[] = [];
  for (const [i, c] of CASES.entries()) built.push(await buildCase(c, root, i));
  const catalogs = built.map((b) => join(b.dir, 'catalog'));
  const loaded = ntLoad(catalogs);
  const lines: string[] = [];
  for (const [i, c] of CASES.entries()) {
    const { report, input } = built[i]!;
    const start = BigInt(Date.parse(`${report.job.start as string}T00:00:00Z`)) * 1_000_000n;
    const end = BigInt(Date.parse(`${report.job.end as string}T00:00:00Z`)) * 1_000_000n + DAY_NS;
    const inRange = input.filter((q) => q.tsInit >= start && q.tsInit < end);
    const kept = inRange.filter((q) => quoteKept(q, c.precision.price, c.precision.size));
    const objs = loaded.get(catalogs[i]!)!.QuoteTick ?? [];
    assert.ok(kept.length > 0, `${c.name}: some quotes to check`);
    assert.deepEqual(objs.map(ntKey).sort(), kept.map(inKey).sort(), `${c.name}: NautilusTrader's quotes are the kept input rows`);
    for (const o of objs) {
      assert.equal(o.instrument_id, report.instrument.id, c.name);
      assert.deepEqual([places(o.bid_price), places(o.ask_price), places(o.bid_size), places(o.ask_size)], [c.precision.price, c.precision.price, c.precision.size, c.precision.size], `${c.name}: values on the instrument's precisions`);
    }
    assert.equal(report.totals.written, kept.length, `${c.name}: written`);
    assert.equal(report.totals.rejected, inRange.length - kept.length, `${c.name}: every other quote is a reject`);
    assert.equal(report.totals.duplicates, 0);
    lines.push(`${c.name}: ${objs.length} quotes loaded, ${report.totals.rejected} rejected`);
  }
  // A backtest over the two-day capture and over the Tardis fixture: the strategy gets every quote, in time order.
  for (const i of [0, 3]) {
    const { report } = built[i]!;
    const out = JSON.parse(runPython([join(ROOT, 'test', 'nautilus', 'nt_backtest_quotes.py'), catalogs[i]!, report.instrument.id])) as { quotes: string[][] };
    const objs = [...(loaded.get(catalogs[i]!)!.QuoteTick ?? [])].sort((a, b) => (BigInt(a.ts_init as string) < BigInt(b.ts_init as string) ? -1 : BigInt(a.ts_init as string) > BigInt(b.ts_init as string) ? 1 : 0));
    assert.equal(out.quotes.length, report.totals.written, `${CASES[i]!.name}: the strategy sees every quote written`);
    assert.deepEqual(out.quotes, objs.map((o) => [o.ts_init, o.bid_price, o.ask_price, o.bid_size, o.ask_size]));
    lines.push(`backtest over ${CASES[i]!.name}: ${out.quotes.length} quotes reached the strategy`);
  }
  for (const l of lines) t.diagnostic(l);
});

/** The fixture with some rows made crossed, zero-size, locked and one-sided (NautilusTrader keeps them all). */
function withBadRows(text: string): { text: string; changed: number } {
  const lines = text.split('\n');
  let changed = 0;
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split(',');
    if (f.length !== 8) continue;
    if (i % 100 === 10) [f[5], f[6]] = [f[6]!, f[5]!]; // crossed: ask and bid swapped
    else if (i % 100 === 30) f[7] = '0'; // zero bid size
    else if (i % 100 === 50) [f[4], f[5]] = ['', '']; // no ask level
    else if (i % 100 === 70) f[5] = f[6]!; // locked
    else continue;
    changed++;
    lines[i] = f.join(',');
  }
  return { text: lines.join('\n'), changed };
}

test('Tardis quotes: the same objects as NautilusTrader’s own TardisCSVDataLoader.load_quotes + write_data, except the crossed, zero-size and empty quotes we reject', async (t) => {
  if (!needNautilus(t) || !needShared(t)) return;
  const dir = await tempDir(t, 'cb-nt-quotes-parity-');
  const bad = withBadRows(await readFile(BINANCE_QUOTES, 'utf8'));
  const csv = join(dir, 'quotes.csv');
  await writeFile(csv, bad.text);
  const report = await build(dir, { quotes: { file_path: 'quotes.csv' } }, { start: '2020-02-22', end: '2020-02-22', dataTypes: ['quotes'] });
  assert.ok(report.ok, report.errors.join('; '));
  runPython([join(ROOT, 'test', 'nautilus', 'nt_reference.py'), 'write-reference', join(dir, 'reference'), '--quotes', csv, '--instrument-id', report.instrument.id, '--price-precision', '2', '--size-precision', '3']);
  const loaded = ntLoad([join(dir, 'catalog'), join(dir, 'reference')]);
  const fields = (o: NtObject) => JSON.stringify([o.instrument_id, o.bid_price, o.ask_price, o.bid_size, o.ask_size, o.ts_event, o.ts_init]);
  const ours = (loaded.get(join(dir, 'catalog'))!.QuoteTick ?? []).map(fields).sort();
  const theirs = loaded.get(join(dir, 'reference'))!.QuoteTick ?? [];
  // NautilusTrader keeps every row; an empty side becomes price 0 and size 0.
  assert.equal(theirs.length, tardisQuotes(bad.text).length);
  // Fixed decimals (2 for prices, 3 for sizes): comparing the digits without the point is exact.
  const int = (v: unknown) => BigInt(String(v).replace('.', ''));
  const refused = (o: NtObject) => int(o.bid_size) === 0n || int(o.ask_size) === 0n || int(o.bid_price) > int(o.ask_price);
  assert.deepEqual(ours, theirs.filter((o) => !refused(o)).map(fields).sort());
  const rejected = theirs.filter(refused).length;
  assert.equal(report.totals.rejected, rejected);
  assert.ok(rejected >= 30 && ours.some((o) => { const [, b, a] = JSON.parse(o) as string[]; return b === a; }), 'bad rows were rejected, locked ones kept');
  t.diagnostic(`parity: ${ours.length} quotes identical to NautilusTrader's own; ${rejected} of its ${theirs.length} (crossed, zero-size, empty side) rejected by us`);
});
