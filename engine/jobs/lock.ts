// One job per catalog at a time. The lock file is created exclusively (a complete temporary file
// hard-linked into place: link() fails if the lock exists, and the lock is never seen half-written),
// keyed by the catalog's real path (an alias through a symbolic link is the same catalog) and owned
// by a job id: worker threads of one server share a pid, so a pid alone cannot tell two jobs apart.
// pid + host + process start time only serve to recognise the lock of a process that died.
import { readFileSync } from 'node:fs';
import { link, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { JobError, describeWriteError } from '../catalog/atomic.js';

export interface LockOwner {
  jobId: string;
  pid: number;
  host: string;
  startedAt: string;
  /** the owner process's start time (Linux: /proc/<pid>/stat), to tell a reused pid from the owner */
  procStart?: string;
}

/** Jobs of this thread holding a catalog (real path -> owner): a second one is refused at once. */
const held = new Map<string, LockOwner>();

/** Start time of a process in clock ticks since boot (Linux), else undefined. */
function procStart(pid: number): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function refusal(o: Partial<LockOwner>, catalog: string, lock: string): JobError {
  const who = o.jobId ? `job ${o.jobId}, started ${o.startedAt}, pid ${o.pid} on ${o.host}` : `pid ${o.pid ?? '?'}`;
  return new JobError(`another catalog-builder job (${who}) is writing to ${catalog}; wait for it to finish, or remove ${lock} if that job is no longer running`);
}

/**
 * Creates `path` holding `text` only if it does not exist. False when it exists. Filesystems without
 * hard links (FAT, some network shares) fall back to an exclusive open, removed again if the write fails.
 */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeSynced(tmp, text, 'w');
    try {
      await link(tmp, path);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    }
    try {
      await writeSynced(path, text, 'wx');
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

async function writeSynced(path: string, text: string, flags: 'w' | 'wx'): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.write(Buffer.from(text));
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    // Created but not written (e.g. disk full): never leave an empty lock behind.
    if (flags === 'wx') await rm(path, { force: true }).catch(() => undefined);
    throw e;
  }
  await fh.close();
}

/** The lock's owner; null when there is no lock; {} when it cannot be read as one of ours. */
async function readOwner(lock: string): Promise<Partial<LockOwner> | null> {
  let text: string;
  try {
    text = await readFile(lock, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (/^\d+$/.test(text.trim())) return { pid: Number(text), host: hostname() }; // older versions: a pid
  try {
    return JSON.parse(text) as LockOwner;
  } catch {
    return {};
  }
}

/** True when the owner is certainly gone: its process ended (or its pid now belongs to another process). */
async function isStale(o: Partial<LockOwner>, lock: string): Promise<boolean> {
  if (o.pid === undefined) {
    // Unreadable (an older version's empty lock after a full disk): stale once it is not brand new.
    const st = await stat(lock).catch(() => null);
    return !st || Date.now() - st.mtimeMs > 10_000;
  }
  if (o.host !== hostname()) return false; // another machine's process: cannot tell, never steal
  if (o.pid === process.pid) return o.procStart !== undefined && o.procStart !== procStart(process.pid);
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const now = procStart(o.pid);
  return o.procStart !== undefined && now !== undefined && now !== o.procStart;
}

const sameOwner = (a: Partial<LockOwner>, b: Partial<LockOwner> | null) =>
  !!b && a.jobId === b.jobId && a.pid === b.pid && a.startedAt === b.startedAt;

/**
 * Removes a stale lock. Under a second exclusive file, so that of two jobs that both found it stale
 * only one removes it, and only if it is still the stale one (not the lock the other just took).
 */
async function removeStale(lock: string, stale: Partial<LockOwner>): Promise<void> {
  const mutex = `${lock}.takeover`;
  if (!(await createExclusive(mutex, String(process.pid)))) {
    // Held by a job taking over right now; a takeover lasts milliseconds, so an old one is a leftover.
    const st = await stat(mutex).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 30_000) await rm(mutex, { force: true });
    await new Promise((r) => setTimeout(r, 20));
    return;
  }
  try {
    if (sameOwner(stale, await readOwner(lock))) await rm(lock, { force: true });
  } finally {
    await rm(mutex, { force: true });
  }
}

/**
 * Takes the catalog's lock for `jobId` or throws a JobError naming the job holding it. `catalog`:
 * the catalog's real path. Returns the release function.
 */
export async function takeLock(stateDir: string, catalog: string, jobId: string): Promise<() => Promise<void>> {
  const lock = join(stateDir, 'lock');
  const mine = held.get(catalog);
  if (mine) throw refusal(mine, catalog, lock);
  const me: LockOwner = { jobId, pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), procStart: procStart(process.pid) };
  // Reserved before the first await: two jobs of this thread cannot both get past here.
  held.set(catalog, me);
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        if (await createExclusive(lock, JSON.stringify(me))) return () => releaseLock(stateDir, jobId).finally(() => held.delete(catalog));
      } catch (e) {
        throw new JobError(`writing ${lock} failed: ${describeWriteError(e)}`);
      }
      const owner = await readOwner(lock);
      if (owner === null) continue; // released meanwhile: try again
      if (!(await isStale(owner, lock))) throw refusal(owner, catalog, lock);
      await removeStale(lock, owner);
    }
    throw new JobError(`could not take the lock ${lock}: it keeps changing; is another job starting on ${catalog}?`);
  } catch (e) {
    held.delete(catalog);
    throw e;
  }
}

/** Removes the lock if `jobId` holds it (the service calls this after terminating a job's worker). */
export async function releaseLock(stateDir: string, jobId: string): Promise<void> {
  const lock = join(stateDir, 'lock');
  const owner = await readOwner(lock).catch(() => null);
  if (owner?.jobId === jobId) await rm(lock, { force: true });
}
