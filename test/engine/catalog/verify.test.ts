// verifyCatalog and the CLI `verify`: a catalog the engine just built passes; each classic mistake
// (spec §2-3, §4, §6, §8.3) is reported with the file and the problem.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { BlockBuilder } from '../../../engine/blocks/block.js';
import { fixedMode, writeRaw } from '../../../engine/numbers/fixed.js';
import { StreamingParquetWriter } from '../../../engine/parquet/parquet.js';
import { dayInterval, fileName, nsToIso } from '../../../engine/catalog/paths.js';
import { TRADE, TRADE_TICK } from '../../../engine/datatypes/index.js';
import { verifyCatalog, type VerifyResult } from '../../../engine/catalog/verify.js';
import { genTardisTicker, genTardisTrades } from '../../../scripts/gen-data.js';
import { ROOT, build, readRows, tempDir } from '../../helpers.js';

const INSTRUMENT = 'BTCUSDT-PERP.BINANCE';
const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03'];
const dayFile = (day: string) => fileName(dayInterval(day).start, dayInterval(day).end);

/** Synthetic trades and derivative_ticker for four days (the fourth is used for extra files). */
async function sources(dir: string): Promise<Record<string, unknown>> {
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows: 6000, start: '2024-01-01', days: 4, seed: 11 });
  await genTardisTicker({ path: join(dir, 'ticker.csv'), start: '2024-01-01', days: 4, everySec: 600, seed: 5 });
  return { trades: { file_path: 'trades.csv.gz' }, mark: { file_path: 'ticker.csv' }, funding: { file_path: 'ticker.csv' } };
}

interface Built {
  dir: string;
  files: Record<string, unknown>;
  catalog: string;
  tradeDir: string;
}

/** A fresh catalog for days 1-3, trades + mark + funding, 128-bit. */
async function freshCatalog(t: TestContext): Promise<Built> {
  const dir = await tempDir(t);
  const files = await sources(dir);
  const report = await build(dir, files, { start: DAYS[0], end: DAYS.at(-1) });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const catalog = join(dir, 'catalog');
  return { dir, files, catalog, tradeDir: join(catalog, 'data', 'trade_tick', INSTRUMENT) };
}

/** Builds only trades of `day` into a side catalog and returns that day's file. */
async function sideTradeFile(b: Built, name: string, day: string, job: Record<string, unknown> = {}): Promise<string> {
  const output = join(b.dir, name);
  const report = await build(b.dir, { trades: b.files.trades }, { start: day, end: day, output, ...job });
  assert.equal(report.ok, true, report.errors.join('\n'));
  return join(output, 'data', 'trade_tick', INSTRUMENT, dayFile(day));
}

function assertRejected(v: VerifyResult, file: string, problem: RegExp): void {
  assert.equal(v.ok, false, 'the catalog must be rejected');
  const hit = v.errors.find((e) => e.includes(file) && problem.test(e));
  assert.ok(hit, `expected an error naming ${file} and matching ${problem}; got:\n${v.errors.join('\n')}`);
}

test('a catalog the engine just built verifies clean, with a summary matching the files', async (t) => {
  const b = await freshCatalog(t);
  const v = await verifyCatalog(b.catalog);
  assert.deepEqual(v.errors, []);
  assert.equal(v.ok, true);
  const types = v.summary.map((s) => `${s.type}/${s.identifier}`).sort();
  assert.deepEqual(types, ['crypto_perpetual', 'funding_rate_update', 'mark_price_update', 'trade_tick'].map((x) => `${x}/${INSTRUMENT}`));
  for (const s of v.summary) {
    const dir = join(b.catalog, 'data', s.type, s.identifier);
    const names = (await readdir(dir)).filter((n) => n.endsWith('.parquet'));
    assert.equal(s.files, names.length, s.type);
    if (s.type !== 'crypto_perpetual') assert.deepEqual(names.sort(), DAYS.map(dayFile), s.type);
    let rows = 0;
    for (const n of names) rows += (await readRows(join(dir, n))).length;
    assert.equal(s.rows, rows, s.type);
    assert.ok(rows > 0, s.type);
  }
  const trades = v.summary.find((s) => s.type === 'trade_tick')!;
  assert.equal(trades.precisionBits, 128);
});

