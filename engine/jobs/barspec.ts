// Bars of a job: the bar type, decided from a sample of every file's first rows before anything is
// written, and the gaps found while reading, reported per UTC day.
import { basename } from 'node:path';
import type { FileConfig } from '../../shared/job.js';
import { nsToIso } from '../catalog/paths.js';
import type { GapTracker } from '../sources/bars/gaps.js';
import { decideBarSpec, sampleBarTimes, type BarDecision, type SampledFile } from '../sources/csv/barspec.js';
import { detect } from '../sources/csv/detect.js';
import { makePlan } from '../sources/csv/plan.js';
import { headLines } from '../sources/io/lines.js';
import { openData } from '../sources/io/open.js';
import { SAMPLE_LINES, TsColumn } from '../sources/timestamp.js';
import type { Input } from './inputs.js';

/** Days with gaps listed one by one in the notes; the rest are summed up. */
const GAP_DAYS_LISTED = 31;

/**
 * The job's bar spec from the first rows of each file (or `given`, checked against them). A file
 * that cannot be opened or mapped is left out here: it fails its days when it is read.
 */
export async function resolveBarSpec(files: Input[], fc: FileConfig | undefined, given: string | undefined): Promise<BarDecision> {
  const sampled: SampledFile[] = [];
  const unusable: string[] = [];
  for (const f of files) {
    if (f.error) continue;
    const own = f.fc ?? fc;
    try {
      const opened = await openData(f.path, { member: f.member });
      const label = f.member ?? basename(f.path);
      const texts = (await headLines(opened.stream, SAMPLE_LINES + 1)).filter((l) => !l.error).map((l) => l.text).filter((s) => s.trim() !== '');
      if (!texts.length) continue;
      const det = detect(texts, label, { delimiter: own?.delimiter, hasHeader: own?.has_header });
      const plan = makePlan(det, 'bars', own?.columns, label, { decimal: own?.decimal });
      const ts = new TsColumn(own?.timestamp_unit ?? plan.tsUnit, own?.date_format);
      sampled.push({ label: f.label, det, times: sampleBarTimes(det, plan, texts.slice(det.hasHeader ? 1 : 0), ts) });
    } catch (e) {
      unusable.push(`${f.label}: ${(e as Error).message}`);
    }
  }
  if (!sampled.length && unusable.length) throw new Error(`cannot tell the bar type: ${unusable.join('; ')}`);
  const d = decideBarSpec(sampled, given);
  if ('error' in d) throw new Error(d.error);
  return d;
}

/** Missing bars per UTC day of the job (by open time), not filled: one note per day with gaps. */
export function gapNotes(gaps: GapTracker, days: string[]): string[] {
  if (!days.length) return [];
  const bad = gaps.days({ first: days[0]!, last: days[days.length - 1]! }).filter((d) => d.missing > 0);
  const notes = bad.slice(0, GAP_DAYS_LISTED).map((d) =>
    `bars: ${d.day}: ${d.missing} of ${d.expected} bars missing (not filled), the first opening at ${nsToIso(d.firstMissingNs!)}`);
  if (bad.length > GAP_DAYS_LISTED) {
    const rest = bad.slice(GAP_DAYS_LISTED);
    notes.push(`bars: ${rest.length} more day(s) with gaps, ${rest.reduce((a, d) => a + d.missing, 0)} bars missing in all`);
  }
  // Where the data starts and ends, when not at the range's edges (the days beyond hold no bars: not gaps).
  const rangeStart = BigInt(Date.parse(`${days[0]}T00:00:00Z`)) * 1_000_000n;
  const rangeLastOpen = BigInt(Date.parse(`${days[days.length - 1]}T00:00:00Z`)) * 1_000_000n + 86_400_000_000_000n - gaps.intervalNs;
  if (gaps.first !== null && gaps.lastOpen !== null && (gaps.first > rangeStart || gaps.lastOpen < rangeLastOpen)) {
    notes.push(`bars: the data's bars open from ${nsToIso(gaps.first)} to ${nsToIso(gaps.lastOpen)}; the range's time outside that holds no bars (not counted as gaps)`);
  }
  if (gaps.outOfOrder) notes.push(`bars: ${gaps.outOfOrder} bar(s) came after later ones (files or rows out of order); the gap counts leave them out`);
  return notes;
}
