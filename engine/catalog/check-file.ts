// One catalog file checked through and through (runs on a read-worker thread, see read-pool.ts):
// magic bytes at both ends, the footer decoded, every page of every column decoded, each row
// group's and each page's statistics compared with the decoded values, and the row-level rules of
// the format (sorted ts_init inside the file name's interval, values on the precision grid, and
// the type's own rules from engine/datatypes/, e.g. trade_tick's aggressor sides and trade ids).
// Problems are returned as text naming the file (`where`).
import * as A from 'apache-arrow';
import type * as PW from 'parquet-wasm/node';
import { parquetWasm } from '../parquet/wasm.js';
import { openAsBlob } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ColumnStats, kindOf } from '../parquet/colstats.js';
import { chunkStart, pageCrc, readPageHeader } from '../parquet/crc.js';
import { readRaw } from '../numbers/fixed.js';
import { nsToIso } from './paths.js';
import { TStruct, T_I32, decodeStruct } from '../parquet/thrift.js';
import { KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, folderSpecOf, type FolderSpec, type RowCheck } from '../datatypes/index.js';

export interface FileCheckRequest {
  path: string;
  /** how the file is named in messages, e.g. data/trade_tick/<id>/<name> */
  where: string;
  /** the type folder (trade_tick, ...) */
  type: string;
  /** the interval of the file name; null when the name is not canonical */
  start: bigint | null;
  end: bigint | null;
}

export interface FileCheckResult {
  errors: string[];
  warnings: string[];
  rows: number;
  first?: bigint;
  last?: bigint;
  /** byte width of the fixed-point columns, null without one */
  width: number | null;
  /** `name:type:null|req` of every schema field */
  fields: string[];
  meta: [string, string][];
}

const MAGIC = 'PAR1';
/** At most this many statistics problems per file are listed (a damaged footer can give thousands). */
const MAX_STAT_ERRORS = 8;
// Thrift field ids (parquet.thrift).
const FMD_NUM_ROWS = 3, FMD_ROW_GROUPS = 4;
const RG_COLUMNS = 1, RG_NUM_ROWS = 3;
const CC_META = 3, CC_OI_OFFSET = 4, CC_OI_LEN = 5, CC_CI_OFFSET = 6, CC_CI_LEN = 7;
const MD_PATH = 3, MD_NUM_VALUES = 5, MD_TOTAL_COMPRESSED = 7, MD_STATS = 12;
const PH_CRC = 4;
const ST_NULLS = 3, ST_MAX = 5, ST_MIN = 6, ST_MAX_EXACT = 7, ST_MIN_EXACT = 8;
/** parquet-rs truncates byte-array column index values to this many bytes */
const CI_TRUNCATE = 64;

type Bytes = (at: bigint, len: number) => Promise<Uint8Array>;

/** Reads the footer (and checks both magic numbers) with plain file reads, before parquet-wasm sees the file. */
async function readFooter(fh: FileHandle, errors: string[]): Promise<{ footer: TStruct | null; bytes: Bytes }> {
  const { size } = await fh.stat();
  // Reads inside the file before the footer length (page indexes, pages).
  const bytes: Bytes = async (at, n) => {
    if (at < 0n || n < 0 || Number(at) + n > size - 8) throw new Error(`points outside the file (${at}+${n})`);
    const b = Buffer.alloc(n);
    await fh.read(b, 0, n, Number(at));
    return b;
  };
  const read = async (at: number, len: number) => {
    const b = Buffer.alloc(len);
    const { bytesRead } = await fh.read(b, 0, len, at);
    return b.subarray(0, bytesRead);
  };
  if (size < 12) {
    errors.push(`is ${size} bytes, too short for a Parquet file`);
    return { footer: null, bytes };
  }
  const head = (await read(0, 4)).toString('latin1');
  const tail = await read(size - 8, 8);
  if (head !== MAGIC) errors.push(`does not start with the Parquet magic bytes PAR1 (found ${JSON.stringify(head)})`);
  if (tail.toString('latin1', 4) !== MAGIC) errors.push(`does not end with the Parquet magic bytes PAR1 (found ${JSON.stringify(tail.toString('latin1', 4))})`);
  const len = tail.readUInt32LE(0);
  if (len + 12 > size) {
    errors.push(`footer length ${len} does not fit in the file (${size} bytes)`);
    return { footer: null, bytes };
  }
  try {
    return { footer: decodeStruct(await read(size - 8 - len, len)), bytes };
  } catch (e) {
    errors.push(`footer cannot be decoded (${(e as Error).message})`);
    return { footer: null, bytes };
  }
}

