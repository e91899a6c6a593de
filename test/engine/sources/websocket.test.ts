// WebSocket capture source (spec sources.md §3): every line shape of §3.5, the Binance USD-M
// mapping rules of §3.3/§3.4, rejects with file and line, and plain/gz/bz2 files, checked against
// the rows actually written to the catalog. Messages come from the real fixtures in ../shared.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { JobSpecInput } from '../../../shared/job.js';
import type { RunReport } from '../../../shared/report.js';
import { readRaw } from '../../../engine/numbers/fixed.js';
import type { Reject } from '../../../engine/normalize/rejects.js';
import { genBinanceCapture } from '../../../scripts/gen-data.js';
import { ROOT, SOURCES, build, fundingRate, needShared, readRows, tempDir } from '../../helpers.js';

type Row = Record<string, unknown>;
type Obj = Record<string, unknown>;

const COMBINED = join(SOURCES, 'binance-usdm_ws_combined_tardis-node-test-messages_2019-2021.jsonl');
const RAW = join(SOURCES, 'binance-usdm_ws_raw_doc-examples.jsonl');

/** Decimal text -> raw at 10^16 (128-bit mode), computed without the engine. */
function raw(text: string, F = 16): bigint {
  const [i, f = ''] = text.split('.');
  return BigInt(i! + f.padEnd(F, '0'));
}
const fixed = (r: Row, k: string, signed = true) => readRaw(r[k] as Uint8Array, 0, 16, signed);
const ms = (v: number | bigint) => BigInt(v) * 1_000_000n;
const trades = (rows: Row[]) => rows.map((r) => [fixed(r, 'price'), fixed(r, 'size', false), r.aggressor_side, r.trade_id, r.ts_event, r.ts_init]);
const marks = (rows: Row[]) => rows.map((r) => [fixed(r, 'value'), r.ts_event, r.ts_init]);
const fundings = (rows: Row[]) => rows.map((r) => [fundingRate(r.rate), r.interval, r.next_funding_ns, r.ts_event, r.ts_init]);

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim());
}
/** The fixture's combined envelopes, parsed. */
async function envelopes(): Promise<{ stream: string; data: Obj }[]> {
  return (await lines(COMBINED)).map((l) => JSON.parse(l) as { stream: string; data: Obj });
}

async function ws(dir: string, files: Record<string, unknown>, job: Partial<JobSpecInput> = {}): Promise<RunReport> {
  return build(dir, files, { source: 'websocket', ...job });
}

