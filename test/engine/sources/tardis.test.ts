// Tardis.dev source (spec sources.md §1) against a loopback mock the tests start themselves:
// datasets and replay, auth (free first day of a month, key from config or TARDIS_API_KEY), every
// injected fault (401, 403, 429, 500, cut connection, truncated gzip), the cache (second run = no
// request), resume after a failure, cancellation, and the same messages giving the same catalog
// through a JSONL capture and through the replay API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { JobSpecInput } from '../../../shared/job.js';
import type { ProgressEvent } from '../../../shared/progress.js';
import type { RunReport } from '../../../shared/report.js';
import { readRaw } from '../../../engine/numbers/fixed.js';
import { JobCancelled, runBuild, type BuildOptions } from '../../../engine/jobs/build.js';
import { defaultCacheDir } from '../../../engine/sources/tardis/index.js';
import { ROOT, SOURCES, build, filesUnder, fundingRate, needShared, readRows, tempDir } from '../../helpers.js';
import { TardisMock, fixtureMessages, type FeedMessage } from '../../support/tardis-mock.js';

type Row = Record<string, unknown>;
type Obj = Record<string, unknown>;

const ms = (v: number | bigint) => BigInt(v) * 1_000_000n;
const DELAY = 150_123_400n; // the mock's local time = E + 150.1234 ms (fixtureMessages default)

// The tests decide about the key; a developer's own TARDIS_API_KEY must not leak in.
const savedKey = process.env.TARDIS_API_KEY;
before(() => {
  delete process.env.TARDIS_API_KEY;
});
after(() => {
  if (savedKey !== undefined) process.env.TARDIS_API_KEY = savedKey;
});

async function startMock(t: TestContext, messages?: FeedMessage[]): Promise<TardisMock> {
  const mock = await TardisMock.start({ messages });
  t.after(() => mock.close());
  return mock;
}

/** Runs a Tardis job against the mock; fast retries unless the test says otherwise. */
function tardis(dir: string, mock: TardisMock, config: Obj, job: Partial<JobSpecInput> = {}, opts: BuildOptions = {}): Promise<RunReport> {
  return runBuild({
    source: 'tardis', symbol: 'BTCUSDT', start: '2020-02-22', end: '2020-02-22', output: join(dir, 'catalog'), dataTypes: ['trades'],
    config: { endpoint: mock.url, datasets_endpoint: mock.url, cache_dir: join(dir, 'cache'), retry_base_ms: 5, retry_max_ms: 50, ...config },
    configDir: dir, ...job,
  }, opts);
}

/** Every Parquet file of a catalog (relative path) with its rows. */
async function catalog(root: string): Promise<Map<string, Row[]>> {
  const m = new Map<string, Row[]>();
  for (const f of (await filesUnder(join(root, 'data'))).filter((f) => f.endsWith('.parquet'))) m.set(f, await readRows(join(root, 'data', f)));
  return m;
}

const mockHost = (mock: TardisMock) => new URL(mock.url).host.replace(':', '_');
const tradesCache = (dir: string, mock: TardisMock) => join(dir, 'cache', 'datasets', mockHost(mock), 'binance-futures', 'trades', '2020', '02', '22', 'BTCUSDT.csv.gz');
const okReport = (r: RunReport) => assert.equal(r.ok, true, r.errors.join('\n'));

// ---------------------------------------------------------------------------------------------
// Datasets