/** Decoded values of one column chunk against its footer statistics and its column index. */
class ChunkCheck {
  readonly total: ColumnStats;
  readonly pages: ColumnStats[] = [];
  private firstRows: number[] = [0];
  private columnIndex: TStruct | null = null;
  private page = 0;

  constructor(readonly name: string, readonly kind: NonNullable<ReturnType<typeof kindOf>>, readonly cc: TStruct) {
    this.total = new ColumnStats(kind);
  }

  async loadIndexes(bytes: Bytes, problems: string[]): Promise<void> {
    const ci = this.cc.i64(CC_CI_OFFSET), ciLen = this.cc.get(CC_CI_LEN);
    const oi = this.cc.i64(CC_OI_OFFSET), oiLen = this.cc.get(CC_OI_LEN);
    if (ci === undefined || oi === undefined || typeof ciLen !== 'number' || typeof oiLen !== 'number') return;
    try {
      const offsetIndex = decodeStruct(await bytes(oi, oiLen));
      this.columnIndex = decodeStruct(await bytes(ci, ciLen));
      const locs = (offsetIndex.list(1)?.items ?? []) as TStruct[];
      this.firstRows = locs.map((l) => Number(l.i64(3) ?? -1n));
      if (this.firstRows[0] !== 0 || this.firstRows.some((r, k) => k > 0 && r <= this.firstRows[k - 1]!)) throw new Error(`first rows of the pages are ${this.firstRows.slice(0, 8).join(', ')}`);
    } catch (e) {
      problems.push(`column ${this.name}: the page index cannot be decoded (${(e as Error).message})`);
      this.columnIndex = null;
      this.firstRows = [0];
    }
    for (let k = 0; k < this.firstRows.length; k++) this.pages.push(new ColumnStats(this.kind));
  }

  /** Adds rows [at, at + d.length) of the row group (row numbers within it; they only grow). */
  add(d: A.Data, at: number): void {
    this.total.add(d, 0, d.length);
    if (!this.pages.length) return;
    // Split the chunk at page boundaries (the offset index's first row of each page).
    let i = 0;
    while (i < d.length) {
      while (this.page + 1 < this.firstRows.length && this.firstRows[this.page + 1]! <= at + i) this.page++;
      const next = this.page + 1 < this.firstRows.length ? this.firstRows[this.page + 1]! - at : d.length;
      const end = Math.min(d.length, next);
      this.pages[this.page]!.add(d, i, end);
      i = end;
    }
  }

  /** Problems found, each prefixed with the column (and page) it concerns. */
  finish(rgRows: number): string[] {
    const out: string[] = [];
    const md = this.cc.struct(CC_META);
    const nv = md?.i64(MD_NUM_VALUES);
    if (nv !== undefined && nv !== BigInt(rgRows)) out.push(`column ${this.name}: footer says ${nv} values, the row group has ${rgRows} rows`);
    const st = md?.struct(MD_STATS);
    if (st) {
      const claim = {
        min: st.get(ST_MIN) as Uint8Array | undefined, max: st.get(ST_MAX) as Uint8Array | undefined, nulls: st.i64(ST_NULLS),
        minExact: st.get(ST_MIN_EXACT) as boolean | undefined, maxExact: st.get(ST_MAX_EXACT) as boolean | undefined,
      };
      for (const p of this.total.compare(claim)) out.push(`column ${this.name}: footer statistics say ${p}`);
    }
    if (this.columnIndex) out.push(...this.comparePages());
    return out;
  }

