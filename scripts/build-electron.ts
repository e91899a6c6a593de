// Builds the Electron shell into dist-electron/ (run: npm run build:electron):
//  - electron/, engine/, hosts/, shared/ transpiled file by file to ESM .js, same folder layout, so the
//    engine's import.meta.url paths (resources, the job worker) keep working;
//  - the sandboxed preload bundled into one CommonJS file, dist-electron/preload.cjs (a sandboxed
//    preload cannot import ESM or local files);
//  - resources/ (instrument presets, the bundled sample) copied to dist-electron/resources/.
// The renderer is built separately by Vite into renderer/dist/ (the app loads it from there).
import { build } from 'esbuild';
import { cp, readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const OUT = join(ROOT, 'dist-electron');

async function tsFiles(dir: string): Promise<string[]> {
  const names = await readdir(join(ROOT, dir), { recursive: true });
  return names
    .filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts') && !n.endsWith('.test.ts'))
    .map((n) => join(dir, n))
    .filter((p) => relative('electron', p) !== 'preload.ts');
}

export async function buildElectron(): Promise<void> {
  await rm(OUT, { recursive: true, force: true });
  const entries = [...(await tsFiles('electron')), ...(await tsFiles('engine')), ...(await tsFiles('hosts')), ...(await tsFiles('shared'))];
  await build({
    absWorkingDir: ROOT, entryPoints: entries, outdir: OUT, outbase: '.', bundle: false, format: 'esm',
    platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning',
  });
  await build({
    absWorkingDir: ROOT, entryPoints: ['electron/preload.ts'], outfile: join(OUT, 'preload.cjs'), bundle: true, format: 'cjs',
    platform: 'node', target: 'chrome120', external: ['electron'], sourcemap: true, logLevel: 'warning',
  });
  await cp(join(ROOT, 'resources'), join(OUT, 'resources'), { recursive: true });
  console.log(`built ${entries.length + 1} files into ${relative(ROOT, OUT)}/ (main: dist-electron/electron/main.js, preload: dist-electron/preload.cjs)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildElectron();
}
