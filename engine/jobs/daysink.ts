// One output file per (data type, UTC day). Rows arrive in blocks; while they come in ts_init order
// (the usual case: Tardis and Binance files are sorted) each block streams straight into the day's
// Parquet file. On the first block that would break the order, what was written becomes a sorted
// run on disk and the day switches to sorted runs merged at the end. Either way memory is bounded,
// and the file is committed atomically only when complete.
import { join } from 'node:path';
import type * as A from 'apache-arrow';
import type { DataType } from '../../shared/job.js';
import type { DayState } from '../../shared/progress.js';
import { BlockBuilder, headOf, sliceBlock, sortBlock, type Block, type Layout } from '../blocks/block.js';
import { removeQuietly } from '../catalog/atomic.js';
import { commitCatalogFile } from '../catalog/manifest.js';
import type { FixedMode } from '../numbers/fixed.js';
import { readParquetBatches, readParquetInfo, type Codec } from '../parquet/parquet.js';
import { ParallelParquetWriter } from '../parquet/pwriter.js';
import { dataTypeOf } from '../datatypes/index.js';
import { mergeRuns, writeRun } from '../blocks/spill.js';
import { emptyStats, type RowSink, type RowStats } from '../normalize/sink.js';

/** A day's row counts (the normaliser's RowStats: the fields of its DayReport). */
export type DayStats = RowStats;

/** Writing a day's file (or its spill runs) failed while the sources were still being read. */
export class OutputError extends Error {
  constructor(readonly dest: string, readonly cause: unknown) {
    super(`writing ${dest} failed`);
  }
}

export interface SinkContext {
  type: DataType;
  fm: FixedMode;
  layout: Layout;
  schema: A.Schema;
  tmpDir: string;
  codec: Codec;
  rowGroupSize: number;
  /** called just before the finished file is renamed to `dest` (build.ts: its folder leads nowhere else) */
  beforeCommit?: (dest: string) => Promise<void>;
  /** finalize() leaves the finished file staged; commit() lands it (an all-or-nothing change) */
  deferCommit?: boolean;
}

export class DaySink implements RowSink {
  builder: BlockBuilder;
  runs: string[] = [];
  stats: DayStats = emptyStats();
  state: DayState = 'pending';
  error?: string;
  firstTs?: bigint;
  lastTs?: bigint;
  /** files whose rows reached this day (a failed file fails the days it fed) */
  sources = new Set<string>();
  /** rows that left the buffer (streamed into the file or spilled to runs) */
  private flushed = 0;
  private direct: ParallelParquetWriter | null = null;
  private directMax: bigint | null = null;
  private mode: 'direct' | 'runs' = 'direct';
  /** the day's temp file is complete (footer written) but not committed: see park() */
  private parked = false;
  /** this day's row count when last seen by wentQuiet(), and the job's row count when it last grew */
  private seenRows = 0;
  private quietSince = 0;
  /** parking failed: the day cannot be completed, finalize() says why */
  private parkError: OutputError | null = null;
  private readonly tmp: string;
  /** finished, waiting for commit() (deferCommit) */
  staged = false;

  constructor(readonly ctx: SinkContext, readonly day: string, readonly dest: string) {
    this.builder = new BlockBuilder(ctx.layout, 1024);
    this.tmp = join(ctx.tmpDir, `${ctx.type}-${day}.parquet.tmp`);
  }

  get buffered(): number {
    return this.builder.n;
  }

  get rows(): number {
    return this.builder.n + this.flushed;
  }

