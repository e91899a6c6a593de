// Preview reads only the start of a file: format, row estimate, mapped rows with reject reasons,
// and the automatic guesses when a required column is still missing.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { inspectFiles, preview } from '../../engine/preview.js';
import { tempDir } from '../helpers.js';

const header = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n';
const row = (i: number, price = '42000.5') => `binance-futures,BTCUSDT,${1704067200000000 + i * 1000},${1704067200000000 + i * 1000 + 7},${1000 + i},${i % 2 ? 'buy' : 'sell'},${price},0.01${i % 9}\n`;

test('row estimate of a large .gz comes from its start and is close to the real count', async (t) => {
  const dir = await tempDir(t);
  const n = 200_000;
  let body = header;
  for (let i = 0; i < n; i++) body += row(i);
  await writeFile(join(dir, 'big.csv.gz'), gzipSync(body));
  const [info] = await inspectFiles([join(dir, 'big.csv.gz')]);
  assert.equal(info!.format, 'tardis.trades');
  assert.equal(info!.compression, 'gzip');
  assert.ok(Math.abs(info!.rowEstimate - n) / n < 0.05, `estimate ${info!.rowEstimate} vs ${n}`);
});

test('mapped rows show UTC timestamps and BUYER/SELLER; bad rows carry their reason', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 't.csv'), header + row(0) + row(1, '-3') + row(2, '42000.123') + row(0));
  const p = await preview({ path: join(dir, 't.csv'), dataType: 'trades', symbol: 'BTCUSDT' });
  assert.deepEqual(p.rows.map((r) => r.status), ['ok', 'rejected', 'rejected', 'duplicate']);
  assert.deepEqual(p.rows[0]!.mapped, {
    ts_init: '2024-01-01T00:00:00.000007000Z', ts_event: '2024-01-01T00:00:00.000000000Z',
    price: '42000.50', size: '0.010', aggressor_side: 'SELLER', trade_id: '1000',
  });
  assert.equal(p.rows[1]!.field, 'price');
  assert.match(p.rows[1]!.reason!, /must be > 0/);
  assert.match(p.rows[2]!.reason!, /3 decimals, more than the instrument's price precision 2/);
  assert.equal(p.timestampUnit, 'us');
});

test('a missing required column keeps the automatic guesses for the other fields', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'v.csv'), 'time,cost,qty,side\n2024-01-01T00:00:00Z,1.5,2,buy\n');
  const p = await preview({ path: join(dir, 'v.csv'), dataType: 'trades' });
  assert.match(p.error!, /no column for price/);
  assert.deepEqual(p.mapping, { timestamp: 'time', size: 'qty', aggressor_side: 'side' });
  assert.equal(p.rows.length, 1);
  const fixed = await preview({ path: join(dir, 'v.csv'), dataType: 'trades', columns: { timestamp: 'time', price: 'cost', size: 'qty', aggressor_side: 'side' } });
  assert.equal(fixed.error, undefined);
  assert.equal(fixed.rows[0]!.mapped!.price, '1.50');
});

test('the preview says what the file says of itself (facts): a Tardis file\'s exchange, market, symbols and day; a Vision name; a plain CSV\'s days; nothing for an untimed one', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'binance-futures_trades_2024-01-01_BTCUSDT.csv'), header + row(0) + row(1));
  const p = await preview({ path: join(dir, 'binance-futures_trades_2024-01-01_BTCUSDT.csv'), dataType: 'trades', symbol: 'ETHUSDT' });
  assert.deepEqual(p.facts, { exchange: 'binance-futures', market: 'binance-usdm', venue: 'BINANCE', symbols: ['BTCUSDT'], first: '2024-01-01', last: '2024-01-01', from: 'column' });
  // The preview shows the rows as they are, whatever symbol it is asked for (the job checks the symbol).
  assert.deepEqual(p.rows.map((r) => r.status), ['ok', 'ok']);
  await writeFile(join(dir, 'ETHUSDT-aggTrades-2024-01-02.csv'), '1,2300.10,0.500,1,1,1704153600000,true\n');
  const v = await preview({ path: join(dir, 'ETHUSDT-aggTrades-2024-01-02.csv'), dataType: 'trades', symbol: 'ETHUSDT' });
  assert.deepEqual(v.facts, { venue: 'BINANCE', symbols: ['ETHUSDT'], first: '2024-01-02', last: '2024-01-02', from: 'file name' });
  // A plain CSV says the days of its time column (ms by magnitude), no symbol; one without a time column nothing.
  await writeFile(join(dir, 'plain.csv'), 'time,price,size\n1704153600000,1,1\n');
  assert.deepEqual((await preview({ path: join(dir, 'plain.csv'), dataType: 'trades' })).facts, { symbols: [], first: '2024-01-02', last: '2024-01-02', from: 'column' });
  await writeFile(join(dir, 'untimed.csv'), 'when,price,size\nsoon,1,1\n');
  assert.equal((await preview({ path: join(dir, 'untimed.csv'), dataType: 'trades' })).facts, undefined);
});

test('inspecting files gives what each says of itself (the app fills symbol, market and days from it); a file that says nothing: null', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'bitmex_trades_2024-05-01_XBTUSD.csv'), 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nbitmex,XBTUSD,1714521600123000,1714521600223000,a1,buy,63000.5,100\n');
  await writeFile(join(dir, 'plain.csv'), 'when,price,qty\nsoon,63000.5,1\n');
  const [tardis, plain] = await inspectFiles([join(dir, 'bitmex_trades_2024-05-01_XBTUSD.csv'), join(dir, 'plain.csv')]);
  assert.deepEqual([tardis!.facts?.exchange, tardis!.facts?.market, tardis!.facts?.symbols, tardis!.facts?.first], ['bitmex', 'bitmex', ['XBTUSD'], '2024-05-01']);
  assert.equal(plain!.facts, null);
  // The preview writes values at the precision of the symbol's preset on the job's market.
  const onBitmex = await preview({ path: join(dir, 'bitmex_trades_2024-05-01_XBTUSD.csv'), dataType: 'trades', symbol: 'XBTUSD', exchange: 'bitmex' });
  assert.deepEqual([onBitmex.pricePrecision, onBitmex.sizePrecision, onBitmex.rows[0]!.mapped?.price], [1, 0, '63000.5']);
  const unknown = await preview({ path: join(dir, 'bitmex_trades_2024-05-01_XBTUSD.csv'), dataType: 'trades', symbol: 'XBTUSD' });
  assert.equal(unknown.pricePrecision, 8, 'no preset on Binance USD-M: the most decimals a value may have');
});
