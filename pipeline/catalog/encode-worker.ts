// An encoder worker thread: blocks of rows in (transferred, no copy), Parquet parts out (transferred).
import { parentPort } from 'node:worker_threads';
import type { Block } from './block.js';
import { encodeBlock, type EncodeSpec } from './encode.js';

export type EncodeRequest = { id: number; spec: EncodeSpec; block: Block };
export type EncodeReply = { id: number; part: Uint8Array } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('pipeline/catalog/encode-worker.ts runs as a worker thread (started by pwriter.ts)');
port.on('message', (m: EncodeRequest) => {
  try {
    const part = encodeBlock(m.spec, m.block);
    port.postMessage({ id: m.id, part } satisfies EncodeReply, [part.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies EncodeReply);
  }
});