test('datasets: trades CSV.gz downloaded with the key, cached, and read like the CSV fixture; a second run makes zero requests', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  const events: ProgressEvent[] = [];
  const r = await tardis(dir, mock, { api_key: 'K' }, {}, { onProgress: (e) => events.push(e) });
  okReport(r);
  assert.deepEqual(mock.log().map((q) => [q.path, q.headers.authorization, q.status]), [['/v1/binance-futures/trades/2020/02/22/BTCUSDT.csv.gz', 'Bearer K', 200]]);
  assert.ok(events.some((e) => e.kind === 'file' && e.path === 'Tardis datasets download (1/1 files)' && e.state === 'done'), 'download progress is reported');
  assert.deepEqual([r.files[0]!.path, r.files[0]!.format, r.files[0]!.compression, r.files[0]!.rows], [tradesCache(dir, mock), 'tardis.trades', 'gzip', 1200]);
  assert.equal(r.days[0]!.written, 1200);
  assert.equal((r.job.config as Obj).api_key, '(set)', 'the key is not written into the run report');

  // The same fixture through the CSV source gives the same catalog.
  const csvDir = await tempDir(t);
  const viaCsv = await build(csvDir, { trades: { file_path: join(SOURCES, 'tardis-csv_trades_binance-futures_BTCUSDT_2020-02-22.csv') } }, { start: '2020-02-22', end: '2020-02-22' });
  okReport(viaCsv);
  assert.deepEqual(await catalog(join(dir, 'catalog')), await catalog(join(csvDir, 'catalog')));

  // Second run of the same job (new catalog folder): everything comes from the cache.
  const again = await tardis(dir, mock, { api_key: 'K' }, { output: join(dir, 'catalog2') });
  okReport(again);
  assert.equal(mock.log().length, 1, 'no request on the second run');
  assert.deepEqual(await catalog(join(dir, 'catalog2')), await catalog(join(dir, 'catalog')));
});

test('datasets without a key on a day that is not the 1st: "Tardis API key required" with how to set it, one request, nothing cached', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  const r = await tardis(dir, mock, {});
  assert.equal(r.ok, false);
  assert.match(r.errors[0]!, /Tardis API key required/);
  assert.match(r.errors[0]!, /"api_key" in the --config JSON file or the TARDIS_API_KEY environment variable/);
  assert.match(r.errors[0]!, /only the first day of each month is free/);
  assert.deepEqual(mock.log().map((q) => [q.headers.authorization, q.status]), [[undefined, 401]]);
  assert.deepEqual(await filesUnder(join(dir, 'cache')), []);
  assert.deepEqual(await filesUnder(join(dir, 'catalog', 'data')), []);
});

test('the key comes from TARDIS_API_KEY when the config has none; the config\'s api_key wins over it', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  process.env.TARDIS_API_KEY = 'EK';
  t.after(() => delete process.env.TARDIS_API_KEY);
  okReport(await tardis(dir, mock, {}));
  okReport(await tardis(dir, mock, { api_key: 'CK', cache_dir: join(dir, 'cache2') }, { output: join(dir, 'c2') }));
  assert.deepEqual(mock.log().map((q) => q.headers.authorization), ['Bearer EK', 'Bearer CK']);
});

test('datasets on the free 1st of a month without a key: derivative_ticker feeds mark and funding (one download)', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t); // serves derivative_ticker rows built from the real 2019-10-01 markPrice message
  const r = await tardis(dir, mock, {}, { start: '2019-10-01', end: '2019-10-01', dataTypes: ['mark', 'funding'] });
  okReport(r);
  assert.deepEqual(mock.log().map((q) => [q.path, q.headers.authorization, q.status]), [['/v1/binance-futures/derivative_ticker/2019/10/01/BTCUSDT.csv.gz', undefined, 200]]);
  assert.deepEqual(r.files.map((f) => [f.dataType, f.format]), [['mark', 'tardis.derivative_ticker'], ['funding', 'tardis.derivative_ticker']]);
  const local = (ms(1569888003001) + DELAY) / 1000n * 1000n; // the CSV keeps µs
  const mark = await readRows(r.days.find((d) => d.dataType === 'mark')!.file!);
  assert.deepEqual(mark.map((x) => [readRaw(x.value as Uint8Array, 0, 16, true), x.ts_event, x.ts_init]), [[829135n * 10n ** 14n, ms(1569888003001), local]]);
  const funding = await readRows(r.days.find((d) => d.dataType === 'funding')!.file!);
  assert.deepEqual(funding.map((x) => [fundingRate(x.rate), x.next_funding_ns, x.ts_event, x.ts_init]), [['0.0001', ms(1569916800000), ms(1569888003001), local]]);
  assert.ok(r.notes.some((n) => n.includes('no API key')), r.notes.join('; '));
});

