// verify sees damage (issue 11, items 8 and 13): single-bit flips anywhere in a catalog file (magic
// bytes, pages, footer, statistics) are each reported as an error naming the file, none passes; a
// flip that makes parquet-wasm trap (RuntimeError: unreachable) ends neither the service (verify,
// dailyStats) nor the CLI; edited statistics, a changed magic byte and a deleted instrument folder
// are reported even without the manifest; files another program wrote are info, not errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { MANIFEST, readManifest } from '../../../engine/catalog/manifest.js';
import { STATE_DIR, dayInterval, fileName } from '../../../engine/catalog/paths.js';
import { TStruct, T_BINARY, decodeStruct, encodeStruct } from '../../../engine/parquet/thrift.js';
import { verifyCatalog, type VerifyResult } from '../../../engine/catalog/verify.js';
import { createService } from '../../../hosts/service.js';
import { genTardisTicker, genTardisTrades } from '../../../scripts/gen-data.js';
import { ROOT, build, filesUnder, tempDir } from '../../helpers.js';

const INSTRUMENT = 'BTCUSDT-PERP.BINANCE';
const dayFile = (day: string) => fileName(dayInterval(day).start, dayInterval(day).end);
const TRADES_1 = `data/trade_tick/${INSTRUMENT}/${dayFile('2024-01-01')}`;

/** Trades, mark and funding for two days: 7 Parquet files (instrument included). */
async function smallCatalog(t: TestContext, days = ['2024-01-01', '2024-01-02']): Promise<{ dir: string; catalog: string; files: Record<string, unknown> }> {
  const dir = await tempDir(t);
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows: 6000, start: '2024-01-01', days: 2, seed: 11 });
  await genTardisTicker({ path: join(dir, 'ticker.csv'), start: '2024-01-01', days: 2, everySec: 600, seed: 5 });
  const files = { trades: { file_path: 'trades.csv.gz' }, mark: { file_path: 'ticker.csv' }, funding: { file_path: 'ticker.csv' } };
  const report = await build(dir, files, { start: days[0], end: days.at(-1) });
  assert.equal(report.ok, true, report.errors.join('\n'));
  return { dir, catalog: join(dir, 'catalog'), files };
}

const parquetFiles = async (catalog: string) => (await filesUnder(join(catalog, 'data'))).map((f) => `data/${f}`);

/** Flips bit `bit` of byte `pos` of `path` (flipping again restores it). */
async function flip(path: string, pos: number, bit: number): Promise<void> {
  const b = await readFile(path);
  b[pos] = b[pos]! ^ (1 << bit);
  await writeFile(path, b);
}

/** Positions across a file: both magic numbers, the footer length, the footer, and `inner` spread over the pages. */
function positions(size: number, footerLen: number, inner: number): number[] {
  const footerStart = size - 8 - footerLen;
  const out = [0, 3, size - 1, size - 8, footerStart + Math.floor(footerLen / 3), footerStart + Math.floor((2 * footerLen) / 3)];
  for (let k = 0; k < inner; k++) out.push(4 + Math.floor(((footerStart - 4) * k) / inner));
  return out;
}

function assertNamed(v: Pick<VerifyResult, 'ok' | 'errors'>, rel: string, what: string): void {
  assert.equal(v.ok, false, `${what}: verify passed`);
  assert.ok(v.errors.some((e) => e.includes(rel)), `${what}: no error names ${rel}; got:\n${v.errors.join('\n')}`);
}

test('every single-bit flip in every file (magic, pages, footer, statistics) is an error naming the file; the readers survive', async (t) => {
  const { catalog } = await smallCatalog(t);
  const files = await parquetFiles(catalog);
  assert.equal(files.length, 7, files.join('\n'));
  let flips = 0;
  for (const rel of files) {
    const path = join(catalog, rel);
    const b = await readFile(path);
    // The first day's trades get the most flips: their price and size pages made parquet-wasm trap.
    for (const [i, pos] of positions(b.length, b.readUInt32LE(b.length - 8), rel === TRADES_1 ? 12 : 1).entries()) {
      await flip(path, pos, i % 8);
      const v = await verifyCatalog(catalog);
      await flip(path, pos, i % 8);
      assertNamed(v, rel, `bit ${i % 8} of byte ${pos} of ${rel}`);
      flips++;
    }
  }
  assert.ok(flips >= 36, `${flips} flips`);
  const clean = await verifyCatalog(catalog);
  assert.deepEqual(clean.errors, []);
});

