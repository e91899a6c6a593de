// The normaliser's output port. It places each accepted row on its UTC day's RowSink: the build
// gives it the day sinks that stream into Parquet files (jobs/daysink.ts), a preview one capturing
// sink, a precision scan sinks that only count. The normaliser knows nothing else about them.
import type { DayState } from '../../shared/progress.js';
import type { DayReport } from '../../shared/report.js';
import { BlockBuilder, type Layout } from '../blocks/block.js';

/** A day's row counts: the fields of its DayReport, defined there once. */
export type RowStats = Pick<DayReport, 'read' | 'written' | 'duplicates' | 'skipped' | 'rejected' | 'existing' | 'discarded' | 'added'>;

export interface RowSink {
  readonly stats: RowStats;
  /** files whose rows reached this day (a failed file fails the days it fed) */
  readonly sources: Set<string>;
  /**
   * 'skipped' (the day is already written) counts valid rows as existing, 'failed' as discarded;
   * neither keeps them. Any other state keeps rows in `builder`.
   */
  readonly state: DayState;
  readonly builder: BlockBuilder;
}

/** The sink of day `idx` (days since the job's first day), or undefined when the day is outside the job. */
export type SinkAt = (idx: number) => RowSink | undefined;

export const emptyStats = (): RowStats => ({ read: 0, written: 0, duplicates: 0, skipped: 0, rejected: {}, existing: 0, discarded: 0 });

/** A sink that keeps every row in memory (a preview's handful of rows), or only counts them (`keep` false). */
export class MemorySink implements RowSink {
  readonly stats = emptyStats();
  readonly sources = new Set<string>();
  readonly builder: BlockBuilder;
  readonly state: DayState;

  constructor(layout: Layout, keep = true) {
    this.builder = new BlockBuilder(layout, keep ? 64 : 1);
    this.state = keep ? 'reading' : 'skipped';
  }
}