test('a 404 for one day is an error of that day; the other days are still built', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  const r = await tardis(dir, mock, { api_key: 'K' }, { start: '2020-02-22', end: '2020-02-23' });
  assert.equal(r.ok, false);
  assert.deepEqual(r.errors, ['trades: no Tardis file for the trades dataset of BTCUSDT on 2020-02-23 (HTTP 404: Not Found); Tardis publishes a day\'s CSV the next day around 06:00 UTC']);
  assert.deepEqual(r.days.map((d) => [d.day, d.state, d.written]), [['2020-02-22', 'done', 1200], ['2020-02-23', 'done', 0]]);
  // The last day is asked first (as Tardis's clients do: it checks the key covers the range's end).
  assert.deepEqual(mock.log().map((q) => q.day), ['2020-02-23', '2020-02-22']);
});

// ---------------------------------------------------------------------------------------------
// Faults

for (const [status, keyFrom] of [[401, 'config'], [403, 'env']] as const) {
  test(`${status} with a key fails at once: no retry, a message naming where the key came from`, async (t) => {
    if (!needShared(t)) return;
    const dir = await tempDir(t);
    const mock = await startMock(t);
    mock.inject({ kind: 'status', status, body: 'Invalid API key' });
    if (keyFrom === 'env') {
      process.env.TARDIS_API_KEY = 'BAD';
      t.after(() => delete process.env.TARDIS_API_KEY);
    }
    // No retry: the mock sees exactly one request (asserted below).
    const r = await tardis(dir, mock, { ...(keyFrom === 'config' ? { api_key: 'BAD' } : {}), retry_base_ms: 5000 });
    assert.equal(r.ok, false);
    const from = keyFrom === 'env' ? 'the TARDIS_API_KEY environment variable' : 'the config\'s "api_key"';
    assert.equal(r.errors[0], `Tardis refused the API key from ${from} for the trades dataset of BTCUSDT on 2020-02-22 (HTTP ${status}: Invalid API key): check the key and that its plan covers binance-futures on 2020-02-22.`);
    assert.equal(mock.log().length, 1);
    assert.deepEqual(await filesUnder(join(dir, 'cache')), []);
  });
}

test('429 with Retry-After: waits as told, then succeeds', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  mock.inject({ kind: 'status', status: 429, retryAfter: 1 });
  const r = await tardis(dir, mock, { api_key: 'K', retry_max_ms: 5000 });
  okReport(r);
  const log = mock.log();
  assert.deepEqual(log.map((q) => [q.status, q.fault]), [[429, 'status'], [200, undefined]]);
  assert.ok(log[1]!.at - log[0]!.at >= 950, `retried after ${log[1]!.at - log[0]!.at} ms, Retry-After was 1 s`);
  assert.equal(r.days[0]!.written, 1200);
});

test('500: retried with backoff until it works', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  mock.inject({ kind: 'status', status: 500 }, { times: 2 });
  const r = await tardis(dir, mock, { api_key: 'K', retry_base_ms: 40, retry_max_ms: 1000 });
  okReport(r);
  const log = mock.log();
  assert.deepEqual(log.map((q) => q.status), [500, 500, 200]);
  // Exponential: ≥ 40 ms, then ≥ 80 ms.
  assert.ok(log[1]!.at - log[0]!.at >= 35 && log[2]!.at - log[1]!.at >= 75, log.map((q) => q.at).join(', '));
  assert.ok(r.notes.some((n) => n.includes('2 retried attempt(s)')), r.notes.join('; '));
});

