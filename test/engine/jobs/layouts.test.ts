// A data type's files in several layouts: one config entry per layout, each with its own columns
// (the app sends one per layout of a type's files; issue 15, item 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, tempDir } from '../../helpers.js';

test('files.trades as a list of entries: each layout read through its own columns', async (t) => {
  const dir = await tempDir(t);
  // Neither header is one the automatic mapping reads: each needs its own columns.
  await writeFile(join(dir, 'a.csv'), 'when,cost,lots\n1704067200000,42000.1,0.5\n1704067201000,42000.2,0.25\n');
  await writeFile(join(dir, 'b.csv'), 'zeit;kurs;stueck\n1704067202000;42000.3;1\n');
  const report = await build(dir, {
    trades: [
      { file_path: 'a.csv', columns: { timestamp: 'when', price: 'cost', size: 'lots' } },
      { file_path: 'b.csv', columns: { timestamp: 'zeit', price: 'kurs', size: 'stueck' } },
    ],
  });
  assert.equal(report.ok, true, JSON.stringify(report.errors));
  assert.equal(report.totals.written, 3, JSON.stringify(report.totals));
});

test('one entry with one layout\'s columns fails the other layout\'s file, naming it', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.csv'), 'when,cost,lots\n1704067200000,42000.1,0.5\n');
  await writeFile(join(dir, 'b.csv'), 'zeit;kurs;stueck\n1704067202000;42000.3;1\n');
  const report = await build(dir, { trades: { file_path: ['a.csv', 'b.csv'], columns: { timestamp: 'when', price: 'cost', size: 'lots' } } });
  assert.match(JSON.stringify(report), /b\.csv/);
  assert.equal(report.totals.written, 1);
});
