// parquet-wasm is loaded on a thread's first use only (engine/parquet/wasm.ts): an encoder thread
// that writes trades with the own writer never compiles its ~5 MB of WebAssembly; one asked for
// parquet-wasm's output still gets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker } from '../../../engine/jobs/pool.js';

test('an encoder thread loads parquet-wasm only when a block needs it', async () => {
  const w = startWorker(new URL('../../workers/x.ts', import.meta.url).href, './encode-lazy-worker');
  const r = await new Promise<Record<string, unknown>>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  }).finally(() => void w.terminate());
  assert.equal(r.before, false);
  assert.equal(r.afterOwn, false, 'the own writer loaded parquet-wasm');
  assert.equal(r.afterWasm, true);
  assert.ok((r.ownBytes as number) > 100 && (r.wasmBytes as number) > 100);
});
