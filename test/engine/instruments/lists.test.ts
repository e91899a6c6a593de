// The venues' saved instrument lists (engine/instruments/lists/) as definitions: each format from a
// real or documented response (test/fixtures/instruments/README.md), field by field as
// NautilusTrader's adapter for the venue builds it, with our deliberate differences checked too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../helpers.js';
import { definitionProblems, type InstrumentDef } from '../../../engine/instruments/definition.js';
import { atPrecision, money, product } from '../../../engine/instruments/lists/common.js';
import { definitionsFromList, parseJsonKeepingNumbers, type InstrumentList } from '../../../engine/instruments/lists/index.js';
import { FIX, readList } from './fixtures.js';
import { resolveInstrument } from '../../../engine/instruments/resolve.js';


const bySymbol = (l: InstrumentList, s: string): InstrumentDef => {
  const d = l.defs.find((x) => x.rawSymbol === s);
  assert.ok(d, `${s} is read`);
  return d;
};

/** The fields a test states, without the venue record and the source text. */
function fields(d: InstrumentDef, keys: (keyof InstrumentDef)[]): Partial<InstrumentDef> {
  return Object.fromEntries(keys.map((k) => [k, d[k]]));
}

const ALL: (keyof InstrumentDef)[] = ['kind', 'id', 'base', 'quote', 'settlement', 'isInverse', 'priceIncrement', 'sizeIncrement', 'multiplier', 'lotSize',
  'minQuantity', 'maxQuantity', 'minNotional', 'maxNotional', 'minPrice', 'maxPrice', 'marginInit', 'marginMaint', 'makerFee', 'takerFee', 'activationNs', 'expirationNs'];

test('Binance USD-M exchangeInfo: perpetuals as NautilusTrader’s futures provider builds them (limits at the increments’ precision, Money at USDT’s 8)', () => {
  const l = readList(join(ROOT, 'resources', 'binance-futures-exchange-info.json'));
  assert.equal(l.format, 'Binance USD-M exchangeInfo');
  assert.deepEqual(l.markets, ['binance-usdm']);
  assert.deepEqual(l.defs.map((d) => d.id).sort(), ['BNBUSDT-PERP.BINANCE', 'BTCUSDT-PERP.BINANCE', 'DOGEUSDT-PERP.BINANCE', 'ETHUSDT-PERP.BINANCE', 'SOLUSDT-PERP.BINANCE', 'XRPUSDT-PERP.BINANCE']);
  assert.deepEqual(fields(bySymbol(l, 'BTCUSDT'), ALL), {
    kind: 'perpetual', id: 'BTCUSDT-PERP.BINANCE', base: 'BTC', quote: 'USDT', settlement: 'USDT', isInverse: false,
    priceIncrement: '0.10', sizeIncrement: '0.001', multiplier: '1', lotSize: '1',
    minQuantity: '0.001', maxQuantity: '1000.000', minNotional: '100.00000000 USDT', maxNotional: null, minPrice: '556.80', maxPrice: '4529764.00',
    marginInit: '1', marginMaint: '1', makerFee: '0.000200', takerFee: '0.000500', activationNs: undefined, expirationNs: undefined,
  });
  assert.equal(bySymbol(l, 'SOLUSDT').priceIncrement, '0.0010', 'the tick keeps its trailing zero (precision 4)');
  assert.deepEqual(l.skipped, []);
});

test('Binance spot exchangeInfo: CurrencyPair with lot = step, NOTIONAL min and max (older MIN_NOTIONAL: min only), margins and fees 0 as NautilusTrader without credentials', () => {
  const l = readList(join(FIX, 'binance-spot-exchange-info.json'));
  assert.equal(l.format, 'Binance spot exchangeInfo');
  assert.deepEqual(l.markets, ['binance-spot']);
  assert.deepEqual(fields(bySymbol(l, 'BTCUSDT'), ALL), {
    kind: 'spot', id: 'BTCUSDT.BINANCE', base: 'BTC', quote: 'USDT', settlement: 'USDT', isInverse: false,
    priceIncrement: '0.01000000', sizeIncrement: '0.00001000', multiplier: '1', lotSize: '0.00001000',
    minQuantity: '0.00001000', maxQuantity: '9000.00000000', minNotional: '5.00000000 USDT', maxNotional: '9000000.00000000 USDT',
    minPrice: '0.01000000', maxPrice: '1000000.00000000', marginInit: '0', marginMaint: '0', makerFee: '0', takerFee: '0', activationNs: undefined, expirationNs: undefined,
  });
  const ethbtc = bySymbol(l, 'ETHBTC');
  assert.deepEqual([ethbtc.minNotional, ethbtc.maxNotional, ethbtc.quote], ['0.00010000 BTC', null, 'BTC']);
});

