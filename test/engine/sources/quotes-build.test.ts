// Quotes (QuoteTick) built end to end from every source: Tardis quotes and book_snapshot_N CSVs,
// Binance Vision bookTicker CSV, any CSV mapped onto bid/ask price/size, bookTicker messages in
// WebSocket captures and the Tardis API (quotes dataset, bookTicker replay). Rejects carry file,
// line, field and reason; nothing else is lost; only a second read of one file makes duplicates.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { RunReport } from '../../../shared/report.js';
import { formatRaw } from '../../../engine/numbers/decimal.js';
import { readRaw } from '../../../engine/numbers/fixed.js';
import { runBuild } from '../../../engine/jobs/build.js';
import { preview } from '../../../engine/preview.js';
import { SOURCES, build, filesUnder, needShared, readRows, tempDir } from '../../helpers.js';
import { TardisMock, type FeedMessage } from '../../support/tardis-mock.js';
import { tardisQuotes } from '../../nautilus/inputs.js';

interface Quote { bid: string; bidSize: string; ask: string; askSize: string; tsEvent: bigint; tsInit: bigint }

/** Every quote of a catalog, in file order, values as decimal text at the given precisions (128-bit). */
async function quotesOf(catalog: string, p = { price: 2, size: 3 }): Promise<Quote[]> {
  const out: Quote[] = [];
  const files = (await filesUnder(join(catalog, 'data'))).filter((f) => f.startsWith('quote_tick/') && f.endsWith('.parquet')).sort();
  for (const f of files) {
    for (const r of await readRows(join(catalog, 'data', f))) {
      const v = (k: string, signed: boolean, places: number) => formatRaw(readRaw(r[k] as Uint8Array, 0, 16, signed), 16, places);
      out.push({
        bid: v('bid_price', true, p.price), ask: v('ask_price', true, p.price), bidSize: v('bid_size', false, p.size), askSize: v('ask_size', false, p.size),
        tsEvent: r.ts_event as bigint, tsInit: r.ts_init as bigint,
      });
    }
  }
  return out;
}

