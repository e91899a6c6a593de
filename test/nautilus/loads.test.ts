// NautilusTrader 1.231 is the judge: every kind of catalog the suite builds from real inputs is
// loaded by its own ParquetDataCatalog (test/nautilus/nt_check.py), and every object it hands back
// equals the input row it came from, worked out here from the input text (test/nautilus/inputs.ts)
// without our reader or normalizer. Rows that are not in the catalog (duplicates, rows without a
// value, rejects) must be exactly the ones the run report counts.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { JobSpecInput } from '../../shared/job.js';
import type { RunReport } from '../../shared/report.js';
import { runBuild } from '../../engine/jobs/build.js';
import { genBinanceCapture } from '../../scripts/gen-data.js';
import { ROOT, SOURCES, build, needShared, tempDir } from '../helpers.js';
import { NAUTILUS_VERSION, needNautilus, ntLoad, runPython, type NtCatalog, type NtObject } from '../support/nautilus.js';
import { TardisMock, derivativeTickerCsv, fixtureMessages } from '../support/tardis-mock.js';
import { binanceJsonl, dec, expected, genericTrades, tardisDerivativeTicker, tardisTrades, visionFundingRate, visionMarkKlines, visionTrades, type Event, type Expected } from './inputs.js';

const SAMPLE = join(ROOT, 'resources', 'sample');
const COMBINED = join(SOURCES, 'binance-usdm_ws_combined_tardis-node-test-messages_2019-2021.jsonl');
const RAW = join(SOURCES, 'binance-usdm_ws_raw_doc-examples.jsonl');
const TARDIS_TRADES = join(SOURCES, 'tardis-csv_trades_binance-futures_BTCUSDT_2020-02-22.csv');
const VISION_ROW = join(SOURCES, 'binance-vision_um_daily_trades_OMGUSDT-2021-04-08_headerless-row.csv');

interface Built { name: string; output: string; report: RunReport; events: Event[] }

const text = async (path: string) => (path.endsWith('.gz') ? gunzipSync(await readFile(path)).toString('utf8') : readFile(path, 'utf8'));
const ws = (files: string, types: string[]) => Object.fromEntries(types.map((k) => [k, { file_path: files }]));

type Add = (name: string, job: Partial<JobSpecInput>, files: Record<string, unknown>, events: Event[]) => Promise<void>;

/** Writes `files` (name -> lines) into a new folder `dir`. */
async function writeFiles(dir: string, files: Record<string, string[]>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, rows] of Object.entries(files)) await writeFile(join(dir, name), rows.join('\n') + '\n');
}

/** The bundled sample, through its own csv_config.json: three days, 128-bit written out explicitly. */
async function sampleCatalog(output: string): Promise<Built> {
  const cfg = JSON.parse(await readFile(join(SAMPLE, 'csv_config.json'), 'utf8')) as { files: Record<string, unknown> };
  const report = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-03', output, dataTypes: ['trades', 'mark', 'funding'],
    precisionMode: 128, config: cfg, configDir: SAMPLE });
  const events = [
    ...(await Promise.all([1, 2, 3].map(async (d) => tardisTrades(await text(join(SAMPLE, `binance-futures_trades_2024-01-0${d}_BTCUSDT.csv.gz`)))))).flat(),
    ...tardisDerivativeTicker(await text(join(SAMPLE, 'binance-futures_derivative_ticker_2024-01-01_BTCUSDT.csv.gz'))),
  ];
  return { name: 'sample (3 days, 128-bit)', output, report, events };
}

