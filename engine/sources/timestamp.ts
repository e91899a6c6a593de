// Timestamps to BigInt nanoseconds: Unix s/ms/µs/ns (unit decided once per file by the magnitude
// of most of its first values, spec §0) or ISO 8601 (no zone means UTC), or, when the file's options
// say so, day-first or month-first dates (31.01.2024 10:00:00; no zone means UTC too).
import type { DateFormat } from '../../shared/job.js';

export type TsUnit = 's' | 'ms' | 'us' | 'ns';
export const UNIT_MULT: Record<TsUnit, bigint> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n };

/** Unit from the number of integer digits of a present-day value. */
export function unitOfDigits(intDigits: number): TsUnit {
  if (intDigits <= 11) return 's';
  if (intDigits <= 14) return 'ms';
  if (intDigits <= 17) return 'us';
  return 'ns';
}

const NUM_RE = /^(\d+)(?:\.(\d+))?$/;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** `other`: the value reads as a timestamp in another unit than the file's. */
export type TsResult = { ns: bigint; unit: TsUnit | 'iso'; zoned: boolean } | { error: string; other?: TsUnit | 'iso' };

/** The unit one value would have on its own ('iso' for ISO 8601 text), null when it is neither. */
export function unitOf(text: string): TsUnit | 'iso' | null {
  const m = NUM_RE.exec(text);
  if (m) return unitOfDigits(m[1]!.replace(/^0+(?=\d)/, '').length);
  return 'ns' in parseIso(text) ? 'iso' : null;
}

/**
 * A file's unit from a sample of its values: the unit most of them have. One odd value (a 0, a
 * truncated number, a fraction of a second) cannot decide it for the rest; ties go to the value
 * seen first. `agreeing` of `sampled` values have that unit; null when no value was a timestamp.
 */
export function decideUnit(texts: Iterable<string>): { unit: TsUnit | 'iso' | null; sampled: number; agreeing: number } {
  const counts = new Map<TsUnit | 'iso', number>();
  let sampled = 0;
  for (const t of texts) {
    const u = unitOf(t.trim());
    if (u === null) continue;
    sampled++;
    counts.set(u, (counts.get(u) ?? 0) + 1);
  }
  let unit: TsUnit | 'iso' | null = null, agreeing = 0;
  for (const [u, n] of counts) if (n > agreeing) [unit, agreeing] = [u, n];
  return { unit, sampled, agreeing };
}

export function parseIso(text: string): TsResult {
  const m = ISO_RE.exec(text);
  if (!m) return { error: 'not a timestamp' };
  const [y, mo, d, h = '0', mi = '0', s = '0'] = [m[1]!, m[2]!, m[3]!, m[4], m[5], m[6]];
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) {
    return { error: 'not a valid date' };
  }
  let ns = BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'));
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const off = BigInt(+digits.slice(0, 2) * 60 + +(digits.slice(2) || '0')) * 60_000_000_000n;
    ns -= sign * off;
  }
  if (ns < 0n) return { error: 'before 1970' };
  return { ns, unit: 'iso', zoned: !!zone };
}

/**
 * Day-first (31.01.2024) or month-first (01/31/2024) dates with ".", "/" or "-", optionally a time
 * HH:MM[:SS[.fraction]] (fraction with "." or ","), then optionally a zone (Z, +01:00) as in ISO 8601.
 */
export const DMY_RE = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A day-first or month-first date, as nanoseconds since 1970 UTC (without a zone, the text is read as UTC). */
export function parseDayDate(text: string, format: DateFormat): TsResult {
  const m = DMY_RE.exec(text);
  if (!m) return { error: `not a ${format === 'day-first' ? 'day-first date such as 31.01.2024 10:00:00' : 'month-first date such as 01/31/2024 10:00:00'}` };
  const [a, b] = [m[1]!.padStart(2, '0'), m[3]!.padStart(2, '0')];
  const [day, month] = format === 'day-first' ? [a, b] : [b, a];
  const time = m[5] ? `T${m[5].padStart(2, '0')}:${m[6]}${m[7] ? `:${m[7]}` : ''}${m[8] ? `.${m[8]}` : ''}` : '';
  // The same checks (real date, hours, zone) as ISO text: rebuilt as ISO 8601.
  return parseIso(`${m[4]}-${month}-${day}${time}${m[9] ?? ''}`);
}

