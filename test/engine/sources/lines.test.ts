// Hostile lines (issue 11, items 1, 9 and 16): stray quotes never swallow other rows, long lines
// and decompression bombs are bounded, and input that is not UTF-8 text (UTF-16, bare-CR line ends,
// a truncated bz2) is one clear file-level error naming the file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';
import type { RunReport } from '../../../shared/report.js';
import type { Reject } from '../../../engine/normalize/rejects.js';
import { preview } from '../../../engine/preview.js';
import { LONG_LINE, UNCLOSED_QUOTE } from '../../../engine/sources/io/lines.js';
import { genBinanceCapture, genTardisTrades } from '../../../scripts/gen-data.js';
import { build, tempDir } from '../../helpers.js';

const HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const row = (i: number, side = 'buy') => `binance-futures,BTCUSDT,${1704067200000000 + i * 1000},${1704067200005000 + i * 1000},${i + 1},${side},42000.1,0.001`;

async function rejectsOf(report: RunReport): Promise<Reject[]> {
  if (!report.rejectsFile) return [];
  const text = (await readFile(report.rejectsFile, 'utf8')).trim();
  return text ? text.split('\n').map((l) => JSON.parse(l) as Reject) : [];
}

function balanced(report: RunReport): void {
  const t = report.totals;
  assert.equal(t.read, t.written + t.duplicates + t.rejected + t.outOfRange, JSON.stringify(t));
}

/** Runs `fn` with the CSV fast path on and off (the two paths split lines separately). */
async function bothPaths(t: TestContext, fn: (fast: string) => Promise<void>): Promise<void> {
  const prev = process.env.CB_FAST_PATH;
  t.after(() => (prev === undefined ? delete process.env.CB_FAST_PATH : (process.env.CB_FAST_PATH = prev)));
  for (const fast of ['1', '0']) {
    process.env.CB_FAST_PATH = fast;
    await fn(fast);
  }
}

test('stray quotes in the middle and at the start of fields: every one of 20,000 rows is read, each bad row is its own reject', async (t) => {
  const dir = await tempDir(t);
  await genTardisTrades({ path: join(dir, 'plain.csv'), rows: 20_000, start: '2024-01-01', days: 1, gzip: false });
  const lines = (await readFile(join(dir, 'plain.csv'), 'utf8')).split('\n');
  const put = (no: number, col: number, f: (v: string) => string) => {
    const cells = lines[no - 1]!.split(',');
    cells[col] = f(cells[col]!);
    lines[no - 1] = cells.join(',');
  };
  put(11, 4, (v) => v.slice(0, 2) + '"' + v.slice(2)); // 12"3 in an id: a character of the id (RFC 4180)
  put(6, 5, (v) => '"' + v); // "sell: opens a quoted field that never closes
  put(15_001, 5, (v) => '"' + v); // the same deep in the file, where the fast path reads
  put(15_010, 4, (v) => v + '"'); // a quote at the end of an unquoted field
  put(19_999, 6, (v) => '"' + v); // near the end: the field stays open at the end of the file
  await writeFile(join(dir, 'trades.csv'), lines.join('\n'));
  await bothPaths(t, async (fast) => {
    const report = await build(dir, { trades: { file_path: 'trades.csv' } }, { output: join(dir, 'catalog-' + fast) });
    assert.equal(report.totals.read, 20_000, `fast path ${fast}: ${JSON.stringify(report.totals)}`);
    assert.equal(report.totals.written, 19_997);
    assert.equal(report.totals.rejected, 3);
    balanced(report);
    const rejects = await rejectsOf(report);
    assert.deepEqual(rejects.map((r) => [r.line, r.field, r.reason]), [
      [6, 'side', UNCLOSED_QUOTE], [15_001, 'side', UNCLOSED_QUOTE], [19_999, 'price', UNCLOSED_QUOTE],
    ]);
    assert.equal(rejects[0]!.file, join(dir, 'trades.csv'));
  });
  // The preview of the same file shows every row, the bad one rejected with its reason.
  const p = await preview({ path: join(dir, 'trades.csv'), dataType: 'trades', rows: 100 });
  assert.equal(p.rows.length, 100);
  assert.deepEqual(p.rows.filter((r) => r.status === 'rejected').map((r) => [r.line, r.field, r.reason]), [[6, 'side', UNCLOSED_QUOTE]]);
  assert.deepEqual(p.rows.find((r) => r.line === 11)!.mapped!.trade_id, lines[10]!.split(',')[4]);
});

