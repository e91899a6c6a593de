// zstd for the own Parquet writer's pages: Node's own (zlib, Node >= 22.15) when present, else
// @bokuweb/zstd-wasm (the zstd C library as wasm; Node 20 has none). Level 1, as parquet-rs's default:
// the same input gives the same bytes, run after run.
import * as zlib from 'node:zlib';
import { compress as wasmCompress, init } from '@bokuweb/zstd-wasm';

export const ZSTD_LEVEL = 1;

type Native = (b: Uint8Array, o: { params: Record<number, number> }) => Buffer;
const native = (zlib as unknown as { zstdCompressSync?: Native }).zstdCompressSync;
const LEVEL_PARAM = (zlib.constants as unknown as Record<string, number>).ZSTD_c_compressionLevel;

const useNative = native !== undefined && LEVEL_PARAM !== undefined;
if (!useNative) await init();

export function zstdCompress(b: Uint8Array): Uint8Array {
  if (useNative) return native!(b, { params: { [LEVEL_PARAM!]: ZSTD_LEVEL } });
  return wasmCompress(b, ZSTD_LEVEL);
}
