// Test stand-in for a job worker: posts the resource limits its thread was started with.
import { parentPort, resourceLimits } from 'node:worker_threads';

parentPort!.postMessage({ type: 'limits', resourceLimits });