  private comparePages(): string[] {
    const out: string[] = [];
    const ci = this.columnIndex!;
    const nullPages = (ci.list(1)?.items ?? []) as boolean[];
    const mins = (ci.list(2)?.items ?? []) as Uint8Array[];
    const maxs = (ci.list(3)?.items ?? []) as Uint8Array[];
    const nulls = ci.list(5)?.items as bigint[] | undefined;
    if (nullPages.length !== this.pages.length || mins.length !== this.pages.length || maxs.length !== this.pages.length) {
      return [`column ${this.name}: the column index lists ${nullPages.length} pages, the offset index ${this.pages.length}`];
    }
    this.pages.forEach((pg, k) => {
      const allNull = pg.rows > 0 && pg.nulls === pg.rows;
      if (nullPages[k] !== allNull) out.push(`column ${this.name} page ${k}: column index says ${nullPages[k] ? 'all null' : 'not all null'}, the values are ${allNull ? 'all null' : 'not all null'}`);
      if (nullPages[k]) return;
      // Byte-array values at the truncation length only bound the page's values.
      const trunc = (b: Uint8Array) => pg.kind !== 'bytes' || b.length < CI_TRUNCATE;
      const claim = { min: mins[k], max: maxs[k], nulls: nulls?.[k], minExact: trunc(mins[k]!), maxExact: trunc(maxs[k]!) };
      for (const p of pg.compare(claim)) out.push(`column ${this.name} page ${k}: column index says ${p}`);
    });
    return out;
  }
}

/** The format's row-level rules, streamed batch by batch. */
class RowRules {
  private prev: bigint | undefined;
  private unsortedReported = false;
  private outsideReported = false;
  private offGrid = 0;
  /** the folder type's own row rules */
  private typeRules: RowCheck | undefined;
  private pb: FolderSpec['fixedColumns'];
  rows = 0;
  first: bigint | undefined;
  last: bigint | undefined;
  private gridP: bigint | null;
  private gridS: bigint | null;
  private F: number;

  constructor(private req: FileCheckRequest, private errors: string[], private width: number | null, meta: Map<string, string>, spec: FolderSpec | undefined) {
    this.F = width === 8 ? 9 : 16;
    this.pb = spec?.fixedColumns;
    this.typeRules = spec?.rowCheck?.();
    const pp = meta.has(KEY_PRICE_PRECISION) ? Number(meta.get(KEY_PRICE_PRECISION)) : undefined;
    const sp = meta.has(KEY_SIZE_PRECISION) ? Number(meta.get(KEY_SIZE_PRECISION)) : undefined;
    this.gridP = pp !== undefined ? 10n ** BigInt(Math.max(0, this.F - pp)) : null;
    this.gridS = sp !== undefined ? 10n ** BigInt(Math.max(0, this.F - sp)) : null;
  }

  add(b: A.RecordBatch): void {
    const { req, errors } = this;
    const ts = b.getChild('ts_init');
    if (ts) {
      for (const d of ts.data) {
        const vals = d.values as BigUint64Array;
        for (let i = 0; i < d.length; i++) {
          const t = vals[i]!;
          if (this.prev !== undefined && t < this.prev && !this.unsortedReported) {
            errors.push(`rows are not sorted by ts_init (row ${this.rows + i}: ${nsToIso(t)} after ${nsToIso(this.prev)})`);
            this.unsortedReported = true;
          }
          if (req.start !== null && req.end !== null && (t < req.start || t > req.end) && !this.outsideReported) {
            errors.push(`ts_init ${nsToIso(t)} lies outside the interval in the file name`);
            this.outsideReported = true;
          }
          this.prev = t;
          if (this.first === undefined || t < this.first) this.first = t;
          if (this.last === undefined || t > this.last) this.last = t;
        }
      }
    }
    this.typeRules?.add(b);
    if (this.pb && this.width !== null) this.grid(b, this.width as 8 | 16);
    this.rows += b.numRows;
  }

