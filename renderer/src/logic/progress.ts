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
  state: 'reading' | 'done' | 'failed';
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
}

export const TERMINAL: readonly BarState[] = ['done', 'skipped', 'failed', 'cancelled'];
const LOG_LIMIT = 200;

/** A bar's key: its data type and day, under its instrument in a job of several (the same day of two instruments are two bars). */
export function barKey(dataType: DataType, day: string, instrument?: string): string {
  return instrument ? `${instrument}|${dataType}|${day}` : `${dataType}|${day}`;
}

/** Keys in display order: the instruments in the job's order (others after, by name), then data type, then day. */
function sortKeys(keys: string[], bars: Record<string, DayBar>, instruments: readonly string[]): string[] {
  const inst = (k: string) => {
    const i = bars[k]?.instrument;
    if (!i) return [-1, ''] as const;
    const at = instruments.indexOf(i);
    return [at < 0 ? instruments.length : at, i] as const;
  };
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...keys].sort((a, b) => {
    const [ia, na] = inst(a);
    const [ib, nb] = inst(b);
    const ba = bars[a]!;
    const bb = bars[b]!;
    return ia - ib || cmp(na, nb) || DATA_TYPES.indexOf(ba.dataType) - DATA_TYPES.indexOf(bb.dataType) || cmp(ba.day, bb.day);
  });
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

export function reduceProgress(s: RunState, e: ProgressEvent, now = Date.now()): RunState {
  switch (e.kind) {
    case 'day': {
      const key = barKey(e.dataType, e.day, e.instrument);
      const prev = s.bars[key];
      // A late "reading" event never reopens a finished day.
      if (prev && isTerminal(prev.state) && !isTerminal(e.state)) return s;
      const terminal = isTerminal(e.state);
      const fraction = terminal ? 1 : Math.max(prev && !isTerminal(prev.state) ? prev.fraction : 0, e.fraction);
      const bar: DayBar = {
        ...(e.instrument ? { instrument: e.instrument } : {}), dataType: e.dataType, day: e.day, state: e.state, rows: e.rows, written: e.written ?? prev?.written,
        fraction, rowsPerSec: e.rowsPerSec, etaSec: terminal ? null : e.etaSec, error: e.error, file: e.file ?? prev?.file,
      };
      const bars = { ...s.bars, [key]: bar };
      const order = prev ? s.order : sortKeys([...s.order, key], bars, s.instruments);
      const status = s.status === 'starting' || s.status === 'idle' ? 'running' : s.status;
      return { ...s, bars, order, status };
    }
    case 'file': {
      const fileKey = barKey(e.dataType, e.path, e.instrument);
      const f: FileProgress = {
        ...(e.instrument ? { instrument: e.instrument } : {}), dataType: e.dataType, path: e.path, format: e.format ?? s.files[fileKey]?.format, bytesRead: e.bytesRead, bytesTotal: e.bytesTotal,
        rows: e.rows, rowsPerSec: e.rowsPerSec, etaSec: e.etaSec, state: e.state, error: e.error,
      };
      return { ...s, files: { ...s.files, [fileKey]: f } };
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
