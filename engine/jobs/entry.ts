// Where a job's worker thread starts: worker.ts under tsx (development, tests), worker.js when built.
import { Worker } from 'node:worker_threads';
import { THREAD_LIMITS } from './pool.js';
import type { WorkerInput } from './worker-protocol.js';

const HERE = import.meta.url;
const IS_TS = HERE.endsWith('.ts');
/** the job worker's entry module */
export const JOB_WORKER_URL = new URL(IS_TS ? './worker.ts' : './worker.js', HERE);
/** Node 20 does not run a .ts worker entry under --import tsx: this boot file registers tsx first */
export const WORKER_BOOT_URL = new URL('./worker-boot.mjs', HERE);

/** Starts a job worker (jobs/worker.ts) with the engine threads' memory limits. */
export function startJobWorker(data: WorkerInput, url: URL = JOB_WORKER_URL): Worker {
  const ts = url.pathname.endsWith('.ts');
  return new Worker(ts ? WORKER_BOOT_URL : url, { workerData: ts ? { ...data, entry: url.href } : data, resourceLimits: THREAD_LIMITS });
}