test('Binance COIN-M exchangeInfo: inverse contracts of contractSize USD settled in the coin (our deliberate difference), dated futures with their delivery', () => {
  const l = readList(join(FIX, 'binance-coinm-exchange-info.json'));
  assert.equal(l.format, 'Binance COIN-M exchangeInfo');
  assert.deepEqual(l.markets, ['binance-coinm']);
  assert.deepEqual(fields(bySymbol(l, 'BTCUSD_PERP'), ['kind', 'id', 'base', 'quote', 'settlement', 'isInverse', 'multiplier', 'priceIncrement', 'sizeIncrement', 'minQuantity', 'maxQuantity', 'minPrice', 'maxPrice', 'minNotional']), {
    kind: 'perpetual', id: 'BTCUSD-PERP.BINANCE', base: 'BTC', quote: 'USD', settlement: 'BTC', isInverse: true, multiplier: '100',
    priceIncrement: '0.1', sizeIncrement: '1', minQuantity: '1', maxQuantity: '1000000', minPrice: '1000.0', maxPrice: '4520958.0', minNotional: null,
  });
  assert.equal(bySymbol(l, 'ETHUSD_PERP').multiplier, '10');
  const fut = bySymbol(l, 'BTCUSD_240329');
  assert.deepEqual(fields(fut, ['kind', 'id', 'activationNs', 'expirationNs', 'isInverse']), {
    kind: 'future', id: 'BTCUSD_240329.BINANCE', activationNs: 1695974400000n * 1_000_000n, expirationNs: 1711699200000n * 1_000_000n, isInverse: true,
  });
});

test('Binance futures: a symbol not yet defined (no contract type) or with a filter missing is skipped with the reason; the rest are read', () => {
  const body = JSON.parse(readFileSync(join(ROOT, 'resources', 'binance-futures-exchange-info.json'), 'utf8')) as { symbols: Record<string, unknown>[] };
  body.symbols[0]!.contractType = '';
  body.symbols[1]!.filters = (body.symbols[1]!.filters as { filterType: string }[]).filter((f) => f.filterType !== 'LOT_SIZE');
  const l = definitionsFromList(body, 'x.json');
  assert.equal(l.defs.length, body.symbols.length - 2);
  assert.deepEqual(l.skipped.map((s) => s.symbol), [body.symbols[0]!.symbol, body.symbols[1]!.symbol]);
  assert.match(l.skipped[0]!.why, /not defined yet/);
  assert.equal(l.skipped[1]!.why, 'filters has no LOT_SIZE');
});

test('Bybit v5 instruments-info: -LINEAR / -INVERSE / -SPOT ids, settle coin, minNotionalValue as Money, margins 0.1 and fees 0.001 as NautilusTrader without credentials', () => {
  const linear = readList(join(FIX, 'bybit-linear.json'));
  assert.deepEqual([linear.format, linear.markets], ['Bybit v5 instruments-info', ['bybit-linear']]);
  assert.deepEqual(fields(bySymbol(linear, 'BTCUSDT'), ALL), {
    kind: 'perpetual', id: 'BTCUSDT-LINEAR.BYBIT', base: 'BTC', quote: 'USDT', settlement: 'USDT', isInverse: false,
    priceIncrement: '0.5', sizeIncrement: '0.001', multiplier: '1', lotSize: '0.001', minQuantity: '0.001', maxQuantity: '100.000',
    minNotional: '5.00000000 USDT', maxNotional: null, minPrice: '1.0', maxPrice: '1000000.0',
    marginInit: '0.1', marginMaint: '0.1', makerFee: '0.001', takerFee: '0.001', activationNs: undefined, expirationNs: undefined,
  });
  const inverse = readList(join(FIX, 'bybit-inverse.json'));
  assert.deepEqual(inverse.markets, ['bybit-inverse']);
  assert.deepEqual(fields(bySymbol(inverse, 'BTCUSD'), ['id', 'isInverse', 'settlement', 'multiplier', 'sizeIncrement']), { id: 'BTCUSD-INVERSE.BYBIT', isInverse: true, settlement: 'BTC', multiplier: '1', sizeIncrement: '1' });
  const spot = readList(join(FIX, 'bybit-spot.json'));
  assert.deepEqual(spot.markets, ['bybit-spot']);
  // Spot sizes step by basePrecision, not by a qtyStep.
  assert.deepEqual(fields(bySymbol(spot, 'ETHUSDT'), ['kind', 'id', 'sizeIncrement', 'minQuantity', 'maxQuantity', 'minPrice']), { kind: 'spot', id: 'ETHUSDT-SPOT.BYBIT', sizeIncrement: '0.00001', minQuantity: '0.00100', maxQuantity: '1000.00000', minPrice: null });
});

