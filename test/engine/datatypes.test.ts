// The data type registry (engine/datatypes/): each module's encoder and decoder are inverses, its
// schema is what verify expects of its folder, and every folder belongs to one module.
import { INSTRUMENT_FOLDERS } from '../../shared/report.js';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import * as A from 'apache-arrow';
import { DATA_TYPES, type DataType } from '../../shared/job.js';
import { BlockBuilder, sliceBlock, type Block } from '../../engine/blocks/block.js';
import { fixedMode, writeRaw, type FixedMode } from '../../engine/numbers/fixed.js';
import { encodeBlock } from '../../engine/parquet/encode.js';
import { readParquetBatches } from '../../engine/parquet/parquet.js';
import { build, readRows, tempDir } from '../helpers.js';
import {
  DELTA, DEPTH, BAR, DATA_TYPE_MODULES, INSTRUMENT_MODULES, FOLDER_SPECS, FUNDING, FUNDING_HAS_INTERVAL, FUNDING_HAS_NEXT, MARK, QUOTE, TRADE, TYPE_FOLDER,
  dataTypeOf, folderSpecOf, type FolderSpec, type TypeMeta,
} from '../../engine/datatypes/index.js';

const META: TypeMeta = { instrumentId: 'BTCUSDT-PERP.BINANCE', pricePrecision: 2, sizePrecision: 3, barType: 'BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL' };
const MODES = [fixedMode(128), fixedMode(64)];

/** A small deterministic generator (xorshift), so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

/** Writes row i of each type as the normaliser would: any fixed-point bytes, valid optional values. */
const FILL: Record<DataType, (b: BlockBuilder, i: number, fm: FixedMode, r: () => number) => void> = {
  trades: (b, i, fm, r) => {
    b.views[TRADE.tsEvent]!.setBigUint64(i * 8, BigInt(r()) << 20n, true);
    writeRaw(b.views[TRADE.price]!, i * fm.W, BigInt(r()) * 10n ** 9n - 5n * 10n ** 17n, fm.W);
    writeRaw(b.views[TRADE.size]!, i * fm.W, BigInt(r()) * 10n ** 7n, fm.W);
    b.fixed[TRADE.side]![i] = r() % 3;
    b.setVar(TRADE.id, i, String(r()).repeat(1 + (i % 3)));
  },
  mark: (b, i, fm, r) => {
    b.views[MARK.tsEvent]!.setBigUint64(i * 8, BigInt(r()) << 20n, true);
    writeRaw(b.views[MARK.value]!, i * fm.W, BigInt(r()) * 10n ** 8n, fm.W);
  },
  funding: (b, i, _fm, r) => {
    const flags = i % 4; // every combination of interval and next present or absent
    b.views[FUNDING.tsEvent]!.setBigUint64(i * 8, BigInt(r()) << 20n, true);
    b.views[FUNDING.interval]!.setBigUint64(i * 8, flags & FUNDING_HAS_INTERVAL ? BigInt(r() % 65536) : 0n, true);
    b.views[FUNDING.next]!.setBigUint64(i * 8, flags & FUNDING_HAS_NEXT ? BigInt(r()) << 24n : 0n, true);
    b.fixed[FUNDING.flags]![i] = flags;
    b.setVar(FUNDING.rate, i, `${i % 2 ? '-' : ''}0.000${r() % 1000}`);
  },
  quotes: (b, i, fm, r) => {
    b.views[QUOTE.tsEvent]!.setBigUint64(i * 8, BigInt(r()) << 20n, true);
    writeRaw(b.views[QUOTE.bidPrice]!, i * fm.W, BigInt(r()) * 10n ** 9n - 5n * 10n ** 17n, fm.W);
    writeRaw(b.views[QUOTE.askPrice]!, i * fm.W, BigInt(r()) * 10n ** 9n, fm.W);
    writeRaw(b.views[QUOTE.bidSize]!, i * fm.W, BigInt(r()) * 10n ** 7n, fm.W);
    writeRaw(b.views[QUOTE.askSize]!, i * fm.W, BigInt(r()) * 10n ** 6n, fm.W);
  },
  bars: (b, i, fm, r) => {
    b.views[BAR.tsEvent]!.setBigUint64(i * 8, BigInt(r()) << 20n, true);
    for (const col of [BAR.open, BAR.high, BAR.low, BAR.close]) writeRaw(b.views[col]!, i * fm.W, BigInt(r()) * 10n ** 8n, fm.W);
    writeRaw(b.views[BAR.volume]!, i * fm.W, BigInt(r() % 3) * 10n ** 7n, fm.W);
  },
  deltas: (b, i, fm, r) => {
    b.views[DELTA.tsEvent]!.setBigUint64(i * 8, BigInt(r()) << 20n, true);
    b.fixed[DELTA.action]![i] = 1 + (r() % 4);
    b.fixed[DELTA.side]![i] = 1 + (r() % 2);
    writeRaw(b.views[DELTA.price]!, i * fm.W, BigInt(r()) * 10n ** 9n, fm.W);
    writeRaw(b.views[DELTA.size]!, i * fm.W, BigInt(r()) * 10n ** 7n, fm.W);
    b.views[DELTA.orderId]!.setBigUint64(i * 8, BigInt(r()), true);
    b.fixed[DELTA.flags]![i] = [0, 32, 128][r() % 3]!;
    b.views[DELTA.sequence]!.setBigUint64(i * 8, BigInt(r()) << 16n, true);
  },
  depth10: (b, i, fm, r) => {
    b.views[DEPTH.tsEvent]!.setBigUint64(i * 8, BigInt(r()) << 20n, true);
    for (let k = 0; k < 10; k++) {
      const empty = k >= 3 + (i % 8);
      for (const col of [DEPTH.bidPrice, DEPTH.askPrice, DEPTH.bidSize, DEPTH.askSize]) writeRaw(b.views[col + k]!, i * fm.W, empty ? 0n : BigInt(r()) * 10n ** 8n, fm.W);
      for (const col of [DEPTH.bidCount, DEPTH.askCount]) b.views[col + k]!.setUint32(i * 4, empty ? 0 : 1 + (r() % 5), true);
    }
    b.fixed[DEPTH.flags]![i] = 160;
    b.views[DEPTH.sequence]!.setBigUint64(i * 8, BigInt(r()), true);
  },
};

