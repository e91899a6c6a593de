// zstd for the own Parquet writer's pages: @bokuweb/zstd-wasm (the zstd C library as wasm; Node 20 has
// no zstd), level 1 as parquet-rs's default. The same input gives the same bytes, run after run, and
// (test/engine/parquet/own-writer.test.ts) the bytes parquet-rs writes. Node >= 22.15's own zlib zstd
// would be faster, but it is a different build of the library on a Node this is not tested on: a
// catalog's bytes would then depend on the user's Node, so it is not used.
import { compress as wasmCompress, init } from '@bokuweb/zstd-wasm';

export const ZSTD_LEVEL = 1;

await init();

export function zstdCompress(b: Uint8Array): Uint8Array {
  return wasmCompress(b, ZSTD_LEVEL);
}
