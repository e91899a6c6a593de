// Days that went quiet give their memory back while the job reads on (daysink.ts park()): their
// buffered rows are written and their temp file gets its footer, so a job over many daily files
// does not hold every day's tail, row-group metadata and file handle until the end. Rows that still
// come for a parked day must not be lost or change the result.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ProgressEvent } from '../../../shared/progress.js';
import { decodeStruct } from '../../../engine/parquet/thrift.js';
import { genTardisTrades } from '../../../scripts/gen-data.js';
import { build, filesUnder, tempDir } from '../../helpers.js';

/** Rows in a complete Parquet file's footer, or null when the file has no footer (yet). */
function footerRows(path: string): number | null {
  const b = readFileSync(path);
  if (b.length < 12 || b.toString('latin1', b.length - 4) !== 'PAR1') return null;
  const len = b.readUInt32LE(b.length - 8);
  return Number(decodeStruct(b.subarray(b.length - 8 - len, b.length - 8)).i64(3));
}

test('a day parked while later days are read, then given late rows, gives the same catalog, byte for byte', async (t) => {
  const dir = await tempDir(t);
  await genTardisTrades({ path: join(dir, 'all.csv'), rows: 30_000, start: '2024-01-01', days: 3, gzip: false });
  const [header, ...rows] = (await readFile(join(dir, 'all.csv'), 'utf8')).split('\n').filter(Boolean);
  const dayOf = (r: string) => new Date(Number(r.split(',')[3]) / 1000).toISOString().slice(0, 10);
  const byDay = new Map<string, string[]>();
  for (const r of rows) byDay.set(dayOf(r), [...(byDay.get(dayOf(r)) ?? []), r]);
  assert.deepEqual([...byDay.keys()], ['2024-01-01', '2024-01-02', '2024-01-03']);
  // Day 1's last 700 rows come in a file read after the others.
  const d1 = byDay.get('2024-01-01')!;
  const files: Record<string, string[]> = {
    'd1.csv': d1.slice(0, -700), 'd2.csv': byDay.get('2024-01-02')!, 'd3.csv': byDay.get('2024-01-03')!, 'late.csv': d1.slice(-700),
  };
  for (const [name, lines] of Object.entries(files)) await writeFile(join(dir, name), [header, ...lines].join('\n') + '\n');

  const job = { end: '2024-01-03', rowGroupSize: 1000 };
  const ref = await build(dir, { trades: { file_path: 'all.csv' } }, { ...job, output: join(dir, 'ref') });
  assert.equal(ref.ok, true, ref.errors.join('\n'));

  // When d3.csv has been read, days 1 and 2 have gone quiet: their temp files are complete.
  const seen: Record<string, number | null> = {};
  const tmpOf = (day: string) => {
    const root = join(dir, 'split', '.catalog-builder', 'tmp');
    const f = readdirDeep(root).find((p) => p.endsWith(`trades-${day}.parquet.tmp`));
    return f ? footerRows(f) : null;
  };
  const onProgress = (e: ProgressEvent) => {
    if (e.kind === 'file' && e.state === 'done' && e.path.endsWith('d3.csv')) {
      seen.day1 = tmpOf('2024-01-01');
      seen.day2 = tmpOf('2024-01-02');
    }
  };
  const split = await build(dir, { trades: { file_path: ['d1.csv', 'd2.csv', 'd3.csv', 'late.csv'] } }, { ...job, output: join(dir, 'split') }, { onProgress });
  assert.equal(split.ok, true, split.errors.join('\n'));
  assert.deepEqual(seen, { day1: d1.length - 700, day2: byDay.get('2024-01-02')!.length }, 'quiet days were parked with all their rows');
  assert.equal(split.totals.written, 30_000);
  assert.deepEqual(split.totals, ref.totals);

  const a = await filesUnder(join(dir, 'ref', 'data'));
  assert.deepEqual(await filesUnder(join(dir, 'split', 'data')), a);
  for (const f of a) assert.ok((await readFile(join(dir, 'ref', 'data', f))).equals(await readFile(join(dir, 'split', 'data', f))), `${f} differs`);
});

function readdirDeep(root: string): string[] {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath ?? d.path, d.name));
  } catch {
    return [];
  }
}
