// The JSONL fast path (engine/sources/websocket/fast.ts) must give exactly what JSON.parse gives,
// or nothing: on valid lines of its shape, on near misses, on random mutations of them, and end to
// end (the same catalog, reports and rejects with the fast path off and on).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RunReport } from '../../../shared/report.js';
import { gzipSync } from 'node:zlib';
import { FastRecv, parseFastLine } from '../../../engine/sources/websocket/fast.js';
import { TsColumn, UNIT_MULT, unitOfDigits, type TsUnit } from '../../../engine/sources/timestamp.js';
import { genBinanceCapture } from '../../../scripts/gen-data.js';
import { SOURCES, build, filesUnder, needShared, tempDir } from '../../helpers.js';

/** JSON.parse's value, or a marker when it throws. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return 'JSON.parse throws';
  }
}

/** The fast path agrees with JSON.parse: same value, same key order; or it declines. */
function agrees(text: string): boolean {
  const fast = parseFastLine(text);
  if (fast === undefined) return true;
  const slow = parsed(text);
  assert.notEqual(slow, 'JSON.parse throws', `fast path accepted invalid JSON: ${text}`);
  assert.deepStrictEqual(fast, slow, text);
  assert.equal(JSON.stringify(fast), JSON.stringify(slow), `key order: ${text}`);
  return false;
}

const int = fc.oneof(fc.constantFrom(0, 1, 9, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 9_999_999_999_999_998, 1e16), fc.nat(), fc.maxSafeNat());
const text = fc.oneof(fc.constantFrom('', '0.001', '41998.30', '1e5', '-1', 'BTCUSDT', 'ü€😀'), fc.string({ maxLength: 12 }), fc.stringMatching(/^[0-9]{1,20}(\.[0-9]{1,20})?$/));

/** A line of the fast shape, from its parts (numbers written as JSON writes them). */
const line = fc.record({ wrap: fc.boolean(), env: fc.boolean(), ts: text, stream: text, E: int, a: int, s: text, p: text, q: text, f: int, l: int, T: int, m: fc.boolean() }).map((o) => {
  const q = (s: string) => JSON.stringify(s);
  let v = `{"e":"aggTrade","E":${o.E},"a":${o.a},"s":${q(o.s)},"p":${q(o.p)},"q":${q(o.q)},"f":${o.f},"l":${o.l},"T":${o.T},"m":${o.m}}`;
  if (o.env) v = `{"stream":${q(o.stream)},"data":${v}}`;
  if (o.wrap) v = `{"ts_recv":${q(o.ts)},"msg":${v}}`;
  return v;
});

test('fast path: lines of its shape read exactly as JSON.parse reads them (values, types, key order)', () => {
  let taken = 0;
  fc.assert(fc.property(line, (l) => {
    if (!agrees(l)) taken++;
  }), { numRuns: 3000 });
  // Many of these lines are plain (no escapes, ASCII only): the fast path must actually take them.
  assert.ok(taken > 600, `fast path took ${taken} of 3000 lines`);
});

test('fast path: mutated lines (a character inserted, removed or replaced) are read as JSON.parse reads them, or declined', () => {
  const chars = fc.constantFrom('"', '\\', '{', '}', ',', ':', ' ', '0', '1', '-', '.', 'e', 'E', '\u0000', '\u001f', '\t', 'x', 'ü', '[', ']', 'n');
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'replace'), c: chars, n: fc.integer({ min: 1, max: 3 }) });
  let declined = 0, taken = 0;
  fc.assert(fc.property(line, fc.array(edit, { minLength: 1, maxLength: 3 }), (l, edits) => {
    let s = l;
    for (const e of edits) {
      const at = e.at % (s.length + 1);
      if (e.kind === 'insert') s = s.slice(0, at) + e.c.repeat(e.n) + s.slice(at);
      else if (e.kind === 'delete') s = s.slice(0, at) + s.slice(at + e.n);
      else s = s.slice(0, at) + e.c + s.slice(at + 1);
    }
    if (agrees(s)) declined++;
    else taken++;
  }), { numRuns: 5000 });
  assert.ok(declined > 1000 && taken > 100, `declined ${declined}, taken ${taken}`);
});

