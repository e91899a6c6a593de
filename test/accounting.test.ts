// Every row accounted for (issue 11, items 4, 5, 6, 11, 16): the timestamp unit is decided by most
// of a file's first values, every row read lands in exactly one bucket of the report, a run that
// lost rows exits non-zero and says why, impossible dates and bad mappings are refused by name.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../shared/report.js';
import { build, tempDir } from './helpers.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');

/** A generic trades CSV: `first` (if any) then `n` valid rows with Unix ms timestamps. */
function msTrades(n: number, first?: string): string {
  const out = ['timestamp,price,size,trade_id'];
  if (first !== undefined) out.push(`${first},100.5,0.001,999999`);
  for (let i = 0; i < n; i++) out.push(`${T0 + 1000 + i * 1000},${100 + (i % 7)}.5,0.00${1 + (i % 9)},${i + 1}`);
  return out.join('\n') + '\n';
}

for (const first of ['0', '17040672', '1704067200.5']) {
  test(`an odd first timestamp (${first}) is that row's reject; the 100 ms rows after it are written`, async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'trades.csv'), msTrades(100, first));
    const r = await build(dir, { trades: { file_path: 'trades.csv' } });
    assert.equal(r.totals.read, 101);
    assert.equal(r.totals.written, 100, JSON.stringify(r.files[0]));
    assert.equal(r.totals.rejected, 1);
    assert.ok(r.files[0]!.notes.includes('timestamps: Unix ms'), r.files[0]!.notes.join('; '));
    // The one odd row is named once in a file note, not as the file's unit.
    assert.ok(r.files[0]!.notes.some((n) => /1 timestamp value\(s\) are in another unit than the file's Unix ms/.test(n)), r.files[0]!.notes.join('; '));
  });
}

test('rows in another unit than most of the file are rejected, with one file-level note', async (t) => {
  const dir = await tempDir(t);
  const lines = msTrades(60).trimEnd().split('\n');
  // 40 rows in seconds among 60 in ms: the ms majority decides; the s rows are rejects.
  for (let i = 0; i < 40; i++) lines.push(`${Math.floor(T0 / 1000) + 5000 + i},100.5,0.001,${1000 + i}`);
  await writeFile(join(dir, 'trades.csv'), lines.join('\n') + '\n');
  const r = await build(dir, { trades: { file_path: 'trades.csv' } }, { maxRejectRatio: 1 });
  assert.equal(r.totals.written, 60);
  assert.equal(r.totals.rejected, 40);
  const notes = r.files[0]!.notes.filter((n) => /another unit/.test(n));
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /^40 timestamp value\(s\) are in another unit than the file's Unix ms \(decided by 60 of the first 100 values\)/);
});

export function assertBucketsAddUp(r: RunReport): void {
  for (const d of r.days) {
    const rejected = Object.values(d.rejected).reduce((a, b) => a + b, 0);
    assert.equal(d.written + d.duplicates + d.skipped + rejected + d.existing + d.discarded, d.read, `${d.dataType} ${d.day}: ${JSON.stringify(d)}`);
  }
  const t = r.totals;
  assert.equal(t.written + t.duplicates + t.rejected + t.outOfRange + t.skipped + t.existing + t.discarded, t.read, JSON.stringify(t));
}
