// Order books in the app: the rows the engine adds (a CLEAR before each snapshot), the levels of a
// book_snapshot file, and how a job's numbers add up when rows were added.
import type { DataType } from '../../../shared/job.js';
import type { PreviewRow } from '../../../shared/api.js';
import type { DayReport } from '../../../shared/report.js';
import { TYPE_LABELS } from './dataTypes.js';
import { formatCount } from './format.js';

/** A preview row the engine added (no line of the file is it): written, and its reason says why. */
export function isAddedRow(row: Pick<PreviewRow, 'status' | 'reason'>): boolean {
  return row.status === 'ok' && !!row.reason;
}

/**
 * The mapped preview's columns in the order the rows give them: a key first seen in a later row
 * goes after the key before it in that row (a CLEAR delta has no price or size, the next row does:
 * action, side, price, size, flags, not flags before price).
 */
export function mappedKeys(rows: readonly Pick<PreviewRow, 'mapped'>[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const keys = Object.keys(row.mapped ?? {});
    let prev = -1;
    keys.forEach((k, i) => {
      const at = out.indexOf(k);
      if (at >= 0) prev = at;
      else if (prev >= 0) out.splice(++prev, 0, k);
      else {
        // None before it in this row: before the first key after it that is known, else last.
        const next = keys.slice(i + 1).map((x) => out.indexOf(x)).find((x) => x >= 0);
        prev = next ?? out.length;
        out.splice(prev, 0, k);
      }
    });
  }
  return out;
}

/** The levels a book_snapshot_N file has a side (bids[0].price, bids[1].price, …). */
export function snapshotLevels(columns: readonly string[]): number {
  let n = 0;
  while (columns.includes(`bids[${n}].price`) && columns.includes(`asks[${n}].price`)) n++;
  return n;
}

/** A book_snapshot level column (bids[3].amount): depth 10 reads these by name, none is mapped. */
export const isLevelColumn = (c: string) => /^(bids|asks)\[\d+\]\.(price|amount)$/.test(c);

/**
 * The column list depth 10 shows: the columns a field can take (the level columns folded into one
 * line, `folded`, as they are read by name), with their indexes in the file for the first row's values.
 */
export function foldLevels(columns: readonly string[]): { shown: number[]; folded: string | null } {
  const shown = columns.flatMap((c, i) => (isLevelColumn(c) ? [] : [i]));
  const n = snapshotLevels(columns);
  const levels = columns.length - shown.length;
  return { shown, folded: levels ? `bids[0..${n - 1}] and asks[0..${n - 1}]: ${levels} level columns, read by name` : null };
}

/** Depth 10's levels are read by their column names, not mapped: which, and what happens to the others. */
export function levelsText(columns: readonly string[]): string {
  const n = snapshotLevels(columns);
  if (!n) return 'The levels are read from a Tardis book_snapshot file’s bids[i] and asks[i] columns: this file has none.';
  const read = `Levels read by name: bids[0..${Math.min(n, 10) - 1}] and asks[0..${Math.min(n, 10) - 1}], price and amount`;
  if (n > 10) return `${read}; the file has ${n} levels a side, levels 10..${n - 1} are not written (Depth 10 holds 10 a side).`;
  if (n < 10) return `${read}; the file has ${n} levels a side, levels ${n}..9 are written empty.`;
  return `${read}.`;
}

/**
 * Per data type whose days had rows added: how its figures add up, in one line
 * ("Order book deltas: written 1,000,001 = read 1,000,000 + 1 CLEAR added − …"), so the per-day
 * table's written can be checked against its read.
 */
export function addedSums(days: readonly DayReport[]): { dataType: DataType; text: string }[] {
  const types = [...new Set(days.filter((d) => (d.added ?? 0) > 0).map((d) => d.dataType))];
  return types.map((t) => {
    const of = days.filter((d) => d.dataType === t);
    const sum = (f: (d: DayReport) => number) => of.reduce((a, d) => a + f(d), 0);
    const added = sum((d) => d.added ?? 0);
    const minus: [number, string][] = [
      [sum((d) => d.duplicates), 'duplicates'], [sum((d) => Object.values(d.rejected).reduce((a, b) => a + b, 0)), 'rejected'],
      [sum((d) => d.skipped), 'without a value'], [sum((d) => d.existing), 'already in the catalog'], [sum((d) => d.discarded), 'discarded with failed days'],
    ];
    const less = minus.filter(([n]) => n > 0).map(([n, what]) => ` − ${formatCount(n)} ${what}`).join('');
    const clear = `${formatCount(added)} CLEAR ${added === 1 ? 'row' : 'rows'} added`;
    return { dataType: t, text: `${TYPE_LABELS[t]}: written ${formatCount(sum((d) => d.written))} = read ${formatCount(sum((d) => d.read))} + ${clear}${less} (NautilusTrader’s loader puts a CLEAR before each book snapshot).` };
  });
}

/** The order-book types: built from known layouts only, whose columns the engine reads by name. */
export const BOOK_TYPES: readonly DataType[] = ['deltas', 'depth10'];

/**
 * Whether the job has nothing to map: every file in use feeds only order-book types, from a known
 * layout (a Tardis incremental_book_L2 or book_snapshot_N, a Binance T_DEPTH file). The app then goes
 * from the preview straight to the job, and the mapping step says why it is skipped.
 */
export function mappingSkipped(files: readonly { info: { error?: string; format: string }; types: readonly DataType[] }[]): boolean {
  const used = files.filter((f) => !f.info.error && f.types.length);
  return used.length > 0 && used.every((f) => f.info.format !== 'generic' && f.types.every((t) => BOOK_TYPES.includes(t)));
}