function blockOf(type: DataType, fm: FixedMode, n: number): Block {
  const b = new BlockBuilder(dataTypeOf(type).layout(fm), 8);
  const r = rng(n * 31 + fm.W);
  for (let i = 0; i < n; i++) FILL[type](b, b.add(1_700_000_000_000_000_000n + BigInt(i) * 1000n), fm, r);
  return b.take();
}

/** Blocks compared by their rows' bytes (a buffer may be larger than its rows). */
function assertSameBlock(got: Block, want: Block, what: string): void {
  assert.equal(got.n, want.n, `${what}: rows`);
  assert.deepEqual([...got.tsInit.subarray(0, got.n)], [...want.tsInit.subarray(0, want.n)], `${what}: ts_init`);
  assert.equal(got.fixed.length, want.fixed.length, `${what}: fixed columns`);
  want.fixed.forEach((col, k) => {
    const w = col.length / Math.max(1, want.n);
    assert.deepEqual(Buffer.from(got.fixed[k]!.subarray(0, got.n * w)), Buffer.from(col.subarray(0, want.n * w)), `${what}: fixed column ${k}`);
  });
  assert.equal(got.vars.length, want.vars.length, `${what}: variable columns`);
  want.vars.forEach((v, k) => {
    const g = got.vars[k]!;
    for (let i = 0; i < want.n; i++) {
      assert.deepEqual(g.bytes.subarray(g.offsets[i]!, g.offsets[i + 1]!), v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!), `${what}: variable column ${k} row ${i}`);
    }
  });
}

test('every module: block -> record batch -> block gives the block back (both precision modes, through IPC, from a slice)', () => {
  for (const m of DATA_TYPE_MODULES) {
    for (const fm of MODES) {
      const what = `${m.type} ${fm.mode}-bit`;
      const block = blockOf(m.type, fm, 37);
      const schema = m.schema(fm, META);
      const batch = m.toBatch(fm, schema, block);
      assert.equal(batch.numRows, block.n);
      assertSameBlock(m.fromBatch(fm, batch), block, what);
      // As the engine reads its own files back: an IPC stream, and batches that start inside their buffers.
      const [read] = A.tableFromIPC(A.tableToIPC(new A.Table(schema, [batch]), 'stream')).batches;
      assertSameBlock(m.fromBatch(fm, read!), block, `${what} via IPC`);
      assertSameBlock(m.fromBatch(fm, read!.slice(5, 29)), sliceBlock(block, 5, 29, m.layout(fm)), `${what} sliced`);
    }
  }
});

