// Exact fixed-point encoding (spec §4) and schema equality with NautilusTrader's golden files (§10).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDecimal, toScaled, toScaledRounded, formatDecimal } from '../../../engine/numbers/decimal.js';
import { fixedMode, readRaw, writeRaw } from '../../../engine/numbers/fixed.js';
import { readParquetInfo } from '../../../engine/parquet/parquet.js';
import { fileName, parseFileName } from '../../../engine/catalog/paths.js';
import { GOLDEN, build, hex, needShared, readRows, tempDir } from '../../helpers.js';

const rawOf = (text: string, precision: number, mode: 64 | 128) => toScaled(parseDecimal(text)!, precision) * 10n ** BigInt(fixedMode(mode).F - precision);
const bytesOf = (v: bigint, w: 8 | 16) => {
  const b = new Uint8Array(w);
  writeRaw(new DataView(b.buffer), 0, v, w);
  return hex(b);
};

test('worked example of spec §4: raw integers and little-endian bytes in both modes', () => {
  assert.equal(rawOf('47000.10', 2, 64), 47_000_100_000_000n);
  assert.equal(bytesOf(rawOf('47000.10', 2, 64), 8), '00d14310bf2a0000');
  assert.equal(rawOf('0.001', 3, 64), 1_000_000n);
  assert.equal(bytesOf(rawOf('0.001', 3, 64), 8), '40420f0000000000');
  assert.equal(rawOf('47000.10', 2, 128), 470_001_000_000_000_000_000n);
  assert.equal(bytesOf(rawOf('47000.10', 2, 128), 16), '00805ef653fb927a1900000000000000');
  assert.equal(rawOf('0.001', 3, 128), 10_000_000_000_000n);
  assert.equal(bytesOf(rawOf('0.001', 3, 128), 16), '00a0724e180900000000000000000000');
  assert.equal(bytesOf(rawOf('-1.5', 1, 64), 8), '00d197a6ffffffff');
});

test('decimal parsing is exact and never goes through floating point', () => {
  // 0.1 + 0.2 style values and digits beyond double precision survive exactly.
  assert.equal(rawOf('12345678.123456789', 9, 128), 123456781234567890000000n);
  assert.equal(rawOf('0.3000000000000001', 16, 128), 3000000000000001n, 'a float would make this 0.3');
  assert.throws(() => rawOf('0.30000000000000004', 16, 128), /17 decimals/);
  assert.equal(formatDecimal(parseDecimal('-0.00010000')!), '-0.0001');
  assert.equal(formatDecimal(parseDecimal('1e-5')!), '0.00001');
  assert.equal(formatDecimal(parseDecimal('1.5E+3')!), '1500');
  assert.equal(parseDecimal('47000.10')!.scale, 1, 'trailing zeros carry no precision');
  for (const bad of ['', '.', '1.2.3', 'abc', '1,5', '--1', '0x10', 'NaN', 'Infinity']) assert.equal(parseDecimal(bad), null, bad);
  assert.equal(toScaledRounded(parseDecimal('8291.34697815')!, 2), 829135n);
  assert.equal(toScaledRounded(parseDecimal('-1.005')!, 2), -101n, 'half away from zero');
  assert.throws(() => toScaled(parseDecimal('1.234')!, 2));
});

test('raw values read back as written, signed and unsigned, in both widths', () => {
  for (const w of [8, 16] as const) {
    const b = new Uint8Array(w * 3);
    const v = new DataView(b.buffer);
    const vals = w === 8 ? [0n, -1_500_000_000n, 9_223_372_036_000_000_000n] : [1n, -(10n ** 30n), 10n ** 32n];
    vals.forEach((x, i) => writeRaw(v, i * w, x, w));
    vals.forEach((x, i) => assert.equal(readRaw(b, i * w, w, true), x));
  }
});

