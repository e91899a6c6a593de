// Where a job's worker thread starts: worker.ts under tsx (development, tests), worker.js when built.
import type { Worker } from 'node:worker_threads';
import { startThread } from './pool.js';
import type { WorkerInput } from './worker-protocol.js';

/** the job worker's entry module */
export const JOB_WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

/** Starts a job worker (jobs/worker.ts, or a test's stand-in) as every engine thread starts (pool.ts). */
export function startJobWorker(data: WorkerInput, url: URL = JOB_WORKER_URL): Worker {
  return startThread(url, data);
}
