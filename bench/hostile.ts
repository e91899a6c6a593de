// Hostile inputs (issue 11, items 1 and 9): stray quotes in a Tardis trades CSV (full builds of 20k
// and 80k rows, the preview of a 4.8 MB file), one 64 MB line inside a zip, and a gzip bomb
// (300 MB of NUL bytes in ~300 KB), plus one 64 MB line of random text in a gzip (the zip's line of
// one repeated byte is itself refused as a bomb). BENCH_HOSTILE_ONLY=<part of a name> runs some. Each case runs in its own process with a time cap
// (BENCH_HOSTILE_CAP_S, default 60 s) so a case that hangs is reported as such instead of
// holding the shared machine. Runs on its own: `node --import tsx bench/hostile.ts`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import yazl from 'yazl';
import { genTardisTrades } from '../scripts/gen-data.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIR = resolve(process.env.BENCH_DIR ?? join(ROOT, '.bench'), 'hostile');
const CAP_S = Number(process.env.BENCH_HOSTILE_CAP_S ?? 60);
const SELF = fileURLToPath(import.meta.url);

/** A Tardis trades CSV of `rows` rows with `"` put into one field of row 10 (`12"3` in the id, or `"sell`). */
async function strayQuoteCsv(path: string, rows: number, how: 'middle' | 'start'): Promise<string> {
  if (existsSync(path)) return path;
  const plain = path + '.tmp';
  await genTardisTrades({ path: plain, rows, start: '2024-01-01', days: 1, gzip: false });
  const lines = (await readFile(plain, 'utf8')).split('\n');
  const f = lines[10]!.split(',');
  if (how === 'middle') f[4] = f[4]!.slice(0, 2) + '"' + f[4]!.slice(2);
  else f[5] = '"' + f[5];
  lines[10] = f.join(',');
  await writeFile(path, lines.join('\n'));
  await rm(plain);
  return path;
}

async function longLineZip(path: string): Promise<string> {
  if (existsSync(path)) return path;
  const header = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n';
  const row = 'binance-futures,BTCUSDT,1704067200000000,1704067200005000,1,buy,42000.1,0.001\n';
  const long = Buffer.alloc(64 << 20, 'x');
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.concat([Buffer.from(header + row), long, Buffer.from('\n' + row.replace(',1,', ',2,'))]), 'long.csv');
  zip.end();
  await new Promise<void>((ok, bad) => zip.outputStream.pipe(createWriteStream(path)).on('close', ok).on('error', bad));
  return path;
}

/** One 64 MB line of random text (compresses ~1.3×, so no bomb) between rows, gzip. */
async function longLineGzip(path: string): Promise<string> {
  if (existsSync(path)) return path;
  const header = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n';
  const row = 'binance-futures,BTCUSDT,1704067200000000,1704067200005000,1,buy,42000.1,0.001\n';
  const gz = createGzip({ level: 1 });
  const done = new Promise<void>((ok, bad) => gz.pipe(createWriteStream(path)).on('close', ok).on('error', bad));
  gz.write(header + row);
  for (let i = 0; i < 64; i++) if (!gz.write(randomBytes(768 << 10).toString('base64').slice(0, 1 << 20))) await new Promise((r) => gz.once('drain', r));
  gz.end('\n' + row.replace(',1,', ',2,'));
  await done;
  return path;
}

/** A plain CSV whose first line (the header) is 200 MB. */
async function longHeader(path: string): Promise<string> {
  if (existsSync(path)) return path;
  const out = createWriteStream(path);
  const done = new Promise<void>((ok, bad) => out.on('close', ok).on('error', bad));
  const block = Buffer.from('col,'.repeat(1 << 18));
  for (let i = 0; i < 200; i++) if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  out.end('price\n1,2\n');
  await done;
  return path;
}