  /**
   * Moves the buffered rows out of memory: into the file while in order, else into a sorted run.
   * `keepTail`: while streaming into the file, only whole row groups leave; the rest stays buffered
   * for the next flush (each block becomes one row group of its own, pwriter.ts).
   */
  async flush(keepTail = false): Promise<void> {
    if (this.parkError) throw this.parkError;
    if (!this.builder.n) return;
    // While streaming (keepTail) the day goes on at the same pace: the next buffer gets the same
    // room. Otherwise the grown buffers are released: a flushed day may get few more rows.
    const block = sortBlock(this.builder.detach(keepTail ? this.builder.capacity : 1024));
    try {
      if (this.mode === 'direct' && !this.parked && (this.directMax === null || block.tsInit[0]! >= this.directMax)) {
        const keep = keepTail ? block.n % this.ctx.rowGroupSize : 0;
        if (keep === block.n) {
          this.builder.append(block);
          return;
        }
        this.flushed += block.n - keep;
        await this.writeDirect(block, keep);
        return;
      }
      this.flushed += block.n;
      if (this.mode === 'direct') await this.demote();
      await this.addRun(block);
    } catch (e) {
      // A full or read-only disk is the output's fault, not the source file's: say which file.
      throw new OutputError(this.dest, e);
    }
  }

  /** Row groups are encoded on encoder threads and joined into the file in order (pwriter.ts). */
  private writer(): ParallelParquetWriter {
    const { type, fm, codec, rowGroupSize, schema } = this.ctx;
    return new ParallelParquetWriter(this.tmp, { type, mode: fm.mode, metadata: [...schema.metadata], codec, rowGroupSize });
  }

  /** Streams all but the last `keep` rows into the file; those go back into the buffer. */
  private async writeDirect(block: Block, keep = 0): Promise<void> {
    this.direct ??= this.writer();
    const n = block.n - keep;
    if (keep) this.builder.append(sliceBlock(block, n, block.n, this.ctx.layout));
    this.firstTs ??= block.tsInit[0];
    this.lastTs = block.tsInit[n - 1];
    this.directMax = block.tsInit[n - 1]!;
    // The writer takes the blocks' buffers over: every slice is taken before `block`'s buffers are
    // handed on. One row group (the usual case) goes as views of them, with no copy.
    const rg = this.ctx.rowGroupSize;
    for (let s = 0; s < n; s += rg) {
      const part = n <= rg ? headOf(block, n, this.ctx.layout) : sliceBlock(block, s, Math.min(n, s + rg), this.ctx.layout);
      await this.direct.write(part);
    }
  }

  /**
   * True once the other days of the job have taken `after` rows since this day's last one, while
   * this day still holds something in memory (buffered rows or an open file). `jobRows`: the rows
   * of all days so far.
   */
  wentQuiet(jobRows: number, after: number): boolean {
    if (this.rows !== this.seenRows) {
      this.seenRows = this.rows;
      this.quietSince = jobRows;
      return false;
    }
    return jobRows - this.quietSince >= after && (this.builder.n > 0 || this.direct !== null);
  }

  /**
   * A day that went quiet (the sources moved on) gives its memory back: the buffered rows go out
   * (a shorter last row group, or a run) and the file gets its footer, so neither its tail, nor its
   * row groups' metadata, nor a file handle stay held until the end of the job: a year of daily
   * files would otherwise keep 365 of each. The file is committed by finalize() as before, only
   * when the sources are done; rows that still come for the day turn the parked file into run 0.
   */
  async park(): Promise<void> {
    await this.flush();
    if (!this.direct) return;
    try {
      await this.direct.close();
      this.parked = true;
    } catch (e) {
      throw (this.parkError = new OutputError(this.dest, e));
    } finally {
      this.direct = null;
    }
  }

  /** The rows already streamed into the file (open or parked) become sorted run 0. */
  private async demote(): Promise<void> {
    this.mode = 'runs';
    if (this.direct) await this.direct.close();
    else if (!this.parked) return;
    this.direct = null;
    this.parked = false;
    const run = join(this.ctx.tmpDir, `${this.ctx.type}-${this.day}-${this.runs.length}.run`);
    this.runs.push(run);
    // Streamed batch by batch, so demoting a large day stays within bounded memory.
    let append = false;
    for await (const b of readParquetBatches(this.tmp)) {
      await writeRun(run, dataTypeOf(this.ctx.type).fromBatch(this.ctx.fm, b), this.ctx.layout, append);
      append = true;
    }
    await removeQuietly(this.tmp);
  }

