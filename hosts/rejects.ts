// A finished job's rejected rows for the app: its rejects files (engine/normalize/rejects.ts, one
// JSON line per row) read as a stream, a page kept, every row counted by reason. Memory stays
// bounded by the page and the number of distinct reasons, however many rows were rejected.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { RejectsQuery, type RejectRow, type RejectsPage } from '../shared/api.js';
import type { RunReport } from '../shared/report.js';

/** Distinct reasons counted one by one; beyond, the rest are counted together (a reason that names its value would be endless). */
const MAX_REASONS = 500;
export const OTHER_REASONS = '(other reasons)';

/** The rejects files of a job's report: its own, or each instrument's in a job of several. */
export function rejectsFiles(report: RunReport, instrument?: string): { path: string; instrument?: string }[] {
  if (report.sections?.length) {
    return report.sections
      .filter((s) => s.rejectsFile && (!instrument || s.instrument.id === instrument))
      .map((s) => ({ path: s.rejectsFile!, instrument: s.instrument.id }));
  }
  return report.rejectsFile ? [{ path: report.rejectsFile }] : [];
}

function asRow(line: string): RejectRow | null {
  try {
    const r = JSON.parse(line) as Partial<RejectRow>;
    if (typeof r.file !== 'string' || typeof r.line !== 'number' || typeof r.reason !== 'string') return null;
    return { dataType: String(r.dataType ?? ''), file: r.file, line: r.line, field: String(r.field ?? ''), reason: r.reason, value: String(r.value ?? '') };
  } catch {
    // A line cut short (a disk that filled up) is no row.
    return null;
  }
}

/** Reads `files` in order: the page of rows matching the query, their number, and every reason's count. */
export async function readRejects(files: { path: string; instrument?: string }[], input: RejectsQuery = {}): Promise<RejectsPage> {
  const q = RejectsQuery.parse(input);
  const reasons = new Map<string, number>();
  const rows: RejectRow[] = [];
  let total = 0;
  let all = 0;
  for (const f of files) {
    const lines = createInterface({ input: createReadStream(f.path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const text of lines) {
      const r = asRow(text);
      if (!r) continue;
      all++;
      const key = `${r.field}: ${r.reason}`;
      const counted = reasons.has(key) || reasons.size < MAX_REASONS ? key : OTHER_REASONS;
      reasons.set(counted, (reasons.get(counted) ?? 0) + 1);
      if ((q.reason && q.reason !== key) || (q.field && q.field !== r.field) || (q.file && q.file !== r.file)) continue;
      if (total >= q.offset && rows.length < q.limit) rows.push(f.instrument ? { ...r, instrument: f.instrument } : r);
      total++;
    }
  }
  const byCount = [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return { rows, offset: q.offset, total, all, reasons: byCount };
}