test('500 every time: gives up after max_attempts with the last error', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  mock.inject({ kind: 'status', status: 500 }, { times: 100 });
  const r = await tardis(dir, mock, { api_key: 'K', max_attempts: 3 });
  assert.equal(r.ok, false);
  assert.equal(mock.log().length, 3);
  assert.match(r.errors[0]!, /^could not download the trades dataset of BTCUSDT on 2020-02-22 from Tardis: .*BTCUSDT\.csv\.gz: gave up after 3 attempt\(s\); last error: HTTP 500: injected 500$/);
  assert.deepEqual(await filesUnder(join(dir, 'cache')), []);
});

for (const kind of ['cut', 'truncated-gzip'] as const) {
  test(`${kind === 'cut' ? 'connection cut mid-body' : 'truncated gzip body'}: retried, and the partial body never enters the cache`, async (t) => {
    if (!needShared(t)) return;
    const dir = await tempDir(t);
    const mock = await startMock(t);
    mock.inject({ kind });
    const r = await tardis(dir, mock, { api_key: 'K' });
    okReport(r);
    assert.deepEqual(mock.log().map((q) => q.fault), [kind, undefined]);
    assert.equal(r.days[0]!.written, 1200);
    // Only the complete file is in the cache, and it is the whole fixture.
    assert.deepEqual(await filesUnder(join(dir, 'cache')), [relative(join(dir, 'cache'), tradesCache(dir, mock))]);
    const fixture = await readFile(join(SOURCES, 'tardis-csv_trades_binance-futures_BTCUSDT_2020-02-22.csv'));
    assert.deepEqual(gunzipSync(await readFile(tradesCache(dir, mock))), fixture);
  });
}

test('cancellation mid-download: the job rejects (the stalled body would never end), no partial file in the cache or the catalog', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  mock.inject({ kind: 'stall' }); // headers and half the body, then silence
  const ac = new AbortController();
  const job = tardis(dir, mock, { api_key: 'K' }, {}, { signal: ac.signal });
  job.catch(() => undefined);
  while (!mock.log().length) await new Promise((res) => setTimeout(res, 10));
  await new Promise((res) => setTimeout(res, 100)); // part of the body is on disk by now
  ac.abort();
  await assert.rejects(job, (e: unknown) => e instanceof JobCancelled);
  assert.deepEqual(await filesUnder(join(dir, 'cache')), [], 'no partial download left');
  assert.deepEqual((await filesUnder(join(dir, 'catalog'))).filter((f) => !f.startsWith('.catalog-builder/runs/') && f !== '.catalog-builder/last-run.json'), []);
});

// ---------------------------------------------------------------------------------------------
// Replay

/**
 * One day of messages for BTCUSDT around the real 2020-08-16 markPrice@1s message: markPrice every
 * 15 s (rate changing once, prices repeating), aggTrades built on the Binance doc example (two in
 * the same ms), and an ETHUSDT trade. They cross several minute boundaries.
 */
