// Where a job's definition comes from before presets (engine/instruments/find.ts): the user's saved
// list (errors naming the file and the near symbols) and Tardis's instruments API, asked of a
// 127.0.0.1 mock serving NautilusTrader's Tardis test responses (found, 404 -> presets, 401 -> error).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { runBuild } from '../../../engine/jobs/build.js';
import { findDefinition } from '../../../engine/instruments/find.js';
import { resolveInstrument } from '../../../engine/instruments/resolve.js';
import { tardisConfig } from '../../../engine/sources/tardis/config.js';
import { build, needShared, ROOT, tempDir } from '../../helpers.js';
import { TardisMock } from '../../support/tardis-mock.js';
import { FIX } from './fixtures.js';

// A developer's own TARDIS_API_KEY must not leak in.
const savedKey = process.env.TARDIS_API_KEY;
before(() => {
  delete process.env.TARDIS_API_KEY;
});
after(() => {
  if (savedKey !== undefined) process.env.TARDIS_API_KEY = savedKey;
});

test('a saved list: the symbol on the job’s market is found; a list lacking it names the file, its format and the nearest symbols', async () => {
  const file = join(FIX, 'bybit-linear.json');
  const hit = await findDefinition({ market: 'bybit-linear', symbol: 'ethusdt', instrumentsFile: file, configDir: '/' });
  assert.equal(hit?.id, 'ETHUSDT-LINEAR.BYBIT');
  await assert.rejects(findDefinition({ market: 'bybit-linear', symbol: 'BTCUSDC', instrumentsFile: file, configDir: '/' }),
    (e: Error) => e.message === `the instrument list ${file} (Bybit v5 instruments-info) has no BTCUSDC; it has BTCUSDT`);
  await assert.rejects(findDefinition({ market: 'bybit-linear', symbol: 'SOLUSDT', instrumentsFile: file, configDir: '/' }),
    (e: Error) => e.message.startsWith(`the instrument list ${file} (Bybit v5 instruments-info) has no SOLUSDT`));
  // A list of another market: said as such, not "no such symbol".
  await assert.rejects(findDefinition({ market: 'bybit-spot', symbol: 'BTCUSDT', instrumentsFile: file, configDir: '/' }),
    /is a Bybit v5 instruments-info, of bybit-linear; the job's BTCUSDT is on bybit-spot/);
});

test('a saved list: a symbol the list holds but that cannot be built says why; an unreadable file names itself', async (t) => {
  const dir = await tempDir(t);
  const file = join(FIX, 'deribit-instruments.json');
  await assert.rejects(findDefinition({ market: 'deribit', symbol: 'BTC-27DEC24-100000-C', instrumentsFile: file, configDir: dir }),
    /has BTC-27DEC24-100000-C, but it cannot be built: kind "option" is not read/);
  await assert.rejects(findDefinition({ market: 'deribit', symbol: 'BTC-PERPETUAL', instrumentsFile: 'missing.json', configDir: dir }),
    (e: Error) => e.message.startsWith(`the instrument list ${join(dir, 'missing.json')} cannot be read`));
  const found = await findDefinition({ market: 'deribit', symbol: 'BTC-PERPETUAL', instrumentsFile: file, configDir: dir });
  assert.equal(found?.sizeIncrement, '10');
  // Without a list and without a Tardis key: nothing is asked, presets come next.
  assert.equal(await findDefinition({ market: 'deribit', symbol: 'BTC-PERPETUAL', configDir: dir }), null);
});

const fixtureText = (name: string) => readFileSync(join(FIX, name), 'utf8');

async function startMock(t: TestContext): Promise<TardisMock> {
  const mock = await TardisMock.start({ messages: [] });
  t.after(() => mock.close());
  mock.instruments.set('bitmex/XBTUSD', fixtureText('tardis-instrument-perpetual.json'));
  mock.instruments.set('deribit/BTC_USDC', fixtureText('tardis-instrument-spot.json'));
  mock.instruments.set('deribit/BTC-14FEB25', fixtureText('tardis-instrument-future.json'));
  mock.instruments.set('deribit/BTC-25APR25-200000-P', fixtureText('tardis-instrument-option.json'));
  return mock;
}

const config = (mock: TardisMock, dir: string, extra: Record<string, unknown> = {}) =>
  tardisConfig({ api_key: 'K', endpoint: mock.url, datasets_endpoint: mock.url, cache_dir: join(dir, 'cache'), retry_base_ms: 5, retry_max_ms: 20, ...extra }, dir);

test('Tardis API: XBTUSD as in force on the job’s first day (its `changes`), with the key; the answer is cached (a second lookup asks nothing)', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  const tardis = config(mock, dir, { exchange: 'bitmex' });
  const early = await findDefinition({ market: 'bitmex', symbol: 'XBTUSD', configDir: dir, tardis, start: '2020-01-01' });
  // Before 2021-06-08 the amount step was 1, before 2024-07-31 the tick 0.5; the fee-only change is not applied (as NautilusTrader).
  // Bitcoin is XBT on BitMEX (as NautilusTrader's BitMEX adapter names it), though Tardis says BTC.
  assert.deepEqual(early && [early.id, early.kind, early.base, early.quote, early.settlement, early.isInverse, early.priceIncrement, early.sizeIncrement, early.multiplier, early.minQuantity, early.makerFee, early.takerFee, early.marginInit],
    ['XBTUSD.BITMEX', 'perpetual', 'XBT', 'USD', 'XBT', true, '0.5', '1', '1', '100', '0.0005', '0.0005', '0']);
  const late = await findDefinition({ market: 'bitmex', symbol: 'XBTUSD', configDir: dir, tardis, start: '2025-01-01' });
  assert.deepEqual(late && [late.priceIncrement, late.sizeIncrement], ['0.1', '100']);
  const asked = mock.log('instruments');
  assert.deepEqual(asked.map((q) => [q.path, q.headers.authorization, q.status]), [['/v1/instruments/bitmex/XBTUSD', 'Bearer K', 200]]);
  assert.deepEqual(mock.log(), [], 'the data routes were not asked');
});

