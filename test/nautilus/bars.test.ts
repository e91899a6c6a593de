// Bars judged by NautilusTrader 1.231 itself: catalogs built from Binance Vision klines (USD-M with
// header, spot without header in µs, markPriceKlines as MARK bars) and from a generic OHLCV CSV are
// loaded by its ParquetDataCatalog (nt_check.py) and compared value by value with the input parsed
// here (inputs.ts visionKlines, a small OHLCV parser below: no engine code); a BacktestNode sees
// every bar written; and NautilusTrader's own BarDataWrangler + write_data on the same bars loads
// to the same objects.
import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../shared/report.js';
import { ROOT, build, tempDir } from '../helpers.js';
import { needNautilus, ntLoad, runPython, type NtObject } from '../support/nautilus.js';
import { dec, roundHalfUp, visionKlines, type BarIn } from './inputs.js';

const NT_BARS = join(ROOT, 'test', 'nautilus', 'nt_bars.py');
const INSTRUMENT = 'BTCUSDT-PERP.BINANCE';
const KLINES_HEADER = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
const MIN_MS = 60_000;

interface Gen { text: string; /** indices (bar numbers from the start) written as a bad bar or twice */ bad: number[]; dup: number[] }

/**
 * Klines from `startMs`, `n` bars of `intervalMs`, in `unit`; bars in `gaps` left out, bars in `bad`
 * written with high below low, bars in `dup` written twice. Prices move by 0.1, volumes vary.
 */
function klines(o: { startMs: number; n: number; intervalMs: number; unit: 'ms' | 'us'; header: boolean; gaps?: number[]; bad?: number[]; dup?: number[]; mark?: boolean }): Gen {
  const k = o.unit === 'ms' ? 1 : 1000;
  const lines = o.header ? [KLINES_HEADER] : [];
  for (let i = 0; i < o.n; i++) {
    if (o.gaps?.includes(i)) continue;
    const open = (o.startMs + i * o.intervalMs) * k, close = open + o.intervalMs * k - 1;
    const p = 16500 + (i % 97) / 10;
    // Mark prices carry more decimals than the instrument (rounded half-up when written).
    const px = (v: number) => (o.mark ? `${v.toFixed(1)}${i % 3 === 0 ? '05' : '49'}` : v.toFixed(1));
    const [hi, lo] = o.bad?.includes(i) ? [p - 3, p + 3] : [p + 3, p - 3];
    const vol = o.mark ? '0' : `${(i % 13) * 1.25}`;
    const row = `${open},${px(p)},${px(hi)},${px(lo)},${px(p + 0.5)},${vol},${close},0,${i},0,0,0`;
    lines.push(row);
    if (o.dup?.includes(i)) lines.push(row);
  }
  return { text: lines.join('\n') + '\n', bad: o.bad ?? [], dup: o.dup ?? [] };
}

/** The bars a catalog over [startNs, endNs) must hold: bad ones out, repeated open times once, by ts_init. */
function wanted(bars: BarIn[], startNs: bigint, endNs: bigint): BarIn[] {
  const seen = new Set<bigint>();
  return bars.filter((b) => {
    const bad = Number(b.high) < Number(b.low);
    if (bad || seen.has(b.tsEvent) || b.tsInit < startNs || b.tsInit >= endNs) return false;
    seen.add(b.tsEvent);
    return true;
  });
}

/** A generic OHLCV CSV parsed on its own: ISO open time, then open, high, low, close, volume; bar closes an hour later. */
function hourlyOhlcv(text: string): BarIn[] {
  return text.split('\n').slice(1).filter(Boolean).map((l) => {
    const [t, open, high, low, close, volume] = l.split(',') as [string, string, string, string, string, string];
    const ts = BigInt(Date.parse(t)) * 1_000_000n + 3_600_000_000_000n;
    return { open, high, low, close, volume, tsEvent: ts, tsInit: ts };
  });
}

const ns = (day: string) => BigInt(Date.parse(`${day}T00:00:00Z`)) * 1_000_000n;

/** Each loaded bar equals its input bar: prices at precision 2 (rounded half-up for MARK), volume at 3. */
function assertBars(got: NtObject[], want: BarIn[], barType: string, mark = false): void {
  assert.equal(got.length, want.length, `${barType}: as many bars as the input holds`);
  got.forEach((g, i) => {
    const w = want[i]!;
    const px = (v: string) => (mark ? roundHalfUp(v, 2) : dec(v));
    const at = `${barType} bar ${i}`;
    assert.deepEqual(
      { bar_type: g.bar_type, open: dec(g.open as string), high: dec(g.high as string), low: dec(g.low as string), close: dec(g.close as string), volume: dec(g.volume as string), ts_event: g.ts_event, ts_init: g.ts_init },
      { bar_type: barType, open: px(w.open), high: px(w.high), low: px(w.low), close: px(w.close), volume: dec(w.volume), ts_event: String(w.tsEvent), ts_init: String(w.tsInit) }, at);
    assert.match(g.open as string, /^\d+\.\d{2}$/, `${at}: price precision 2`);
    assert.match(g.volume as string, /^\d+\.\d{3}$/, `${at}: size precision 3`);
  });
}

