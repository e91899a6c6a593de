// Same as NautilusTrader's own code: instruments as its Binance futures and spot providers parse them, trades
// and funding rates as its Tardis loader reads them and its catalog writes them. Each test runs
// NautilusTrader itself (test/nautilus/nt_reference.py) and compares, field by field.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { build, needShared, ROOT, SOURCES, tempDir } from '../helpers.js';
import { needNautilus, runPython } from '../support/nautilus.js';
import { StreamingParquetWriter } from '../../engine/parquet/parquet.js';
import { instrumentBatch } from '../../engine/instruments/batch.js';
import { presets } from '../../engine/instruments/presets.js';
import { resolveInstrument } from '../../engine/instruments/resolve.js';
import { instrumentModuleOf } from '../../engine/datatypes/index.js';
import { CLASS_OF, type Instrument } from '../../engine/instruments/definition.js';
import { definitionsFromList, parseJsonKeepingNumbers } from '../../engine/instruments/lists/index.js';
import type { MarketKey } from '../../engine/instruments/markets.js';
import { dayStartNs, fileName, uriSafe } from '../../engine/catalog/paths.js';

const SCRIPT = join(ROOT, 'test', 'nautilus', 'nt_reference.py');
const EXCHANGE_INFO = join(ROOT, 'resources', 'binance-futures-exchange-info.json');

type Row = Record<string, unknown>;

function nt(...args: string[]): Row[] {
  return runPython([SCRIPT, ...args]).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
}

/** Our instrument, written as the build writes it, into `catalog`. */
async function writeOurInstrument(catalog: string, inst: Instrument): Promise<void> {
  const ts = dayStartNs('2024-01-01');
  const cls = CLASS_OF[inst.kind];
  const dir = join(catalog, 'data', instrumentModuleOf(cls).folder, uriSafe(inst.id));
  await mkdir(dir, { recursive: true });
  const w = new StreamingParquetWriter(join(dir, fileName(ts, ts)), { codec: 'zstd', rowGroupSize: 1000, keyValue: new Map([['class', cls]]) });
  await w.write(instrumentBatch(inst, ts));
  await w.close();
}

/**
 * Our instruments as NautilusTrader loads them from our catalog against its own parse of the same
 * venue answer, field by field. ts_event/ts_init differ on purpose: NautilusTrader stamps the
 * exchangeInfo server time and its clock; we stamp the first day of the job (README, compatibility).
 */
async function compareWithNautilus(dir: string, ours: Instrument[], theirs: Row[]): Promise<void> {
  for (const inst of ours) await writeOurInstrument(dir, inst);
  const loadedOurs = new Map(nt('catalog', dir).filter((r) => r.kind === 'instrument').map((r) => [r.id as string, r]));
  assert.deepEqual(theirs.map((r) => r.id).sort(), ours.map((i) => i.id).sort(), 'the same instruments');
  const diffs: string[] = [];
  for (const ref of theirs) {
    const our = loadedOurs.get(ref.id as string);
    assert.ok(our, `${String(ref.id)} is in our catalog`);
    for (const k of Object.keys(ref)) {
      if (k === 'ts_event' || k === 'ts_init') continue;
      if (JSON.stringify(our[k]) !== JSON.stringify(ref[k])) diffs.push(`${String(ref.id)} ${k}: ours ${JSON.stringify(our[k])}, NautilusTrader ${JSON.stringify(ref[k])}`);
    }
  }
  assert.deepEqual(diffs, []);
}

test('each preset instrument equals what NautilusTrader’s Binance futures provider parses from the same exchangeInfo', async (t) => {
  if (!needNautilus(t)) return;
  const symbols = Object.keys(presets()).sort();
  const theirs = nt('binance-instruments', EXCHANGE_INFO);
  assert.deepEqual(theirs.map((r) => r.raw_symbol).sort(), symbols, 'the excerpt holds exactly the preset symbols');
  await compareWithNautilus(await tempDir(t), symbols.map((s) => resolveInstrument({ market: 'binance-usdm', symbol: s })), theirs);
});

