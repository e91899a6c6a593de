// npm run bench: the CSV -> catalog job on a generated Tardis trades CSV.gz (BENCH_ROWS, default 5M),
// measured against DuckDB and against NautilusTrader's own pipeline (when NAUTILUS_PYTHON names a
// Python with nautilus_trader) on the same file, plus a mark-price case and the preview of a 1 GB
// .csv.gz, quotes and bars beside NautilusTrader's own pipelines (bench/types.ts), and order-book deltas
// beside NautilusTrader's stream_deltas (bench/book.ts; BENCH_BOOK_ROWS, default 20M)
// (BENCH_TRADES_ONLY=1: only the trades case and its peers; BENCH_TYPES_ONLY=1: only quotes and bars;
// BENCH_BOOK_ONLY=1: only the order-book case). Figures go to stdout and
// .bench/results.json. Timings live here, never in tests.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEngine } from '../scripts/build-engine.js';
import { genBinanceCapture, genTardisTicker, genTardisTrades } from '../scripts/gen-data.js';
import { verifyCatalog } from '../engine/catalog/verify.js';
import { hostile } from './hostile.js';
import { benchTypes } from './types.js';
import { benchBook } from './book.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIR = resolve(process.env.BENCH_DIR ?? join(ROOT, '.bench'));
const ROWS = Number(process.env.BENCH_ROWS ?? 5_000_000);
const SKIP_DUCKDB = process.env.BENCH_NO_DUCKDB === '1';
const TRADES_ONLY = process.env.BENCH_TRADES_ONLY === '1';
/** BENCH_TYPES_ONLY=1: only the quotes and bars cases (bench/types.ts) */
const TYPES_ONLY = process.env.BENCH_TYPES_ONLY === '1';
/** BENCH_BOOK_ONLY=1: only the order-book deltas case (bench/book.ts) */
const BOOK_ONLY = process.env.BENCH_BOOK_ONLY === '1';
const NT_PYTHON = process.env.NAUTILUS_PYTHON;

interface Measure { ms: number; maxRssMb: number; rows?: number; files?: string[] }

// The engine as users run it (the app ships it as compiled .js): transpiled once per bench run, so
// neither the main thread nor the encoder threads compile TypeScript on the fly.
let CHILD = '';

