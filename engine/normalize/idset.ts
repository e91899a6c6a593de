// Set of seen trade ids for dedupe. Exchange ids are mostly consecutive integers, so numeric ids
// are kept as sorted disjoint ranges (a day of Binance trades is a handful of ranges, not millions
// of entries); other ids fall back to a Set.
//
// The ranges live in chunks of at most CHUNK ranges (a flat B-tree of one level): an id that opens
// a new range costs a binary search plus a splice inside one chunk, not a splice of every range, so
// ids in any order stay near-linear (1M shuffled ids once took 76 s with one flat array).
const CHUNK = 512;

/** Ids kept as numbers: all digits, at most 15 of them (exact as a double), no leading zero ("007" is not "7"). */
const NUMERIC_ID = /^(?:0|[1-9]\d{0,14})$/;

export class IdSet {
  /** chunk c holds ranges [lo[c][k], hi[c][k]], sorted, disjoint and not adjacent across all chunks */
  private lo: number[][] = [];
  private hi: number[][] = [];
  /** the range touched last (chunk, index): in-order ids extend it without a search */
  private lc = -1;
  private lk = -1;
  private other = new Set<string>();

  /** Adds the id; returns false if it was already there. */
  add(id: string): boolean {
    if (NUMERIC_ID.test(id)) return this.addNum(Number(id));
    if (this.other.has(id)) return false;
    this.other.add(id);
    return true;
  }

  /**
   * Adds a numeric id (an id matching NUMERIC_ID, as its value); false if already there. Callers
   * must not pass ids with leading zeros: those are different ids and go through add().
   */
  addNum(v: number): boolean {
    const { lo, hi } = this;
    // Fast path: the next id after the last range of all.
    const c0 = this.lc, k0 = this.lk;
    if (c0 === lo.length - 1 && c0 >= 0 && k0 === lo[c0]!.length - 1 && v === hi[c0]![k0]! + 1) {
      hi[c0]![k0] = v;
      return true;
    }
    if (!lo.length) {
      lo.push([v]);
      hi.push([v]);
      this.touch(0, 0);
      return true;
    }
    const c = this.chunkOf(v);
    if (c < 0) {
      // Below every range.
      if (lo[0]![0] === v + 1) {
        lo[0]![0] = v;
        this.touch(0, 0);
      } else this.insert(0, 0, v);
      return true;
    }
    const L = lo[c]!, H = hi[c]!;
    // Last range of the chunk with lo <= v (the chunk's first one qualifies).
    let a = 0, b = L.length - 1, r = 0;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (L[m]! <= v) { r = m; a = m + 1; } else b = m - 1;
    }
    if (v <= H[r]!) return false;
    const nc = r + 1 < L.length ? c : c + 1 < lo.length ? c + 1 : -1;
    const nk = nc === c ? r + 1 : 0;
    const joinsNext = nc >= 0 && lo[nc]![nk] === v + 1;
    if (v === H[r]! + 1) {
      H[r] = joinsNext ? hi[nc]![nk]! : v;
      if (joinsNext) this.remove(nc, nk);
      this.touch(c, r);
    } else if (joinsNext) {
      lo[nc]![nk] = v;
      this.touch(nc, nk);
    } else {
      this.insert(c, r + 1, v);
    }
    return true;
  }

  private touch(c: number, k: number): void {
    this.lc = c;
    this.lk = k;
  }

  /** Last chunk whose first range starts at or below v; -1 when v is below every range. */
  private chunkOf(v: number): number {
    const lo = this.lo;
    let a = 0, b = lo.length - 1, r = -1;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (lo[m]![0]! <= v) { r = m; a = m + 1; } else b = m - 1;
    }
    return r;
  }

  /** Inserts the range [v, v] at position k of chunk c, splitting the chunk when it is full. */
  private insert(c: number, k: number, v: number): void {
    const L = this.lo[c]!, H = this.hi[c]!;
    L.splice(k, 0, v);
    H.splice(k, 0, v);
    if (L.length <= CHUNK) return this.touch(c, k);
    const half = L.length >> 1;
    this.lo.splice(c + 1, 0, L.splice(half));
    this.hi.splice(c + 1, 0, H.splice(half));
    if (k < half) this.touch(c, k);
    else this.touch(c + 1, k - half);
  }

  private remove(c: number, k: number): void {
    const L = this.lo[c]!;
    L.splice(k, 1);
    this.hi[c]!.splice(k, 1);
    if (!L.length) {
      this.lo.splice(c, 1);
      this.hi.splice(c, 1);
    }
  }

  /** Number of numeric ranges held. */
  get ranges(): number {
    let n = 0;
    for (const L of this.lo) n += L.length;
    return n;
  }
}