async function replayDay(): Promise<FeedMessage[]> {
  const real = (await fixtureMessages()).find((m) => (JSON.parse(m.json) as { stream: string }).stream === 'btcusdt@markPrice@1s')!;
  const mp = (JSON.parse(real.json) as { data: Obj }).data;
  const E0 = mp.E as number; // 1597536008000 = 2020-08-16T00:00:08Z
  const out: FeedMessage[] = [real];
  const marks = ['11857.56000000', '11858.01000000', '11858.01000000', '11858.50000000', '11858.49700000', '11857.90000000',
    '11857.90000000', '11857.95000000', '11858.10000000', '11858.10000000', '11858.30000000', '11858.25000000'];
  marks.forEach((p, k) => {
    const E = E0 + (k + 1) * 15_000;
    out.push({ localNs: ms(E) + DELAY, json: JSON.stringify({ stream: 'btcusdt@markPrice@1s', data: { ...mp, E, p, r: k < 6 ? mp.r : '0.00015700' } }) });
  });
  const agg = JSON.parse((await readFile(join(SOURCES, 'binance-usdm_ws_raw_doc-examples.jsonl'), 'utf8')).split('\n')[0]!) as Obj;
  for (let k = 0; k < 12; k++) {
    const T = E0 + 1000 + (k === 6 ? 5 : k) * 13_000; // trades 5 and 6 share a millisecond
    const data = { ...agg, E: T + 3, s: 'BTCUSDT', a: 389551486 + k, f: 500000 + 2 * k, l: 500001 + 2 * k, T, p: `11857.${String(10 + k * 7).padStart(2, '0')}`, q: `0.${String(k + 1).padStart(3, '0')}`, m: k % 3 === 0 };
    out.push({ localNs: ms(T + 3) + DELAY + BigInt(k) * 100n, json: JSON.stringify({ stream: 'btcusdt@aggTrade', data }) });
  }
  out.push({ localNs: ms(E0 + 30_000) + DELAY, json: JSON.stringify({ stream: 'ethusdt@aggTrade', data: { ...agg, s: 'ETHUSDT', E: E0 + 30_000, T: E0 + 29_998, p: '433.21', q: '1.000' } }) });
  return out.sort((a, b) => (a.localNs < b.localNs ? -1 : a.localNs > b.localNs ? 1 : 0));
}

const replayCfg = { api_key: 'K', mode: 'replay', concurrency: 16 };
const DAY = { start: '2020-08-16', end: '2020-08-16' };

test('replay: the same messages give the same catalog as a JSONL capture of them (file by file, row by row)', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const messages = await replayDay();
  const mock = await startMock(t, messages);

  // The capture: our own {ts_recv, msg} lines with the same receive times the replay carries.
  await writeFile(join(dir, 'capture.jsonl'), messages.map((m) => `{"ts_recv":"${m.localNs}","msg":${m.json}}`).join('\n') + '\n');
  const viaCapture = await build(dir, { trades: { file_path: 'capture.jsonl' }, mark: { file_path: 'capture.jsonl' }, funding: { file_path: 'capture.jsonl' } },
    { source: 'websocket', ...DAY, output: join(dir, 'from-capture') });
  okReport(viaCapture);

  const viaReplay = await tardis(dir, mock, replayCfg, { ...DAY, dataTypes: ['trades', 'mark', 'funding'], output: join(dir, 'from-replay') });
  okReport(viaReplay);
  assert.deepEqual(viaReplay.files.map((f) => [f.dataType, f.format, f.compression]), [['trades', 'tardis.replay', 'gzip'], ['mark', 'tardis.replay', 'gzip'], ['funding', 'tardis.replay', 'gzip']]);

  const a = await catalog(join(dir, 'from-capture')), b = await catalog(join(dir, 'from-replay'));
  assert.deepEqual([...b.keys()], [...a.keys()]);
  assert.equal(a.size, 4); // instrument, trades, mark, funding
  for (const [name, rows] of a) assert.deepEqual(b.get(name), rows, name);
  // Not trivially equal: the rows are there.
  const written = Object.fromEntries(viaReplay.days.map((d) => [d.dataType, d.written]));
  assert.deepEqual(written, { trades: 12, mark: 8, funding: 2 }); // 13 marks, 5 repeat the previous rounded value

  // The requests: 1440 minutes per channel, last minute first, filters per channel, the key on each.
  const feeds = mock.log('data-feeds');
  assert.equal(feeds.length, 2 * 1440);
  assert.equal(feeds[0]!.query.offset, '1439');
  for (const channel of ['aggTrade', 'markPrice']) {
    const mine = feeds.filter((q) => JSON.parse(q.query.filters!)[0].channel === channel);
    assert.deepEqual(mine.map((q) => Number(q.query.offset)).sort((x, y) => x - y), Array.from({ length: 1440 }, (_, k) => k));
    assert.deepEqual(JSON.parse(mine[0]!.query.filters!), [{ channel, symbols: ['btcusdt'] }]);
    assert.ok(mine.every((q) => q.query.from === '2020-08-16T00:00:00.000Z' && q.headers.authorization === 'Bearer K' && q.status === 200));
  }

  // The cache holds one joined day file per channel (the minutes were folded into it), and a rerun asks nothing.
  const cached = await filesUnder(join(dir, 'cache'));
  assert.deepEqual(cached.filter((f) => f.endsWith('.jsonl.gz')).length, 2);
  assert.ok(!cached.some((f) => f.endsWith('.json.gz') || f.endsWith('.part')), cached.join(', '));
  const again = await tardis(dir, mock, replayCfg, { ...DAY, dataTypes: ['trades', 'mark', 'funding'], output: join(dir, 'again') });
  okReport(again);
  assert.equal(mock.log().length, 2 * 1440, 'no request on the second run');
  assert.deepEqual(await catalog(join(dir, 'again')), b);
});