/** Each ../shared/fixtures/sources file the engine reads. */
async function fixtureCatalogs(add: Add): Promise<void> {
  await add('tardis-trades-csv', { start: '2020-02-22', end: '2020-02-22' }, { trades: { file_path: TARDIS_TRADES } }, tardisTrades(await text(TARDIS_TRADES)));
  await add('vision-headerless-row', { symbol: 'OMGUSDT', start: '2021-04-08', end: '2021-04-08', pricePrecision: 4, sizePrecision: 1 },
    { trades: { file_path: VISION_ROW } }, visionTrades(await text(VISION_ROW)));
  // Doc-example values (price 0.001) need 3 decimals; the aggTrade is on 1970-01-02, the markPrice on 2019-07-05.
  await add('ws-raw-trades', { source: 'websocket', start: '1970-01-02', end: '1970-01-02', pricePrecision: 3, sizePrecision: 3 },
    ws(RAW, ['trades']), binanceJsonl(await text(RAW), 'BTCUSDT', 'aggTrade'));
  await add('ws-raw-mark-funding', { source: 'websocket', start: '2019-07-05', end: '2019-07-05' },
    ws(RAW, ['mark', 'funding']), binanceJsonl(await text(RAW), 'BTCUSDT', 'aggTrade'));
  // The 2019 aggTrade lacks "a", so this run takes trades from the trade stream.
  await add('ws-combined', { source: 'websocket', start: '2019-09-17', end: '2020-08-16' },
    ws(COMBINED, ['trades', 'mark', 'funding']), binanceJsonl(await text(COMBINED), 'BTCUSDT', 'trade'));
  // Its delivery contract: a mark, and no funding (r "0.00000000" with T 0).
  await add('ws-combined-delivery-contract', { source: 'websocket', symbol: 'BTCBUSD_210129', start: '2021-01-05', end: '2021-01-05', pricePrecision: 8, sizePrecision: 3 },
    ws(COMBINED, ['mark', 'funding']), binanceJsonl(await text(COMBINED), 'BTCBUSD_210129', 'trade'));
}

