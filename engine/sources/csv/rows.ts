// One CSV row's fields handed to the normaliser, per data type: the columns the plan chose, read
// the way each type needs (side text or maker flag, empty cells as "no value", interval units).
// Timestamps and the row's shape were checked by mapLines before.
import type { DataType } from '../../../shared/job.js';
import { SIDE_NONE, parseSide, type Normalizer } from '../../normalize/normalizer.js';
import type { TsColumn } from '../timestamp.js';
import { barCloseFromCloseTime, barCloseNs } from '../bars/detect.js';
import { cellUnitNs } from './barspec.js';
import type { Plan } from './plan.js';

type RowMapper = (line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint, nextCol: TsColumn) => void;

function tradeRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint): void {
  const c = plan.cols;
  let side = SIDE_NONE;
  if (c.aggressor_side !== undefined) {
    side = parseSide(f[c.aggressor_side]!, plan.sideMode);
    if (side < 0) {
      norm.rejectUnplaced(line, 'aggressor_side', plan.sideMode === 'maker' ? 'expected true or false (buyer is maker)' : 'expected buy or sell', f[c.aggressor_side]!, tsInit);
      return;
    }
  }
  const id = c.trade_id !== undefined ? f[c.trade_id]!.trim() : '';
  norm.trade(line, tsEvent, tsInit, f[c.price!]!, f[c.size!]!, side, id === '' ? null : id);
}

function markRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint): void {
  const v = f[plan.cols.mark_price!]!;
  if (v.trim() === '' && plan.emptyIsSkip) return norm.skip(tsInit);
  norm.mark(line, tsEvent, tsInit, v, plan.dedupeChanges);
}

function fundingRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint, nextCol: TsColumn): void {
  const c = plan.cols;
  const rate = f[c.funding_rate!]!;
  if (rate.trim() === '' && plan.emptyIsSkip) return norm.skip(tsInit);
  let interval: bigint | null = null;
  if (c.funding_interval !== undefined && f[c.funding_interval]!.trim() !== '') {
    const t = f[c.funding_interval]!.trim();
    if (!/^\d+$/.test(t) || Number(t) === 0) return norm.rejectUnplaced(line, 'funding_interval', 'expected a positive whole number', t, tsInit);
    interval = BigInt(t) * (plan.intervalUnit === 'hours' ? 60n : 1n);
  }
  let nextNs: bigint | null = null;
  if (plan.nextFromInterval && interval !== null) nextNs = tsEvent + interval * 60_000_000_000n;
  const nextText = c.next_funding_time !== undefined ? f[c.next_funding_time]!.trim() : '';
  // An empty or 0 next funding time means none (a delivery contract, or not given).
  if (nextText !== '' && nextText !== '0') {
    const t = nextCol.parse(f[c.next_funding_time!]!);
    if (typeof t === 'string') return norm.rejectUnplaced(line, 'next_funding_time', t, f[c.next_funding_time!]!, tsInit);
    nextNs = t;
  }
  norm.funding(line, tsEvent, tsInit, rate, interval, nextNs, plan.dedupeChanges);
}

function quoteRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint): void {
  const c = plan.cols;
  norm.quote(line, tsEvent, tsInit, { bidPrice: f[c.bid_price!]!, bidSize: f[c.bid_size!]!, askPrice: f[c.ask_price!]!, askSize: f[c.ask_size!]! });
}

/** A bar: `tsEvent` is the timestamp column's time, the bar's open or its close (plan.barTime). */
function barRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint): void {
  const c = plan.cols;
  const interval = norm.o.bar!.intervalNs;
  let openNs = tsEvent, close: bigint | { error: string };
  if (plan.barTime === 'close') {
    close = barCloseFromCloseTime(tsEvent, interval, cellUnitNs(f[c.timestamp!]!));
    if (typeof close === 'bigint') openNs = close - interval;
  } else if (plan.closeTimeCol !== undefined) {
    // Binance: close_time must be open + interval - 1 unit, in the open time's unit.
    const text = (f[plan.closeTimeCol] ?? '').trim();
    const unitNs = cellUnitNs(f[c.timestamp!]!);
    close = /^\d+$/.test(text) ? barCloseNs(tsEvent, interval, BigInt(text) * unitNs, unitNs) : { error: `close_time "${text}" is not a Unix time` };
  } else {
    close = barCloseNs(tsEvent, interval);
  }
  if (typeof close !== 'bigint') return norm.rejectUnplaced(line, plan.barTime === 'close' ? 'timestamp' : 'close_time', close.error, f[plan.closeTimeCol ?? c.timestamp!]!, tsEvent);
  norm.bar(line, openNs, close, { open: f[c.open!]!, high: f[c.high!]!, low: f[c.low!]!, close: f[c.close!]!, volume: f[c.volume!]! });
}

export const ROW_MAPPERS: Record<DataType, RowMapper> = { trades: tradeRow, mark: markRow, funding: fundingRow, quotes: quoteRow, bars: barRow };