test('every module: a block written as Parquet by the engine and read back (as a day that spills is) gives the block back', async (t) => {
  const dir = await tempDir(t);
  for (const m of DATA_TYPE_MODULES) {
    for (const fm of MODES) {
      const what = `${m.type} ${fm.mode}-bit`;
      const block = blockOf(m.type, fm, 300);
      const path = join(dir, `${m.type}-${fm.mode}.parquet`);
      await writeFile(path, encodeBlock({ type: m.type, mode: fm.mode, metadata: [...m.metadata(META)], codec: 'zstd', rowGroupSize: 1000 }, block));
      const blocks: Block[] = [];
      // Small batches: the decoder joins a column's pieces.
      for await (const b of readParquetBatches(path, undefined, 64)) blocks.push(m.fromBatch(fm, b));
      let at = 0;
      for (const [k, b] of blocks.entries()) {
        assertSameBlock(b, sliceBlock(block, at, at + b.n, m.layout(fm)), `${what} batch ${k}`);
        at += b.n;
      }
      assert.equal(at, block.n, `${what}: rows read back`);
    }
  }
});

test('funding: absent interval and next are nulls in the file, and the rate is the JSON string', () => {
  const fm = fixedMode(128);
  const m = dataTypeOf('funding');
  const block = blockOf('funding', fm, 8);
  const batch = m.toBatch(fm, m.schema(fm, META), block);
  for (let i = 0; i < 8; i++) {
    assert.equal(batch.getChild('interval')!.isValid(i), !!(i & FUNDING_HAS_INTERVAL), `row ${i} interval`);
    assert.equal(batch.getChild('next_funding_ns')!.isValid(i), !!(i & FUNDING_HAS_NEXT), `row ${i} next`);
    const rate = Buffer.from(batch.getChild('rate')!.get(i) as Uint8Array).toString();
    assert.match(rate, /^"-?0\.000\d+"$/);
  }
});

