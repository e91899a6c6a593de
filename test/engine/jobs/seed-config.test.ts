// Configs shaped like the seed tool's: funding (and mark) come from the mark files when the config has
// no entry of its own (a WebSocket markPrice capture and a Tardis derivative_ticker hold both), and a
// config that cannot feed a requested data type is refused before anything is written. Also: a funding
// folder of the earlier layout is refused rather than mixed with the current one.
import assert from 'node:assert/strict';
import * as A from 'apache-arrow';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { build, filesUnder, fundingRate, readRows, tempDir } from '../../helpers.js';
import type { RunReport } from '../../../shared/report.js';
import { StreamingParquetWriter } from '../../../engine/parquet/parquet.js';
import { dayStartNs, fileName } from '../../../engine/catalog/paths.js';

const E0 = Date.UTC(2024, 0, 1, 0, 0, 1);
const ms = (v: number) => BigInt(v) * 1_000_000n;

/** A capture of aggTrade and markPrice messages in combined envelopes; the rate changes once. */
function capture(): string {
  const lines: string[] = [];
  for (let k = 0; k < 6; k++) {
    const E = E0 + k * 1000;
    lines.push(JSON.stringify({ stream: 'btcusdt@aggTrade', data: { e: 'aggTrade', E, s: 'BTCUSDT', a: 100 + k, p: '42000.10', q: '0.010', f: 1, l: 1, T: E, m: false } }));
    lines.push(JSON.stringify({ stream: 'btcusdt@markPrice@1s', data: { e: 'markPriceUpdate', E, s: 'BTCUSDT', p: '42001.00000000', i: '42000.5', P: '42000.9', r: k < 3 ? '0.00010000' : '0.00012000', T: Date.UTC(2024, 0, 1, 8) } }));
  }
  return lines.join('\n') + '\n';
}

const rowsOf = async (report: RunReport, type: string) => readRows(report.days.find((d) => d.dataType === type && d.file)!.file!);

test('seed WebSocket config: only trades and mark files, run with trades,mark,funding: funding comes from the mark capture', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'trades.jsonl'), capture());
  await writeFile(join(dir, 'mark.jsonl'), capture());
  const report = await build(dir, { trades: { file_path: 'trades.jsonl' }, mark: { file_path: 'mark.jsonl' } },
    { source: 'websocket', dataTypes: ['trades', 'mark', 'funding'], start: '2024-01-01', end: '2024-01-01' });
  assert.ok(report.ok, report.errors.join('; '));
  const funding = await rowsOf(report, 'funding');
  assert.deepEqual(funding.map((r) => [fundingRate(r.rate), r.next_funding_ns, r.ts_event]),
    [['0.0001', ms(Date.UTC(2024, 0, 1, 8)), ms(E0)], ['0.00012', ms(Date.UTC(2024, 0, 1, 8)), ms(E0 + 3000)]]);
  assert.equal((await rowsOf(report, 'mark')).length, 1);
  assert.equal((await rowsOf(report, 'trades')).length, 6);
  assert.deepEqual(report.files.filter((f) => f.dataType === 'funding').map((f) => f.path), [join(dir, 'mark.jsonl')]);
});

test('CSV config with only files.funding (a Tardis derivative_ticker): mark comes from it too', async (t) => {
  const dir = await tempDir(t);
  const header = 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price';
  const us = (k: number) => (E0 + k * 60_000) * 1000;
  const rows = [0, 1, 2].map((k) => `binance-futures,BTCUSDT,${us(k)},${us(k) + 500},${Date.UTC(2024, 0, 1, 8) * 1000},0.0001,,1,42000,42000,${42000 + k}.5`);
  await writeFile(join(dir, 'ticker.csv'), [header, ...rows].join('\n') + '\n');
  const report = await build(dir, { funding: { file_path: 'ticker.csv' } }, { dataTypes: ['mark', 'funding'] });
  assert.ok(report.ok, report.errors.join('; '));
  assert.equal((await rowsOf(report, 'mark')).length, 3);
  assert.equal((await rowsOf(report, 'funding')).length, 1);
});

