// CSV format detection: by header (spec §4.2) or, without a header, by column count and value shape (§4.3).
import Papa from 'papaparse';
import { clip } from '../io/lines.js';

export interface Detected {
  /** e.g. 'tardis.trades', 'vision.aggTrades', 'generic' */
  format: string;
  label: string;
  hasHeader: boolean;
  delimiter: string;
  /** header names (lower-cased, trimmed), or c0..cN for headerless files */
  columns: string[];
}

export const KNOWN_HEADERS: Record<string, { header: string; label: string }> = {
  'tardis.trades': { header: 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount', label: 'Tardis trades' },
  'tardis.derivative_ticker': {
    header: 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price',
    label: 'Tardis derivative_ticker',
  },
  'tardis.quotes': { header: 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount', label: 'Tardis quotes' },
  'tardis.incremental_book_L2': { header: 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount', label: 'Tardis incremental_book_L2' },
  'vision.aggTrades': { header: 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker', label: 'Binance Vision aggTrades' },
  'vision.trades': { header: 'id,price,qty,quote_qty,time,is_buyer_maker', label: 'Binance Vision trades' },
  'vision.klines': {
    header: 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore',
    label: 'Binance Vision klines',
  },
  'vision.fundingRate': { header: 'calc_time,funding_interval_hours,last_funding_rate', label: 'Binance Vision fundingRate' },
  'vision.bookTicker': { header: 'update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time', label: 'Binance Vision bookTicker' },
  // Binance historical order book (T_DEPTH): one layout for the snapshot file and the update file
  'binance.tdepth': { header: 'symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu', label: 'Binance T_DEPTH order book' },
};

export function splitCsv(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  // Quoted fields go through a complete CSV parser.
  const r = Papa.parse<string[]>(line, { delimiter, header: false });
  return (r.data[0] as string[] | undefined) ?? [''];
}

export function detectDelimiter(sample: string[]): string {
  const cands = [',', ';', '\t', '|'];
  let best = ',', bestScore = 0;
  for (const d of cands) {
    const counts = sample.slice(0, 10).map((l) => splitCsv(l, d).length);
    if (!counts.length || counts[0]! < 2) continue;
    const consistent = counts.every((c) => c === counts[0]);
    const score = counts[0]! * (consistent ? 2 : 1);
    if (score > bestScore) { best = d; bestScore = score; }
  }
  return best;
}

const INT = /^-?\d+$/;
const DEC = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOL = /^(true|false)$/i;
const isTs13 = (s: string) => /^\d{13}$/.test(s);
/** a Unix ms or µs time (Binance Vision spot klines are in µs from 2025) */
const isTs13or16 = (s: string) => /^(\d{13}|\d{16})$/.test(s);
const looksNumericRow = (cells: string[]) => cells.length > 0 && DEC.test(cells[0]!.trim());

export function detect(lines: string[], fileName: string, opts: { delimiter?: string; hasHeader?: boolean } = {}): Detected {
  const sample = lines.filter((l) => l.trim() !== '').slice(0, 20);
  if (!sample.length) throw new Error('the file is empty');
  // Bare CR line ends (classic Mac OS) make the whole file one line: say so, not "no column for …".
  if (/\r(?!\n)/.test(sample[0]!)) throw new Error(`its lines end with a bare CR (classic Mac OS), not LF or CRLF: convert the line ends (it starts: ${JSON.stringify(clip(sample[0]!, 100))})`);
  const delimiter = opts.delimiter ?? detectDelimiter(sample);
  const first = splitCsv(sample[0]!, delimiter).map((c) => c.trim());
  const hasHeader = opts.hasHeader ?? !looksNumericRow(first);
  if (hasHeader) {
    const cols = first.map((c) => c.toLowerCase());
    const joined = cols.join(',');
    for (const [format, k] of Object.entries(KNOWN_HEADERS)) {
      if (joined === k.header) {
        if (format === 'vision.klines') return klines(sample.slice(1), fileName, delimiter, true, cols);
        if (format === 'binance.tdepth') return { format, label: tdepthLabel(sample[1], delimiter), hasHeader, delimiter, columns: cols };
        return { format, label: k.label, hasHeader, delimiter, columns: cols };
      }
    }
    if (/^exchange,symbol,timestamp,local_timestamp,asks\[0\]\.price/.test(joined)) {
      return { format: 'tardis.book_snapshot', label: `Tardis book_snapshot_${(cols.length - 4) / 4}`, hasHeader, delimiter, columns: cols };
    }
    notATable(sample, delimiter, cols.length, true);
    return { format: 'generic', label: 'CSV with header', hasHeader, delimiter, columns: cols };
  }
  const rows = sample.map((l) => splitCsv(l, delimiter).map((c) => c.trim()));
  // The most common column count of the sample (a damaged first row must not decide it for the file).
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  const n = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
  const columns = Array.from({ length: n }, (_, i) => `c${i}`);
  const all = (pred: (r: string[]) => boolean) => rows.every((r) => r.length === n && pred(r));
  if (n === 6 && all((r) => INT.test(r[0]!) && DEC.test(r[1]!) && DEC.test(r[2]!) && DEC.test(r[3]!) && isTs13(r[4]!) && BOOL.test(r[5]!))) {
    return { format: 'vision.trades', label: 'Binance Vision trades (no header)', hasHeader: false, delimiter, columns: KNOWN_HEADERS['vision.trades']!.header.split(',') };
  }
  if (n === 7 && all((r) => INT.test(r[0]!) && DEC.test(r[1]!) && DEC.test(r[2]!) && INT.test(r[3]!) && INT.test(r[4]!) && isTs13(r[5]!) && BOOL.test(r[6]!))) {
    return { format: 'vision.aggTrades', label: 'Binance Vision aggTrades (no header)', hasHeader: false, delimiter, columns: KNOWN_HEADERS['vision.aggTrades']!.header.split(',') };
  }
  if (n === 7 && all((r) => INT.test(r[0]!) && [1, 2, 3, 4].every((k) => DEC.test(r[k]!)) && isTs13(r[5]!) && isTs13(r[6]!))) {
    return { format: 'vision.bookTicker', label: 'Binance Vision bookTicker (no header)', hasHeader: false, delimiter, columns: KNOWN_HEADERS['vision.bookTicker']!.header.split(',') };
  }
  if (n === 12 && all((r) => isTs13or16(r[0]!) && isTs13or16(r[6]!) && DEC.test(r[4]!))) {
    return klines(sample, fileName, delimiter, false, KNOWN_HEADERS['vision.klines']!.header.split(','));
  }
  if (n === 3 && all((r) => isTs13(r[0]!) && INT.test(r[1]!) && DEC.test(r[2]!))) {
    return { format: 'vision.fundingRate', label: 'Binance Vision fundingRate (no header)', hasHeader: false, delimiter, columns: KNOWN_HEADERS['vision.fundingRate']!.header.split(',') };
  }
  notATable(sample, delimiter, n, false);
  return { format: 'generic', label: 'CSV without header', hasHeader: false, delimiter, columns };
}

/**
 * Throws when a generic file's head is no table: fewer than two columns (every data type needs a
 * time and a value), or most lines split into another number of cells (prose: a licence text, a
 * README renamed .csv). Known formats are recognised before this and never reach it.
 */
function notATable(sample: string[], delimiter: string, columns: number, hasHeader: boolean): void {
  const start = JSON.stringify(clip(sample[0]!, 80));
  if (columns < 2) throw new Error(`it is not a table: its first line is a single column (no comma, semicolon, tab or pipe separates values; it starts: ${start})`);
  // The rows' most common cell count (a header with a trailing delimiter may have one more).
  const rows = sample.slice(hasHeader ? 1 : 0).map((l) => splitCsv(l, delimiter).length);
  if (rows.length < 3) return;
  const counts = new Map<number, number>();
  for (const c of rows) counts.set(c, (counts.get(c) ?? 0) + 1);
  const [mode, same] = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
  if (mode < 2 || same * 2 < rows.length) {
    throw new Error(`it is not a table: ${mode < 2 ? 'most of its first lines are a single column' : `only ${same} of its first ${rows.length} lines have the same number of ${delimiterName(delimiter)}-separated cells`} (it starts: ${start})`);
  }
}

/** A T_DEPTH file's label by its first row's update_type: a snapshot (snap) or updates (set). */
function tdepthLabel(first: string | undefined, delimiter: string): string {
  const kind = first === undefined ? '' : splitCsv(first, delimiter)[5]?.trim().toLowerCase();
  return `Binance T_DEPTH order book${kind === 'snap' ? ' snapshot' : kind === 'set' ? ' updates' : ''}`;
}

function delimiterName(d: string): string {
  return d === ',' ? 'comma' : d === ';' ? 'semicolon' : d === '\t' ? 'tab' : d === '|' ? 'pipe' : JSON.stringify(d);
}

function klines(dataLines: string[], fileName: string, delimiter: string, hasHeader: boolean, columns: string[]): Detected {
  // Index and premium-index klines also carry zero volumes: their file name tells them from mark prices.
  const other = /(indexprice|premiumindex)kline/i.exec(fileName);
  if (other) {
    const format = other[1]!.toLowerCase() === 'indexprice' ? 'vision.indexPriceKlines' : 'vision.premiumIndexKlines';
    return { format, label: `Binance Vision ${format.slice(7)}${hasHeader ? '' : ' (no header)'}`, hasHeader, delimiter, columns };
  }
  // Mark-price klines: by file name, or by all-zero volume columns (spec §4.2).
  const zeroVolumes = dataLines.length > 0 && dataLines.every((l) => {
    const r = splitCsv(l, delimiter);
    return [5, 7, 9, 10].every((k) => Number(r[k]) === 0);
  });
  const mark = /markpricekline/i.test(fileName) || zeroVolumes;
  return {
    format: mark ? 'vision.markPriceKlines' : 'vision.klines',
    label: mark ? `Binance Vision markPriceKlines${hasHeader ? '' : ' (no header)'}` : 'Binance Vision klines',
    hasHeader, delimiter, columns,
  };
}