/** Every definition our list reader builds from `file`, resolved as a job resolves a found one. */
function fromList(file: string, market: MarketKey): Instrument[] {
  const list = definitionsFromList(parseJsonKeepingNumbers(readFileSync(file, 'utf8')), file);
  assert.deepEqual(list.skipped, []);
  return list.defs.map((d) => resolveInstrument({ market, symbol: d.rawSymbol, found: d }));
}

test('Binance USD-M exchangeInfo through our list reader: each instrument equals NautilusTrader’s BinanceFuturesInstrumentProvider parse of the same file', async (t) => {
  if (!needNautilus(t)) return;
  await compareWithNautilus(await tempDir(t), fromList(EXCHANGE_INFO, 'binance-usdm'), nt('binance-instruments', EXCHANGE_INFO));
});

test('Binance spot exchangeInfo through our list reader: each CurrencyPair equals NautilusTrader’s BinanceSpotInstrumentProvider parse of the same file', async (t) => {
  if (!needNautilus(t)) return;
  const file = join(ROOT, 'test', 'fixtures', 'instruments', 'binance-spot-exchange-info.json');
  await compareWithNautilus(await tempDir(t), fromList(file, 'binance-spot'), nt('binance-spot-instruments', file));
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

/** Decimal text without trailing fractional zeros, to compare values written at different precisions. */
const plain = (s: unknown) => String(s).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');

const TRADE_FIELDS = ['instrument_id', 'price', 'size', 'aggressor_side', 'trade_id', 'ts_event', 'ts_init'] as const;

/**
 * Ours and NautilusTrader's trades, row by row: every field equal except the deliberate differences
 * (README, compatibility): the instrument id, and the price's precision (the instrument's, where
 * NautilusTrader's loader infers one per file; the value is the same). Returns the per-field table.
 */
function compareTrades(ours: Row[], theirs: Row[], theirId: string): Record<string, string> {
  assert.equal(ours.length, theirs.length, 'as many trades as NautilusTrader wrote');
  const same: Record<string, number> = Object.fromEntries(TRADE_FIELDS.map((f) => [f, 0]));
  for (let i = 0; i < ours.length; i++) {
    const o = ours[i]!, r = theirs[i]!;
    for (const f of TRADE_FIELDS) if (o[f] === r[f]) same[f]!++;
    const at = `row ${i} (ts_init ${String(r.ts_init)})`;
    assert.equal(o.instrument_id, INSTRUMENT, at);
    assert.equal(r.instrument_id, theirId, at);
    assert.equal(plain(o.price), plain(r.price), `${at} price value`);
    assert.equal(String(o.price).split('.')[1]?.length ?? 0, 2, `${at} price at the instrument's precision 2`);
    for (const f of ['size', 'aggressor_side', 'trade_id', 'ts_event', 'ts_init'] as const) assert.equal(o[f], r[f], `${at} ${f}`);
  }
  // Every assertion above held, so the instrument id maps one to one and every price is equal in value.
  const table = Object.fromEntries(TRADE_FIELDS.map((f) => [f, `${same[f]}/${ours.length} identical`]));
  table.instrument_id += ` (${INSTRUMENT} vs ${theirId} on every row)`;
  table.price += ` as text, ${ours.length}/${ours.length} equal in value`;
  return table;
}

const byTimeThenId = (a: Row, b: Row) => {
  const ta = BigInt(a.ts_init as string), tb = BigInt(b.ts_init as string);
  return ta !== tb ? (ta < tb ? -1 : 1) : String(a.trade_id) < String(b.trade_id) ? -1 : String(a.trade_id) > String(b.trade_id) ? 1 : 0;
};

const TRADE_INPUTS = [
  { name: 'the Tardis trades fixture', files: () => [join(SOURCES, 'tardis-csv_trades_binance-futures_BTCUSDT_2020-02-22.csv')], start: '2020-02-22', end: '2020-02-22', shared: true },
  { name: 'the bundled sample (3 days, .csv.gz)', files: () => ['01', '02', '03'].map((d) => join(ROOT, 'resources', 'sample', `binance-futures_trades_2024-01-${d}_BTCUSDT.csv.gz`)), start: '2024-01-01', end: '2024-01-03', shared: false },
];

for (const input of TRADE_INPUTS) {
  test(`trades of ${input.name} load to the same objects as NautilusTrader’s own TardisCSVDataLoader + write_data`, async (t) => {
    if (!needNautilus(t) || (input.shared && !needShared(t))) return;
    const dir = await tempDir(t);
    const files = input.files();
    nt('write-reference', join(dir, 'reference'), ...files.flatMap((f) => ['--trades', f]));
    const report = await build(dir, { trades: { file_path: files.length === 1 ? files[0] : join(dirname(files[0]!), 'binance-futures_trades_2024-01-0?_BTCUSDT.csv.gz') } }, { start: input.start, end: input.end });
    assert.ok(report.ok, report.errors.join('; '));
    const ours = nt('catalog', join(dir, 'catalog')).filter((r) => r.kind === 'trade').sort(byTimeThenId);
    const theirs = nt('catalog', join(dir, 'reference')).filter((r) => r.kind === 'trade').sort(byTimeThenId);
    const table = compareTrades(ours, theirs, 'BTCUSDT.BINANCE');
    t.diagnostic(`parity ${input.name}: ${JSON.stringify(table)}`);
  });
}

test('funding_rate_update files are laid out as NautilusTrader’s own write_data lays them out, and hold the same updates', async (t) => {
  if (!needNautilus(t)) return;
  const dir = await tempDir(t);
  const ticker = join(ROOT, 'resources', 'sample', 'binance-futures_derivative_ticker_2024-01-01_BTCUSDT.csv.gz');
  nt('write-reference', join(dir, 'reference'), '--funding', ticker);
  const report = await build(dir, { funding: { file_path: ticker } }, { start: '2024-01-01', end: '2024-01-03' });
  assert.ok(report.ok, report.errors.join('; '));

  // Column names, types, nullability and key-value metadata: NautilusTrader's file is the reference,
  // so catalogs holding files of both stay one readable dataset. Only the instrument id differs.
  const schemaOf = (root: string) => {
    const folder = join(root, 'data', 'funding_rate_update');
    const file = readdirSync(folder, { recursive: true }).map(String).find((f) => f.endsWith('.parquet'))!;
    return JSON.parse(runPython([SCRIPT, 'parquet-schema', join(folder, file)])) as { fields: Row[]; metadata: Record<string, string> };
  };
  const ref = schemaOf(join(dir, 'reference')), our = schemaOf(join(dir, 'catalog'));
  assert.deepEqual(our.fields, ref.fields);
  assert.deepEqual(our.metadata, { ...ref.metadata, instrument_id: INSTRUMENT });
  assert.equal(ref.metadata.instrument_id, 'BTCUSDT.BINANCE');

  // Values: NautilusTrader keeps every ticker row; we keep a row when the rate or the next funding
  // time changes (README, compatibility). So each of ours is one of its rows, and each rate change of
  // its sequence is one of ours. next_funding_ns differs on purpose (README): not compared here.
  const ours = nt('catalog', join(dir, 'catalog')).filter((r) => r.kind === 'funding');
  const theirs = nt('catalog', join(dir, 'reference')).filter((r) => r.kind === 'funding');
  const strip = (r: Row) => JSON.stringify({ rate: r.rate, interval: r.interval, ts_event: r.ts_event, ts_init: r.ts_init });
  const theirSet = new Set(theirs.map(strip)), ourSet = new Set(ours.map(strip));
  assert.deepEqual(ours.map(strip).filter((r) => !theirSet.has(r)), [], 'each of our updates is one of NautilusTrader\'s');
  const changes = theirs.filter((r, i) => i === 0 || r.rate !== theirs[i - 1]!.rate).map(strip);
  assert.ok(changes.length > 10 && ours.length < theirs.length);
  assert.deepEqual(changes.filter((r) => !ourSet.has(r)), [], 'each rate change NautilusTrader holds is one of ours');
});