test('a file not named <start>_<end>.parquet (part-0.parquet) is rejected', async (t) => {
  const b = await freshCatalog(t);
  await rename(join(b.tradeDir, dayFile('2024-01-02')), join(b.tradeDir, 'part-0.parquet'));
  const v = await verifyCatalog(b.catalog);
  assertRejected(v, `trade_tick/${INSTRUMENT}/part-0.parquet`, /file name is not <start>_<end>\.parquet/);
  // Besides the name: the file catalog-builder wrote under the old name is gone (manifest).
  const gone = `data/trade_tick/${INSTRUMENT}/${dayFile('2024-01-02')}: missing; catalog-builder wrote it`;
  for (const e of v.errors) if (!e.startsWith(gone)) assert.match(e, /part-0\.parquet/, 'no other error expected');
  assert.ok(v.errors.some((e) => e.startsWith(gone)), v.errors.join('\n'));
});

test('a second file whose interval overlaps a day (shared end point) is rejected', async (t) => {
  const b = await freshCatalog(t);
  // Day 4's rows, named from the last nanosecond of day 3: every row lies inside the name's
  // interval, and the only fault is the end point shared with the day-3 file.
  const src = await sideTradeFile(b, 'side', '2024-01-04');
  const overlapping = fileName(dayInterval('2024-01-03').end, dayInterval('2024-01-04').end);
  await copyFile(src, join(b.tradeDir, overlapping));
  const v = await verifyCatalog(b.catalog);
  assertRejected(v, overlapping, /overlap/);
  const hit = v.errors.find((e) => e.includes(overlapping))!;
  assert.ok(hit.includes(dayFile('2024-01-03')), `the message names the day-3 file too: ${hit}`);
  assert.equal(v.errors.length, 1, v.errors.join('\n'));
});

test('a file whose rows are not sorted by ts_init is rejected', async (t) => {
  const b = await freshCatalog(t);
  // Written with the engine's own writer: valid schema and metadata, rows in descending ts_init.
  const fm = fixedMode(128);
  const schema = TRADE_TICK.schema(fm, { instrumentId: INSTRUMENT, pricePrecision: 2, sizePrecision: 3 });
  const layout = TRADE_TICK.layout(fm);
  const bb = new BlockBuilder(layout, 16);
  const iv = dayInterval('2024-01-05');
  const n = 50;
  for (let k = 0; k < n; k++) {
    const ts = iv.start + BigInt(n - k) * 1_000_000_000n; // descending
    const i = bb.add(ts);
    bb.views[TRADE.tsEvent]!.setBigUint64(i * 8, ts - 1_000_000n, true);
    writeRaw(bb.views[TRADE.price]!, i * fm.W, BigInt(4_200_010 + k * 10) * 10n ** 14n, fm.W); // 42000.10 + k*0.1
    writeRaw(bb.views[TRADE.size]!, i * fm.W, BigInt(1 + k) * 10n ** 13n, fm.W); // (1+k) * 0.001
    bb.fixed[TRADE.side]![i] = 1 + (k % 2);
    bb.setVar(TRADE.id, i, String(900_000 + k));
  }
  const name = dayFile('2024-01-05');
  const w = new StreamingParquetWriter(join(b.tradeDir, name), { codec: 'zstd', rowGroupSize: 1000, keyValue: schema.metadata });
  await w.write(TRADE_TICK.toBatch(fm, schema, bb.take()));
  await w.close();
  const rows = await readRows(join(b.tradeDir, name));
  assert.equal(rows.length, n);
  assert.ok((rows[0]!.ts_init as bigint) > (rows[1]!.ts_init as bigint), 'the file really is unsorted');

  const v = await verifyCatalog(b.catalog);
  assertRejected(v, name, /not sorted by ts_init/);
  assert.equal(v.errors.length, 1, v.errors.join('\n'));
});