  private async addRun(block: Block): Promise<void> {
    const path = join(this.ctx.tmpDir, `${this.ctx.type}-${this.day}-${this.runs.length}.run`);
    this.runs.push(path);
    await writeRun(path, block, this.ctx.layout);
  }

  /** Finishes the day's file and commits it. `onProgress` gets the rows written so far. */
  async finalize(onProgress: (written: number, total: number) => void): Promise<void> {
    const total = this.rows;
    this.state = 'writing';
    if (total === 0) {
      this.state = 'done';
      return;
    }
    try {
      if (this.parkError) throw this.parkError.cause;
      await this.flush();
      if (this.mode === 'direct') {
        // Parked days already have their footer.
        await this.direct?.close();
        this.direct = null;
        onProgress(total, total);
      } else {
        const writer = this.writer();
        let written = 0;
        this.direct = writer;
        this.firstTs = undefined;
        await mergeRuns(this.runs, this.ctx.layout, this.ctx.rowGroupSize, async (b) => {
          this.firstTs ??= b.tsInit[0];
          this.lastTs = b.tsInit[b.n - 1];
          await writer.write(b);
          written += b.n;
          onProgress(written, total);
        });
        await writer.close();
        this.direct = null;
      }
      // parquet-wasm does not report write errors from inside its stream: check the footer.
      const info = await readParquetInfo(this.tmp);
      if (info.numRows !== total) throw new Error(`written file holds ${info.numRows} rows, expected ${total}`);
      if (this.ctx.deferCommit) this.staged = true;
      else await this.commit();
      this.stats.written = total;
      this.state = 'done';
    } catch (e) {
      await this.discard();
      throw e;
    } finally {
      await this.dropRuns();
    }
  }

  /** The day's temporary file (finished once staged). */
  get tmpPath(): string {
    return this.tmp;
  }

  /** Renames the finished file into the catalog. */
  async commit(): Promise<void> {
    await this.ctx.beforeCommit?.(this.dest);
    await commitCatalogFile(this.tmp, this.dest);
    this.staged = false;
  }

  async discard(): Promise<void> {
    // The rows held (in memory, the file or runs) leave with the day: they are counted as discarded;
    // so are a staged day's rows (a precision change that did not land), which never reach the catalog.
    if (this.staged) {
      this.stats.discarded += this.stats.written;
      this.stats.written = 0;
    } else if (this.state !== 'done') this.stats.discarded += this.rows;
    this.staged = false;
    this.flushed = 0;
    this.builder = new BlockBuilder(this.ctx.layout, 16);
    await this.direct?.abort();
    this.direct = null;
    await removeQuietly(this.tmp);
    await this.dropRuns();
  }

  private async dropRuns(): Promise<void> {
    await Promise.all(this.runs.map(removeQuietly));
    this.runs = [];
  }
}

/** Bytes of buffered rows above which the largest day of a data type is spilled to disk. */
export const DEFAULT_BUFFER_BUDGET = 96 * 1024 * 1024;

/**
 * Called after every batch the sources give. Parks the days that went quiet (see DaySink.park),
 * flushes days whose buffer holds a row group's worth of rows, then the biggest buffers until all of
 * them fit the memory budget again.
 */
export async function relieveSinks(sinks: DaySink[], budget = DEFAULT_BUFFER_BUDGET): Promise<void> {
  let jobRows = 0;
  for (const s of sinks) jobRows += s.rows;
  // A row group's worth of rows for other days since a day's last row: the sources have moved on.
  for (const s of sinks) {
    if ((s.state === 'reading' || s.state === 'pending') && s.wentQuiet(jobRows, s.ctx.rowGroupSize)) await s.park();
  }
  for (;;) {
    let total = 0;
    let largest: DaySink | null = null;
    for (const s of sinks) {
      if (s.state !== 'reading' && s.state !== 'pending') continue;
      if (s.buffered >= s.ctx.rowGroupSize) await s.flush(true);
      total += s.builder.bytes();
      if (!largest || s.buffered > largest.buffered) largest = s;
    }
    if (total <= budget || !largest || !largest.buffered) return;
    await largest.flush();
  }
}
