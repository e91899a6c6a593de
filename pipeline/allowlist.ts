// The files and folders the user has chosen (dialog, drop, typed path in browser mode, the bundled
// sample, the default output folder). The service reads and writes only inside them, so a renderer
// that misbehaves cannot read or overwrite anything else on the disk.
import { isAbsolute, relative, resolve } from 'node:path';

export class AllowList {
  private readonly roots = new Set<string>();

  constructor(initial: Iterable<string> = []) {
    for (const p of initial) this.add(p);
  }

  /** Allows a file, or a folder and everything below it. */
  add(path: string): void {
    if (!path) return;
    this.roots.add(resolve(path));
  }

  has(path: string): boolean {
    const p = resolve(path);
    for (const root of this.roots) {
      const rel = relative(root, p);
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return true;
    }
    return false;
  }

  /** Throws a user-readable error unless `path` is inside something the user chose. */
  check(path: string, what = 'file'): string {
    const p = resolve(path);
    if (!this.has(p)) {
      throw new Error(`${p}: not a ${what} you picked or dropped; choose it with the file dialog, drop it on the window, or (browser mode) type a path inside a folder the server allows`);
    }
    return p;
  }

  list(): string[] {
    return [...this.roots];
  }
}