  private grid(b: A.RecordBatch, w: 8 | 16): void {
    for (const [cols, grid, signed] of [[this.pb!.signed, this.gridP, true], [this.pb!.unsigned, this.gridS, false]] as const) {
      if (!grid || grid === 1n) continue;
      for (const name of cols) {
        const col = b.getChild(name);
        if (!col) continue;
        for (const d of col.data) {
          const bytes = d.values as Uint8Array;
          for (let i = 0; i < d.length; i++) if (readRaw(bytes, i * w, w, signed) % grid !== 0n) this.offGrid++;
        }
      }
    }
  }

  finish(): void {
    this.errors.push(...(this.typeRules?.finish() ?? []));
    if (this.offGrid) this.errors.push(`${this.offGrid} values are not multiples of 10^(${this.F}-precision); they do not match the metadata precision`);
  }
}

export async function checkFile(req: FileCheckRequest): Promise<FileCheckResult> {
  const problems: string[] = [];
  const res: FileCheckResult = { errors: problems, warnings: [], rows: 0, width: null, fields: [], meta: [] };
  const fh = await open(req.path, 'r');
  try {
    const { footer, bytes } = await readFooter(fh, problems);
    await decodeAll(req, res, footer, bytes);
  } catch (e) {
    // A trap leaves parquet-wasm in an unknown state: the pool replaces this thread (read-pool.ts).
    if (e instanceof WebAssembly.RuntimeError) throw e;
    problems.push(`cannot be read as Parquet (${(e as Error).message})`);
  } finally {
    await fh.close();
  }
  res.errors = problems.map((p) => `${req.where}: ${p}`);
  res.warnings = res.warnings.map((p) => `${req.where}: ${p}`);
  return res;
}

/** Decodes every row group through parquet-wasm, with the row rules and the statistics checks. */
async function decodeAll(req: FileCheckRequest, res: FileCheckResult, footer: TStruct | null, bytes: Bytes): Promise<void> {
  const problems = res.errors;
  const file = await parquetWasm().ParquetFile.fromFile((await openAsBlob(req.path)) as never);
  try {
    const md = file.metadata();
    const numRowGroups = md.numRowGroups();
    const schema = A.tableFromIPC(file.schema().intoIPCStream()).schema;
    const fsb = schema.fields.find((x) => A.DataType.isFixedSizeBinary(x.type));
    res.width = fsb ? (fsb.type as A.FixedSizeBinary).byteWidth : null;
    res.fields = schema.fields.map((x) => `${x.name}:${String(x.type)}:${x.nullable ? 'null' : 'req'}`);
    res.meta = [...schema.metadata];
    const rules = new RowRules(req, problems, res.width, schema.metadata, folderSpecOf(req.type));
    const rgs = (footer?.list(FMD_ROW_GROUPS)?.items ?? []) as TStruct[];
    if (footer && rgs.length !== numRowGroups) problems.push(`footer lists ${rgs.length} row groups, the reader ${numRowGroups}`);
    const statProblems: string[] = [];
    for (let g = 0; g < numRowGroups; g++) await checkRowGroup(file, g, schema, rgs[g], rules, bytes, statProblems);
    const total = footer?.i64(FMD_NUM_ROWS);
    if (total !== undefined && total !== BigInt(rules.rows)) problems.push(`footer says ${total} rows in all, ${rules.rows} were decoded`);
    if (statProblems.length) {
      problems.push(...statProblems.slice(0, MAX_STAT_ERRORS).map((p) => `statistics do not match the values (${p})`));
      if (statProblems.length > MAX_STAT_ERRORS) problems.push(`${statProblems.length - MAX_STAT_ERRORS} more statistics problems`);
    }
    rules.finish();
    res.rows = rules.rows;
    res.first = rules.first;
    res.last = rules.last;
    if (!schema.fields.some((f) => f.name === 'ts_init')) problems.push('no ts_init column');
    if (res.rows === 0) res.warnings.push('holds no rows');
  } finally {
    file.free();
  }
}