test('Tardis API: a spot pair and a dated future of Deribit (negative maker fee kept, expiry and listing); an option is refused with the reason', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  const tardis = config(mock, dir, { exchange: 'deribit' });
  // Until 2024-04-02 the tick was 0.01; 1 since.
  const spot = await findDefinition({ market: 'deribit', symbol: 'BTC_USDC', configDir: dir, tardis, start: '2024-01-01' });
  assert.deepEqual(spot && [spot.id, spot.kind, spot.quote, spot.settlement, spot.priceIncrement, spot.sizeIncrement], ['BTC_USDC.DERIBIT', 'spot', 'USDC', 'USDC', '0.01', '0.0001']);
  const fut = await findDefinition({ market: 'deribit', symbol: 'BTC-14FEB25', configDir: dir, tardis, start: '2025-02-01' });
  assert.deepEqual(fut && [fut.kind, fut.priceIncrement, fut.sizeIncrement, fut.makerFee, fut.isInverse, fut.activationNs, fut.expirationNs],
    ['future', '2.5', '10', '-0.0001', true, BigInt(Date.parse('2025-01-31T08:00:21.000Z')) * 1_000_000n, BigInt(Date.parse('2025-02-14T08:00:00.000Z')) * 1_000_000n]);
  assert.ok(fut && resolveInstrument({ market: 'deribit', symbol: 'BTC-14FEB25', found: fut }).id === 'BTC-14FEB25.DERIBIT');
  await assert.rejects(findDefinition({ market: 'deribit', symbol: 'BTC-25APR25-200000-P', configDir: dir, tardis }), /type "option" is not built/);
});

test('Tardis API: 404 -> null (presets apply); 401 -> an error saying to check the key; a market the config’s exchange does not hold -> an error', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  const tardis = config(mock, dir, { exchange: 'bitmex' });
  const none = await findDefinition({ market: 'bitmex', symbol: 'ETHUSD', configDir: dir, tardis });
  assert.equal(none, null);
  assert.equal(resolveInstrument({ market: 'bitmex', symbol: 'XBTUSD', found: null }).source, 'preset BitMEX XBTUSD');
  mock.inject({ kind: 'status', status: 401, body: 'Invalid API key' }, { match: (q) => q.route === 'instruments' });
  await assert.rejects(findDefinition({ market: 'bitmex', symbol: 'XBTUSD', configDir: dir, tardis }),
    (e: Error) => e.message === `Tardis's instruments API (${mock.url}/instruments/bitmex/XBTUSD) failed: HTTP 401 (Invalid API key): check the Tardis API key`);
  await assert.rejects(findDefinition({ market: 'deribit', symbol: 'BTC-PERPETUAL', configDir: dir, tardis }), /the Tardis exchange bitmex holds bitmex, not the job's deribit/);
  // Nothing cached for the 404 and the 401.
  assert.deepEqual(mock.log('instruments').map((q) => q.status), [404, 401]);
});

