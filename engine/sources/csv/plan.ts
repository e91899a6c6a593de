// Which column feeds which Nautilus field: fixed for known formats, from the user's mapping or
// from header aliases for any other CSV.
import { FIELDS_FOR, REQUIRED_FIELDS, type DataType, type MappingField, type SideName } from '../../../shared/job.js';
import { sideTable } from './locale.js';
import type { TsUnit } from '../timestamp.js';
import type { Detected } from './detect.js';
import { clip } from '../io/lines.js';
import { dataTypeOf } from '../../datatypes/index.js';
import { HINTS } from '../../../shared/text.js';
import { wordFits, wordsOf } from '../../../shared/columns.js';

export interface Plan {
  format: string;
  label: string;
  /** column index per target field */
  cols: Partial<Record<MappingField, number>>;
  /** how aggressor_side is read: side text (buy/sell) or a buyer-is-maker flag */
  sideMode: 'text' | 'maker';
  /** unit of funding_interval values */
  intervalUnit: 'min' | 'hours';
  /** Vision fundingRate: next funding = calc_time + interval (spec §2.4, inferred) */
  nextFromInterval: boolean;
  /** drop rows whose value repeats the previous one (Tardis derivative_ticker, spec §3.4) */
  dedupeChanges: boolean;
  /** rows without a value for this type are skipped, not rejected (Tardis derivative_ticker) */
  emptyIsSkip: boolean;
  tsUnit?: TsUnit;
  /** ts_init column unit when it differs from the timestamp's (none here, but kept explicit) */
  notes: string[];
  /** how sure the automatic mapping is, per field (1 = exact known format) */
  confidence: Partial<Record<MappingField, number>>;
  /** bars: whether the timestamp column holds the bar's open or its close time */
  barTime?: 'open' | 'close';
  /** bars: a Binance close_time column (open + interval - 1 unit), checked against the open time */
  closeTimeCol?: number;
  /** the file's decimal separator (config `decimal`) */
  decimal: '.' | ',';
  /** the file's side values (config `side_values`), keys trimmed and lower case; null: none */
  sides: Map<string, number> | null;
  /** unknown side values the file's rejects have named so far (locale.ts sideReason) */
  namedSides: Set<string>;
  /** depth10: the [price, amount] columns of levels 0..9 of each side (a Tardis book_snapshot_N) */
  levelCols?: { bids: [number, number][]; asks: [number, number][] };
  /** deltas: a Binance T_DEPTH file's first_update_id, last_update_id and pu columns (synced by binance/depth.ts) */
  updateIds?: { first: number; last: number; prev: number };
}

/** The file options a plan carries (the rest are the reader's: delimiter, header, timestamps). */
export interface PlanOptions {
  decimal?: '.' | ',';
  sideValues?: Record<string, SideName>;
}

