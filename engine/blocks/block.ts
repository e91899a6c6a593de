// Columnar row blocks: the engine's unit of work. Typed arrays, no per-row objects.
// Every block has ts_init (u64) plus fixed-width byte columns and variable-length UTF-8 columns;
// a Layout says which. Sorting, spilling and merging work on any layout.

export interface Layout {
  /** byte width of each fixed column */
  fixed: number[];
  /** number of variable-length UTF-8 columns */
  vars: number;
}

export interface VarCol {
  offsets: Int32Array; // n + 1
  bytes: Uint8Array;
}

export interface Block {
  n: number;
  tsInit: BigUint64Array;
  fixed: Uint8Array[];
  vars: VarCol[];
}

const enc = new TextEncoder();

/**
 * Row-group-sized buffers handed back once their rows were encoded (pwriter.ts), reused by the
 * builders instead of fresh ones. A day streams one row group of several MB after another: fresh
 * buffers freed on another thread made glibc serve them from arenas that fragmented, and the RSS grew
 * with the day's length. Bounded: the oldest go once the pool holds more than POOL_BYTES.
 */
const POOL_BYTES = 48 * 1024 * 1024;
/** Smaller buffers come and go cheaply; only these are worth keeping. */
const POOL_MIN = 64 * 1024;
const pooled: ArrayBuffer[] = [];
let pooledBytes = 0;

/** Gives buffers nothing references any more (transferred back from an encoder thread) for reuse. */
export function recycleBuffers(buffers: ArrayBuffer[]): void {
  for (const b of buffers) {
    if (b.byteLength < POOL_MIN || b.byteLength > POOL_BYTES) continue;
    pooled.push(b);
    pooledBytes += b.byteLength;
  }
  while (pooledBytes > POOL_BYTES) pooledBytes -= pooled.shift()!.byteLength;
}

/** A zeroed buffer of `bytes`, from the pool when it holds one of that size (as a fresh one would be). */
function buffer(bytes: number): ArrayBuffer {
  if (bytes >= POOL_MIN) {
    for (let i = pooled.length - 1; i >= 0; i--) {
      if (pooled[i]!.byteLength !== bytes) continue;
      const b = pooled.splice(i, 1)[0]!;
      pooledBytes -= bytes;
      new Uint8Array(b).fill(0);
      return b;
    }
  }
  return new ArrayBuffer(bytes);
}
const NO16 = new Uint16Array(0);
const NO32 = new Uint32Array(0);

export class BlockBuilder {
  n = 0;
  private cap!: number;
  tsInit!: BigUint64Array;
  fixed!: Uint8Array[];
  views!: DataView[];
  /** ts_init as 32-bit halves, and the fixed columns as 16/32-bit words, for writes without BigInt */
  ts32!: Uint32Array;
  fixed16!: Uint16Array[];
  fixed32!: Uint32Array[];
  private varBytes!: Uint8Array[];
  private varOffsets!: Int32Array[];

  constructor(readonly layout: Layout, initial = 4096) {
    this.alloc(initial);
  }

  private alloc(initial: number): void {
    const layout = this.layout;
    this.n = 0;
    this.cap = initial;
    this.tsInit = new BigUint64Array(buffer(initial * 8));
    this.fixed = layout.fixed.map((w) => new Uint8Array(buffer(initial * w)));
    this.views = this.fixed.map((a) => new DataView(a.buffer));
    this.ts32 = new Uint32Array(this.tsInit.buffer);
    this.fixed16 = this.fixed.map((a, k) => (layout.fixed[k]! % 2 === 0 ? new Uint16Array(a.buffer) : NO16));
    this.fixed32 = this.fixed.map((a, k) => (layout.fixed[k]! % 4 === 0 ? new Uint32Array(a.buffer) : NO32));
    this.varBytes = Array.from({ length: layout.vars }, () => new Uint8Array(buffer(initial * 16)));
    this.varOffsets = Array.from({ length: layout.vars }, () => new Int32Array(buffer((initial + 1) * 4)));
  }