test('a Tardis job with a key asks Tardis’s API for a symbol no preset knows (the report says so); a preset symbol and a job without a key ask nothing', async (t) => {
  if (!needShared(t)) return;
  const dir = await tempDir(t);
  const mock = await startMock(t);
  // XBTUSD's answer served as a symbol no preset holds (the mock's stand-in for any unlisted contract).
  mock.instruments.set('bitmex/XBTUSDX', fixtureText('tardis-instrument-perpetual.json').replaceAll('"XBTUSD"', '"XBTUSDX"'));
  const csv = (sym: string, us: string) => `exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nbitmex,${sym},${us}123000,${us}223000,a1,buy,9700.5,100\nbitmex,${sym},${us}623000,${us}723000,a2,sell,9700,2500\n`;
  mock.datasets.set('bitmex/trades/2020-02-22/XBTUSDX', csv('XBTUSDX', '1582329600'));
  mock.datasets.set('bitmex/trades/2020-02-22/XBTUSD', csv('XBTUSD', '1582329600'));
  const job = (symbol: string, config: Record<string, unknown>, out: string, day = '2020-02-22') => runBuild({
    source: 'tardis', exchange: 'bitmex', symbol, start: day, end: day, output: join(dir, out), dataTypes: ['trades'],
    config: { endpoint: mock.url, datasets_endpoint: mock.url, exchange: 'bitmex', cache_dir: join(dir, `cache-${out}`), retry_base_ms: 5, retry_max_ms: 20, ...config }, configDir: dir,
  });
  const r = await job('XBTUSDX', { api_key: 'K' }, 'a');
  assert.equal(r.ok, true, r.errors.join('; '));
  assert.deepEqual([r.instrument.id, r.instrument.pricePrecision, r.instrument.sizePrecision, r.instrument.isInverse, r.instrument.multiplier], ['XBTUSDX.BITMEX', 1, 0, true, '1']);
  assert.match(r.instrument.precisionSource, /Tardis instruments API \(bitmex XBTUSDX\)/);
  assert.equal(mock.log('instruments').length, 1);
  // A preset symbol: the preset (what NautilusTrader's adapter builds from the venue's record), no lookup.
  const preset = await job('XBTUSD', { api_key: 'K' }, 'b');
  assert.equal(preset.ok, true, preset.errors.join('; '));
  assert.match(preset.instrument.precisionSource, /^preset BitMEX XBTUSD/);
  // The first day of a month is free without a key: no lookup either.
  mock.datasets.set('bitmex/trades/2020-03-01/XBTUSD', csv('XBTUSD', '1583020800'));
  const free = await job('XBTUSD', {}, 'c', '2020-03-01');
  assert.equal(free.ok, true, free.errors.join('; '));
  assert.match(free.instrument.precisionSource, /^preset BitMEX XBTUSD/);
  assert.equal(mock.log('instruments').length, 1, 'no lookup for a preset symbol or without a key');
});

test('a CSV job with --instruments: the instrument comes from the saved list (the report names it; a spot list makes a CurrencyPair); a list lacking the symbol fails the job with the list’s error', async (t) => {
  const dir = await tempDir(t);
  const trades = { trades: { file_path: join(ROOT, 'resources', 'sample', 'binance-futures_trades_2024-01-01_BTCUSDT.csv.gz') } };
  const usdm = join(ROOT, 'resources', 'binance-futures-exchange-info.json');
  const a = await build(dir, trades, { instrumentsFile: usdm, output: join(dir, 'a') });
  assert.equal(a.ok, true, a.errors.join('; '));
  assert.deepEqual([a.instrument.id, a.instrument.pricePrecision, a.instrument.sizePrecision, a.instrument.className], ['BTCUSDT-PERP.BINANCE', 2, 3, 'CryptoPerpetual']);
  assert.equal(a.instrument.precisionSource, `USD-M exchangeInfo ${usdm}`);
  // Spot and Bybit trades of their own (a job refuses files of another market than its own).
  const tardisCsv = (exchange: string) => `exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n${exchange},BTCUSDT,1704067200123000,1704067200223000,1,buy,42283.51,0.00120\n`;
  await writeFile(join(dir, 'spot.csv'), tardisCsv('binance'));
  await writeFile(join(dir, 'bybit.csv'), tardisCsv('bybit'));
  const b = await build(dir, { trades: { file_path: 'spot.csv' } }, { exchange: 'binance-spot', instrumentsFile: join(FIX, 'binance-spot-exchange-info.json'), output: join(dir, 'b') });
  assert.equal(b.ok, true, b.errors.join('; '));
  assert.deepEqual([b.instrument.id, b.instrument.className, b.instrument.pricePrecision, b.instrument.sizePrecision], ['BTCUSDT.BINANCE', 'CurrencyPair', 8, 8]);
  const c = await build(dir, { trades: { file_path: 'bybit.csv' } }, { exchange: 'bybit-linear', instrumentsFile: join(FIX, 'bybit-spot.json'), output: join(dir, 'c') });
  assert.equal(c.ok, false);
  assert.match(c.errors.join('\n'), /bybit-spot\.json is a Bybit v5 instruments-info, of bybit-spot; the job's BTCUSDT is on bybit-linear/);
});