async function rejectsOf(report: RunReport): Promise<{ file: string; line: number; field: string; reason: string; value: string }[]> {
  if (!report.rejectsFile) return [];
  return (await readFile(report.rejectsFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const sum = (r: RunReport, k: 'written' | 'duplicates' | 'read') => r.days.filter((d) => d.dataType === 'quotes').reduce((a, d) => a + d[k], 0);
const DAY_2020 = { start: '2020-02-22', end: '2020-02-22', dataTypes: ['quotes' as const] };
const TARDIS_QUOTES = 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount';
const trim0 = (s: string) => s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');

test('Tardis quotes fixture: every row written, bid and ask from the right columns (ask amount first), times in µs', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const file = join(SOURCES, 'tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv');
  const report = await build(dir, { quotes: { file_path: file } }, DAY_2020);
  assert.ok(report.ok, report.errors.join('; '));
  const want = tardisQuotes(await readFile(file, 'utf8'));
  const got = await quotesOf(join(dir, 'catalog'));
  assert.equal(got.length, want.length);
  assert.equal(report.totals.rejected, 0);
  const key = (q: { tsInit: bigint; tsEvent: bigint }) => `${q.tsInit}/${q.tsEvent}`;
  const byKey = new Map(got.map((q) => [key(q), q]));
  for (const w of want) {
    const g = byKey.get(key(w));
    assert.ok(g, `quote at ${w.tsInit}`);
    assert.deepEqual([trim0(g.bid), trim0(g.bidSize), trim0(g.ask), trim0(g.askSize)], [w.bidPrice, w.bidSize, w.askPrice, w.askSize].map(trim0));
  }
  assert.equal(report.files[0]!.format, 'tardis.quotes');
});

/** Rows of a Tardis quotes file, with the reject each bad one gets (line numbers count the header). */
const REJECT_ROWS: [row: string, reject: [field: string, reason: RegExp] | null][] = [
  ['1582329601096000,1582329603502092,0.84,9682,9681.92,0.67', null],
  ['1582329601097000,1582329603502093,0.84,9681,9682,0.67', ['bid_price', /^crossed quote: bid above ask$/]],
  ['1582329601098000,1582329603502094,0.84,9682,9682,0.67', null], // locked: kept
  ['1582329601099000,1582329603502095,0.84,9682,9681.92,0', ['bid_size', /^must be > 0 \(zero size\)$/]],
  ['1582329601100000,1582329603502096,-1,9682,9681.92,0.67', ['ask_size', /^must be > 0 \(negative size\)$/]],
  ['1582329601101000,1582329603502097,0.84,9682,,', ['bid_price', /^empty: no level on that side$/]],
  ['1582329601102000,1582329603502098,0.84,abc,9681.92,0.67', ['ask_price', /^not a decimal number$/]],
  ['1582329601103000,1582329603502099,0.84,9682,9681.921,0.67', ['bid_price', /has 3 decimals, more than the instrument's price precision 2/]],
  ['1582329601104000,1582329603502100,0.8441,9682,9681.92,0.67', ['ask_size', /has 4 decimals, more than the instrument's size precision 3/]],
  ['1582329601096000,1582329603502101,0.84,9682,9681.92,0.67', null], // same quote again, later: a new update
  ['1582329601096000,1582329603502101,0.84,9682,9681.92,0.67', null], // the very same row: still kept
];

async function writeRejectFile(dir: string): Promise<string> {
  const path = join(dir, 'quotes.csv');
  await writeFile(path, [TARDIS_QUOTES, ...REJECT_ROWS.map(([r]) => `binance-futures,BTCUSDT,${r}`)].join('\n') + '\n');
  return path;
}

test('quote rejects: crossed, zero and negative sizes, empty side, non-numbers, excess decimals, each with file, line, field and reason; locked and repeated quotes kept', async (t) => {
  const dir = await tempDir(t);
  const path = await writeRejectFile(dir);
  const report = await build(dir, { quotes: { file_path: 'quotes.csv' } }, { ...DAY_2020, maxRejectRatio: 1 });
  assert.ok(report.ok, report.errors.join('; '));
  const rejects = await rejectsOf(report);
  const expected = REJECT_ROWS.flatMap(([, r], i) => (r ? [{ line: i + 2, field: r[0], reason: r[1] }] : []));
  assert.equal(rejects.length, expected.length);
  rejects.forEach((r, i) => {
    assert.equal(r.file, path);
    assert.equal(r.line, expected[i]!.line);
    assert.equal(r.field, expected[i]!.field, `line ${r.line}`);
    assert.match(r.reason, expected[i]!.reason, `line ${r.line}`);
  });
  const kept = REJECT_ROWS.filter(([, r]) => !r).length;
  assert.equal(sum(report, 'written'), kept);
  assert.equal(sum(report, 'duplicates'), 0);
  assert.equal(sum(report, 'read'), REJECT_ROWS.length, 'every row counted once: written or rejected');
  const got = await quotesOf(join(dir, 'catalog'));
  assert.deepEqual(got.map((q) => [q.bid, q.ask]), [['9681.92', '9682.00'], ['9682.00', '9682.00'], ['9681.92', '9682.00'], ['9681.92', '9682.00']]);
  assert.match(rejects.find((r) => r.field === 'bid_price' && /crossed/.test(r.reason))!.value, /bid 9682 x 0.67, ask 9681 x 0.84/);
});

test('quotes: the same file read twice gives duplicates on the second read only', async (t) => {
  const dir = await tempDir(t);
  await writeRejectFile(dir);
  const report = await build(dir, { quotes: { file_path: ['quotes.csv', './quotes.csv'] } }, { ...DAY_2020, maxRejectRatio: 1 });
  assert.ok(report.ok, report.errors.join('; '));
  const kept = REJECT_ROWS.filter(([, r]) => !r).length;
  assert.deepEqual([sum(report, 'written'), sum(report, 'duplicates')], [kept, kept]);
});

test('Tardis book_snapshot_5 and _25: the top of book (level 0) becomes the quote', async (t) => {
  if (!needShared(t)) return;
  for (const n of [5, 25]) {
    const dir = await tempDir(t);
    const file = join(SOURCES, `tardis-csv_book_snapshot_${n}_binance-futures_BTCUSDT_2020-09-01.csv`);
    const report = await build(dir, { quotes: { file_path: file } }, { start: '2020-09-01', end: '2020-09-01', dataTypes: ['quotes'] });
    assert.ok(report.ok, report.errors.join('; '));
    assert.equal(report.files[0]!.format, 'tardis.book_snapshot');
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean).slice(1).map((l) => l.split(','));
    const got = await quotesOf(join(dir, 'catalog'));
    assert.equal(got.length, lines.length, `book_snapshot_${n}`);
    got.forEach((q, i) => {
      const c = lines[i]!;
      assert.deepEqual([q.tsEvent, q.tsInit], [BigInt(c[2]!) * 1000n, BigInt(c[3]!) * 1000n]);
      assert.deepEqual([q.ask, q.askSize, q.bid, q.bidSize].map(trim0), [c[4], c[5], c[6], c[7]].map((s) => trim0(s!)));
    });
  }
});

const VISION_ROWS = [
  '1000,42000.10,1.500,42000.20,0.250,1704067200123,1704067200125',
  '1001,42000.10,1.400,42000.10,0.250,1704067200456,1704067200460',
  '1002,42000.30,1.400,42000.20,0.250,1704067200789,1704067200790', // crossed
];

for (const header of [true, false]) {
  test(`Binance Vision bookTicker CSV ${header ? 'with' : 'without'} header: ts_event = ts_init = transaction_time`, async (t) => {
    const dir = await tempDir(t);
    const head = 'update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time';
    await writeFile(join(dir, 'BTCUSDT-bookTicker-2024-01-01.csv'), [...(header ? [head] : []), ...VISION_ROWS].join('\n') + '\n');
    const report = await build(dir, { quotes: { file_path: 'BTCUSDT-bookTicker-2024-01-01.csv' } }, { dataTypes: ['quotes'], maxRejectRatio: 1 });
    assert.ok(report.ok, report.errors.join('; '));
    assert.equal(report.files[0]!.format, 'vision.bookTicker');
    const got = await quotesOf(join(dir, 'catalog'));
    assert.deepEqual(got, [
      { bid: '42000.10', bidSize: '1.500', ask: '42000.20', askSize: '0.250', tsEvent: 1704067200123000000n, tsInit: 1704067200123000000n },
      { bid: '42000.10', bidSize: '1.400', ask: '42000.10', askSize: '0.250', tsEvent: 1704067200456000000n, tsInit: 1704067200456000000n },
    ]);
    const rejects = await rejectsOf(report);
    assert.deepEqual(rejects.map((r) => [r.line, r.field, r.reason]), [[header ? 4 : 3, 'bid_price', 'crossed quote: bid above ask']]);
  });
}

test('any CSV: header aliases map bid/ask price and size; a user mapping works too', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'q.csv'), 'time,bid,bid_qty,ask,ask_qty\n2024-01-01T00:00:01Z,100.5,2,100.6,3\n2024-01-01T00:00:02Z,100.5,2,100.7,1.5\n');
  const report = await build(dir, { quotes: { file_path: 'q.csv' } }, { dataTypes: ['quotes'] });
  assert.ok(report.ok, report.errors.join('; '));
  const got = await quotesOf(join(dir, 'catalog'));
  assert.deepEqual(got.map((q) => [q.bid, q.bidSize, q.ask, q.askSize, q.tsEvent, q.tsInit]), [
    ['100.50', '2.000', '100.60', '3.000', 1704067201000000000n, 1704067201000000000n],
    ['100.50', '2.000', '100.70', '1.500', 1704067202000000000n, 1704067202000000000n],
  ]);
  await writeFile(join(dir, 'odd.csv'), 'ts,recv,x1,x2,x3,x4\n1704067201000,1704067201005,100.5,2,100.6,3\n');
  const mapped = await build(dir, { quotes: { file_path: 'odd.csv', columns: { timestamp: 'ts', local_timestamp: 'recv', bid_price: 'x1', bid_size: 'x2', ask_price: 'x3', ask_size: 'x4' } } }, { dataTypes: ['quotes'], output: join(dir, 'c2') });
  assert.ok(mapped.ok, mapped.errors.join('; '));
  const q2 = await quotesOf(join(dir, 'c2'));
  assert.deepEqual(q2.map((q) => [q.bid, q.askSize, q.tsEvent, q.tsInit]), [['100.50', '3.000', 1704067201000000000n, 1704067201005000000n]]);
  const missing = await build(dir, { quotes: { file_path: 'odd.csv' } }, { dataTypes: ['quotes'], output: join(dir, 'c3') });
  assert.equal(missing.ok, false);
  assert.match(missing.errors.join('\n'), /no column for bid_price, bid_size, ask_price, ask_size/);
});

const E = 1704067200123;
const TICK = { e: 'bookTicker', u: 400900217, E, T: E - 2, s: 'BTCUSDT', b: '42000.10', B: '31.21', a: '42000.20', A: '40.66' };

test('WebSocket capture: bookTicker as raw payload, combined envelope, Tardis data-feed line, {ts_recv,msg} and spot payload; crossed and malformed ones rejected', async (t) => {
  const dir = await tempDir(t);
  const recv = BigInt(E) * 1_000_000n + 7_000_000n;
  const lines = [
    JSON.stringify(TICK),
    JSON.stringify({ stream: 'btcusdt@bookTicker', data: { ...TICK, u: 2, T: E + 1 } }),
    `2024-01-01T00:00:00.2000000Z ${JSON.stringify({ stream: 'btcusdt@bookTicker', data: { ...TICK, u: 3, T: E + 2 } })}`,
    JSON.stringify({ ts_recv: String(recv), msg: { ...TICK, u: 4, T: E + 3 } }),
    JSON.stringify({ ts_recv: String(recv + 1n), msg: { u: 5, s: 'BTCUSDT', b: '42000.00', B: '1.000', a: '42000.30', A: '2.000' } }), // spot: no times
    JSON.stringify({ ...TICK, s: 'ETHUSDT' }), // other symbol: ignored
    JSON.stringify({ e: 'aggTrade', E, s: 'BTCUSDT', a: 1, p: '42000.1', q: '0.001', f: 1, l: 1, T: E, m: true }), // other event: ignored
    JSON.stringify({ ...TICK, u: 8, T: E + 8, b: '42000.30' }), // crossed
    JSON.stringify({ ...TICK, u: 9, T: E + 9, b: 42000.1 }), // a JSON number: not exact
  ];
  await writeFile(join(dir, 'cap.jsonl'), lines.join('\n') + '\n');
  const report = await build(dir, { quotes: { file_path: 'cap.jsonl' } }, { source: 'websocket', dataTypes: ['quotes'], maxRejectRatio: 1 });
  assert.ok(report.ok, report.errors.join('; '));
  const ms = (v: number) => BigInt(v) * 1_000_000n;
  const got = await quotesOf(join(dir, 'catalog'));
  assert.deepEqual(got.map((q) => [q.tsEvent, q.tsInit]), [
    [ms(E - 2), ms(E - 2)], [ms(E + 1), ms(E + 1)], [ms(E + 3), recv], [recv + 1n, recv + 1n], [ms(E + 2), 1704067200200000000n],
  ].sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0)));
  assert.deepEqual([got[0]!.bid, got[0]!.bidSize, got[0]!.ask, got[0]!.askSize], ['42000.10', '31.210', '42000.20', '40.660']);
  const rejects = await rejectsOf(report);
  assert.deepEqual(rejects.map((r) => [r.line, r.field, r.reason]), [[8, 'bid_price', 'crossed quote: bid above ask'], [9, 'b', 'expected bid price as a decimal string']]);
  assert.match(report.files[0]!.notes.join('\n'), /1 message\(s\) of other symbols ignored/);
});