test('service: verify and dailyStats on damaged files report the file and the host goes on', async (t) => {
  const { dir, catalog } = await smallCatalog(t);
  const svc = createService({ configDir: join(dir, 'config'), outputRoot: dir });
  t.after(() => svc.close());
  const path = join(catalog, TRADES_1);
  const b = await readFile(path);
  const footerLen = b.readUInt32LE(b.length - 8);
  let refused = 0;
  for (const [i, pos] of positions(b.length, footerLen, 12).entries()) {
    await flip(path, pos, i % 8);
    try {
      assertNamed(await svc.verify(catalog), TRADES_1, `service verify, byte ${pos}`);
      // dailyStats reads price and ts_init only: a flip elsewhere may leave them intact.
      await svc.dailyStats(catalog, INSTRUMENT).catch((e: Error) => {
        refused++;
        assert.ok(e.message.includes(path), e.message);
      });
    } finally {
      await flip(path, pos, i % 8);
    }
  }
  assert.ok(refused > 0, 'some flips must make dailyStats fail');
  assert.equal((await svc.verify(catalog)).ok, true);
  const stats = await svc.dailyStats(catalog, INSTRUMENT);
  assert.deepEqual(stats.map((s) => s.day), ['2024-01-01', '2024-01-02']);
  assert.equal(stats.reduce((a, s) => a + s.trades, 0), 6000);
});

const run = promisify(execFile);

test('CLI verify on files that crash the Parquet reader prints a report and exits 1', async (t) => {
  const { catalog } = await smallCatalog(t);
  const path = join(catalog, TRADES_1);
  const b = await readFile(path);
  // Flips 5, 11 and 17 of 24 spread over the pages: each made parquet-wasm trap and the CLI die
  // without a report before reads moved to reader threads (measured with the code before).
  const inner = positions(b.length, b.readUInt32LE(b.length - 8), 24).slice(6);
  for (const k of [5, 11, 17]) {
    await flip(path, inner[k]!, k % 8);
    const r = await run(process.execPath, [join(ROOT, 'bin', 'catalog-builder.mjs'), 'verify', catalog], { cwd: ROOT }).then(
      () => assert.fail('verify exited 0'),
      (e: { code?: number; stdout: string; stderr: string }) => e,
    );
    await flip(path, inner[k]!, k % 8);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^FAILED: /m, r.stdout + r.stderr);
    assert.ok(r.stdout.split('\n').some((l) => l.startsWith('ERROR: ') && l.includes(TRADES_1)), r.stdout);
    assert.doesNotMatch(r.stderr, /RuntimeError/);
  }
});

/** Rewrites the footer of `path` with `edit` (same length required: the offsets stay valid). */
async function editFooter(path: string, edit: (footer: TStruct) => void): Promise<void> {
  const b = await readFile(path);
  const len = b.readUInt32LE(b.length - 8);
  const footer = decodeStruct(b.subarray(b.length - 8 - len, b.length - 8));
  edit(footer);
  const out = Buffer.from(encodeStruct(footer));
  assert.equal(out.length, len, 'the edit keeps the footer length');
  out.copy(b, b.length - 8 - len);
  await writeFile(path, b);
}

/** Drops a file from the manifest, as if another program had written it. */
async function unlist(catalog: string, rel: string): Promise<void> {
  const m = (await readManifest(catalog))!;
  assert.ok(m.delete(rel));
  await writeFile(join(catalog, STATE_DIR, MANIFEST), JSON.stringify({ version: 1, files: Object.fromEntries(m) }));
}

test('an edited footer statistic is reported, with the manifest and without it', async (t) => {
  const { catalog } = await smallCatalog(t);
  const path = join(catalog, TRADES_1);
  // Row group 0, column ts_init (the last): max_value raised by one nanosecond.
  await editFooter(path, (f) => {
    const rg = f.list(4)!.items[0] as TStruct;
    const cols = rg.list(1)!.items as TStruct[];
    const st = cols[cols.length - 1]!.struct(3)!.struct(12)!;
    const max = Buffer.from(st.get(5) as Uint8Array);
    max.writeBigUInt64LE(max.readBigUInt64LE(0) + 1n);
    st.set(5, T_BINARY, new Uint8Array(max));
  });
  let v = await verifyCatalog(catalog);
  assertNamed(v, TRADES_1, 'edited statistic');
  assert.ok(v.errors.some((e) => e.includes(TRADES_1) && /content differs from what catalog-builder wrote/.test(e)), v.errors.join('\n'));
  assert.ok(v.errors.some((e) => e.includes(TRADES_1) && /statistics do not match the values \(row group 0 column ts_init: footer statistics say max \d+, the values give \d+\)/.test(e)), v.errors.join('\n'));
  await unlist(catalog, TRADES_1);
  v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors.filter((e) => !/statistics do not match/.test(e)), []);
  assert.equal(v.errors.length, 1, v.errors.join('\n'));
  assert.ok(v.info.some((i) => i.includes('not written by catalog-builder') && i.includes(dayFile('2024-01-01'))), v.info.join('\n'));
});

