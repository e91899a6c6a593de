// What the result screen says about a finished run: its title, and how each day's state reads.
import { MARKET, MARKETS, type MarketKey } from '../../../shared/markets.js';
import type { DayReport, RunReport } from '../../../shared/report.js';
import { appText, printable } from '../../../shared/text.js';
import { baseName, formatCount, plural } from './format.js';

export function failedDays(days: readonly DayReport[]): number {
  return days.filter((d) => d.state === 'failed').length;
}

/** How the job's days ended: rows written, done but nothing written, kept from before, failed. */
export interface DayCounts {
  total: number;
  written: number;
  empty: number;
  kept: number;
  failed: number;
}

export function dayCounts(days: readonly DayReport[]): DayCounts {
  const c: DayCounts = { total: days.length, written: 0, empty: 0, kept: 0, failed: 0 };
  for (const d of days) {
    if (d.state === 'failed') c.failed++;
    else if (d.state === 'skipped') c.kept++;
    else if (d.written > 0) c.written++;
    else c.empty++;
  }
  return c;
}

/** "1 of 2 days written · 1 empty · 1 failed": the same words on the Run and Result screens. */
export function daysText(c: DayCounts): string {
  const parts = [`${formatCount(c.written)} of ${plural(c.total, 'day')} written`];
  if (c.kept) parts.push(`${formatCount(c.kept)} kept from before`);
  if (c.empty) parts.push(`${formatCount(c.empty)} empty`);
  if (c.failed) parts.push(`${formatCount(c.failed)} failed`);
  return parts.join(' · ');
}

/** The files a finished job names as failed: those it could not read, and those its errors name (too many rejected rows). */
export function failedFiles(r: Partial<Pick<RunReport, 'files' | 'errors'>>): string[] {
  const files = r.files ?? [];
  const errors = r.errors ?? [];
  return [...new Set(files.filter((f) => f.error || errors.some((e) => e.includes(f.path))).map((f) => f.path))];
}

type Outcomeable = Pick<RunReport, 'ok' | 'days'> & Partial<Pick<RunReport, 'files' | 'errors'>> & { sections?: Pick<RunReport, 'ok'>[] };

/**
 * The one line the Run and Result screens head a finished job with: what failed (files, days) and
 * how many days were written, so the headline, the counts and the bar cannot disagree.
 */
export function resultTitle(r: Outcomeable): string {
  // A job of several: how many instruments failed, when some were written.
  const bad = r.sections?.filter((s) => !s.ok).length ?? 0;
  if (r.sections && bad && bad < r.sections.length) return `Written, ${bad} of ${r.sections.length} instruments failed`;
  if (r.ok) return 'Catalog written';
  const c = dayCounts(r.days);
  const files = failedFiles(r).length;
  const problems = [
    ...(files ? [`${files} file${files === 1 ? '' : 's'} failed`] : []),
    ...(c.failed ? [`${c.failed} day${c.failed === 1 ? '' : 's'} failed`] : []),
  ];
  const written = c.total ? [`${c.written} of ${c.total} day${c.total === 1 ? '' : 's'} written`] : [];
  if (!c.written) return ['The job failed', [...problems, ...written].join(' · ')].filter(Boolean).join(': ');
  return `Finished with errors: ${[...problems, ...written].join(' · ')}`;
}

/** The headline in two words, for the steps in the sidebar. */
export function shortOutcome(r: Outcomeable): string {
  const tone = resultTone(r);
  return tone === 'ok' ? 'Finished' : tone === 'partial' ? 'Finished with errors' : 'The job failed';
}

/** A finished job's look: ok, errors with some days written, or nothing written. */
export function resultTone(r: Outcomeable): 'ok' | 'partial' | 'failed' {
  if (r.ok) return 'ok';
  return dayCounts(r.days).written || r.sections?.some((s) => s.ok) ? 'partial' : 'failed';
}

export function stateTone(s: DayReport['state']): 'done' | 'skipped' | 'failed' {
  return s === 'done' ? 'done' : s === 'skipped' ? 'skipped' : 'failed';
}

/** A skipped day was already in the catalog and is kept as it was. */
export function dayStateLabel(s: DayReport['state']): string {
  return s === 'skipped' ? 'kept' : s;
}

