// An encoder worker thread: blocks of rows in (transferred, no copy), Parquet parts out (transferred).
import { serveRequests } from '../jobs/pool.js';
import type { Block } from '../blocks/block.js';
import { encodeBlock, type EncodeSpec } from './encode.js';

export type EncodeRequest = { spec: EncodeSpec; block: Block };

serveRequests<EncodeRequest, Uint8Array>((m) => {
  const part = encodeBlock(m.spec, m.block);
  return { value: part, transfer: [part.buffer as ArrayBuffer] };
});