test('a changed magic byte is reported without the manifest', async (t) => {
  const { catalog } = await smallCatalog(t);
  await rm(join(catalog, STATE_DIR, MANIFEST));
  for (const [pos, where] of [[1, 'start'], [-2, 'end']] as const) {
    const path = join(catalog, TRADES_1);
    const size = (await readFile(path)).length;
    await flip(path, pos < 0 ? size + pos : pos, 0);
    const v = await verifyCatalog(catalog);
    await flip(path, pos < 0 ? size + pos : pos, 0);
    assert.ok(v.errors.some((e) => e.includes(TRADES_1) && e.includes(`does not ${where === 'start' ? 'start' : 'end'} with the Parquet magic bytes`)), v.errors.join('\n'));
  }
});

test('a deleted crypto_perpetual folder: missing instrument for every data folder, and the file missing from the manifest', async (t) => {
  const { catalog } = await smallCatalog(t);
  await rm(join(catalog, 'data', 'crypto_perpetual'), { recursive: true });
  const v = await verifyCatalog(catalog);
  assert.equal(v.ok, false);
  for (const type of ['trade_tick', 'mark_price_update', 'funding_rate_update']) {
    assert.ok(v.errors.some((e) => e.startsWith(`data/${type}/${INSTRUMENT}: missing instrument`)), `${type}:\n${v.errors.join('\n')}`);
  }
  assert.ok(v.errors.some((e) => e.startsWith(`data/crypto_perpetual/${INSTRUMENT}/`) && /missing; catalog-builder wrote it/.test(e)), v.errors.join('\n'));
  // Without the manifest the missing instrument is still found.
  await rm(join(catalog, STATE_DIR, MANIFEST));
  const v2 = await verifyCatalog(catalog);
  assert.equal(v2.errors.length, 3, v2.errors.join('\n'));
  assert.ok(v2.errors.every((e) => /missing instrument/.test(e)));
});

test('the manifest follows re-runs: overwritten days and a replaced instrument file verify clean', async (t) => {
  const { dir, catalog, files } = await smallCatalog(t);
  const before = (await readManifest(catalog))!;
  assert.deepEqual([...before.keys()].sort(), await parquetFiles(catalog));
  // Day 2 again with --overwrite: the day's files and the instrument (now dated day 2) are replaced.
  const report = await build(dir, files, { start: '2024-01-02', end: '2024-01-02', overwrite: true });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const after = (await readManifest(catalog))!;
  assert.deepEqual([...after.keys()].sort(), await parquetFiles(catalog));
  const v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  assert.deepEqual(v.info, []);
});

test('without the manifest, a flipped bit in any page is still found (page CRCs, statistics, decoding)', async (t) => {
  const { catalog } = await smallCatalog(t);
  await rm(join(catalog, STATE_DIR, MANIFEST));
  const path = join(catalog, TRADES_1);
  const b = await readFile(path);
  const inner = positions(b.length, b.readUInt32LE(b.length - 8), 16).slice(6);
  for (const [k, pos] of inner.entries()) {
    await flip(path, pos, k % 8);
    const v = await verifyCatalog(catalog);
    await flip(path, pos, k % 8);
    assertNamed(v, TRADES_1, `bit ${k % 8} of byte ${pos}, no manifest`);
  }
  // A flip inside a page body is named as a CRC failure.
  const body = inner.find((p) => p > 200 && p < b.length / 2)!;
  await flip(path, body, 2);
  const v = await verifyCatalog(catalog);
  assert.ok(v.errors.some((e) => e.includes(TRADES_1) && /fail their CRC check|cannot be read|page header/.test(e)), v.errors.join('\n'));
});

test('an interrupted commit (manifest entry still pending) is accepted with the new or the previous file, nothing else', async (t) => {
  const { catalog } = await smallCatalog(t);
  const m = (await readManifest(catalog))!;
  const cur = m.get(TRADES_1)!;
  const other = { size: cur.size + 1, sha256: 'f'.repeat(64) };
  const write = (files: Record<string, unknown>) => writeFile(join(catalog, STATE_DIR, MANIFEST), JSON.stringify({ version: 1, files }));
  const absent = `data/trade_tick/${INSTRUMENT}/${dayFile('2024-01-03')}`;
  // Killed after announcing a replacement of day 1 and a new day 3, before either rename.
  await write({ ...Object.fromEntries(m), [TRADES_1]: { ...other, pending: true, prior: cur }, [absent]: { ...other, pending: true } });
  let v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  assert.ok(v.info.some((i) => i.startsWith(TRADES_1) && /interrupted/.test(i) && /previous version/.test(i)), v.info.join('\n'));
  // Killed after the rename of day 1: the new file is there.
  await write({ ...Object.fromEntries(m), [TRADES_1]: { ...cur, pending: true, prior: other } });
  v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  assert.ok(v.info.some((i) => i.startsWith(TRADES_1) && /new version/.test(i)), v.info.join('\n'));
  // A file matching neither is damaged.
  await write({ ...Object.fromEntries(m), [TRADES_1]: { ...other, pending: true, prior: other } });
  assertNamed(await verifyCatalog(catalog), TRADES_1, 'pending entry matching neither file');
});
