// Reduces the job's ProgressEvents into one bar per day per data type (plus per-file progress).
import type { DataType } from '../../../shared/job.js';
import { DATA_TYPES } from '../../../shared/job.js';
import type { DayState, ProgressEvent } from '../../../shared/progress.js';
import { daysBetween } from './dates.js';

export type BarState = DayState | 'cancelled';

export interface DayBar {
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
  dataType: DataType;
  path: string;
  format?: string;
  bytesRead: number;
  bytesTotal: number;
  rows: number;
  rowsPerSec: number;
  etaSec: number | null;
  state: 'reading' | 'done' | 'failed';
  error?: string;
}

export type RunStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

export interface RunState {
  jobId: string | null;
  status: RunStatus;
  /** bar key -> bar */
  bars: Record<string, DayBar>;
  /** bar keys in display order: data type, then day */
  order: string[];
  files: Record<string, FileProgress>;
  log: { level: 'info' | 'warn' | 'error'; message: string }[];
  message?: string;
  startedAt?: number;
  finishedAt?: number;
}

export const TERMINAL: readonly BarState[] = ['done', 'skipped', 'failed', 'cancelled'];
const LOG_LIMIT = 200;

export function barKey(dataType: DataType, day: string): string {
  return `${dataType}|${day}`;
}

function sortKeys(keys: string[]): string[] {
  const rank = (k: string) => DATA_TYPES.indexOf(k.split('|')[0] as DataType);
  return [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function idleRun(): RunState {
  return { jobId: null, status: 'idle', bars: {}, order: [], files: {}, log: [] };
}

/** A pending bar for every day of the range and every data type, before any event arrives. */
export function initRun(dataTypes: readonly DataType[], start: string, end: string, now = Date.now()): RunState {
  const bars: Record<string, DayBar> = {};
  for (const t of dataTypes) {
    for (const day of daysBetween(start, end)) {
      bars[barKey(t, day)] = { dataType: t, day, state: 'pending', rows: 0, fraction: 0, rowsPerSec: 0, etaSec: null };
    }
  }
  return { ...idleRun(), status: 'starting', bars, order: sortKeys(Object.keys(bars)), startedAt: now };
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

export function reduceProgress(s: RunState, e: ProgressEvent, now = Date.now()): RunState {
  switch (e.kind) {
    case 'day': {
      const key = barKey(e.dataType, e.day);
      const prev = s.bars[key];
      // A late "reading" event never reopens a finished day.
      if (prev && isTerminal(prev.state) && !isTerminal(e.state)) return s;
      const terminal = isTerminal(e.state);
      const fraction = terminal ? 1 : Math.max(prev && !isTerminal(prev.state) ? prev.fraction : 0, e.fraction);
      const bar: DayBar = {
        dataType: e.dataType, day: e.day, state: e.state, rows: e.rows, written: e.written ?? prev?.written,
        fraction, rowsPerSec: e.rowsPerSec, etaSec: terminal ? null : e.etaSec, error: e.error, file: e.file ?? prev?.file,
      };
      const bars = { ...s.bars, [key]: bar };
      const order = prev ? s.order : sortKeys([...s.order, key]);
      const status = s.status === 'starting' || s.status === 'idle' ? 'running' : s.status;
      return { ...s, bars, order, status };
    }
    case 'file': {
      const f: FileProgress = {
        dataType: e.dataType, path: e.path, format: e.format ?? s.files[e.path]?.format, bytesRead: e.bytesRead, bytesTotal: e.bytesTotal,
        rows: e.rows, rowsPerSec: e.rowsPerSec, etaSec: e.etaSec, state: e.state, error: e.error,
      };
      return { ...s, files: { ...s.files, [`${e.dataType}|${e.path}`]: f } };
    }
    case 'log':
      return { ...s, log: [...s.log, { level: e.level, message: e.message }].slice(-LOG_LIMIT) };
    case 'job': {
      if (e.state === 'started') return { ...s, status: s.status === 'cancelling' ? 'cancelling' : 'running', message: e.message };
      const status: RunStatus = e.state;
      // Days that never got an event: cancelled with the job, or not built because the job stopped.
      const bars = { ...s.bars };
      for (const k of s.order) {
        const b = bars[k]!;
        if (isTerminal(b.state)) continue;
        bars[k] = status === 'cancelled'
          ? { ...b, state: 'cancelled', etaSec: null, rowsPerSec: 0 }
          : status === 'failed'
            ? { ...b, state: 'failed', etaSec: null, rowsPerSec: 0, error: b.error ?? `not built: ${e.message ?? 'the job stopped'}` }
            : { ...b, state: 'done', fraction: 1, etaSec: null, rowsPerSec: 0 };
      }
      return { ...s, status, bars, message: e.message, finishedAt: now };
    }
  }
}

/** Applies a batch of events in order (events can arrive faster than the screen repaints). */
export function reduceAll(s: RunState, events: readonly ProgressEvent[], now = Date.now()): RunState {
  let out = s;
  for (const e of events) out = reduceProgress(out, e, now);
  return out;
}