test('file names: RFC 3339 with 9 fraction digits, ":" and "." replaced (spec §2)', () => {
  const name = fileName(1704067200000000000n, 1704153599999999999n);
  assert.equal(name, '2024-01-01T00-00-00-000000000Z_2024-01-01T23-59-59-999999999Z.parquet');
  assert.deepEqual(parseFileName(name), { start: 1704067200000000000n, end: 1704153599999999999n });
  for (const bad of ['part-0.parquet', 'part_0.parquet', 'data.parquet', '2024-13-01T00-00-00-000000000Z_2024-01-01T23-59-59-999999999Z.parquet']) {
    assert.equal(parseFileName(bad), null, bad);
  }
});

for (const mode of [128, 64] as const) {
  test(`${mode}-bit trade file: schema equal to NautilusTrader's golden trades.parquet, metadata in ARROW:schema and plain pairs`, async (t) => {
    if (!needShared(t)) return;
    const dir = await tempDir(t);
    await readFile(join(GOLDEN, `${mode}-bit`, 'trades.parquet')); // present
    const csv = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n' +
      'binance-futures,BTCUSDT,1704067200000000,1704067200001000,123456789,buy,47000.10,0.001\n' +
      'binance-futures,BTCUSDT,1704067201000000,1704067201002000,123456790,sell,47000.2,1.5\n';
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 't.csv'), csv));
    const report = await build(dir, { trades: { file_path: 't.csv' } }, { precisionMode: mode });
    assert.equal(report.ok, true, report.errors.join('\n'));
    const file = report.days[0]!.file!;
    const ours = await readParquetInfo(file);
    const golden = await readParquetInfo(join(GOLDEN, `${mode}-bit`, 'trades.parquet'));
    const shape = (s: typeof ours.schema) => s.fields.map((f) => [f.name, String(f.type), f.nullable]);
    assert.deepEqual(shape(ours.schema), shape(golden.schema));
    assert.deepEqual([...ours.schema.metadata.keys()].sort(), ['instrument_id', 'price_precision', 'size_precision']);
    for (const k of golden.schema.metadata.keys()) if (k !== 'rows_per_group') assert.ok(ours.schema.metadata.has(k), k);
    assert.equal(ours.keyValue.get('instrument_id'), 'BTCUSDT-PERP.BINANCE');
    assert.equal(ours.keyValue.get('price_precision'), '2');
    assert.equal(ours.keyValue.get('size_precision'), '3');
    const rows = await readRows(file);
    const w = mode === 64 ? 8 : 16;
    assert.equal(hex(rows[0]!.price as Uint8Array), mode === 64 ? '00d14310bf2a0000' : '00805ef653fb927a1900000000000000');
    assert.equal(hex(rows[0]!.size as Uint8Array), mode === 64 ? '40420f0000000000' : '00a0724e180900000000000000000000');
    assert.equal((rows[0]!.price as Uint8Array).length, w);
    assert.deepEqual(rows.map((r) => [r.aggressor_side, r.trade_id, r.ts_event, r.ts_init]), [
      [1, '123456789', 1704067200000000000n, 1704067200001000000n],
      [2, '123456790', 1704067201000000000n, 1704067201002000000n],
    ]);
  });
}

test('golden files decode to the values spec §10 gives (our reader agrees with NautilusTrader\'s encoder)', async (t) => {
  if (!needShared(t)) return;
  for (const [mode, price, size] of [[64, '0092 36bb1c000000', '00885 26a74000000'], [128, '0000d544760c20110000000000000000', '0000f44482916345 0000000000000000']] as const) {
    const rows = await readRows(join(GOLDEN, `${mode}-bit`, 'trades.parquet'));
    assert.equal(rows.length, 100);
    assert.equal(hex(rows[0]!.price as Uint8Array), price.replace(/ /g, ''));
    assert.equal(hex(rows[0]!.size as Uint8Array), size.replace(/ /g, ''));
    const w = mode === 64 ? 8 : 16;
    assert.equal(readRaw(rows[0]!.price as Uint8Array, 0, w, true), mode === 64 ? 123_400_000_000n : 1_234_000_000_000_000_000n);
  }
});
