// A file lands in the catalog only complete: written elsewhere, flushed, then renamed into place.
// The same holds for the state files beside it (.catalog-builder/): they are whole or absent.
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { lstat, mkdir, open, readlink, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A job refused or stopped for a reason the user can act on: the message says it all (no stack). */
export class JobError extends Error {}

/**
 * The user's words for the errno codes that stop a write (full or read-only disk, no permission);
 * undefined for any other error. The one place these texts are written (build.ts uses it too).
 */
export function writeErrnoText(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null | undefined)?.code;
  if (code === 'ENOSPC') return 'no space left on the output disk';
  if (code === 'EROFS') return 'the output disk is read-only';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return undefined;
}

/**
 * The user's words for a file-system error code a read or a write can end with (not found, no
 * permission, full or read-only disk); undefined for any other error.
 */
export function errnoText(e: unknown): string | undefined {
  if ((e as NodeJS.ErrnoException | null | undefined)?.code === 'ENOENT') return 'file not found';
  return writeErrnoText(e);
}

/** What a failed write means to the user (the caller names the file). */
export function describeWriteError(e: unknown): string {
  return writeErrnoText(e) ?? (e instanceof Error ? e.message : String(e));
}

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

/**
 * Writes a small file whole or not at all: a temporary file beside it, flushed, renamed over it. On
 * failure (a full disk) the previous file is intact and no temporary file is left; the error is a
 * JobError naming `path`.
 */
export async function writeFileAtomic(path: string, text: string, mode?: number): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const buf = Buffer.from(text);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      for (let off = 0; off < buf.length;) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new JobError(`writing ${path} failed: ${describeWriteError(e)}`);
  }
  await fsyncPath(dirname(path), true);
}

/**
 * Throws a JobError unless no existing part of `path` below `root` is a symbolic link: following one
 * would write or delete outside the catalog. `root` itself may be a link (a chosen alias of the
 * catalog folder); parts that do not exist yet are fine (they are created as real folders).
 */
export async function assertNoLinks(root: string, path: string): Promise<void> {
  const rel = relative(root, path);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new JobError(`${path} is outside the catalog ${root}`);
  let cur = root;
  for (const part of rel.split(sep).filter(Boolean)) {
    cur = join(cur, part);
    let st;
    try {
      st = await lstat(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (st.isSymbolicLink()) {
      const to = await readlink(cur).catch(() => '?');
      throw new JobError(`${cur} is a symbolic link (to ${to}); catalog-builder does not follow links inside a catalog, so that it never writes or deletes outside it: replace the link with a real folder, or choose another output folder`);
    }
  }
}

/** Removes a file or folder; a symbolic link is removed itself, never followed (fs.rm does not follow). */
export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true, recursive: true }).catch(() => undefined);
}

/** `path` with every symbolic link resolved, as far as it exists; the missing rest is appended as is. */
export function realPath(path: string): string {
  const p = resolve(path);
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      const real = realpathSync.native(cur);
      return rest.length ? join(real, ...rest.reverse()) : real;
    } catch {
      const up = dirname(cur);
      if (up === cur) return p;
      rest.push(basename(cur));
      cur = up;
    }
  }
}
