// verify's info lines (facts, not problems) as the result screen shows them: the files another
// program wrote, counted and named per folder, and any other line as it is.
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
export function verifyTotals(summary: readonly { files: number; rows: number }[]): { files: number; rows: number } {
  return { files: summary.reduce((a, x) => a + x.files, 0), rows: summary.reduce((a, x) => a + x.rows, 0) };
}
