// engine/sources/bars: spec detection and naming (NautilusTrader's own step rules), the close-time
// rule, gaps per UTC day and exact OHLCV checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  GapTracker, barCloseFromCloseTime, barCloseNs, barTypeString, checkBar, detectBarSpec,
  intervalNs, parseBarSpec, parseBarType, specFromInterval, stepError,
} from '../../../engine/sources/bars/index.js';

const MIN = 60_000_000_000n, HOUR = 60n * MIN, DAY = 24n * HOUR;
const T0 = 1_704_067_200_000_000_000n; // 2024-01-01T00:00:00Z
const series = (n: number, step: bigint, from = T0) => Array.from({ length: n }, (_, i) => from + BigInt(i) * step);

test('specFromInterval writes the interval in the largest unit NautilusTrader accepts', () => {
  assert.deepEqual(specFromInterval(1_000_000_000n), { step: 1, aggregation: 'SECOND' });
  assert.deepEqual(specFromInterval(30_000_000_000n), { step: 30, aggregation: 'SECOND' });
  assert.deepEqual(specFromInterval(60_000_000_000n), { step: 1, aggregation: 'MINUTE' });
  assert.deepEqual(specFromInterval(5n * MIN), { step: 5, aggregation: 'MINUTE' });
  assert.deepEqual(specFromInterval(120n * MIN), { step: 2, aggregation: 'HOUR' });
  assert.deepEqual(specFromInterval(DAY), { step: 1, aggregation: 'DAY' });
  // No valid spelling: 90-MINUTE and 3-DAY are refused by NautilusTrader, 1.5 s is not whole.
  for (const ns of [90n * MIN, 3n * DAY, 7n * MIN, 1_500_000_000n, 0n]) assert.ok('error' in specFromInterval(ns), String(ns));
});