/** `name:type:null|req` of a schema, as verify reads a file's schema (engine/catalog/check-file.ts). */
const fieldTexts = (s: A.Schema) => s.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable ? 'null' : 'req'}`);
const expectedTexts = (spec: FolderSpec, w: number) => spec.fields.map(([n, t, nl]) => `${n}:${t(w)}:${nl ? 'null' : 'req'}`);

test("each module's schema is what verify expects of its folder, with the metadata keys verify requires", () => {
  const written: [FolderSpec, (fm: FixedMode) => A.Schema][] = [
    ...DATA_TYPE_MODULES.map((m) => [m, (fm: FixedMode) => m.schema(fm, META)] as [FolderSpec, (fm: FixedMode) => A.Schema]),
    ...INSTRUMENT_MODULES.map((m) => [m, () => m.schema(META)] as [FolderSpec, (fm: FixedMode) => A.Schema]),
  ];
  for (const [spec, schemaAt] of written) {
    for (const fm of MODES) {
      const s = schemaAt(fm);
      assert.deepEqual(fieldTexts(s), expectedTexts(spec, fm.W), `${spec.folder} ${fm.mode}-bit`);
      for (const k of spec.metaKeys) assert.ok(s.metadata.has(k), `${spec.folder}: metadata has ${k}`);
      assert.deepEqual(spec.metaProblems?.(s.metadata) ?? [], [], `${spec.folder}: its own metadata passes its rules`);
      for (const col of [...(spec.fixedColumns?.signed ?? []), ...(spec.fixedColumns?.unsigned ?? [])]) {
        assert.equal(String(s.fields.find((f) => f.name === col)?.type), `FixedSizeBinary[${fm.W}]`, `${spec.folder}: ${col} is fixed-point`);
      }
    }
  }
  for (const m of DATA_TYPE_MODULES) assert.deepEqual([...m.schema(fixedMode(128), META).metadata], [...m.metadata(META)], `${m.type}: schema metadata`);
});

test('the registry: one module per job type, one spec per folder, each folder found by its name', () => {
  assert.deepEqual(DATA_TYPE_MODULES.map((m) => m.type), [...DATA_TYPES]);
  for (const t of DATA_TYPES) assert.equal(dataTypeOf(t).type, t);
  const folders = FOLDER_SPECS.map((s) => s.folder);
  assert.equal(new Set(folders).size, folders.length, `folders claimed twice: ${folders.filter((f, k) => folders.indexOf(f) !== k).join(', ')}`);
  const classes = FOLDER_SPECS.map((s) => s.className);
  assert.equal(new Set(classes).size, classes.length, 'one class per folder');
  for (const s of FOLDER_SPECS) assert.equal(folderSpecOf(s.folder), s, `${s.folder} resolves to the spec that declares it`);
  assert.equal(folderSpecOf('option_greeks'), undefined, 'a folder no spec claims is unknown');
  assert.deepEqual(Object.values(TYPE_FOLDER), DATA_TYPE_MODULES.map((m) => m.folder));
  assert.deepEqual(INSTRUMENT_MODULES.map((m) => [m.className, m.folder]), [['CryptoPerpetual', 'crypto_perpetual'], ['CryptoFuture', 'crypto_future'], ['CurrencyPair', 'currency_pair']]);
  for (const m of INSTRUMENT_MODULES) assert.ok(INSTRUMENT_FOLDERS.includes(m.folder), `${m.folder} is an instrument folder to the report and verify`);
});

test('trade_tick row rules count bad aggressor sides and trade ids', () => {
  const schema = new A.Schema([new A.Field('aggressor_side', new A.Uint8()), new A.Field('trade_id', new A.Utf8())]);
  const batch = new A.RecordBatch(schema, A.makeData({
    type: new A.Struct(schema.fields), length: 4, nullCount: 0,
    children: [A.vectorFromArray([0, 2, 3, 1], new A.Uint8()).data[0]!, A.vectorFromArray(['a', '', 'x'.repeat(36), 'x'.repeat(37)], new A.Utf8()).data[0]!],
  }));
  const check = folderSpecOf('trade_tick')!.rowCheck!();
  check.add(batch);
  assert.deepEqual(check.finish(), ['1 rows have an aggressor_side other than 0, 1 or 2', '2 rows have a trade_id that is empty or longer than 36 characters']);
});

test('folder compatibility: precision mode and precisions for fixed-point types, the JSON layout for funding', () => {
  const fm = fixedMode(128);
  const sig = (width: number | null, meta: [string, string][]) => ({ width, meta: new Map(meta), file: 'f.parquet' });
  const ok = sig(16, [['price_precision', '2'], ['size_precision', '3']]);
  for (const t of ['trades', 'mark'] as const) {
    assert.equal(dataTypeOf(t).incompatibility('D', ok, fm, META), null, t);
    assert.match(dataTypeOf(t).incompatibility('D', sig(8, [['price_precision', '2']]), fm, META)!, /holds 64-bit files \(f\.parquet\); this job writes 128-bit/);
    assert.match(dataTypeOf(t).incompatibility('D', sig(16, [['price_precision', '1'], ['size_precision', '3']]), fm, META)!, /price_precision 1 .*this job writes 2/);
  }
  const sizeOff = sig(16, [['price_precision', '2'], ['size_precision', '1']]);
  assert.match(dataTypeOf('trades').incompatibility('D', sizeOff, fm, META)!, /size_precision 1 .*this job writes 3/);
  assert.equal(dataTypeOf('mark').incompatibility('D', sizeOff, fm, META), null, 'a mark price has no size');
  assert.equal(dataTypeOf('funding').incompatibility('D', sig(null, [['instrument_id', 'X']]), fm, META), null);
  assert.match(dataTypeOf('funding').incompatibility('D', sig(null, [['type', 'FundingRateUpdate']]), fm, META)!, /Rust JSON layout/);
});

test('bar folders are named by bar type: verify finds their instrument and reads bar_type', () => {
  const bar = folderSpecOf('bar')!;
  assert.equal(bar.idKey, 'bar_type');
  assert.equal(bar.instrumentOf!('BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL'), 'BTCUSDT-PERP.BINANCE');
  assert.equal(folderSpecOf('trade_tick')!.instrumentOf, undefined, 'other folders are named by their instrument');
});

test('a funding day that spills keeps its intervals: rows streamed into the file, then earlier rows, are read back as written', async (t) => {
  const dir = await tempDir(t);
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  const row = (k: number) => `${t0 + k * 10_000},0.000${(k % 7) + 1},${t0 + 8 * 3_600_000},${480 + (k % 3) * 60}`;
  const csv = (from: number) => ['timestamp,funding_rate,next_funding_time,funding_interval', ...Array.from({ length: 3000 }, (_, k) => row(from + k))].join('\n') + '\n';
  // The later half first: its rows stream into the day's file, then the earlier half makes the file a sorted run.
  await writeFile(join(dir, 'late.csv'), csv(3000));
  await writeFile(join(dir, 'early.csv'), csv(0));
  const report = await build(dir, { funding: { file_path: ['late.csv', 'early.csv'] } }, { rowGroupSize: 1000 }, { bufferBudget: 2000 });
  assert.ok(report.ok, report.errors.join('; '));
  const folder = join(dir, 'catalog', 'data', 'funding_rate_update', 'BTCUSDT-PERP.BINANCE');
  const rows = await readRows(join(folder, (await readdir(folder))[0]!));
  assert.equal(rows.length, 6000);
  rows.forEach((r, k) => assert.equal(r.interval, 480 + (k % 3) * 60, `row ${k}`));
});
