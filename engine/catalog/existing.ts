// What is already in a catalog folder: canonical files with their intervals, and foreign names.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFileName } from './paths.js';
import { readSignatureIsolated } from '../parquet/read-pool.js';

export interface ExistingFile {
  name: string;
  path: string;
  start: bigint;
  end: bigint;
}

export interface FolderState {
  files: ExistingFile[];
  /** .parquet files whose names are not <start>_<end>.parquet */
  foreign: string[];
}

export async function scanFolder(dir: string): Promise<FolderState> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: ExistingFile[] = [];
  const foreign: string[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.parquet')) continue;
    const iv = parseFileName(name);
    if (iv) files.push({ name, path: join(dir, name), ...iv });
    else foreign.push(name);
  }
  files.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return { files, foreign };
}

/**
 * Byte width and metadata of the files already in a folder (from the first one that reads). Read on
 * a reader thread (read-pool.ts): a damaged existing file must not end the CLI or the job.
 */
export async function folderSignature(state: FolderState): Promise<{ width: number | null; meta: Map<string, string>; file: string } | null> {
  for (const f of state.files) {
    try {
      const sig = await readSignatureIsolated(f.path);
      return { width: sig.width, meta: new Map(sig.meta), file: f.name };
    } catch {
      continue;
    }
  }
  return null;
}

export function overlaps(a: { start: bigint; end: bigint }, b: { start: bigint; end: bigint }): boolean {
  return a.start <= b.end && b.start <= a.end;
}