/** Decodes row group `g` column by column, page by page, and compares its statistics with the values. */
async function checkRowGroup(file: PW.ParquetFile, g: number, schema: A.Schema, rg: TStruct | undefined, rules: RowRules, bytes: Bytes, statProblems: string[]): Promise<void> {
  const ccs = (rg?.list(RG_COLUMNS)?.items ?? []) as TStruct[];
  const chunks = await Promise.all(schema.fields.map(async (f, j) => {
    const kind = kindOf(f.type);
    const cc = ccs[j];
    const path = cc?.struct(CC_META)?.list(MD_PATH)?.items.map((x) => Buffer.from(x as Uint8Array).toString('utf8')).join('.');
    if (!kind || !cc || path !== f.name) return null;
    await checkPageCrcs(cc, `row group ${g} column ${f.name}`, bytes, statProblems);
    const c = new ChunkCheck(f.name, kind, cc);
    await c.loadIndexes(bytes, statProblems);
    return c;
  }));
  let at = 0;
  const stream = await file.stream({ rowGroups: [g], batchSize: 65_536 } as never);
  for await (const rb of stream as unknown as AsyncIterable<PW.RecordBatch>) {
    for (const b of A.tableFromIPC(rb.intoIPCStream()).batches) {
      rules.add(b);
      schema.fields.forEach((f, j) => {
        let row = at;
        for (const d of b.getChild(f.name)?.data ?? []) {
          chunks[j]?.add(d, row);
          row += d.length;
        }
      });
      at += b.numRows;
    }
  }
  const claimed = rg?.i64(RG_NUM_ROWS);
  if (claimed !== undefined && claimed !== BigInt(at)) statProblems.push(`row group ${g}: footer says ${claimed} rows, ${at} were decoded`);
  for (const c of chunks) if (c) statProblems.push(...c.finish(at).map((p) => `row group ${g} ${p}`));
}

/** Reads the page header at file offset `at`, reading more of the file only as long as the header needs. */
async function headerAt(bytes: Bytes, at: number, end: number): Promise<ReturnType<typeof readPageHeader>> {
  for (let window = 256; ; window *= 4) {
    const n = Math.min(window, end - at);
    try {
      return readPageHeader(await bytes(BigInt(at), n), 0);
    } catch (e) {
      // Only a header cut short by the window is worth a longer read.
      if (n === end - at || !/unexpected end/.test((e as Error).message) || window > 1 << 24) throw e;
    }
  }
}

/** Recomputes the CRC of every page whose header carries one (crc.ts writes them), one page at a time. */
async function checkPageCrcs(cc: TStruct, what: string, bytes: Bytes, problems: string[]): Promise<void> {
  const md = cc.struct(CC_META);
  const total = md?.i64(MD_TOTAL_COMPRESSED);
  if (!md || total === undefined) return;
  const start = chunkStart(md);
  const end = start + Number(total);
  let bad = 0, first = -1;
  for (let p = start; p < end;) {
    let h;
    try {
      h = await headerAt(bytes, p, end);
    } catch (e) {
      problems.push(`${what}: page header at byte ${p} cannot be read (${(e as Error).message})`);
      return;
    }
    // Integer fields written as another integer type decode to the same values but are not what a writer writes.
    const odd = h.header.fields.find((f) => f.id <= PH_CRC && f.type !== T_I32);
    if (odd) problems.push(`${what}: page header at byte ${p}: field ${odd.id} has thrift type ${odd.type}, not i32; the header was altered`);
    if (p + h.len + h.size > end) {
      problems.push(`${what}: page at byte ${p} runs past the end of its column chunk`);
      return;
    }
    const crc = h.header.get(PH_CRC);
    if (typeof crc === 'number' && crc !== pageCrc(await bytes(BigInt(p + h.len), h.size))) {
      if (first < 0) first = p;
      bad++;
    }
    p += h.len + h.size;
  }
  if (bad) problems.push(`${what}: ${bad} page(s) fail their CRC check (first at byte ${first}); their bytes changed after they were written`);
}
