// The JSONL fast path (engine/sources/websocket/fast.ts) must give exactly what JSON.parse gives,
// or nothing: on valid lines of its shape, on near misses, on random mutations of them, and end to
// end (the same catalog, reports and rejects with the fast path off and on).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RunReport } from '../../../shared/report.js';
import { parseFastLine } from '../../../engine/sources/websocket/fast.js';
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
  // Most of these lines are plain (no escapes): the fast path must actually take them.
  assert.ok(taken > 1500, `fast path took ${taken} of 3000 lines`);
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

test('fast path: near misses are declined (leading zeros, signs, fractions in integers, whitespace, escapes, extra or missing keys, other key order, unbalanced braces)', () => {
  const ok = '{"ts_recv":"1704067200065486729","msg":{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1704067200065,"a":2100000000,"s":"BTCUSDT","p":"41998.30","q":"1.102","f":4200000000,"l":4200000001,"T":1704067200062,"m":true}}}';
  assert.deepStrictEqual(parseFastLine(ok), JSON.parse(ok));
  const misses = [
    ok.replace('"E":1704067200065', '"E":01704067200065'),
    ok.replace('"a":2100000000', '"a":-2100000000'),
    ok.replace('"f":4200000000', '"f":4200000000.0'),
    ok.replace('"T":1704067200062', '"T":1.704067200062e12'),
    ok.replace('"l":4200000001', '"l":42000000011234567'),
    ok.replace('"s":"BTCUSDT"', '"s": "BTCUSDT"'),
    ok.replace('"s":"BTCUSDT"', '"s":"BTC\\u0055SDT"'),
    ok.replace('"m":true}', '"m":true,"M":true}'),
    ok.replace('"q":"1.102",', ''),
    ok.replace('"a":2100000000,"s":"BTCUSDT"', '"s":"BTCUSDT","a":2100000000'),
    ok.replace('"m":true', '"m":"true"'),
    ok.replace('"ts_recv":"1704067200065486729"', '"ts_recv":1704067200065486729'),
    ok + '}',
    ok.slice(0, -1),
    ok.slice(0, -2),
    ` ${ok}`,
  ];
  for (const m of misses) {
    assert.equal(parseFastLine(m), undefined, m);
    agrees(m);
  }
});

test('a capture read with the fast path on and off gives the same catalog, reports and rejects', async (t) => {
  const dir = await tempDir(t);
  await genBinanceCapture({ path: join(dir, 'gen.jsonl'), trades: 4000, start: '2024-01-01', days: 1, gzip: false });
  let m = 0;
  const lines = (await readFile(join(dir, 'gen.jsonl'), 'utf8')).split('\n').filter((l) => l && (!l.includes('markPriceUpdate') || m++ % 100 === 0));
  const agg = lines.find((l) => l.includes('aggTrade'))!;
  assert.notEqual(parseFastLine(agg), undefined, 'the generated capture takes the fast path');
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
    agg.replace(/"T":\d+/, '"T":0'),
  ];
  const mixed = lines.flatMap((l, i) => (i % 50 === 25 ? [odd[(i / 50) % odd.length | 0]!, l] : [l]));
  if (needShared(t)) {
    for (const f of ['binance-usdm_ws_raw_doc-examples.jsonl', 'binance-usdm_ws_combined_tardis-node-test-messages_2019-2021.jsonl']) {
      mixed.push(...(await readFile(join(SOURCES, f), 'utf8')).split('\n').filter(Boolean));
    }
  }
  await writeFile(join(dir, 'cap.jsonl'), mixed.join('\n') + '\n');

  const run = async (fast: '0' | '1'): Promise<RunReport> => {
    const prev = process.env.CB_FAST_PATH;
    process.env.CB_FAST_PATH = fast;
    try {
      return await build(dir, { trades: { file_path: 'cap.jsonl' }, mark: { file_path: 'cap.jsonl' }, funding: { file_path: 'cap.jsonl' } }, { source: 'websocket', output: join(dir, `out-${fast}`) });
    } finally {
      if (prev === undefined) delete process.env.CB_FAST_PATH;
      else process.env.CB_FAST_PATH = prev;
    }
  };
  const slow = await run('0'), fast = await run('1');
  assert.equal(fast.ok, true, fast.errors.join('\n'));
  assert.ok(fast.totals.written > 4000 && fast.totals.rejected > 0, JSON.stringify(fast.totals));
  const strip = (r: RunReport) => ({
    files: r.files,
    days: r.days.map((d) => ({ ...d, file: d.file?.replace(/^.*\/data\//, '') })),
    totals: r.totals,
    errors: r.errors,
  });
  assert.deepEqual(strip(fast), strip(slow));
  assert.equal(await readFile(fast.rejectsFile!, 'utf8'), await readFile(slow.rejectsFile!, 'utf8'));
  const names = await filesUnder(join(dir, 'out-0', 'data'));
  assert.deepEqual(await filesUnder(join(dir, 'out-1', 'data')), names);
  for (const f of names) assert.ok((await readFile(join(dir, 'out-0', 'data', f))).equals(await readFile(join(dir, 'out-1', 'data', f))), `${f} differs`);
});
