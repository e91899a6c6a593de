// Development entry of a job worker thread: Node 20 does not apply `--import tsx` to a worker's
// own TypeScript entry, so the worker registers tsx first and then imports workerData.entry.
// Built apps (dist-electron/) start the compiled worker.js directly and never load this file.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
