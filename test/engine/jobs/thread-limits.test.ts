// Every engine thread starts with THREAD_LIMITS: a job worker (the service's jobs) and the pools'
// threads (encoders, readers). Without the cap, V8 lets each thread's young generation grow to tens
// of MB, which a long order-book day paid in peak RSS (engine/jobs/pool.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { startJobWorker } from '../../../engine/index.js';
import { THREAD_LIMITS, startWorker } from '../../../engine/jobs/pool.js';

function limitsOf(w: Worker): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    w.once('message', (m: { resourceLimits: Record<string, number> }) => resolve(m.resourceLimits));
    w.once('error', reject);
  }).finally(() => void w.terminate()) as Promise<Record<string, number>>;
}

test('a job worker and a pool worker start with the engine threads\' young-generation cap', async () => {
  assert.ok(THREAD_LIMITS.maxYoungGenerationSizeMb! > 0 && THREAD_LIMITS.maxYoungGenerationSizeMb! <= 8);
  const job = await limitsOf(startJobWorker({ spec: {} as never }, new URL('../../workers/limits-worker.ts', import.meta.url)));
  assert.equal(job.maxYoungGenerationSizeMb, THREAD_LIMITS.maxYoungGenerationSizeMb);
  const pooled = await limitsOf(startWorker(new URL('../../workers/x.ts', import.meta.url).href, './limits-worker'));
  assert.equal(pooled.maxYoungGenerationSizeMb, THREAD_LIMITS.maxYoungGenerationSizeMb);
});
