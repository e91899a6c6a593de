// Missing bars per UTC day, counted while bars stream by (memory: one entry per day).
import { describeNs } from './spec.js';

const DAY_NS = 86_400_000_000_000n;

export interface DayGaps {
  /** YYYY-MM-DD (UTC) */
  day: string;
  /** bars a full day holds at this interval */
  expected: number;
  present: number;
  missing: number;
  /** open time (ns) of the first missing bar of the day, null when none is missing */
  firstMissingNs: bigint | null;
}

export function utcDay(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
}

/**
 * Feed open times in increasing order; `days()` then lists, for every UTC day from the first bar's
 * day to the last one's (or the `range` given, YYYY-MM-DD inclusive), how many bars are missing and
 * the first missing one. A repeated or earlier open time is counted, not fed into the gaps.
 */
export class GapTracker {
  private readonly perDay: bigint;
  private readonly seen = new Map<bigint, { present: number; firstMissingNs: bigint | null; next: bigint }>();
  private last: bigint | null = null;
  outOfOrder = 0;
  duplicates = 0;

  constructor(readonly intervalNs: bigint) {
    if (intervalNs <= 0n || DAY_NS % intervalNs !== 0n) throw new Error(`bar interval ${describeNs(intervalNs)} does not divide a day`);
    this.perDay = DAY_NS / intervalNs;
  }

  /** Returns an error text when the open time is not on the interval grid (the bar is not counted). */
  add(openNs: bigint): string | null {
    if (openNs % this.intervalNs !== 0n) return `open time ${openNs} is not on the ${describeNs(this.intervalNs)} grid`;
    if (this.last !== null && openNs <= this.last) {
      if (openNs === this.last) this.duplicates++;
      else this.outOfOrder++;
      return null;
    }
    this.last = openNs;
    const day = openNs - (openNs % DAY_NS);
    let d = this.seen.get(day);
    if (!d) this.seen.set(day, (d = { present: 0, firstMissingNs: null, next: day }));
    if (openNs > d.next && d.firstMissingNs === null) d.firstMissingNs = d.next;
    d.present++;
    d.next = openNs + this.intervalNs;
    return null;
  }

  days(range?: { first: string; last: string }): DayGaps[] {
    const keys = [...this.seen.keys()];
    if (!range && keys.length === 0) return [];
    const first = range ? BigInt(Date.parse(`${range.first}T00:00:00Z`)) * 1_000_000n : keys[0]!;
    const last = range ? BigInt(Date.parse(`${range.last}T00:00:00Z`)) * 1_000_000n : keys[keys.length - 1]!;
    const out: DayGaps[] = [];
    const expected = Number(this.perDay);
    for (let day = first; day <= last; day += DAY_NS) {
      const d = this.seen.get(day);
      const present = d?.present ?? 0;
      // A day whose bars stop early misses its tail: the first missing bar is then after the last one.
      const firstMissingNs = d ? (d.firstMissingNs ?? (present < expected ? d.next : null)) : day;
      out.push({ day: utcDay(day), expected, present, missing: expected - present, firstMissingNs: present === expected ? null : firstMissingNs });
    }
    return out;
  }
}
