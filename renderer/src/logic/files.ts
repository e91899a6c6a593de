// The files a job reads: parsing typed or pasted paths, which data types each file feeds.
import { DATA_TYPES, type DataType, type SourceKind } from '../../../shared/job.js';
import type { FileInfo, FileOptions } from '../../../shared/api.js';
import { DATA_TYPE_INFO, headerOf } from './dataTypes.js';
import { datesFromNames } from './dates.js';

export interface FileEntry {
  info: FileInfo;
  /** data types this file is used for in the job */
  types: DataType[];
  /** what the user changed: delimiter, header row, timestamp unit (else detected) */
  options: FileOptions;
}

/**
 * Paths typed or pasted into the path field: one per line (a file manager's copy gives file://
 * URLs), surrounding quotes dropped, duplicates removed.
 */
export function parsePaths(text: string): string[] {
  const out: string[] = [];
  for (let line of text.split(/\r?\n/)) {
    line = line.trim();
    if (!line) continue;
    if ((line.startsWith('"') && line.endsWith('"')) || (line.startsWith("'") && line.endsWith("'"))) line = line.slice(1, -1).trim();
    if (line.startsWith('file://')) {
      try {
        const u = new URL(line);
        line = decodeURIComponent(u.pathname);
        // file:///C:/x -> C:/x on Windows
        if (/^\/[A-Za-z]:\//.test(line)) line = line.slice(1);
      } catch {
        continue;
      }
    }
    if (line && !out.includes(line)) out.push(line);
  }
  return out;
}

export interface ProposedUse {
  /** the data types the file is ticked for when added */
  types: DataType[];
  /** said while the file is listed: it holds data no type of this version is written from */
  warning: string | null;
  /** said while nothing is ticked: why nothing was proposed */
  hint: string | null;
}

/**
 * What a newly added file is used for: a known format's own types; a generic CSV's types guessed
 * from its header (DATA_TYPE_INFO), never one type read from another's file. A bar file (open,
 * high, low, close) that no type in the table claims is flagged instead of guessed.
 */
export function proposedUse(info: FileInfo): ProposedUse {
  if (info.error) return { types: [], warning: null, hint: null };
  // What the engine found it holds that nothing is built from (an order book): said, never guessed as another type.
  if (!info.feeds.length) return { types: [], warning: info.note ? `Holds ${info.note}.` : null, hint: null };
  if (info.format !== 'generic') return { types: knownTypes(info.feeds), warning: info.note ? `Holds ${info.note}.` : null, hint: null };
  const header = headerOf(info.columns);
  const types = DATA_TYPES.filter((t) => info.feeds.includes(t) && DATA_TYPE_INFO[t].looksLike(header));
  if (types.length) return { types, warning: null, hint: null };
  if (header.ohlc) return { types, warning: `Holds bars (${header.ohlc.join(', ')}): it cannot be used for trades.`, hint: null };
  return { types, warning: null, hint: info.hasHeader ? 'Columns not recognised: pick what it holds.' : 'No header: pick what it holds.' };
}

/**
 * A known format's types; a book snapshot (which feeds depth 10, and quotes from its top of book) is
 * proposed as the order book it is: its quotes are one click away, never written unasked.
 */
function knownTypes(feeds: readonly DataType[]): DataType[] {
  return feeds.includes('depth10') ? ['depth10'] : [...feeds];
}

/** The source that reads a file: a JSONL capture the websocket source, any other file the csv one. */
export function sourceOf(info: FileInfo): Exclude<SourceKind, 'tardis'> {
  return info.source === 'websocket' ? 'websocket' : 'csv';
}

const SOURCE_NAMES: Record<SourceKind, string> = { csv: 'CSV files', websocket: 'WebSocket captures', tardis: 'a Tardis download' };

/**
 * The job's source, proposed from its readable files: theirs when they agree (a capture makes it a
 * WebSocket job); when they do not, the current one stays and `problem` says which files differ
 * (a job reads one source). A Tardis download job keeps its source.
 */
export function proposedSource(files: FileEntry[], current: SourceKind): { source: SourceKind; problem: string | null } {
  const good = files.filter((f) => !f.info.error);
  if (current === 'tardis' || !good.length) return { source: current, problem: null };
  const kinds = [...new Set(good.map((f) => sourceOf(f.info)))];
  if (kinds.length === 1) return { source: kinds[0]!, problem: null };
  const odd = good.filter((f) => sourceOf(f.info) !== current).map((f) => f.info.name);
  return { source: current, problem: `${odd.join(', ')} ${odd.length === 1 ? 'is' : 'are'} ${SOURCE_NAMES[current === 'csv' ? 'websocket' : 'csv']}, but this job reads ${SOURCE_NAMES[current]}: a job reads one source; build ${odd.length === 1 ? 'it' : 'them'} in another job, or remove ${odd.length === 1 ? 'it' : 'them'}.` };
}

/** Adds inspected files, replacing ones with the same path (kept in the order first added). */
export function mergeFiles(existing: FileEntry[], infos: FileInfo[]): FileEntry[] {
  const out = [...existing];
  for (const info of infos) {
    const i = out.findIndex((f) => f.info.path === info.path);
    const entry: FileEntry = { info, types: proposedUse(info).types, options: {} };
    if (i >= 0) out[i] = { ...entry, types: out[i]!.types.length ? out[i]!.types : entry.types, options: out[i]!.options };
    else out.push(entry);
  }
  return out;
}

export function toggleType(f: FileEntry, t: DataType): FileEntry {
  const types = f.types.includes(t) ? f.types.filter((x) => x !== t) : [...f.types, t];
  return { ...f, types };
}

/** Data types some file feeds, in the canonical order. */
export function typesInUse(files: FileEntry[]): DataType[] {
  return DATA_TYPES.filter((t) => files.some((f) => !f.info.error && f.types.includes(t)));
}

export function filesFor(files: FileEntry[], t: DataType): FileEntry[] {
  return files.filter((f) => !f.info.error && f.types.includes(t));
}

export const DELIMITERS: { value: string; label: string }[] = [
  { value: ',', label: 'Comma ,' },
  { value: ';', label: 'Semicolon ;' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe |' },
];

export function delimiterLabel(d: string): string {
  return DELIMITERS.find((x) => x.value === d)?.label ?? JSON.stringify(d);
}

export function compressionLabel(c: string): string {
  if (!c || c === 'none' || c === 'plain') return 'plain';
  return c;
}

/** The first day each file's name mentions, for marking on the calendar. */
export function markedDays(files: readonly FileEntry[]): string[] {
  return files.flatMap((f) => {
    const x = datesFromNames([f.info.name]);
    return x.start ? [x.start] : [];
  });
}

/** How many files feed a data type, as the data-type list says it. */
export function fileCountText(n: number): string {
  return n ? `${n} file${n === 1 ? '' : 's'}` : 'no file';
}
