// Reads of existing catalog files on reader threads (read-worker.ts), never on the caller's thread:
// parquet-wasm ends a damaged file's read with a WebAssembly trap (`RuntimeError: unreachable`)
// thrown from its own task queue, where no caller can catch it, and it used to end the server, the
// Electron main process and the CLI. On a reader thread the trap ends only that thread; the request
// fails with an error for that file and the next request gets a fresh thread.
import { availableParallelism } from 'node:os';
import { ThreadPool, startWorker } from '../jobs/pool.js';
import type { FileCheckRequest, FileCheckResult } from '../catalog/check-file.js';
import type { FileDayStats, InstrumentRow, Signature } from './read-ops.js';

export type ReadRequest =
  | { op: 'check'; file: FileCheckRequest }
  | { op: 'instrument'; path: string }
  | { op: 'dayStats'; path: string }
  | { op: 'signature'; path: string };

export type ReadReply = FileCheckResult | InstrumentRow[] | FileDayStats | Signature;

let pool: ThreadPool<ReadRequest, ReadReply> | null = null;

function readers(): ThreadPool<ReadRequest, ReadReply> {
  // Each reader holds its own parquet-wasm instance (tens of MB); two at most, one on two cores.
  const size = Math.max(1, Math.min(2, availableParallelism() - 1));
  return (pool ??= new ThreadPool(() => startWorker(import.meta.url, './read-worker'), { size, recycleOnTrap: true }));
}

/** Why a reader thread failed, as one line (a wasm trap's message alone says only "unreachable"). */
function why(e: unknown): Error {
  const m = e instanceof Error ? e.message : String(e);
  return new Error(/unreachable|RuntimeError|memory access out of bounds/i.test(m) ? `the Parquet reader crashed on it (${m}); the file is damaged` : m);
}

export async function checkFileIsolated(file: FileCheckRequest): Promise<FileCheckResult> {
  return (await readers().run({ op: 'check', file }).catch((e) => Promise.reject(why(e)))) as FileCheckResult;
}

export async function readInstrumentIsolated(path: string): Promise<InstrumentRow[]> {
  return (await readers().run({ op: 'instrument', path }).catch((e) => Promise.reject(why(e)))) as InstrumentRow[];
}

export async function readDayStatsIsolated(path: string): Promise<FileDayStats> {
  return (await readers().run({ op: 'dayStats', path }).catch((e) => Promise.reject(why(e)))) as FileDayStats;
}

export async function readSignatureIsolated(path: string): Promise<Signature> {
  return (await readers().run({ op: 'signature', path }).catch((e) => Promise.reject(why(e)))) as Signature;
}
