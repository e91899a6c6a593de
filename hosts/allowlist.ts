// The files and folders the user has chosen (dialog, drop, typed path in browser mode, the bundled
// sample, the default output folder). The service reads and writes only inside them, so a renderer
// that misbehaves cannot read or overwrite anything else on the disk.
//
// Paths are compared after resolving symbolic links (fs.realpath): a link inside a chosen folder
// that points elsewhere (…/picked/link -> /etc) does not open the place it points to. For a path that
// does not exist yet (a new output folder) the nearest existing parent is resolved.
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { realPath } from '../engine/index.js';

export { realPath };

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false; // not there yet (a new output folder): a folder to be
  }
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

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
    const real = realPath(p);
    for (const root of this.roots) {
      // Inside a chosen root as written, and still inside it once links are followed (the root's own
      // links are followed too: a chosen folder may itself be a link).
      if (inside(root, p) && inside(realPath(root), real)) return true;
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

  /** The allowed folders a user may put files in, as the app names them: no files (a picked file
   *  allows only itself), none inside another, none of `hidden`; in the order they were allowed. */
  folders(hidden: string[] = []): string[] {
    const skip = new Set(hidden.map((h) => resolve(h)));
    const dirs = [...this.roots].filter((r) => !skip.has(r) && !isFile(r));
    return dirs.filter((d) => !dirs.some((o) => o !== d && inside(o, d)));
  }
}
