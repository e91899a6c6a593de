// Bench case for order books: a generated Tardis incremental_book_L2 CSV.gz (BENCH_BOOK_ROWS deltas
// over one day, default 20M) built by us and by NautilusTrader's own streaming form on the same file
// (TardisCSVDataLoader.stream_deltas -> ParquetDataCatalog.write_data, bench/nautilus_peer_types.py),
// side by side: deltas/s, peak RSS, bytes per delta of the Parquet. Then the memory flatness: our
// peak RSS on smaller and larger days of the same generator (BENCH_BOOK_SCALE, default 1M; files
// are generated once into the bench folder, so 30M costs its generation only on the first run).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { genTardisBookL2 } from '../scripts/gen-data.js';
import type { Measure } from './types.js';

type Child = (task: string, ...args: string[]) => Measure;

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const bytesOf = (files: string[] = []) => files.reduce((a, f) => a + statSync(f).size, 0);
/** The generator's decimals: prices in ticks of 0.1, amounts in thousandths. */
const PRICE_PRECISION = 1, SIZE_PRECISION = 3;

/** The bench's L2 file of `rows` deltas (1,000 levels a side in each snapshot), generated once. */
async function bookFile(dir: string, rows: number): Promise<string> {
  const path = join(dir, `tardis-book-l2-${rows}.csv.gz`);
  if (!existsSync(path)) {
    process.stdout.write(`generating ${path} …\n`);
    // under another name until complete: an interrupted run leaves no short file behind
    await genTardisBookL2({ path: path + '.part', rows, start: '2024-01-01', days: 1, levels: 1000 });
    await rename(path + '.part', path);
  }
  return path;
}

/** Our build of one file: time, peak RSS and the Parquet's bytes per delta written. */
async function ours(dir: string, child: Child, file: string, rows: number) {
  const out = join(dir, 'catalog-deltas');
  await rm(out, { recursive: true, force: true });
  const spec = { source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: out, dataTypes: ['deltas'], precisionMode: 128, compression: 'zstd',
    pricePrecision: PRICE_PRECISION, sizePrecision: SIZE_PRECISION, config: { files: { deltas: { file_path: file } } } };
  const m = child('build', JSON.stringify(spec));
  const r = { ms: m.ms, cpuMs: m.cpuMs ?? 0, written: m.rows, deltasPerSec: rows / (m.ms / 1000), maxRssMb: m.maxRssMb, bytesPerDelta: bytesOf(m.files) / (m.rows ?? rows) };
  await rm(out, { recursive: true, force: true });
  return r;
}

