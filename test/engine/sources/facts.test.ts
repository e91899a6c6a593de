// What a file says about itself (engine/sources/facts.ts): Tardis CSV columns and default names,
// Binance Vision names, capture messages; real samples where the repo and ../shared have them.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { FACT_ROWS, factsFromName, readFacts } from '../../../engine/sources/facts.js';
import { ROOT, SOURCES, needShared, tempDir } from '../../helpers.js';
import { zipOf } from '../../support/zip.js';

const SAMPLE = join(ROOT, 'resources', 'sample');
const TRADES = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const us = (day: string, s = 0) => String((Date.parse(`${day}T00:00:00Z`) + s * 1000) * 1000);

test('Tardis CSV (the repo samples): exchange, market and symbol from the columns, the day from the name; trades and derivative_ticker', async () => {
  for (const name of ['binance-futures_trades_2024-01-02_BTCUSDT.csv.gz', 'binance-futures_derivative_ticker_2024-01-01_BTCUSDT.csv.gz']) {
    const day = /_(\d{4}-\d{2}-\d{2})_/.exec(name)![1];
    assert.deepEqual(await readFacts(join(SAMPLE, name)), {
      exchange: 'binance-futures', market: 'binance-usdm', venue: 'BINANCE', symbols: ['BTCUSDT'], first: day, last: day, from: 'column',
    }, name);
  }
});

test('Tardis CSV fixtures under other names: the columns say it; an exchange with no market here keeps its id only', async (t) => {
  if (!needShared(t)) return;
  assert.deepEqual(await readFacts(join(SOURCES, 'tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv')),
    { exchange: 'binance-futures', market: 'binance-usdm', venue: 'BINANCE', symbols: ['BTCUSDT'], first: '2020-02-22', from: 'column' });
  assert.deepEqual(await readFacts(join(SOURCES, 'tardis-csv_quotes_huobi-dm-swap_BTC-USD_2020-05-01.csv')),
    { exchange: 'huobi-dm-swap', symbols: ['BTC-USD'], first: '2020-05-01', from: 'column' });
});

test('WebSocket captures (fixtures): the venue and the symbols of the messages', async (t) => {
  if (!needShared(t)) return;
  const f = await readFacts(join(SOURCES, 'binance-usdm_ws_combined_tardis-node-test-messages_2019-2021.jsonl'));
  assert.deepEqual(f && { venue: f.venue, symbols: f.symbols, first: f.first, from: f.from }, { venue: 'BINANCE', symbols: ['BTCUSDT', 'ETHUSDT', 'BTCBUSD_210129'], first: '2019-09-17', from: 'messages' });
});

test('captures: the `s` of raw payloads, combined-stream names, {ts_recv,msg} and Tardis lines', async (t) => {
  const dir = await tempDir(t);
  const E = Date.parse('2024-03-05T10:00:00Z');
  const lines = [
    // a combined envelope whose payload has no "s": the stream name says the symbol
    JSON.stringify({ stream: 'solusdt@aggTrade', data: { e: 'aggTrade', E, T: E, a: 1, p: '100.1', q: '1', m: true } }),
    JSON.stringify({ ts_recv: String(E * 1e6), msg: { e: 'markPriceUpdate', E, s: 'ETHUSDT', p: '3000.1', r: '0.0001', T: E + 1000 } }),
    `2024-03-05T10:00:00.1234567Z ${JSON.stringify({ stream: '!markPrice@arr', data: [{ e: 'markPriceUpdate', E, s: 'XRPUSDT', p: '0.5' }] })}`,
    JSON.stringify({ localTimestamp: '2024-03-05T10:00:00.000Z', message: { result: null, id: 1 } }),
  ];
  await writeFile(join(dir, 'cap.jsonl.gz'), gzipSync(lines.join('\n') + '\n'));
  assert.deepEqual(await readFacts(join(dir, 'cap.jsonl.gz')), { venue: 'BINANCE', symbols: ['SOLUSDT', 'ETHUSDT', 'XRPUSDT'], first: '2024-03-05', from: 'messages' });
});

