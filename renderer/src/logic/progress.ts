// Reduces the job's ProgressEvents into one bar per day per data type (plus per-file progress).
import type { DataType } from '../../../shared/job.js';
import { DATA_TYPES } from '../../../shared/job.js';
import type { DayState, ProgressEvent } from '../../../shared/progress.js';
import { daysBetween } from './dates.js';

export type BarState = DayState | 'cancelled';

export interface DayBar {
  /** a job of several instruments: whose day (the symbol) */
  instrument?: string;
  dataType: DataType;
  day: string;
  state: BarState;
  rows: number;
  written?: number;
  /** 0..1, never goes back while the day is in progress */
  fraction: number;
  rowsPerSec: number;
  etaSec: number | null;
  error?: string;
  file?: string;
}

export interface FileProgress {
  /** a job of several instruments: whose rows are read (the symbol) */
  instrument?: string;
  dataType: DataType;
  path: string;
  format?: string;
  bytesRead: number;
  bytesTotal: number;
  rows: number;
  rowsPerSec: number;
  etaSec: number | null;
  /** stopped: the job ended (cancelled, failed) while the file was being read */
  state: 'reading' | 'done' | 'failed' | 'stopped';
  error?: string;
}

export type RunStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

export interface RunState {
  jobId: string | null;
  status: RunStatus;
  /** bar key -> bar */
  bars: Record<string, DayBar>;
  /** bar keys in display order: instrument, data type, then day */
  order: string[];
  /** a job of several instruments: their symbols, in the job's order */
  instruments: string[];
  files: Record<string, FileProgress>;
  log: { level: 'info' | 'warn' | 'error'; message: string }[];
  message?: string;
  startedAt?: number;
  finishedAt?: number;
  /** counts changes: the bars are updated in place, a new RunState (rev + 1) says they changed */
  rev?: number;
}

export const TERMINAL: readonly BarState[] = ['done', 'skipped', 'failed', 'cancelled'];
const LOG_LIMIT = 200;

/** A bar's key: its data type and day, under its instrument in a job of several (the same day of two instruments are two bars). */
export function barKey(dataType: DataType, day: string, instrument?: string): string {
  return instrument ? `${instrument}|${dataType}|${day}` : `${dataType}|${day}`;
}

/** Display order: the instruments in the job's order (others after, by name), then data type, then day. */
function compareKeys(a: string, b: string, bars: Record<string, DayBar>, instruments: readonly string[]): number {
  const inst = (k: string) => {
    const i = bars[k]?.instrument;
    if (!i) return [-1, ''] as const;
    const at = instruments.indexOf(i);
    return [at < 0 ? instruments.length : at, i] as const;
  };
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const [ia, na] = inst(a);
  const [ib, nb] = inst(b);
  const ba = bars[a]!;
  const bb = bars[b]!;
  return ia - ib || cmp(na, nb) || DATA_TYPES.indexOf(ba.dataType) - DATA_TYPES.indexOf(bb.dataType) || cmp(ba.day, bb.day);
}

function sortKeys(keys: string[], bars: Record<string, DayBar>, instruments: readonly string[]): string[] {
  return [...keys].sort((a, b) => compareKeys(a, b, bars, instruments));
}

export function idleRun(): RunState {
  return { jobId: null, status: 'idle', bars: {}, order: [], instruments: [], files: {}, log: [] };
}

/** A pending bar for every day of the range, every data type (and every instrument of a job of several), before any event arrives. */
export function initRun(dataTypes: readonly DataType[], start: string, end: string, now = Date.now(), instruments: readonly string[] = []): RunState {
  const bars: Record<string, DayBar> = {};
  for (const instrument of instruments.length ? instruments : [undefined]) {
    for (const t of dataTypes) {
      for (const day of daysBetween(start, end)) {
        bars[barKey(t, day, instrument)] = { ...(instrument ? { instrument } : {}), dataType: t, day, state: 'pending', rows: 0, fraction: 0, rowsPerSec: 0, etaSec: null };
      }
    }
  }
  return { ...idleRun(), status: 'starting', bars, instruments: [...instruments], order: sortKeys(Object.keys(bars), bars, instruments), startedAt: now };
}

export function isTerminal(state: BarState): boolean {
  return TERMINAL.includes(state);
}

export function isFinished(s: RunState): boolean {
  return s.status === 'done' || s.status === 'failed' || s.status === 'cancelled';
}

/** A job is under way (or being cancelled): another may not start. */
export function isBusy(status: RunStatus): boolean {
  return status === 'running' || status === 'starting' || status === 'cancelling';
}

/**
 * One event applied to `s`. The bars object is the run's own and is updated in place (copying every
 * bar for each event froze the tab on a job of 11,323 days); any change gives a new RunState object
 * (rev + 1), so screens see it. An event that changes nothing gives `s` itself.
 */
