// The catalog overview's daily chart: per day, the trade count and OHLC of an instrument's trades,
// read from the catalog's Parquet files on a reader thread (a damaged file fails this call, not the host).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DayPoint } from '../shared/api.js';
import { TYPE_FOLDER, daysBetween, formatRaw, mergeDay, parseFileName, readDayStatsIsolated, uriSafe, type DayAcc } from '../engine/index.js';
import { errorMessage } from './messages.js';

type Acc = DayAcc & { scale: number; places: number };

/** Every day of every trades file of the instrument, merged across files. */
async function readDays(dir: string): Promise<Map<string, Acc>> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => parseFileName(n)).sort();
  const days = new Map<string, Acc>();
  for (const name of names) {
    const path = join(dir, name);
    let file;
    try {
      file = await readDayStatsIsolated(path);
    } catch (e) {
      throw new Error(`${path}: cannot be read (${errorMessage(e)})`);
    }
    for (const [day, acc] of file.days) {
      const a = days.get(day);
      if (a) mergeDay(a, acc);
      else days.set(day, { ...acc, scale: file.scale, places: file.places });
    }
  }
  return days;
}

/** Daily points of `instrumentId` in the catalog at `root` (a folder the caller has checked). */
export async function dailyStats(root: string, instrumentId: string): Promise<DayPoint[]> {
  const ident = uriSafe(instrumentId);
  if (!/^[A-Za-z0-9_.-]+$/.test(ident) || ident.includes('..')) throw new Error(`invalid instrument id ${instrumentId}`);
  const days = await readDays(join(root, 'data', TYPE_FOLDER.trades, ident));
  if (!days.size) return [];
  const sorted = [...days.keys()].sort();
  // Every day from the first to the last, so a missing day shows as a gap (0 trades).
  return daysBetween(sorted[0]!, sorted[sorted.length - 1]!).map((day) => {
    const a = days.get(day);
    if (!a) return { day, trades: 0 };
    const f = (raw: bigint) => formatRaw(raw, a.scale, a.places);
    return { day, trades: a.trades, open: f(a.open), high: f(a.high), low: f(a.low), close: f(a.close) };
  });
}