test('OKX v5 instruments: multiplier = ctMult × ctVal, inverse from ctType, settleCcy; futures with listing and expiry; spot pairs', () => {
  const swap = readList(join(FIX, 'okx-swap.json'));
  assert.deepEqual(swap.markets, ['okx-swap']);
  assert.deepEqual(swap.defs.map((d) => [d.id, d.multiplier, d.isInverse, d.settlement]), [
    ['BTC-USD-SWAP.OKX', '100', true, 'BTC'], ['ETH-USDT-SWAP.OKX', '0.1', false, 'USDT'], ['BTC-USDT-SWAP.OKX', '0.01', false, 'USDT'],
  ]);
  assert.deepEqual(fields(bySymbol(swap, 'BTC-USDT-SWAP'), ['priceIncrement', 'sizeIncrement', 'lotSize', 'minQuantity', 'maxQuantity', 'minPrice', 'minNotional', 'makerFee']), {
    priceIncrement: '0.1', sizeIncrement: '0.01', lotSize: '0.01', minQuantity: '0.01', maxQuantity: '12000.00', minPrice: null, minNotional: null, makerFee: '0',
  });
  const futures = readList(join(FIX, 'okx-futures.json'));
  const f = bySymbol(futures, 'BTC-USD-241220');
  assert.deepEqual(fields(f, ['kind', 'id', 'base', 'quote', 'isInverse', 'multiplier', 'activationNs', 'expirationNs']), {
    kind: 'future', id: 'BTC-USD-241220.OKX', base: 'BTC', quote: 'USD', isInverse: true, multiplier: '100', activationNs: 1733472600725n * 1_000_000n, expirationNs: 1734681600000n * 1_000_000n,
  });
  const spot = readList(join(FIX, 'okx-spot.json'));
  assert.deepEqual(fields(bySymbol(spot, 'BTC-USD'), ['kind', 'id', 'base', 'quote', 'multiplier', 'sizeIncrement', 'minQuantity']), { kind: 'spot', id: 'BTC-USD.OKX', base: 'BTC', quote: 'USD', multiplier: '1', sizeIncrement: '0.00000001', minQuantity: '0.00001000' });
});

test('BitMEX /instrument: XBTUSD inverse in contracts of 1 USD (multiplier 1, our deliberate difference from the raw 100000000), lot 100, margins and fees of the record', () => {
  const l = readList(join(FIX, 'bitmex-instrument.json'));
  assert.deepEqual([l.format, l.markets], ['BitMEX /instrument', ['bitmex']]);
  assert.deepEqual(fields(bySymbol(l, 'XBTUSD'), ALL), {
    kind: 'perpetual', id: 'XBTUSD.BITMEX', base: 'XBT', quote: 'USD', settlement: 'XBT', isInverse: true,
    priceIncrement: '0.1', sizeIncrement: '1', multiplier: '1', lotSize: '100', minQuantity: '100', maxQuantity: '10000000',
    minNotional: null, maxNotional: null, minPrice: null, maxPrice: '1000000.0', marginInit: '0.01', marginMaint: '0.005', makerFee: '0.0005', takerFee: '0.0005',
    activationNs: undefined, expirationNs: undefined,
  });
});

test('Deribit get_instruments: amounts in USD (multiplier 1, step = min_trade_amount, printed as NautilusTrader’s decimal: 10 not 10.0); options and combos skipped with the reason', () => {
  const l = readList(join(FIX, 'deribit-instruments.json'));
  assert.deepEqual([l.format, l.markets], ['Deribit get_instruments', ['deribit']]);
  assert.deepEqual(fields(bySymbol(l, 'BTC-PERPETUAL'), ['kind', 'id', 'base', 'quote', 'settlement', 'isInverse', 'priceIncrement', 'sizeIncrement', 'multiplier', 'lotSize', 'minQuantity', 'makerFee', 'takerFee']), {
    kind: 'perpetual', id: 'BTC-PERPETUAL.DERIBIT', base: 'BTC', quote: 'USD', settlement: 'BTC', isInverse: true,
    priceIncrement: '0.5', sizeIncrement: '10', multiplier: '1', lotSize: '10', minQuantity: '10', makerFee: '0', takerFee: '0.0005',
  });
  const fut = bySymbol(l, 'BTC-27DEC24');
  assert.deepEqual([fut.kind, fut.expirationNs], ['future', 1735300800000n * 1_000_000n]);
  assert.deepEqual(l.skipped.map((s) => s.symbol), ['BTC-27DEC24-100000-C', 'BTC-COMBO-1']);
  assert.match(l.skipped[0]!.why, /kind "option" is not read/);
});

