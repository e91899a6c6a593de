// Parquet page checksums: the optional `crc` field of each page header, the CRC-32 of the page's
// bytes as written (after the header). parquet-wasm's writer cannot set them, so every part an
// encoder produces (encode.ts) is rewritten here with a CRC in each page header: the headers grow by
// a few bytes, and every offset and size that covers them (column metadata, row groups, the offset
// index) moves with them. verify (check-file.ts) recomputes the CRCs and names any page whose bytes
// changed. Anything unexpected in a part leaves it without CRCs (they are optional).
import { crc32 } from 'node:zlib';
import { TList, TStruct, ThriftReader, T_I32, T_I64, T_LIST, T_STRUCT, decodeStruct, encodeStruct } from './thrift.js';

// Thrift field ids (parquet.thrift).
const FMD_ROW_GROUPS = 4;
const RG_COLUMNS = 1, RG_TOTAL_BYTE_SIZE = 2, RG_FILE_OFFSET = 5, RG_TOTAL_COMPRESSED = 6;
const CC_FILE_OFFSET = 2, CC_META = 3, CC_OI_OFFSET = 4, CC_OI_LEN = 5, CC_CI_OFFSET = 6, CC_CI_LEN = 7;
const MD_TOTAL_UNCOMPRESSED = 6, MD_TOTAL_COMPRESSED = 7, MD_DATA_PAGE = 9, MD_INDEX_PAGE = 10, MD_DICT_PAGE = 11;
const PH_COMPRESSED_SIZE = 3, PH_CRC = 4;
const LOC_OFFSET = 1, LOC_SIZE = 2;

/** Page CRC as Parquet stores it: the CRC-32 of `bytes` as a signed 32-bit integer. */
export function pageCrc(bytes: Uint8Array): number {
  return crc32(bytes) | 0;
}

/** Reads the page header at `at`: the header, its length in bytes and the page's compressed size. */
export function readPageHeader(buf: Uint8Array, at: number): { header: TStruct; len: number; size: number } {
  const r = new ThriftReader(buf.subarray(at));
  const header = r.struct();
  const size = header.get(PH_COMPRESSED_SIZE);
  if (typeof size !== 'number' || size < 0) throw new Error(`page header at ${at} has no compressed size`);
  return { header, len: r.pos, size };
}

interface Chunk {
  rg: TStruct;
  cc: TStruct;
  md: TStruct;
  start: number;
  end: number;
}

/** Where the chunk's pages start: the dictionary page if there is one, else the first data page. */
export function chunkStart(md: TStruct): number {
  const dict = md.i64(MD_DICT_PAGE);
  const data = md.i64(MD_DATA_PAGE) ?? 0n;
  return Number(dict !== undefined && dict > 0n && dict < data ? dict : data);
}

/** A part (one small Parquet file in memory) with a CRC in every page header; the part itself when it cannot. */
export function withPageChecksums(part: Uint8Array): Uint8Array {
  try {
    return rewrite(part) ?? part;
  } catch {
    return part;
  }
}

type Moved = Map<number, { to: number; grow: number }>;
interface IndexBlob {
  cc: TStruct;
  at: number;
  bytes: Uint8Array;
  off: number;
  len: number;
}

function rewrite(part: Uint8Array): Uint8Array | null {
  const buf = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  const n = buf.length;
  if (n < 12 || buf.toString('latin1', n - 4) !== 'PAR1') return null;
  const footerLen = buf.readUInt32LE(n - 8);
  const footer = decodeStruct(buf.subarray(n - 8 - footerLen, n - 8));
  const rgs = (footer.list(FMD_ROW_GROUPS)?.items ?? []) as TStruct[];
  const chunks = tiledChunks(rgs);
  if (!chunks) return null;
  const dataEnd = chunks.length ? chunks[chunks.length - 1]!.end : 4;
  // New data region, and where each old page went (offset and header growth).
  const out: Uint8Array[] = [Buffer.from('PAR1')];
  let at = 4;
  const moved: Moved = new Map();
  const growth = new Map<TStruct, bigint>();
  for (const c of chunks) {
    const next = rewriteChunk(buf, c, at, out, moved);
    if (next === null) return null;
    growth.set(c.rg, (growth.get(c.rg) ?? 0n) + BigInt(next - at - (c.end - c.start)));
    at = next;
  }
  fixRowGroups(rgs, moved, growth);
  // The page indexes follow the data, in their old order; the offset indexes point at the moved pages.
  const blobs = pageIndexes(buf, chunks, moved);
  if (!blobs || blobs.some((b) => b.at < dataEnd)) return null;
  for (const b of blobs.sort((x, y) => x.at - y.at)) {
    b.cc.set(b.off, T_I64, BigInt(at));
    b.cc.set(b.len, T_I32, b.bytes.length);
    out.push(b.bytes);
    at += b.bytes.length;
  }
  footer.set(FMD_ROW_GROUPS, T_LIST, new TList(T_STRUCT, rgs));
  const fb = encodeStruct(footer);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(fb.length, 0);
  out.push(fb, len, Buffer.from('PAR1'));
  return Buffer.concat(out);
}