test('a config that cannot feed a requested data type is refused before anything is written', async (t) => {
  const dir = await tempDir(t);
  const header = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
  await writeFile(join(dir, 'trades.csv'), `${header}\nbinance-futures,BTCUSDT,${E0 * 1000},${E0 * 1000},1,buy,42000.1,0.010\n`);
  // Binance Vision markPriceKlines: mark prices, no funding rate, so funding has no source.
  await writeFile(join(dir, 'BTCUSDT-1m-2024-01-01.markPriceKlines.csv'), `${E0},42000,42001,41999,42000.5,0,${E0 + 59_999},0,60,0,0,0\n`);
  const cases: [Record<string, unknown>, ('trades' | 'mark' | 'funding')[], RegExp][] = [
    [{ trades: { file_path: 'trades.csv' }, mark: { file_path: 'BTCUSDT-1m-2024-01-01.markPriceKlines.csv' } }, ['trades', 'mark', 'funding'], /funding: .*markPriceKlines.*holds no funding data/],
    [{ trades: { file_path: 'trades.csv' } }, ['trades', 'funding'], /funding: the config has no files\.funding entry \(nor files\.mark/],
    [{ mark: { file_path: 'BTCUSDT-1m-2024-01-01.markPriceKlines.csv' } }, ['trades', 'mark'], /trades: the config has no files\.trades entry/],
  ];
  for (const [files, dataTypes, why] of cases) {
    const report = await build(dir, files, { dataTypes });
    assert.equal(report.ok, false);
    assert.match(report.errors.join('\n'), why);
    assert.deepEqual(await filesUnder(join(dir, 'catalog', 'data')), [], `nothing written for ${JSON.stringify(files)} / ${dataTypes.join(',')}`);
  }
});

test('a funding folder holding files of the earlier JSON layout is refused, not mixed with NautilusTrader’s layout', async (t) => {
  const dir = await tempDir(t);
  // A file as catalog-builder wrote FundingRateUpdate before (the Rust JSON layout, metadata type).
  const folder = join(dir, 'catalog', 'data', 'funding_rate_update', 'BTCUSDT-PERP.BINANCE');
  await mkdir(folder, { recursive: true });
  const schema = new A.Schema([new A.Field('instrument_id', new A.Utf8(), false), new A.Field('rate', new A.Utf8(), false),
    new A.Field('interval', new A.Uint64(), true), new A.Field('next_funding_ns', new A.Uint64(), true),
    new A.Field('ts_event', new A.Uint64(), false), new A.Field('ts_init', new A.Uint64(), false)],
  new Map([['type', 'FundingRateUpdate'], ['instrument_id', 'BTCUSDT-PERP.BINANCE']]));
  const ts = ms(E0 - 86_400_000);
  const u64 = (v: bigint | null) => A.vectorFromArray([v], new A.Uint64()).data[0]!;
  const children = [A.vectorFromArray(['BTCUSDT-PERP.BINANCE'], new A.Utf8()).data[0]!, A.vectorFromArray(['0.0001'], new A.Utf8()).data[0]!, u64(null), u64(null), u64(ts), u64(ts)];
  const old = join(folder, fileName(dayStartNs('2023-12-31'), dayStartNs('2024-01-01') - 1n));
  const w = new StreamingParquetWriter(old, { codec: 'zstd', rowGroupSize: 1000, keyValue: schema.metadata });
  await w.write(new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: 1, nullCount: 0, children })));
  await w.close();

  await writeFile(join(dir, 'mark.jsonl'), capture());
  const report = await build(dir, { mark: { file_path: 'mark.jsonl' } }, { source: 'websocket', dataTypes: ['funding'], start: '2024-01-01', end: '2024-01-01' });
  assert.equal(report.ok, false);
  assert.match(report.errors.join('\n'), /funding: .*Rust JSON layout/);
  assert.deepEqual(await readdir(folder), [basename(old)]);
});
