// Resolves the config's file paths: relative to base_path, which is relative to the config file;
// '*' and '?' in the last path segment expand to the matching files, sorted by name.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

export async function resolveFiles(paths: string | string[], basePath: string | undefined, configDir: string): Promise<string[]> {
  const base = basePath ? resolve(configDir, basePath) : configDir;
  const out: string[] = [];
  for (const p of Array.isArray(paths) ? paths : [paths]) {
    const full = isAbsolute(p) ? p : join(base, p);
    const name = basename(full);
    if (!/[*?]/.test(name)) {
      out.push(full);
      continue;
    }
    const re = new RegExp('^' + name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    const dir = dirname(full);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => re.test(n)).sort();
    if (!names.length) throw new Error(`no file matches ${full}`);
    for (const n of names) if ((await stat(join(dir, n))).isFile()) out.push(join(dir, n));
  }
  return out;
}
