// Test stand-in for engine/jobs/worker.ts: starts, then spins without ever reading its messages,
// so a cancel can only end it by terminating the thread.
import { parentPort } from 'node:worker_threads';
import type { FromWorker } from '../../engine/jobs/worker-protocol.js';

parentPort!.postMessage({ type: 'progress', event: { kind: 'job', state: 'started' } } satisfies FromWorker);
setTimeout(() => {
  for (;;) {
    // busy: the event loop never turns again
  }
}, 10);