/**
 * What the catalog's instrument is, in the words the job screen used: its class, market, linear or
 * inverse, contract size and settlement (reports written before instruments had kinds say none of it).
 */
export function instrumentFacts(i: RunReport['instrument']): string[] {
  const facts: string[] = [];
  if (i.className) facts.push(i.className);
  if (i.market) facts.push((MARKETS as readonly string[]).includes(i.market) ? MARKET[i.market as MarketKey].label : i.market);
  if (i.isInverse !== undefined && i.className !== 'CurrencyPair') facts.push(i.isInverse ? 'inverse' : 'linear');
  if (i.multiplier !== undefined && i.className !== 'CurrencyPair') facts.push(`multiplier ${i.multiplier}`);
  if (i.settlement && i.className !== 'CurrencyPair') facts.push(`settled in ${i.settlement}`);
  return facts;
}

/** How an instrument of a job of several is named: its id, or (refused before it had one) its symbol. */
export function sectionLabel(r: Pick<RunReport, 'instrument' | 'job'>): string {
  return r.instrument.id || String((r.job as { symbol?: unknown }).symbol ?? '?');
}


/** A failure as the app shows it: the file's name once (none: the job's own), then what went wrong. */
export interface FailureGroup {
  path?: string;
  name: string;
  lines: string[];
}

/** Longest first, so a path is never taken for a shorter one it starts with. */
function fileOf(text: string, paths: readonly string[]): string | undefined {
  return paths.find((p) => text.includes(p));
}

/** The message without the file it is grouped under: its "type: path: " prefix dropped, other mentions "this file". */
function withoutFile(text: string, path: string, dataType?: string): string {
  let t = text;
  for (const prefix of [`${dataType}: ${path}: `, `${path}: `]) if (t.startsWith(prefix)) t = t.slice(prefix.length);
  return t.split(path).join('this file');
}

/** How an error reads on screen: in the app's words, binary bytes never shown, long text cut. */
export function shownError(text: string): string {
  return printable(appText(text), 600);
}

/**
 * The job's failures, grouped by the file they are about (files first, in the report's order),
 * each message once, in the app's words; errors about no one file come last.
 */
export function failureGroups(r: Pick<RunReport, 'files' | 'errors'>): FailureGroup[] {
  const paths = [...new Set(r.files.map((f) => f.path))].sort((a, b) => b.length - a.length);
  const groups = new Map<string, FailureGroup>();
  const add = (path: string | undefined, line: string) => {
    const key = path ?? '';
    const g = groups.get(key) ?? { ...(path ? { path } : {}), name: path ? baseName(path) : 'The job', lines: [] };
    groups.set(key, g);
    const shown = shownError(line);
    if (!g.lines.includes(shown)) g.lines.push(shown);
  };
  for (const f of r.files) if (f.error) add(f.path, withoutFile(f.error, f.path, f.dataType));
  for (const e of r.errors) {
    const path = fileOf(e, paths);
    const dataType = path ? r.files.find((f) => f.path === path)?.dataType : undefined;
    add(path, path ? withoutFile(e, path, dataType) : e);
  }
  const all = [...groups.values()];
  return [...all.filter((g) => g.path), ...all.filter((g) => !g.path)];
}

/** The rows the per-day table shows beside the days, so that it adds up to the job's totals. */
export interface DayTableExtras {
  /** rejected rows that have no day (no usable timestamp) */
  noDay: number;
  /** rows whose time lies outside the job's days (read, never written) */
  outOfRange: number;
  total: { read: number; written: number; duplicates: number; rejected: number; added: number };
}

export function dayTableExtras(r: Pick<RunReport, 'days' | 'totals'>): DayTableExtras {
  const dayRejected = r.days.reduce((a, d) => a + Object.values(d.rejected).reduce((x, n) => x + n, 0), 0);
  const noDay = Math.max(0, r.totals.rejected - dayRejected);
  const outOfRange = r.totals.outOfRange;
  const sum = (f: (d: DayReport) => number) => r.days.reduce((a, d) => a + f(d), 0);
  return {
    noDay, outOfRange,
    total: { read: sum((d) => d.read) + noDay + outOfRange, written: sum((d) => d.written), duplicates: sum((d) => d.duplicates), rejected: r.totals.rejected, added: sum((d) => d.added ?? 0) },
  };
}
