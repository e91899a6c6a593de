// One output file per (data type, UTC day): rows buffered in a block, spilled as sorted runs when
// memory is short, merged in ts_init order and streamed into Parquet, then committed atomically.
import { join } from 'node:path';
import type * as A from 'apache-arrow';
import type { DataType } from '../../shared/job.js';
import type { DayState } from '../../shared/progress.js';
import { BlockBuilder, sliceBlock, sortBlock, type Block, type Layout } from '../catalog/block.js';
import { commitFile, removeQuietly } from '../catalog/atomic.js';
import type { FixedMode } from '../catalog/fixed.js';
import { StreamingParquetWriter, readParquetInfo, type Codec } from '../catalog/parquet.js';
import { recordBatchOf } from '../catalog/schemas.js';
import { mergeRuns, writeRun } from '../catalog/spill.js';

export interface DayStats {
  read: number;
  written: number;
  duplicates: number;
  skipped: number;
  rejected: Record<string, number>;
}

export interface SinkContext {
  type: DataType;
  fm: FixedMode;
  layout: Layout;
  schema: A.Schema;
  tmpDir: string;
  codec: Codec;
  rowGroupSize: number;
}

export class DaySink {
  builder: BlockBuilder;
  runs: string[] = [];
  stats: DayStats = { read: 0, written: 0, duplicates: 0, skipped: 0, rejected: {} };
  state: DayState = 'pending';
  error?: string;
  firstTs?: bigint;
  lastTs?: bigint;
  /** files whose rows reached this day (a failed file fails the days it fed) */
  sources = new Set<string>();
  private spilledRows = 0;

  constructor(readonly ctx: SinkContext, readonly day: string, readonly dest: string) {
    this.builder = new BlockBuilder(ctx.layout, 1024);
  }

  get buffered(): number {
    return this.builder.n;
  }

  get rows(): number {
    return this.builder.n + this.spilledRows;
  }

  async spill(): Promise<void> {
    if (!this.builder.n) return;
    const path = join(this.ctx.tmpDir, `${this.ctx.type}-${this.day}-${this.runs.length}.run`);
    const block = sortBlock(this.builder.take());
    this.runs.push(path);
    this.spilledRows += block.n;
    await writeRun(path, block, this.ctx.layout);
    // Release the grown buffers: a spilled day may get few more rows.
    this.builder = new BlockBuilder(this.ctx.layout, 1024);
  }

  /** Writes the day's file. `onProgress` gets the rows written so far. */
  async finalize(onProgress: (written: number, total: number) => void): Promise<void> {
    const total = this.rows;
    this.state = 'writing';
    if (total === 0) {
      this.state = 'done';
      return;
    }
    const tmp = join(this.ctx.tmpDir, `${this.ctx.type}-${this.day}.parquet.tmp`);
    const writer = new StreamingParquetWriter(tmp, {
      codec: this.ctx.codec, rowGroupSize: this.ctx.rowGroupSize, keyValue: this.ctx.schema.metadata,
    });
    let written = 0;
    const emit = async (b: Block) => {
      if (this.firstTs === undefined) this.firstTs = b.tsInit[0];
      this.lastTs = b.tsInit[b.n - 1];
      await writer.write(recordBatchOf(this.ctx.type, this.ctx.fm, this.ctx.schema, b));
      written += b.n;
      onProgress(written, total);
    };
    try {
      if (!this.runs.length) {
        const block = sortBlock(this.builder.take());
        for (let s = 0; s < block.n; s += this.ctx.rowGroupSize) {
          await emit(sliceBlock(block, s, Math.min(block.n, s + this.ctx.rowGroupSize), this.ctx.layout));
        }
      } else {
        await this.spill();
        await mergeRuns(this.runs, this.ctx.layout, this.ctx.rowGroupSize, emit);
      }
      await writer.close();
      // parquet-wasm does not report write errors from inside its stream: check the footer.
      const info = await readParquetInfo(tmp);
      if (info.numRows !== total) throw new Error(`written file holds ${info.numRows} rows, expected ${total}`);
      await commitFile(tmp, this.dest);
      this.stats.written = total;
      this.state = 'done';
    } catch (e) {
      await writer.abort();
      await removeQuietly(tmp);
      throw e;
    } finally {
      await this.dropRuns();
    }
  }

  async discard(): Promise<void> {
    this.builder = new BlockBuilder(this.ctx.layout, 16);
    await this.dropRuns();
  }

  private async dropRuns(): Promise<void> {
    await Promise.all(this.runs.map(removeQuietly));
    this.runs = [];
    this.spilledRows = 0;
  }
}