export function reduceProgress(s: RunState, e: ProgressEvent, now = Date.now()): RunState {
  return reduceAll(s, [e], now);
}

/** Applies a batch of events in order, in O(events) (the bars are updated in place, see reduceProgress). */
export function reduceAll(s: RunState, events: readonly ProgressEvent[], now = Date.now()): RunState {
  let out: RunState | null = null;
  const draft = () => (out ??= { ...s, rev: (s.rev ?? 0) + 1 });
  for (const e of events) {
    if (e.kind === 'day') {
      if (!isDayChange(out ?? s, e)) continue;
      applyDay(draft(), e, s.order);
    } else applyOther(draft(), e, now);
  }
  return out ?? s;
}

/** A late "reading" event never reopens a finished day. */
function isDayChange(s: RunState, e: Extract<ProgressEvent, { kind: 'day' }>): boolean {
  const prev = s.bars[barKey(e.dataType, e.day, e.instrument)];
  return !(prev && isTerminal(prev.state) && !isTerminal(e.state));
}

function applyDay(d: RunState, e: Extract<ProgressEvent, { kind: 'day' }>, sharedOrder: string[]): void {
  const key = barKey(e.dataType, e.day, e.instrument);
  const prev = d.bars[key];
  const terminal = isTerminal(e.state);
  const fraction = terminal ? 1 : Math.max(prev && !isTerminal(prev.state) ? prev.fraction : 0, e.fraction);
  d.bars[key] = {
    ...(e.instrument ? { instrument: e.instrument } : {}), dataType: e.dataType, day: e.day, state: e.state, rows: e.rows, written: e.written ?? prev?.written,
    fraction, rowsPerSec: e.rowsPerSec, etaSec: terminal ? null : e.etaSec, error: e.error, file: e.file ?? prev?.file,
  };
  if (!prev) {
    if (d.order === sharedOrder) d.order = [...d.order];
    insertKey(d.order, key, d.bars, d.instruments);
  }
  if (d.status === 'starting' || d.status === 'idle') d.status = 'running';
}

/** A file's, the log's or the job's event, on a draft of the state. */
function applyOther(d: RunState, e: Exclude<ProgressEvent, { kind: 'day' }>, now: number): void {
  switch (e.kind) {
    case 'file': {
      const fileKey = barKey(e.dataType, e.path, e.instrument);
      const f: FileProgress = {
        ...(e.instrument ? { instrument: e.instrument } : {}), dataType: e.dataType, path: e.path, format: e.format ?? d.files[fileKey]?.format, bytesRead: e.bytesRead, bytesTotal: e.bytesTotal,
        rows: e.rows, rowsPerSec: e.rowsPerSec, etaSec: e.etaSec, state: e.state, error: e.error,
      };
      d.files = { ...d.files, [fileKey]: f };
      return;
    }
    case 'log':
      d.log = [...d.log, { level: e.level, message: e.message }].slice(-LOG_LIMIT);
      return;
    case 'job':
      if (e.state === 'started') {
        d.status = d.status === 'cancelling' ? 'cancelling' : 'running';
        d.message = e.message;
        return;
      }
      endJob(d, e.state, e.message, now);
  }
}

/** The job ended: days that never got an event are cancelled with it, or not built because it stopped; files still being read stopped. */
function endJob(d: RunState, status: 'done' | 'failed' | 'cancelled', message: string | undefined, now: number): void {
  for (const k of d.order) {
    const b = d.bars[k]!;
    if (isTerminal(b.state)) continue;
    d.bars[k] = status === 'cancelled'
      ? { ...b, state: 'cancelled', etaSec: null, rowsPerSec: 0 }
      : status === 'failed'
        ? { ...b, state: 'failed', etaSec: null, rowsPerSec: 0, error: b.error ?? `not built: ${message ?? 'the job stopped'}` }
        : { ...b, state: 'done', fraction: 1, etaSec: null, rowsPerSec: 0 };
  }
  // A file's last "reading" event (its rate and ETA) must not outlive the job.
  const files: Record<string, FileProgress> = {};
  for (const [k, f] of Object.entries(d.files)) files[k] = f.state === 'reading' ? { ...f, state: status === 'done' ? 'done' : 'stopped', rowsPerSec: 0, etaSec: null } : f;
  Object.assign(d, { status, files, message, finishedAt: now });
}

/** Puts a new bar's key where display order wants it (binary search: the keys are kept sorted). */
function insertKey(order: string[], key: string, bars: Record<string, DayBar>, instruments: readonly string[]): void {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(order[mid]!, key, bars, instruments) <= 0) lo = mid + 1;
    else hi = mid;
  }
  order.splice(lo, 0, key);
}