test('a 64-bit file in a 128-bit folder is rejected', async (t) => {
  const b = await freshCatalog(t);
  // Same data, 64-bit, for a day the 128-bit catalog does not hold: only the width differs.
  const src = await sideTradeFile(b, 'catalog64', '2024-01-04', { precisionMode: 64 });
  const name = dayFile('2024-01-04');
  await copyFile(src, join(b.tradeDir, name));
  const v = await verifyCatalog(b.catalog);
  assertRejected(v, name, /mixes 64-bit and 128-bit/);
  const hit = v.errors.find((e) => e.includes('mixes 64-bit and 128-bit'))!;
  assert.match(hit, new RegExp(`${name.replace(/\./g, '\\.')}: 64-bit`));
  assert.match(hit, /: 128-bit/);
  assert.equal(v.errors.length, 1, v.errors.join('\n'));
});

test("a data file whose price_precision differs from the instrument's is rejected", async (t) => {
  const b = await freshCatalog(t);
  // Day 2 built again with price precision 3 (the instrument says 2), replacing the day-2 file.
  const src = await sideTradeFile(b, 'p3', '2024-01-02', { pricePrecision: 3 });
  const name = dayFile('2024-01-02');
  await copyFile(src, join(b.tradeDir, name));
  const v = await verifyCatalog(b.catalog);
  assertRejected(v, name, /price_precision 3 differs from the instrument's 2/);
  for (const e of v.errors) assert.ok(e.includes(name), `every error is about the replaced file: ${e}`);
});

test('a data file directly in data/trade_tick/ (no identifier folder) is rejected', async (t) => {
  const b = await freshCatalog(t);
  const name = dayFile('2024-01-02');
  await copyFile(join(b.tradeDir, name), join(b.catalog, 'data', 'trade_tick', name));
  const v = await verifyCatalog(b.catalog);
  assertRejected(v, `data/trade_tick/${name}`, /must sit in an identifier folder/);
  assert.equal(v.errors.length, 1, v.errors.join('\n'));
});

test('a path without a data/ folder is not a catalog', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'trade_tick', INSTRUMENT), { recursive: true });
  const v = await verifyCatalog(dir);
  assertRejected(v, join(dir, 'data'), /no data\/ folder/);
  assert.deepEqual(v.summary, []);
});

const run = promisify(execFile);

async function cliVerify(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin', 'catalog-builder.mjs'), 'verify', dir], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout: string; stderr: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('CLI verify: exit 0 and a per-type summary on a good catalog, exit 1 on a bad one', async (t) => {
  const b = await freshCatalog(t);
  const good = await cliVerify(b.catalog);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  for (const type of ['trade_tick', 'mark_price_update', 'funding_rate_update', 'crypto_perpetual']) {
    const dir = join(b.catalog, 'data', type, INSTRUMENT);
    const names = (await readdir(dir)).filter((n) => n.endsWith('.parquet'));
    const ts: bigint[] = [];
    for (const n of names) for (const r of await readRows(join(dir, n))) ts.push(r.ts_init as bigint);
    const first = ts.reduce((a, x) => (x < a ? x : a));
    const last = ts.reduce((a, x) => (x > a ? x : a));
    const line = good.stdout.split('\n').find((l) => l.trim().startsWith(`${type}/${INSTRUMENT}:`));
    assert.ok(line, `no summary line for ${type} in:\n${good.stdout}`);
    assert.ok(line.includes(`${names.length} file(s)`), line);
    assert.ok(line.includes(`${ts.length} rows`), line);
    assert.ok(line.includes(`${nsToIso(first)} .. ${nsToIso(last)}`), line);
  }
  assert.match(good.stdout, /^OK/m);

  await rename(join(b.tradeDir, dayFile('2024-01-01')), join(b.tradeDir, 'part-0.parquet'));
  const bad = await cliVerify(b.catalog);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /ERROR: .*part-0\.parquet: file name is not/);
  assert.match(bad.stdout, /^FAILED/m);

  const empty = await tempDir(t);
  const none = await cliVerify(empty);
  assert.equal(none.code, 1);
  assert.match(none.stdout, /no data\/ folder/);
});
