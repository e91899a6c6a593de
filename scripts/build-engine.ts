// Transpiles the engine (engine/, hosts/, shared/) and the bench's child runner to plain ESM .js, file by
// file with the same layout (as the Electron build does), so the bench measures the code users run:
// no tsx compiling TypeScript on the fly in the main thread and in every worker thread.
import { build } from 'esbuild';
import { cp, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

async function tsFiles(dir: string): Promise<string[]> {
  const names = await readdir(join(ROOT, dir), { recursive: true });
  return names.filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts')).map((n) => join(dir, n));
}

/** Builds into `out` (inside the repository, so node_modules resolves); returns the path of bench/child.js. */
export async function buildEngine(out: string): Promise<string> {
  await rm(out, { recursive: true, force: true });
  const entries = [...(await tsFiles('engine')), ...(await tsFiles('hosts')), ...(await tsFiles('shared')), 'bench/child.ts'];
  await build({
    absWorkingDir: ROOT, entryPoints: entries, outdir: out, outbase: '.', bundle: false, format: 'esm',
    platform: 'node', target: 'node20', logLevel: 'warning',
  });
  await cp(join(ROOT, 'resources'), join(out, 'resources'), { recursive: true });
  return join(out, 'bench', 'child.js');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildEngine(resolve(process.argv[2] ?? join(ROOT, '.bench', 'dist'))));
}