  /** Reserves the next row and returns its index; the caller fills every column. */
  add(tsInit: bigint): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.tsInit[i] = tsInit;
    return i;
  }

  /** Like add, with ts_init as two 32-bit halves (the CSV fast path: no BigInt per row). */
  addHalves(lo: number, hi: number): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.ts32[2 * i] = lo;
    this.ts32[2 * i + 1] = hi;
    return i;
  }

  /** Sets a variable-length column from bytes src[start, end) that are ASCII (copied as they are). */
  setVarAscii(col: number, i: number, src: Uint8Array, start: number, end: number): void {
    const offs = this.varOffsets[col]!;
    let bytes = this.varBytes[col]!;
    const at = offs[i]!;
    const len = end - start;
    if (at + len > bytes.length) {
      const nb = new Uint8Array(Math.max(at + len, bytes.length * 2));
      nb.set(bytes.subarray(0, at));
      this.varBytes[col] = bytes = nb;
    }
    for (let k = 0; k < len; k++) bytes[at + k] = src[start + k]!;
    offs[i + 1] = at + len;
  }

  /** Appends all rows of a block (same layout). */
  append(b: Block): void {
    while (this.n + b.n > this.cap) this.grow();
    const n = this.n;
    this.tsInit.set(b.tsInit.subarray(0, b.n), n);
    this.layout.fixed.forEach((w, k) => this.fixed[k]!.set(b.fixed[k]!.subarray(0, b.n * w), n * w));
    b.vars.forEach((v, k) => {
      const offs = this.varOffsets[k]!;
      const base = offs[n]!;
      const len = v.offsets[b.n]! - v.offsets[0]!;
      let bytes = this.varBytes[k]!;
      if (base + len > bytes.length) {
        const nb = new Uint8Array(Math.max(base + len, bytes.length * 2));
        nb.set(bytes.subarray(0, base));
        this.varBytes[k] = bytes = nb;
      }
      bytes.set(v.bytes.subarray(v.offsets[0]!, v.offsets[b.n]!), base);
      for (let i = 1; i <= b.n; i++) offs[n + i] = base + v.offsets[i]! - v.offsets[0]!;
    });
    this.n += b.n;
  }

  /** Drops the last row (used when a later field of the row is rejected). */
  undo(): void {
    this.n--;
  }

  setVar(col: number, i: number, text: string): void {
    const offs = this.varOffsets[col]!;
    let bytes = this.varBytes[col]!;
    const start = offs[i]!;
    const need = start + text.length * 3;
    if (need > bytes.length) {
      const nb = new Uint8Array(Math.max(need, bytes.length * 2));
      nb.set(bytes.subarray(0, start));
      this.varBytes[col] = bytes = nb;
    }
    const { written } = enc.encodeInto(text, bytes.subarray(start));
    offs[i + 1] = start + written;
  }

  setVarBytes(col: number, i: number, src: Uint8Array): void {
    const offs = this.varOffsets[col]!;
    let bytes = this.varBytes[col]!;
    const start = offs[i]!;
    if (start + src.length > bytes.length) {
      const nb = new Uint8Array(Math.max(start + src.length, bytes.length * 2));
      nb.set(bytes.subarray(0, start));
      this.varBytes[col] = bytes = nb;
    }
    bytes.set(src, start);
    offs[i + 1] = start + src.length;
  }

  /** Text of a variable-length column at row i (for previews, not the hot path). */
  varAt(col: number, i: number): string {
    const offs = this.varOffsets[col]!;
    return new TextDecoder().decode(this.varBytes[col]!.subarray(offs[i]!, offs[i + 1]!));
  }

  private grow(): void {
    const cap = this.cap * 2;
    const ts = new BigUint64Array(cap);
    ts.set(this.tsInit);
    this.tsInit = ts;
    this.fixed = this.fixed.map((a, k) => {
      const b = new Uint8Array(cap * this.layout.fixed[k]!);
      b.set(a);
      return b;
    });
    this.views = this.fixed.map((a) => new DataView(a.buffer));
    this.ts32 = new Uint32Array(ts.buffer);
    this.fixed16 = this.fixed.map((a, k) => (this.layout.fixed[k]! % 2 === 0 ? new Uint16Array(a.buffer) : NO16));
    this.fixed32 = this.fixed.map((a, k) => (this.layout.fixed[k]! % 4 === 0 ? new Uint32Array(a.buffer) : NO32));
    this.varOffsets = this.varOffsets.map((o) => {
      const b = new Int32Array(cap + 1);
      b.set(o);
      return b;
    });
    this.cap = cap;
  }

  /** Bytes held, to keep the engine's buffers under a budget. */
  bytes(): number {
    return this.cap * (8 + this.layout.fixed.reduce((a, b) => a + b, 0)) + this.varBytes.reduce((a, b) => a + b.length, 0);
  }

  /** Rows the builder holds without growing. */
  get capacity(): number {
    return this.cap;
  }

  /**
   * Hands the rows out without copying (the block's columns are views of the builder's buffers,
   * which may be transferred to another thread) and starts the builder afresh with `nextCap` rows
   * of room. A day streaming into its file takes this path once per row group: growing from a small
   * buffer and copying out again made ~5x its bytes in garbage.
   */
  detach(nextCap: number): Block {
    const n = this.n;
    const block: Block = {
      n,
      tsInit: this.tsInit.subarray(0, n),
      fixed: this.fixed.map((a, k) => a.subarray(0, n * this.layout.fixed[k]!)),
      vars: this.varOffsets.map((o, k) => ({ offsets: o.subarray(0, n + 1), bytes: this.varBytes[k]!.subarray(0, o[n]!) })),
    };
    this.alloc(nextCap);
    return block;
  }

  /** Copies the rows out as a compact block and resets the builder for reuse. */
  take(): Block {
    const n = this.n;
    const block: Block = {
      n,
      tsInit: this.tsInit.slice(0, n),
      fixed: this.fixed.map((a, k) => a.slice(0, n * this.layout.fixed[k]!)),
      vars: this.varOffsets.map((o, k) => ({ offsets: o.slice(0, n + 1), bytes: this.varBytes[k]!.slice(0, o[n]!) })),
    };
    this.n = 0;
    return block;
  }
}