test('fast path: near misses are declined (leading zeros, signs, fractions in integers, whitespace, escapes, non-ASCII, nested values, null, duplicate or unknown long keys, unbalanced braces)', () => {
  const ok = '{"ts_recv":"1704067200065486729","msg":{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1704067200065,"a":2100000000,"s":"BTCUSDT","p":"41998.30","q":"1.102","f":4200000000,"l":4200000001,"T":1704067200062,"m":true}}}';
  assert.deepStrictEqual(parseFastLine(ok), JSON.parse(ok));
  const misses = [
    ok.replace('"E":1704067200065', '"E":01704067200065'),
    ok.replace('"a":2100000000', '"a":-2100000000'),
    ok.replace('"f":4200000000', '"f":4200000000.0'),
    ok.replace('"T":1704067200062', '"T":1.704067200062e12'),
    ok.replace('"l":4200000001', '"l":42000000011234567'),
    ok.replace('"l":4200000001', '"l":9007199254740992'),
    ok.replace('"s":"BTCUSDT"', '"s": "BTCUSDT"'),
    ok.replace('"s":"BTCUSDT"', '"s":"BTC\\u0055SDT"'),
    ok.replace('"s":"BTCUSDT"', '"s":"BTCÜSDT"'),
    ok.replace('"stream":"btcusdt@aggTrade"', '"stream":"btc\tusdt"'),
    ok.replace('"m":true}', '"m":true,"m":false}'),
    ok.replace('"m":true}', '"m":true,"generated":true}'),
    ok.replace('"m":true}', '"m":true,"k":{"t":1}}'),
    ok.replace('"m":true}', '"m":true,"b":[["1","2"]]}'),
    ok.replace('"m":true}', '"m":null}'),
    ok.replace('"e":"aggTrade"', '"e":"kline"'),
    ok.replace('"e":"aggTrade",', ''),
    ok.replace('"m":true', '"m":"true"').replace('"e":"aggTrade"', '"e":"aggtrade"'),
    ok.replace('"ts_recv":"1704067200065486729"', '"ts_recv":1704067200065486729'),
    ok.replace('{"stream":"btcusdt@aggTrade","data":', '{"data":').slice(0, -1),
    ok + '}',
    ok.slice(0, -1),
    ok.slice(0, -2),
    ` ${ok}`,
    `${ok} `,
  ];
  for (const m of misses) {
    assert.equal(parseFastLine(m), undefined, m);
    agrees(m);
  }
  // Taken, and read as JSON.parse reads them: other key orders, extra one-byte keys, the doc's "st".
  const taken = [
    ok.replace('"a":2100000000,"s":"BTCUSDT"', '"s":"BTCUSDT","a":2100000000'),
    ok.replace('"m":true}', '"m":true,"M":true,"st":1}'),
    ok.replace('"m":true', '"m":"true"'),
    ok.replace('"q":"1.102",', ''),
    `${ok}\r`,
    '{"e":"trade","E":1574381164089,"T":1574381164086,"s":"BTCUSDT","t":10934580,"p":"7627.60","q":"0.044","X":"MARKET","m":false}',
    '{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":400900217,"s":"BTCUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000","T":1568014460891,"E":1568014460893}}',
  ];
  for (const m of taken) assert.equal(agrees(m), false, m);
});

test('fast path: every byte position of strings and integers (the scanner reads them 4 bytes at a time): odd bytes anywhere are declined or read as JSON.parse reads them', () => {
  const odd = ['"', '\\', '\u0000', '\u001f', '\t', '\u007f', 'ü', '/', ':', '.', 'e', '-', ' ', '0'];
  for (let len = 0; len <= 21; len++) {
    const str = 'ABCDEFGHIJKLMNOPQRSTU'.slice(0, len), digits = '123456789012345678901'.slice(0, len);
    for (let at = 0; at <= len; at++) {
      for (const c of odd) {
        const s = str.slice(0, at) + c + str.slice(at + 1), d = digits.slice(0, at) + c + digits.slice(at + 1);
        agrees(`{"stream":"${s}","data":{"e":"aggTrade","s":"${s}","a":${d},"T":1}}`);
        agrees(`{"e":"trade","s":"BTCUSDT","x":"${s}","t":${d}}`);
      }
    }
    if (len > 0) assert.deepStrictEqual(parseFastLine(`{"e":"trade","s":"${str}","t":${digits.slice(0, Math.min(len, 16))}}`), JSON.parse(`{"e":"trade","s":"${str}","t":${digits.slice(0, Math.min(len, 16))}}`));
  }
});

