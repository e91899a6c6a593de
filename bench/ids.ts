// Trade-id dedupe cost by id order (issue 11 item 10): IdSet alone and Normalizer.trade() (parse,
// validate, dedupe; the day counts rows but keeps none) on 1M shuffled numeric ids, 1M sorted,
// 1M string ids and 3M shuffled; then a whole job (runBuild) over a 1M-row CSV with shuffled ids, as
// the issue measured it. Run alone: node --import tsx bench/ids.ts (BENCH_IDS_3M=0 skips 3M,
// BENCH_IDS_BUILD=0 skips the job).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixedMode } from '../engine/numbers/fixed.js';
import { TRADE_TICK } from '../engine/datatypes/index.js';
import { runBuild } from '../engine/jobs/build.js';
import { MemorySink } from '../engine/normalize/sink.js';
import { IdSet } from '../engine/normalize/idset.js';
import { Normalizer } from '../engine/normalize/normalizer.js';

const DAY0 = 19723; // 2024-01-01
const NS_DAY = 86_400_000_000_000n;
const BASE = 4_000_000_000; // Binance-like trade ids

/** Deterministic Fisher-Yates shuffle (LCG), so before/after runs see the same order. */
function shuffled(n: number): string[] {
  const ids = Array.from({ length: n }, (_, i) => String(BASE + i));
  let s = 12345;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

function cases(): [string, () => string[]][] {
  const out: [string, () => string[]][] = [
    ['1M sorted numeric', () => Array.from({ length: 1e6 }, (_, i) => String(BASE + i))],
    ['1M shuffled numeric', () => shuffled(1e6)],
    ['1M string ids', () => Array.from({ length: 1e6 }, (_, i) => `t-${(BASE + i).toString(36)}`)],
  ];
  if (process.env.BENCH_IDS_3M !== '0') out.push(['3M shuffled numeric', () => shuffled(3e6)]);
  return out;
}

function timeIdSet(ids: string[]): number {
  const t0 = performance.now();
  const set = new IdSet();
  for (const id of ids) if (!set.add(id)) throw new Error(`IdSet: ${id} reported as seen`);
  return performance.now() - t0;
}

function timeNormalizer(ids: string[]): number {
  const fm = fixedMode(128);
  const sink = new MemorySink(TRADE_TICK.layout(fm), false); // counts rows, keeps none: the cost measured is reading and dedupe
  const norm = new Normalizer({ type: 'trades', fm, symbol: 'BTCUSDT', pricePrecision: 2, sizePrecision: 3, startDay: DAY0, sinkAt: (i) => (i === 0 ? sink : undefined), rejects: null });
  norm.startFile('bench.csv');
  const t0 = performance.now();
  const ts0 = BigInt(DAY0) * NS_DAY;
  for (let i = 0; i < ids.length; i++) {
    const ts = ts0 + BigInt(i) * 1_000_000n;
    norm.trade(i + 2, ts, ts, '42000.10', '0.005', 1, ids[i]!);
  }
  const ms = performance.now() - t0;
  if (sink.stats.duplicates !== 0) throw new Error(`Normalizer: ${sink.stats.duplicates} duplicates`);
  return ms;
}

/** A whole job over a generic trades CSV of the ids, one day, 128-bit, zstd. */
async function timeBuild(ids: string[]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-ids-'));
  try {
    const t0 = Date.UTC(2024, 0, 1);
    const lines = ['time,price,volume,side,id'];
    for (let i = 0; i < ids.length; i++) lines.push(`${t0 + Math.floor(i / 20)},42000.1,0.005,${i % 2 ? 'buy' : 'sell'},${ids[i]}`);
    await writeFile(join(dir, 'trades.csv'), lines.join('\n') + '\n');
    const start = performance.now();
    const r = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: join(dir, 'catalog'), dataTypes: ['trades'], config: { files: { trades: { file_path: join(dir, 'trades.csv') } } } });
    const ms = performance.now() - start;
    if (!r.ok || r.totals.written !== ids.length) throw new Error(`build: ${r.errors.join('; ')} (written ${r.totals.written})`);
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchIds(): Promise<Record<string, { idSetMs?: number; normalizerMs?: number; buildMs?: number }>> {
  const results: Record<string, { idSetMs?: number; normalizerMs?: number; buildMs?: number }> = {};
  process.stdout.write('\nTrade-id dedupe (IdSet alone / Normalizer.trade incl. parsing):\n');
  for (const [name, make] of cases()) {
    const ids = make();
    const idSetMs = timeIdSet(ids);
    const normalizerMs = timeNormalizer(ids);
    results[name] = { idSetMs, normalizerMs };
    process.stdout.write(`  ${name.padEnd(22)} IdSet ${(idSetMs / 1000).toFixed(2)} s   Normalizer ${(normalizerMs / 1000).toFixed(2)} s\n`);
  }
  if (process.env.BENCH_IDS_BUILD !== '0') {
    for (const [name, make] of cases().slice(0, 2)) {
      const buildMs = await timeBuild(make());
      results[`job, ${name}`] = { buildMs };
      process.stdout.write(`  job, ${name.padEnd(17)} ${(buildMs / 1000).toFixed(2)} s (CSV -> catalog, one day)\n`);
    }
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchIds();
