// A file lands in the catalog only complete: written elsewhere, flushed, then renamed into place.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

async function fsyncPath(path: string, dir = false): Promise<void> {
  let fh;
  try {
    fh = await open(path, dir ? 'r' : 'r+');
    await fh.sync();
  } catch {
    // Some filesystems cannot fsync a directory; the rename is still atomic.
  } finally {
    await fh?.close();
  }
}

/** Moves a finished temporary file to `dest` (same filesystem), replacing any file there atomically. */
export async function commitFile(tmp: string, dest: string): Promise<void> {
  await fsyncPath(tmp);
  await mkdir(dirname(dest), { recursive: true });
  await rename(tmp, dest);
  await fsyncPath(dirname(dest), true);
}

export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true, recursive: true }).catch(() => undefined);
}
