// A day's Parquet file written from blocks encoded in parallel. Each block becomes a complete small
// Parquet file (one row group) on an encoder worker thread; its column chunks are appended to the
// day's file in block order, and the footers are joined into one: offsets shifted, the page indexes
// (column and offset indexes) moved after the last row group as parquet-rs places them, the row
// groups listed in order. The result is the file one writer would have produced, with the same
// encodings, statistics and page indexes, while the encoding of several row groups runs at once.
// Memory stays bounded: at most MAX_INFLIGHT blocks per file are being encoded or waiting.
import { availableParallelism } from 'node:os';
import { open, type FileHandle } from 'node:fs/promises';
import { recycleBuffers, type Block } from '../blocks/block.js';
import { blockBuffers, encodeBlock, parquetWriter, type EncodeSpec } from './encode.js';
import type { EncodeReply, EncodeRequest } from './encode-worker.js';
import { ThreadPool, startWorker } from '../jobs/pool.js';
import { TList, TStruct, T_I16, T_I32, T_I64, T_LIST, T_STRUCT, decodeStruct, encodeStruct } from './thrift.js';

const MAGIC = Buffer.from('PAR1');
/** Blocks below this many rows are encoded on the calling thread (no worker start for small files). */
const INLINE_ROWS = 20_000;

