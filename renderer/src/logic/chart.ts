// Geometry of the Result screen's daily chart: trade count as bars, close price as a line.
// Days of the job's range with no data show as gaps (no bar, a break in the line).
import type { DayPoint } from '../../../shared/api.js';
import { daysBetween } from './dates.js';

export interface ChartDay {
  day: string;
  x: number;
  width: number;
  trades: number;
  close: number | null;
  barY: number;
  barH: number;
  closeY: number | null;
  gap: boolean;
}

export interface ChartModel {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  days: ChartDay[];
  /** SVG path of the close line; breaks at days without a close */
  closePath: string;
  priceTicks: { y: number; label: string }[];
  tradeTicks: { y: number; label: string }[];
  maxTrades: number;
  empty: boolean;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function compact(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function priceLabel(n: number, span: number): string {
  const dp = span >= 100 ? 0 : span >= 1 ? 2 : 4;
  return n.toLocaleString('en-US', { minimumFractionDigits: dp, maximumFractionDigits: dp });
}

export function chartModel(points: DayPoint[], range: { start?: string | null; end?: string | null } = {}, width = 640, height = 220): ChartModel {
  const plot = { left: 56, right: width - 56, top: 16, bottom: height - 28 };
  const byDay = new Map(points.map((p) => [p.day, p]));
  let days = range.start && range.end ? daysBetween(range.start, range.end) : [];
  if (!days.length) days = [...byDay.keys()].sort();
  else {
    const inRange = new Set(days);
    for (const d of byDay.keys()) if (!inRange.has(d)) days.push(d);
  }
  days.sort();
  const n = days.length;
  const slot = n ? (plot.right - plot.left) / n : 0;
  const maxTrades = niceMax(Math.max(0, ...points.map((p) => p.trades)));
  const closes = points.map((p) => Number(p.close)).filter((v) => Number.isFinite(v));
  let lo = closes.length ? Math.min(...closes) : 0;
  let hi = closes.length ? Math.max(...closes) : 1;
  if (hi === lo) {
    const pad = Math.abs(hi) * 0.01 || 1;
    lo -= pad;
    hi += pad;
  } else {
    const pad = (hi - lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const ph = plot.bottom - plot.top;
  const yPrice = (v: number) => plot.bottom - ((v - lo) / (hi - lo)) * ph;
  const out: ChartDay[] = days.map((day, i) => {
    const p = byDay.get(day);
    const trades = p?.trades ?? 0;
    const close = p?.close !== undefined && Number.isFinite(Number(p.close)) ? Number(p.close) : null;
    const barH = (trades / maxTrades) * ph;
    const x = plot.left + i * slot;
    return {
      day, x, width: slot, trades, close, barY: plot.bottom - barH, barH,
      closeY: close === null ? null : yPrice(close), gap: !p || trades === 0,
    };
  });
  let path = '';
  let pen = false;
  for (const d of out) {
    if (d.closeY === null) {
      pen = false;
      continue;
    }
    const cx = (d.x + d.width / 2).toFixed(1);
    path += `${pen ? 'L' : 'M'}${cx},${d.closeY.toFixed(1)}`;
    pen = true;
  }
  const priceTicks = [0, 0.5, 1].map((f) => {
    const v = lo + (hi - lo) * f;
    return { y: yPrice(v), label: priceLabel(v, hi - lo) };
  });
  const tradeTicks = [0, 0.5, 1].map((f) => ({ y: plot.bottom - f * ph, label: compact(maxTrades * f) }));
  return { width, height, plot, days: out, closePath: path, priceTicks, tradeTicks, maxTrades, empty: points.length === 0 };
}
