// Venues, markets and ids: every Tardis exchange the tool maps lands on the market NautilusTrader's
// adapter for the venue covers, and ids are spelled as those adapters spell them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expiryFromSymbol, guessKind, instrumentIdFor, marketOf, parseExchange, tardisMarket } from '../../../engine/instruments/markets.js';
import { MARKET, MARKETS } from '../../../shared/markets.js';

test('Tardis exchange ids map to the venues of NautilusTrader’s adapters (bybit holds linear and inverse)', () => {
  const cases: [string, string, string][] = [
    ['binance', 'BTCUSDT', 'binance-spot'], ['binance-futures', 'BTCUSDT', 'binance-usdm'], ['binance-delivery', 'BTCUSD_PERP', 'binance-coinm'],
    ['bybit', 'BTCUSDT', 'bybit-linear'], ['bybit', 'BTCUSD', 'bybit-inverse'], ['bybit-spot', 'BTCUSDT', 'bybit-spot'],
    ['okex-swap', 'BTC-USDT-SWAP', 'okx-swap'], ['okex-futures', 'BTC-USD-240329', 'okx-futures'], ['okex', 'BTC-USDT', 'okx-spot'],
    ['bitmex', 'XBTUSD', 'bitmex'], ['deribit', 'BTC-PERPETUAL', 'deribit'],
  ];
  for (const [ex, sym, want] of cases) assert.equal(tardisMarket(ex, sym), want, `${ex} ${sym}`);
  assert.equal(tardisMarket('huobi-dm-swap', 'BTC-USD'), null, 'a venue without a market here');
  for (const m of MARKETS) for (const t of MARKET[m].tardis) assert.ok(tardisMarket(t, 'X') !== null, t);
});

test('ids as the adapters name them, per market and kind', () => {
  const cases: [Parameters<typeof instrumentIdFor>, string][] = [
    [['binance-usdm', 'perpetual', 'btcusdt'], 'BTCUSDT-PERP.BINANCE'],
    [['binance-usdm', 'future', 'BTCUSDT_240329'], 'BTCUSDT_240329.BINANCE'],
    [['binance-coinm', 'perpetual', 'BTCUSD_PERP'], 'BTCUSD-PERP.BINANCE'],
    [['binance-coinm', 'future', 'BTCUSD_240329'], 'BTCUSD_240329.BINANCE'],
    [['binance-spot', 'spot', 'BTCUSDT'], 'BTCUSDT.BINANCE'],
    [['bybit-linear', 'perpetual', 'BTCUSDT'], 'BTCUSDT-LINEAR.BYBIT'],
    [['bybit-inverse', 'perpetual', 'BTCUSD'], 'BTCUSD-INVERSE.BYBIT'],
    [['bybit-spot', 'spot', 'BTCUSDT'], 'BTCUSDT-SPOT.BYBIT'],
    [['okx-swap', 'perpetual', 'BTC-USDT-SWAP'], 'BTC-USDT-SWAP.OKX'],
    [['okx-futures', 'future', 'BTC-USD-240329'], 'BTC-USD-240329.OKX'],
    [['bitmex', 'perpetual', 'XBTUSD'], 'XBTUSD.BITMEX'],
    [['deribit', 'perpetual', 'BTC-PERPETUAL'], 'BTC-PERPETUAL.DERIBIT'],
    [['other', 'perpetual', 'BTC-USD', 'huobi'], 'BTC-USD.HUOBI'],
  ];
  for (const [args, want] of cases) assert.equal(instrumentIdFor(...args), want, args.join(' '));
});

test('an exchange names a market, a Tardis id or a venue; a bare venue’s market follows the symbol', () => {
  const m = (ex: string, sym: string) => { const r = parseExchange(ex); return r && marketOf(r, sym); };
  assert.equal(m('BINANCE', 'BTCUSDT'), 'binance-usdm', 'BINANCE alone is USD-M, as before markets');
  assert.equal(m('binance', 'BTCUSD_PERP'), 'binance-coinm');
  assert.equal(m('BINANCE', 'BTCBUSD_210129'), 'binance-usdm', 'a BUSD-margined dated future is USD-M');
  assert.equal(m('binance-spot', 'BTCUSDT'), 'binance-spot');
  assert.equal(m('binance-futures', 'BTCUSDT'), 'binance-usdm');
  assert.equal(m('BYBIT', 'BTCUSD'), 'bybit-inverse');
  assert.equal(m('BYBIT', 'ETHUSDT'), 'bybit-linear');
  assert.equal(m('OKX', 'BTC-USD-SWAP'), 'okx-swap');
  assert.equal(m('okex', 'BTC-USDT'), 'okx-spot');
  assert.equal(m('bitmex', 'XBTUSD'), 'bitmex');
  assert.equal(m('HUOBI', 'BTC-USD'), 'other');
  assert.equal(parseExchange('no such!'), null);
});

test('kinds from symbol shapes, and expiries where the venue writes the date and settles at 08:00 UTC', () => {
  assert.equal(guessKind('binance-usdm', 'BTCUSDT_240329'), 'future');
  assert.equal(guessKind('binance-usdm', 'BTCUSDT'), 'perpetual');
  assert.equal(guessKind('deribit', 'BTC-29MAR24'), 'future');
  assert.equal(guessKind('bitmex', 'XBTZ24'), 'future');
  assert.equal(guessKind('bitmex', 'XBTUSD'), 'perpetual');
  assert.equal(expiryFromSymbol('binance-usdm', 'BTCUSDT_240329'), '2024-03-29T08:00:00.000Z');
  assert.equal(expiryFromSymbol('okx-futures', 'BTC-USD-240628'), '2024-06-28T08:00:00.000Z');
  assert.equal(expiryFromSymbol('deribit', 'BTC-29MAR24'), '2024-03-29T08:00:00.000Z');
  assert.equal(expiryFromSymbol('deribit', 'ETH-5JAN24'), '2024-01-05T08:00:00.000Z');
  assert.equal(expiryFromSymbol('binance-usdm', 'BTCUSDT_240230'), null, 'no such day');
  assert.equal(expiryFromSymbol('bitmex', 'XBTZ24'), null, 'month codes do not say the day');
});
