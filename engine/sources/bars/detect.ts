// The bar interval of a file from its open times, and the bar's ts_event (its close).
import { describeNs, specFromInterval, type TimeSpec } from './spec.js';

export type Detected =
  | { spec: TimeSpec; intervalNs: bigint; /** spacings wider than the interval (gaps) */ gaps: number }
  | { ambiguous: string }
  | { error: string };

/**
 * Detects step and aggregation from a sample of consecutive open times (ns, file order). The
 * smallest positive spacing is the interval; every spacing must be a whole multiple of it (wider
 * ones are gaps) and every open time must sit on that grid from 00:00 UTC. Too few bars, or a
 * sample where most spacings are gaps, is ambiguous: the user then names the spec (--bar-type).
 */
export function detectBarSpec(openTimes: readonly bigint[]): Detected {
  if (openTimes.length < 2) return { ambiguous: `${openTimes.length} bar(s): too few to tell the bar interval` };
  let min = 0n;
  for (let i = 1; i < openTimes.length; i++) {
    const d = openTimes[i]! - openTimes[i - 1]!;
    if (d <= 0n) return { error: `open times are not increasing at bar ${i + 1} (${openTimes[i - 1]} then ${openTimes[i]})` };
    if (min === 0n || d < min) min = d;
  }
  let gaps = 0, atMin = 0;
  for (let i = 1; i < openTimes.length; i++) {
    const d = openTimes[i]! - openTimes[i - 1]!;
    if (d % min !== 0n) return { error: `inconsistent spacing: ${describeNs(min)} between some bars but ${describeNs(d)} before bar ${i + 1}` };
    if (d === min) atMin++;
    else gaps++;
  }
  // With most spacings wider than the smallest one, the real interval could be smaller still.
  if (atMin * 2 < openTimes.length - 1) {
    return { ambiguous: `only ${atMin} of ${openTimes.length - 1} spacings are ${describeNs(min)}; the rest are wider: the interval is not clear` };
  }
  const spec = specFromInterval(min);
  if ('error' in spec) return spec;
  const off = openTimes.find((t) => t % min !== 0n);
  if (off !== undefined) return { error: `open time ${off} is not on the ${describeNs(min)} grid counted from 00:00 UTC` };
  return { spec, intervalNs: min, gaps };
}

/**
 * A bar's ts_event: its close, open + interval. When the file also has a close time (Binance
 * klines: open + interval - 1 unit, e.g. …59999 ms), it must agree, and the close is that + 1 unit.
 * `unitNs` is the file's timestamp unit in ns (1_000_000n for ms, 1_000n for µs).
 */
export function barCloseNs(openNs: bigint, intervalNs: bigint, closeNs: bigint | null = null, unitNs = 1_000_000n): bigint | { error: string } {
  const end = openNs + intervalNs;
  if (closeNs !== null && closeNs + unitNs !== end) {
    return { error: `close time ${closeNs} is not open time ${openNs} + ${describeNs(intervalNs)} - 1 ${unitNs === 1_000n ? 'µs' : unitNs === 1_000_000n ? 'ms' : `${unitNs} ns`}` };
  }
  return end;
}

/**
 * A bar's ts_event from a close-time column alone: a Binance-style inclusive close (one unit before
 * the boundary, …59999 ms) moves to the boundary; a close already on the boundary stays. Anything
 * else is off the interval grid. Intervals (≥ 1 s) are far wider than a unit (≤ 1 ms), so the two
 * cases cannot both match.
 */
export function barCloseFromCloseTime(closeNs: bigint, intervalNs: bigint, unitNs = 1_000_000n): bigint | { error: string } {
  if ((closeNs + unitNs) % intervalNs === 0n) return closeNs + unitNs;
  if (closeNs % intervalNs === 0n) return closeNs;
  return { error: `close time ${closeNs} is neither on the ${describeNs(intervalNs)} grid nor one unit before it` };
}