/** Inputs made here: a generated capture, Binance Vision bulk files with a generic CSV, and the limits. */
async function madeCatalogs(root: string, add: Add): Promise<void> {
  // A generated two-day capture in our {ts_recv,msg} wrapper (every 60th markPrice line keeps it small).
  const capDir = join(root, 'capture');
  await mkdir(capDir);
  await genBinanceCapture({ path: join(capDir, 'gen.jsonl'), trades: 3000, start: '2024-01-01', days: 2, gzip: false });
  let m = 0;
  const capture = (await text(join(capDir, 'gen.jsonl'))).split('\n').filter((l) => l && (!l.includes('markPriceUpdate') || m++ % 60 === 0)).join('\n') + '\n';
  await writeFile(join(capDir, 'capture.jsonl'), capture);
  await add('ws-generated-capture', { source: 'websocket', start: '2024-01-01', end: '2024-01-02' },
    ws(join(capDir, 'capture.jsonl'), ['trades', 'mark', 'funding']), binanceJsonl(capture, 'BTCUSDT', 'aggTrade'));

  // Binance Vision bulk files and a generic CSV, in the layouts of spec sources.md §2.2/§4 (no real
  // fundingRate or markPriceKlines sample exists): a negative rate, an interval, no-aggressor trades.
  const T0 = Date.parse('2024-01-01T00:00:00Z');
  const vision = {
    'trades.csv': ['time,price,volume,side,id', `${T0 + 1000},42000.1,0.5,buy,a1`, `${T0 + 2000},42000.25,1.25,SELL,a2`, `${T0 + 3000},41999,2,unknown,a3`],
    'BTCUSDT-markPriceKlines-1m-2024-01-01.csv': ['open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore',
      ...['42001.23', '42002.5', '42002.5'].map((c, k) => `${T0 + k * 60000},42000.0,42010.5,41990.1,${c},0,${T0 + k * 60000 + 59999},0,60,0,0,0`)],
    'BTCUSDT-fundingRate-2024-01.csv': ['calc_time,funding_interval_hours,last_funding_rate', `${T0},8,0.00010000`, `${T0 + 8 * 3600000},8,0.00010000`, `${T0 + 16 * 3600000},4,-0.00002500`],
  };
  const visionDir = join(root, 'vision-generic-csv');
  await writeFiles(visionDir, vision);
  await add('vision-generic-csv', { start: '2024-01-01', end: '2024-01-01' }, {
    trades: { file_path: join(visionDir, 'trades.csv') }, mark: { file_path: join(visionDir, 'BTCUSDT-markPriceKlines-1m-2024-01-01.csv') },
    funding: { file_path: join(visionDir, 'BTCUSDT-fundingRate-2024-01.csv') },
  }, [...genericTrades(vision['trades.csv'].join('\n')), ...visionMarkKlines(vision['BTCUSDT-markPriceKlines-1m-2024-01-01.csv'].join('\n')),
    ...visionFundingRate(vision['BTCUSDT-fundingRate-2024-01.csv'].join('\n'))]);

  // The limits: precision 16 (the 128-bit scale), the largest price and size a 128-bit catalog takes,
  // the smallest step, a 36-character id of punctuation, and marks rounded half-up at the 16th decimal.
  const limits = {
    'trades.csv': ['time,price,volume,side,id', `${T0 + 1},17014118346046,34028236692093,buy,max`, `${T0 + 2},0.0000000000000001,0.0000000000000001,sell,tiny`,
      `${T0 + 3},1700.1234567890123456,3,buy,~!#$%&'()*+-./:;<=>?@[]^_{|}abcdefgh`],
    'dt.csv': ['exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price',
      ...['1.23456789012345675', '1.23456789012345674', '17014118346045.99999999999999999'].map((mark, k) =>
        `binance-futures,XYZUSDT,${(T0 + k) * 1000},${(T0 + k) * 1000 + 7},${(T0 + 28_800_000) * 1000},-0.000${k}123456789012,,,,,${mark}`)],
  };
  const limitsDir = join(root, 'limits');
  await writeFiles(limitsDir, limits);
  await add('limits (precision 16, 128-bit maxima)', { symbol: 'XYZUSDT', start: '2024-01-01', end: '2024-01-01', pricePrecision: 16, sizePrecision: 16 }, {
    trades: { file_path: join(limitsDir, 'trades.csv') }, mark: { file_path: join(limitsDir, 'dt.csv') }, funding: { file_path: join(limitsDir, 'dt.csv') },
  }, [...genericTrades(limits['trades.csv'].join('\n')), ...tardisDerivativeTicker(limits['dt.csv'].join('\n'))]);
}

/** The Tardis API mock: trades from the datasets API, mark and funding from its derivative_ticker (free 1st of a month). */
async function tardisMockCatalogs(root: string): Promise<Built[]> {
  const mock = await TardisMock.start();
  try {
    const tardis = (name: string, job: Partial<JobSpecInput>, config: Record<string, unknown>) => runBuild({
      source: 'tardis', symbol: 'BTCUSDT', output: join(root, name), dataTypes: ['trades'], start: '2020-02-22', end: '2020-02-22',
      config: { endpoint: mock.url, datasets_endpoint: mock.url, cache_dir: join(root, `${name}-cache`), ...config }, configDir: root, ...job,
    });
    const trades = await tardis('tardis-mock-trades', {}, { api_key: 'K' });
    const dt = derivativeTickerCsv(await fixtureMessages(), 'binance-futures', 'BTCUSDT', '2019-10-01');
    assert.ok(dt, 'the mock serves a derivative_ticker day');
    const dtReport = await tardis('tardis-mock-dt', { start: '2019-10-01', end: '2019-10-01', dataTypes: ['mark', 'funding'] }, {});
    return [
      { name: 'tardis-mock-trades', output: join(root, 'tardis-mock-trades'), report: trades, events: tardisTrades(await text(TARDIS_TRADES)) },
      { name: 'tardis-mock-derivative-ticker', output: join(root, 'tardis-mock-dt'), report: dtReport, events: tardisDerivativeTicker(dt) },
    ];
  } finally {
    await mock.close();
  }
}

