// Missing bars per UTC day, counted while bars stream by (memory: one entry per day).
import { describeNs } from './spec.js';

const DAY_NS = 86_400_000_000_000n;

export interface DayGaps {
  /** YYYY-MM-DD (UTC) */
  day: string;
  /** bars the day holds between the data's first bar and its last one (a whole day: 1440 at 1 minute) */
  expected: number;
  present: number;
  missing: number;
  /** open time (ns) of the first missing bar of the day, null when none is missing */
  firstMissingNs: bigint | null;
}

const dayNs = (day: string): bigint => BigInt(Date.parse(`${day}T00:00:00Z`)) * 1_000_000n;

export function utcDay(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
}

/**
 * Feed open times in increasing order; `days()` then lists, for every UTC day from the first bar's
 * day to the last one's (within the `range` given, YYYY-MM-DD inclusive), how many bars are missing
 * between the first bar and the last one, and the first missing one. Before the first bar and after
 * the last one the data simply ends (a one-hour file is not 23 hours of gaps): `first`/`last` say
 * where. A repeated or earlier open time is counted, not fed into the gaps.
 */
export class GapTracker {
  private readonly perDay: bigint;
  private readonly seen = new Map<bigint, { present: number; firstMissingNs: bigint | null; next: bigint }>();
  private last: bigint | null = null;
  /** open time of the first bar fed (the data's start) */
  first: bigint | null = null;
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
    this.first ??= openNs;
    const day = openNs - (openNs % DAY_NS);
    let d = this.seen.get(day);
    // The data's first day counts from its first bar.
    if (!d) this.seen.set(day, (d = { present: 0, firstMissingNs: null, next: openNs === this.first ? openNs : day }));
    if (openNs > d.next && d.firstMissingNs === null) d.firstMissingNs = d.next;
    d.present++;
    d.next = openNs + this.intervalNs;
    return null;
  }

  /** open time of the last bar fed in order (the data's end) */
  get lastOpen(): bigint | null {
    return this.last;
  }

  days(range?: { first: string; last: string }): DayGaps[] {
    if (this.first === null || this.last === null) return [];
    const dayOf = (ns: bigint) => ns - (ns % DAY_NS);
    let from = dayOf(this.first), to = dayOf(this.last);
    if (range) {
      from = from > dayNs(range.first) ? from : dayNs(range.first);
      to = to < dayNs(range.last) ? to : dayNs(range.last);
    }
    const out: DayGaps[] = [];
    for (let day = from; day <= to; day += DAY_NS) {
      // The bars this day holds between the data's first and last bar.
      const lo = day > this.first ? day : this.first;
      const end = day + DAY_NS - this.intervalNs;
      const hi = end < this.last ? end : this.last;
      const expected = Number((hi - lo) / this.intervalNs) + 1;
      const d = this.seen.get(day);
      const present = d?.present ?? 0;
      const firstMissingNs = d ? (d.firstMissingNs ?? (present < expected ? d.next : null)) : lo;
      out.push({ day: utcDay(day), expected, present, missing: expected - present, firstMissingNs: present >= expected ? null : firstMissingNs });
    }
    return out;
  }

}