/** A combined bookTicker envelope received `delay` ns after its event time. */
function tickMessage(u: number, eventMs: number, bid: string, ask: string): FeedMessage {
  const data = { ...TICK, u, E: eventMs, T: eventMs - 1, b: bid, a: ask };
  return { localNs: BigInt(eventMs) * 1_000_000n + 5_000_000n, json: JSON.stringify({ stream: 'btcusdt@bookTicker', data }) };
}

async function tardisJob(t: TestContext, mock: TardisMock, dir: string, mode: 'datasets' | 'replay'): Promise<RunReport> {
  return runBuild({
    source: 'tardis', symbol: 'BTCUSDT', start: '2020-02-22', end: '2020-02-22', output: join(dir, mode), dataTypes: ['quotes'],
    config: { api_key: 'K', endpoint: mock.url, datasets_endpoint: mock.url, cache_dir: join(dir, 'cache'), retry_base_ms: 5, retry_max_ms: 50, mode },
    configDir: dir,
  });
}

test('Tardis API: the quotes dataset (datasets mode) and bookTicker messages (replay mode)', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const day = Date.UTC(2020, 1, 22);
  const mock = await TardisMock.start({ messages: [tickMessage(1, day + 1000, '9681.90', '9682.00'), tickMessage(2, day + 2000, '9681.80', '9682.10')] });
  t.after(() => mock.close());
  const csv = await readFile(join(SOURCES, 'tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv'), 'utf8');
  mock.datasets.set('binance-futures/quotes/2020-02-22/BTCUSDT', csv);
  const ds = await tardisJob(t, mock, dir, 'datasets');
  assert.ok(ds.ok, ds.errors.join('; '));
  assert.ok(mock.log('datasets').some((r) => r.path.includes('/binance-futures/quotes/2020/02/22/BTCUSDT.csv.gz')));
  assert.equal((await quotesOf(join(dir, 'datasets'))).length, tardisQuotes(csv).length);

  const rp = await tardisJob(t, mock, dir, 'replay');
  assert.ok(rp.ok, rp.errors.join('; '));
  assert.ok(mock.log('data-feeds').every((r) => JSON.parse(r.query.filters!)[0].channel === 'bookTicker'));
  const got = await quotesOf(join(dir, 'replay'));
  assert.deepEqual(got.map((q) => [q.bid, q.ask, q.tsEvent, q.tsInit]), [
    ['9681.90', '9682.00', BigInt(day + 999) * 1_000_000n, BigInt(day + 1000) * 1_000_000n + 5_000_000n],
    ['9681.80', '9682.10', BigInt(day + 1999) * 1_000_000n, BigInt(day + 2000) * 1_000_000n + 5_000_000n],
  ]);
});