/** Known formats: field -> header name. */
const KNOWN: Record<string, Partial<Record<DataType, Partial<Record<MappingField, string>>>>> = {
  'tardis.trades': { trades: { timestamp: 'timestamp', local_timestamp: 'local_timestamp', price: 'price', size: 'amount', aggressor_side: 'side', trade_id: 'id' } },
  'tardis.derivative_ticker': {
    mark: { timestamp: 'timestamp', local_timestamp: 'local_timestamp', mark_price: 'mark_price' },
    funding: { timestamp: 'timestamp', local_timestamp: 'local_timestamp', funding_rate: 'funding_rate', next_funding_time: 'funding_timestamp' },
  },
  'vision.aggTrades': { trades: { timestamp: 'transact_time', price: 'price', size: 'quantity', aggressor_side: 'is_buyer_maker', trade_id: 'agg_trade_id' } },
  'vision.trades': { trades: { timestamp: 'time', price: 'price', size: 'qty', aggressor_side: 'is_buyer_maker', trade_id: 'id' } },
  'vision.markPriceKlines': { mark: { timestamp: 'close_time', mark_price: 'close' }, bars: { timestamp: 'open_time', open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' } },
  'vision.klines': { bars: { timestamp: 'open_time', open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' } },
  'vision.fundingRate': { funding: { timestamp: 'calc_time', funding_rate: 'last_funding_rate', funding_interval: 'funding_interval_hours' } },
  // Note the order of a Tardis quotes row: ask amount, ask price, bid price, bid amount.
  'tardis.quotes': { quotes: { timestamp: 'timestamp', local_timestamp: 'local_timestamp', bid_price: 'bid_price', bid_size: 'bid_amount', ask_price: 'ask_price', ask_size: 'ask_amount' } },
  // book_snapshot_N: the top of book is level 0.
  'tardis.book_snapshot': {
    quotes: { timestamp: 'timestamp', local_timestamp: 'local_timestamp', bid_price: 'bids[0].price', bid_size: 'bids[0].amount', ask_price: 'asks[0].price', ask_size: 'asks[0].amount' },
    // the levels themselves are read by name (levelColumns)
    depth10: { timestamp: 'timestamp', local_timestamp: 'local_timestamp' },
  },
  // Order books: each row one level's new amount (0 deletes it); snapshot rows are flagged.
  'tardis.incremental_book_L2': { deltas: { timestamp: 'timestamp', local_timestamp: 'local_timestamp', is_snapshot: 'is_snapshot', book_side: 'side', price: 'price', size: 'amount' } },
  // Binance T_DEPTH: update_type snap / set; the update ids are read by name (tdepthColumns)
  'binance.tdepth': { deltas: { timestamp: 'timestamp', is_snapshot: 'update_type', book_side: 'side', price: 'price', size: 'qty' } },
  'vision.bookTicker': { quotes: { timestamp: 'transaction_time', bid_price: 'best_bid_price', bid_size: 'best_bid_qty', ask_price: 'best_ask_price', ask_size: 'best_ask_qty' } },
};

/** Known formats that feed nothing, with the reason (said when a job asks for them). */
export const NOT_FED: Record<string, string> = {
  'vision.indexPriceKlines': 'index prices are not prices of the instrument, and NautilusTrader has no INDEX price type for bars (BarType refuses it)',
  'vision.premiumIndexKlines': 'a premium index is not a price of the instrument (it can be negative), and NautilusTrader has no bar price type for it',
};

/** Data types each known format can feed. */
export const KNOWN_FEEDS: Record<string, DataType[]> = Object.fromEntries(Object.entries(KNOWN).map(([f, m]) => [f, Object.keys(m) as DataType[]]));

/** Header aliases for auto-mapping, best first. Compared after lower-casing and removing non-alphanumerics. */
export const ALIASES: Record<MappingField, string[]> = {
  timestamp: ['timestamp', 'time', 'transacttime', 'tsevent', 'datetime', 'date', 'tradetime', 'ts', 'eventtime', 'closetime', 'calctime', 't'],
  local_timestamp: ['localtimestamp', 'tsinit', 'recvtime', 'receivetime', 'localtime', 'tsrecv'],
  price: ['price', 'p', 'px', 'tradeprice', 'lastprice'],
  size: ['size', 'volume', 'qty', 'amount', 'quantity', 'q', 'vol', 'basevolume'],
  aggressor_side: ['side', 'isbuyermaker', 'm', 'buyermaker', 'aggressorside', 'takerside', 'aggressor'],
  trade_id: ['tradeid', 'id', 'aggtradeid', 'tid', 'trdmatchid', 'matchid', 'execid', 'a'],
  mark_price: ['markprice', 'mark', 'price', 'p'],
  funding_rate: ['fundingrate', 'rate', 'lastfundingrate', 'r'],
  next_funding_time: ['nextfundingtime', 'fundingtimestamp', 'nextfunding', 'fundingtime', 'nextfundingts'],
  funding_interval: ['fundingintervalhours', 'fundinginterval', 'interval', 'intervalhours'],
  bid_price: ['bidprice', 'bid', 'bestbidprice', 'bestbid', 'bidpx', 'bp', 'b'],
  bid_size: ['bidsize', 'bidqty', 'bidamount', 'bestbidqty', 'bestbidsize', 'bidquantity', 'bidvolume', 'bidsz', 'bq', 'bs'],
  ask_price: ['askprice', 'ask', 'bestaskprice', 'bestask', 'askpx', 'ap', 'a'],
  ask_size: ['asksize', 'askqty', 'askamount', 'bestaskqty', 'bestasksize', 'askquantity', 'askvolume', 'asksz', 'aq', 'as'],
  open: ['open', 'o', 'openprice', 'op', 'first'],
  high: ['high', 'h', 'highprice', 'hi', 'max'],
  low: ['low', 'l', 'lowprice', 'lo', 'min'],
  close: ['close', 'c', 'closeprice', 'cl', 'last', 'lastprice'],
  volume: ['volume', 'vol', 'v', 'basevolume', 'qty', 'quantity', 'amount', 'size'],
  book_side: ['side', 'bookside', 'level_side', 'bidask', 's'],
  is_snapshot: ['issnapshot', 'snapshot', 'snap', 'updatetype'],
};

/** Bars: an open-time column is preferred over any other time column (a close time is read as one). */
const BAR_OPEN_TIME = ['opentime', 'timeopen', 'openat', 'opents', 'opentimestamp', 'starttime', 'start', 'barstart'];

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The OHLC columns of a bar file, when the header has them all (open, high, low, close, or o, h, l, c).
 * Such a file holds bars: an automatic mapping never reads it as ticks (a close is not a trade price).
 */
export function ohlcColumns(columns: string[]): string[] | null {
  const names = columns.map(norm);
  for (const set of [['open', 'high', 'low', 'close'], ['o', 'h', 'l', 'c']]) {
    const idx = set.map((n) => names.indexOf(n));
    if (idx.every((i) => i >= 0)) return idx.map((i) => columns[i]!);
  }
  return null;
}

/** Auto-maps header columns onto the fields of a data type, with a confidence per field. */
export function autoMap(columns: string[], type: DataType): { cols: Partial<Record<MappingField, number>>; confidence: Partial<Record<MappingField, number>> } {
  const cols: Partial<Record<MappingField, number>> = {};
  const confidence: Partial<Record<MappingField, number>> = {};
  const used = new Set<number>();
  const names = columns.map(norm);
  for (const field of FIELDS_FOR[type]) {
    const aliases = ALIASES[field];
    for (let rank = 0; rank < aliases.length; rank++) {
      const idx = names.findIndex((n, i) => n === aliases[rank] && !used.has(i));
      if (idx >= 0) {
        cols[field] = idx;
        used.add(idx);
        confidence[field] = rank === 0 ? 1 : Math.max(0.5, 0.9 - rank * 0.05);
        break;
      }
    }
  }
  byWord(columns, type, cols, confidence, used);
  return { cols, confidence };
}

/**
 * Fields the names left unmapped, guessed from one word of a column's name when exactly one unused
 * column has such a word and none that makes it something else: a guess (0.6), which the app shows
 * with its runner-ups, never "sure".
 */
function byWord(columns: string[], type: DataType, cols: Partial<Record<MappingField, number>>, confidence: Partial<Record<MappingField, number>>, used: Set<number>): void {
  const words = columns.map(wordsOf);
  for (const field of FIELDS_FOR[type]) {
    if (cols[field] !== undefined) continue;
    const hits = words.flatMap((w, i) => (!used.has(i) && wordFits(w, field) ? [i] : []));
    if (hits.length !== 1) continue;
    cols[field] = hits[0]!;
    used.add(hits[0]!);
    confidence[field] = 0.6;
  }
}

/**
 * The runner-up columns of each field: other columns whose names the field's aliases also match
 * (exactly, or containing its first alias), best first, with how sure a match each would be. The
 * app shows them next to the chosen column so a wrong guess is one click from the right one.
 */
export function alternativeColumns(columns: string[], type: DataType, chosen: Partial<Record<MappingField, string>>): Partial<Record<MappingField, { column: string; confidence: number }[]>> {
  const names = columns.map(norm);
  const out: Partial<Record<MappingField, { column: string; confidence: number }[]>> = {};
  for (const field of FIELDS_FOR[type]) {
    const aliases = ALIASES[field];
    const found: { column: string; confidence: number }[] = [];
    names.forEach((n, i) => {
      const c = columns[i]!;
      if (c === chosen[field]) return;
      const rank = aliases.indexOf(n);
      const conf = rank === 0 ? 1 : rank > 0 ? Math.max(0.5, 0.9 - rank * 0.05) : aliases[0]!.length >= 4 && n.includes(aliases[0]!) ? 0.4 : 0;
      if (conf > 0) found.push({ column: c, confidence: conf });
    });
    if (found.length) out[field] = found.sort((a, b) => b.confidence - a.confidence).slice(0, 3);
  }
  return out;
}

function columnIndex(ref: string, columns: string[], hasHeader: boolean, fileLabel: string): number {
  const i = columns.findIndex((c) => c === ref.trim().toLowerCase());
  if (i >= 0) return i;
  if (/^\d+$/.test(ref)) {
    const k = Number(ref);
    if (k < columns.length) return k;
  }
  throw new Error(`column "${ref}" not found in ${fileLabel} (${hasHeader ? 'columns' : 'headerless, columns by index'}: ${clip(columns.map((c, k) => (hasHeader ? c : String(k))).join(', '))})`);
}

/**
 * Two fields read from one column (price and size both "p", or "price" and its index "2") would write
 * wrong rows without a single reject: refused. local_timestamp on the timestamp's column is allowed
 * (it is what an absent local_timestamp means).
 */
function sameColumnCheck(cols: Partial<Record<MappingField, number>>, det: Detected, fileLabel: string): void {
  const seen = new Map<number, MappingField>();
  for (const [field, k] of Object.entries(cols) as [MappingField, number][]) {
    const other = seen.get(k);
    if (other !== undefined && [other, field].sort().join(',') !== 'local_timestamp,timestamp') {
      const name = det.hasHeader ? `"${det.columns[k]}"` : String(k);
      throw new Error(`${fileLabel}: ${other} and ${field} are both mapped to column ${name}; each field needs its own column`);
    }
    seen.set(k, field);
  }
}

export function makePlan(det: Detected, type: DataType, userColumns: Record<string, string> | undefined, fileLabel: string, opts: PlanOptions = {}): Plan {
  const known = KNOWN[det.format];
  const plan: Plan = {
    format: det.format, label: det.label, cols: {}, sideMode: 'text', intervalUnit: 'min', nextFromInterval: false,
    dedupeChanges: det.format === 'tardis.derivative_ticker', emptyIsSkip: det.format === 'tardis.derivative_ticker', notes: [], confidence: {},
    decimal: opts.decimal ?? '.', sides: sideTable(opts.sideValues), namedSides: new Set(),
  };
  if (plan.decimal === ',') plan.notes.push('numbers read with a decimal comma (42000,5 = 42000.5)');
  if (userColumns && Object.keys(userColumns).length) {
    for (const [field, ref] of Object.entries(userColumns)) {
      if (!FIELDS_FOR[type].includes(field as MappingField)) {
        if ((Object.values(FIELDS_FOR).flat() as string[]).includes(field)) continue; // a field of another type
        throw new Error(`unknown target field "${field}" in the column mapping (fields for ${type}: ${FIELDS_FOR[type].join(', ')})`);
      }
      plan.cols[field as MappingField] = columnIndex(ref, det.columns, det.hasHeader, fileLabel);
      plan.confidence[field as MappingField] = 1;
    }
    sameColumnCheck(plan.cols, det, fileLabel);
  } else if (known) {
    const m = known[type];
    if (!m) {
      throw new Error(`${fileLabel} is a ${det.label} file, which holds no ${type} data (it can feed: ${Object.keys(known).join(', ')})`);
    }
    for (const [field, name] of Object.entries(m)) {
      plan.cols[field as MappingField] = det.columns.indexOf(name);
      plan.confidence[field as MappingField] = 1;
    }
  } else if (NOT_FED[det.format]) {
    throw new Error(`${fileLabel} is a ${det.label} file, which cannot be turned into ${type}: ${NOT_FED[det.format]}`);
  } else if (det.format !== 'generic') {
    throw new Error(`${fileLabel} is a ${det.label} file, which this version cannot turn into ${type}`);
  } else if (type === 'bars') {
    const a = autoMap(det.columns, type);
    const names = det.columns.map(norm);
    const openTime = BAR_OPEN_TIME.map((n) => names.indexOf(n)).find((i) => i >= 0);
    if (openTime !== undefined && !Object.values(a.cols).includes(openTime)) {
      a.cols.timestamp = openTime;
      a.confidence.timestamp = 1;
    }
    plan.cols = a.cols;
    plan.confidence = a.confidence;
  } else {
    const ohlc = ohlcColumns(det.columns);
    if (ohlc) {
      throw new Error(`${fileLabel} holds bars (columns ${ohlc.join(', ')}), not ${type}: a bar's close is not a ${type === 'trades' ? 'trade' : type} price; build it as bars, or map its columns yourself if it really holds ${type}`);
    }
    const a = autoMap(det.columns, type);
    plan.cols = a.cols;
    plan.confidence = a.confidence;
  }
  const missing = REQUIRED_FIELDS[type].filter((f) => plan.cols[f] === undefined);
  if (missing.length) {
    throw new Error(`${fileLabel}: no column for ${missing.join(', ')} (columns: ${clip(det.columns.join(', '))}); ${HINTS.mapColumns.cli}`);
  }
  for (const [field, note] of Object.entries(dataTypeOf(type).unmappedNotes ?? {})) {
    if (plan.cols[field as MappingField] === undefined) plan.notes.push(note);
  }
  const sideCol = plan.cols.aggressor_side;
  if (sideCol !== undefined) {
    const name = norm(det.columns[sideCol] ?? '');
    if (name.includes('maker') || name === 'm') plan.sideMode = 'maker';
    if (opts.sideValues && Object.keys(opts.sideValues).length) plan.notes.push(`side values as the file's options say: ${Object.entries(opts.sideValues).map(([v, side]) => `${JSON.stringify(v)} = ${side}`).join(', ')}`);
  }
  if (det.format === 'vision.fundingRate') {
    plan.intervalUnit = 'hours';
    plan.nextFromInterval = true;
  } else if (plan.cols.funding_interval !== undefined && /hour/.test(det.columns[plan.cols.funding_interval]!)) {
    plan.intervalUnit = 'hours';
  }
  if (det.format.startsWith('tardis.')) plan.tsUnit = 'us';
  if (type === 'depth10') levelColumns(plan, det, fileLabel);
  if (type === 'deltas' && det.format === 'binance.tdepth') {
    plan.updateIds = { first: det.columns.indexOf('first_update_id'), last: det.columns.indexOf('last_update_id'), prev: det.columns.indexOf('pu') };
  }
  if (type === 'bars') barTimes(plan, det);
  return plan;
}

/**
 * Bars: whether the timestamp column is the bar's open or its close (by its name: close, end), the
 * Binance close_time column checked against it, and a note saying which column was taken as what.
 */
function barTimes(plan: Plan, det: Detected): void {
  const c = plan.cols;
  const name = (k: number | undefined) => (k === undefined ? '?' : det.hasHeader || det.format.startsWith('vision.') ? `"${det.columns[k]}"` : `#${k}`);
  // A name starting a word with close or end (close_time, "Bar End"), not "calendar" or "weekend".
  plan.barTime = /(^|[^a-z])(close|end)/.test((det.columns[c.timestamp!] ?? '').toLowerCase()) ? 'close' : 'open';
  const closeTime = det.format.startsWith('vision.') ? det.columns.indexOf('close_time') : -1;
  if (plan.barTime === 'open' && closeTime >= 0 && closeTime !== c.timestamp) plan.closeTimeCol = closeTime;
  const when = plan.barTime === 'open' ? "the bar's open time (ts_event = open + interval)" : "the bar's close time (ts_event = that close, moved to the interval boundary when one unit before it)";
  plan.notes.push(`bars: column ${name(c.timestamp)} taken as ${when}${plan.closeTimeCol !== undefined ? `, ${name(plan.closeTimeCol)} checked as open + interval - 1 unit` : ''}; open ${name(c.open)}, high ${name(c.high)}, low ${name(c.low)}, close ${name(c.close)}, volume ${name(c.volume)}`);
}

/**
 * depth10: the level columns of a book_snapshot_N file, levels 0..9 (a 25-level file is cut to 10,
 * a 5-level one leaves levels 5..9 empty, as NautilusTrader's loader does), with a note saying so.
 */
function levelColumns(plan: Plan, det: Detected, fileLabel: string): void {
  const at = (side: string, i: number): [number, number] | null => {
    const p = det.columns.indexOf(`${side}[${i}].price`), a = det.columns.indexOf(`${side}[${i}].amount`);
    return p >= 0 && a >= 0 ? [p, a] : null;
  };
  const bids: [number, number][] = [], asks: [number, number][] = [];
  for (let i = 0; i < 10; i++) {
    const b = at('bids', i), a = at('asks', i);
    if (!b || !a) break;
    bids.push(b);
    asks.push(a);
  }
  if (!bids.length) throw new Error(`${fileLabel} has no bids[0] / asks[0] columns: depth10 is read from a Tardis book_snapshot_N file`);
  plan.levelCols = { bids, asks };
  const n = (det.columns.length - 4) / 4;
  if (n > 10) plan.notes.push(`levels 0..9 of the file's ${n} are written (OrderBookDepth10 holds 10 a side)`);
  else if (bids.length < 10) plan.notes.push(`the file has ${bids.length} levels a side: levels ${bids.length}..9 are written empty`);
}