function workerCount(): number {
  const env = process.env.CB_ENCODE_WORKERS;
  if (env !== undefined && env !== '') return Math.max(0, Math.floor(Number(env)) || 0);
  // The calling thread parses and normalises while the encoders run: one encoder per remaining core,
  // at most two. On 2 cores one encoder was as fast as two (measured: 3.5 s vs 3.7-4.4 s for 2M
  // trades) and each encoder thread costs tens of MB (its heap, and a parquet-wasm instance for the
  // types the own writer does not write: engine/parquet/wasm.ts).
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

/** Encoder threads shared by every writer of the process (jobs/pool.ts); small blocks are encoded inline. */
class EncoderPool {
  private threads: ThreadPool<EncodeRequest, EncodeReply>;

  constructor(private size: number) {
    this.threads = new ThreadPool(() => startWorker(import.meta.url, './encode-worker'), { size });
  }

  encode(spec: EncodeSpec, block: Block): Promise<Uint8Array> {
    if (this.size === 0 || block.n < INLINE_ROWS) {
      try {
        return Promise.resolve(encodeBlock(spec, block));
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    // The block's buffers come back with the part: the next row groups are built in them.
    return this.threads.run({ spec, block }, blockBuffers(block)).then((r) => {
      recycleBuffers(r.buffers);
      return r.part;
    });
  }
}

let pool: EncoderPool | null = null;
const getPool = () => (pool ??= new EncoderPool(workerCount()));

/** Column chunk offsets (ColumnChunk / ColumnMetaData field ids) that point into the file. */
const CC_FILE_OFFSET = 2, CC_META = 3, CC_OI_OFFSET = 4, CC_OI_LEN = 5, CC_CI_OFFSET = 6, CC_CI_LEN = 7;
const MD_OFFSETS = [9, 10, 11, 14]; // data_page, index_page, dictionary_page, bloom_filter
const FMD_NUM_ROWS = 3, FMD_ROW_GROUPS = 4, FMD_KV = 5;
const RG_COLUMNS = 1, RG_FILE_OFFSET = 5, RG_ORDINAL = 7;

function shiftField(s: TStruct, id: number, by: bigint): void {
  const v = s.i64(id);
  if (v !== undefined && v > 0n) s.set(id, T_I64, v + by);
}

interface ChunkIndex {
  cc: TStruct;
  columnIndex?: Uint8Array;
  /** encoded as soon as its offsets are shifted: a day's thousands of page locations as objects grew the heap */
  offsetIndex?: Uint8Array;
}

export class ParallelParquetWriter {
  private fh: Promise<FileHandle>;
  private pos = 4;
  private template: TStruct | null = null;
  private rowGroups: TStruct[] = [];
  private indexes: ChunkIndex[] = [];
  private links: Promise<void>[] = [];
  private failed: unknown = null;
  private closed = false;
  rows = 0;
  /** blocks per file being encoded or waiting to be appended (each holds a row group in memory) */
  static MAX_INFLIGHT = Math.max(2, workerCount() + 1);

  constructor(private path: string, private spec: EncodeSpec) {
    this.spec = { ...spec, writer: spec.writer ?? parquetWriter() };
    this.fh = open(path, 'w').then(async (fh) => {
      await fh.write(MAGIC, 0, 4, 0);
      return fh;
    });
    this.fh.catch((e) => (this.failed ??= e));
  }

  /** Queues a block for encoding. The block's buffers are handed over: the caller must not use it afterwards. */
  async write(block: Block): Promise<void> {
    if (this.failed) throw this.failed;
    if (block.n === 0) return;
    this.rows += block.n;
    const part = getPool().encode(this.spec, block);
    part.catch(() => undefined); // handled by the link below, in order
    const prev = this.links[this.links.length - 1] ?? Promise.resolve();
    this.links.push(prev.then(async () => {
      if (this.failed) return;
      try {
        await this.append(await part);
      } catch (e) {
        this.failed ??= e;
      }
    }));
    while (this.links.length > ParallelParquetWriter.MAX_INFLIGHT) await this.links.shift();
    if (this.failed) throw this.failed;
  }

  /** Appends an encoded part's row group(s) to the file. */
  private async append(part: Uint8Array): Promise<void> {
    const view = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    const len = view.length;
    if (len < 12 || view.toString('latin1', len - 4) !== 'PAR1') throw new Error('encoder returned an invalid Parquet part');
    const footerLen = view.readUInt32LE(len - 8);
    const footerStart = len - 8 - footerLen;
    const footer = decodeStruct(view.subarray(footerStart, len - 8));
    const rgs = (footer.list(FMD_ROW_GROUPS)?.items ?? []) as TStruct[];
    // The column chunks come first; the page indexes (if any) sit between them and the footer.
    let dataEnd = footerStart;
    for (const rg of rgs) {
      for (const cc of rg.list(RG_COLUMNS)!.items as TStruct[]) {
        for (const id of [CC_OI_OFFSET, CC_CI_OFFSET]) {
          const v = cc.i64(id);
          if (v !== undefined && v > 0n) dataEnd = Math.min(dataEnd, Number(v));
        }
      }
    }
    const fh = await this.fh;
    const shift = BigInt(this.pos - 4);
    await fh.write(view, 4, dataEnd - 4, this.pos);
    this.pos += dataEnd - 4;
    this.template ??= footer;
    for (const rg of rgs) {
      shiftField(rg, RG_FILE_OFFSET, shift);
      rg.set(RG_ORDINAL, T_I16, this.rowGroups.length);
      for (const cc of rg.list(RG_COLUMNS)!.items as TStruct[]) {
        shiftField(cc, CC_FILE_OFFSET, shift);
        const md = cc.struct(CC_META);
        if (md) for (const id of MD_OFFSETS) shiftField(md, id, shift);
        const entry: ChunkIndex = { cc };
        const ci = cc.i64(CC_CI_OFFSET), ciLen = cc.get(CC_CI_LEN);
        if (ci !== undefined && typeof ciLen === 'number') entry.columnIndex = part.slice(Number(ci), Number(ci) + ciLen);
        const oi = cc.i64(CC_OI_OFFSET), oiLen = cc.get(CC_OI_LEN);
        if (oi !== undefined && typeof oiLen === 'number') {
          const idx = decodeStruct(part.subarray(Number(oi), Number(oi) + oiLen));
          for (const loc of (idx.list(1)?.items ?? []) as TStruct[]) shiftField(loc, 1, shift);
          entry.offsetIndex = encodeStruct(idx);
        }
        for (const id of [CC_OI_OFFSET, CC_OI_LEN, CC_CI_OFFSET, CC_CI_LEN]) cc.delete(id);
        this.indexes.push(entry);
      }
      this.rowGroups.push(rg);
    }
  }

  /** Waits for every block, writes the page indexes and the footer. Returns the rows written. */
  async close(): Promise<number> {
    if (this.closed) throw new Error('writer already closed');
    this.closed = true;
    for (const l of this.links) await l;
    this.links = [];
    const fh = await this.fh.catch(() => null);
    try {
      if (this.failed) throw this.failed;
      if (!this.template || !fh) throw new Error('nothing was written');
      const tail: Uint8Array[] = [];
      let pos = this.pos;
      // parquet-rs order: all column indexes, then all offset indexes, then the footer.
      for (const e of this.indexes) {
        if (!e.columnIndex) continue;
        e.cc.set(CC_CI_OFFSET, T_I64, BigInt(pos));
        e.cc.set(CC_CI_LEN, T_I32, e.columnIndex.length);
        tail.push(e.columnIndex);
        pos += e.columnIndex.length;
      }
      for (const e of this.indexes) {
        if (!e.offsetIndex) continue;
        const b = e.offsetIndex;
        e.cc.set(CC_OI_OFFSET, T_I64, BigInt(pos));
        e.cc.set(CC_OI_LEN, T_I32, b.length);
        tail.push(b);
        pos += b.length;
      }
      const footer = this.template;
      footer.set(FMD_NUM_ROWS, T_I64, BigInt(this.rows));
      footer.set(FMD_ROW_GROUPS, T_LIST, new TList(T_STRUCT, this.rowGroups));
      // Key/value pairs in key order (parquet-rs takes them from a hash map): the same rows give the same bytes.
      const kv = footer.list(FMD_KV);
      if (kv) {
        const key = (s: TStruct) => Buffer.from(s.get(1) as Uint8Array).toString('latin1');
        kv.items.sort((a, b) => (key(a as TStruct) < key(b as TStruct) ? -1 : key(a as TStruct) > key(b as TStruct) ? 1 : 0));
      }
      const fb = encodeStruct(footer);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(fb.length, 0);
      tail.push(fb, len, MAGIC);
      const all = Buffer.concat(tail);
      await fh.write(all, 0, all.length, this.pos);
      return this.rows;
    } finally {
      await fh?.close();
    }
  }

  /** Stops writing; the caller removes the file. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failed ??= new Error('aborted');
    await Promise.all(this.links).catch(() => undefined);
    this.links = [];
    const fh = await this.fh.catch(() => null);
    await fh?.close().catch(() => undefined);
  }
}
