// The job screen's instrument: ids as NautilusTrader's adapters name them, the entered definition's
// fields checked as typed (InstrumentEntry's rules), and what each definition source puts in the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PresetInfo } from '../../shared/api.js';
import { JobSpec } from '../../shared/job.js';
import {
  emptyEntry, entryErrors, entryFieldError, entrySpec, instrumentView, marketGroups, marketOfExchange, symbolError, type EntryDraft,
} from '../../renderer/src/logic/instrument.js';
import { buildJob, defaultDraft, type JobDraft } from '../../renderer/src/logic/job.js';
import { instrumentFacts } from '../../renderer/src/logic/result.js';
import { fileInfo } from '../support/fake-api.js';

const BTC: PresetInfo = { market: 'binance-usdm', symbol: 'BTCUSDT', kind: 'perpetual', isInverse: false, multiplier: '1', pricePrecision: 2, sizePrecision: 3, priceIncrement: '0.10', sizeIncrement: '0.001' };

function entry(fields: Partial<EntryDraft['fields']>, over: Partial<EntryDraft> = {}): EntryDraft {
  const e = emptyEntry();
  return { ...e, ...over, fields: { ...e.fields, ...fields } };
}

test('the id shown is the one each venue adapter writes, with the kind and inverse said plainly', () => {
  const none = emptyEntry();
  const usdm = instrumentView('binance-usdm', 'btcusdt', 'preset', none, BTC);
  assert.deepEqual(usdm, { id: 'BTCUSDT-PERP.BINANCE', kind: 'perpetual', className: 'CryptoPerpetual', inverse: false, kindGuessed: false });
  assert.equal(instrumentView('binance-coinm', 'BTCUSD_PERP', 'file', none, undefined).id, 'BTCUSD-PERP.BINANCE');
  assert.equal(instrumentView('binance-usdm', 'BTCUSDT_240329', 'file', none, undefined).kind, 'future');
  assert.equal(instrumentView('okx-swap', 'BTC-USDT-SWAP', 'file', none, undefined).id, 'BTC-USDT-SWAP.OKX');
  assert.equal(instrumentView('bybit-inverse', 'BTCUSD', 'file', none, undefined).id, 'BTCUSD-INVERSE.BYBIT');
  assert.equal(instrumentView('bybit-inverse', 'BTCUSD', 'file', none, undefined).inverse, null, 'a list says for itself');
  assert.equal(instrumentView('bitmex', 'XBTUSD', 'preset', none, undefined).inverse, null, 'no preset on a contract market: a definition must say');
  assert.equal(instrumentView('binance-usdm', 'FOOUSDT', 'preset', none, undefined).inverse, false, 'from the data: linear');
  // Entered: the market's inverse-ness until the box says otherwise; the kind from the select.
  assert.equal(instrumentView('bybit-inverse', 'BTCUSD', 'enter', none, undefined).inverse, true);
  const xbt = instrumentView('bitmex', 'xbtusd', 'enter', entry({}, { isInverse: true }), undefined);
  assert.deepEqual(xbt, { id: 'XBTUSD.BITMEX', kind: 'perpetual', className: 'CryptoPerpetual', inverse: true, kindGuessed: false });
  const fut = instrumentView('bitmex', 'XBTZ24', 'enter', none, undefined);
  assert.equal(fut.className, 'CryptoFuture');
  assert.equal(instrumentView('binance-spot', 'BTCUSDT', 'enter', entry({}, { isInverse: true }), undefined).inverse, false, 'a spot pair is never inverse');
  assert.equal(marketOfExchange('BINANCE'), 'binance-usdm');
  assert.equal(marketOfExchange('bitmex'), 'bitmex');
  assert.equal(marketOfExchange('binance-delivery'), 'binance-coinm');
  assert.equal(marketOfExchange('okx-swap'), 'okx-swap');
  assert.deepEqual(marketGroups().map((g) => g.venue), ['BINANCE', 'BYBIT', 'OKX', 'BITMEX', 'DERIBIT']);
  assert.equal(symbolError('BTC-USDT-SWAP'), null);
  assert.equal(symbolError('BTCUSD_PERP'), null);
  assert.match(symbolError('BTC/USDT')!, /letters, digits, _ or -/);
});

test('each entered field is checked as typed with the contract\'s rules', () => {
  assert.equal(entryFieldError('price_increment', ''), null, 'empty: not given');
  assert.equal(entryFieldError('price_increment', '0.5'), null);
  assert.equal(entryFieldError('price_increment', '0.5.1'), 'expected a decimal such as 0.01');
  assert.equal(entryFieldError('size_increment', '0'), 'must be more than 0');
  assert.equal(entryFieldError('multiplier', '0.000'), 'must be more than 0');
  assert.equal(entryFieldError('min_quantity', '0'), null, 'a minimum may be 0');
  assert.equal(entryFieldError('base', 'xbt'), 'expected a currency code such as BTC or USDT', 'the form raises case as it is typed');
  assert.equal(entryFieldError('maker_fee', '-0.00025'), null, 'a rebate');
  assert.match(entryFieldError('expiration', 'soon')!, /expected a date or time/);
  assert.equal(entryFieldError('expiration', '2024-12-27T12:00:00Z'), null);
});

