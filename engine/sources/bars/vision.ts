// Binance Vision klines files (klines, markPriceKlines, indexPriceKlines; spot, USD-M, COIN-M):
// 12 columns, with or without a header, open/close times in ms (futures) or µs (spot from 2025).
import { UNIT_MULT, unitOf } from '../timestamp.js';
import type { OhlcvText } from './ohlc.js';

export const KLINES_HEADER = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
const COLUMNS = 12;

export interface KlinesFile {
  header: boolean;
  unit: 'ms' | 'us';
  /** ns per unit of the file's open/close times */
  unitNs: bigint;
}

/**
 * Recognises a klines file from its first lines (a BOM and CR are tolerated): an exact header, or
 * 12 cells starting with a 13-digit (ms) or 16-digit (µs) open time. The unit is decided from the
 * first data rows; open and close time must agree on it.
 */
export function detectKlinesFile(lines: readonly string[]): KlinesFile | { error: string } {
  const rows = lines.map((l, i) => (i === 0 ? l.replace(/^\uFEFF/, '') : l).replace(/\r$/, '')).filter((l) => l.trim() !== '');
  if (rows.length === 0) return { error: 'the file is empty' };
  const header = rows[0]!.trim().toLowerCase() === KLINES_HEADER;
  const data = rows.slice(header ? 1 : 0);
  if (data.length === 0) return { error: 'the klines file has a header but no rows' };
  let unit: 'ms' | 'us' | null = null;
  for (let i = 0; i < data.length; i++) {
    const line = i + (header ? 2 : 1);
    const cells = data[i]!.split(',');
    if (cells.length !== COLUMNS) return { error: `line ${line}: ${cells.length} columns, a klines row has ${COLUMNS}` };
    const open = unitOf(cells[0]!.trim()), close = unitOf(cells[6]!.trim());
    if (open !== 'ms' && open !== 'us') return { error: `line ${line}: open_time "${cells[0]}" is not a Unix ms or µs time` };
    if (close !== open) return { error: `line ${line}: close_time "${cells[6]}" is not in the unit of open_time (${open})` };
    if (unit !== null && open !== unit) return { error: `line ${line}: open_time is in ${open} but earlier rows are in ${unit}` };
    unit = open;
  }
  return { header, unit: unit!, unitNs: UNIT_MULT[unit!] };
}

export interface KlineRow extends OhlcvText { openNs: bigint; closeNs: bigint }

/** One data row (split on commas) in the file's unit; the OHLCV cells stay text. */
export function parseKlineRow(cells: readonly string[], file: KlinesFile): KlineRow | { error: string } {
  if (cells.length !== COLUMNS) return { error: `${cells.length} columns, a klines row has ${COLUMNS}` };
  const [o, open, high, low, close, volume, c] = cells.map((s) => s.trim()) as [string, string, string, string, string, string, string];
  for (const [name, t] of [['open_time', o], ['close_time', c]] as const) {
    if (!/^\d+$/.test(t) || unitOf(t) !== file.unit) return { error: `${name} "${t}" is not a Unix ${file.unit} time` };
  }
  return { openNs: BigInt(o) * file.unitNs, closeNs: BigInt(c) * file.unitNs, open, high, low, close, volume };
}
