// The own Parquet writer (engine/parquet/own) against parquet-wasm (parquet-rs), the reference: for
// the same blocks, its files read back (by arrow-rs through parquet-wasm, and by DuckDB's own reader)
// give the values of the parquet-wasm file, with the same schema, metadata and chunk statistics;
// the statistics, page indexes and CRCs pass verify's checks; a catalog built with it verifies.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { BlockBuilder, type Block } from '../../../engine/blocks/block.js';
import { TRADE, TRADE_TICK } from '../../../engine/datatypes/trade.js';
import { DELTA, ORDER_BOOK_DELTA } from '../../../engine/datatypes/delta.js';
import { dataTypeOf } from '../../../engine/datatypes/index.js';
import { fixedMode, writeRaw, type PrecisionMode } from '../../../engine/numbers/fixed.js';
import { encodeBlock, type EncodeSpec } from '../../../engine/parquet/encode.js';
import { CREATED_BY } from '../../../engine/parquet/own/writer.js';
import { readPageHeader, chunkStart } from '../../../engine/parquet/crc.js';
import { decodeStruct, type TStruct } from '../../../engine/parquet/thrift.js';
import { readParquetInfo } from '../../../engine/parquet/parquet.js';
import { checkFile } from '../../../engine/catalog/check-file.js';
import { verifyCatalog } from '../../../engine/catalog/verify.js';
import { genTardisBookL2, genTardisTrades } from '../../../scripts/gen-data.js';
import { build, filesUnder, hex, readRows, tempDir } from '../../helpers.js';

interface Trade { ts: bigint; price: bigint; size: bigint; side: number; id: string }

function tradeBlock(mode: PrecisionMode, rows: Trade[]): Block {
  const fm = fixedMode(mode);
  const b = new BlockBuilder(TRADE_TICK.layout(fm), 16);
  for (const r of rows) {
    const i = b.add(r.ts);
    b.views[TRADE.tsEvent]!.setBigUint64(i * 8, r.ts, true);
    writeRaw(b.views[TRADE.price]!, i * fm.W, r.price, fm.W as 8 | 16);
    writeRaw(b.views[TRADE.size]!, i * fm.W, r.size, fm.W as 8 | 16);
    b.fixed[TRADE.side]![i] = r.side;
    b.setVar(TRADE.id, i, r.id);
  }
  return b.take();
}

/** A small deterministic generator (no Math.random: failures must repeat). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function encodeWith(writer: 'own' | 'wasm', spec: EncodeSpec, block: Block): Uint8Array {
  const before = process.env.CB_PARQUET_WRITER;
  process.env.CB_PARQUET_WRITER = writer;
  try {
    return encodeBlock(spec, block);
  } finally {
    if (before === undefined) delete process.env.CB_PARQUET_WRITER;
    else process.env.CB_PARQUET_WRITER = before;
  }
}

function footerOf(file: Uint8Array): TStruct {
  const b = Buffer.from(file);
  const len = b.readUInt32LE(b.length - 8);
  return decodeStruct(b.subarray(b.length - 8 - len, b.length - 8));
}

/** Per column: its pages (headers with CRCs, and bodies) as bytes. */
function chunkBytes(file: Uint8Array): string[] {
  const out: string[] = [];
  for (const rg of footerOf(file).list(4)!.items as TStruct[]) {
    for (const cc of rg.list(1)!.items as TStruct[]) {
      const md = cc.struct(3)!;
      const start = chunkStart(md);
      out.push(hex(file.subarray(start, start + Number(md.i64(7)!))));
    }
  }
  return out;
}

/** Per column: path, chunk statistics (null count, max, min) and whether every page header has a CRC. */
function chunkFacts(file: Uint8Array): { column: string; stats: string; crcs: boolean }[] {
  const out: { column: string; stats: string; crcs: boolean }[] = [];
  for (const rg of footerOf(file).list(4)!.items as TStruct[]) {
    for (const cc of rg.list(1)!.items as TStruct[]) {
      const md = cc.struct(3)!;
      const st = md.struct(12)!;
      let crcs = true;
      for (let p = chunkStart(md), end = p + Number(md.i64(7)!); p < end;) {
        const h = readPageHeader(file, p);
        if (typeof h.header.get(4) !== 'number') crcs = false;
        p += h.len + h.size;
      }
      const column = Buffer.from((md.list(3)!.items as Uint8Array[])[0]!).toString();
      // parquet-rs cuts byte-array statistics at 64 bytes (flagged inexact); the own writer keeps them whole.
      const exact = st.get(7) !== false && st.get(8) !== false;
      out.push({ column, stats: exact ? `${st.get(3)} ${hex(st.get(5) as Uint8Array)} ${hex(st.get(6) as Uint8Array)}` : 'truncated', crcs });
    }
  }
  return out;
}