export async function benchBook(dir: string, root: string, child: Child, ntPython: string | undefined): Promise<Record<string, unknown>> {
  const rows = Number(process.env.BENCH_BOOK_ROWS ?? 20_000_000);
  const file = await bookFile(dir, rows);
  const results: Record<string, unknown> = { rows };
  process.stdout.write(`\nOrder-book deltas: ${fmt(rows)} Tardis incremental_book_L2 rows over one day (${fmt(statSync(file).size / 1e6, 1)} MB gz)\n`);
  const o = await ours(dir, child, file, rows);
  results.ours = o;
  process.stdout.write(`  catalog-builder: ${fmt(o.ms / 1000, 2)} s (CPU ${fmt(o.cpuMs / 1000, 1)} s)  ${fmt(o.deltasPerSec)} deltas/s  peak RSS ${fmt(o.maxRssMb)} MB  ${fmt(o.bytesPerDelta, 2)} bytes/delta  (${fmt(o.written ?? 0)} written)\n`);
  // DuckDB (2 threads) on the same CSV -> Parquet, sorted by receive time: the floor issue 17 sets (>= 1.3x).
  if (process.env.BENCH_NO_DUCKDB !== '1') {
    const duckOut = join(dir, 'duckdb-deltas.parquet');
    const duck = child('duckdb', file, duckOut);
    const duckRate = rows / (duck.ms / 1000);
    results.duckdb = { ms: duck.ms, cpuMs: duck.cpuMs, deltasPerSec: duckRate, maxRssMb: duck.maxRssMb, bytesPerDelta: statSync(duckOut).size / rows };
    results.ratioDuckdb = o.deltasPerSec / duckRate;
    process.stdout.write(`  DuckDB 2 threads (CSV -> its own Parquet): ${fmt(duck.ms / 1000, 2)} s (CPU ${fmt((duck.cpuMs ?? 0) / 1000, 1)} s)  ${fmt(duckRate)} deltas/s  peak RSS ${fmt(duck.maxRssMb)} MB  ${fmt(statSync(duckOut).size / rows, 2)} bytes/delta\n`);
    process.stdout.write(`  ratio ours/DuckDB: ${fmt(o.deltasPerSec / duckRate, 2)}× (target ≥ 1.3×)\n`);
    await rm(duckOut, { force: true });
  }
  if (!ntPython || !existsSync(ntPython)) {
    process.stdout.write(`  NautilusTrader: skipped (no Python with nautilus_trader at ${ntPython ?? '(NAUTILUS_PYTHON unset)'}; npm run setup:nautilus makes one)\n`);
  } else {
    const ntOut = join(dir, 'catalog-deltas-nautilus');
    await rm(ntOut, { recursive: true, force: true });
    const run = execFileSync(ntPython, [join(root, 'bench', 'nautilus_peer_types.py'), 'deltas', file, ntOut, 'BTCUSDT-PERP.BINANCE', String(PRICE_PRECISION), String(SIZE_PRECISION)],
      { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
    const nt = JSON.parse(run.trim().split('\n').pop()!) as Measure;
    const ntRate = rows / (nt.ms / 1000);
    const ntCpu = nt.cpuMs ?? 0;
    results.nautilus = { ms: nt.ms, cpuMs: ntCpu, written: nt.rows, deltasPerSec: ntRate, maxRssMb: nt.maxRssMb, bytesPerDelta: bytesOf(nt.files) / (nt.rows ?? rows), files: nt.files?.length };
    results.ratioNautilus = o.deltasPerSec / ntRate;
    // CPU time for the same rows: less sensitive than wall time to what else the machine runs
    results.cpuRatioNautilus = ntCpu / o.cpuMs;
    process.stdout.write(`  NautilusTrader (stream_deltas -> write_data): ${fmt(nt.ms / 1000, 2)} s (CPU ${fmt(ntCpu / 1000, 1)} s)  ${fmt(ntRate)} deltas/s  peak RSS ${fmt(nt.maxRssMb)} MB  ${fmt(bytesOf(nt.files) / (nt.rows ?? rows), 2)} bytes/delta  (${fmt(nt.rows ?? 0)} written, ${fmt(nt.files?.length ?? 0)} files)\n`);
    process.stdout.write(`  ratio ours/NautilusTrader: ${fmt(o.deltasPerSec / ntRate, 2)}× by wall time (target ≥ 3×), ${fmt(ntCpu / o.cpuMs, 2)}× by CPU time\n`);
    await rm(ntOut, { recursive: true, force: true });
  }
  // Memory as the day grows: our peak RSS for the other sizes beside the main case's.
  const scale = [{ rows, maxRssMb: o.maxRssMb, deltasPerSec: o.deltasPerSec }];
  for (const n of (process.env.BENCH_BOOK_SCALE ?? '1000000').split(',').filter(Boolean).map(Number)) {
    if (n === rows) continue;
    const m = await ours(dir, child, await bookFile(dir, n), n);
    scale.push({ rows: n, maxRssMb: m.maxRssMb, deltasPerSec: m.deltasPerSec });
  }
  scale.sort((a, b) => a.rows - b.rows);
  results.scale = scale;
  const lo = scale[0]!, hi = scale[scale.length - 1]!;
  process.stdout.write(`  memory as the day grows: ${scale.map((s) => `${fmt(s.rows / 1e6, 1)}M deltas ${fmt(s.maxRssMb)} MB`).join(', ')}` +
    (scale.length > 1 ? `  (${fmt(hi.rows / lo.rows, 1)}× the rows, ${hi.maxRssMb >= lo.maxRssMb ? '+' : ''}${fmt(hi.maxRssMb - lo.maxRssMb)} MB)` : '') +
    `  (target ≤ 300 MB: ${scale.every((s) => s.maxRssMb <= 300) ? 'met' : 'NOT met'})\n`);
  return results;
}
