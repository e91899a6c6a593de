// Dictionaries of a column chunk: each distinct value gets the next index, in order of first
// appearance, as parquet-rs numbers them. Values are compared as 32-bit words (no strings, no
// per-row objects).

export interface Dict {
  /** distinct values so far */
  size: number;
  /** the dictionary page's size in bytes when written now (PLAIN) */
  pageBytes(): number;
  /** indices of rows [from, to) into `idx` (from 0), adding new values */
  encode(from: number, to: number, idx: Uint32Array): void;
  /** entry `i` as its PLAIN bytes (statistics) */
  entry(i: number): Uint8Array;
  /** the PLAIN dictionary page */
  page(): Uint8Array;
}

/** True when the k words at `at` equal the k words before them. */
function sameRow(vals: Uint32Array, at: number, k: number): boolean {
  for (let j = 0; j < k; j++) if (vals[at + j] !== vals[at - k + j]) return false;
  return true;
}

/** Values of `w` bytes (a multiple of 4): fixed-point prices and sizes, u64 ids. */
export class FixedDict implements Dict {
  size = 0;
  private words: Uint32Array;
  private table: Int32Array;
  private readonly k: number;

  constructor(private readonly w: number, private readonly vals: Uint32Array) {
    this.k = w >> 2;
    this.words = new Uint32Array(this.k * 1024);
    this.table = new Int32Array(2048);
  }

  pageBytes(): number {
    return this.size * this.w;
  }

  private hash(src: Uint32Array, at: number): number {
    let h = 0;
    for (let j = 0; j < this.k; j++) h = Math.imul(h ^ src[at + j]!, 0x9e3779b1) + j;
    // Final mix (murmur3's): the table index takes the low bits, which must depend on every word.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  encode(from: number, to: number, idx: Uint32Array): void {
    const k = this.k, vals = this.vals;
    for (let r = from; r < to; r++) {
      const at = r * k;
      // Consecutive trades often repeat a price or size: no lookup then.
      if (r > from && sameRow(vals, at, k)) {
        idx[r - from] = idx[r - from - 1]!;
        continue;
      }
      idx[r - from] = this.lookup(vals, at);
    }
  }

  /** The entry of the value at vals[at..at+k), added when new. */
  private lookup(vals: Uint32Array, at: number): number {
    const k = this.k;
    let table = this.table, mask = table.length - 1;
    const h = this.hash(vals, at);
    let slot = h & mask;
    for (;;) {
      const e1 = table[slot]!;
      if (e1 === 0) break;
      const base = (e1 - 1) * k, words = this.words;
      let j = 0;
      while (j < k && words[base + j] === vals[at + j]) j++;
      if (j === k) return e1 - 1;
      slot = (slot + 1) & mask;
    }
    if ((this.size + 1) * 2 > table.length) {
      this.rehash();
      table = this.table;
      mask = table.length - 1;
      slot = h & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
    }
    return this.add(vals, at, slot);
  }

  private add(vals: Uint32Array, at: number, slot: number): number {
    const e = this.size++;
    if (this.size * this.k > this.words.length) {
      const nw = new Uint32Array(this.words.length * 2);
      nw.set(this.words);
      this.words = nw;
    }
    for (let j = 0; j < this.k; j++) this.words[e * this.k + j] = vals[at + j]!;
    this.table[slot] = e + 1;
    return e;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = this.hash(this.words, e * this.k) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = e + 1;
    }
    this.table = table;
  }

  entry(i: number): Uint8Array {
    return new Uint8Array(this.words.buffer, i * this.w, this.w);
  }

  page(): Uint8Array {
    return new Uint8Array(this.words.buffer, 0, this.size * this.w).slice();
  }
}

/** One-byte values (sides, actions, flags) stored as INT32. */
export class ByteDict implements Dict {
  size = 0;
  private index = new Int32Array(256).fill(-1);
  private values: number[] = [];

  constructor(private readonly vals: Uint8Array) {}

  pageBytes(): number {
    return this.size * 4;
  }

  encode(from: number, to: number, idx: Uint32Array): void {
    const vals = this.vals, index = this.index;
    for (let r = from; r < to; r++) {
      const v = vals[r]!;
      let e = index[v]!;
      if (e < 0) {
        e = index[v] = this.size++;
        this.values.push(v);
      }
      idx[r - from] = e;
    }
  }

  entry(i: number): Uint8Array {
    return Uint8Array.of(this.values[i]!, 0, 0, 0);
  }

  page(): Uint8Array {
    const out = new Uint8Array(this.size * 4);
    this.values.forEach((v, i) => (out[i * 4] = v));
    return out;
  }
}