/** 300 MB in ~300 KB: NUL bytes, or text lines of 512 KiB (past the refusal of binary input). */
async function gzipBomb(path: string, text = false): Promise<string> {
  if (existsSync(path)) return path;
  const gz = createGzip({ level: 9 });
  const done = new Promise<void>((ok, bad) => gz.pipe(createWriteStream(path)).on('close', ok).on('error', bad));
  const block = text ? Buffer.from(('a'.repeat((512 << 10) - 1) + '\n').repeat(2)) : Buffer.alloc(1 << 20);
  if (text) gz.write('exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n');
  for (let i = 0; i < 300; i++) if (!gz.write(block)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await done;
  return path;
}

/** One case, in this process (the child side). Prints a JSON line. */
async function runCase(kind: string, file: string): Promise<void> {
  // Loaded first: the figure is the work on the file, not module loading.
  const { runBuild } = await import('../engine/jobs/build.js');
  const { preview } = await import('../engine/preview.js');
  const t0 = performance.now();
  let extra: Record<string, unknown> = {};
  if (kind === 'build') {
    const out = join(DIR, 'catalog-' + process.pid);
    try {
      const r = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: out, dataTypes: ['trades'], config: { files: { trades: { file_path: file } } } });
      extra = { read: r.totals.read, written: r.totals.written, rejected: r.totals.rejected, errors: r.errors.map((e) => e.slice(0, 200)) };
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  } else {
    try {
      const p = await preview({ path: file, dataType: 'trades', rows: 100 });
      extra = { rows: p.rows.length, rejected: p.rows.filter((r) => r.status === 'rejected').length };
    } catch (e) {
      extra = { error: (e as Error).message.slice(0, 200) };
    }
  }
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra }) + '\n');
}

export async function hostile(): Promise<Record<string, unknown>> {
  await mkdir(DIR, { recursive: true });
  const cases: [string, string, () => Promise<string>][] = ([
    ['stray quote 12"3, 20k rows: build', 'build', () => strayQuoteCsv(join(DIR, 'stray-20k.csv'), 20_000, 'middle')],
    ['stray quote "sell, 20k rows: build', 'build', () => strayQuoteCsv(join(DIR, 'stray-start-20k.csv'), 20_000, 'start')],
    ['stray quote 12"3, 80k rows: build', 'build', () => strayQuoteCsv(join(DIR, 'stray-80k.csv'), 80_000, 'middle')],
    ['stray quote "sell, 4.8 MB: preview', 'preview', () => strayQuoteCsv(join(DIR, 'stray-start-48k.csv'), 48_000, 'start')],
    ['one 64 MB line in a zip: build', 'build', () => longLineZip(join(DIR, 'long-line.zip'))],
    ['one 64 MB line of random text in a gzip: build', 'build', () => longLineGzip(join(DIR, 'long-line-random.csv.gz'))],
    ['a 200 MB first line, plain: build', 'build', () => longHeader(join(DIR, 'long-header.csv'))],
    ['gzip bomb, 300 MB of NUL: build', 'build', () => gzipBomb(join(DIR, 'nul-bomb.gz'))],
    ['gzip bomb, 300 MB of 512 KiB text lines: build', 'build', () => gzipBomb(join(DIR, 'text-bomb.csv.gz'), true)],
  ] as [string, string, () => Promise<string>][]).filter(([name]) => !process.env.BENCH_HOSTILE_ONLY || name.includes(process.env.BENCH_HOSTILE_ONLY));
  const results: Record<string, unknown> = {};
  process.stdout.write(`\nHostile inputs (cap ${CAP_S} s per case)\n`);
  for (const [name, kind, make] of cases) {
    const file = await make();
    const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, kind, file], { cwd: ROOT, encoding: 'utf8', timeout: CAP_S * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 24 });
    let res: Record<string, unknown>;
    if (r.signal) res = { ms: null, capped: true };
    else {
      try {
        res = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      } catch {
        res = { ms: null, failed: (r.stderr || r.stdout).slice(-300) };
      }
    }
    results[name] = res;
    const { ms, maxRssMb, ...rest } = res as { ms: number | null; maxRssMb?: number };
    const time = ms === null ? `> ${CAP_S} s (stopped)` : `${(ms / 1000).toFixed(2)} s`;
    process.stdout.write(`  ${name}: ${time}${maxRssMb ? `  peak RSS ${Math.round(maxRssMb)} MB` : ''}  ${JSON.stringify(rest)}\n`);
  }
  return results;
}

if (process.argv[1] === SELF) {
  const [kind, file] = process.argv.slice(2);
  if (kind) await runCase(kind, file!);
  else await hostile();
}