async function rejectsOf(report: RunReport): Promise<Reject[]> {
  if (!report.rejectsFile) return [];
  return (await readFile(report.rejectsFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Reject);
}

/** Rows of the one written day of `type`. */
async function dayRows(report: RunReport, type: string): Promise<Row[]> {
  const d = report.days.filter((x) => x.dataType === type && x.written > 0);
  assert.equal(d.length, 1, `one written ${type} day expected: ${JSON.stringify(report.days)}`);
  return readRows(d[0]!.file!);
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
/** Every counted message ends in exactly one bucket (as for CSV rows). */
function assertBalanced(r: RunReport): void {
  const t = r.totals;
  const skipped = r.days.reduce((a, d) => a + d.skipped, 0);
  assert.equal(t.read, t.written + t.duplicates + skipped + t.rejected + t.outOfRange, JSON.stringify(t));
  for (const d of r.days) assert.equal(d.read, d.written + d.duplicates + d.skipped + sum(d.rejected), `${d.dataType} ${d.day}`);
}

// ---------------------------------------------------------------------------------------------
// The real fixtures

test('combined envelopes (shape B), real 2019-2021 messages: trade X=MARKET kept, other symbols ignored, 2019 aggTrade without "a" rejected', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const report = await ws(dir, { trades: { file_path: COMBINED } }, { start: '2020-08-01', end: '2020-08-01' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const f = report.files[0]!;
  assert.equal(f.format, 'binance.jsonl');
  assert.equal(f.compression, 'none');
  // Counted: the BTCUSDT aggTrade (rejected) and the two BTCUSDT trades (one outside the range).
  assert.deepEqual([f.rows, f.rejected, f.outOfRange], [3, 1, 1]);
  assert.ok(f.notes.includes('line shapes: combined {stream,data} ×7'), f.notes.join('; '));
  assert.ok(f.notes.includes('1 message(s) of other symbols ignored'), f.notes.join('; ')); // ethusdt@trade (ETHUSDT insurance fund)
  assert.ok(f.notes.includes('3 message(s) of events that do not feed trades ignored'), f.notes.join('; ')); // the markPrice lines
  assert.ok(f.notes.includes('trades from the trade stream (trade ids: t)'), f.notes.join('; '));
  // The one BTCUSDT trade of 2020-08-01: {"T":1596240000519,"t":173525189,"p":"11343.67","q":"0.467","X":"MARKET","m":true}
  assert.deepEqual(trades(await dayRows(report, 'trades')), [[raw('11343.67'), raw('0.467'), 2, '173525189', ms(1596240000519), ms(1596240000519)]]);
  const rej = await rejectsOf(report);
  assert.deepEqual(rej.map((r) => [r.file, r.line, r.field, r.reason]), [
    [COMBINED, 1, 'a', 'missing field (aggregate trade id; not derived from f/l, which are trade-stream ids)'],
  ]);
  assertBalanced(report);
});

test('combined envelopes, real markPrice messages: mark rounded to the instrument, funding rate + next funding time, ts_event = E', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const report = await ws(dir, { mark: { file_path: COMBINED }, funding: { file_path: COMBINED } }, { start: '2019-10-01', end: '2019-10-01' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  // {"E":1569888003001,"p":"8291.34697815","r":"0.00010000","T":1569916800000} (2019: no "i", no "P")
  assert.deepEqual(marks(await dayRows(report, 'mark')), [[raw('8291.35'), ms(1569888003001), ms(1569888003001)]]);
  assert.deepEqual(fundings(await dayRows(report, 'funding')), [['0.0001', null, ms(1569916800000), ms(1569888003001), ms(1569888003001)]]);
  assertBalanced(report);
});

test('delivery contract markPrice (r "0.00000000", T 0): a mark row, no funding row (skipped as no value)', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const report = await ws(dir, { mark: { file_path: COMBINED }, funding: { file_path: COMBINED } },
    { symbol: 'btcbusd_210129', start: '2021-01-05', end: '2021-01-05', pricePrecision: 8, sizePrecision: 3 });
  assert.equal(report.ok, true, report.errors.join('\n'));
  // A dated USD-M future: NautilusTrader's Binance adapter keeps the symbol (no -PERP), expiry from it.
  assert.deepEqual([report.instrument.id, report.instrument.className], ['BTCBUSD_210129.BINANCE', 'CryptoFuture']);
  assert.match(report.instrument.precisionSource, /expiry 2021-01-29T08:00:00.000Z from the symbol/);
  assert.deepEqual(marks(await dayRows(report, 'mark')), [[raw('31799.2773'), ms(1609830121004), ms(1609830121004)]]);
  const fd = report.days.find((d) => d.dataType === 'funding')!;
  assert.deepEqual([fd.read, fd.written, fd.skipped, fd.file], [1, 0, 1, undefined]);
  assertBalanced(report);
});

test('raw payloads (shape A), Binance doc examples with extra "st": aggTrade id a, m=true -> SELLER, ts_event = T; the trade stream is not mixed in', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  // Doc example values (price 0.001) need 3 decimals; T 123456785 ms is 1970-01-02.
  const report = await ws(dir, { trades: { file_path: RAW } }, { start: '1970-01-02', end: '1970-01-02', pricePrecision: 3, sizePrecision: 3 });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const f = report.files[0]!;
  assert.ok(f.notes.includes('line shapes: raw payload ×3'), f.notes.join('; '));
  assert.ok(f.notes.includes('1 trade message(s) ignored: this run takes trades from aggTrade (the two id spaces must not mix in one catalog)'), f.notes.join('; '));
  // aggTrade a=5933014 and trade t=5933014 share the number: mixing them would also lose a trade as a "duplicate".
  assert.deepEqual(trades(await dayRows(report, 'trades')), [[raw('0.001'), raw('100'), 2, '5933014', ms(123456785), ms(123456785)]]);
  assertBalanced(report);
});

// ---------------------------------------------------------------------------------------------
// Line shapes

test('every line shape in one file (A, B, C with ns number and ISO, D, E): ts_init is the receive time when the line has one', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  // The real 2020-08-16 markPrice@1s message, once per shape with its own E and price.
  const env = (await envelopes()).find((e) => e.stream === 'btcusdt@markPrice@1s')!;
  const E0 = env.data.E as number; // 1597536008000
  const variant = (k: number, p: string) => ({ stream: env.stream, data: { ...env.data, E: E0 + k * 1000, p } });
  const recvNs = (k: number) => ms(E0 + k * 1000) + 150_123_400n + BigInt(k);
  const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19) + '.' + String(ns % 1_000_000_000n).padStart(9, '0').slice(0, 7) + 'Z';
  const v = [
    variant(0, '11857.56000000'), variant(1, '11857.57000000'), variant(2, '11857.58000000'),
    variant(3, '11857.59000000'), variant(4, '11857.60000000'), variant(5, '11857.61000000'),
  ];
  const isoNs = (k: number) => recvNs(k) - (recvNs(k) % 100n); // 7 fractional digits keep 100 ns
  const text = [
    JSON.stringify(v[0]!.data), //                                                 A raw payload
    JSON.stringify(v[1]), //                                                       B combined
    `{"ts_recv":${recvNs(2)},"msg":${JSON.stringify(v[2])}}`, //                   C, 19-digit ns as a JSON number
    JSON.stringify({ ts_recv: iso(recvNs(3)), msg: v[3]!.data }), //               C, ISO receive time, raw payload
    `${iso(recvNs(4))} ${JSON.stringify(v[4])}`, //                                D Tardis data-feed line
    JSON.stringify({ localTimestamp: iso(recvNs(5)), message: v[5] }), //          E Tardis Machine
  ].join('\n') + '\n';
  assert.equal(iso(recvNs(4)).length, 28);
  await writeFile(join(dir, 'shapes.jsonl'), text);
  const report = await ws(dir, { mark: { file_path: 'shapes.jsonl' } }, { start: '2020-08-16', end: '2020-08-16' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const f = report.files[0]!;
  assert.ok(f.notes.includes('line shapes: raw payload ×1, combined {stream,data} ×1, {ts_recv,msg} ×2, Tardis data-feed line ×1, Tardis Machine {localTimestamp,message} ×1'), f.notes.join('; '));
  assert.deepEqual(marks(await dayRows(report, 'mark')), [
    [raw('11857.56'), ms(E0), ms(E0)],
    [raw('11857.57'), ms(E0 + 1000), ms(E0 + 1000)],
    [raw('11857.58'), ms(E0 + 2000), recvNs(2)], // exact to the ns although past 2^53
    [raw('11857.59'), ms(E0 + 3000), isoNs(3)],
    [raw('11857.6'), ms(E0 + 4000), isoNs(4)],
    [raw('11857.61'), ms(E0 + 5000), isoNs(5)],
  ]);
});

test('"data" holding an array (!markPrice@arr): only the job\'s symbol is kept, matched case-insensitively', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const all = await envelopes();
  const btc = all.find((e) => e.stream === 'btcusdt@markPrice@1s')!.data;
  const delivery = all.find((e) => e.stream.startsWith('btcbusd_210129'))!.data;
  const line = JSON.stringify({ stream: '!markPrice@arr@1s', data: [delivery, btc, { ...delivery, s: 'ETHUSDT' }] });
  await writeFile(join(dir, 'arr.jsonl'), line + '\n');
  const report = await ws(dir, { mark: { file_path: 'arr.jsonl' }, funding: { file_path: 'arr.jsonl' } }, { symbol: 'btcusdt', start: '2020-08-16', end: '2020-08-16' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  assert.deepEqual(marks(await dayRows(report, 'mark')), [[raw('11857.56'), ms(btc.E as number), ms(btc.E as number)]]);
  assert.deepEqual(fundings(await dayRows(report, 'funding')), [['0.0001564', null, ms(btc.T as number), ms(btc.E as number), ms(btc.E as number)]]);
  assert.ok(report.files[0]!.notes.includes('2 message(s) of other symbols ignored'), report.files[0]!.notes.join('; '));
});

// ---------------------------------------------------------------------------------------------
// Rules

test('funding "changes" policy: a row only when (rate, next funding time) changes; mark deduped on the rounded value', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const base = (await envelopes()).find((e) => e.stream === 'btcusdt@markPrice@1s')!;
  const E0 = base.data.E as number, T1 = base.data.T as number, T2 = T1 + 8 * 3600_000;
  const seq: [string, string, number][] = [
    ['11857.56000000', '0.00015640', T1], // mark new, funding new (first)
    ['11857.56000000', '0.00015640', T1], // mark dup, funding dup
    ['11857.56400000', '0.0001564', T1], //  mark dup (rounds to 11857.56), funding dup (same value, other text)
    ['11857.70000000', '0.00015641', T1], // mark new, funding new (rate)
    ['11857.70000000', '0.00015641', T2], // mark dup, funding new (next funding time)
    ['11857.56000000', '0.00015641', T2], // mark new (changed back), funding dup
  ];
  const text = seq.map(([p, r, T], k) => JSON.stringify({ stream: base.stream, data: { ...base.data, E: E0 + k * 1000, p, r, T } })).join('\n');
  await writeFile(join(dir, 'mp.jsonl'), text + '\n');
  const report = await ws(dir, { mark: { file_path: 'mp.jsonl' }, funding: { file_path: 'mp.jsonl' } }, { start: '2020-08-16', end: '2020-08-16' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const E = (k: number) => ms(E0 + k * 1000);
  assert.deepEqual(marks(await dayRows(report, 'mark')), [[raw('11857.56'), E(0), E(0)], [raw('11857.7'), E(3), E(3)], [raw('11857.56'), E(5), E(5)]]);
  assert.deepEqual(fundings(await dayRows(report, 'funding')), [
    ['0.0001564', null, ms(T1), E(0), E(0)],
    ['0.00015641', null, ms(T1), E(3), E(3)],
    ['0.00015641', null, ms(T2), E(4), E(4)],
  ]);
  const byType = Object.fromEntries(report.days.map((d) => [d.dataType, [d.read, d.written, d.duplicates]]));
  assert.deepEqual(byType, { mark: [6, 3, 3], funding: [6, 3, 3] });
  assertBalanced(report);
});

test('trade stream: only X=MARKET (or no X) becomes a trade; insurance-fund and ADL prints are skipped and counted', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const all = await envelopes();
  // The real ETHUSDT insurance-fund print, and the real BTCUSDT MARKET trade as the template for the others.
  const eth = all.find((e) => e.stream === 'ethusdt@trade')!;
  const btc = all.find((e) => e.stream === 'btcusdt@trade' && e.data.X === 'MARKET')!;
  const T = btc.data.T as number;
  const mk = (k: number, X: string | undefined, m: boolean) => {
    const data: Obj = { ...btc.data, T: T + k, E: T + k + 77, t: (btc.data.t as number) + k, m };
    if (X === undefined) delete data.X;
    else data.X = X;
    return JSON.stringify({ stream: btc.stream, data });
  };
  await writeFile(join(dir, 'eth.jsonl'), JSON.stringify(eth) + '\n');
  await writeFile(join(dir, 'btc.jsonl'), [mk(0, 'MARKET', true), mk(1, 'INSURANCE_FUND', true), mk(2, undefined, false), mk(3, 'ADL', false), mk(4, 'NA', true)].join('\n') + '\n');

  const r1 = await ws(dir, { trades: { file_path: 'eth.jsonl' } }, { symbol: 'ETHUSDT', start: '2020-07-29', end: '2020-07-29' });
  assert.deepEqual([r1.days[0]!.read, r1.days[0]!.written, r1.days[0]!.skipped], [1, 0, 1]);
  assert.ok(r1.files[0]!.notes.includes('1 trade(s) with X other than MARKET (insurance fund, ADL) skipped'), r1.files[0]!.notes.join('; '));

  const r2 = await ws(dir, { trades: { file_path: 'btc.jsonl' } }, { start: '2020-08-01', end: '2020-08-01', output: join(dir, 'c2') });
  assert.equal(r2.ok, true, r2.errors.join('\n'));
  const t0 = btc.data.t as number;
  assert.deepEqual(trades(await dayRows(r2, 'trades')), [
    [raw('11343.67'), raw('0.467'), 2, String(t0), ms(T), ms(T)],
    [raw('11343.67'), raw('0.467'), 1, String(t0 + 2), ms(T + 2), ms(T + 2)],
  ]);
  assert.deepEqual([r2.days[0]!.read, r2.days[0]!.written, r2.days[0]!.skipped], [5, 2, 3]);
  assertBalanced(r2);
});

// ---------------------------------------------------------------------------------------------
// Rejects and skips

test('broken lines are rejects with file, line and field (bad JSON, unknown event, missing field, …); acks, empty lines and generated messages are skipped; the rest of the file goes on', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const agg = JSON.parse((await lines(RAW))[0]!) as Obj; // doc aggTrade: a, p, q, T, m …
  const T0 = 1596240000519;
  const good = (k: number) => JSON.stringify({ stream: 'btcusdt@aggTrade', data: { ...agg, E: T0 + k + 5, T: T0 + k, a: 1000 + k, p: '11343.67', q: '0.467' } });
  const without = (k: number, key: string) => {
    const data: Obj = { ...agg, E: T0 + k + 5, T: T0 + k, a: 1000 + k, p: '11343.67', q: '0.467' };
    delete data[key];
    return JSON.stringify({ stream: 'btcusdt@aggTrade', data });
  };
  const file = [
    '{"result":null,"id":1}', //                                                  1 subscription ack: skipped
    good(1), //                                                                   2
    '', //                                                                        3 empty (disconnect marker): skipped
    good(3).slice(0, 60), //                                                      4 bad JSON
    JSON.stringify({ e: 'fooEvent', E: T0, s: 'BTCUSDT' }), //                    5 unknown event
    without(6, 'p'), //                                                           6 missing price
    JSON.stringify({ stream: 'btcusdt@openInterest', generated: true, data: { symbol: 'BTCUSDT', openInterest: '1' } }), // 7 Tardis-generated
    good(8), //                                                                   8
    JSON.stringify({ e: 'depthUpdate', E: T0, s: 'BTCUSDT', b: [], a: [] }), //   9 known event, not trades: ignored
    good(10).replace('"p":"11343.67"', '"p":11343.67'), //                        10 price as a JSON number
    `2020-13-45T00:00:00.0000000Z ${good(11)}`, //                                11 Tardis line with a bad timestamp
    without(12, 'T'), //                                                          12 missing trade time
    without(13, 'm'), //                                                          13 missing buyer-is-maker
    '[1,2,3]', //                                                                 14 not an object
    JSON.stringify({ hello: 'world' }), //                                        15 unknown message shape
    good(16), //                                                                  16
  ].join('\n') + '\n';
  await writeFile(join(dir, 'broken.jsonl.gz'), gzipSync(file));
  // 9 of 12 rows rejected: above the default max reject ratio (0.5); allowed here, this test is about the rejects.
  const report = await ws(dir, { trades: { file_path: 'broken.jsonl.gz' } }, { start: '2020-08-01', end: '2020-08-01', maxRejectRatio: 1 });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const f = report.files[0]!;
  assert.equal(f.compression, 'gzip');
  // Counted rows: the 12 lines that are (or claim to be) messages; ack, empty, generated and depthUpdate are not rows.
  assert.deepEqual([f.rows, f.rejected], [12, 9]);
  const path = join(dir, 'broken.jsonl.gz');
  const rej = await rejectsOf(report);
  assert.deepEqual(rej.map((r) => [r.dataType, r.file, r.line, r.field, r.reason.replace(/ \(.*\)$/, ' (…)')]), [
    ['trades', path, 4, 'json', 'not valid JSON (…)'],
    ['trades', path, 5, 'e', 'unknown event "fooEvent"'],
    ['trades', path, 6, 'p', 'missing field (…)'],
    ['trades', path, 10, 'p', 'expected price as a decimal string'],
    ['trades', path, 11, 'local_timestamp', 'not a valid date'],
    ['trades', path, 12, 'T', 'missing field (…)'],
    ['trades', path, 13, 'm', 'missing field (…)'],
    ['trades', path, 14, 'message', 'not a JSON object'],
    ['trades', path, 15, 'e', 'unknown message: neither a Binance payload (no "e") nor a {"stream","data"} envelope'],
  ]);
  assert.equal(rej[2]!.reason, 'missing field (price)');
  assert.equal(rej[5]!.reason, 'missing field (trade time in ms)');
  assert.equal(rej[6]!.reason, 'missing field (buyer-is-maker true or false)');
  assert.equal(rej[1]!.value, JSON.stringify({ e: 'fooEvent', E: T0, s: 'BTCUSDT' }), 'the value is the line itself');
  assert.deepEqual((await dayRows(report, 'trades')).map((r) => r.trade_id), ['1001', '1008', '1016']);
  assert.ok(f.notes.includes('1 subscription ack(s) ignored'), f.notes.join('; '));
  assert.ok(f.notes.includes('1 Tardis-generated message(s) (generated:true) ignored'), f.notes.join('; '));
  assert.ok(f.notes.includes('1 empty line(s) skipped (disconnect markers)'), f.notes.join('; '));
  assertBalanced(report);
});

test('the same capture plain, gzip and bzip2 gives the same rows', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const text = await readFile(COMBINED);
  await writeFile(join(dir, 'c.jsonl'), text);
  await writeFile(join(dir, 'c.jsonl.gz'), gzipSync(text));
  const bz = spawnSync('bzip2', ['-c', join(dir, 'c.jsonl')]);
  if (bz.error || bz.status !== 0) return t.skip('bzip2 is not installed');
  await writeFile(join(dir, 'c.jsonl.bz2'), bz.stdout);
  const got: unknown[] = [];
  for (const name of ['c.jsonl', 'c.jsonl.gz', 'c.jsonl.bz2']) {
    const r = await ws(dir, { mark: { file_path: name } }, { start: '2020-08-16', end: '2020-08-16', output: join(dir, `out-${name}`) });
    assert.equal(r.ok, true, r.errors.join('\n'));
    assert.equal(r.files[0]!.compression, { 'c.jsonl': 'none', 'c.jsonl.gz': 'gzip', 'c.jsonl.bz2': 'bz2' }[name]);
    got.push(marks(await dayRows(r, 'mark')));
  }
  assert.deepEqual(got[0], [[raw('11857.56'), ms(1597536008000), ms(1597536008000)]]);
  assert.deepEqual(got[1], got[0]);
  assert.deepEqual(got[2], got[0]);
});

test('CLI: --source websocket builds from a capture config', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  await writeFile(join(dir, 'ws.json'), JSON.stringify({ base_path: SOURCES, files: { mark: { file_path: 'binance-usdm_ws_combined_tardis-node-test-messages_2019-2021.jsonl' } } }));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'catalog-builder.mjs'), 'build', '--source', 'websocket', '--symbol', 'BTCUSDT',
    '--start', '2020-08-16', '--end', '2020-08-16', '--output', join(dir, 'cat'), '--config', join(dir, 'ws.json'), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as RunReport;
  assert.equal(report.job.source, 'websocket');
  assert.deepEqual(report.days.map((d) => [d.dataType, d.day, d.written]), [['mark', '2020-08-16', 1]]);
});

