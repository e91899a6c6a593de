// Our own Parquet writer for the catalog's fixed schemas: an Arrow record batch (in memory, never
// through IPC) -> one complete small Parquet file with one row group, laid out as parquet-rs lays it
// out (column chunks, all column indexes, all offset indexes, footer), so pwriter.ts joins its parts
// the same way. Columns it has no encoding for (nullable ones, other types) make it return null: the
// caller then uses parquet-wasm.
import * as A from 'apache-arrow';
import { TList, TStruct, T_BINARY, T_I16, T_I32, T_I64, T_I8, T_LIST, T_STRUCT, T_TRUE, encodeStruct } from '../thrift.js';
import { FIXED_LEN_BYTE_ARRAY, physicalOf, writeChunk, type Chunk, type ColumnData } from './column.js';

export const CREATED_BY = 'catalog-builder (own Parquet writer)';
/** Columns written with DELTA_BINARY_PACKED / DELTA_BYTE_ARRAY, as parquet.ts has parquet-rs write them. */
const DELTA_U64 = new Set(['ts_event', 'ts_init', 'next_funding_ns']);
const DELTA_UTF8 = new Set(['trade_id']);
const MAGIC = Buffer.from('PAR1');

/** A batch column as the writer takes it; null when it cannot write it. */
function columnData(field: A.Field, d: A.Data): ColumnData | null {
  if (field.nullable || d.nullCount > 0 || d.offset !== 0) return null;
  const t = field.type;
  if (A.DataType.isFixedSizeBinary(t)) return { kind: 'fsb', w: t.byteWidth, bytes: d.values as Uint8Array };
  if (A.DataType.isInt(t) && !t.isSigned && t.bitWidth === 8) return { kind: 'u8', bytes: d.values as Uint8Array };
  if (A.DataType.isInt(t) && !t.isSigned && t.bitWidth === 64) {
    const v = d.values as BigUint64Array;
    const words = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
    return { kind: DELTA_U64.has(field.name) ? 'u64-delta' : 'u64', words };
  }
  if (A.DataType.isUtf8(t) && DELTA_UTF8.has(field.name)) return { kind: 'utf8', offsets: d.valueOffsets as Int32Array, bytes: d.values as Uint8Array };
  return null;
}

/** The Parquet schema element of a column (converted and logical types as parquet-rs maps Arrow types). */
function schemaElement(field: A.Field, d: ColumnData): TStruct {
  const s = new TStruct([{ id: 1, type: T_I32, value: physicalOf(d) }]);
  if (physicalOf(d) === FIXED_LEN_BYTE_ARRAY) s.set(2, T_I32, (field.type as A.FixedSizeBinary).byteWidth);
  s.set(3, T_I32, 0); // REQUIRED
  s.set(4, T_BINARY, Buffer.from(field.name, 'utf8'));
  const int = (bits: number) => new TStruct([{ id: 10, type: T_STRUCT, value: new TStruct([{ id: 1, type: T_I8, value: bits }, { id: 2, type: T_TRUE, value: false }]) }]);
  if (d.kind === 'u8') {
    s.set(6, T_I32, 11); // UINT_8
    s.set(10, T_STRUCT, int(8));
  } else if (d.kind === 'u64' || d.kind === 'u64-delta') {
    s.set(6, T_I32, 14); // UINT_64
    s.set(10, T_STRUCT, int(64));
  } else if (d.kind === 'utf8') {
    s.set(6, T_I32, 0); // UTF8
    s.set(10, T_STRUCT, new TStruct([{ id: 1, type: T_STRUCT, value: new TStruct() }]));
  }
  return s;
}

/** The ARROW:schema value: the IPC schema message, length-prefixed as arrow-rs writes it, base64. */
function arrowSchemaValue(schema: A.Schema): string {
  const msg = A.Message.encode(A.Message.from(schema));
  const prefix = Buffer.alloc(8);
  prefix.writeInt32LE(-1, 0);
  prefix.writeUInt32LE(msg.length, 4);
  return Buffer.concat([prefix, msg]).toString('base64');
}

const arrowSchemas = new WeakMap<A.Schema, string>();

