// verify's info lines (facts, not problems) as the result screen shows them: the files another
// program wrote, counted and named per folder, and any other line as it is.
import { INSTRUMENT_FOLDERS } from '../../../shared/report.js';
export interface ForeignFiles {
  folder: string;
  names: string[];
}

export interface VerifyInfoView {
  /** how many files in the catalog catalog-builder did not write (e.g. NautilusTrader's own) */
  foreignCount: number;
  foreign: ForeignFiles[];
  other: string[];
}

// engine/catalog/verify.ts writes "<folder>: <n> file(s) not written by catalog-builder (not in its manifest): a, b".
const FOREIGN = /^(.+): (\d+) file\(s\) not written by catalog-builder \(not in its manifest\): (.+)$/;

export function verifyInfoView(info: readonly string[] | undefined): VerifyInfoView {
  const view: VerifyInfoView = { foreignCount: 0, foreign: [], other: [] };
  for (const line of info ?? []) {
    const m = FOREIGN.exec(line);
    if (!m) {
      view.other.push(line);
      continue;
    }
    const names = m[3]!.split(', ');
    // The count is verify's; the names are only for showing (a name could itself hold ", ").
    view.foreignCount += Number(m[2]);
    view.foreign.push({ folder: m[1]!, names });
  }
  return view;
}

/** Files and rows over verify's summary, for its one-line verdict. */
/** Files and data rows of a verified catalog; instrument definitions counted apart (they are not data rows). */
export function verifyTotals(summary: readonly { type?: string; files: number; rows: number }[]): { files: number; rows: number; instruments: number } {
  const isInstrument = (x: { type?: string }) => x.type !== undefined && INSTRUMENT_FOLDERS.includes(x.type);
  return {
    files: summary.reduce((a, x) => a + x.files, 0),
    rows: summary.reduce((a, x) => a + (isInstrument(x) ? 0 : x.rows), 0),
    instruments: summary.reduce((a, x) => a + (isInstrument(x) ? x.rows : 0), 0),
  };
}
