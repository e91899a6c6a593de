// A catalog reader thread (read-pool.ts): every parquet-wasm read of an existing catalog file runs
// here, so a WebAssembly trap on a damaged file ends this thread, never the host process.
import { serveRequests } from '../jobs/pool.js';
import { checkFile } from '../catalog/check-file.js';
import { readDayStats, readInstrumentRows, readSignature } from './read-ops.js';
import type { ReadReply, ReadRequest } from './read-pool.js';

serveRequests<ReadRequest, ReadReply>(async (r) => {
  switch (r.op) {
    case 'check': return { value: await checkFile(r.file) };
    case 'instrument': return { value: await readInstrumentRows(r.path) };
    case 'dayStats': return { value: await readDayStats(r.path) };
    case 'signature': return { value: await readSignature(r.path) };
  }
});