export function isSorted(b: Block): boolean {
  const ts = b.tsInit;
  for (let i = 1; i < b.n; i++) if (ts[i]! < ts[i - 1]!) return false;
  return true;
}

/** Stable sort by ts_init (rows with equal ts_init keep their input order). */
export function sortBlock(b: Block): Block {
  if (isSorted(b)) return b;
  const idx = new Uint32Array(b.n);
  for (let i = 0; i < b.n; i++) idx[i] = i;
  const ts = b.tsInit;
  idx.sort((x, y) => (ts[x]! < ts[y]! ? -1 : ts[x]! > ts[y]! ? 1 : x - y));
  return gather(b, idx);
}

export function gather(b: Block, idx: Uint32Array): Block {
  const n = idx.length;
  const tsInit = new BigUint64Array(n);
  for (let i = 0; i < n; i++) tsInit[i] = b.tsInit[idx[i]!]!;
  const fixed = b.fixed.map((col) => {
    const w = col.length / Math.max(b.n, 1);
    const out = new Uint8Array(n * w);
    for (let i = 0; i < n; i++) out.set(col.subarray(idx[i]! * w, idx[i]! * w + w), i * w);
    return out;
  });
  const vars = b.vars.map((v) => {
    const offsets = new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) total += v.offsets[idx[i]! + 1]! - v.offsets[idx[i]!]!;
    const bytes = new Uint8Array(total);
    let p = 0;
    for (let i = 0; i < n; i++) {
      const s = v.offsets[idx[i]!]!, e = v.offsets[idx[i]! + 1]!;
      bytes.set(v.bytes.subarray(s, e), p);
      p += e - s;
      offsets[i + 1] = p;
    }
    return { offsets, bytes };
  });
  return { n, tsInit, fixed, vars };
}

export function sliceBlock(b: Block, start: number, end: number, layout: Layout): Block {
  const n = end - start;
  return {
    n,
    tsInit: b.tsInit.slice(start, end),
    fixed: b.fixed.map((c, k) => c.slice(start * layout.fixed[k]!, end * layout.fixed[k]!)),
    vars: b.vars.map((v) => {
      const base = v.offsets[start]!;
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i <= n; i++) offsets[i] = v.offsets[start + i]! - base;
      return { offsets, bytes: v.bytes.slice(base, v.offsets[end]!) };
    }),
  };
}

/** The first n rows of a block as views of its buffers (the block itself when n covers it). */
export function headOf(b: Block, n: number, layout: Layout): Block {
  if (n === b.n) return b;
  return {
    n,
    tsInit: b.tsInit.subarray(0, n),
    fixed: b.fixed.map((c, k) => c.subarray(0, n * layout.fixed[k]!)),
    vars: b.vars.map((v) => ({ offsets: v.offsets.subarray(0, n + 1), bytes: v.bytes.subarray(0, v.offsets[n]!) })),
  };
}

export function varText(v: VarCol, i: number): string {
  return new TextDecoder().decode(v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!));
}