/** Builds every catalog kind the suite makes, each with the input events it was made from. */
async function buildAll(root: string): Promise<Built[]> {
  const out: Built[] = [await sampleCatalog(join(root, 'sample'))];
  const add: Add = async (name, job, files, events) => {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    out.push({ name, output: join(dir, 'catalog'), report: await build(dir, files, job), events });
  };
  await fixtureCatalogs(add);
  await madeCatalogs(root, add);
  out.push(...(await tardisMockCatalogs(root)));
  return out;
}

const TYPES = { trades: 'TradeTick', mark: 'MarkPriceUpdate', funding: 'FundingRateUpdate' } as const;
const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

/** NautilusTrader's objects of each type, as comparable tuples, next to the input rows'. */
function tuples(nt: NtCatalog, exp: Expected, instrumentId: string): Record<'trades' | 'mark' | 'funding', [string[], string[]]> {
  const of = (type: string) => (nt[type] ?? []).map((o) => { assert.equal(o.instrument_id, instrumentId); return o; });
  return {
    trades: [
      sorted(of('TradeTick').map((o) => [dec(o.price as string), dec(o.size as string), o.aggressor_side, o.trade_id, o.ts_event, o.ts_init])),
      sorted(exp.trades.map((r) => [dec(r.price), dec(r.size), r.side, r.id, String(r.tsEvent), String(r.tsInit)])),
    ],
    mark: [
      sorted(of('MarkPriceUpdate').map((o) => [dec(o.value as string), o.ts_event, o.ts_init])),
      sorted(exp.mark.map((r) => [r.value, String(r.tsEvent), String(r.tsInit)])),
    ],
    funding: [
      sorted(of('FundingRateUpdate').map((o) => [dec(o.rate as string), o.next_funding_ns, o.interval, o.ts_event, o.ts_init])),
      sorted(exp.funding.map((r) => [dec(r.rate), r.next === null ? null : String(r.next), r.interval === null ? null : String(r.interval), String(r.tsEvent), String(r.tsInit)])),
    ],
  };
}

interface Preset { base: string; quote: string; price_increment: string; size_increment: string; [k: string]: string | undefined }

/** The instrument NautilusTrader loaded against resources/instruments.json (or, without a preset, the job's precisions). */
function checkInstrument(inst: NtObject, report: RunReport, preset: Preset | undefined, symbol: string, startNs: bigint): void {
  const pp = report.instrument.pricePrecision, sp = report.instrument.sizePrecision;
  const decimals = (x: string) => (x.split('.')[1] ?? '').length;
  // A preset applies when its increments have the job's precisions (Binance's tickSize 0.10 is precision 2).
  const usePreset = preset && decimals(preset.price_increment) === pp && decimals(preset.size_increment) === sp;
  const increment = (p: number) => dec(p ? `0.${'1'.padStart(p, '0')}` : '1');
  // A dated future (BTCBUSD_210129) keeps its symbol; perpetuals get -PERP (NautilusTrader's Binance adapter).
  const dated = report.instrument.className === 'CryptoFuture';
  assert.deepEqual([inst.type, inst.id, inst.raw_symbol, inst.is_inverse, inst.price_precision, inst.size_precision],
    [report.instrument.className, dated ? `${symbol}.BINANCE` : `${symbol}-PERP.BINANCE`, symbol, false, pp, sp]);
  assert.deepEqual([dec(inst.price_increment as string), dec(inst.size_increment as string)],
    usePreset ? [dec(preset.price_increment), dec(preset.size_increment)] : [increment(pp), increment(sp)]);
  assert.deepEqual([inst.multiplier, inst.lot_size, inst.ts_event, inst.ts_init], ['1', '1', String(startNs), String(startNs)]);
  assert.equal(inst.settlement_currency, inst.quote_currency);
  if (usePreset) {
    assert.deepEqual([inst.base_currency, inst.quote_currency], [preset.base, preset.quote]);
    for (const k of ['min_quantity', 'max_quantity', 'min_price', 'max_price', 'margin_init', 'margin_maint', 'maker_fee', 'taker_fee']) {
      assert.equal(inst[k] === null ? null : dec(inst[k] as string), preset[k] === undefined ? null : dec(preset[k]), k);
    }
    for (const k of ['min_notional', 'max_notional']) assert.equal(inst[k], preset[k] ?? null, k); // Money: "100.00000000 USDT"
  } else {
    for (const k of ['min_quantity', 'max_quantity', 'min_price', 'max_price', 'min_notional', 'max_notional']) assert.equal(inst[k], null, k);
    // Without a preset: what NautilusTrader's Binance futures provider builds for any symbol (margins 1/1, fee tier 0).
    assert.deepEqual(['margin_init', 'margin_maint', 'maker_fee', 'taker_fee'].map((k) => dec(inst[k] as string)), ['1', '1', '0.0002', '0.0005'].map(dec));
  }
}

