// Rows of other symbols in a file that names each row's symbol (a Tardis CSV's symbol column, any
// CSV's "symbol" column, a grouped file of every perpetual): skipped, not counted as rows, as the
// WebSocket reader ignores messages of other symbols; the file's report says how many, and of which.
import { splitCsv } from './detect.js';

/** Symbol names a note lists before "…". */
const NAMED = 5;

/**
 * A cell that can be a symbol (BTCUSDT, BTC-PERPETUAL, XBT/USD, BTC-29MAR24-50000-C). Anything else
 * (a mangled cell) is not taken for another symbol: the row is read, its own checks decide it.
 */
export const SYMBOL_CELL = /^[A-Za-z0-9][A-Za-z0-9_\-/.:]{0,63}$/;

/**
 * The column that names each row's symbol: a Tardis CSV's second column, or a header column named
 * "symbol" in any other CSV (an exchange's own export of several instruments); -1 when none.
 */
export function symbolColumnOf(det: { format: string; hasHeader: boolean; columns: readonly string[] }): number {
  if (det.format.startsWith('tardis.')) return det.columns[1] === 'symbol' ? 1 : -1;
  return det.hasHeader ? det.columns.findIndex((c) => c.trim().toLowerCase() === 'symbol') : -1;
}

/** The byte-level SYMBOL_CELL, for the fast path: ASCII letters, digits, and _ - / . : after the first. */
export function symbolByte(c: number, first: boolean): boolean {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
  return !first && (c === 95 || c === 45 || c === 47 || c === 46 || c === 58);
}

export class SymbolFilter {
  /** the symbol as bytes (upper case), for the fast path */
  readonly bytes: Uint8Array;
  skipped = 0;
  private readonly others = new Set<string>();

  /**
   * `col`: the symbol column; `symbol`: the one whose rows are read (case is not significant);
   * `width`: the header's number of columns (a quoted row of another width is malformed, not another symbol's).
   */
  constructor(readonly col: number, readonly symbol: string, private readonly width = 0) {
    this.symbol = symbol.toUpperCase();
    this.bytes = Buffer.from(this.symbol, 'utf8');
  }

  /**
   * True when the line is another symbol's row (counted then). A line with a quote character, or
   * whose cell is no symbol (empty, mangled), is left to the row checks (market data is unquoted).
   */
  otherSymbol(text: string, delimiter: string): boolean {
    // A quoted line (an export that quotes every cell) is split as the row itself is; one of another
    // width than the header is a malformed row, read and rejected with its reason.
    let cell: string | undefined;
    if (text.includes('"')) {
      const cells = splitCsv(text, delimiter);
      if (this.width && cells.length !== this.width) return false;
      cell = cells[this.col]?.trim();
    } else cell = cellAt(text, delimiter, this.col)?.trim();
    if (!cell || !SYMBOL_CELL.test(cell) || cell.toUpperCase() === this.symbol) return false;
    this.count(cell);
    return true;
  }

  /** Counts a skipped row of `name`. */
  count(name: string): void {
    this.skipped++;
    if (this.others.size < NAMED + 1) this.others.add(name.toUpperCase());
  }

  /** True when one more name would be listed (the fast path decodes the name only then). */
  get wantsNames(): boolean {
    return this.others.size <= NAMED;
  }

  /** The file report's note, or null when no row was skipped. */
  note(): string | null {
    if (!this.skipped) return null;
    const names = [...this.others];
    const list = names.slice(0, NAMED).join(', ') + (names.length > NAMED ? ', …' : '');
    return `${this.skipped} row(s) of other symbols (${list}) skipped: only ${this.symbol} is read`;
  }
}

/** The k-th cell of an unquoted line (no copy of the others). */
function cellAt(text: string, delimiter: string, k: number): string | undefined {
  let start = 0;
  for (let i = 0; i < k; i++) {
    const d = text.indexOf(delimiter, start);
    if (d < 0) return undefined;
    start = d + delimiter.length;
  }
  const end = text.indexOf(delimiter, start);
  return text.slice(start, end < 0 ? text.length : end);
}
