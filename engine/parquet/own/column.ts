// One column chunk of a row group: its data pages (format 2), the dictionary page first when the
// column is dictionary-encoded, page headers with CRCs, and what the footer and page indexes say of
// it. Settings as parquet.ts gives parquet-rs, and its choices: pages of 65,536 rows (its write
// batch), zstd level 1, a dictionary until it reaches 1 MB, then parquet-rs's format-2 fallback
// encoding for the remaining pages (DELTA_BYTE_ARRAY for fixed-width binaries, DELTA_BINARY_PACKED
// for integers).
import { TList, TStruct, T_BINARY, T_I32, T_I64, T_LIST, T_STRUCT, T_TRUE, encodeStruct } from '../thrift.js';
import { pageCrc } from '../crc.js';
import { ByteDict, FixedDict, type Dict } from './dict.js';
import { ByteSink, bitsOf } from './sink.js';
import { deltaBinaryPacked, deltaByteArray, rleHybrid } from './encodings.js';
import { boundaryOrder, compare, fixedMinMax, mergeMinMax, u64MinMax, varMinMax, type MinMax, type Order } from './stats.js';
import { zstdCompress } from './zstd.js';

export const PAGE_ROWS = 65_536;
const DICT_LIMIT = 1024 * 1024;
// Parquet enums (parquet.thrift).
export const INT32 = 1, INT64 = 2, BYTE_ARRAY = 6, FIXED_LEN_BYTE_ARRAY = 7;
const PLAIN = 0, RLE = 3, DELTA_BINARY_PACKED = 5, DELTA_BYTE_ARRAY = 7, RLE_DICTIONARY = 8;
const DATA_PAGE_V2 = 3, DICTIONARY_PAGE = 2;
const ZSTD = 6;

/** A column's values in the block (no copies): how they are encoded follows from the kind. */
export type ColumnData =
  | { kind: 'fsb'; w: number; bytes: Uint8Array } // FixedSizeBinary: dictionary, DELTA_BYTE_ARRAY fallback
  | { kind: 'u8'; bytes: Uint8Array } // Uint8 as INT32: dictionary
  | { kind: 'u64'; words: Uint32Array } // Uint64 as INT64: dictionary, DELTA_BINARY_PACKED fallback
  | { kind: 'u64-delta'; words: Uint32Array } // Uint64 as INT64: DELTA_BINARY_PACKED
  | { kind: 'utf8'; offsets: Int32Array; bytes: Uint8Array }; // Utf8: DELTA_BYTE_ARRAY

export const physicalOf = (d: ColumnData): number =>
  d.kind === 'fsb' ? FIXED_LEN_BYTE_ARRAY : d.kind === 'u8' ? INT32 : d.kind === 'utf8' ? BYTE_ARRAY : INT64;
const orderOf = (d: ColumnData): Order => (d.kind === 'fsb' || d.kind === 'utf8' ? 'lex' : 'le');

interface Page {
  type: number;
  encoding: number;
  /** page header (with CRC) and compressed body */
  header: Uint8Array;
  body: Uint8Array;
  rawLen: number;
  rows: number;
  firstRow: number;
  stats?: MinMax;
  /** bytes of the byte-array values before encoding (offset index, size statistics) */
  varBytes?: number;
}

export interface Chunk {
  /** header and body of every page, in file order */
  parts: Uint8Array[];
  size: number;
  uncompressed: number;
  meta: TStruct;
  columnIndex: Uint8Array;
  offsetIndex: Uint8Array;
}

function dictOf(d: ColumnData): Dict | null {
  if (d.kind === 'fsb') return new FixedDict(d.w, words(d.bytes));
  if (d.kind === 'u64') return new FixedDict(8, d.words);
  if (d.kind === 'u8') return new ByteDict(d.bytes);
  return null;
}

/** A byte column as 32-bit words (its buffer is 4-aligned in blocks; copied when not). */
function words(b: Uint8Array): Uint32Array {
  if (b.byteOffset % 4 === 0) return new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
  return new Uint32Array(b.slice().buffer);
}

/** One page's encoded values, reused from page to page (a fresh buffer per page kept the GC busy). */
const scratch = new ByteSink(1 << 20);