const dayNs = (day: string) => BigInt(Date.parse(`${day}T00:00:00Z`)) * 1_000_000n;
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** One catalog as NautilusTrader loaded it against its input rows and its run report; returns what was expected. */
function judge(b: Built, nt: NtCatalog, presets: Record<string, Preset>): Expected {
  const { report } = b;
  assert.equal(report.ok, true, report.errors.join('\n'));
  const job = report.job as { symbol: string; start: string; end: string; dataTypes: string[] };
  const symbol = job.symbol.toUpperCase();
  const cls = report.instrument.className!;
  assert.equal(nt[cls]?.length, 1, `one instrument, a ${cls}`);
  checkInstrument(nt[cls][0]!, report, presets[symbol], symbol, dayNs(job.start));

  const exp = expected(b.events, dayNs(job.start), dayNs(job.end) + 86_400_000_000_000n, report.instrument.pricePrecision);
  const got = tuples(nt, exp, report.instrument.id);
  for (const type of ['trades', 'mark', 'funding'] as const) {
    const [ntRows, inputRows] = got[type];
    if (!job.dataTypes.includes(type)) {
      assert.equal(ntRows.length, 0, `${type} not in the job`);
      continue;
    }
    assert.ok(exp.counts[type].read > 0, `${b.name} has ${type} input rows`);
    assert.deepEqual(ntRows, inputRows, `${b.name}: ${TYPES[type]} as NautilusTrader loaded them = the input rows`);
    // What is not in the catalog is what the report accounts for, row for row.
    const days = report.days.filter((d) => d.dataType === type);
    const r = days.reduce((a, d) => ({ read: a.read + d.read, written: a.written + d.written, duplicates: a.duplicates + d.duplicates, empty: a.empty + d.skipped + sum(d.rejected) }),
      { read: 0, written: 0, duplicates: 0, empty: 0 });
    assert.deepEqual(r, exp.counts[type], `${b.name}: ${type} counts in the run report`);
  }
  return exp;
}

