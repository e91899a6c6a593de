// Runs one measured task in its own process and prints {ms, maxRssMb, ...} as JSON, so the
// peak RSS is that task's alone.
import { runBuild } from '../engine/jobs/build.js';
import { preview } from '../engine/preview.js';

const [task, ...args] = process.argv.slice(2);
const t0 = performance.now();
let extra: Record<string, unknown> = {};
if (task === 'build') {
  const spec = JSON.parse(args[0]!);
  const r = await runBuild(spec);
  if (!r.ok) throw new Error(r.errors.join('; '));
  extra = { rows: r.totals.written, files: r.days.map((d) => d.file).filter(Boolean) };
} else if (task === 'duckdb') {
  const [csv, out] = args;
  // Loaded here only: DuckDB's native library adds about 40 MB to the RSS of every task that imports it.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await db.connect();
  // Same columns, sorted by receive time as our catalog is; DuckDB's own Parquet (not Nautilus's format).
  await c.run(`COPY (SELECT * FROM read_csv('${csv}') ORDER BY local_timestamp) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`);
} else if (task === 'preview') {
  const p = await preview({ path: args[0]!, dataType: 'trades', rows: 100 });
  extra = { rows: p.rows.length };
} else throw new Error(`unknown task ${task}`);
const ms = performance.now() - t0;
// cpuMs: CPU time of every thread of the process (from its start), steadier than ms on a busy machine
const ru = process.resourceUsage();
process.stdout.write(JSON.stringify({ ms, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssMb: ru.maxRSS / 1024, ...extra }) + '\n');
