// Sorted runs spilled to disk and merged back, so a day of any size sorts in bounded memory.
import { open, type FileHandle } from 'node:fs/promises';
import { BlockBuilder, sliceBlock, type Block, type Layout } from './block.js';

/** Rows per block inside a run file; the merge holds one such block per run. */
export const RUN_BLOCK_ROWS = 8192;

export async function writeRun(path: string, sorted: Block, layout: Layout, append = false): Promise<void> {
  const fh = await open(path, append ? 'a' : 'w');
  try {
    for (let s = 0; s < sorted.n; s += RUN_BLOCK_ROWS) {
      const b = sliceBlock(sorted, s, Math.min(sorted.n, s + RUN_BLOCK_ROWS), layout);
      const head = new Uint32Array(1 + layout.vars);
      head[0] = b.n;
      b.vars.forEach((v, k) => (head[1 + k] = v.bytes.length));
      const parts: Uint8Array[] = [new Uint8Array(head.buffer), new Uint8Array(b.tsInit.buffer, b.tsInit.byteOffset, b.tsInit.byteLength), ...b.fixed];
      for (const v of b.vars) parts.push(new Uint8Array(v.offsets.buffer, v.offsets.byteOffset, v.offsets.byteLength), v.bytes);
      await fh.writev(parts);
    }
  } finally {
    await fh.close();
  }
}

class RunReader {
  private pos = 0;
  block: Block | null = null;
  i = 0;
  constructor(private fh: FileHandle, private layout: Layout) {}

  private async readExact(len: number): Promise<Uint8Array> {
    const buf = new Uint8Array(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, this.pos + got);
      if (bytesRead === 0) throw new Error('spill run ended early');
      got += bytesRead;
    }
    this.pos += len;
    return buf;
  }

  /** Loads the next block; false at the end of the run. */
  async next(): Promise<boolean> {
    const probe = new Uint8Array(4);
    const { bytesRead } = await this.fh.read(probe, 0, 4, this.pos);
    if (bytesRead === 0) {
      this.block = null;
      return false;
    }
    const head = new Uint32Array((await this.readExact(4 * (1 + this.layout.vars))).buffer);
    const n = head[0]!;
    const tsInit = new BigUint64Array((await this.readExact(8 * n)).buffer);
    const fixed: Uint8Array[] = [];
    for (const w of this.layout.fixed) fixed.push(await this.readExact(w * n));
    const vars = [];
    for (let k = 0; k < this.layout.vars; k++) {
      const offsets = new Int32Array((await this.readExact(4 * (n + 1))).buffer);
      vars.push({ offsets, bytes: await this.readExact(head[1 + k]!) });
    }
    this.block = { n, tsInit, fixed, vars };
    this.i = 0;
    return true;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * K-way merge of sorted runs (stable: equal ts_init keep run order, and runs are in input order).
 * Calls `emit` with blocks of at most `outRows` rows, in ts_init order.
 */
export async function mergeRuns(paths: string[], layout: Layout, outRows: number, emit: (b: Block) => Promise<void>): Promise<void> {
  const readers: RunReader[] = [];
  try {
    for (const p of paths) {
      const r = new RunReader(await open(p, 'r'), layout);
      readers.push(r);
    }
    const live: RunReader[] = [];
    for (const r of readers) if (await r.next()) live.push(r);
    // Binary heap on (current ts_init, run index).
    const order = new Map(readers.map((r, k) => [r, k]));
    const less = (a: RunReader, b: RunReader) => {
      const ta = a.block!.tsInit[a.i]!, tb = b.block!.tsInit[b.i]!;
      return ta < tb || (ta === tb && order.get(a)! < order.get(b)!);
    };
    const heap = live;
    const down = (k: number) => {
      for (;;) {
        const l = 2 * k + 1, r = l + 1;
        let m = k;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === k) return;
        [heap[k], heap[m]] = [heap[m]!, heap[k]!];
        k = m;
      }
    };
    for (let k = (heap.length >> 1) - 1; k >= 0; k--) down(k);
    const out = new BlockBuilder(layout, Math.min(outRows, 65536));
    while (heap.length) {
      const top = heap[0]!;
      const b = top.block!;
      // Copy as many rows from this run as stay below the next-smallest run's head.
      const i = top.i;
      const row = out.add(b.tsInit[i]!);
      layout.fixed.forEach((w, k) => out.fixed[k]!.set(b.fixed[k]!.subarray(i * w, i * w + w), row * w));
      b.vars.forEach((v, k) => out.setVarBytes(k, row, v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!)));
      top.i++;
      if (top.i >= b.n && !(await top.next())) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      if (heap.length) down(0);
      if (out.n >= outRows) await emit(out.take());
    }
    if (out.n) await emit(out.take());
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
}