/** True when the text is one or more ASCII digits and nothing else. */
function allDigits(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Parses one timestamp cell. `unit` is the file's detected unit ('iso' for ISO text) or null while
 * it is not known yet. Returns the unit it used so the caller can fix it for the file.
 */
export function parseTimestamp(text: string, unit: TsUnit | 'iso' | null): TsResult {
  // Fast path: a plain integer in the file's unit, no leading zeros (the hot path of every row).
  if (unit !== null && unit !== 'iso' && text.charCodeAt(0) !== 48 && allDigits(text) && unitOfDigits(text.length) === unit && text.length < 20) {
    return { ns: BigInt(text) * UNIT_MULT[unit], unit, zoned: true };
  }
  const m = NUM_RE.exec(text);
  if (!m) {
    if (unit !== null && unit !== 'iso') {
      const iso = parseIso(text);
      return { error: `not a number (file timestamps are Unix ${unit})`, other: 'ns' in iso ? 'iso' : undefined };
    }
    return parseIso(text);
  }
  const intPart = m[1]!.replace(/^0+(?=\d)/, '');
  const detected = unitOfDigits(intPart.length);
  if (unit === 'iso') return { error: 'a number, but the file timestamps are ISO 8601', other: detected };
  if (unit !== null && detected !== unit) return { error: `looks like Unix ${detected}, but the file's timestamps are Unix ${unit}`, other: detected };
  const mult = UNIT_MULT[detected];
  let ns = BigInt(intPart) * mult;
  if (m[2]) {
    const frac = m[2];
    const fracDigits = mult.toString().length - 1;
    if (frac.length > fracDigits && /[1-9]/.test(frac.slice(fracDigits))) return { error: 'finer than a nanosecond' };
    ns += BigInt(frac.slice(0, fracDigits).padEnd(fracDigits, '0') || '0');
  }
  if (ns >= 1n << 64n) return { error: 'too large' };
  return { ns, unit: detected, zoned: true };
}

/** Parses with a fixed (user-chosen) unit, no detection. */
export function parseWithUnit(text: string, unit: TsUnit): TsResult {
  if (text.length < 20 && allDigits(text)) return { ns: BigInt(text) * UNIT_MULT[unit], unit, zoned: true };
  const m = NUM_RE.exec(text);
  if (!m) return { error: 'not a number' };
  const mult = UNIT_MULT[unit];
  let ns = BigInt(m[1]!) * mult;
  if (m[2]) {
    const fracDigits = mult.toString().length - 1;
    ns += BigInt(m[2].slice(0, fracDigits).padEnd(fracDigits, '0') || '0');
  }
  if (ns >= 1n << 64n) return { error: 'too large' };
  return { ns, unit, zoned: true };
}

/** Lines read before a file's format and timestamp units are decided (bounded: a sample). */
export const SAMPLE_LINES = 1000;

export class TsColumn {
  unit: TsUnit | 'iso' | null;
  unzoned = false;
  /** values that read as timestamps in another unit than the file's (each one a reject) */
  otherUnit = 0;
  /** how the unit was decided: values sampled, how many of them agreed */
  sample: { sampled: number; agreeing: number } | null = null;
  /** `dates`: the file's text dates are day-first or month-first (config date_format); they take the place of a unit */
  constructor(readonly forced?: TsUnit, readonly dates?: DateFormat) {
    // Text, as ISO: the fast path leaves such a column to the complete path.
    this.unit = dates ? 'iso' : forced ?? null;
  }

  /** Decides the unit from the column's first values, so no single odd first row decides it. */
  decide(texts: string[]): void {
    if (this.forced || this.unit !== null) return;
    const d = decideUnit(texts);
    this.unit = d.unit;
    if (d.unit) this.sample = { sampled: d.sampled, agreeing: d.agreeing };
  }

  parse(text: string): bigint | string {
    const t = text.trim();
    const r = this.dates ? parseDayDate(t, this.dates) : this.forced ? parseWithUnit(t, this.forced) : parseTimestamp(t, this.unit);
    if ('error' in r) {
      if (r.other) this.otherUnit++;
      return r.error;
    }
    if (this.unit === null) this.unit = r.unit;
    if (!r.zoned) this.unzoned = true;
    return r.ns;
  }

  /** One file-level note when values disagreed with the file's unit, instead of only per-row rejects. */
  note(field: string): string | null {
    if (!this.otherUnit || !this.unit) return null;
    const unit = this.unit === 'iso' ? 'ISO 8601' : `Unix ${this.unit}`;
    const how = this.sample ? ` (decided by ${this.sample.agreeing} of the first ${this.sample.sampled} values)` : '';
    return `${this.otherUnit} ${field} value(s) are in another unit than the file's ${unit}${how}; those rows are rejected (see the rejects file)`;
  }
}
