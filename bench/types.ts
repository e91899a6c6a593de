// Bench cases for the other data types, each beside NautilusTrader's own pipeline on the same input
// (bench/nautilus_peer_types.py, when NAUTILUS_PYTHON is set): 1M Tardis quotes (CSV.gz) and one year
// of Binance Vision 1-minute klines (525,600 bars). Rows/s, peak RSS, bytes per row.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { genTardisQuotes, genVisionKlines } from '../scripts/gen-data.js';

export interface Measure { ms: number; cpuMs?: number; maxRssMb: number; rows?: number; files?: string[] }
type Child = (task: string, ...args: string[]) => Measure;

interface Case {
  name: string;
  kind: 'quotes' | 'bars';
  file: string;
  make: () => Promise<void>;
  rows: number;
  start: string;
  end: string;
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const bytesOf = (files: string[] = []) => files.reduce((a, f) => a + statSync(f).size, 0);

function cases(dir: string): Case[] {
  const quotes = join(dir, 'tardis-quotes-1000000.csv.gz');
  const klines = join(dir, 'vision-klines-1m-365d.csv');
  return [
    { name: '1M Tardis quotes (CSV.gz)', kind: 'quotes', file: quotes, rows: 1_000_000, start: '2024-01-01', end: '2024-01-01',
      make: () => genTardisQuotes({ path: quotes, rows: 1_000_000, start: '2024-01-01', days: 1 }) },
    { name: '1 year of 1-minute klines (525,600 bars, CSV)', kind: 'bars', file: klines, rows: 525_600, start: '2024-01-01', end: '2024-12-30',
      make: () => genVisionKlines({ path: klines, start: '2024-01-01', days: 365 }) },
  ];
}

export async function benchTypes(dir: string, root: string, child: Child, ntPython: string | undefined): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  for (const c of cases(dir)) {
    if (!existsSync(c.file)) { process.stdout.write(`generating ${c.file} …\n`); await c.make(); }
    const out = join(dir, `catalog-${c.kind}`);
    await rm(out, { recursive: true, force: true });
    const spec = { source: 'csv', symbol: 'BTCUSDT', start: c.start, end: c.end, output: out, dataTypes: [c.kind], precisionMode: 128, compression: 'zstd',
      config: { files: { [c.kind]: { file_path: c.file } } } };
    process.stdout.write(`\n${c.name}\n`);
    let ours: Measure;
    try {
      ours = child('build', JSON.stringify(spec));
    } catch (e) {
      process.stdout.write(`  catalog-builder: failed (${(e as Error).message.split('\n')[0]})\n`);
      continue;
    }
    const rate = c.rows / (ours.ms / 1000);
    const r: Record<string, unknown> = { ours: { ms: ours.ms, rows: ours.rows, rowsPerSec: rate, maxRssMb: ours.maxRssMb, bytesPerRow: bytesOf(ours.files) / c.rows } };
    process.stdout.write(`  catalog-builder: ${fmt(ours.ms / 1000, 2)} s  ${fmt(rate)} rows/s  peak RSS ${fmt(ours.maxRssMb)} MB  ${fmt(bytesOf(ours.files) / c.rows, 2)} bytes/row  (${fmt(ours.rows ?? 0)} written)\n`);
    if (ntPython && existsSync(ntPython)) {
      const ntOut = join(dir, `catalog-${c.kind}-nautilus`);
      await rm(ntOut, { recursive: true, force: true });
      const run = execFileSync(ntPython, [join(root, 'bench', 'nautilus_peer_types.py'), c.kind, c.file, ntOut, 'BTCUSDT-PERP.BINANCE', '2', '3'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
      const nt = JSON.parse(run.trim().split('\n').pop()!) as Measure;
      const ntRate = c.rows / (nt.ms / 1000);
      r.nautilus = { ms: nt.ms, rows: nt.rows, rowsPerSec: ntRate, maxRssMb: nt.maxRssMb, bytesPerRow: bytesOf(nt.files) / c.rows };
      r.ratioNautilus = rate / ntRate;
      process.stdout.write(`  NautilusTrader (${c.kind === 'quotes' ? 'stream_quotes' : 'pandas + BarDataWrangler'} -> write_data): ${fmt(nt.ms / 1000, 2)} s  ${fmt(ntRate)} rows/s  peak RSS ${fmt(nt.maxRssMb)} MB  ${fmt(bytesOf(nt.files) / c.rows, 2)} bytes/row\n`);
      process.stdout.write(`  ratio ours/NautilusTrader: ${fmt(rate / ntRate, 2)}×\n`);
      await rm(ntOut, { recursive: true, force: true });
    }
    results[c.kind] = r;
    await rm(out, { recursive: true, force: true });
  }
  return results;
}
