// Number, size and time formatting shared by the screens (plain functions, no DOM).
import { grouped } from '../../../shared/text.js';

export function formatCount(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '–';
  return grouped(n);
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** 1234567 rows/s -> "1.2M rows/s" */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec <= 0) return '';
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(1)}M rows/s`;
  if (perSec >= 1e4) return `${Math.round(perSec / 1e3)}k rows/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)}k rows/s`;
  return `${Math.round(perSec)} rows/s`;
}

/** seconds -> "ETA 4 s", "ETA 2 min 5 s", "" when unknown or under a second (never "ETA 0 s") */
export function formatEta(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 1) return '';
  return `ETA ${formatDuration(sec)}`;
}

export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Last path segment, for either separator. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

export function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (i < 0) return path;
  if (i === 0) return path.slice(0, 1);
  return path.slice(0, i);
}