/** The data pages of rows [0, n), and the dictionary page (first) if any page used it. */
function encodePages(d: ColumnData, n: number): Page[] {
  const dict = dictOf(d);
  const order = orderOf(d);
  const pages: Page[] = [];
  let useDict = dict !== null;
  const idx = new Uint32Array(Math.min(n, PAGE_ROWS));
  let stamp: Int32Array = new Int32Array(0);
  for (let from = 0; from < n; from += PAGE_ROWS) {
    const to = Math.min(n, from + PAGE_ROWS);
    const info = { type: DATA_PAGE_V2, rows: to - from, firstRow: from };
    scratch.n = 0;
    if (useDict && dict) {
      dict.encode(from, to, idx);
      if (stamp.length < dict.size) stamp = growStamp(stamp, dict.size);
      const stats = dictStats(dict, idx, to - from, stamp, pages.length + 1, order);
      const width = bitsOf(Math.max(0, dict.size - 1));
      scratch.byte(width);
      rleHybrid(idx, to - from, width, scratch);
      pages.push({ ...info, encoding: RLE_DICTIONARY, stats, ...pageBytes(DATA_PAGE_V2, to - from, RLE_DICTIONARY, scratch.buf.subarray(0, scratch.n)) });
      if (dict.pageBytes() >= DICT_LIMIT) useDict = false;
    } else {
      const p = fallbackPage(d, from, to, scratch);
      pages.push({ ...info, ...p, ...pageBytes(DATA_PAGE_V2, to - from, p.encoding, scratch.buf.subarray(0, scratch.n)) });
    }
  }
  if (dict && dict.size > 0 && pages.some((p) => p.encoding === RLE_DICTIONARY)) {
    pages.unshift({ type: DICTIONARY_PAGE, encoding: PLAIN, rows: dict.size, firstRow: 0, ...pageBytes(DICTIONARY_PAGE, dict.size, PLAIN, dict.page()) });
  }
  return pages;
}

function growStamp(old: Int32Array, size: number): Int32Array {
  const s = new Int32Array(Math.max(size, old.length * 2));
  s.set(old);
  return s;
}

/** Min and max of a page's dictionary entries, each distinct index compared once. */
function dictStats(dict: Dict, idx: Uint32Array, n: number, stamp: Int32Array, page: number, order: Order): MinMax {
  let min: Uint8Array | null = null, max: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const e = idx[i]!;
    if (stamp[e] === page) continue;
    stamp[e] = page;
    const v = dict.entry(e);
    if (!min || compare(order, v, min) < 0) min = v;
    if (!max || compare(order, v, max) > 0) max = v;
  }
  return { min: min!.slice(), max: max!.slice() };
}

/** A page without the dictionary, its values into `out`: the column's own (fallback) encoding. */
function fallbackPage(d: ColumnData, from: number, to: number, out: ByteSink): { encoding: number; stats: MinMax; varBytes?: number } {
  switch (d.kind) {
    case 'fsb': {
      // parquet-rs's format-2 fallback for fixed-width binaries: DELTA_BYTE_ARRAY.
      const offsets = new Int32Array(to - from + 1);
      for (let i = 0; i <= to - from; i++) offsets[i] = i * d.w;
      deltaByteArray(offsets, d.bytes.subarray(from * d.w, to * d.w), 0, to - from, out);
      return { encoding: DELTA_BYTE_ARRAY, stats: fixedMinMax(d.bytes, d.w, from, to) };
    }
    case 'u64':
    case 'u64-delta':
      deltaBinaryPacked(d.words, from, to, out);
      return { encoding: DELTA_BINARY_PACKED, stats: u64MinMax(d.words, from, to) };
    case 'utf8':
      deltaByteArray(d.offsets, d.bytes, from, to, out);
      return { encoding: DELTA_BYTE_ARRAY, stats: varMinMax(d.offsets, d.bytes, from, to), varBytes: d.offsets[to]! - d.offsets[from]! };
    case 'u8':
      throw new Error('one-byte columns are always dictionary-encoded');
  }
}

/**
 * Compressed body and header (with CRC) of a page whose values are `raw` (a view, used before the
 * next page). Format-2 data pages stay uncompressed when zstd does not shrink them (parquet-rs).
 */
function pageBytes(type: number, values: number, encoding: number, raw: Uint8Array): { header: Uint8Array; body: Uint8Array; rawLen: number } {
  let body = zstdCompress(raw);
  let compressed = true;
  if (type === DATA_PAGE_V2 && body.length >= raw.length) {
    body = raw.slice();
    compressed = false;
  }
  const h = new TStruct([
    { id: 1, type: T_I32, value: type },
    { id: 2, type: T_I32, value: raw.length },
    { id: 3, type: T_I32, value: body.length },
    { id: 4, type: T_I32, value: pageCrc(body) },
  ]);
  if (type === DICTIONARY_PAGE) {
    h.set(7, T_STRUCT, new TStruct([{ id: 1, type: T_I32, value: values }, { id: 2, type: T_I32, value: PLAIN }, { id: 3, type: T_TRUE, value: false }]));
  } else {
    h.set(8, T_STRUCT, new TStruct([
      { id: 1, type: T_I32, value: values }, { id: 2, type: T_I32, value: 0 }, { id: 3, type: T_I32, value: values },
      { id: 4, type: T_I32, value: encoding }, { id: 5, type: T_I32, value: 0 }, { id: 6, type: T_I32, value: 0 },
      { id: 7, type: T_TRUE, value: compressed },
    ]));
  }
  return { header: encodeStruct(h), body, rawLen: raw.length };
}