/**
 * The batch as a Parquet file with one row group; `keyValue` are the footer's plain pairs (ARROW:schema
 * is added). Null when a column is of a kind this writer does not write.
 */
export function writeOwnParquet(schema: A.Schema, batch: A.RecordBatch, keyValue: [string, string][]): Uint8Array | null {
  const n = batch.numRows;
  if (n === 0) return null;
  const cols: ColumnData[] = [];
  for (let i = 0; i < schema.fields.length; i++) {
    const child = batch.getChildAt(i);
    if (!child || child.data.length !== 1) return null;
    const d = columnData(schema.fields[i]!, child.data[0]!);
    if (!d) return null;
    cols.push(d);
  }
  let arrowSchema = arrowSchemas.get(schema);
  if (!arrowSchema) arrowSchemas.set(schema, (arrowSchema = arrowSchemaValue(schema)));
  const parts: Uint8Array[] = [MAGIC];
  const chunks: Chunk[] = [];
  let pos = 4;
  cols.forEach((d, i) => {
    const c = writeChunk(schema.fields[i]!.name, d, n, pos);
    chunks.push(c);
    parts.push(...c.parts);
    pos += c.size;
  });
  // parquet-rs order after the data: every column index, then every offset index.
  const ccs = chunks.map((c) => new TStruct([{ id: 2, type: T_I64, value: 0n }, { id: 3, type: T_STRUCT, value: c.meta }]));
  for (const [off, len, key] of [[6, 7, 'columnIndex'], [4, 5, 'offsetIndex']] as const) {
    chunks.forEach((c, i) => {
      ccs[i]!.set(off, T_I64, BigInt(pos));
      ccs[i]!.set(len, T_I32, c[key].length);
      parts.push(c[key]);
      pos += c[key].length;
    });
  }
  const footer = fileMeta(schema, cols, chunks, ccs, n, [...keyValue.filter(([k]) => k !== 'ARROW:schema'), ['ARROW:schema', arrowSchema]]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length, 0);
  parts.push(footer, len, MAGIC);
  return Buffer.concat(parts);
}

function fileMeta(schema: A.Schema, cols: ColumnData[], chunks: Chunk[], ccs: TStruct[], n: number, kv: [string, string][]): Uint8Array {
  const root = new TStruct([{ id: 4, type: T_BINARY, value: Buffer.from('arrow_schema') }, { id: 5, type: T_I32, value: cols.length }]);
  const elements = [root, ...cols.map((d, i) => schemaElement(schema.fields[i]!, d))];
  const total = (k: 'size' | 'uncompressed') => BigInt(chunks.reduce((a, c) => a + c[k], 0));
  const rg = new TStruct([
    { id: 1, type: T_LIST, value: new TList(T_STRUCT, ccs) },
    { id: 2, type: T_I64, value: total('uncompressed') },
    { id: 3, type: T_I64, value: BigInt(n) },
    { id: 5, type: T_I64, value: 4n },
    { id: 6, type: T_I64, value: total('size') },
    { id: 7, type: T_I16, value: 0 },
  ]);
  // Pairs in key order: the same rows give the same bytes (pwriter.ts sorts a day's footer the same way).
  const pairs = [...kv].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => new TStruct([{ id: 1, type: T_BINARY, value: Buffer.from(k, 'utf8') }, { id: 2, type: T_BINARY, value: Buffer.from(v, 'utf8') }]));
  const order = () => new TStruct([{ id: 1, type: T_STRUCT, value: new TStruct() }]);
  return encodeStruct(new TStruct([
    { id: 1, type: T_I32, value: 2 },
    { id: 2, type: T_LIST, value: new TList(T_STRUCT, elements) },
    { id: 3, type: T_I64, value: BigInt(n) },
    { id: 4, type: T_LIST, value: new TList(T_STRUCT, [rg]) },
    { id: 5, type: T_LIST, value: new TList(T_STRUCT, pairs) },
    { id: 6, type: T_BINARY, value: Buffer.from(CREATED_BY, 'utf8') },
    { id: 7, type: T_LIST, value: new TList(T_STRUCT, cols.map(order)) },
  ]));
}
