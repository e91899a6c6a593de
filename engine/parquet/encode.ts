// One block of rows -> one self-contained Parquet file in memory (one row group), with the
// catalog's writer settings. Runs on encoder worker threads (encode-worker.ts) or inline; the
// parts are joined into the day's file by ParallelParquetWriter (pwriter.ts).
import * as A from 'apache-arrow';
import * as pw from 'parquet-wasm/node';
import type { DataType } from '../../shared/job.js';
import type { Block } from '../blocks/block.js';
import { withPageChecksums } from './crc.js';
import { fixedMode, type PrecisionMode } from '../numbers/fixed.js';
import { props, type Codec } from './parquet.js';
import { dataTypeOf } from '../datatypes/index.js';

/** What a worker needs to encode a file's blocks: plain data, sent with every block. */
export interface EncodeSpec {
  type: DataType;
  mode: PrecisionMode;
  /** the schema's metadata (also written as plain footer pairs) */
  metadata: [string, string][];
  codec: Codec;
  rowGroupSize: number;
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

export function encodeBlock(spec: EncodeSpec, block: Block): Uint8Array {
  const schema = schemaFor(spec);
  const batch = dataTypeOf(spec.type).toBatch(fixedMode(spec.mode), schema, block);
  const table = pw.Table.fromIPCStream(A.tableToIPC(new A.Table(schema, [batch]), 'stream'));
  const columns = schema.fields.map((f) => f.name);
  // writeParquet takes ownership of the table and the properties. Page CRCs added after (crc.ts).
  return withPageChecksums(pw.writeParquet(table, props({ codec: spec.codec, rowGroupSize: spec.rowGroupSize, keyValue: new Map(spec.metadata), marketData: true }, columns)));
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