/** Rows as DuckDB reads them, in file order: binaries as hex, every value as text. */
async function duckRows(path: string, columns: string[]): Promise<Record<string, string>[]> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await db.connect();
  try {
    const cols = columns.map((n) => (n === 'price' || n === 'size' ? `hex(${n}) AS ${n}` : n)).join(', ');
    const r = await c.runAndReadAll(`SELECT ${cols} FROM read_parquet('${path.replace(/'/g, "''")}', file_row_number = true) ORDER BY file_row_number`);
    return r.getRowObjects().map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)])));
  } finally {
    c.closeSync();
  }
}

/** A row as arrow-rs read it, in DuckDB's text form. */
const asText = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v instanceof Uint8Array ? hex(v).toUpperCase() : String(v)]));

/** Both writers on the same trade block; the own file must read back as the reference file does. */
async function assertSameAsWasm(t: TestContext, mode: PrecisionMode, rows: Trade[]): Promise<Uint8Array> {
  return assertBlockSameAsWasm(t, 'trades', mode, tradeBlock(mode, rows));
}

async function assertBlockSameAsWasm(t: TestContext, type: 'trades' | 'deltas', mode: PrecisionMode, block: Block): Promise<Uint8Array> {
  const dir = await tempDir(t);
  const metadata = [...dataTypeOf(type).metadata({ instrumentId: 'BTCUSDT-PERP.BINANCE', pricePrecision: 2, sizePrecision: 3 })];
  const spec: EncodeSpec = { type, mode, metadata, codec: 'zstd', rowGroupSize: 1_000_000 };
  const ref = encodeWith('wasm', spec, block), own = encodeWith('own', spec, block);
  const refPath = join(dir, 'ref.parquet'), ownPath = join(dir, 'own.parquet');
  await writeFile(refPath, ref);
  await writeFile(ownPath, own);
  assert.equal(Buffer.from(footerOf(own).get(6) as Uint8Array).toString(), CREATED_BY, 'the own writer wrote the file');
  const want = await readRows(refPath);
  assert.equal(want.length, block.n);
  assert.deepEqual(await readRows(ownPath), want, 'arrow-rs reads the values of the reference file');
  const duck = await duckRows(ownPath, Object.keys(want[0]!));
  assert.equal(duck.length, want.length);
  duck.forEach((d, i) => assert.deepEqual(d, asText(want[i]!), `DuckDB row ${i}`));
  const [ri, oi] = [await readParquetInfo(refPath), await readParquetInfo(ownPath)];
  // parquet-rs keeps both in hash maps: their order is not the file's content.
  const sorted = (m: Map<string, string>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  assert.deepEqual(sorted(oi.keyValue), sorted(ri.keyValue), 'footer key/value pairs');
  assert.equal(oi.schema.toString(), ri.schema.toString(), 'Arrow schema (ARROW:schema)');
  assert.deepEqual(sorted(oi.schema.metadata), sorted(ri.schema.metadata), 'Arrow schema metadata');
  const facts = chunkFacts(own), refFacts = chunkFacts(ref);
  assert.deepEqual(facts.map((f) => f.column), refFacts.map((f) => f.column), 'columns');
  refFacts.forEach((r, i) => r.stats === 'truncated' || assert.equal(facts[i]!.stats, r.stats, `${r.column}: chunk statistics`));
  assert.ok(facts.every((f) => f.crcs), 'every page has a CRC');
  // Same encodings, page splits, dictionaries, bit widths and zstd output as parquet-rs: the same bytes.
  const [ob, rb] = [chunkBytes(own), chunkBytes(ref)];
  facts.forEach((f, i) => assert.ok(ob[i] === rb[i], `${f.column}: pages differ from parquet-rs's (${ob[i]!.length / 2} vs ${rb[i]!.length / 2} bytes)`));
  const check = await checkFile({ path: ownPath, where: 'own.parquet', type: dataTypeOf(type).folder, start: null, end: null });
  assert.deepEqual(check.errors.filter((e) => /statistics|CRC|column index|cannot be read|footer/.test(e)), [], 'statistics, page indexes and CRCs hold');
  return own;
}

function randomTrades(n: number, seed: number, o: { prices?: number; start?: bigint } = {}): Trade[] {
  const r = rng(seed);
  let ts = o.start ?? 1_704_067_200_000_000_000n;
  const out: Trade[] = [];
  for (let i = 0; i < n; i++) {
    ts += BigInt(r() % 5_000_000);
    const price = 4_200_000n + BigInt(r() % (o.prices ?? 700)) - 300n;
    out.push({ ts, price: price * 10n ** 14n, size: BigInt(1 + (r() % 9000)) * 10n ** 13n, side: 1 + (r() % 2), id: String(3_500_000_000 + i) });
  }
  return out;
}

for (const mode of [128, 64] as const) {
  const s = fixedMode(mode).F;
  test(`${mode}-bit: random trades over several pages read back as parquet-wasm's`, async (t) => {
    const rows = randomTrades(150_000, 1).map((x) => ({ ...x, price: (x.price / 10n ** 14n) * 10n ** BigInt(s - 2), size: (x.size / 10n ** 13n) * 10n ** BigInt(s - 3) }));
    await assertSameAsWasm(t, mode, rows);
  });

  test(`${mode}-bit: one row; all prices equal (one dictionary entry, zero-bit indices); negative prices`, async (t) => {
    await assertSameAsWasm(t, mode, [{ ts: 1n, price: -5n, size: 0n, side: 0, id: 'x' }]);
    const rows = randomTrades(70_000, 2).map((x, i) => ({ ...x, price: 123n, size: i % 3 === 0 ? 7n : 9n, side: 2 }));
    await assertSameAsWasm(t, mode, rows);
    await assertSameAsWasm(t, mode, randomTrades(1000, 3).map((x, i) => ({ ...x, price: i % 2 ? -x.price : x.price })));
  });

  test(`${mode}-bit: a dictionary of 1 MB falls back to DELTA_BYTE_ARRAY pages`, async (t) => {
    // Unique prices: the dictionary reaches 1 MB after a page, the pages after it are DELTA_BYTE_ARRAY (parquet-rs's fallback).
    const n = mode === 128 ? 140_000 : 270_000;
    const rows = randomTrades(n, 4).map((x, i) => ({ ...x, price: BigInt(i) * 7919n - 10n ** 12n }));
    const own = await assertSameAsWasm(t, mode, rows);
    const price = ((footerOf(own).list(4)!.items[0] as TStruct).list(1)!.items[0] as TStruct).struct(3)!;
    assert.deepEqual(price.list(2)!.items, [0, 3, 7, 8], 'PLAIN (dictionary), RLE, DELTA_BYTE_ARRAY and RLE_DICTIONARY pages');
  });
}

test('extreme timestamps (wrapping deltas), unsorted times, empty and long trade ids', async (t) => {
  const max = 2n ** 64n - 1n;
  const times = [max, 0n, 2n ** 63n, 2n ** 63n - 1n, 1n, max - 5n, 0n, 123_456_789n];
  const rows: Trade[] = [];
  for (let i = 0; i < 1000; i++) {
    const id = i % 7 === 0 ? '' : i % 11 === 0 ? 'é'.repeat(40) + String(i) : `id-${i % 13}-${i}`;
    rows.push({ ts: times[i % times.length]! + BigInt(i), price: BigInt(i % 5), size: BigInt(i), side: i % 3, id });
  }
  await assertSameAsWasm(t, 128, rows.map((r) => ({ ...r, ts: r.ts > max ? r.ts - max - 1n : r.ts })));
});

test('a catalog built with CB_PARQUET_WRITER=own verifies and reads back as the parquet-wasm catalog', async (t) => {
  const dir = await tempDir(t);
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows: 250_000, start: '2024-01-01', days: 2 });
  const before = process.env.CB_PARQUET_WRITER;
  t.after(() => (before === undefined ? delete process.env.CB_PARQUET_WRITER : (process.env.CB_PARQUET_WRITER = before)));
  const files: Record<string, string[]> = {};
  for (const writer of ['wasm', 'own'] as const) {
    process.env.CB_PARQUET_WRITER = writer;
    const report = await build(dir, { trades: { file_path: 'trades.csv.gz' } }, { end: '2024-01-02', output: join(dir, writer) });
    assert.equal(report.ok, true, report.errors.join('\n'));
    const v = await verifyCatalog(join(dir, writer));
    assert.equal(v.ok, true, v.errors.join('\n'));
    const root = join(dir, writer, 'data', 'trade_tick');
    files[writer] = (await filesUnder(root)).map((f) => join(root, f));
  }
  assert.equal(files.own!.length, 2);
  for (let i = 0; i < files.own!.length; i++) {
    const own = await readFile(files.own![i]!);
    assert.equal(Buffer.from(footerOf(own).get(6) as Uint8Array).toString(), CREATED_BY);
    assert.ok((footerOf(own).list(4)!.items.length) > 1, 'several row groups joined');
    assert.deepEqual(await readRows(files.own![i]!), await readRows(files.wasm![i]!));
  }
});