const i64 = (v: number) => BigInt(v);
const listOf = (type: number, items: (number | bigint | boolean | Uint8Array | TStruct)[]) => new TList(type, items);

/** The chunk of column `name` over rows [0, n), its first page at file offset `pos`. */
export function writeChunk(name: string, d: ColumnData, n: number, pos: number): Chunk {
  const order = orderOf(d);
  const pages = encodePages(d, n);
  const parts: Uint8Array[] = [];
  const locations: TStruct[] = [];
  const dataPages: Page[] = [];
  let at = pos, uncompressed = 0, dictAt = -1, dataAt = -1;
  for (const p of pages) {
    const { header, body } = p;
    parts.push(header, body);
    if (p.type === DICTIONARY_PAGE) dictAt = at;
    else {
      if (dataAt < 0) dataAt = at;
      dataPages.push(p);
      locations.push(new TStruct([
        { id: 1, type: T_I64, value: i64(at) }, { id: 2, type: T_I32, value: header.length + body.length }, { id: 3, type: T_I64, value: i64(p.firstRow) },
      ]));
    }
    at += header.length + body.length;
    uncompressed += header.length + p.rawLen;
  }
  const stats = dataPages.map((p) => p.stats!);
  const all = mergeMinMax(order, stats);
  const varBytes = d.kind === 'utf8' ? dataPages.reduce((a, p) => a + (p.varBytes ?? 0), 0) : undefined;
  const meta = columnMeta(name, d, n, pages, { size: at - pos, uncompressed, dictAt, dataAt, stats: all, varBytes });
  const ci = new TStruct([
    { id: 1, type: T_LIST, value: listOf(T_TRUE, stats.map(() => false)) },
    { id: 2, type: T_LIST, value: listOf(T_BINARY, stats.map((s) => s.min)) },
    { id: 3, type: T_LIST, value: listOf(T_BINARY, stats.map((s) => s.max)) },
    { id: 4, type: T_I32, value: boundaryOrder(order, stats) },
    { id: 5, type: T_LIST, value: listOf(T_I64, stats.map(() => 0n)) },
  ]);
  const oi = new TStruct([{ id: 1, type: T_LIST, value: listOf(T_STRUCT, locations) }]);
  if (varBytes !== undefined) oi.set(2, T_LIST, listOf(T_I64, dataPages.map((p) => i64(p.varBytes ?? 0))));
  return { parts, size: at - pos, uncompressed, meta, columnIndex: encodeStruct(ci), offsetIndex: encodeStruct(oi) };
}

interface ChunkFacts {
  size: number;
  uncompressed: number;
  dictAt: number;
  dataAt: number;
  stats: MinMax;
  varBytes?: number;
}

/** ColumnMetaData as parquet-rs fills it (encodings sorted, RLE for the absent levels included). */
function columnMeta(name: string, d: ColumnData, n: number, pages: Page[], f: ChunkFacts): TStruct {
  const data = pages.filter((p) => p.type !== DICTIONARY_PAGE);
  const encodings = [...new Set([RLE, ...pages.map((p) => p.encoding)])].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (const p of data) counts.set(p.encoding, (counts.get(p.encoding) ?? 0) + 1);
  const encStats = [...counts].map(([enc, count]) => new TStruct([{ id: 1, type: T_I32, value: DATA_PAGE_V2 }, { id: 2, type: T_I32, value: enc }, { id: 3, type: T_I32, value: count }]));
  if (f.dictAt >= 0) encStats.push(new TStruct([{ id: 1, type: T_I32, value: DICTIONARY_PAGE }, { id: 2, type: T_I32, value: PLAIN }, { id: 3, type: T_I32, value: 1 }]));
  const md = new TStruct([
    { id: 1, type: T_I32, value: physicalOf(d) },
    { id: 2, type: T_LIST, value: listOf(T_I32, encodings) },
    { id: 3, type: T_LIST, value: listOf(T_BINARY, [Buffer.from(name, 'utf8')]) },
    { id: 4, type: T_I32, value: ZSTD },
    { id: 5, type: T_I64, value: i64(n) },
    { id: 6, type: T_I64, value: i64(f.uncompressed) },
    { id: 7, type: T_I64, value: i64(f.size) },
    { id: 9, type: T_I64, value: i64(f.dataAt) },
  ]);
  if (f.dictAt >= 0) md.set(11, T_I64, i64(f.dictAt));
  md.set(12, T_STRUCT, new TStruct([
    { id: 3, type: T_I64, value: 0n }, { id: 5, type: T_BINARY, value: f.stats.max }, { id: 6, type: T_BINARY, value: f.stats.min },
    { id: 7, type: T_TRUE, value: true }, { id: 8, type: T_TRUE, value: true },
  ]));
  md.set(13, T_LIST, listOf(T_STRUCT, encStats));
  if (f.varBytes !== undefined) md.set(16, T_STRUCT, new TStruct([{ id: 1, type: T_I64, value: i64(f.varBytes) }]));
  return md;
}
