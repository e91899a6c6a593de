// Where the encoder thread's time goes, per row: encodeBlock as configured, then parquet-wasm's path
// in parts: Arrow IPC in (JS), into wasm, and parquet-rs's writeParquet, on 100k-row blocks of a day
// file the bench wrote (the same settings as the engine).
//   node --import tsx bench/encode.ts .bench/catalog/data/trade_tick/<id>/<day>.parquet
import * as A from 'apache-arrow';
import * as pw from 'parquet-wasm/node';
import { gather, type Block } from '../engine/blocks/block.js';
import { encodeBlock, parquetWriter, type EncodeSpec } from '../engine/parquet/encode.js';
import { fixedMode } from '../engine/numbers/fixed.js';
import { props, readParquetBatches, readParquetInfo } from '../engine/parquet/parquet.js';
import { TRADE_TICK } from '../engine/datatypes/index.js';

const file = process.argv[2];
if (!file) throw new Error('usage: bench/encode.ts <trade day file (.parquet)>');
const info = await readParquetInfo(file);
const fm = fixedMode(info.schema.fields.find((f) => f.name === 'price')!.type.byteWidth === 16 ? 128 : 64);
const blocks: Block[] = [];
for await (const b of readParquetBatches(file, undefined, 100_000)) {
  blocks.push(TRADE_TICK.fromBatch(fm, b));
  if (blocks.length === 10) break;
}
const metadata = [...info.keyValue].filter(([k]) => k !== 'ARROW:schema');
const spec: EncodeSpec = { type: 'trades', mode: fm.mode, metadata, codec: 'zstd', rowGroupSize: 100_000 };
const rows = blocks.reduce((a, b) => a + b.n, 0);
// Blocks are handed over when encoded: each round encodes copies.
const copy = (b: Block) => gather(b, Uint32Array.from({ length: b.n }, (_, i) => i));

for (let round = 1; round <= 3; round++) {
  const work = blocks.map(copy);
  const t0 = performance.now();
  for (const b of work) encodeBlock(spec, b);
  console.log(`encodeBlock (${parquetWriter()} writer; CB_PARQUET_WRITER), round ${round}: ${(rows / (performance.now() - t0) / 1000).toFixed(2)}M rows/s`);
}
const md = new Map(metadata);
const base = TRADE_TICK.schema(fm, { instrumentId: md.get('instrument_id') ?? '', pricePrecision: 0, sizePrecision: 0 });
const schema = new A.Schema(base.fields, md);
let ipcNs = 0, wasmNs = 0, writeNs = 0;
for (const b of blocks.map(copy)) {
  const t0 = performance.now();
  const ipc = A.tableToIPC(new A.Table(schema, [TRADE_TICK.toBatch(fm, schema, b)]), 'stream');
  const t1 = performance.now();
  const table = pw.Table.fromIPCStream(ipc);
  const t2 = performance.now();
  pw.writeParquet(table, props({ codec: 'zstd', rowGroupSize: 100_000, keyValue: md, marketData: true }, schema.fields.map((f) => f.name)));
  const t3 = performance.now();
  ipcNs += t1 - t0;
  wasmNs += t2 - t1;
  writeNs += t3 - t2;
}
const per = (ms: number) => ((ms * 1e6) / rows).toFixed(0);
console.log(`per row: Arrow IPC ${per(ipcNs)} ns, into wasm ${per(wasmNs)} ns, writeParquet ${per(writeNs)} ns (${rows.toLocaleString('en-US')} rows)`);