test('a quote left open at the end of its line, also on the last line of the file, rejects only that line', async (t) => {
  const dir = await tempDir(t);
  const r5 = row(5).split(',');
  r5[7] = '"' + r5[7];
  // A quote after another delimiter than the file's is no field start (line 7); a quoted field
  // holding the delimiter does not shift the field named (line 8).
  const lines = [HEADER, row(0), '"' + row(1), row(2), row(3).replace(',buy,', ',"buy,'), row(4),
    row(6).replace('binance-futures', 'binance;"futures'), row(7).replace('binance-futures', '"binance,futures"').replace(',buy,', ',"buy,'), r5.join(',')];
  await writeFile(join(dir, 'a.csv'), lines.join('\n'));
  await bothPaths(t, async (fast) => {
    const report = await build(dir, { trades: { file_path: 'a.csv' } }, { output: join(dir, 'catalog-' + fast) });
    assert.deepEqual([report.totals.read, report.totals.written, report.totals.rejected], [8, 4, 4]);
    assert.deepEqual((await rejectsOf(report)).map((r) => [r.line, r.field, r.reason]),
      [[3, 'exchange', UNCLOSED_QUOTE], [5, 'side', UNCLOSED_QUOTE], [8, 'side', UNCLOSED_QUOTE], [9, 'amount', UNCLOSED_QUOTE]]);
  });
});

test('a line longer than 1 MiB is that line\'s reject, quoted briefly; the rows after it are read (plain, gzip and zip)', async (t) => {
  const dir = await tempDir(t);
  // A long line of blanks is no blank line: it is reported too.
  const body = Buffer.from([HEADER, row(0), 'z'.repeat(3 << 20), row(1), ' '.repeat(2 << 20), row(2)].join('\n') + '\n');
  await writeFile(join(dir, 'a.csv'), body);
  await writeFile(join(dir, 'a.csv.gz'), gzipSync(body));
  const zip = new yazl.ZipFile();
  zip.addBuffer(body, 'a.csv');
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(join(dir, 'a.zip')));
  await bothPaths(t, async (fast) => {
    for (const name of ['a.csv', 'a.csv.gz', 'a.zip']) {
      const report = await build(dir, { trades: { file_path: name } }, { output: join(dir, `catalog-${fast}-${name}`) });
      assert.deepEqual([report.totals.read, report.totals.written, report.totals.rejected], [5, 3, 2], `${name} fast ${fast}`);
      const rejects = await rejectsOf(report);
      assert.deepEqual(rejects.map((r) => [r.line, r.field, r.reason]), [[3, 'row', LONG_LINE], [5, 'row', LONG_LINE]]);
      for (const r of rejects) assert.ok(r.value.length <= 201, `quoted in ${r.value.length} characters`);
      assert.ok((await readFile(report.rejectsFile!)).length < 2000);
    }
  });
});

test('a JSONL capture line longer than 1 MiB is that line\'s reject; the messages around it are read', async (t) => {
  const dir = await tempDir(t);
  await genBinanceCapture({ path: join(dir, 'all.jsonl'), trades: 20, start: '2024-01-01', days: 1, gzip: false });
  const trades = (await readFile(join(dir, 'all.jsonl'), 'utf8')).split('\n').filter((l) => l.includes('aggTrade'));
  assert.equal(trades.length, 20);
  await writeFile(join(dir, 'c.jsonl'), [...trades.slice(0, 10), '{"x":"' + 'y'.repeat(2 << 20) + '"}', ...trades.slice(10)].join('\n') + '\n');
  const report = await build(dir, { trades: { file_path: 'c.jsonl' } }, { source: 'websocket' });
  assert.equal(report.totals.written, 20);
  const rejects = await rejectsOf(report);
  assert.deepEqual(rejects.map((r) => [r.line, r.field, r.reason]), [[11, 'line', LONG_LINE]]);
  assert.ok(rejects[0]!.value.length <= 201);
});

test('a first line longer than 1 MiB fails the file with a short message; so does a file with bare-CR line ends', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'long.csv'), `${HEADER},${'extra,'.repeat(400_000)}\n${row(0)}\n`);
  // A CR-only file (classic Mac OS) is one line to a reader that splits on LF.
  await writeFile(join(dir, 'cr.csv'), [HEADER, ...Array.from({ length: 3000 }, (_, i) => row(i))].join('\r') + '\r');
  const report = await build(dir, { trades: { file_path: 'long.csv' } }, { output: join(dir, 'c1') });
  assert.match(report.files[0]!.error!, /long\.csv: line 1, the first line, cannot be read: line longer than 1 MiB/);
  assert.ok(JSON.stringify(report).length < 5000, `report of ${JSON.stringify(report).length} characters`);
  const cr = await build(dir, { trades: { file_path: 'cr.csv' } }, { output: join(dir, 'c2') });
  const err = cr.files[0]?.error ?? cr.errors.join('\n');
  assert.match(err, /cr\.csv: .*bare CR/);
  assert.ok(JSON.stringify(cr).length < 5000, `report of ${JSON.stringify(cr).length} characters`);
  await assert.rejects(preview({ path: join(dir, 'cr.csv'), dataType: 'trades', rows: 10 }), (e: Error) => /bare CR/.test(e.message) && e.message.length < 1000);
});