/** Order-book deltas: one-byte action, side and flags; u64 order ids and sequences (dictionary, then DELTA_BINARY_PACKED from 1 MB on). */
function deltaBlock(mode: PrecisionMode, n: number, seed: number, o: { uniqueSeq?: boolean } = {}): Block {
  const fm = fixedMode(mode);
  const b = new BlockBuilder(ORDER_BOOK_DELTA.layout(fm), 16);
  const r = rng(seed);
  let ts = 1_704_067_200_000_000_000n;
  for (let i = 0; i < n; i++) {
    ts += BigInt(r() % 3_000_000);
    const k = b.add(ts + 1000n);
    b.views[DELTA.tsEvent]!.setBigUint64(k * 8, ts, true);
    const action = i % 50 === 0 ? 4 : 1 + (r() % 3);
    b.fixed[DELTA.action]![k] = action;
    b.fixed[DELTA.side]![k] = action === 4 ? 0 : 1 + (r() % 2);
    writeRaw(b.views[DELTA.price]!, k * fm.W, BigInt(4_200_000 + (r() % 4000)) * 10n ** BigInt(fm.F - 2), fm.W as 8 | 16);
    writeRaw(b.views[DELTA.size]!, k * fm.W, BigInt(r() % 100_000) * 10n ** BigInt(fm.F - 3), fm.W as 8 | 16);
    b.views[DELTA.orderId]!.setBigUint64(k * 8, BigInt(r() % 3), true);
    b.fixed[DELTA.flags]![k] = i % 7 === 0 ? 128 : i % 50 === 0 ? 32 : 0;
    b.views[DELTA.sequence]!.setBigUint64(k * 8, o.uniqueSeq ? 2n ** 40n + BigInt(i) * 3n : BigInt(i % 5), true);
  }
  return b.take();
}