test('replay resumes from the minutes already cached after a dropped connection stopped the run', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t, await replayDay());
  mock.inject({ kind: 'cut' }, { match: (q) => q.query.offset === '700' });
  const first = await tardis(dir, mock, { ...replayCfg, max_attempts: 1 }, { ...DAY, dataTypes: ['mark'] });
  assert.equal(first.ok, false);
  assert.match(first.errors[0]!, /could not download the markPrice replay of btcusdt for 2020-08-16 11:40 UTC from Tardis: .* gave up after 1 attempt\(s\); last error: .*connection/);
  const served = new Set(mock.log().filter((q) => q.status === 200 && !q.fault).map((q) => Number(q.query.offset)));
  const cache = await filesUnder(join(dir, 'cache'));
  assert.ok(!cache.some((f) => f.endsWith('.part')), 'no partial minute');
  // Minutes are cached as HHmm.json.gz; downloads still running when the run stopped were dropped.
  const cached = new Set(cache.filter((f) => f.endsWith('.json.gz')).map((f) => {
    const hhmm = f.slice(-12, -8);
    return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(2));
  }));
  assert.ok(cached.size > 100, `${cached.size} minutes cached`);
  assert.ok([...cached].every((o) => served.has(o)), 'only minutes served complete are cached');
  assert.ok(!cached.has(700), 'the cut minute (offset 700 = 11:40) is not cached');

  const n0 = mock.log().length;
  const second = await tardis(dir, mock, replayCfg, { ...DAY, dataTypes: ['mark'] });
  okReport(second);
  const asked = mock.log().slice(n0).map((q) => Number(q.query.offset)).sort((a, b) => a - b);
  assert.deepEqual(asked, Array.from({ length: 1440 }, (_, k) => k).filter((k) => !cached.has(k)), 'exactly the minutes missing from the cache are asked');
  assert.equal(second.days[0]!.written, 8);
});

test('replay without a key: refused on another day ("Tardis API key required"), allowed on the 1st of a month', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t); // the JSONL fixture messages, local time = E + 150.1234 ms
  const refused = await tardis(dir, mock, { mode: 'replay' }, { ...DAY, dataTypes: ['mark'] });
  assert.equal(refused.ok, false);
  assert.match(refused.errors[0]!, /^Tardis API key required: the markPrice replay of btcusdt for 2020-08-16 23:59 UTC was refused without a key/);
  assert.deepEqual(mock.log().map((q) => [q.query.offset, q.status]), [['1439', 401]]);

  const free = await tardis(dir, mock, { mode: 'replay', concurrency: 16 }, { start: '2019-10-01', end: '2019-10-01', dataTypes: ['mark', 'funding'], output: join(dir, 'free') });
  okReport(free);
  assert.ok(mock.log().slice(1).every((q) => q.headers.authorization === undefined && q.status === 200));
  const E = ms(1569888003001);
  const mark = await readRows(free.days.find((d) => d.dataType === 'mark')!.file!);
  assert.deepEqual(mark.map((x) => [readRaw(x.value as Uint8Array, 0, 16, true), x.ts_event, x.ts_init]), [[829135n * 10n ** 14n, E, E + DELAY]]);
  const funding = await readRows(free.days.find((d) => d.dataType === 'funding')!.file!);
  assert.deepEqual(funding.map((x) => [fundingRate(x.rate), x.next_funding_ns, x.ts_event, x.ts_init]), [['0.0001', ms(1569916800000), E, E + DELAY]]);
});

