// Which files of a catalog catalog-builder wrote. Only those are ever replaced or deleted: files of
// other writers (NautilusTrader, a user's own) are left as they are. The manifest (manifest.ts) is
// the record: a file is ours while its size is that of its entry, or of the entry's prior file while
// a commit is pending. Catalogs written before the manifest are recognised by the files their run
// reports list as written.
import { lstat, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { RunReport } from '../../shared/report.js';
import { writeFileAtomic } from './atomic.js';
import { type Manifest, commitCatalogFile, forgetCatalogFiles, manifestKey, manifestPath, readManifest } from './manifest.js';

export class Ownership {
  /** paths below data/ that earlier run reports list as written (catalogs without a manifest entry) */
  private fromReports: Set<string> | null = null;
  /** the manifest as last read, and the stat of its file then (every update renames a new file in) */
  private cached: { stamp: string; manifest: Manifest | null } | null = null;

  private constructor(
    private readonly out: string,
    private readonly runsDir: string,
  ) {}

  static async open(out: string, stateDir: string): Promise<Ownership> {
    return new Ownership(out, join(stateDir, 'runs'));
  }

  /** Paths below data/ that earlier run reports list as written; read once, when first needed. */
  private async reported(): Promise<Set<string>> {
    if (this.fromReports) return this.fromReports;
    const found = new Set<string>();
    for (const run of await readdir(this.runsDir).catch(() => [] as string[])) {
      let r: RunReport;
      try {
        r = JSON.parse(await readFile(join(this.runsDir, run, 'report.json'), 'utf8')) as RunReport;
      } catch {
        continue;
      }
      const base = join(resolve(typeof r.job?.output === 'string' ? r.job.output : this.out), 'data');
      const files = [r.instrument?.file, ...(r.days ?? []).filter((d) => d.state === 'done' && d.written > 0).map((d) => d.file)];
      for (const f of files) if (f) found.add(relative(base, f));
    }
    return (this.fromReports = found);
  }

  /**
   * The manifest, read again only when its file changed: owns() is asked for every file of a folder,
   * and the manifest of a large catalog is too big to parse for each. An unreadable one counts as none.
   */
  private async manifest(): Promise<Manifest | null> {
    const st = await stat(manifestPath(this.out)).catch(() => null);
    const stamp = st ? `${st.ino}:${st.size}:${st.mtimeMs}` : '';
    if (this.cached?.stamp !== stamp) {
      this.cached = { stamp, manifest: st ? await readManifest(this.out).catch(() => null) : null };
    }
    return this.cached.manifest;
  }

  /**
   * By size only, not the hash: --overwrite asks this of every file of a folder, and hashing them all
   * would read the whole catalog; another writer's file of exactly our size under our name is not
   * a case worth that (verify compares the hashes).
   */
  async owns(file: string): Promise<boolean> {
    const st = await lstat(file).catch(() => null);
    if (!st?.isFile()) return false;
    const entry = (await this.manifest())?.get(manifestKey(this.out, file));
    if (entry) return st.size === entry.size || (!!entry.pending && st.size === entry.prior?.size);
    return (await this.reported()).has(relative(join(this.out, 'data'), file));
  }
}

/**
 * Renames and deletions that must all happen (an instrument's precision change: the instrument and
 * its days). The journal is written first, then applied; a job stopped part-way (killed, a failed
 * rename) is completed by the next job on the catalog, which applies it before anything else.
 */
export interface Journal {
  /** [finished temporary file, destination]: moved unless already moved */
  moves: [string, string][];
  /** files to delete once the moves are done, if they are ours */
  removes: string[];
}

export async function runJournal(path: string, journal: Journal, owned: Ownership): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(journal));
  await applyJournal(path, owned);
}

/** Completes a journal left at `path`; false when there is none. */
export async function applyJournal(path: string, owned: Ownership): Promise<boolean> {
  let journal: Journal;
  try {
    journal = JSON.parse(await readFile(path, 'utf8')) as Journal;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  for (const [tmp, dest] of journal.moves) {
    if (!(await stat(tmp).catch(() => null))) continue; // moved before the stop
    await commitCatalogFile(tmp, dest);
  }
  for (const f of journal.removes) {
    if (!(await owned.owns(f))) continue;
    await rm(f, { force: true });
    await forgetCatalogFiles([f]);
  }
  await rm(path, { force: true });
  return true;
}
