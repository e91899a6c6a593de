// Bars from CSV files: the bar times of a file's first rows and the bar spec they show (or the one
// the user gave, checked against them). Decided before anything is written (engine/jobs/barspec.ts)
// and for the preview.
import { detectBarSpec } from '../bars/detect.js';
import { intervalNs, parseBarSpec, specText, type BarPriceType, type BarSpec } from '../bars/spec.js';
import { UNIT_MULT, unitOf, type TsColumn } from '../timestamp.js';
import { splitCsv, type Detected } from './detect.js';
import type { Plan } from './plan.js';
import { HINTS } from '../../../shared/text.js';

/** ns per unit of a time cell: its Unix unit, else (ISO text) a millisecond. */
export function cellUnitNs(text: string): bigint {
  const u = unitOf(text.trim());
  return u && u !== 'iso' ? UNIT_MULT[u] : 1_000_000n;
}

/** The price type a file's format fixes (mark-price klines are MARK bars); null when the user decides (default LAST). */
export function formatPriceType(det: Detected): BarPriceType | null {
  if (det.format === 'vision.markPriceKlines') return 'MARK';
  if (det.format === 'vision.klines') return 'LAST';
  return null;
}

/**
 * The bar times of sample data lines (header left out), sorted and without repeats: open times, or
 * close times moved to the interval boundary (a Binance-style …59.999 close). Spacing and grid are
 * the same for both. Rows whose time does not parse are left out (they are rejected when read).
 */
export function sampleBarTimes(det: Detected, plan: Plan, dataLines: readonly string[], ts: TsColumn): bigint[] {
  const k = plan.cols.timestamp!;
  const cells = dataLines.filter((l) => l.trim() !== '').map((l) => splitCsv(l, det.delimiter)[k] ?? '');
  ts.decide(cells.filter((c) => c.trim() !== ''));
  const out = new Set<bigint>();
  for (const c of cells) {
    let t = ts.parse(c);
    if (typeof t === 'string') continue;
    const u = cellUnitNs(c);
    if (plan.barTime === 'close' && t % 1_000_000_000n !== 0n && (t + u) % 1_000_000_000n === 0n) t += u;
    out.add(t);
  }
  return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface SampledFile {
  label: string;
  det: Detected;
  times: bigint[];
}

export interface BarDecision {
  spec: BarSpec;
  intervalNs: bigint;
  /** how it was decided, for the report */
  how: string;
}

/**
 * The job's bar spec: `given` (--bar-type) checked against every file, else the one every file's
 * spacing shows; files that disagree are refused, naming both.
 */
export function decideBarSpec(files: readonly SampledFile[], given: string | undefined): BarDecision | { error: string } {
  if (given !== undefined) {
    const g = parseBarSpec(given);
    if ('error' in g) return { error: `--bar-type ${g.error}` };
    for (const f of files) {
      const pt = formatPriceType(f.det);
      if (pt && pt !== g.priceType) return { error: `${f.label} is a ${f.det.label} file: its bars are ${pt} bars, not ${g.priceType} (--bar-type ${given})` };
      const d = detectBarSpec(f.times);
      if ('spec' in d && d.intervalNs !== intervalNs(g)) {
        return { error: `${f.label}: its bars are ${d.spec.step}-${d.spec.aggregation} apart, not ${g.step}-${g.aggregation} as --bar-type ${given} says` };
      }
    }
    return { spec: g, intervalNs: intervalNs(g), how: 'given by --bar-type' };
  }
  let first: { f: SampledFile; spec: BarSpec; ns: bigint } | null = null;
  const ambiguous: string[] = [];
  for (const f of files) {
    const d = detectBarSpec(f.times);
    if ('error' in d) return { error: `${f.label}: cannot tell the bar interval: ${d.error}` };
    if ('ambiguous' in d) {
      ambiguous.push(`${f.label}: ${d.ambiguous}`);
      continue;
    }
    const spec: BarSpec = { ...d.spec, priceType: formatPriceType(f.det) ?? 'LAST' };
    if (first && specText(first.spec) !== specText(spec)) {
      return { error: `the files disagree on the bar type: ${first.f.label} holds ${specText(first.spec)} bars, ${f.label} ${specText(spec)} bars; build them as separate jobs` };
    }
    first ??= { f, spec, ns: d.intervalNs };
  }
  if (!first) return { error: `cannot tell the bar interval (${ambiguous.join('; ') || 'no file to sample'}); ${HINTS.barType.cli}, e.g. 1-MINUTE-LAST` };
  const n = files.length - ambiguous.length;
  return { spec: first.spec, intervalNs: first.ns, how: `detected from the spacing of the first bars of ${n} file(s)${ambiguous.length ? `; too few bars to tell in ${ambiguous.length} other(s)` : ''}` };
}