const noteOf = (r: RunReport, re: RegExp) => r.notes.find((n) => re.test(n));

test('bars from klines, markPriceKlines and a generic OHLCV CSV: NautilusTrader loads each bar as the input has it, a backtest sees them all, and its own wrangler writes the same', async (t) => {
  if (!needNautilus(t)) return;
  const dir = await tempDir(t);
  const d1 = Date.parse('2023-01-01T00:00:00Z');
  // (a) USD-M 1m klines with header, two days: bars 600-602 missing, bar 5 bad, bar 9 twice.
  const a = klines({ startMs: d1, n: 2880, intervalMs: MIN_MS, unit: 'ms', header: true, gaps: [600, 601, 602], bad: [5], dup: [9] });
  // (b) spot 5m klines without header, µs open times (Binance spot from 2025).
  const d2025 = Date.parse('2025-01-01T00:00:00Z');
  const b = klines({ startMs: d2025, n: 288, intervalMs: 5 * MIN_MS, unit: 'us', header: false });
  // (c) USD-M markPriceKlines: MARK bars, volumes 0, prices rounded to the instrument.
  const c = klines({ startMs: d1, n: 1440, intervalMs: MIN_MS, unit: 'ms', header: true, mark: true });
  // (d) a generic OHLCV CSV: hourly bars, odd column names, ISO times, mapped by the user.
  const dLines = ['Bar Start (UTC),Px First,Px Max,Px Min,Px Last,Base Qty'];
  for (let h = 0; h < 48; h++) {
    const p = 1000 + h;
    dLines.push(`${new Date(d1 + h * 3_600_000).toISOString()},${p}.5,${p + 2}.25,${p - 1}.75,${p + 1},${h % 5 === 0 ? '0' : `${h}.125`}`);
  }
  const dText = dLines.join('\n') + '\n';
  await writeFile(join(dir, 'BTCUSDT-1m-2023-01.csv'), a.text);
  await writeFile(join(dir, 'BTCUSDT-5m-2025-01-01.csv'), b.text);
  await writeFile(join(dir, 'BTCUSDT-markPriceKlines-1m-2023-01-01.csv'), c.text);
  await writeFile(join(dir, 'hourly.csv'), dText);

  const runs: [string, string, RunReport][] = [];
  const run = async (name: string, files: Record<string, unknown>, job: Parameters<typeof build>[2]) => {
    const sub = join(dir, name);
    await mkdir(sub);
    await cp(join(dir, (files.bars as { file_path: string }).file_path), join(sub, (files.bars as { file_path: string }).file_path));
    const report = await build(sub, files, job);
    assert.ok(report.ok, `${name}: ${report.errors.join('; ')}`);
    runs.push([name, join(sub, 'catalog'), report]);
    return report;
  };
  const ra = await run('a', { bars: { file_path: 'BTCUSDT-1m-2023-01.csv' } }, { start: '2023-01-01', end: '2023-01-03' });
  const rb = await run('b', { bars: { file_path: 'BTCUSDT-5m-2025-01-01.csv' } }, { start: '2025-01-01', end: '2025-01-02' });
  const rc = await run('c', { bars: { file_path: 'BTCUSDT-markPriceKlines-1m-2023-01-01.csv' } }, { start: '2023-01-01', end: '2023-01-02' });
  const rd = await run('d', { bars: { file_path: 'hourly.csv', columns: { timestamp: 'Bar Start (UTC)', open: 'Px First', high: 'Px Max', low: 'Px Min', close: 'Px Last', volume: 'Base Qty' } } },
    { start: '2023-01-01', end: '2023-01-02', barType: '1-HOUR-LAST' });

  // The run reports: the bad bar rejected with its reason, the duplicate counted, the gap reported, the bar type said.
  const total = (r: RunReport) => r.totals;
  assert.equal(total(ra).rejected, 1);
  assert.deepEqual(ra.days.flatMap((d) => Object.keys(d.rejected)), ['high: high is below low']);
  assert.equal(total(ra).duplicates, 1);
  // The gap (3 bars) and the rejected bar are missing; the first is the rejected one.
  assert.ok(noteOf(ra, /^bars: 2023-01-01: 4 of 1440 bars missing \(not filled\), the first opening at 2023-01-01T00:05:00/), ra.notes.join('\n'));
  assert.ok(!noteOf(ra, /^bars: 2023-01-02/), 'the second day is complete');
  assert.ok(noteOf(ra, /bar type BTCUSDT-PERP\.BINANCE-1-MINUTE-LAST-EXTERNAL \(detected/), ra.notes.join('\n'));
  assert.ok(noteOf(rb, /bar type BTCUSDT-PERP\.BINANCE-5-MINUTE-LAST-EXTERNAL \(detected/), rb.notes.join('\n'));
  assert.ok(noteOf(rc, /bar type BTCUSDT-PERP\.BINANCE-1-MINUTE-MARK-EXTERNAL \(detected/), rc.notes.join('\n'));
  assert.ok(noteOf(rd, /bar type BTCUSDT-PERP\.BINANCE-1-HOUR-LAST-EXTERNAL \(given by --bar-type\)/), rd.notes.join('\n'));
  assert.ok(rd.files[0]!.notes.some((n) => n.startsWith('bars: column "bar start (utc)" taken as the bar\'s open time')), rd.files[0]!.notes.join('\n'));

  const loaded = ntLoad(runs.map((r) => r[1]));
  const bars = (k: number) => loaded.get(runs[k]![1])!.Bar ?? [];
  const wa = wanted(visionKlines(a.text), ns('2023-01-01'), ns('2023-01-04'));
  assert.equal(wa.length, 2880 - 3 - 1);
  assertBars(bars(0), wa, `${INSTRUMENT}-1-MINUTE-LAST-EXTERNAL`);
  assertBars(bars(1), wanted(visionKlines(b.text), ns('2025-01-01'), ns('2025-01-03')), `${INSTRUMENT}-5-MINUTE-LAST-EXTERNAL`);
  assertBars(bars(2), wanted(visionKlines(c.text), ns('2023-01-01'), ns('2023-01-03')), `${INSTRUMENT}-1-MINUTE-MARK-EXTERNAL`, true);
  // The last hourly bar closes on 2023-01-03, after the job's last day: outside the range, as the report says.
  assertBars(bars(3), wanted(hourlyOhlcv(dText), ns('2023-01-01'), ns('2023-01-03')), `${INSTRUMENT}-1-HOUR-LAST-EXTERNAL`);
  assert.equal(total(rd).outOfRange, 1);
  for (const [k, r] of runs.entries()) assert.equal(total(r[2]).written, bars(k).length, `${r[0]}: the report counts what NautilusTrader loads`);

  // A BacktestNode subscribed to the bar type sees every bar written, in order. MARK bars need a venue
  // that does not match orders on bars: NautilusTrader's matching engine refuses them (README, compatibility).
  const backtest = (k: number, barType: string, ...flags: string[]) => JSON.parse(runPython([NT_BARS, 'backtest', runs[k]![1], barType, ...flags])) as { bars: number; ts_event: string[] };
  const cases = [[0, `${INSTRUMENT}-1-MINUTE-LAST-EXTERNAL`, []], [2, `${INSTRUMENT}-1-MINUTE-MARK-EXTERNAL`, ['--no-bar-execution']], [3, `${INSTRUMENT}-1-HOUR-LAST-EXTERNAL`, []]] as const;
  for (const [k, barType, flags] of cases) {
    const seen = backtest(k, barType, ...flags);
    assert.equal(seen.bars, bars(k).length, `${barType}: the strategy saw every bar`);
    assert.deepEqual(seen.ts_event, bars(k).map((x) => x.ts_event), `${barType}: in order`);
  }
  assert.equal(backtest(2, `${INSTRUMENT}-1-MINUTE-MARK-EXTERNAL`).bars, 0, 'with bar execution, NautilusTrader 1.231 stops at the first MARK bar (invalid PriceType 5)');

  // NautilusTrader's own BarDataWrangler + write_data on the same bars (with our instrument) loads to the same objects.
  const ref = join(dir, 'reference');
  await mkdir(join(ref, 'data'), { recursive: true });
  await cp(join(runs[0]![1], 'data', 'crypto_perpetual'), join(ref, 'data', 'crypto_perpetual'), { recursive: true });
  const jsonl = join(dir, 'bars-a.jsonl');
  await writeFile(jsonl, wa.map((x) => JSON.stringify({ open: x.open, high: x.high, low: x.low, close: x.close, volume: x.volume, ts_event: String(x.tsEvent) })).join('\n') + '\n');
  runPython([NT_BARS, 'wrangle', ref, `${INSTRUMENT}-1-MINUTE-LAST-EXTERNAL`, jsonl]);
  const theirs = ntLoad([ref]).get(ref)!.Bar!.map(({ catalog: _c, ...x }) => x);
  assert.deepEqual(bars(0).map(({ catalog: _c, ...x }) => x), theirs);
});
