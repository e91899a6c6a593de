// The inputs a job reads: each resolved file, except that a zip archive is one input per data member
// (in name order, reported as `archive.zip:member.csv`); other members are skipped and named in a note.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FileConfig, SourceKind } from '../../shared/job.js';
import { sniff, zipEntries } from '../sources/io/open.js';

export interface Input {
  /** the file on disk */
  path: string;
  /** the zip member read, if the file is a zip archive */
  member?: string;
  /** how reports, rejects and errors name it: the path, or `path:member` */
  label: string;
  /** the same for the same bytes (one file listed twice, or reached through a link): device, inode and member */
  identity: string;
  /** the archive holds nothing to read: this input fails with this message */
  error?: string;
  /** the symbol whose rows are read, when not the job's (a renamed file the job allowed) */
  symbol?: string;
  /** the config entry of this file's layout, when the type has one entry per layout (else the type's entry) */
  fc?: FileConfig;
  /** a WebSocket capture's depth snapshot (the entry's snapshot_path), on the entry's first input */
  snapshot?: string;
}

/** Member names that hold data for a source kind (a README.txt or a checksum file is not data). */
const DATA_MEMBER: Record<'csv' | 'jsonl', RegExp> = { csv: /\.(csv|tsv)$/i, jsonl: /\.(jsonl?|ndjson)$/i };

export function memberKind(source: SourceKind): 'csv' | 'jsonl' {
  return source === 'websocket' ? 'jsonl' : 'csv';
}

/**
 * Splits a zip's member names into the data members to read (name order) and the others. A zip
 * holding a single file is read whatever that file is called (as a Binance Vision zip always was).
 */
export function dataMembers(names: string[], kind: 'csv' | 'jsonl'): { data: string[]; other: string[] } {
  // macOS resource forks and hidden files ride along in zips made by hand; they are never data.
  const files = names.filter((n) => !n.startsWith('__MACOSX/') && !basename(n).startsWith('.'));
  const sorted = [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const data = sorted.filter((n) => DATA_MEMBER[kind].test(n));
  if (!data.length && sorted.length === 1) return { data: sorted, other: names.filter((n) => n !== sorted[0]) };
  return { data, other: names.filter((n) => !data.includes(n)) };
}

/** The inputs of a list of files, with notes naming skipped zip members. */
export async function expandInputs(files: string[], source: SourceKind): Promise<{ inputs: Input[]; notes: string[] }> {
  const inputs: Input[] = [];
  const notes: string[] = [];
  const kind = memberKind(source);
  for (const path of files) {
    const st = await stat(path).catch(() => null);
    const identity = st ? `${st.dev}:${st.ino}` : path;
    const names = st?.isFile() && (await sniff(path).catch(() => 'none')) === 'zip' ? await zipEntries(path).catch(() => null) : null;
    // Not a zip (or an unreadable one): one input; reading it gives the error, if any.
    if (!names) {
      inputs.push({ path, label: path, identity });
      continue;
    }
    const { data, other } = dataMembers(names, kind);
    if (other.length) notes.push(`${path}: skipped ${other.length} zip member(s) that are not ${kind === 'csv' ? 'CSV' : 'JSONL'} files: ${other.join(', ')}`);
    if (!data.length) {
      inputs.push({ path, label: path, identity, error: names.length ? `the zip archive holds no ${kind === 'csv' ? 'CSV (.csv, .tsv)' : 'JSONL (.jsonl, .json, .ndjson)'} member (it holds ${names.join(', ')})` : 'zip archive holds no file' });
      continue;
    }
    for (const member of data) inputs.push({ path, member, label: `${path}:${member}`, identity: `${identity}:${member}` });
  }
  return { inputs, notes };
}
