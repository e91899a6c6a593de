// Same as NautilusTrader's own code: instruments as its Binance futures provider parses them, trades
// and funding rates as its Tardis loader reads them and its catalog writes them. Each test runs
// NautilusTrader itself (test/nautilus/nt_reference.py) and compares, field by field.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { build, ROOT, tempDir } from '../helpers.js';
import { needNautilus, runPython } from '../support/nautilus.js';
import { StreamingParquetWriter } from '../../pipeline/catalog/parquet.js';
import { instrumentBatch, presets, resolveInstrument } from '../../pipeline/catalog/instruments.js';
import { dayStartNs, fileName, TYPE_FOLDER, uriSafe } from '../../pipeline/catalog/paths.js';

const SCRIPT = join(ROOT, 'test', 'nautilus', 'nt_reference.py');
const EXCHANGE_INFO = join(ROOT, 'resources', 'binance-futures-exchange-info.json');

type Row = Record<string, unknown>;

function nt(...args: string[]): Row[] {
  return runPython([SCRIPT, ...args]).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
}

/** Our instrument for `symbol`, written as the build writes it, into `catalog`. */
async function writeOurInstrument(catalog: string, symbol: string): Promise<void> {
  const inst = resolveInstrument(symbol, 'BINANCE', {});
  const ts = dayStartNs('2024-01-01');
  const dir = join(catalog, 'data', TYPE_FOLDER.instrument, uriSafe(inst.id));
  await mkdir(dir, { recursive: true });
  const w = new StreamingParquetWriter(join(dir, fileName(ts, ts)), { codec: 'zstd', rowGroupSize: 1000, keyValue: new Map([['class', 'CryptoPerpetual']]) });
  await w.write(instrumentBatch(inst, ts));
  await w.close();
}

test('each preset instrument equals what NautilusTrader’s Binance futures provider parses from the same exchangeInfo', async (t) => {
  if (!needNautilus(t)) return;
  const dir = await tempDir(t);
  const symbols = Object.keys(presets()).sort();
  for (const s of symbols) await writeOurInstrument(dir, s);
  const ours = new Map(nt('catalog', dir).filter((r) => r.kind === 'instrument').map((r) => [r.id as string, r]));
  const theirs = nt('binance-instruments', EXCHANGE_INFO);
  assert.deepEqual(theirs.map((r) => r.raw_symbol).sort(), symbols, 'the excerpt holds exactly the preset symbols');
  const diffs: string[] = [];
  for (const ref of theirs) {
    const our = ours.get(ref.id as string);
    assert.ok(our, `${String(ref.id)} is in our catalog`);
    // ts_event/ts_init differ on purpose: NautilusTrader stamps the exchangeInfo server time and
    // its clock; we stamp the first day of the job (README, compatibility).
    for (const k of Object.keys(ref)) {
      if (k === 'ts_event' || k === 'ts_init') continue;
      if (JSON.stringify(our[k]) !== JSON.stringify(ref[k])) diffs.push(`${String(ref.id)} ${k}: ours ${JSON.stringify(our[k])}, NautilusTrader ${JSON.stringify(ref[k])}`);
    }
  }
  assert.deepEqual(diffs, []);
});

const INSTRUMENT = 'BTCUSDT-PERP.BINANCE';

/** Rows of kind `kind` from NautilusTrader's load of `catalog`, without `kind`, in a stable order. */
function loaded(rows: Row[], kind: string): Row[] {
  return rows.filter((r) => r.kind === kind).map(({ kind: _k, ...r }) => r).sort(byTimeThenText);
}

function byTimeThenText(a: Row, b: Row): number {
  const ta = BigInt(a.ts_init as string), tb = BigInt(b.ts_init as string);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

test('trades without an id get the id NautilusTrader’s Tardis loader derives for them (same hash inputs)', async (t) => {
  if (!needNautilus(t)) return;
  const dir = await tempDir(t);
  // The bundled sample's first rows with the id emptied, plus sides NautilusTrader reads as no aggressor;
  // no two rows alike, so no derived id repeats.
  const lines = gunzipSync(readFileSync(join(ROOT, 'resources', 'sample', 'binance-futures_trades_2024-01-01_BTCUSDT.csv.gz'))).toString().split('\n');
  const body = lines.slice(1, 301).filter(Boolean).map((l, i) => {
    const f = l.split(',');
    f[4] = '';
    if (i % 50 === 7) f[5] = 'unknown';
    return f.join(',');
  });
  const csv = join(dir, 'trades_no_id.csv');
  writeFileSync(csv, [lines[0], ...new Set(body)].join('\n') + '\n');
  const report = await build(dir, { trades: { file_path: 'trades_no_id.csv' } });
  assert.ok(report.ok, report.errors.join('; '));

  const ours = loaded(nt('catalog', join(dir, 'catalog')), 'trade');
  const theirs = nt('tardis-trades', csv, '--instrument-id', INSTRUMENT, '--price-precision', '2', '--size-precision', '3').sort(byTimeThenText);
  assert.equal(ours.length, new Set(body).size);
  assert.deepEqual(ours.map((r) => r.trade_id), theirs.map((r) => r.trade_id));
  assert.deepEqual(ours, theirs);
});