test('the entered definition goes into the spec; a bad field or a missing contract size or expiry blocks Run', () => {
  const files = [{ info: fileInfo('/d/bitmex_trades.csv', ['exchange', 'symbol', 'timestamp']), types: ['trades' as const], options: {} }];
  const draft: JobDraft = { ...defaultDraft(), symbol: 'XBTUSD', market: 'bitmex', start: '2024-01-01', end: '2024-01-01', output: '/cat' };
  const fields = { base: 'XBT', quote: 'USD', settlement: 'XBT', price_increment: '0.5', size_increment: '1', multiplier: '1' };
  const ok = buildJob({ ...draft, definition: 'enter', entry: entry(fields, { isInverse: true }) }, files, {}, [BTC]);
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.spec!.exchange, 'bitmex');
  assert.deepEqual(ok.spec!.instrument, { kind: 'perpetual', is_inverse: true, ...fields });
  assert.ok(JobSpec.safeParse(ok.spec).success, 'the engine takes it');

  const bad = buildJob({ ...draft, definition: 'enter', entry: entry({ ...fields, price_increment: '0,5' }) }, files, {}, [BTC]);
  assert.equal(bad.spec, null);
  assert.deepEqual(bad.errors, ['Price increment (instrument): expected a decimal such as 0.01.']);
  const noMult = buildJob({ ...draft, definition: 'enter', entry: entry({ ...fields, multiplier: '' }) }, files, {}, [BTC]);
  assert.match(noMult.errors[0]!, /^Multiplier \(instrument\): BitMEX sizes are contracts/);
  const future = buildJob({ ...draft, symbol: 'XBTZ24', definition: 'enter', entry: entry(fields) }, files, {}, [BTC]);
  assert.deepEqual(future.errors, ['Expiry (instrument): a dated future needs its expiry.']);
  assert.deepEqual(entrySpec(entry({ ...fields, expiration: '2024-12-27' }), 'bitmex', 'XBTUSD').expiration, undefined, 'a perpetual sends no expiry');
  assert.deepEqual(entryErrors(entry({ ...fields, expiration: '2024-12-27' }), 'bitmex', 'XBTZ24'), []);

  // Entered over a preset: its kind and inverse-ness stand unless changed, and it gives what is not entered.
  const inversePreset: PresetInfo = { ...BTC, market: 'bitmex', symbol: 'XBTUSD', isInverse: true };
  const over = buildJob({ ...draft, definition: 'enter', entry: entry({ price_increment: '0.5' }) }, files, {}, [inversePreset]);
  assert.deepEqual(over.errors, []);
  assert.deepEqual(over.spec!.instrument, { kind: 'perpetual', is_inverse: true, price_increment: '0.5' });
  const linearNow = buildJob({ ...draft, definition: 'enter', entry: entry({}, { isInverse: false }) }, files, {}, [inversePreset]);
  assert.equal(linearNow.spec!.instrument!.is_inverse, false, 'unticked: linear');

  // No preset on a contract market: the data cannot define it; a list file or entries can.
  const none = buildJob(draft, files, {}, [BTC]);
  assert.match(none.errors[0]!, /^No preset for XBTUSD on BitMEX: its sizes are contracts/);
  const noFile = buildJob({ ...draft, definition: 'file' }, files, {}, [BTC]);
  assert.match(noFile.errors[0]!, /Choose the venue’s saved instrument list/);
  const listed = buildJob({ ...draft, definition: 'file', instrumentsFile: ' /lists/bitmex.json ', pricePrecision: 3 }, files, {}, [BTC]);
  assert.equal(listed.spec!.instrumentsFile, '/lists/bitmex.json');
  assert.equal(listed.spec!.pricePrecision, undefined, 'the precision boxes belong to the preset/data choice only');
  assert.equal(listed.spec!.instrument, undefined);
  // A linear market's symbol with no preset: precision from the data, or as set.
  const linear = buildJob({ ...draft, market: 'binance-usdm', symbol: 'FOOUSDT', pricePrecision: 3, sizePrecision: 0 }, files, {}, [BTC]);
  assert.deepEqual([linear.errors, linear.spec!.pricePrecision, linear.spec!.sizePrecision], [[], 3, 0]);
});

test('the result names the instrument written: class, market, inverse, contract size, settlement', () => {
  const base = { id: 'XBTUSD.BITMEX', pricePrecision: 1, sizePrecision: 0, precisionSource: 'entered' };
  assert.deepEqual(instrumentFacts({ ...base, className: 'CryptoPerpetual', market: 'bitmex', isInverse: true, multiplier: '1', settlement: 'XBT' }),
    ['CryptoPerpetual', 'BitMEX', 'inverse', 'multiplier 1', 'settled in XBT']);
  assert.deepEqual(instrumentFacts({ ...base, className: 'CurrencyPair', market: 'okx-spot', isInverse: false, multiplier: '1', settlement: 'USDT' }), ['CurrencyPair', 'OKX spot']);
  assert.deepEqual(instrumentFacts(base), [], 'an older report says nothing it does not know');
});
