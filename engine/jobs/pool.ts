// A small pool of worker threads that each answer one request at a time. Shared by the Parquet
// encoders (catalog/pwriter.ts) and the catalog readers (catalog/read-pool.ts): a thread that
// throws, crashes or exits fails only the request it was working on, and is replaced by a fresh
// one for the next request. Idle threads do not keep the process alive.
import { parentPort, Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * The engine's worker threads (encoders, readers, the service's jobs) keep V8's young generation
 * small. Left to grow (up to ~48 MB per thread) under the encoders' steady stream of short-lived
 * objects, it cost a day of 20M deltas about 25 MB of peak RSS (297-299 MB against 271-276 MB with
 * 4 MB, bench/book.ts), for no gain in CPU time: a block's objects die young either way.
 */
export const THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 4 };

export type PoolRequest<Q> = { id: number; req: Q };
export type PoolReply<R> = { id: number; value: R } | { id: number; error: string; trap?: boolean };

interface Task<Q, R> {
  id: number;
  req: Q;
  transfer: ArrayBuffer[];
  resolve: (value: R) => void;
  reject: (e: Error) => void;
}

interface Slot<Q, R> {
  worker: Worker;
  task: Task<Q, R> | null;
}

export interface PoolOptions {
  /** how many threads at most */
  size: number;
  /**
   * End a thread whose request failed with a WebAssembly trap (a Rust panic inside parquet-wasm) and
   * start a fresh one for the next: the module's state cannot be trusted any more. (A trap thrown
   * from the module's own task queue ends the thread anyway.) Ordinary errors keep the thread.
   */
  recycleOnTrap?: boolean;
}

/** Starts `entry` (a module next to the caller: `name.ts` in development, `name.js` when built) as a worker. */
export function startWorker(base: string, name: string, workerData?: Record<string, unknown>): Worker {
  return startThread(new URL(`${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base), workerData);
}

/** Every engine thread starts here: with THREAD_LIMITS, and a .ts entry through worker-boot.mjs. */
export function startThread(entry: URL, workerData?: object): Worker {
  // Development: Node 20 does not run a .ts worker entry under --import tsx; worker-boot.mjs registers tsx first.
  if (entry.pathname.endsWith('.ts')) return new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { ...workerData, entry: entry.href }, resourceLimits: THREAD_LIMITS });
  return new Worker(entry, { workerData, resourceLimits: THREAD_LIMITS });
}

export class ThreadPool<Q, R> {
  private slots: Slot<Q, R>[] = [];
  private queue: Task<Q, R>[] = [];
  private nextId = 1;

  constructor(private spawnWorker: () => Worker, private opts: PoolOptions) {}

  get size(): number {
    return this.opts.size;
  }

  run(req: Q, transfer: ArrayBuffer[] = []): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, req, transfer, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot && this.slots.length < this.opts.size) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.task = task;
      slot.worker.ref();
      try {
        slot.worker.postMessage({ id: task.id, req: task.req } satisfies PoolRequest<Q>, task.transfer);
      } catch (e) {
        slot.task = null;
        task.reject(e as Error);
      }
    }
  }

  private spawn(): Slot<Q, R> {
    const worker = this.spawnWorker();
    const slot: Slot<Q, R> = { worker, task: null };
    let gone = false;
    const drop = () => {
      if (gone) return;
      gone = true;
      this.slots = this.slots.filter((s) => s !== slot);
      worker.removeAllListeners('message');
      void worker.terminate().catch(() => undefined);
    };
    const fail = (e: Error) => {
      drop();
      const t = slot.task;
      slot.task = null;
      t?.reject(e);
      this.pump();
    };
    worker.on('message', (m: PoolReply<R>) => {
      const t = slot.task;
      if (!t || t.id !== m.id) return;
      slot.task = null;
      worker.unref();
      if ('error' in m) {
        if (m.trap && this.opts.recycleOnTrap) drop();
        t.reject(new Error(m.error));
      } else t.resolve(m.value);
      this.pump();
    });
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => fail(new Error(`a worker thread stopped (exit code ${code})`)));
    this.slots.push(slot);
    return slot;
  }
}

/** Inside a pool's worker: answers each request with `handle` (its value, and buffers to transfer). */
export function serveRequests<Q, R>(handle: (req: Q) => Promise<{ value: R; transfer?: ArrayBuffer[] }> | { value: R; transfer?: ArrayBuffer[] }): void {
  const port = parentPort;
  if (!port) throw new Error('a pool worker runs as a worker thread');
  port.on('message', async (m: PoolRequest<Q>) => {
    try {
      const { value, transfer } = await handle(m.req);
      port.postMessage({ id: m.id, value } satisfies PoolReply<R>, transfer ?? []);
    } catch (e) {
      const trap = e instanceof WebAssembly.RuntimeError;
      port.postMessage({ id: m.id, error: e instanceof Error ? `${trap ? 'RuntimeError: ' : ''}${e.message}` : String(e), trap } satisfies PoolReply<R>);
    }
  });
}