test('every definition read from every list fixture makes a NautilusTrader instrument (definitionProblems empty, resolveInstrument accepts it)', () => {
  const files = ['binance-spot-exchange-info.json', 'binance-coinm-exchange-info.json', 'bybit-linear.json', 'bybit-inverse.json', 'bybit-spot.json', 'okx-swap.json', 'okx-futures.json', 'okx-spot.json', 'bitmex-instrument.json', 'deribit-instruments.json'];
  let n = 0;
  for (const f of [...files.map((x) => join(FIX, x)), join(ROOT, 'resources', 'binance-futures-exchange-info.json')]) {
    const l = readList(f);
    for (const d of l.defs) {
      assert.deepEqual(definitionProblems(d), [], `${f} ${d.rawSymbol}`);
      const market = l.markets.find((m) => resolveInstrument({ market: m, symbol: d.rawSymbol, found: d }).id === d.id);
      assert.ok(market, `${d.id} resolves on one of ${l.markets.join(', ')}`);
      n++;
    }
  }
  assert.ok(n >= 30);
});

test('a file of no known shape: the error names the file and the formats read', () => {
  assert.throws(() => definitionsFromList({ foo: [1, 2] }, '/tmp/mystery.json'), (e: Error) => e.message.startsWith('/tmp/mystery.json is not an instrument list') && /Binance exchangeInfo.*Bybit.*OKX.*BitMEX.*Deribit/.test(e.message));
  assert.throws(() => definitionsFromList({ symbols: [] }, 'empty.json'), /empty\.json is not an instrument list/);
});

test('numbers are read as the text the venue wrote (never a float): exponents, negatives, trailing zeros; strings and escapes untouched', () => {
  assert.deepEqual(parseJsonKeepingNumbers('{"a":0.10,"b":-1e-8,"c":[100000000,2.50E+3],"d":"x\\"1.5","e":true,"f":null}'), { a: '0.10', b: '-1e-8', c: ['100000000', '2.50E+3'], d: 'x"1.5', e: true, f: null });
  assert.equal(parseJsonKeepingNumbers('0.30000000000000004'), '0.30000000000000004');
});

test('a value at a precision as NautilusTrader prints Quantity/Price (half away from zero) and Money at the currency’s precision', () => {
  assert.equal(atPrecision('1000', 3), '1000.000');
  assert.equal(atPrecision('0.12345', 4), '0.1235');
  assert.equal(atPrecision('92141578.00000000', 5), '92141578.00000');
  assert.equal(money('5', 'USDT'), '5.00000000 USDT');
  assert.equal(money('10', 'USD'), '10.00 USD');
  assert.equal(money('1', 'XRP'), '1.000000 XRP');
  assert.equal(money('100', 'JPY'), '100 JPY');
  // Contract values (OKX ctMult × ctVal, BitMEX lot × contract): exact, no trailing zeros.
  assert.deepEqual([product('1', '0.01'), product('100', '1'), product('1000', '0.000001'), product('0.1', '10')], ['0.01', '100', '0.001', '1']);
});

test('a saved Tardis instruments API answer (an array of records): each record on its market, as in force at the given time; options skipped', () => {
  const text = `[${['perpetual', 'spot', 'future', 'option'].map((k) => readFileSync(join(FIX, `tardis-instrument-${k}.json`), 'utf8')).join(',')}]`;
  const at2020 = definitionsFromList(parseJsonKeepingNumbers(text), 'tardis.json', BigInt(Date.parse('2020-01-01')) * 1_000_000n);
  assert.deepEqual([at2020.format, at2020.markets], ['Tardis instruments API answer', ['bitmex', 'deribit']]);
  assert.deepEqual(at2020.defs.map((d) => [d.id, d.kind, d.priceIncrement, d.sizeIncrement]), [
    ['XBTUSD.BITMEX', 'perpetual', '0.5', '1'], ['BTC_USDC.DERIBIT', 'spot', '0.01', '0.0001'], ['BTC-14FEB25.DERIBIT', 'future', '2.5', '10'],
  ]);
  assert.deepEqual(at2020.skipped.map((s) => s.symbol), ['BTC-25APR25-200000-P']);
  assert.match(at2020.skipped[0]!.why, /type "option" is not built/);
  // Without a time: the record's current values.
  const now = readList(join(FIX, 'tardis-instrument-perpetual.json'));
  assert.deepEqual(now.defs.map((d) => [d.id, d.priceIncrement, d.sizeIncrement, d.source]), [['XBTUSD.BITMEX', '0.1', '100', `Tardis instruments ${join(FIX, 'tardis-instrument-perpetual.json')}`]]);
});
