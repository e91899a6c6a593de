// Test stand-in for an encoder thread: encodes a trades block with the own writer, then with
// parquet-wasm, and posts after each whether parquet-wasm's module had been loaded on this thread.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { BlockBuilder } from '../../engine/blocks/block.js';
import { TRADE, TRADE_TICK } from '../../engine/datatypes/trade.js';
import { fixedMode, writeRaw } from '../../engine/numbers/fixed.js';
import { encodeBlock, type EncodeSpec } from '../../engine/parquet/encode.js';

const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('parquet_wasm'));
const fm = fixedMode(128);
const b = new BlockBuilder(TRADE_TICK.layout(fm), 16);
for (let r = 0; r < 3; r++) {
  const i = b.add(1_704_067_200_000_000_000n + BigInt(r));
  b.views[TRADE.tsEvent]!.setBigUint64(i * 8, 1_704_067_200_000_000_000n, true);
  writeRaw(b.views[TRADE.price]!, i * fm.W, 42_000n * 10n ** 16n, 16);
  writeRaw(b.views[TRADE.size]!, i * fm.W, 10n ** 16n, 16);
  b.fixed[TRADE.side]![i] = 1;
  b.setVar(TRADE.id, i, `t${r}`);
}
const block = b.take();
const spec: EncodeSpec = { type: 'trades', mode: 128, metadata: [['instrument_id', 'BTCUSDT-PERP.BINANCE'], ['price_precision', '1'], ['size_precision', '3']], codec: 'zstd', rowGroupSize: 1000, writer: 'own' };
const before = loaded();
const own = encodeBlock(spec, block);
const afterOwn = loaded();
const wasm = encodeBlock({ ...spec, writer: 'wasm' }, block);
parentPort!.postMessage({ before, afterOwn, afterWasm: loaded(), ownBytes: own.length, wasmBytes: wasm.length });
