// The bundled presets (resources/instruments.json): each makes a NautilusTrader instrument, each
// market says where its values came from, and those taken from a saved list equal what our list
// reader builds from it (so a preset and `--instruments` of the same answer give the same instrument).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { ROOT } from '../../helpers.js';
import { definitionProblems, type InstrumentDef } from '../../../engine/instruments/definition.js';
import { MARKETS, type MarketKey } from '../../../engine/instruments/markets.js';
import { presetDefinition, presetTable } from '../../../engine/instruments/presets.js';
import { resolveInstrument } from '../../../engine/instruments/resolve.js';
import { FIX, readList } from './fixtures.js';

test('every preset makes a NautilusTrader instrument: no definition problem, resolveInstrument builds it with the market’s id', () => {
  const table = presetTable();
  let n = 0;
  for (const m of MARKETS) {
    for (const sym of Object.keys(table[m] ?? {})) {
      const def = presetDefinition(m, sym)!;
      assert.deepEqual(definitionProblems(def), [], `${m} ${sym}`);
      const inst = resolveInstrument({ market: m, symbol: sym });
      assert.equal(inst.source, def.source);
      assert.equal(inst.id, def.id);
      n++;
    }
  }
  assert.ok(n >= 17, `${n} presets`);
  const raw = JSON.parse(readFileSync(join(ROOT, 'resources', 'instruments.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  for (const m of Object.keys(raw).filter((k) => !k.startsWith('_'))) {
    assert.ok((MARKETS as readonly string[]).includes(m), `${m} is a market`);
    assert.ok(typeof raw[m]!._source === 'string' && raw[m]!._source.length > 40, `${m} says where its values came from`);
  }
});

const FROM_LISTS: [MarketKey, string, string[]][] = [
  ['binance-usdm', join(ROOT, 'resources', 'binance-futures-exchange-info.json'), ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT']],
  ['binance-spot', join(FIX, 'binance-spot-exchange-info.json'), ['BTCUSDT', 'ETHUSDT']],
  ['binance-coinm', join(FIX, 'binance-coinm-exchange-info.json'), ['BTCUSD_PERP']],
  ['bybit-linear', join(FIX, 'bybit-linear.json'), ['BTCUSDT']],
  ['bybit-inverse', join(FIX, 'bybit-inverse.json'), ['BTCUSD']],
  ['okx-swap', join(FIX, 'okx-swap.json'), ['BTC-USDT-SWAP', 'BTC-USD-SWAP']],
  ['bitmex', join(FIX, 'bitmex-instrument.json'), ['XBTUSD']],
  ['deribit', join(FIX, 'deribit-instruments.json'), ['BTC-PERPETUAL']],
];

const comparable = ({ source: _s, info: _i, ...d }: InstrumentDef) => d;

for (const [market, file, symbols] of FROM_LISTS) {
  test(`${market} presets equal what the list reader builds from ${file.slice(ROOT.length + 1)}`, () => {
    const list = readList(file);
    for (const s of symbols) {
      const fromList = list.defs.find((d) => d.rawSymbol === s);
      assert.ok(fromList, `${s} in the list`);
      assert.deepEqual(comparable(presetDefinition(market, s)!), comparable(fromList), `${market} ${s}`);
    }
  });
}