for (const mode of [128, 64] as const) {
  test(`${mode}-bit order-book deltas read back as parquet-wasm's`, async (t) => {
    await assertBlockSameAsWasm(t, 'deltas', mode, deltaBlock(mode, 1, 5));
    await assertBlockSameAsWasm(t, 'deltas', mode, deltaBlock(mode, 100_000, 6));
  });
}

test('order-book deltas: unique sequences reach the dictionary limit and fall back to DELTA_BINARY_PACKED', async (t) => {
  const own = await assertBlockSameAsWasm(t, 'deltas', 128, deltaBlock(128, 200_000, 7, { uniqueSeq: true }));
  const seq = ((footerOf(own).list(4)!.items[0] as TStruct).list(1)!.items[6] as TStruct).struct(3)!;
  assert.equal(Buffer.from((seq.list(3)!.items as Uint8Array[])[0]!).toString(), 'sequence');
  assert.deepEqual(seq.list(2)!.items, [0, 3, 5, 8], 'PLAIN (dictionary), RLE, DELTA_BINARY_PACKED and RLE_DICTIONARY pages');
});

test('an order-book catalog built with CB_PARQUET_WRITER=own verifies and reads back as the parquet-wasm catalog', async (t) => {
  const dir = await tempDir(t);
  await genTardisBookL2({ path: join(dir, 'book.csv.gz'), rows: 150_000, start: '2024-01-01', days: 1 });
  const before = process.env.CB_PARQUET_WRITER;
  t.after(() => (before === undefined ? delete process.env.CB_PARQUET_WRITER : (process.env.CB_PARQUET_WRITER = before)));
  const files: Record<string, string> = {};
  for (const writer of ['wasm', 'own'] as const) {
    process.env.CB_PARQUET_WRITER = writer;
    const report = await build(dir, { deltas: { file_path: 'book.csv.gz' } }, { output: join(dir, writer), pricePrecision: 1, sizePrecision: 3 });
    assert.equal(report.ok, true, report.errors.join('\n'));
    const v = await verifyCatalog(join(dir, writer));
    assert.equal(v.ok, true, v.errors.join('\n'));
    const root = join(dir, writer, 'data', 'order_book_deltas');
    const found = await filesUnder(root);
    assert.equal(found.length, 1);
    files[writer] = join(root, found[0]!);
  }
  const own = await readFile(files.own!);
  assert.equal(Buffer.from(footerOf(own).get(6) as Uint8Array).toString(), CREATED_BY);
  assert.deepEqual(await readRows(files.own!), await readRows(files.wasm!));
});
