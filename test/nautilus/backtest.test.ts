// A NautilusTrader BacktestNode over a multi-day catalog we built (test/nautilus/nt_backtest.py):
// one BacktestDataConfig per data type, the instrument from the catalog, a BINANCE margin account.
// The strategy sees every row we wrote of each type, in the written time span, and its market
// order fills at one of the catalog's trade prices.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { runBuild } from '../../engine/jobs/build.js';
import { ROOT, tempDir } from '../helpers.js';
import { needNautilus, runPython } from '../support/nautilus.js';
import { dec, tardisTrades } from './inputs.js';

const SAMPLE = join(ROOT, 'resources', 'sample');
/** "2024-01-01T00:00:22.057994000Z" -> ns as text. */
const isoNs = (iso: string) => String(BigInt(Date.parse(`${iso.slice(0, 19)}Z`)) * 1_000_000n + BigInt(iso.slice(20, 29)));

interface BacktestOut {
  trades: number; marks: number; fundings: number;
  fills: { price: string; qty: string; side: number }[];
  first_last_ts_init: Record<string, [string, string]>;
  positions: { realized_pnl: string; commissions: string[]; adjustments: string[] }[];
}

test('BacktestNode over the 3-day sample catalog: every trade, mark price and funding rate reaches the strategy, the market order fills at a catalog price', async (t) => {
  if (!needNautilus(t)) return;
  const dir = await tempDir(t, 'cb-nt-backtest-');
  const cfg = JSON.parse(await readFile(join(SAMPLE, 'csv_config.json'), 'utf8')) as { files: Record<string, unknown> };
  const output = join(dir, 'catalog');
  const report = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-03', output, dataTypes: ['trades', 'mark', 'funding'], config: cfg, configDir: SAMPLE });
  assert.equal(report.ok, true, report.errors.join('\n'));

  const out = JSON.parse(runPython([join(ROOT, 'test', 'nautilus', 'nt_backtest.py'), output, report.instrument.id])) as BacktestOut;
  const days = (type: string) => report.days.filter((d) => d.dataType === type && d.written > 0);
  const written = (type: string) => days(type).reduce((a, d) => a + d.written, 0);
  assert.equal(days('trades').length, 3, 'three days of trades');
  assert.deepEqual([out.trades, out.marks, out.fundings], [written('trades'), written('mark'), written('funding')]);
  assert.ok(out.trades > 0 && out.marks > 0 && out.fundings > 0);
  // From the first row of the first day to the last row of the last day.
  for (const [kind, type] of [['trades', 'trades'], ['marks', 'mark'], ['fundings', 'funding']] as const) {
    const d = days(type);
    assert.deepEqual(out.first_last_ts_init[kind], [isoNs(d[0]!.firstTsInit!), isoNs(d.at(-1)!.lastTsInit!)], kind);
  }

  assert.equal(out.fills.length, 1, 'one market order, one fill');
  const prices = new Set<string>();
  for (const day of [1, 2, 3]) {
    const csv = gunzipSync(await readFile(join(SAMPLE, `binance-futures_trades_2024-01-0${day}_BTCUSDT.csv.gz`))).toString('utf8');
    for (const e of tardisTrades(csv)) if (e.type === 'trades' && e.row) prices.add(dec(e.row.price));
  }
  assert.ok(prices.has(dec(out.fills[0]!.price)), `fill price ${out.fills[0]!.price} is a trade price of the catalog`);
  assert.equal(out.fills[0]!.side, 1);
  // NautilusTrader 1.231 hands funding rates to the strategy but its simulated exchange does not
  // settle funding: the position, held across eight 8-hour funding times (2024-01-01 08:00 to 2024-01-03 16:00), changes only by its commission.
  assert.equal(out.positions.length, 1);
  const [pos] = out.positions;
  assert.deepEqual(pos!.adjustments, []);
  assert.deepEqual([pos!.realized_pnl], pos!.commissions.map((c) => `-${c}`));
  const line = `NautilusTrader backtest: ${out.trades} trades, ${out.marks} mark prices, ${out.fundings} funding rates over 3 days; filled at ${out.fills[0]!.price}`;
  t.diagnostic(line);
  console.log(line);
});