function child(task: string, ...args: string[]): Measure {
  const out = execFileSync(process.execPath, [CHILD, task, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as Measure;
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function ensure(path: string, make: () => Promise<void>): Promise<string> {
  if (!existsSync(path)) {
    process.stdout.write(`generating ${path} …\n`);
    await make();
  }
  return path;
}

async function main() {
  await mkdir(DIR, { recursive: true });
  CHILD = await buildEngine(join(ROOT, '.bench', 'dist'));
  const results: Record<string, unknown> = { rows: ROWS, node: process.version, date: new Date().toISOString() };
  if (TYPES_ONLY || BOOK_ONLY) {
    if (TYPES_ONLY) results.types = await benchTypes(DIR, ROOT, child, NT_PYTHON);
    if (BOOK_ONLY) results.book = await benchBook(DIR, ROOT, child, NT_PYTHON);
    await writeFile(join(DIR, 'results.json'), JSON.stringify(results, null, 2));
    return;
  }
  const days = Math.max(1, Math.round(ROWS / 2_500_000));
  const trades = await ensure(join(DIR, `tardis-trades-${ROWS}.csv.gz`), () => genTardisTrades({ path: join(DIR, `tardis-trades-${ROWS}.csv.gz`), rows: ROWS, start: '2024-01-01', days }));
  const end = new Date(Date.parse('2024-01-01') + (days - 1) * 86_400_000).toISOString().slice(0, 10);

  // 1. Ours: CSV.gz -> NautilusTrader catalog, 128-bit, zstd.
  const out = join(DIR, 'catalog');
  await rm(out, { recursive: true, force: true });
  const spec = { source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end, output: out, dataTypes: ['trades'], precisionMode: 128, compression: 'zstd', config: { files: { trades: { file_path: trades } } } };
  const ours = child('build', JSON.stringify(spec));
  const bytes = (ours.files ?? []).reduce((a, f) => a + statSync(f).size, 0);
  const v = await verifyCatalog(out);
  const oursRate = ROWS / (ours.ms / 1000);
  results.ours = { ms: ours.ms, rowsPerSec: oursRate, maxRssMb: ours.maxRssMb, bytesPerRow: bytes / ROWS, verify: v.ok };
  process.stdout.write(`\nCSV.gz -> catalog, ${fmt(ROWS)} Tardis trades (${fmt(statSync(trades).size / 1e6, 1)} MB gz)\n`);
  process.stdout.write(`  catalog-builder: ${fmt(ours.ms / 1000, 2)} s  ${fmt(oursRate)} rows/s  peak RSS ${fmt(ours.maxRssMb)} MB  ${fmt(bytes / ROWS, 2)} bytes/row  verify ${v.ok ? 'OK' : 'FAILED'}\n`);

  // 2. DuckDB on the same file (2 threads), CSV -> Parquet sorted by receive time.
  if (!SKIP_DUCKDB) {
    const duckOut = join(DIR, 'duckdb.parquet');
    const duck = child('duckdb', trades, duckOut);
    const duckRate = ROWS / (duck.ms / 1000);
    results.duckdb = { ms: duck.ms, rowsPerSec: duckRate, maxRssMb: duck.maxRssMb, bytesPerRow: statSync(duckOut).size / ROWS };
    results.ratio = oursRate / duckRate;
    process.stdout.write(`  DuckDB 2 threads: ${fmt(duck.ms / 1000, 2)} s  ${fmt(duckRate)} rows/s  peak RSS ${fmt(duck.maxRssMb)} MB  ${fmt(statSync(duckOut).size / ROWS, 2)} bytes/row (its own Parquet, not Nautilus's format)\n`);
    process.stdout.write(`  ratio ours/DuckDB: ${fmt(oursRate / duckRate, 2)}× (target ≥ 1.3×)\n`);
  }

  // 2b. NautilusTrader's own pipeline on the same file: TardisCSVDataLoader.stream_trades into
  // ParquetDataCatalog.write_data, same instrument id and precision (bench/nautilus_peer.py).
  if (!NT_PYTHON || !existsSync(NT_PYTHON)) {
    process.stdout.write(`  NautilusTrader: skipped (set NAUTILUS_PYTHON to a Python with nautilus_trader, e.g. npm run setup:nautilus)\n`);
  } else {
    const ntOut = join(DIR, 'catalog-nautilus');
    await rm(ntOut, { recursive: true, force: true });
    const run = execFileSync(NT_PYTHON, [join(ROOT, 'bench', 'nautilus_peer.py'), trades, ntOut, 'BTCUSDT-PERP.BINANCE', '2', '3'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
    const nt = JSON.parse(run.trim().split('\n').pop()!) as Measure;
    const ntRate = ROWS / (nt.ms / 1000);
    const ntBytes = (nt.files ?? []).reduce((a, f) => a + statSync(f).size, 0);
    results.nautilus = { ms: nt.ms, rowsPerSec: ntRate, maxRssMb: nt.maxRssMb, bytesPerRow: ntBytes / ROWS, files: nt.files?.length, rows: nt.rows };
    results.ratioNautilus = oursRate / ntRate;
    process.stdout.write(`  NautilusTrader (stream_trades -> write_data): ${fmt(nt.ms / 1000, 2)} s  ${fmt(ntRate)} rows/s  peak RSS ${fmt(nt.maxRssMb)} MB  ${fmt(ntBytes / ROWS, 2)} bytes/row  ${fmt(nt.files?.length ?? 0)} files\n`);
    process.stdout.write(`  ratio ours/NautilusTrader: ${fmt(oursRate / ntRate, 2)}×${results.ratio !== undefined ? `  (ours/DuckDB: ${fmt(results.ratio as number, 2)}×)` : ''}\n`);
    await rm(ntOut, { recursive: true, force: true });
  }
  if (TRADES_ONLY) {
    await writeFile(join(DIR, 'results.json'), JSON.stringify(results, null, 2));
    process.stdout.write(`\nresults: ${join(DIR, 'results.json')}\n`);
    return;
  }

  // 3. Mark price from a Tardis derivative_ticker (1 row per second for a day).
  const ticker = await ensure(join(DIR, 'tardis-ticker-1s.csv.gz'), () => genTardisTicker({ path: join(DIR, 'tardis-ticker-1s.csv.gz'), start: '2024-01-01', days: 1, everySec: 1, gzip: true }));
  const markOut = join(DIR, 'catalog-mark');
  await rm(markOut, { recursive: true, force: true });
  const mark = child('build', JSON.stringify({ ...spec, end: '2024-01-01', output: markOut, dataTypes: ['mark'], config: { files: { mark: { file_path: ticker } } } }));
  results.mark = { ms: mark.ms, rows: 86_400, rowsPerSec: 86_400 / (mark.ms / 1000), maxRssMb: mark.maxRssMb };
  process.stdout.write(`\nMark price, 86,400 derivative_ticker rows: ${fmt(mark.ms / 1000, 2)} s  ${fmt(86_400 / (mark.ms / 1000))} rows/s\n`);

  // 4. A captured WebSocket session (JSONL.gz): aggTrade + markPrice@1s, one day.
  const capRows = Math.min(ROWS, 2_000_000);
  const capture = await ensure(join(DIR, `binance-capture-${capRows}.jsonl.gz`), () => genBinanceCapture({ path: join(DIR, `binance-capture-${capRows}.jsonl.gz`), trades: capRows, start: '2024-01-01', days: 1 }));
  const capOut = join(DIR, 'catalog-capture');
  await rm(capOut, { recursive: true, force: true });
  const cap = child('build', JSON.stringify({ ...spec, source: 'websocket', end: '2024-01-01', output: capOut, dataTypes: ['trades', 'mark'], config: { files: { trades: { file_path: capture }, mark: { file_path: capture } } } }));
  const capMsgs = capRows + 86_400;
  results.capture = { ms: cap.ms, messages: capMsgs, messagesPerSec: capMsgs / (cap.ms / 1000), maxRssMb: cap.maxRssMb };
  process.stdout.write(`\nWebSocket capture, ${fmt(capRows)} aggTrade + 86,400 markPrice messages (JSONL.gz): ${fmt(cap.ms / 1000, 2)} s  ${fmt(capMsgs / (cap.ms / 1000))} messages/s (target ≥ 1,000,000)  peak RSS ${fmt(cap.maxRssMb)} MB\n`);

  results.types = await benchTypes(DIR, ROOT, child, NT_PYTHON); // 4b. quotes and bars (bench/types.ts)
  results.book = await benchBook(DIR, ROOT, child, NT_PYTHON); // 4c. order-book deltas (bench/book.ts)

  // 5. Memory as the file grows (BENCH_SCALE=10000000,30000000: extra trades files, no DuckDB).
  const scale: unknown[] = [];
  for (const n of (process.env.BENCH_SCALE ?? '').split(',').filter(Boolean).map(Number)) {
    const d = Math.max(1, Math.round(n / 2_500_000));
    const f = await ensure(join(DIR, `tardis-trades-${n}.csv.gz`), () => genTardisTrades({ path: join(DIR, `tardis-trades-${n}.csv.gz`), rows: n, start: '2024-01-01', days: d }));
    const o = join(DIR, `catalog-${n}`);
    await rm(o, { recursive: true, force: true });
    const e = new Date(Date.parse('2024-01-01') + (d - 1) * 86_400_000).toISOString().slice(0, 10);
    const m = child('build', JSON.stringify({ ...spec, end: e, output: o, config: { files: { trades: { file_path: f } } } }));
    const b = (m.files ?? []).reduce((a, x) => a + statSync(x).size, 0);
    scale.push({ rows: n, ms: m.ms, rowsPerSec: n / (m.ms / 1000), maxRssMb: m.maxRssMb, bytesPerRow: b / n });
    process.stdout.write(`\nScale, ${fmt(n)} trades: ${fmt(m.ms / 1000, 2)} s  ${fmt(n / (m.ms / 1000))} rows/s  peak RSS ${fmt(m.maxRssMb)} MB  ${fmt(b / n, 2)} bytes/row\n`);
    await rm(o, { recursive: true, force: true });
  }
  if (scale.length) results.scale = scale;

  // 6. Preview of a 1 GB .csv.gz: a multi-member gzip (valid gzip, as `cat a.gz b.gz` makes).
  const big = join(DIR, 'big-1GB.csv.gz');
  await ensure(big, async () => {
    const chunk = await readFile(trades);
    for (let size = 0; size < 1_000_000_000; size += chunk.length) await appendFile(big, chunk);
  });
  const pv = child('preview', big);
  results.preview1GB = { ms: pv.ms, sizeBytes: statSync(big).size };
  process.stdout.write(`\nPreview, first 100 rows of a ${fmt(statSync(big).size / 1e9, 2)} GB .csv.gz: ${fmt(pv.ms)} ms\n`);

  results.ids = await (await import('./ids.js')).benchIds(); // 7. trade-id dedupe by id order (bench/ids.ts)
  results.hostile = await hostile();

  await writeFile(join(DIR, 'results.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`\nresults: ${join(DIR, 'results.json')}\n`);
}

await main();
