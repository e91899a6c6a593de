// One block of rows -> one self-contained Parquet file in memory (one row group), with the
// catalog's writer settings: by our own writer (own/writer.ts) for trades and order-book deltas,
// by parquet-wasm (through Arrow IPC) for the other types. Runs on encoder worker threads
// (encode-worker.ts) or inline; the parts are joined into the day's file by ParallelParquetWriter
// (pwriter.ts).
import * as A from 'apache-arrow';
import type * as PW from 'parquet-wasm/node';
import { parquetWasm } from './wasm.js';
import type { DataType } from '../../shared/job.js';
import type { Block } from '../blocks/block.js';
import { withPageChecksums } from './crc.js';
import { fixedMode, type PrecisionMode } from '../numbers/fixed.js';
import { props, type Codec } from './parquet.js';
import { dataTypeOf } from '../datatypes/index.js';
import { writeOwnParquet } from './own/writer.js';

/** What a worker needs to encode a file's blocks: plain data, sent with every block. */
export interface EncodeSpec {
  type: DataType;
  mode: PrecisionMode;
  /** the schema's metadata (also written as plain footer pairs) */
  metadata: [string, string][];
  codec: Codec;
  rowGroupSize: number;
  /** the writer, chosen on the calling thread (encoder threads keep the environment they started with); CB_PARQUET_WRITER when absent */
  writer?: 'own' | 'wasm';
}

const schemas = new Map<string, A.Schema>();

function schemaFor(spec: EncodeSpec): A.Schema {
  const key = `${spec.type}|${spec.mode}|${JSON.stringify(spec.metadata)}`;
  let s = schemas.get(key);
  if (!s) {
    const md = new Map(spec.metadata);
    const base = dataTypeOf(spec.type).schema(fixedMode(spec.mode), { instrumentId: md.get('instrument_id') ?? '', pricePrecision: 0, sizePrecision: 0, barType: md.get('bar_type') });
    s = new A.Schema(base.fields, md);
    if (schemas.size > 64) schemas.clear();
    schemas.set(key, s);
  }
  return s;
}

/**
 * The Arrow IPC stream of a row group, written into one buffer kept for the next (parquet-wasm copies
 * it into its own memory at once). A fresh one for every row group (tableToIPC joins the writer's
 * chunks into a new buffer of several MB) was freed again at once, and glibc served the next from
 * arenas that fragmented: the RSS grew with the day's length.
 */
class IpcSink extends A.AsyncByteQueue {
  buf = new Uint8Array(0);
  len = 0;

  override write(value: ArrayBufferView | ArrayBuffer | string): void {
    const chunk = A.util.toUint8Array(value);
    if (this.len + chunk.byteLength > this.buf.byteLength) {
      const grown = new Uint8Array(Math.max(this.len + chunk.byteLength, this.buf.byteLength * 2));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.byteLength;
  }
}

const ipc = new IpcSink();

function toWasmTable(schema: A.Schema, batch: A.RecordBatch): PW.Table {
  ipc.len = 0;
  const writer = new A.RecordBatchStreamWriter();
  writer.reset(ipc);
  writer.writeAll(new A.Table(schema, [batch]));
  return parquetWasm().Table.fromIPCStream(ipc.buf.subarray(0, ipc.len));
}

/** Data types the own writer (own/writer.ts) is proven on: NautilusTrader loads its files (test/engine/parquet/own-writer.test.ts). */
const OWN_TYPES = new Set<DataType>(['trades', 'deltas']);

/**
 * Which writer encodes the row groups of the types the own writer knows: the own one (less CPU than
 * Arrow IPC + parquet-wasm per row group, the same values and statistics), unless
 * CB_PARQUET_WRITER=wasm. parquet-wasm stays the reference the tests compare it with.
 */
export function parquetWriter(): 'own' | 'wasm' {
  return process.env.CB_PARQUET_WRITER === 'wasm' ? 'wasm' : 'own';
}

export function encodeBlock(spec: EncodeSpec, block: Block): Uint8Array {
  const schema = schemaFor(spec);
  const batch = dataTypeOf(spec.type).toBatch(fixedMode(spec.mode), schema, block);
  if (spec.codec === 'zstd' && OWN_TYPES.has(spec.type) && (spec.writer ?? parquetWriter()) === 'own') {
    // Null for a block it cannot write (a column of another kind): parquet-wasm writes that one.
    const part = writeOwnParquet(schema, batch, spec.metadata);
    if (part) return part;
  }
  const table = toWasmTable(schema, batch);
  const columns = schema.fields.map((f) => f.name);
  // writeParquet takes ownership of the table and the properties. Page CRCs added after (crc.ts).
  return withPageChecksums(parquetWasm().writeParquet(table, props({ codec: spec.codec, rowGroupSize: spec.rowGroupSize, keyValue: new Map(spec.metadata), marketData: true }, columns)));
}

/** Every ArrayBuffer a block's columns use, once each (for a zero-copy postMessage). */
export function blockBuffers(b: Block): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView) => set.add(a.buffer as ArrayBuffer);
  add(b.tsInit);
  b.fixed.forEach(add);
  for (const v of b.vars) {
    add(v.offsets);
    add(v.bytes);
  }
  return [...set];
}
