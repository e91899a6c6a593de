// Which config entry feeds each data type of a job, checked before anything is written.
import { basename } from 'node:path';
import { fileEntries, type DataType, type FileConfig, type SourceKind, type SourceConfig } from '../../shared/job.js';
import { detect } from '../sources/csv/detect.js';
import { KNOWN_FEEDS, NOT_FED } from '../sources/csv/plan.js';
import { headLines } from '../sources/io/lines.js';
import { openData } from '../sources/io/open.js';
import type { Input } from './inputs.js';

/**
 * Mark and funding travel together in a WebSocket markPrice stream and a Tardis derivative_ticker
 * file: as in the seed tool, a config with files for only one of them feeds both.
 */
const PARTNER: Partial<Record<DataType, DataType>> = { funding: 'mark', mark: 'funding' };

/**
 * The config entries for `type` (one, or one per layout): its own, else its partner's; null when
 * there are none. `fc` is the first, which options common to the type (the bar spec) are read from.
 */
export function entryFor(config: SourceConfig, type: DataType): { fc: FileConfig; parts: FileConfig[]; from: DataType } | null {
  const own = fileEntries(config.files[type]);
  if (own.length) return { fc: own[0]!, parts: own, from: type };
  const p = PARTNER[type];
  const other = p ? fileEntries(config.files[p]) : [];
  return other.length && p ? { fc: other[0]!, parts: other, from: p } : null;
}

/** Why `type` has no entry, naming the partner that would have fed it. */
export function noEntryText(type: DataType): string {
  const p = PARTNER[type];
  return `the config has no files.${type} entry${p ? ` (nor files.${p}, whose WebSocket markPrice or Tardis derivative_ticker files would feed it)` : ''}`;
}

/**
 * Throws when a CSV file is of a known format that holds no `type` data (a markPriceKlines file as
 * funding, a trades file as mark): a config / data-type mismatch, refused before anything is written.
 * A file that cannot be opened, or a generic CSV lacking a column, fails only the days it feeds, when
 * it is read. WebSocket captures are mixed streams, known only once read; they are not checked here.
 */
export async function checkFeeds(source: SourceKind, type: DataType, files: Input[], fc: FileConfig): Promise<void> {
  if (source !== 'csv') return;
  for (const f of files) {
    const own = f.fc ?? fc;
    if (f.error || (own.columns && Object.keys(own.columns).length)) continue;
    let texts: string[], label: string;
    try {
      const opened = await openData(f.path, { member: f.member });
      label = f.member ?? basename(f.path);
      texts = (await headLines(opened.stream, 50)).map((l) => l.text).filter((s) => s.trim() !== '');
    } catch {
      continue;
    }
    if (!texts.length) continue;
    let det: ReturnType<typeof detect>;
    try {
      det = detect(texts, label, { delimiter: own.delimiter, hasHeader: own.has_header });
    } catch {
      continue; // an unreadable head (bare CR line ends, …) fails only this file's days, when it is read
    }
    const feeds = KNOWN_FEEDS[det.format];
    if (det.format === 'generic' || feeds?.includes(type)) continue;
    const why = NOT_FED[det.format] ? `: ${NOT_FED[det.format]}` : '';
    throw new Error(`${f.label} is a ${det.label} file, which holds no ${type} data (it can feed: ${feeds?.join(', ') || 'nothing this version reads'})${why}`);
  }
}