test('NautilusTrader loads every catalog the suite builds from real inputs, each value equal to its input row', async (t) => {
  if (!needShared(t) || !needNautilus(t)) return;
  const root = await tempDir(t, 'cb-nt-loads-');
  const built = await buildAll(root);
  const presets = (JSON.parse(await readFile(join(ROOT, 'resources', 'instruments.json'), 'utf8')) as Record<string, Record<string, Preset>>)['binance-usdm']!;
  // The sample again, in two runs into one folder: day 1 with snappy and 1000-row groups, then days 2-3.
  const twoRuns = join(root, 'sample-two-runs');
  const cfg = JSON.parse(await readFile(join(SAMPLE, 'csv_config.json'), 'utf8')) as { files: Record<string, unknown> };
  const run = (job: Partial<JobSpecInput>) => runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: twoRuns,
    dataTypes: ['trades', 'mark', 'funding'], config: cfg, configDir: SAMPLE, ...job });
  for (const r of [await run({ compression: 'snappy', rowGroupSize: 1000 }), await run({ start: '2024-01-02', end: '2024-01-03' })]) assert.equal(r.ok, true, r.errors.join('\n'));
  const loaded = ntLoad([...built.map((b) => b.output), twoRuns]);
  let objects = 0;
  const rounded: [string, number, string][] = []; // mark input text, price precision, the value we wrote

  for (const b of built) {
    await t.test(b.name, () => {
      const exp = judge(b, loaded.get(b.output)!, presets);
      objects += Object.values(loaded.get(b.output)!).reduce((a, l) => a + l.length, 0);
      // Only where a double holds every digit of value × 10^p: beyond 2^53 NT's float path drifts
      // (the limits catalog: "1.23456789012345675" at 16 decimals is 1.2345678901234566 there).
      const p = b.report.instrument.pricePrecision;
      for (const m of exp.mark) if (m.text !== undefined && m.text !== m.value && Number(m.text) * 10 ** p < 2 ** 53) rounded.push([m.text, p, m.value]);
    });
  }

  // NautilusTrader 1.231's Binance adapter rounds a mark price to the instrument with Price::new(f64,
  // precision), i.e. (value * 10^p).round() in floating point. Our exact half-up rounding gives the
  // same value for every mark of these inputs that needed rounding. (It differs only on decimal
  // midpoints that binary floating point cannot hold, e.g. "1.005" at 2 decimals: NT 1.00, ours 1.01.)
  await t.test('marks rounded like NautilusTrader\'s Binance adapter (Price(float(text), precision))', () => {
    assert.ok(rounded.length > 1000, `${rounded.length} rounded marks`);
    const script = 'import json, sys\nfrom nautilus_trader.model.objects import Price\n' +
      'print(json.dumps([str(Price(float(t), p)) for t, p in json.load(sys.stdin)]))';
    const nt = JSON.parse(runPython(['-c', script], { input: JSON.stringify(rounded.map(([text, p]) => [text, p])) })) as string[];
    assert.deepEqual(nt.map(dec), rounded.map(([, , ours]) => ours));
  });
  await t.test('sample built in two runs (snappy, small row groups, then zstd) = the sample in one run', () => {
    const strip = (c: NtCatalog) => Object.fromEntries(Object.entries(c).map(([k, l]) => [k, l.map(({ catalog: _, ...o }) => o)]));
    const one = loaded.get(built[0]!.output)!, two = loaded.get(twoRuns)!;
    assert.deepEqual(strip(two), strip(one));
    objects += Object.values(two).reduce((a, l) => a + l.length, 0);
  });
  const line = `NautilusTrader ${NAUTILUS_VERSION} loaded ${built.length + 1} catalogs, ${objects} objects`;
  t.diagnostic(line);
  console.log(line);
});

// NautilusTrader reads FundingRateUpdate through pyarrow and decodes `rate` with msgspec.json.decode:
// its own writer stores the Decimal as JSON text ("\"0.0001\""), so it comes back as exact text;
// bare 0.0001 (our earlier layout) is a JSON number and comes back as a float, losing digits past 17.
// We now write it as NautilusTrader's writer does.
test('a funding rate with 24 significant digits loads from our catalog as its exact decimal text', async (t) => {
  if (!needNautilus(t)) return;
  const dir = await tempDir(t);
  const rate = '0.000123456789012345678901';
  await writeFile(join(dir, 'BTCUSDT-fundingRate-2024-01.csv'), `calc_time,funding_interval_hours,last_funding_rate\n${Date.parse('2024-01-01T00:00:00Z')},8,${rate}\n`);
  const report = await build(dir, { funding: { file_path: 'BTCUSDT-fundingRate-2024-01.csv' } });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const [f] = ntLoad([join(dir, 'catalog')]).get(join(dir, 'catalog'))!.FundingRateUpdate!;
  assert.deepEqual([f!.rate, f!.rate_py_type], [rate, 'str']);
});
