// A file's local conventions as the app offers them: what the engine's preview proposes (decimal
// comma, day-first dates, side values) against what the user has already set in the file's options.
// Nothing is applied by itself: the user ticks and confirms, or edits the side values.
import type { FileOptions, LocaleProposals, PreviewRow } from '../../../shared/api.js';
import type { SideName } from '../../../shared/job.js';

/** The proposals not yet decided by the file's options (an option set either way settles its proposal). */
export interface LocaleOffer {
  decimal?: { example: string };
  dateFormat?: { value: NonNullable<FileOptions['dateFormat']>; example: string; sure: boolean };
}

export function localeOffer(p: LocaleProposals | undefined, o: FileOptions): LocaleOffer {
  const out: LocaleOffer = {};
  if (p?.decimal && o.decimal === undefined) out.decimal = { example: p.decimal.example };
  if (p?.dateFormat && o.dateFormat === undefined && o.timestampUnit === undefined) out.dateFormat = { ...p.dateFormat };
  return out;
}

/** The options a confirmed offer sets: only the ticked parts. */
export function acceptOffer(offer: LocaleOffer, ticked: { decimal: boolean; dateFormat: boolean }): FileOptions {
  const o: FileOptions = {};
  if (offer.decimal && ticked.decimal) o.decimal = ',';
  if (offer.dateFormat && ticked.dateFormat) o.dateFormat = offer.dateFormat.value;
  return o;
}

/** "42000,5 → 42000.5" */
export function decimalExample(text: string): string {
  return `${text} → ${text.replace(/\./g, '').replace(',', '.')}`;
}

export const DATE_LABEL: Record<NonNullable<FileOptions['dateFormat']>, string> = {
  'day-first': 'Day first (31.01.2024 10:00:00)',
  'month-first': 'Month first (01/31/2024 10:00:00)',
};

/** One row of the side values editor: a value of the file and what it means ('' = not chosen yet). */
export interface SidePair {
  value: string;
  side: SideName | '';
  /** the default reading does not know it: without a choice its rows are rejected */
  unknown: boolean;
}

/**
 * The side values to show: the file's set ones, then the values the preview found that are not set
 * yet (with the engine's guess). `applied`: the pairs are the file's options (edits apply at once).
 */
export function sidePairs(p: LocaleProposals | undefined, o: FileOptions): { pairs: SidePair[]; applied: boolean } {
  const set = o.sideValues ?? {};
  const have = new Set(Object.keys(set).map((k) => k.toLowerCase()));
  const unknown = new Set((p?.sideValues?.unknown ?? []).map((v) => v.toLowerCase()));
  const pairs: SidePair[] = Object.entries(set).map(([value, side]) => ({ value, side, unknown: unknown.has(value.toLowerCase()) }));
  for (const [value, side] of Object.entries(p?.sideValues?.values ?? {})) {
    if (!have.has(value.toLowerCase())) pairs.push({ value, side, unknown: unknown.has(value.toLowerCase()) });
  }
  return { pairs, applied: Object.keys(set).length > 0 };
}

/** The file option for the pairs: every chosen pair (a value left unchosen is not sent, and stays a reject). */
export function sideValuesOf(pairs: readonly SidePair[]): Record<string, SideName> | undefined {
  const out: Record<string, SideName> = {};
  for (const p of pairs) if (p.side) out[p.value] = p.side;
  return Object.keys(out).length ? out : undefined;
}

export type RowFilter = 'all' | PreviewRow['status'];

/** The rows a status badge shows ('all': every row), with their indexes in the preview. */
export function filterRows(rows: readonly PreviewRow[], f: RowFilter): number[] {
  const out: number[] = [];
  rows.forEach((r, i) => {
    if (f === 'all' || r.status === f) out.push(i);
  });
  return out;
}
