// Test stand-in for engine/jobs/worker.ts: reports a start, then dies of an uncaught exception.
import { parentPort } from 'node:worker_threads';
import type { FromWorker } from '../../engine/jobs/worker-protocol.js';

const post = (m: FromWorker) => parentPort!.postMessage(m);
post({ type: 'progress', event: { kind: 'job', state: 'started' } });
post({ type: 'progress', event: { kind: 'log', level: 'info', message: 'about to fail' } });
setTimeout(() => {
  throw new Error('boom: the job worker blew up');
}, 20);
