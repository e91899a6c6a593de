// One CSV row's fields handed to the normaliser, per data type: the columns the plan chose, read
// the way each type needs (side text or maker flag, empty cells as "no value", interval units).
// Timestamps and the row's shape were checked by mapLines before.
import type { DataType, MappingField } from '../../../shared/job.js';
import { THOUSANDS_REASON, commaDecimal, sideReason } from './locale.js';
import { SIDE_NONE, parseSide, type Normalizer } from '../../normalize/normalizer.js';
import type { TsColumn } from '../timestamp.js';
import { barCloseFromCloseTime, barCloseNs } from '../bars/detect.js';
import { cellUnitNs } from './barspec.js';
import type { Plan } from './plan.js';
import { BOOK_BUY, BOOK_SELL } from '../../datatypes/index.js';
import { depthSync, type DepthIds } from '../binance/depth.js';

type RowMapper = (line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint, nextCol: TsColumn) => void;

/**
 * The number cells of `fields` as "."-decimal text: unchanged in a "." file; in a decimal-comma file
 * "42000,5" becomes "42000.5", and a cell holding a "." (a thousands separator?) rejects the row.
 */
function numbers<K extends string>(line: number, f: string[], plan: Plan, norm: Normalizer, tsInit: bigint, fields: Record<K, MappingField>): Record<K, string> | null {
  const out = {} as Record<K, string>;
  for (const [k, field] of Object.entries(fields) as [K, MappingField][]) {
    const text = f[plan.cols[field]!]!;
    if (plan.decimal === '.') {
      out[k] = text;
      continue;
    }
    const v = commaDecimal(text);
    if (v === null) return norm.rejectUnplaced(line, field, THOUSANDS_REASON, text, tsInit), null;
    out[k] = v;
  }
  return out;
}

function tradeRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint): void {
  const c = plan.cols;
  let side = SIDE_NONE;
  if (c.aggressor_side !== undefined) {
    side = parseSide(f[c.aggressor_side]!, plan.sideMode, plan.sides);
    if (side < 0) {
      norm.rejectUnplaced(line, 'aggressor_side', sideReason(f[c.aggressor_side]!, plan.sideMode, plan.namedSides), f[c.aggressor_side]!, tsInit);
      return;
    }
  }
  const n = numbers(line, f, plan, norm, tsInit, { price: 'price', size: 'size' });
  if (!n) return;
  const id = c.trade_id !== undefined ? f[c.trade_id]!.trim() : '';
  norm.trade(line, tsEvent, tsInit, n.price, n.size, side, id === '' ? null : id);
}

function markRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint): void {
  const v = f[plan.cols.mark_price!]!;
  if (v.trim() === '' && plan.emptyIsSkip) return norm.skip(tsInit);
  const n = numbers(line, f, plan, norm, tsInit, { v: 'mark_price' });
  if (n) norm.mark(line, tsEvent, tsInit, n.v, plan.dedupeChanges);
}

function fundingRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint, nextCol: TsColumn): void {
  const c = plan.cols;
  const rateCell = f[c.funding_rate!]!;
  if (rateCell.trim() === '' && plan.emptyIsSkip) return norm.skip(tsInit);
  const n = numbers(line, f, plan, norm, tsInit, { rate: 'funding_rate' });
  if (!n) return;
  const rate = n.rate;
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
  const n = numbers(line, f, plan, norm, tsInit, { bidPrice: 'bid_price', bidSize: 'bid_size', askPrice: 'ask_price', askSize: 'ask_size' });
  if (n) norm.quote(line, tsEvent, tsInit, n);
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
  const n = numbers(line, f, plan, norm, close, { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' });
  if (n) norm.bar(line, openNs, close, n);
}

/** Book side words: Tardis bid / ask, Binance b / a, and buy / sell. */
const BOOK_SIDES: Record<string, number> = { bid: BOOK_BUY, b: BOOK_BUY, buy: BOOK_BUY, bids: BOOK_BUY, ask: BOOK_SELL, a: BOOK_SELL, sell: BOOK_SELL, asks: BOOK_SELL };
const SNAPSHOT_WORDS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, t: true, f: false, snap: true, snapshot: true, set: false, update: false };

/** One order-book level change: a Tardis incremental_book_L2 row (or a file mapped onto its fields). */
function deltaRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint): void {
  const c = plan.cols;
  const sideText = f[c.book_side!]!;
  const side = BOOK_SIDES[sideText.trim().toLowerCase()];
  if (side === undefined) return norm.rejectUnplaced(line, 'side', 'expected bid or ask', sideText, tsInit);
  let isSnapshot = false;
  if (c.is_snapshot !== undefined) {
    const v = SNAPSHOT_WORDS[f[c.is_snapshot]!.trim().toLowerCase()];
    if (v === undefined) return norm.rejectUnplaced(line, 'is_snapshot', 'expected true or false', f[c.is_snapshot]!, tsInit);
    isSnapshot = v;
  }
  const n = numbers(line, f, plan, norm, tsInit, { price: 'price', size: 'size' });
  if (!n) return;
  if (!plan.updateIds) return norm.delta(line, tsEvent, tsInit, isSnapshot, side, n.price, n.size);
  const ids = updateIds(line, f, plan.updateIds, isSnapshot, norm, tsInit);
  if (ids) depthSync(norm).csvRow(line, tsEvent, tsInit, isSnapshot, ids, { side, price: n.price, size: n.size });
}

/** A T_DEPTH row's update ids (pu is -1 in snapshot rows), or null when one is not a whole number (rejected). */
function updateIds(line: number, f: string[], at: NonNullable<Plan['updateIds']>, isSnapshot: boolean, norm: Normalizer, tsInit: bigint): DepthIds | null {
  const out: bigint[] = [];
  for (const [name, k] of [['first_update_id', at.first], ['last_update_id', at.last], ['pu', at.prev]] as const) {
    const t = f[k]!.trim();
    if (/^\d{1,20}$/.test(t) || (name === 'pu' && isSnapshot && t === '-1')) out.push(BigInt(t));
    else return norm.rejectUnplaced(line, name, 'expected a whole number (an update id)', t, tsInit), null;
  }
  return { first: out[0]!, last: out[1]!, prev: out[2]! };
}

/** A Tardis book_snapshot_N row: levels 0..9 of each side by their column names (asks[i].price, …). */
function depthRow(line: number, f: string[], plan: Plan, norm: Normalizer, tsEvent: bigint, tsInit: bigint): void {
  const at = plan.levelCols;
  if (!at) throw new Error('depth10 needs a Tardis book_snapshot_N file (its asks[i] and bids[i] columns)');
  const side = (cols: [number, number][]) => cols.map(([p, a]): [string, string] => [f[p] ?? '', f[a] ?? '']);
  norm.depth(line, tsEvent, tsInit, side(at.bids), side(at.asks));
}

export const ROW_MAPPERS: Record<DataType, RowMapper> = { trades: tradeRow, mark: markRow, funding: fundingRow, quotes: quoteRow, bars: barRow, deltas: deltaRow, depth10: depthRow };