test('replay cancellation while minutes download: rejects (the stalled minute would never end); only complete minutes stay in the cache', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t, await replayDay());
  mock.inject({ kind: 'stall' }, { match: (q) => q.query.offset === '100' });
  const ac = new AbortController();
  const job = tardis(dir, mock, { ...replayCfg, concurrency: 4 }, { ...DAY, dataTypes: ['mark'] }, { signal: ac.signal });
  job.catch(() => undefined);
  while (!mock.log().some((q) => q.fault === 'stall')) await new Promise((res) => setTimeout(res, 5));
  await new Promise((res) => setTimeout(res, 50));
  ac.abort();
  await assert.rejects(job, (e: unknown) => e instanceof JobCancelled);
  const cache = await filesUnder(join(dir, 'cache'));
  assert.ok(!cache.some((f) => f.endsWith('.part') || f.endsWith('.jsonl.gz')), cache.filter((f) => !f.endsWith('.json.gz')).join(', '));
  for (const f of cache.filter((x) => x.endsWith('.json.gz'))) gunzipSync(await readFile(join(dir, 'cache', f))); // each one complete
  assert.ok(!cache.some((f) => f.endsWith('/0140.json.gz')), 'the stalled minute (offset 100 = 01:40) is not cached');
  assert.deepEqual((await filesUnder(join(dir, 'catalog', 'data'))), []);
  // Nothing keeps running after the rejection.
  const n = mock.log().length;
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(mock.log().length, n);
});

test('the default cache folder is the user\'s cache folder', () => {
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux'), '/x/cache/catalog-builder/tardis');
  assert.match(defaultCacheDir({}, 'linux'), /\.cache\/catalog-builder\/tardis$/);
  assert.match(defaultCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32'), /catalog-builder.Cache.tardis$/);
});

test('CLI: --source tardis without --data-types builds every type; the key from TARDIS_API_KEY', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  await writeFile(join(dir, 'tardis.json'), JSON.stringify({ endpoint: mock.url, datasets_endpoint: mock.url, cache_dir: 'cache' }));
  // The child must not block this process: the mock answers from here.
  const run = promisify(execFile);
  const r = await run(process.execPath, [join(ROOT, 'bin', 'catalog-builder.mjs'), 'build', '--source', 'tardis', '--symbol', 'BTCUSDT',
    '--start', '2019-10-01', '--end', '2019-10-01', '--output', join(dir, 'cat'), '--config', join(dir, 'tardis.json'), '--json'],
  { env: { ...process.env, TARDIS_API_KEY: 'CLIKEY' } }).catch((e: { stdout: string; stderr: string; code: number }) => e);
  const report = JSON.parse(r.stdout) as RunReport;
  // 2019-10-01 has derivative_ticker rows (mark, funding) but no trades file: that type reports the 404.
  assert.deepEqual(report.days.map((d) => [d.dataType, d.written]), [['trades', 0], ['mark', 1], ['funding', 1]]);
  assert.deepEqual(report.errors, ['trades: no Tardis file for the trades dataset of BTCUSDT on 2019-10-01 (HTTP 404: Not Found); Tardis publishes a day\'s CSV the next day around 06:00 UTC']);
  assert.ok(mock.log().every((q) => q.headers.authorization === 'Bearer CLIKEY'));
  assert.ok((await filesUnder(join(dir, 'cache'))).some((f) => f.endsWith('derivative_ticker/2019/10/01/BTCUSDT.csv.gz')), 'cache_dir is relative to the config file');
});
