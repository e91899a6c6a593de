// Bar specifications as NautilusTrader 1.231 spells them (docs/quotes-bars.md §3): step, time
// aggregation, price type, and the BarType text `<instrument_id>-<step>-<AGG>-<PRICE>-EXTERNAL`
// that names both the bar's metadata and its catalog folder.

export type TimeAggregation = 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';
/** NautilusTrader's PriceType names; INDEX is not one (BarType.from_str refuses it). */
export type BarPriceType = 'BID' | 'ASK' | 'MID' | 'LAST' | 'MARK';

export interface TimeSpec { step: number; aggregation: TimeAggregation }
export interface BarSpec extends TimeSpec { priceType: BarPriceType }

export const AGGREGATIONS: readonly TimeAggregation[] = ['SECOND', 'MINUTE', 'HOUR', 'DAY'];
export const PRICE_TYPES: readonly BarPriceType[] = ['BID', 'ASK', 'MID', 'LAST', 'MARK'];

const UNIT_NS: Record<TimeAggregation, bigint> = {
  SECOND: 1_000_000_000n, MINUTE: 60_000_000_000n, HOUR: 3_600_000_000_000n, DAY: 86_400_000_000_000n,
};
/** How many of a unit make the next one. NautilusTrader's validate_step (model/data.pyx) wants the
 * step to divide it and be smaller; DAY allows only 1 (BarSpecification(2, DAY, …) raises). */
const SUBUNITS: Record<TimeAggregation, number> = { SECOND: 60, MINUTE: 60, HOUR: 24, DAY: 1 };

/** Null when NautilusTrader accepts the step for the aggregation, else why not. */
export function stepError(step: number, aggregation: TimeAggregation): string | null {
  if (!Number.isInteger(step) || step < 1) return `step ${step} must be a whole number of at least 1`;
  const sub = SUBUNITS[aggregation];
  if (aggregation === 'DAY') return step === 1 ? null : `NautilusTrader allows only 1-DAY bars, not ${step}-DAY`;
  if (sub % step !== 0 || step === sub) {
    return `NautilusTrader refuses ${step}-${aggregation}: the step must divide ${sub} and be smaller than it (1, ${divisors(sub).join(', ')})`;
  }
  return null;
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let k = 2; k < n; k++) if (n % k === 0) out.push(k);
  return out;
}

/** The interval of a spec in nanoseconds. */
export function intervalNs(spec: TimeSpec): bigint {
  return BigInt(spec.step) * UNIT_NS[spec.aggregation];
}

/**
 * The spec NautilusTrader accepts for an interval, in the largest unit that holds it whole
 * (60 s -> 1-MINUTE, 7200 s -> 2-HOUR); an error when no valid spelling exists (90 min, 3 days, 1.5 s).
 */
export function specFromInterval(ns: bigint): TimeSpec | { error: string } {
  if (ns <= 0n) return { error: `interval ${ns} ns is not positive` };
  for (const aggregation of [...AGGREGATIONS].reverse()) {
    const unit = UNIT_NS[aggregation];
    if (ns % unit !== 0n) continue;
    const step = Number(ns / unit);
    const err = stepError(step, aggregation);
    return err ? { error: `an interval of ${describeNs(ns)} has no NautilusTrader bar spec (${err})` } : { step, aggregation };
  }
  return { error: `an interval of ${describeNs(ns)} is not a whole number of seconds` };
}

/** "90 minutes", "1.5 seconds": for messages. */
export function describeNs(ns: bigint): string {
  for (const a of [...AGGREGATIONS].reverse()) {
    if (ns % UNIT_NS[a] === 0n) return `${ns / UNIT_NS[a]} ${a.toLowerCase()}(s)`;
  }
  return `${ns} ns`;
}

export function specText(spec: BarSpec): string {
  return `${spec.step}-${spec.aggregation}-${spec.priceType}`;
}

/** `<instrument_id>-<step>-<AGG>-<PRICE>-EXTERNAL`: bars read from a venue are EXTERNAL. */
export function barTypeString(instrumentId: string, spec: BarSpec): string {
  return `${instrumentId}-${specText(spec)}-EXTERNAL`;
}

/**
 * Parses `--bar-type` text: `1-MINUTE-LAST`, optionally with `-EXTERNAL` (case-insensitive, as
 * NautilusTrader's parser is). Refuses what NautilusTrader would refuse.
 */
export function parseBarSpec(text: string): BarSpec | { error: string } {
  const parts = text.trim().toUpperCase().split('-');
  if (parts.length === 4) {
    if (parts[3] !== 'EXTERNAL') return { error: `"${text}": the bar source must be EXTERNAL (bars read from a file), not ${parts[3]}` };
    parts.pop();
  }
  if (parts.length !== 3) return { error: `"${text}" is not <step>-<SECOND|MINUTE|HOUR|DAY>-<${PRICE_TYPES.join('|')}>, e.g. 1-MINUTE-LAST` };
  const [stepText, agg, price] = parts as [string, string, string];
  if (!/^\d{1,9}$/.test(stepText)) return { error: `"${text}": step "${stepText}" is not a whole number` };
  if (!(AGGREGATIONS as readonly string[]).includes(agg)) return { error: `"${text}": aggregation ${agg} is not one of ${AGGREGATIONS.join(', ')}` };
  if (!(PRICE_TYPES as readonly string[]).includes(price)) {
    const why = price === 'INDEX' ? ' (NautilusTrader has no INDEX price type for bars)' : '';
    return { error: `"${text}": price type ${price} is not one of ${PRICE_TYPES.join(', ')}${why}` };
  }
  const step = Number(stepText);
  const err = stepError(step, agg as TimeAggregation);
  if (err) return { error: `"${text}": ${err}` };
  return { step, aggregation: agg as TimeAggregation, priceType: price as BarPriceType };
}

/**
 * Splits a full BarType text (`BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL`) into the instrument id
 * and the spec. The id may itself hold '-', so the spec is read from the right.
 */
export function parseBarType(text: string): { instrumentId: string; spec: BarSpec } | { error: string } {
  const parts = text.trim().split('-');
  if (parts.length < 5) return { error: `"${text}" is not <instrument_id>-<step>-<AGG>-<PRICE>-EXTERNAL` };
  const instrumentId = parts.slice(0, -4).join('-');
  if (!/^[^.\s]+\.[^.\s]+$/.test(instrumentId)) return { error: `"${text}": "${instrumentId}" is not an instrument id like BTCUSDT-PERP.BINANCE` };
  const spec = parseBarSpec(parts.slice(-4).join('-'));
  return 'error' in spec ? spec : { instrumentId, spec };
}
