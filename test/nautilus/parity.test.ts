// Same as NautilusTrader's own code: instruments as its Binance futures provider parses them, trades
// and funding rates as its Tardis loader reads them and its catalog writes them. Each test runs
// NautilusTrader itself (test/nautilus/nt_reference.py) and compares, field by field.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from '../helpers.js';
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
