// An encoder worker thread: blocks of rows in (transferred, no copy), Parquet parts out (transferred),
// and the block's buffers back with them, for the builders to reuse (block.ts recycleBuffers).
import { serveRequests } from '../jobs/pool.js';
import type { Block } from '../blocks/block.js';
import { blockBuffers, encodeBlock, type EncodeSpec } from './encode.js';

export type EncodeRequest = { spec: EncodeSpec; block: Block };
export type EncodeReply = { part: Uint8Array; buffers: ArrayBuffer[] };

serveRequests<EncodeRequest, EncodeReply>((m) => {
  const part = encodeBlock(m.spec, m.block);
  const buffers = blockBuffers(m.block).filter((b) => b !== part.buffer);
  return { value: { part, buffers }, transfer: [part.buffer as ArrayBuffer, ...buffers] };
});
