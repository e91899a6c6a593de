// Set of seen trade ids for dedupe. Exchange ids are mostly consecutive integers, so numeric ids
// are kept as sorted disjoint ranges (a day of Binance trades is a handful of ranges, not millions
// of entries); other ids fall back to a Set.
export class IdSet {
  private lo: number[] = [];
  private hi: number[] = [];
  private last = -1;
  private other = new Set<string>();

  /** Adds the id; returns false if it was already there. */
  add(id: string): boolean {
    if (id.length <= 15 && /^\d+$/.test(id)) return this.addNum(Number(id));
    if (this.other.has(id)) return false;
    this.other.add(id);
    return true;
  }

  /** Adds a numeric id (an all-digit id of at most 15 digits, as its value); false if already there. */
  addNum(v: number): boolean {
    const { lo, hi } = this;
    const k = this.last;
    // Fast path: in-order ids extend the range touched last.
    if (k >= 0 && v === hi[k]! + 1 && (k + 1 === lo.length || lo[k + 1]! > v)) {
      hi[k] = v;
      if (k + 1 < lo.length && lo[k + 1] === v + 1) this.mergeNext(k);
      return true;
    }
    // Binary search for the last range with lo <= v.
    let a = 0, b = lo.length - 1, r = -1;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (lo[m]! <= v) { r = m; a = m + 1; } else b = m - 1;
    }
    if (r >= 0 && v <= hi[r]!) return false;
    if (r >= 0 && v === hi[r]! + 1) {
      hi[r] = v;
      if (r + 1 < lo.length && lo[r + 1] === v + 1) this.mergeNext(r);
      this.last = r;
      return true;
    }
    if (r + 1 < lo.length && lo[r + 1] === v + 1) {
      lo[r + 1] = v;
      this.last = r + 1;
      return true;
    }
    lo.splice(r + 1, 0, v);
    hi.splice(r + 1, 0, v);
    this.last = r + 1;
    return true;
  }

  private mergeNext(k: number): void {
    this.hi[k] = this.hi[k + 1]!;
    this.lo.splice(k + 1, 1);
    this.hi.splice(k + 1, 1);
  }

  get ranges(): number {
    return this.lo.length;
  }
}