/** A Binance payload of one of the fast path's events: its keys shuffled, some dropped or added, some values odd. */
const payload = fc.record({
  e: fc.constantFrom('aggTrade', 'trade', 'markPriceUpdate', 'bookTicker', 'depthUpdate', 'kline'),
  keys: fc.shuffledSubarray(['E', 'T', 's', 'a', 't', 'p', 'q', 'f', 'l', 'm', 'X', 'i', 'P', 'r', 'u', 'b', 'B', 'A', 'st', 'pu', 'M', 'ts'], { minLength: 3 }),
  num: int,
  str: text,
  odd: fc.constantFrom('1', 'true', 'false', 'null', '"x"', '[]', '{}', '1.5', '-1', '"\\n"'),
  oddAt: fc.nat(30),
  wrap: fc.constantFrom('', 'env', 'recv', 'both'),
}).map((o) => {
  const val = (k: string, i: number) => (i === o.oddAt ? o.odd : 'EaftluTM'.includes(k) || k === 'st' ? String(o.num + i) : k === 'm' ? String(i % 2 === 0) : JSON.stringify(k === 's' ? 'BTCUSDT' : i % 3 === 0 ? o.str : `${o.num % 100000}.${i}`));
  let v = `{"e":"${o.e}",${o.keys.map((k, i) => `"${k}":${val(k, i)}`).join(',')}}`;
  if (o.wrap === 'env' || o.wrap === 'both') v = `{"stream":"btcusdt@x","data":${v}}`;
  if (o.wrap === 'recv' || o.wrap === 'both') v = `{"ts_recv":"${1704067200000000000 + o.num}","msg":${v}}`;
  return v;
});

test('fast path: payloads of every fast event, in any key order, with extra or odd values, read as JSON.parse reads them, or declined', () => {
  let taken = 0;
  fc.assert(fc.property(payload, (l) => {
    if (!agrees(l)) taken++;
  }), { numRuns: 4000 });
  assert.ok(taken > 400, `fast path took ${taken} of 4000 lines`);
});

const view = (b: Buffer) => new DataView(b.buffer, b.byteOffset, b.byteLength);

test('fast path: receive times read as the clock reads them (TsColumn), or declined', () => {
  const units: TsUnit[] = ['s', 'ms', 'us', 'ns'];
  let taken = 0;
  fc.assert(fc.property(fc.constantFrom(...units), fc.oneof(fc.stringMatching(/^[0-9]{1,20}$/), fc.stringMatching(/^[1-9][0-9]{10,18}$/)), (unit, digits) => {
    const col = new TsColumn();
    col.unit = unit;
    const r = new FastRecv();
    r.setUnit(unit);
    const buf = Buffer.from(`"${digits}"`);
    // TsColumn's plain-integer path (its unit's digit count, no leading zero), within 64 bits
    const plain = digits[0] !== '0' && unitOfDigits(digits.length) === unit && digits.length < 20 && BigInt(digits) * UNIT_MULT[unit] < 1n << 64n;
    assert.equal(r.read(view(buf), buf, 1, 1 + digits.length), plain, `${unit} ${digits}`);
    if (!plain) return;
    taken++;
    const slow = col.parse(digits);
    assert.equal(typeof slow, 'bigint', digits);
    assert.equal(r.ns(), slow, `${unit} ${digits}`);
    assert.equal(r.day, Number((slow as bigint) / 86_400_000_000_000n), `${unit} ${digits} day`);
  }), { numRuns: 4000 });
  assert.ok(taken > 100, `took ${taken}`);
  const r = new FastRecv();
  r.setUnit('ns');
  for (const t of ['1704067200002456192', '9999999999999999999', '100000000000000000']) {
    assert.equal(r.read(view(Buffer.from(t)), Buffer.from(t), 0, t.length), true, t);
    assert.equal(r.ns(), BigInt(t));
  }
  for (const t of ['0704067200002456192', '17040672000024561920', '17040672000024561', '17040672000024561x']) assert.equal(r.read(view(Buffer.from(t)), Buffer.from(t), 0, t.length), false, t);
  r.setUnit('iso');
  assert.equal(r.read(view(Buffer.from('1704067200002456192')), Buffer.from('1704067200002456192'), 0, 19), false);
});

