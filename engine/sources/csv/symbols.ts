// Rows of other symbols in a file that names each row's symbol (a Tardis CSV's symbol column, or a
// grouped file of every perpetual): skipped, not counted as rows, as the WebSocket reader ignores
// messages of other symbols; the file's report says how many, and of which symbols.
import { splitCsv } from './detect.js';

/** Symbol names a note lists before "…". */
const NAMED = 5;

export class SymbolFilter {
  /** the symbol as bytes (upper case), for the fast path */
  readonly bytes: Uint8Array;
  skipped = 0;
  private readonly others = new Set<string>();

  /** `col`: the symbol column; `symbol`: the one whose rows are read (case is not significant). */
  constructor(readonly col: number, readonly symbol: string) {
    this.symbol = symbol.toUpperCase();
    this.bytes = Buffer.from(this.symbol, 'utf8');
  }

  /** True when the line is another symbol's row (counted then); an empty cell is left to the row checks. */
  otherSymbol(text: string, delimiter: string): boolean {
    const cell = (text.includes('"') ? splitCsv(text, delimiter)[this.col] : cellAt(text, delimiter, this.col))?.trim();
    if (!cell || cell.toUpperCase() === this.symbol) return false;
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