test('stepError follows NautilusTrader validate_step (checked against 1.231: SECOND/MINUTE divisors of 60, HOUR of 24, DAY only 1)', () => {
  const ok = (agg: 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY', max: number) => Array.from({ length: max }, (_, i) => i + 1).filter((s) => stepError(s, agg) === null);
  assert.deepEqual(ok('SECOND', 100), [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30]);
  assert.deepEqual(ok('MINUTE', 100), [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30]);
  assert.deepEqual(ok('HOUR', 100), [1, 2, 3, 4, 6, 8, 12]);
  assert.deepEqual(ok('DAY', 10), [1]);
});

test('detectBarSpec: steady spacing gives the spec; gaps are counted; inconsistent or unclear spacing is refused', () => {
  assert.deepEqual(detectBarSpec(series(10, MIN)), { spec: { step: 1, aggregation: 'MINUTE' }, intervalNs: MIN, gaps: 0 });
  assert.deepEqual(detectBarSpec(series(5, 5n * MIN)), { spec: { step: 5, aggregation: 'MINUTE' }, intervalNs: 5n * MIN, gaps: 0 });
  assert.deepEqual(detectBarSpec(series(3, HOUR)), { spec: { step: 1, aggregation: 'HOUR' }, intervalNs: HOUR, gaps: 0 });
  assert.deepEqual(detectBarSpec(series(4, DAY)), { spec: { step: 1, aggregation: 'DAY' }, intervalNs: DAY, gaps: 0 });
  const gappy = [...series(5, MIN), T0 + 10n * MIN, T0 + 11n * MIN];
  assert.deepEqual(detectBarSpec(gappy), { spec: { step: 1, aggregation: 'MINUTE' }, intervalNs: MIN, gaps: 1 });

  assert.ok('ambiguous' in detectBarSpec([T0]));
  assert.ok('ambiguous' in detectBarSpec([]));
  // Mostly wide spacings: one 1-minute spacing among 2-minute ones does not settle the interval.
  assert.ok('ambiguous' in detectBarSpec([T0, T0 + MIN, T0 + 3n * MIN, T0 + 5n * MIN, T0 + 7n * MIN]));
  const odd = detectBarSpec([T0, T0 + 2n * MIN, T0 + 5n * MIN, T0 + 7n * MIN]);
  assert.ok('error' in odd && /inconsistent spacing/.test(odd.error), JSON.stringify(odd, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  assert.ok('error' in detectBarSpec([T0, T0 + MIN, T0 + MIN]), 'a repeated open time');
  assert.ok('error' in detectBarSpec([T0 + MIN, T0]), 'decreasing');
  assert.ok('error' in detectBarSpec(series(4, 90n * MIN)), '90 minutes has no spec');
  assert.ok('error' in detectBarSpec(series(4, MIN, T0 + 1_000_000n)), 'off the minute grid');
});

test('parseBarSpec reads --bar-type text and refuses what NautilusTrader refuses', () => {
  assert.deepEqual(parseBarSpec('1-MINUTE-LAST'), { step: 1, aggregation: 'MINUTE', priceType: 'LAST' });
  assert.deepEqual(parseBarSpec(' 5-minute-mark '), { step: 5, aggregation: 'MINUTE', priceType: 'MARK' });
  assert.deepEqual(parseBarSpec('1-HOUR-BID-EXTERNAL'), { step: 1, aggregation: 'HOUR', priceType: 'BID' });
  assert.deepEqual(parseBarSpec('01-DAY-MID'), { step: 1, aggregation: 'DAY', priceType: 'MID' });
  for (const bad of ['1-MINUTE', '60-SECOND-LAST', '90-MINUTE-LAST', '2-DAY-LAST', '1-MINUTE-INDEX', '1-WEEK-LAST', 'x-MINUTE-LAST', '1-MINUTE-LAST-INTERNAL', '0-MINUTE-LAST', '']) {
    assert.ok('error' in parseBarSpec(bad), bad);
  }
  assert.match((parseBarSpec('1-MINUTE-INDEX') as { error: string }).error, /no INDEX price type/);
});

test('barTypeString is the bar_type metadata and folder name', () => {
  const spec = parseBarSpec('1-MINUTE-LAST');
  assert.ok(!('error' in spec));
  assert.equal(barTypeString('BTCUSDT-PERP.BINANCE', spec), 'BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL');
  assert.equal(barTypeString('ADABTC.BINANCE', spec), 'ADABTC.BINANCE-1-MINUTE-LAST-EXTERNAL'); // the golden bars' bar_type
  assert.equal(intervalNs(spec), MIN);
  assert.deepEqual(parseBarType('BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL'), { instrumentId: 'BTCUSDT-PERP.BINANCE', spec });
  assert.deepEqual(parseBarType(barTypeString('ETH-USD-SWAP.OKX', { ...spec, priceType: 'MARK' })), { instrumentId: 'ETH-USD-SWAP.OKX', spec: { ...spec, priceType: 'MARK' } });
  for (const bad of ['1-MINUTE-LAST-EXTERNAL', 'BTCUSDT-1-MINUTE-LAST-EXTERNAL', 'BTCUSDT.BINANCE-60-SECOND-LAST-EXTERNAL', 'BTCUSDT.BINANCE-1-MINUTE-LAST-INTERNAL']) {
    assert.ok('error' in parseBarType(bad), bad);
  }
});

test('barCloseNs: ts_event = open + interval; a Binance close_time must be open + interval - 1 unit', () => {
  assert.equal(barCloseNs(T0, MIN), T0 + MIN);
  // USD-M 1m kline: open 1704067200000, close 1704067259999 (ms).
  assert.equal(barCloseNs(1_704_067_200_000n * 1_000_000n, MIN, 1_704_067_259_999n * 1_000_000n, 1_000_000n), T0 + MIN);
  // Spot 1d kline in µs (real row of BTCUSDT-1d-2026-06): close 1780358399999999.
  assert.equal(barCloseNs(1_780_272_000_000_000n * 1000n, DAY, 1_780_358_399_999_999n * 1000n, 1000n), 1_780_358_400_000_000_000n);
  const wrong = barCloseNs(T0, MIN, T0 + MIN, 1_000_000n);
  assert.ok(typeof wrong === 'object' && /close time/.test(wrong.error));
  // From a close column alone: Binance's inclusive close moves to the boundary; a boundary close stays.
  assert.equal(barCloseFromCloseTime(T0 + MIN - 1_000_000n, MIN), T0 + MIN);
  assert.equal(barCloseFromCloseTime(T0 + HOUR - 1000n, HOUR, 1000n), T0 + HOUR);
  assert.equal(barCloseFromCloseTime(T0 + MIN, MIN), T0 + MIN);
  assert.ok(typeof barCloseFromCloseTime(T0 + 30_000_000_000n, MIN) === 'object');
  // A µs close time read as if the file were ms is off by 999 µs: refused.
  assert.ok(typeof barCloseNs(T0, MIN, T0 + MIN - 1000n, 1_000_000n) === 'object');
});

test('GapTracker: per UTC day, how many bars are missing and the first missing one', () => {
  const g = new GapTracker(HOUR);
  // Day 1: hours 0-23 except 5 and 6; day 2: hours 0-9 only; day 3 absent; day 4 complete.
  for (let h = 0n; h < 24n; h++) if (h !== 5n && h !== 6n) assert.equal(g.add(T0 + h * HOUR), null);
  for (let h = 0n; h < 10n; h++) g.add(T0 + DAY + h * HOUR);
  g.add(T0 + DAY + 9n * HOUR); // duplicate
  g.add(T0 + DAY + 2n * HOUR); // out of order
  for (let h = 0n; h < 24n; h++) g.add(T0 + 3n * DAY + h * HOUR);
  assert.match(g.add(T0 + 4n * DAY + 1n) ?? '', /not on the 1 hour\(s\) grid/);
  assert.equal(g.duplicates, 1);
  assert.equal(g.outOfOrder, 1);
  assert.deepEqual(g.days(), [
    { day: '2024-01-01', expected: 24, present: 22, missing: 2, firstMissingNs: T0 + 5n * HOUR },
    { day: '2024-01-02', expected: 24, present: 10, missing: 14, firstMissingNs: T0 + DAY + 10n * HOUR },
    { day: '2024-01-03', expected: 24, present: 0, missing: 24, firstMissingNs: T0 + 2n * DAY },
    { day: '2024-01-04', expected: 24, present: 24, missing: 0, firstMissingNs: null },
  ]);
  // A range wider than the data: the days before the first bar and after the last one hold no gaps.
  const ranged = g.days({ first: '2023-12-31', last: '2024-01-09' });
  assert.deepEqual(ranged.map((d) => [d.day, d.missing]), [['2024-01-01', 2], ['2024-01-02', 14], ['2024-01-03', 24], ['2024-01-04', 0]]);
  assert.deepEqual(g.days({ first: '2024-01-02', last: '2024-01-02' }).map((d) => [d.day, d.missing]), [['2024-01-02', 14]]);
  // Data that starts and ends inside a day (an hour's file): counted from its first bar to its last.
  const hour = new GapTracker(MIN);
  for (let m = 3n; m < 63n; m++) if (m !== 10n) hour.add(T0 + m * MIN);
  assert.deepEqual(hour.days(), [{ day: '2024-01-01', expected: 60, present: 59, missing: 1, firstMissingNs: T0 + 10n * MIN }]);
  assert.equal(hour.first, T0 + 3n * MIN);
  assert.equal(hour.lastOpen, T0 + 62n * MIN);
  assert.throws(() => new GapTracker(7n * MIN), /does not divide a day/);
});

test('checkBar compares the decimal text exactly', () => {
  const bar = { open: '0.00285300', high: '0.00285400', low: '0.00285100', close: '0.00285400', volume: '3630420.00000000' };
  assert.equal(checkBar(bar), null); // first golden bar
  assert.equal(checkBar({ open: '1', high: '1', low: '1', close: '1', volume: '0' }), null);
  assert.equal(checkBar({ open: '-0.5', high: '0', low: '-1', close: '-0.25', volume: '0' }), null, 'negative prices are valid (premium index)');
  assert.match(checkBar({ ...bar, high: '0.002852' }) ?? '', /high 0.002852 is below open/);
  assert.match(checkBar({ ...bar, low: '0.0028531' }) ?? '', /low 0.0028531 is above open/);
  assert.match(checkBar({ open: '10', high: '9', low: '12', close: '11', volume: '1' }) ?? '', /high 9 is below low 12/);
  assert.match(checkBar({ open: '10', high: '12', low: '9', close: '12.000000000000000001', volume: '1' }) ?? '', /below close/, 'a difference floats would lose');
  assert.match(checkBar({ open: '10', high: '12', low: '9', close: '8.99999999999999999', volume: '1' }) ?? '', /above close/);
  assert.match(checkBar({ ...bar, volume: '-0.1' }) ?? '', /volume -0.1 is negative/);
  assert.equal(checkBar({ ...bar, volume: '-0' }), null);
  assert.match(checkBar({ ...bar, close: '' }) ?? '', /close is empty/);
  assert.match(checkBar({ ...bar, open: 'NaN' }) ?? '', /open "NaN" is not a number/);
});

