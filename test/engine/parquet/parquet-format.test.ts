// The physical layout of the files we write: format-2 data pages with dictionary-encoded prices and
// sizes (parquet.ts), read back by parquet-wasm (arrow-rs, NautilusTrader's Rust reader) and by an
// independent reader (DuckDB's own Parquet code) with the same values; and the footer codec that
// joins the encoder threads' parts (thrift.ts) keeps nothing of the parts alive.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { verifyCatalog } from '../../../engine/catalog/verify.js';
import { decodeStruct, encodeStruct, TStruct, T_BINARY } from '../../../engine/parquet/thrift.js';
import { genTardisTrades } from '../../../scripts/gen-data.js';
import { SOURCES, build, filesUnder, hex, needShared, readRows, tempDir } from '../../helpers.js';

const PAGE_DICTIONARY = 2, PAGE_DATA_V2 = 3;
const ENC_RLE_DICTIONARY = 8;

interface ChunkLayout {
  column: string;
  encodings: number[];
  /** page type of the first data page */
  dataPage: number;
  /** page type at the dictionary offset, if the chunk has one */
  dictPage?: number;
}

/** Every column chunk of a file, with its encodings and the page types found at its offsets. */
function layout(file: Buffer): ChunkLayout[] {
  const len = file.readUInt32LE(file.length - 8);
  const fmd = decodeStruct(file.subarray(file.length - 8 - len, file.length - 8));
  const out: ChunkLayout[] = [];
  for (const rg of fmd.list(4)!.items as TStruct[]) {
    for (const cc of rg.list(1)!.items as TStruct[]) {
      const md = cc.struct(3)!;
      const pageType = (at: bigint) => decodeStruct(file.subarray(Number(at))).get(1) as number;
      const dict = md.i64(11);
      out.push({
        column: Buffer.from((md.list(3)!.items as Uint8Array[])[0]!).toString(),
        encodings: md.list(2)!.items as number[],
        dataPage: pageType(md.i64(9)!),
        dictPage: dict === undefined ? undefined : pageType(dict),
      });
    }
  }
  return out;
}

/** The file's rows as DuckDB reads them, in file order, binaries as hex. */
async function duckRows(path: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await db.connect();
  try {
    const r = await c.runAndReadAll(
      `SELECT hex(price) AS price, hex(size) AS size, aggressor_side, trade_id, ts_event, ts_init
       FROM read_parquet('${path.replace(/'/g, "''")}', file_row_number = true) ORDER BY file_row_number`,
    );
    return r.getRowObjects();
  } finally {
    c.closeSync();
  }
}

async function assertReadAlike(path: string): Promise<number> {
  const ours = await readRows(path);
  const duck = await duckRows(path);
  assert.equal(duck.length, ours.length, `${path}: row count`);
  for (let i = 0; i < ours.length; i++) {
    const o = ours[i]!, d = duck[i]!;
    const want = {
      price: hex(o.price as Uint8Array).toUpperCase(),
      size: hex(o.size as Uint8Array).toUpperCase(),
      aggressor_side: Number(o.aggressor_side),
      trade_id: o.trade_id,
      ts_event: o.ts_event,
      ts_init: o.ts_init,
    };
    assert.deepEqual({ ...d, aggressor_side: Number(d.aggressor_side) }, want, `${path}: row ${i}`);
  }
  return ours.length;
}

async function checkCatalog(catalog: string, minRows: number): Promise<void> {
  const files = (await filesUnder(join(catalog, 'data', 'trade_tick'))).map((f) => join(catalog, 'data', 'trade_tick', f));
  assert.ok(files.length > 0, 'no trade files written');
  let rows = 0;
  for (const f of files) {
    for (const c of layout(await readFile(f))) {
      assert.equal(c.dataPage, PAGE_DATA_V2, `${f} ${c.column}: data pages are format 2`);
      if (c.column === 'price' || c.column === 'size') {
        assert.equal(c.dictPage, PAGE_DICTIONARY, `${f} ${c.column}: has a dictionary page`);
        assert.ok(c.encodings.includes(ENC_RLE_DICTIONARY), `${f} ${c.column}: dictionary-encoded (${c.encodings})`);
      }
      if (c.column === 'trade_id' || c.column.startsWith('ts_')) assert.equal(c.dictPage, undefined, `${f} ${c.column}: no dictionary`);
    }
    rows += await assertReadAlike(f);
  }
  assert.ok(rows >= minRows, `${rows} rows read back`);
  const v = await verifyCatalog(catalog);
  assert.equal(v.ok, true, v.errors.join("\n"));
}

test('trade files: format-2 pages, dictionary prices and sizes; DuckDB reads the same values as arrow-rs (several row groups, encoder threads)', async (t) => {
  const dir = await tempDir(t);
  // 250k rows over two days: row groups of 100k are encoded on the encoder thread and joined.
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows: 250_000, start: '2024-01-01', days: 2 });
  const report = await build(dir, { trades: { file_path: 'trades.csv.gz' } }, { end: '2024-01-02' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  assert.equal(report.totals.written, 250_000);
  await checkCatalog(join(dir, 'catalog'), 250_000);
});

test('trade files from the real Tardis fixture read alike in DuckDB', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const src = join(SOURCES, 'tardis-csv_trades_binance-futures_BTCUSDT_2020-02-22.csv');
  const report = await build(dir, { trades: { file_path: src } }, { start: '2020-02-22', end: '2020-02-22' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  await checkCatalog(join(dir, 'catalog'), report.totals.written);
});

test('decoded footer binaries are copies: a part buffer is not kept alive by the footer built from it', () => {
  const kv = new TStruct();
  kv.set(1, T_BINARY, Buffer.from('instrument_id'));
  kv.set(2, T_BINARY, Buffer.from('BTCUSDT-PERP.BINANCE'));
  const bytes = Buffer.from(encodeStruct(kv));
  const big = Buffer.concat([bytes, Buffer.alloc(1 << 20)]); // a Buffer view into a larger allocation
  const back = decodeStruct(big.subarray(0, bytes.length));
  const v = back.get(2) as Uint8Array;
  assert.equal(Buffer.from(v).toString(), 'BTCUSDT-PERP.BINANCE');
  assert.notEqual(v.buffer, big.buffer, 'a view would keep the whole part in memory');
  assert.equal(v.buffer.byteLength, v.byteLength);
  big.fill(0);
  assert.equal(Buffer.from(back.get(1) as Uint8Array).toString(), 'instrument_id');
});