/** The column chunks in footer order; null unless each has its metadata and they tile the data region from byte 4 on. */
function tiledChunks(rgs: TStruct[]): Chunk[] | null {
  const chunks: Chunk[] = [];
  for (const rg of rgs) {
    for (const cc of (rg.list(RG_COLUMNS)?.items ?? []) as TStruct[]) {
      const md = cc.struct(CC_META);
      const total = md?.i64(MD_TOTAL_COMPRESSED);
      if (!md || total === undefined) return null;
      const start = chunkStart(md);
      chunks.push({ rg, cc, md, start, end: start + Number(total) });
    }
  }
  let pos = 4;
  for (const c of chunks) {
    if (c.start !== pos) return null;
    pos = c.end;
  }
  return chunks;
}

/**
 * Writes the chunk's pages, each header with its CRC, to `out` from offset `at`; records where each
 * page went in `moved` and fixes the chunk's sizes and page offsets. Returns where the next chunk
 * starts, or null when a page runs past the chunk.
 */
function rewriteChunk(buf: Buffer, c: Chunk, at: number, out: Uint8Array[], moved: Moved): number | null {
  const newStart = at;
  for (let p = c.start; p < c.end;) {
    const { header, len, size } = readPageHeader(buf, p);
    if (p + len + size > c.end) return null;
    const body = buf.subarray(p + len, p + len + size);
    header.set(PH_CRC, T_I32, pageCrc(body));
    const h = encodeStruct(header);
    moved.set(p, { to: at, grow: h.length - len });
    out.push(h, body);
    at += h.length + size;
    p += len + size;
  }
  const grow = BigInt(at - newStart - (c.end - c.start));
  for (const id of [MD_TOTAL_COMPRESSED, MD_TOTAL_UNCOMPRESSED]) {
    const v = c.md.i64(id);
    if (v !== undefined) c.md.set(id, T_I64, v + grow);
  }
  for (const id of [MD_DATA_PAGE, MD_INDEX_PAGE, MD_DICT_PAGE]) {
    const v = c.md.i64(id);
    if (v !== undefined && v > 0n) c.md.set(id, T_I64, BigInt(moved.get(Number(v))?.to ?? Number(v)));
  }
  const fo = c.cc.i64(CC_FILE_OFFSET);
  if (fo !== undefined && fo > 0n) c.cc.set(CC_FILE_OFFSET, T_I64, BigInt(moved.get(Number(fo))?.to ?? newStart));
  return at;
}

/**
 * The chunks' column and offset indexes as they will be written: column indexes as they are, offset
 * indexes pointing at the moved pages. Null when an offset index names a page that is not there.
 */
function pageIndexes(buf: Buffer, chunks: Chunk[], moved: Moved): IndexBlob[] | null {
  const blobs: IndexBlob[] = [];
  for (const c of chunks) {
    const ci = c.cc.i64(CC_CI_OFFSET), ciLen = c.cc.get(CC_CI_LEN);
    if (ci !== undefined && typeof ciLen === 'number') blobs.push({ cc: c.cc, at: Number(ci), bytes: buf.subarray(Number(ci), Number(ci) + ciLen), off: CC_CI_OFFSET, len: CC_CI_LEN });
    const oi = c.cc.i64(CC_OI_OFFSET), oiLen = c.cc.get(CC_OI_LEN);
    if (oi !== undefined && typeof oiLen === 'number') {
      const idx = decodeStruct(buf.subarray(Number(oi), Number(oi) + oiLen));
      for (const loc of (idx.list(1)?.items ?? []) as TStruct[]) {
        const m = moved.get(Number(loc.i64(LOC_OFFSET) ?? -1n));
        if (!m) return null;
        loc.set(LOC_OFFSET, T_I64, BigInt(m.to));
        loc.set(LOC_SIZE, T_I32, (loc.get(LOC_SIZE) as number) + m.grow);
      }
      blobs.push({ cc: c.cc, at: Number(oi), bytes: encodeStruct(idx), off: CC_OI_OFFSET, len: CC_OI_LEN });
    }
  }
  return blobs;
}

/** Row group offsets and sizes after the pages grew (sizes include the page headers). */
function fixRowGroups(rgs: TStruct[], moved: Moved, growth: Map<TStruct, bigint>): void {
  for (const rg of rgs) {
    const fo = rg.i64(RG_FILE_OFFSET);
    const m = fo !== undefined ? moved.get(Number(fo)) : undefined;
    if (m) rg.set(RG_FILE_OFFSET, T_I64, BigInt(m.to));
    const g = growth.get(rg) ?? 0n;
    for (const id of [RG_TOTAL_BYTE_SIZE, RG_TOTAL_COMPRESSED]) {
      const v = rg.i64(id);
      if (v !== undefined) rg.set(id, T_I64, v + g);
    }
  }
}
