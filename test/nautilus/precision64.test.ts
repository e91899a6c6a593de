// The Linux wheel of NautilusTrader 1.231 is built with 128-bit fixed point (high-precision): it
// refuses a 64-bit catalog with its own error. 64-bit output stays for builds made without
// high-precision, and its schema stays pinned by the golden-file tests in test/encoding.test.ts.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { GOLDEN, ROOT, SOURCES, build, needShared, tempDir } from '../helpers.js';
import { needNautilus, ntLoad } from '../support/nautilus.js';

test('a 64-bit catalog is refused by the Linux wheel with NautilusTrader\'s PrecisionMismatch, per fixed-point column', async (t) => {
  if (!needShared(t) || !needNautilus(t)) return;
  const dir = await tempDir(t);
  const csv = join(SOURCES, 'tardis-csv_trades_binance-futures_BTCUSDT_2020-02-22.csv');
  const trades = await build(dir, { trades: { file_path: csv } }, { start: '2020-02-22', end: '2020-02-22', precisionMode: 64, output: join(dir, 'trades64') });
  assert.equal(trades.ok, true, trades.errors.join('\n'));
  assert.throws(() => ntLoad([join(dir, 'trades64')]), /PrecisionMismatch \{ field: "price", expected_bytes: 16, actual_bytes: 8 \}/);

  const ws = join(SOURCES, 'binance-usdm_ws_combined_tardis-node-test-messages_2019-2021.jsonl');
  const mark = await build(dir, { mark: { file_path: ws } }, { source: 'websocket', start: '2019-10-01', end: '2019-10-01', precisionMode: 64, output: join(dir, 'mark64') });
  assert.equal(mark.ok, true, mark.errors.join('\n'));
  assert.throws(() => ntLoad([join(dir, 'mark64')]), /PrecisionMismatch \{ field: "value", expected_bytes: 16, actual_bytes: 8 \}/);

  // The same inputs at 128 bits load (the refusal is about the width, nothing else).
  await build(dir, { trades: { file_path: csv } }, { start: '2020-02-22', end: '2020-02-22', output: join(dir, 'trades128') });
  assert.equal(ntLoad([join(dir, 'trades128')]).get(join(dir, 'trades128'))!.TradeTick?.length, 1200);
});

test('the 64-bit golden-schema tests are still there', async (t) => {
  if (!needShared(t)) return;
  assert.ok(existsSync(join(GOLDEN, '64-bit', 'trades.parquet')));
  const enc = await readFile(join(ROOT, 'test', 'engine', 'parquet', 'encoding.test.ts'), 'utf8');
  assert.match(enc, /for \(const mode of \[128, 64\] as const\) \{\n\s+test\(`\$\{mode\}-bit trade file: schema equal to NautilusTrader's golden trades\.parquet/);
  assert.match(enc, /\[\[64, '[0-9a-f ]+', '[0-9a-f ]+'\], \[128,/, 'golden 64-bit values decoded');
});
