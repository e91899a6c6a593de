// zstd for the own Parquet writer's pages: Node's own (zlib, Node >= 22.15) when present, else
// @bokuweb/zstd-wasm (the zstd C library as wasm; Node 20 has none). Level 1, as parquet-rs's default:
// the same input gives the same bytes, run after run (and, measured with the wasm build, the bytes
// parquet-rs writes; Node's own zstd is untested here, on Node 20).
import * as zlib from 'node:zlib';
import { compress as wasmCompress, init } from '@bokuweb/zstd-wasm';

export const ZSTD_LEVEL = 1;

type Native = (b: Uint8Array, o: { params: Record<number, number>; pledgedSrcSize: number }) => Buffer;
const native = (zlib as unknown as { zstdCompressSync?: Native }).zstdCompressSync;
const LEVEL_PARAM = (zlib.constants as unknown as Record<string, number>).ZSTD_c_compressionLevel;

const useNative = native !== undefined && LEVEL_PARAM !== undefined;
if (!useNative) await init();

export function zstdCompress(b: Uint8Array): Uint8Array {
  // The size known up front, as the one-shot call knows it: the same parameters, and the size in the frame.
  if (useNative) return native!(b, { params: { [LEVEL_PARAM!]: ZSTD_LEVEL }, pledgedSrcSize: b.length });
  return wasmCompress(b, ZSTD_LEVEL);
}