test('Binance Vision names: symbol and days from the name (daily, monthly, klines, funding, bookTicker), venue only; a zip by its member', async (t) => {
  const dir = await tempDir(t);
  const cases: [string, object][] = [
    ['ETHUSDT-trades-2024-01-01.csv', { symbols: ['ETHUSDT'], first: '2024-01-01', last: '2024-01-01' }],
    ['BTCUSD_PERP-aggTrades-2024-01-02.zip', { symbols: ['BTCUSD_PERP'], first: '2024-01-02', last: '2024-01-02' }],
    ['BTCUSDT-1m-2024-02.csv', { symbols: ['BTCUSDT'], first: '2024-02-01', last: '2024-02-29' }],
    ['BTCUSDT-fundingRate-2023-02.zip', { symbols: ['BTCUSDT'], first: '2023-02-01', last: '2023-02-28' }],
    ['BNBUSDT-bookTicker-2024-05-06.zip', { symbols: ['BNBUSDT'], first: '2024-05-06', last: '2024-05-06' }],
    ['BTCUSDT-markPriceKlines-1h-2024-01-01.csv', { symbols: ['BTCUSDT'], first: '2024-01-01', last: '2024-01-01' }],
  ];
  for (const [name, want] of cases) assert.deepEqual(factsFromName(name), { venue: 'BINANCE', ...want, from: 'file name' }, name);
  for (const name of ['trades.csv', 'btcusdt-trades-2024-01-01.csv', 'BTCUSDT-trades-2024-01-01.csv.bak', 'binance-vision_um_daily_trades_OMGUSDT-2021-04-08_headerless-row.csv']) {
    assert.equal(factsFromName(name), null, name);
  }
  // A Vision zip: the member's name, the rows (no symbol column) say nothing more.
  await zipOf(join(dir, 'SOLUSDT-trades-2024-01-03.zip'), [['SOLUSDT-trades-2024-01-03.csv', '1,100.1,1,100.1,1704240000000,true\n']]);
  assert.deepEqual(await readFacts(join(dir, 'SOLUSDT-trades-2024-01-03.zip')), { venue: 'BINANCE', symbols: ['SOLUSDT'], first: '2024-01-03', last: '2024-01-03', from: 'file name' });
  // A file with neither a known name nor a symbol column says the days of its time column, no symbol;
  // without a time column either, nothing.
  await writeFile(join(dir, 'trades.csv'), 'time,price,size\n1704240000000,1,1\n');
  assert.deepEqual(await readFacts(join(dir, 'trades.csv')), { symbols: [], first: '2024-01-03', last: '2024-01-03', from: 'column' });
  await writeFile(join(dir, 'untimed.csv'), 'ref,price,size\nx1,1,1\n');
  assert.equal(await readFacts(join(dir, 'untimed.csv')), null);
});

test('Tardis default names: exchange, market, symbol and day; a grouped file names no symbol, its rows do; the rows win over a renamed file', async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(factsFromName('bitmex_trades_2024-01-01_XBTUSD.csv.gz'),
    { exchange: 'bitmex', market: 'bitmex', venue: 'BITMEX', symbols: ['XBTUSD'], first: '2024-01-01', last: '2024-01-01', from: 'file name' });
  assert.deepEqual(factsFromName('bybit_derivative_ticker_2024-01-01_BTCUSD.csv.gz'),
    { exchange: 'bybit', market: 'bybit-inverse', venue: 'BYBIT', symbols: ['BTCUSD'], first: '2024-01-01', last: '2024-01-01', from: 'file name' });
  assert.deepEqual(factsFromName('binance_incremental_book_L2_2024-01-01_BTCUSDT.csv.gz')?.market, 'binance-spot');

  const grouped = [TRADES, ...['BTCUSDT', 'ETHUSDT', 'BTCUSDT', 'SOLUSDT'].map((s, k) => `binance-futures,${s},${us('2024-01-01', k)},${us('2024-01-01', k)},${k},buy,1,1`)];
  await writeFile(join(dir, 'binance-futures_trades_2024-01-01_PERPETUALS.csv'), grouped.join('\n') + '\n');
  assert.deepEqual(await readFacts(join(dir, 'binance-futures_trades_2024-01-01_PERPETUALS.csv')),
    { exchange: 'binance-futures', market: 'binance-usdm', venue: 'BINANCE', symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], first: '2024-01-01', last: '2024-01-01', from: 'column' });

  // Renamed: the name says ETHUSDT on Binance; the rows are BitMEX XBTUSD.
  await writeFile(join(dir, 'ETHUSDT-trades-2024-01-05.csv'), `${TRADES}\nbitmex,XBTUSD,${us('2024-01-05')},${us('2024-01-05')},a,buy,42000.5,100\n`);
  assert.deepEqual(await readFacts(join(dir, 'ETHUSDT-trades-2024-01-05.csv')),
    { exchange: 'bitmex', market: 'bitmex', venue: 'BITMEX', symbols: ['XBTUSD'], first: '2024-01-05', last: '2024-01-05', from: 'column' });
});

test('only the first rows are read: a file longer than that is marked partial; mangled cells say nothing', async (t) => {
  const dir = await tempDir(t);
  const rows = [TRADES];
  for (let k = 0; k < FACT_ROWS + 10; k++) rows.push(`binance-futures,${k === FACT_ROWS + 5 ? 'LATEUSDT' : 'BTCUSDT'},${us('2024-01-01', k)},${us('2024-01-01', k)},${k},buy,1,1`);
  await writeFile(join(dir, 'long.csv'), rows.join('\n') + '\n');
  const f = await readFacts(join(dir, 'long.csv'));
  assert.deepEqual([f?.symbols, f?.partial], [['BTCUSDT'], true]);

  await writeFile(join(dir, 'mangled.csv'), [TRADES, `binance-futures,BTC"USDT,${us('2024-01-01')},${us('2024-01-01')},1,buy,1,1`,
    `bin\u00e4nce,BTCUSDT,${us('2024-01-01', 1)},${us('2024-01-01', 1)},2,buy,1,1`, `binance-futures,,${us('2024-01-01', 2)},,3,buy,1,1`].join('\n') + '\n');
  const m = await readFacts(join(dir, 'mangled.csv'));
  assert.deepEqual(m, { exchange: 'binance-futures', market: 'binance-usdm', venue: 'BINANCE', symbols: ['BTCUSDT'], first: '2024-01-01', from: 'column' });
});
