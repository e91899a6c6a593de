// The manifest: every catalog file this tool wrote, with its size and SHA-256, in
// <catalog>/.catalog-builder/manifest.json. verify compares the files with it, so a flipped bit,
// an edited footer or a deleted file is found even where the Parquet reader would not notice.
// It is also the record of which files are ours to replace or delete (owned.ts Ownership).
// Updated around each commit (commitCatalogFile), rewritten whole each time (temporary file + rename).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { commitFile, removeQuietly } from './atomic.js';
import { STATE_DIR } from './paths.js';

export const MANIFEST = 'manifest.json';

export interface FileHash {
  size: number;
  sha256: string;
}

/**
 * A file this tool wrote. `pending` is set from just before the file is renamed into place until
 * the rename is recorded: a run interrupted in between leaves either the new file or, when it was
 * replacing one, the `prior` one (or none), and verify accepts exactly those.
 */
export interface ManifestEntry extends FileHash {
  pending?: true;
  prior?: FileHash;
}

/** Relative path ('/' separated, e.g. data/trade_tick/<id>/<file>) -> entry. */
export type Manifest = Map<string, ManifestEntry>;

export const manifestPath = (root: string) => join(root, STATE_DIR, MANIFEST);

export async function hashFile(path: string): Promise<FileHash> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: h.digest('hex') };
}

/** The manifest, or null when the catalog has none. Throws when it exists but cannot be read. */
export async function readManifest(root: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(manifestPath(root), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const doc = JSON.parse(text) as { version?: number; files?: Record<string, ManifestEntry> };
  if (doc.version !== 1 || !doc.files || typeof doc.files !== 'object') throw new Error('not a version 1 manifest');
  const m: Manifest = new Map();
  for (const [k, v] of Object.entries(doc.files)) {
    if (typeof v?.size !== 'number' || typeof v?.sha256 !== 'string') throw new Error(`entry ${k} lacks size or sha256`);
    const e: ManifestEntry = { size: v.size, sha256: v.sha256 };
    if (v.pending === true) e.pending = true;
    if (typeof v.prior?.size === 'number' && typeof v.prior?.sha256 === 'string') e.prior = { size: v.prior.size, sha256: v.prior.sha256 };
    m.set(k, e);
  }
  return m;
}

async function writeManifest(root: string, m: Manifest): Promise<void> {
  const files = Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const dest = manifestPath(root);
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify({ version: 1, files }, null, 1) + '\n');
    await commitFile(tmp, dest);
  } catch (e) {
    await removeQuietly(tmp);
    throw e;
  }
}

// One update at a time per catalog within this process (the catalog lock keeps other processes out).
const queues = new Map<string, Promise<unknown>>();

function update(root: string, f: (m: Manifest) => void): Promise<void> {
  const prev = queues.get(root) ?? Promise.resolve();
  const next = prev.then(async () => {
    // An unreadable manifest is replaced by a fresh one; verify reports files missing from it.
    const m = (await readManifest(root).catch(() => null)) ?? new Map();
    f(m);
    await writeManifest(root, m);
  });
  const tail = next.catch(() => undefined);
  queues.set(root, tail);
  void tail.then(() => {
    if (queues.get(root) === tail) queues.delete(root);
  });
  return next;
}

/** Catalog files live at <root>/data/<type>/<identifier>/<file>. */
export function catalogRootOf(file: string): string {
  return dirname(dirname(dirname(dirname(file))));
}

/** A catalog file's key in the manifest of catalog `root`. */
export const manifestKey = (root: string, file: string) => relative(root, file).split(sep).join('/');

/**
 * Commits a finished temporary file as catalog file `dest` (atomic.ts commitFile) and records it in
 * the manifest: announced (pending) before the rename, confirmed after it, so an interruption at
 * any point leaves a manifest that accounts for whatever file is there. The hash is taken from the
 * temporary file, which is the same bytes.
 */
export async function commitCatalogFile(tmp: string, dest: string): Promise<void> {
  const entry = await hashFile(tmp);
  const root = catalogRootOf(dest);
  const key = manifestKey(root, dest);
  await update(root, (m) => {
    const old = m.get(key);
    // A still-pending entry's file is unknown (new or prior); the next verify hashes whatever is there.
    const prior = old && !old.pending ? { size: old.size, sha256: old.sha256 } : old?.prior;
    m.set(key, { ...entry, pending: true, ...(prior ? { prior } : {}) });
  });
  await commitFile(tmp, dest);
  await update(root, (m) => m.set(key, entry));
}

/** Drops removed catalog files from the manifest. */
export async function forgetCatalogFiles(files: string[]): Promise<void> {
  if (!files.length) return;
  const root = catalogRootOf(files[0]!);
  await update(root, (m) => {
    for (const f of files) m.delete(manifestKey(root, f));
  });
}
