// parquet-wasm, loaded on a thread's first use: its module compiles ~5 MB of WebAssembly (about
// 120 ms of CPU and 14 MB of RSS per thread). The encoder threads of trades and order-book deltas
// never need it (own/writer.ts writes those); the main thread does (the instrument file).
import { createRequire } from 'node:module';
import type * as PW from 'parquet-wasm/node';

let mod: typeof PW | null = null;

export function parquetWasm(): typeof PW {
  return (mod ??= createRequire(import.meta.url)('parquet-wasm/node') as typeof PW);
}