/** Builds `file` (in dir) for `types` with the fast path off and on: the same catalog bytes, reports and rejects. */
async function sameBothWays(dir: string, file: string, types: string[]): Promise<RunReport> {
  const run = async (fast: '0' | '1'): Promise<RunReport> => {
    const prev = process.env.CB_FAST_PATH;
    process.env.CB_FAST_PATH = fast;
    try {
      return await build(dir, Object.fromEntries(types.map((ty) => [ty, { file_path: file }])), { source: 'websocket', output: join(dir, `out-${file}-${fast}`) });
    } finally {
      if (prev === undefined) delete process.env.CB_FAST_PATH;
      else process.env.CB_FAST_PATH = prev;
    }
  };
  const slow = await run('0'), fast = await run('1');
  assert.equal(fast.ok, true, fast.errors.join('\n'));
  const strip = (r: RunReport) => ({
    files: r.files,
    days: r.days.map((d) => ({ ...d, file: d.file?.replace(/^.*\/data\//, '') })),
    totals: r.totals,
    errors: r.errors,
  });
  assert.deepEqual(strip(fast), strip(slow));
  assert.equal(fast.rejectsFile === undefined, slow.rejectsFile === undefined);
  if (fast.rejectsFile) assert.equal(await readFile(fast.rejectsFile, 'utf8'), await readFile(slow.rejectsFile!, 'utf8'));
  const names = await filesUnder(join(dir, `out-${file}-0`, 'data'));
  assert.deepEqual(await filesUnder(join(dir, `out-${file}-1`, 'data')), names);
  for (const f of names) assert.ok((await readFile(join(dir, `out-${file}-0`, 'data', f))).equals(await readFile(join(dir, `out-${file}-1`, 'data', f))), `${f} differs`);
  return fast;
}

/** The generated capture's lines, one markPriceUpdate in 100 kept. */
async function genLines(dir: string, trades: number): Promise<string[]> {
  await genBinanceCapture({ path: join(dir, 'gen.jsonl'), trades, start: '2024-01-01', days: 1, gzip: false });
  let m = 0;
  return (await readFile(join(dir, 'gen.jsonl'), 'utf8')).split('\n').filter((l) => l && (!l.includes('markPriceUpdate') || m++ % 100 === 0));
}

test('a capture read with the fast path on and off gives the same catalog, reports and rejects', async (t) => {
  const dir = await tempDir(t);
  const lines = await genLines(dir, 4000);
  const agg = lines.find((l) => l.includes('aggTrade'))!;
  const mark = lines.find((l) => l.includes('markPriceUpdate'))!;
  assert.notEqual(parseFastLine(agg), undefined, 'the generated capture takes the fast path');
  assert.notEqual(parseFastLine(mark), undefined, 'the generated capture takes the fast path');
  // Odd lines between plain ones: broken JSON, duplicates, other orders and shapes, bad values.
  const odd = [
    agg.slice(0, 90),
    agg,
    agg.replace('"m":true', '"m":"yes"').replace('"m":false', '"m":"yes"'),
    agg.replace(/"q":"[^"]*"/, '"q":"0"'),
    agg.replace(/"p":"[^"]*"/, '"p":"-5"'),
    agg.replace(/"p":"([^"]*)"/, '"p":"$1000000000001"'),
    agg.replace(/"a":(\d+),"s":"BTCUSDT"/, '"s":"BTCUSDT","a":$1'),
    agg.replace(/"ts_recv":"\d+"/, '"ts_recv":"later"'),
    agg.replace('"s":"BTCUSDT"', '"s":"ETHUSDT"'),
    agg.replace('"s":"BTCUSDT"', '"s":"btcusdt"'),
    agg.replace(/"T":\d+/, '"T":0'),
    agg.replace(/"T":\d+/, '"T":"1704067200062"'),
    agg.replace(/"a":\d+/, '"a":12345678901234567'),
    agg.replace(/"a":\d+/, '"a":1234567890123456'),
    agg.replace(/"ts_recv":"\d+"/, '"ts_recv":"1704067200065"'),
    agg.replace(/"ts_recv":"\d+"/, '"ts_recv":"2024-01-01T10:00:00Z"'),
    agg.replace('"e":"aggTrade"', '"e":"trade"').replace('"a":', '"t":'),
    ` ${agg}`,
    '',
    // Mark and funding from markPriceUpdate: delivery contracts (no rate, no next funding time), odd values.
    mark.replace(/"r":"[^"]*"/, '"r":""'),
    mark.replace(/"T":\d+/, '"T":0').replace(/"p":"[^"]*"/, '"p":"41000.5"'),
    mark.replace(/"p":"[^"]*"/, '"p":"abc"'),
    mark.replace(/"E":\d+/, '"E":"1704067200000"'),
    mark.replace(/"r":"[^"]*"/, '"r":"-0.00020000"').replace(/"p":"[^"]*"/, '"p":"41001.123456789"'),
    // mark prices rounded half up at the price precision, repeated (deduplicated), rounding to 0, too long
    `${mark}\n${mark}`,
    `${mark} \n${mark}\n ${mark}`,
    mark.replace(/"p":"[^"]*"/, '"p":"41001.125"'),
    mark.replace(/"p":"[^"]*"/, '"p":"41001.135"'),
    `${mark.replace(/"p":"[^"]*"/, '"p":"41001.134999"')}\n${mark.replace(/"p":"[^"]*"/, '"p":"41001.13"')}`,
    mark.replace(/"p":"[^"]*"/, '"p":"41001.9999999999"'),
    mark.replace(/"p":"[^"]*"/, '"p":"0.000001"'),
    mark.replace(/"p":"[^"]*"/, '"p":"0.0050"'),
    mark.replace(/"p":"[^"]*"/, '"p":"99999999999999999"'),
  ];
  const mixed = lines.flatMap((l, i) => (i % 50 === 25 ? [odd[(i / 50) % odd.length | 0]!, l] : [l]));
  // each odd line once more, well past the held first lines (read by the complete path either way)
  mixed.push(...odd);
  if (needShared(t)) {
    for (const f of ['binance-usdm_ws_raw_doc-examples.jsonl', 'binance-usdm_ws_combined_tardis-node-test-messages_2019-2021.jsonl']) {
      mixed.push(...(await readFile(join(SOURCES, f), 'utf8')).split('\n').filter(Boolean));
    }
  }
  await writeFile(join(dir, 'cap.jsonl'), mixed.join('\n') + '\n');
  const fast = await sameBothWays(dir, 'cap.jsonl', ['trades', 'mark', 'funding']);
  assert.ok(fast.totals.written > 4000 && fast.totals.rejected > 0, JSON.stringify(fast.totals));
});

test('captures of trade, bookTicker and markPrice messages in every wrapping, key order and line end (gzip, CRLF) give the same catalog with the fast path on and off', async (t) => {
  const dir = await tempDir(t);
  const lines = await genLines(dir, 6000);
  // A bookTicker after every other aggTrade (now and then crossed, zero or too precise), the
  // wrappers taken off some lines, keys reordered on others, CRLF on a few.
  const out: string[] = [];
  lines.forEach((l, i) => {
    const m = /"ts_recv":"(\d+)".*"T":(\d+),"m":(true|false)/.exec(l);
    const price = /"p":"([0-9.]+)"/.exec(l)![1]!;
    let line = l;
    if (i % 7 === 3) line = line.replace(/"a":(\d+),"s":"BTCUSDT","p":("[^"]*"),"q":("[^"]*")/, '"q":$3,"s":"BTCUSDT","p":$2,"a":$1');
    if (i % 5 === 1) line = JSON.stringify((JSON.parse(line) as { msg: unknown }).msg);
    else if (i % 11 === 2) line = JSON.stringify((JSON.parse(line) as { msg: { data: unknown } }).msg.data);
    out.push(i % 13 === 4 ? `${line}\r` : line);
    if (!m || i % 2) return;
    const ask = i % 97 === 0 ? (Number(price) - 1).toFixed(2) : i % 89 === 0 ? '0' : i % 83 === 0 ? `${price}00001` : (Number(price) + 0.1).toFixed(2);
    const book = `{"e":"bookTicker","u":${400900217 + i},"s":"BTCUSDT","b":"${price}","B":"${(i % 50) / 10 + 0.001}","a":"${ask}","A":"1.5","T":${m[2]},"E":${Number(m[2]) + 2}}`;
    out.push(i % 3 === 0 ? `{"ts_recv":"${m[1]}","msg":{"stream":"btcusdt@bookTicker","data":${book}}}` : book);
  });
  await writeFile(join(dir, 'cap.jsonl.gz'), gzipSync(out.join('\n') + '\n'));
  const fast = await sameBothWays(dir, 'cap.jsonl.gz', ['trades', 'mark', 'funding', 'quotes']);
  assert.ok(fast.totals.written > 8000 && fast.totals.rejected > 0, JSON.stringify(fast.totals));
  // The trade stream instead of aggTrade (ids t, X other than MARKET skipped), raw payloads.
  const trades = lines.filter((l) => l.includes('aggTrade')).map((l, i) => {
    const d = (JSON.parse(l) as { msg: { data: Record<string, unknown> } }).msg.data;
    const x = i % 61 === 5 ? 'INSURANCE_FUND' : 'MARKET';
    return `{"e":"trade","E":${d.E as number},"T":${d.T as number},"s":"BTCUSDT","t":${d.a as number},"p":"${d.p as string}","q":"${d.q as string}","X":"${x}","m":${d.m as boolean}}`;
  });
  await writeFile(join(dir, 'trade.jsonl'), trades.join('\n'));
  const tr = await sameBothWays(dir, 'trade.jsonl', ['trades']);
  assert.ok(tr.totals.written > 5000 && tr.totals.skipped > 0, JSON.stringify(tr.totals));
});
