// Messages between the service (host thread) and a job worker thread. Plain data only: they are
// structured-cloned across the thread boundary.
import type { JobSpecInput } from '../../shared/job.js';
import type { ProgressEvent } from '../../shared/progress.js';
import type { RunReport } from '../../shared/report.js';

/** workerData of a job worker; `entry` is only read by worker-boot.mjs (dev: TypeScript through tsx). */
export interface WorkerInput {
  spec: JobSpecInput;
  /** the service's job id: owner of the catalog lock and name of the job's temp folder */
  jobId?: string;
  entry?: string;
}

export type ToWorker = { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'done'; report: RunReport }
  | { type: 'cancelled'; report?: RunReport }
  | { type: 'error'; error: string };
