// What the Run screen shows for each bar and for the whole job: plain data, no DOM.
import type { DataType } from '../../../shared/job.js';
import { TYPE_LABELS } from './dataTypes.js';
import { formatCount, formatEta, formatRate, plural } from './format.js';
import { barKey, type BarState, type DayBar, type FileProgress, type RunState } from './progress.js';


export type Tone = 'pending' | 'active' | 'done' | 'empty' | 'skipped' | 'failed' | 'cancelled';

export interface BarView {
  key: string;
  instrument?: string;
  dataType: DataType;
  day: string;
  /** 0..100, whole numbers */
  percent: number;
  tone: Tone;
  stateLabel: string;
  /** "12,345 rows" / "12,345 rows · 12,000 written" */
  rowsText: string;
  rateText: string;
  etaText: string;
  /** rows read so far */
  rows: number;
  error?: string;
  file?: string;
}

const STATE_LABELS: Record<BarState, string> = {
  pending: 'Waiting',
  reading: 'Reading',
  writing: 'Writing',
  done: 'Done',
  skipped: 'Already in catalog',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** A day done with nothing written is "empty", never the colour of a day that holds data. */
function toneOf(state: BarState, written?: number): Tone {
  if (state === 'reading' || state === 'writing') return 'active';
  if (state === 'done' && written === 0) return 'empty';
  return state;
}

export function barView(b: DayBar): BarView {
  const tone = toneOf(b.state, b.written);
  const percent = Math.max(0, Math.min(100, Math.floor(b.fraction * 100)));
  let rowsText = '';
  if (b.state === 'skipped') rowsText = 'kept as it was';
  else if (b.state === 'done' && b.written !== undefined) rowsText = `${plural(b.written, 'row')} written`;
  // More written than read: rows the engine added (a CLEAR before each book snapshot), not "401 of 400".
  else if (b.state === 'writing' && b.written !== undefined) rowsText = b.written > b.rows ? `${plural(b.written, 'row')} written` : `${formatCount(b.written)} of ${plural(b.rows, 'row')} written`;
  else if (b.rows > 0 || b.state !== 'pending') rowsText = plural(b.rows, 'row');
  const active = tone === 'active';
  let stateLabel = STATE_LABELS[b.state];
  if (b.state === 'done' && b.error) stateLabel = 'Done, empty';
  if (b.state === 'cancelled') stateLabel = 'Cancelled — nothing written';
  return {
    key: barKey(b.dataType, b.day, b.instrument), ...(b.instrument ? { instrument: b.instrument } : {}), dataType: b.dataType, day: b.day, percent: b.state === 'cancelled' ? Math.floor(b.fraction * 100) : percent, tone, stateLabel,
    rowsText, rateText: active ? formatRate(b.rowsPerSec) : '', etaText: active ? formatEta(b.etaSec) : '', rows: b.rows, error: b.error, file: b.file,
  };
}

export interface BarGroup {
  /** a job of several instruments: whose days (the symbol) */
  instrument?: string;
  dataType: DataType;
  label: string;
  bars: BarView[];
  done: number;
  failed: number;
  total: number;
}

export function groupBars(s: RunState): BarGroup[] {
  const groups: BarGroup[] = [];
  for (const k of s.order) {
    const b = s.bars[k];
    if (!b) continue;
    let g = groups.find((x) => x.dataType === b.dataType && x.instrument === b.instrument);
    if (!g) {
      g = { ...(b.instrument ? { instrument: b.instrument } : {}), dataType: b.dataType, label: TYPE_LABELS[b.dataType], bars: [], done: 0, failed: 0, total: 0 };
      groups.push(g);
    }
    const v = barView(b);
    g.bars.push(v);
    g.total++;
    if (b.state === 'done' || b.state === 'skipped') g.done++;
    if (b.state === 'failed') g.failed++;
  }
  return groups;
}

export interface RunSummary {
  percent: number;
  total: number;
  done: number;
  failed: number;
  skipped: number;
  active: number;
  rows: number;
  /** one line for the header: "3 of 6 days done · 1 failed" */
  text: string;
  title: string;
}

export function runSummary(s: RunState): RunSummary {
  const bars = s.order.map((k) => s.bars[k]!).filter(Boolean);
  const total = bars.length;
  const done = bars.filter((b) => b.state === 'done').length;
  const skipped = bars.filter((b) => b.state === 'skipped').length;
  const failed = bars.filter((b) => b.state === 'failed').length;
  const active = bars.filter((b) => b.state === 'reading' || b.state === 'writing').length;
  const rows = bars.reduce((a, b) => a + b.rows, 0);
  const percent = total ? Math.floor((bars.reduce((a, b) => a + b.fraction, 0) / total) * 100) : s.status === 'done' ? 100 : 0;
  const parts = [`${formatCount(done + skipped)} of ${formatCount(total)} day${total === 1 ? '' : 's'} finished`];
  if (skipped) parts.push(`${formatCount(skipped)} already in catalog`);
  if (failed) parts.push(`${formatCount(failed)} failed`);
  if (rows) parts.push(`${plural(rows, 'row')} read`);
  const title = {
    idle: 'Not started',
    starting: 'Starting…',
    running: 'Building the catalog…',
    cancelling: 'Cancelling…',
    done: 'Finished',
    failed: failed ? 'Finished with errors' : 'The job failed',
    cancelled: 'Cancelled',
  }[s.status];
  return { percent: Math.min(100, percent), total, done, failed, skipped, active, rows, text: parts.join(' · '), title };
}

export interface Segment {
  tone: Tone;
  /** share of the whole job, 0..100 */
  percent: number;
}

/** The whole job's bar in parts: finished, failed and running days each in their own colour. */
export function runSegments(s: RunState): Segment[] {
  const bars = s.order.map((k) => s.bars[k]!).filter(Boolean);
  if (!bars.length) return [];
  const order: Tone[] = ['done', 'empty', 'skipped', 'failed', 'active', 'cancelled'];
  const acc = new Map<Tone, number>();
  for (const b of bars) {
    const v = barView(b);
    if (v.tone === 'pending') continue;
    acc.set(v.tone, (acc.get(v.tone) ?? 0) + b.fraction);
  }
  return order.filter((t) => acc.has(t)).map((tone) => ({ tone, percent: (acc.get(tone)! / bars.length) * 100 }));
}

export interface InstrumentGroups {
  /** the symbol; absent in a job of one instrument */
  instrument?: string;
  groups: BarGroup[];
  done: number;
  failed: number;
  total: number;
}

/** The groups under their instrument's heading (one heading-less set in a job of one instrument). */
export function groupByInstrument(groups: readonly BarGroup[]): InstrumentGroups[] {
  const out: InstrumentGroups[] = [];
  for (const g of groups) {
    let x = out.find((o) => o.instrument === g.instrument);
    if (!x) {
      x = { ...(g.instrument ? { instrument: g.instrument } : {}), groups: [], done: 0, failed: 0, total: 0 };
      out.push(x);
    }
    x.groups.push(g);
    x.done += g.done;
    x.failed += g.failed;
    x.total += g.total;
  }
  return out;
}

/** The Run screen's subtitle: "BTCUSDT · 2024-01-01 → 2024-01-03 → /out/cat" (one day shown once; several symbols listed). */
export function specLine(spec: { symbol?: string; symbols?: string[]; start: string; end: string; output: string } | null): string {
  if (!spec) return '';
  const who = spec.symbols?.length ? spec.symbols.join(', ') : spec.symbol ?? 'the files’ symbol';
  return `${who} · ${spec.start === spec.end ? spec.start : `${spec.start} → ${spec.end}`} → ${spec.output}`;
}

/** How much of a file has been read, in whole percent (an empty file counts as 1 byte). */
export function fileReadPercent(f: Pick<FileProgress, 'bytesRead' | 'bytesTotal'>): number {
  return Math.round((f.bytesRead / Math.max(1, f.bytesTotal)) * 100);
}

export interface YearSpan {
  year: string;
  /** index of the year's first bar in the group */
  first: number;
  days: number;
  rows: number;
  failed: number;
}

/** A long group's bars by year (they are in day order): where each year starts, its rows and failures, to jump to it. */
export function yearSpans(bars: readonly BarView[]): YearSpan[] {
  const out: YearSpan[] = [];
  bars.forEach((b, i) => {
    const year = b.day.slice(0, 4);
    let y = out.at(-1);
    if (!y || y.year !== year) out.push((y = { year, first: i, days: 0, rows: 0, failed: 0 }));
    y.days++;
    y.rows += b.rows;
    if (b.tone === 'failed') y.failed++;
  });
  return out;
}
