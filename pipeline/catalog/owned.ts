// Which files of a catalog catalog-builder wrote. Only those are ever replaced or deleted: files of
// other writers (NautilusTrader, a user's own) are left as they are. A record per file under
// .catalog-builder/owned/ (its path below data/ + '.json', holding its size) is written just before
// the file is committed; catalogs written before these records existed are recognised by the files
// their run reports list as written.
import { lstat, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { RunReport } from '../../shared/report.js';
import { writeFileAtomic } from './atomic.js';
import { commitCatalogFile, forgetCatalogFiles } from './manifest.js';

interface OwnedRecord {
  size: number;
  /** the size before the last replacement: a job killed between record and rename still owns it */
  prev?: number;
}

export class Ownership {
  /** paths below data/ that earlier run reports list as written (catalogs without records) */
  private fromReports: Set<string> | null = null;

  private constructor(
    private readonly dataDir: string,
    private readonly recordDir: string,
    private readonly runsDir: string,
    private readonly out: string,
  ) {}

  static async open(out: string, stateDir: string): Promise<Ownership> {
    return new Ownership(join(out, 'data'), join(stateDir, 'owned'), join(stateDir, 'runs'), out);
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

  /** The record folder of a catalog folder (checked for symbolic links like the folder itself). */
  recordFolder(folder: string): string {
    return join(this.recordDir, relative(this.dataDir, folder));
  }

  private recordOf(file: string): string {
    return join(this.recordDir, relative(this.dataDir, file) + '.json');
  }

  /** Called with the finished temporary file just before it is renamed to `dest`. */
  async record(tmp: string, dest: string): Promise<void> {
    const size = (await stat(tmp)).size;
    const path = this.recordOf(dest);
    const old = await this.read(path);
    await mkdir(dirname(path), { recursive: true });
    const rec: OwnedRecord = old && old.size !== size ? { size, prev: old.size } : { size };
    await writeFileAtomic(path, JSON.stringify(rec));
  }

  async owns(file: string): Promise<boolean> {
    const st = await lstat(file).catch(() => null);
    if (!st?.isFile()) return false;
    const rec = await this.read(this.recordOf(file));
    if (rec) return st.size === rec.size || st.size === rec.prev;
    return (await this.reported()).has(relative(this.dataDir, file));
  }

  /** After one of our files was deleted. */
  async forget(file: string): Promise<void> {
    await rm(this.recordOf(file), { force: true });
    this.fromReports?.delete(relative(this.dataDir, file));
  }

  private async read(path: string): Promise<OwnedRecord | null> {
    try {
      const r = JSON.parse(await readFile(path, 'utf8')) as OwnedRecord;
      return typeof r.size === 'number' ? r : null;
    } catch {
      return null;
    }
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
    await owned.record(tmp, dest);
    await commitCatalogFile(tmp, dest);
  }
  for (const f of journal.removes) {
    if (!(await owned.owns(f))) continue;
    await rm(f, { force: true });
    await owned.forget(f);
    await forgetCatalogFiles([f]);
  }
  await rm(path, { force: true });
  return true;
}
