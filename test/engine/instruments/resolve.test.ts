// The job's instrument: a definition first (preset, entries), the data's precision only for markets
// whose sizes are plain units; nothing contract-sized is guessed, and one id has one class.
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DefinitionError, resolveInstrument, splitSymbol } from '../../../engine/instruments/resolve.js';
import { build, tempDir } from '../../helpers.js';

test('a preset, then entries over it, then precision overrides (which leave the venue’s limits out)', () => {
  const p = resolveInstrument({ market: 'binance-usdm', symbol: 'BTCUSDT' });
  assert.deepEqual([p.id, p.kind, p.pricePrecision, p.sizePrecision, p.minQuantity], ['BTCUSDT-PERP.BINANCE', 'perpetual', 2, 3, '0.001']);
  const fees = resolveInstrument({ market: 'binance-usdm', symbol: 'BTCUSDT', entered: { maker_fee: '0.0001', taker_fee: '0.0004' } });
  assert.deepEqual([fees.makerFee, fees.takerFee, fees.minQuantity], ['0.0001', '0.0004', '0.001']);
  assert.match(fees.source, /entered maker_fee, taker_fee/);
  const over = resolveInstrument({ market: 'binance-usdm', symbol: 'BTCUSDT', over: { price: 4 } });
  assert.deepEqual([over.priceIncrement, over.minQuantity, over.maxPrice], ['0.0001', null, null]);
});

test('no definition: linear and spot symbols take the data’s precision; contract-sized ones are refused saying what is missing', () => {
  assert.throws(() => resolveInstrument({ market: 'binance-usdm', symbol: 'NEWUSDT' }), (e: Error) => !(e instanceof DefinitionError), 'the data can still tell');
  const lin = resolveInstrument({ market: 'binance-usdm', symbol: 'NEWUSDT', data: { price: 4, size: 0 } });
  assert.deepEqual([lin.id, lin.base, lin.quote, lin.settlement, lin.isInverse, lin.priceIncrement, lin.sizeIncrement], ['NEWUSDT-PERP.BINANCE', 'NEW', 'USDT', 'USDT', false, '0.0001', '1']);
  const spot = resolveInstrument({ market: 'binance-spot', symbol: 'NEWUSDT', data: { price: 2, size: 1 } });
  assert.deepEqual([spot.kind, spot.id, spot.makerFee], ['spot', 'NEWUSDT.BINANCE', '0.001']);
  assert.throws(() => resolveInstrument({ market: 'bitmex', symbol: 'ETHUSD', data: { price: 2, size: 0 } }), (e: Error) => e instanceof DefinitionError && /contract size \(multiplier\)/.test(e.message) && /--instruments/.test(e.message));
  assert.throws(() => resolveInstrument({ market: 'bitmex', symbol: 'XBTZ24', entered: { multiplier: '1' }, data: { price: 1, size: 0 } }), /its expiry/);
});

test('entered alone: an inverse contract settles in its base; a bad value is named', () => {
  const inv = resolveInstrument({ market: 'other', venue: 'HUOBI', symbol: 'BTC-USD', entered: { kind: 'perpetual', base: 'BTC', quote: 'USD', is_inverse: true, multiplier: '100', price_increment: '0.1', size_increment: '1' } });
  assert.deepEqual([inv.id, inv.isInverse, inv.settlement, inv.multiplier, inv.pricePrecision, inv.source], ['BTC-USD.HUOBI', true, 'BTC', '100', 1, 'entered']);
  assert.throws(() => resolveInstrument({ market: 'binance-usdm', symbol: 'BTCUSDT', entered: { multiplier: '0' } }), /multiplier must be a decimal > 0/);
  assert.deepEqual(splitSymbol('BTC-USDT-SWAP'), { base: 'BTC', quote: 'USDT' });
  assert.deepEqual(splitSymbol('BTCUSD_PERP'), { base: 'BTC', quote: 'USD' });
  assert.equal(splitSymbol('XYZ'), null);
});

test('one id, one class: a catalog defining it as a perpetual refuses a future of the same id, and --overwrite replaces our own', async (t) => {
  const dir = await tempDir(t);
  const rows = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount', 'bitmex,XBTUSD,1704067200123000,1704067200223000,a1,buy,42283.5,100'];
  await writeFile(join(dir, 't.csv'), rows.join('\n') + '\n');
  const base = { exchange: 'bitmex', symbol: 'XBTUSD', instrument: { base: 'XBT', quote: 'USD', is_inverse: true, multiplier: '1', price_increment: '0.5', size_increment: '1' } } as const;
  const r1 = await build(dir, { trades: { file_path: 't.csv' } }, { ...base, instrument: { ...base.instrument, kind: 'perpetual' } });
  assert.ok(r1.ok, r1.errors.join('\n'));
  assert.equal(r1.instrument.className, 'CryptoPerpetual');
  const asFuture = { ...base, instrument: { ...base.instrument, kind: 'future' as const, expiration: '2024-12-27T12:00:00Z' } };
  const r2 = await build(dir, { trades: { file_path: 't.csv' } }, asFuture);
  assert.equal(r2.ok, false);
  assert.match(r2.errors.join('\n'), /already defines XBTUSD\.BITMEX as a CryptoPerpetual .*this job defines it as a CryptoFuture/);
  const r3 = await build(dir, { trades: { file_path: 't.csv' } }, { ...asFuture, overwrite: true });
  assert.ok(r3.ok, r3.errors.join('\n'));
  assert.deepEqual(await readdir(join(dir, 'catalog', 'data', 'crypto_perpetual', 'XBTUSD.BITMEX')), [], 'our perpetual definition was superseded');
  assert.equal((await readdir(join(dir, 'catalog', 'data', 'crypto_future', 'XBTUSD.BITMEX'))).length, 1);
});