test('a capture feeding trades, mark and funding is read once, with the same rows, counts, notes and rejects as one read per type', async (t) => {
  const dir = await tempDir(t);
  await genBinanceCapture({ path: join(dir, 'gen.jsonl'), trades: 3000, start: '2024-01-01', days: 1, gzip: false });
  // Every 100th markPrice line keeps the file small; broken and odd lines go to every type.
  let m = 0;
  const kept = (await lines(join(dir, 'gen.jsonl'))).filter((l) => !l.includes('markPriceUpdate') || m++ % 100 === 0);
  const agg = kept.find((l) => l.includes('aggTrade'))!;
  const mark = kept.find((l) => l.includes('markPriceUpdate'))!;
  kept.push(
    agg.slice(0, 70), //                                        bad JSON
    '{"result":null,"id":7}', //                                 ack
    '', //                                                      empty
    agg.replace(/"ts_recv":"\d+"/, '"ts_recv":"soon"'), //       bad receive time
    agg.replace('"e":"aggTrade"', '"e":"fooEvent"'), //          unknown event
    agg.replace(/,"q":"[^"]*"/, ''), //                          trade without quantity
    mark.replace(/,"p":"[^"]*"/, ''), //                         markPrice without price
    mark.replace('"r":"0.00010000"', '"r":"x"'), //              bad funding rate
  );
  await writeFile(join(dir, 'cap.jsonl'), kept.join('\n') + '\n');

  // Count how often the capture is opened for reading. The job's look at its first lines, for the
  // symbol it names (engine/sources/facts.ts, 64 KiB chunks), is not a read of the file.
  let opens = 0;
  const original = fs.createReadStream;
  (fs as { createReadStream: typeof fs.createReadStream }).createReadStream = ((p: fs.PathLike, o?: Parameters<typeof fs.createReadStream>[1]) => {
    if (String(p).endsWith('cap.jsonl') && !(typeof o === 'object' && o?.highWaterMark === 64 * 1024)) opens++;
    return original(p, o);
  }) as typeof fs.createReadStream;
  syncBuiltinESMExports();
  t.after(() => {
    (fs as { createReadStream: typeof fs.createReadStream }).createReadStream = original;
    syncBuiltinESMExports();
  });

  const types = ['trades', 'mark', 'funding'] as const;
  const files = Object.fromEntries(types.map((k) => [k, { file_path: 'cap.jsonl' }]));
  const all = await ws(dir, files, { output: join(dir, 'all') });
  assert.equal(all.ok, true, all.errors.join('\n'));
  assert.equal(opens, 1, 'one read for the three types');
  const allRejects = await rejectsOf(all);
  const shape = (r: RunReport) => ({
    files: r.files.map((f) => ({ ...f })),
    days: r.days.map((d) => ({ ...d, file: d.file?.replace(/^.*\/data\//, '') })),
  });
  let written = 0;
  for (const type of types) {
    opens = 0;
    const one = await ws(dir, { [type]: { file_path: 'cap.jsonl' } }, { output: join(dir, type) });
    assert.equal(opens, 1);
    assert.equal(one.ok, true, one.errors.join('\n'));
    const a = shape(all), b = shape(one);
    assert.deepEqual(a.files.filter((f) => f.dataType === type), b.files, `${type}: file reports`);
    assert.deepEqual(a.days.filter((d) => d.dataType === type), b.days, `${type}: day reports`);
    assert.deepEqual(allRejects.filter((r) => r.dataType === type), await rejectsOf(one), `${type}: rejects`);
    for (const d of one.days.filter((x) => x.file)) {
      const same = all.days.find((x) => x.dataType === type && x.day === d.day)!;
      assert.ok((await readFile(d.file!)).equals(await readFile(same.file!)), `${type} ${d.day}: same bytes`);
      written += d.written;
    }
  }
  assert.equal(written, all.totals.written);
  assert.ok(allRejects.length >= 3 * 3, `broken lines are rejected for every type (${allRejects.length})`);
  assertBalanced(all);
});

// ---------------------------------------------------------------------------------------------
// Receive-time unit (issue 11 item 4): decided by most of the first values, not by the first one

const T0_2024 = Date.parse('2024-01-01T00:00:00Z');
/** An aggTrade payload in Binance's key order (the JSONL fast path's shape). */
const aggAt = (k: number, T: number) =>
  `{"e":"aggTrade","E":${T + 2},"a":${5000 + k},"s":"BTCUSDT","p":"100.5","q":"0.001","f":${9000 + k},"l":${9000 + k},"T":${T},"m":${k % 2 === 0}}`;
type RecvKey = 'ts_recv' | 'ts_recv number' | 'localTimestamp';
/** A capture line with receive time `recv` (text) in the given wrapper. */
function recvLine(key: RecvKey, recv: string, msg: string): string {
  if (key === 'ts_recv') return `{"ts_recv":"${recv}","msg":${msg}}`;
  if (key === 'ts_recv number') return `{"ts_recv":${recv},"msg":${msg}}`;
  return `{"localTimestamp":"${recv}","message":${msg}}`;
}

for (const first of ['0', '17040672', '1704067200.5']) {
  for (const key of ['ts_recv', 'ts_recv number', 'localTimestamp'] as RecvKey[]) {
    if (key === 'ts_recv number' && first.includes('.')) continue; // a fraction as a JSON number is refused on its own
    test(`an odd first receive time (${key} ${first}) is that line's reject; the 100 ms lines after it are written`, async (t) => {
      const dir = await tempDir(t);
      const out = [recvLine(key, first, aggAt(0, T0_2024 + 500))];
      for (let i = 1; i <= 100; i++) out.push(recvLine(key, String(T0_2024 + i * 1000 + 7), aggAt(i, T0_2024 + i * 1000)));
      await writeFile(join(dir, 'cap.jsonl'), out.join('\n') + '\n');
      const r = await ws(dir, { trades: { file_path: 'cap.jsonl' } });
      assert.equal(r.totals.read, 101);
      assert.equal(r.totals.written, 100, JSON.stringify(r.files[0]));
      assert.equal(r.totals.rejected, 1);
      const rej = await rejectsOf(r);
      assert.deepEqual(rej.map((x) => [x.line, x.field]), [[1, key === 'localTimestamp' ? 'localTimestamp' : 'ts_recv']]);
      const rows = await dayRows(r, 'trades');
      assert.deepEqual(rows.map((x) => x.ts_init), Array.from({ length: 100 }, (_, i) => ms(T0_2024 + (i + 1) * 1000 + 7)));
      const field = key === 'localTimestamp' ? 'localTimestamp' : 'ts_recv';
      const notes = r.files[0]!.notes.filter((n) => /another unit/.test(n));
      assert.equal(notes.length, 1, r.files[0]!.notes.join('; '));
      assert.match(notes[0]!, new RegExp(`^1 ${field} value\\(s\\) are in another unit than the file's Unix ms \\(decided by 100 of the first 101 values\\)`));
      assertBalanced(r);
    });
  }
}

test('receive times in another unit than most of the capture: each line a reject, one file-level note; both JSON paths agree', async (t) => {
  const prev = process.env.CB_FAST_PATH;
  t.after(() => (prev === undefined ? delete process.env.CB_FAST_PATH : (process.env.CB_FAST_PATH = prev)));
  const results: unknown[] = [];
  for (const fast of ['1', '0']) {
    process.env.CB_FAST_PATH = fast;
    const dir = await tempDir(t);
    const out: string[] = [];
    // 40 lines in seconds first, then 60 in ms: the ms majority of the sample decides.
    for (let i = 0; i < 40; i++) out.push(recvLine('ts_recv', String(Math.floor(T0_2024 / 1000) + 1 + i), aggAt(i, T0_2024 + 500 + i)));
    for (let i = 40; i < 100; i++) out.push(recvLine('ts_recv', String(T0_2024 + i * 1000 + 7), aggAt(i, T0_2024 + i * 1000)));
    await writeFile(join(dir, 'cap.jsonl'), out.join('\n') + '\n');
    const r = await ws(dir, { trades: { file_path: 'cap.jsonl' } }, { maxRejectRatio: 1 });
    assert.equal(r.totals.written, 60);
    assert.equal(r.totals.rejected, 40);
    const rej = await rejectsOf(r);
    assert.deepEqual(rej.map((x) => x.line), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.ok(rej.every((x) => x.field === 'ts_recv' && x.reason === "looks like Unix s, but the file's timestamps are Unix ms"), JSON.stringify(rej[0]));
    const notes = r.files[0]!.notes.filter((n) => /another unit/.test(n));
    assert.deepEqual(notes, ["40 ts_recv value(s) are in another unit than the file's Unix ms (decided by 60 of the first 100 values); those rows are rejected (see the rejects file)"]);
    assertBalanced(r);
    results.push([r.totals, r.files[0]!.notes, rej.map((x) => [x.line, x.field, x.reason, x.value])]);
  }
  assert.deepEqual(results[0], results[1]);
});
