// A build job on its own thread: runs runBuild on workerData.spec, posts every progress event and
// the outcome back to the service, and aborts the build when the service asks it to cancel.
import { parentPort, workerData } from 'node:worker_threads';
import { JobCancelled, runBuild } from './build.js';
import type { RunReport } from '../../shared/report.js';
import type { FromWorker, ToWorker, WorkerInput } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('engine/jobs/worker.ts runs as a worker thread (started by hosts/service.ts)');
const post = (m: FromWorker) => port.postMessage(m);
const abort = new AbortController();
const onMessage = (m: ToWorker) => {
  if (m?.type === 'cancel') abort.abort();
};
port.on('message', onMessage);

const { spec, jobId } = workerData as WorkerInput;
try {
  const report = await runBuild(spec, { jobId, signal: abort.signal, onProgress: (event) => post({ type: 'progress', event }) });
  post({ type: 'done', report });
} catch (e) {
  if (e instanceof JobCancelled) post({ type: 'cancelled', report: (e as JobCancelled & { report?: RunReport }).report });
  else post({ type: 'error', error: e instanceof Error ? e.message : String(e) });
} finally {
  // Nothing left to listen for: let the thread end on its own.
  port.off('message', onMessage);
}
