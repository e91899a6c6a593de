// Calendar and date-range helpers (UTC days as YYYY-MM-DD), for the range picker and the job.

export type Day = string; // YYYY-MM-DD

const DAY_MS = 86_400_000;

export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function toDay(d: Date): Day {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: Day, n: number): Day {
  return toDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Every day from start to end: no cap (a cap of 3,700 cut a 31-year job's bars short). */
export function daysBetween(start: Day, end: Day): Day[] {
  if (!isDay(start) || !isDay(end) || end < start) return [];
  const out: Day[] = [];
  const last = Date.parse(`${end}T00:00:00Z`);
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= last; t += DAY_MS) out.push(toDay(new Date(t)));
  return out;
}

export interface Month {
  year: number;
  /** 0-11 */
  month: number;
}

/** The month of a real day. Throws on anything else: NaN months make Date throw later, "2" makes year 1901. */
export function monthOf(day: Day): Month {
  if (!isDay(day)) throw new RangeError(`not a day: "${day}" (expected YYYY-MM-DD)`);
  return { year: Number(day.slice(0, 4)), month: Number(day.slice(5, 7)) - 1 };
}

/**
 * The months to show once the first day is typed as `text`: only a whole, real day moves them, so
 * half-typed or wrong text keeps the last valid view.
 */
export function viewFor(view: Month, text: string | null): Month {
  if (!text || !isDay(text) || isShown(view, text)) return view;
  return monthOf(text);
}

/** The day the calendar opens on: the first day when it is a real one, else today. */
export function startDay(text: string | null, today: Day): Day {
  return text && isDay(text) ? text : today;
}

/** What is wrong with a typed day, for the hint under its field; null when empty or right. */
export function dayFieldError(text: string | null): string | null {
  if (!text || isDay(text)) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text} is not a day in the calendar (expected YYYY-MM-DD).`;
  return 'Not a date: expected YYYY-MM-DD, e.g. 2024-01-31.';
}

export function addMonths(m: Month, n: number): Month {
  const t = m.year * 12 + m.month + n;
  return { year: Math.floor(t / 12), month: ((t % 12) + 12) % 12 };
}

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const WEEKDAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];

export function monthLabel(m: Month): string {
  return `${MONTH_NAMES[m.month]} ${m.year}`;
}

/** The weeks of a month (Monday first) as 7-slot rows; null for slots outside the month. */
export function monthGrid(m: Month): (Day | null)[][] {
  const first = new Date(Date.UTC(m.year, m.month, 1));
  const lead = (first.getUTCDay() + 6) % 7;
  const count = new Date(Date.UTC(m.year, m.month + 1, 0)).getUTCDate();
  const cells: (Day | null)[] = Array.from({ length: lead }, () => null);
  for (let d = 1; d <= count; d++) cells.push(toDay(new Date(Date.UTC(m.year, m.month, d))));
  while (cells.length % 7) cells.push(null);
  const weeks: (Day | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** The first day of a month. */
export function firstDay(m: Month): Day {
  return toDay(new Date(Date.UTC(m.year, m.month, 1)));
}

/** The calendar shows two months from `view`: is the day in one of them? */
export function isShown(view: Month, day: Day): boolean {
  if (!isDay(day)) return false;
  const m = monthOf(day);
  return [view, addMonths(view, 1)].some((x) => x.year === m.year && x.month === m.month);
}

/** Days an arrow key moves the calendar's focus; undefined for any other key. */
export function arrowStep(key: string): number | undefined {
  const steps: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
  return Object.hasOwn(steps, key) ? steps[key] : undefined;
}

/** The two months to show once the focus has moved off them to `day`: backwards it shows first, forwards second. */
export function viewReaching(day: Day, step: number): Month {
  const m = monthOf(day);
  return step < 0 ? m : addMonths(m, -1);
}

/** The day that takes the Tab stop: the focused one while shown, else the first of the view. */
export function tabDay(view: Month, focusDay: Day): Day {
  return isShown(view, focusDay) ? focusDay : firstDay(view);
}

export interface Range {
  start: Day | null;
  end: Day | null;
}

/** The range the calendar draws and extends: typed text that is not a real day counts as not chosen yet. */
export function validRange(r: Range): Range {
  const ok = (d: Day | null) => (d && isDay(d) ? d : null);
  return { start: ok(r.start), end: ok(r.end) };
}

/**
 * A click on a day: the first click starts a range, the second ends it (either order), a third
 * starts a new one.
 */
export function pickDay(r: Range, day: Day): Range {
  if (!r.start || (r.start && r.end)) return { start: day, end: null };
  return day < r.start ? { start: day, end: r.start } : { start: r.start, end: day };
}

export function inRange(r: Range, day: Day, hover?: Day | null): boolean {
  const s = r.start;
  const e = r.end ?? (s && hover ? hover : null);
  if (!s || !e) return day === s;
  const [a, b] = s <= e ? [s, e] : [e, s];
  return day >= a && day <= b;
}

/** The range picker's one-line state: what is chosen, or what to click next. */
export function rangeSummary(r: Range): string {
  if (r.start && r.end) {
    const count = daysBetween(r.start, r.end).length;
    return `${r.start} → ${r.end} · ${count} day${count === 1 ? '' : 's'}`;
  }
  return r.start ? `From ${r.start}: now pick the last day` : 'Pick the first day';
}

/** Dates named in file names (2024-01-01, 2024_01_01 or 20240101), earliest and latest. */
export function datesFromNames(names: string[]): Range {
  const found: Day[] = [];
  for (const n of names) {
    for (const m of n.matchAll(/(?<!\d)(20\d{2})[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])(?!\d)/g)) {
      const d = `${m[1]}-${m[2]}-${m[3]}`;
      if (isDay(d)) found.push(d);
    }
  }
  if (!found.length) return { start: null, end: null };
  found.sort();
  return { start: found[0]!, end: found[found.length - 1]! };
}

/** The UTC day of an ISO timestamp such as 2024-01-01T00:00:01.5Z. */
export function dayOfIso(iso: string | undefined): Day | null {
  if (!iso) return null;
  const d = iso.slice(0, 10);
  return isDay(d) ? d : null;
}