function hasBzip2(t: TestContext): boolean {
  if (!spawnSync('bzip2', ['--help'], { stdio: 'ignore' }).error) return true;
  if (process.env.CI) throw new Error('bzip2 is not installed; CI must have it');
  t.skip('the bzip2 command-line tool is missing');
  return false;
}

test('decompression bombs (gzip, bz2, zip) are refused by name; the other files of the job are read', async (t) => {
  const dir = await tempDir(t);
  // 48 MiB of 512 KiB text lines: about 50 KB as gzip, far beyond any market data's ratio.
  const line = 'a'.repeat(512 << 10) + '\n';
  const bomb = Buffer.from(HEADER + '\n' + line.repeat(96));
  await writeFile(join(dir, 'bomb.csv.gz'), gzipSync(bomb, { level: 9 }));
  const zip = new yazl.ZipFile();
  zip.addBuffer(bomb, 'bomb.csv');
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(join(dir, 'bomb.zip')));
  await writeFile(join(dir, 'good.csv'), [HEADER, row(0), row(1)].join('\n'));
  const names = ['bomb.csv.gz', 'bomb.zip'];
  if (hasBzip2(t)) {
    await writeFile(join(dir, 'bomb.csv'), bomb);
    const bz = spawnSync('bzip2', ['-c', '-9', join(dir, 'bomb.csv')], { maxBuffer: 1 << 26 });
    await writeFile(join(dir, 'bomb.csv.bz2'), bz.stdout);
    names.push('bomb.csv.bz2');
  }
  for (const name of names) {
    const report = await build(dir, { trades: { file_path: [name, 'good.csv'] } }, { output: join(dir, 'c-' + name) });
    // A zip's member is its own input, named archive.zip:member.csv.
    const bad = report.files.find((f) => f.path === join(dir, name) || f.path.startsWith(join(dir, name) + ':'))!;
    assert.match(bad.error ?? '', new RegExp(`${name.replace(/\./g, '\\.')}(:[\\w.]+)?: .*decompression bomb`), name);
    assert.equal(report.files.find((f) => f.path.endsWith('good.csv'))!.rows, 2, name);
    assert.ok(report.errors.join('\n').length < 2000);
  }
});

test('a truncated bz2 file says the compressed data is truncated, naming the file', async (t) => {
  if (!hasBzip2(t)) return;
  const dir = await tempDir(t);
  const plain = [HEADER, ...Array.from({ length: 5000 }, (_, i) => row(i))].join('\n');
  const bz = spawnSync('bzip2', ['-c'], { input: Buffer.from(plain), maxBuffer: 1 << 26 }).stdout;
  await writeFile(join(dir, 'cut.csv.bz2'), bz.subarray(0, Math.floor(bz.length / 2)));
  const report = await build(dir, { trades: { file_path: 'cut.csv.bz2' } });
  const err = report.files[0]!.error ?? '';
  assert.match(err, /cut\.csv\.bz2: .*truncated/);
  assert.doesNotMatch(err, /Cannot read properties/);
});

test('UTF-16 input (with a byte-order mark, either byte order, or without one) is refused by name as one file-level error', async (t) => {
  const dir = await tempDir(t);
  const text = [HEADER, ...Array.from({ length: 50 }, (_, i) => row(i))].join('\n') + '\n';
  const le = Buffer.from('\ufeff' + text, 'utf16le');
  const be = Buffer.from(le).swap16();
  await writeFile(join(dir, 'le.csv'), le);
  await writeFile(join(dir, 'be.csv'), be);
  await writeFile(join(dir, 'nobom.csv'), Buffer.from(text, 'utf16le'));
  for (const [name, re] of [['le.csv', /UTF-16.*little-endian/], ['be.csv', /UTF-16.*big-endian/], ['nobom.csv', /UTF-16/]] as const) {
    const report = await build(dir, { trades: { file_path: name } }, { output: join(dir, 'c-' + name) });
    assert.match(report.files[0]!.error ?? '', new RegExp(`${name.replace('.', '\\.')}: .*${re.source}`));
    assert.equal(report.totals.rejected, 0, name);
    assert.equal(report.ok, false);
  }
});