test('preview of a Tardis quotes file: bid/ask values at the instrument precisions, rejects with their field', async (t) => {
  const dir = await tempDir(t);
  const path = await writeRejectFile(dir);
  const p = await preview({ path, dataType: 'quotes', symbol: 'BTCUSDT' });
  assert.equal(p.error, undefined);
  assert.deepEqual(p.rows[0]!.mapped, {
    ts_init: '2020-02-22T00:00:03.502092000Z', ts_event: '2020-02-22T00:00:01.096000000Z',
    bid_price: '9681.92', bid_size: '0.670', ask_price: '9682.00', ask_size: '0.840',
  });
  assert.deepEqual(p.rows.slice(0, 4).map((r) => r.status), ['ok', 'rejected', 'ok', 'rejected']);
  assert.equal(p.rows[1]!.field, 'bid_price');
});

test('quotes of a symbol without a preset: the precisions are inferred from the quotes (most decimals of prices and of sizes)', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const file = join(SOURCES, 'tardis-csv_quotes_huobi-dm-swap_BTC-USD_2020-05-01.csv');
  const report = await build(dir, { quotes: { file_path: file } }, {
    symbol: 'BTC-USD', exchange: 'HUOBI', start: '2020-05-01', end: '2020-05-01', dataTypes: ['quotes'],
    // Huobi's coin-margined swap: inverse, 100 USD a contract (sizes are contracts); no preset knows it.
    instrument: { kind: 'perpetual', base: 'BTC', quote: 'USD', is_inverse: true, multiplier: '100' },
  });
  assert.ok(report.ok, report.errors.join('; '));
  assert.deepEqual([report.instrument.id, report.instrument.pricePrecision, report.instrument.sizePrecision], ['BTC-USD.HUOBI', 1, 0]);
  assert.deepEqual([report.instrument.className, report.instrument.isInverse, report.instrument.multiplier, report.instrument.settlement], ['CryptoPerpetual', true, '100', 'BTC']);
  const got = await quotesOf(join(dir, 'catalog'), { price: 1, size: 0 });
  assert.deepEqual(got[0], { bid: '8629.2', bidSize: '806', ask: '8629.3', askSize: '5494', tsEvent: 1588291201099000000n, tsInit: 1588291201234268000n });
  assert.equal(got.length, 10);
});
