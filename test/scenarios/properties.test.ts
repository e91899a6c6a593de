// Property-based tests (fast-check): exact decimal <-> fixed-point round trips in both precisions,
// the 64-bit price limit, and random or mangled CSV input that must never crash a job nor lose a row:
// every row read ends written, duplicate, skipped, rejected (in the rejects file, with a reason) or
// out of range, per file, per day and over the run. Seeds are random per run; a failure prints the
// seed and the shrunk counterexample (fast-check's report); FC_SEED=<seed> replays it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { JobSpecInput } from '../../shared/job.js';
import type { RunReport } from '../../shared/report.js';
import { formatRaw, parseDecimal, pow10, toScaled, toScaledRounded } from '../../engine/numbers/decimal.js';
import { fixedMode, readRaw, writeRaw, type PrecisionMode } from '../../engine/numbers/fixed.js';
import { readParquetBatches, readParquetInfo } from '../../engine/parquet/parquet.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { STATE_DIR, runBuild } from '../../engine/jobs/build.js';
import type { Reject } from '../../engine/normalize/rejects.js';
import { UNCLOSED_QUOTE } from '../../engine/sources/io/lines.js';
import { SYMBOL_CELL } from '../../engine/sources/csv/symbols.js';
import { splitCsv } from '../../engine/sources/csv/detect.js';
import { assertBucketsAddUp, tempDir } from '../helpers.js';
import { zipOf } from '../support/zip.js';

// The failing assertion's message goes into fast-check's report (node's runner does not print `cause`).
fc.configureGlobal({ includeErrorInReport: true, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) });

/** Random inputs tried, per property, printed at the end (CI shows the figures). */
const tried: Record<string, number> = {};
const count = (name: string) => (tried[name] = (tried[name] ?? 0) + 1);
/** Rows of valid input files not found in any bucket of the report (must stay 0). */
let rowsLost = 0;
after(() => {
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(`properties: ${total} random inputs tried (${Object.entries(tried).map(([k, v]) => `${k} ${v}`).join(', ')}); rows lost: ${rowsLost}`);
});

const MODES: PrecisionMode[] = [64, 128];
const T0_MS = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;

// ---- exactness ---------------------------------------------------------------------------------

/** Decimal text of raw / 10^F with exactly `places` decimals, built digit by digit (independent of formatRaw). */
function textOf(raw: bigint, F: number, places: number): string {
  const neg = raw < 0n;
  const digits = (neg ? -raw : raw).toString().padStart(F + 1, '0');
  const int = digits.slice(0, digits.length - F).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(digits.length - F, digits.length - F + places);
  assert.ok(/^0*$/.test(digits.slice(digits.length - F + places)), 'the raw value has no more than `places` decimals');
  return (neg ? '-' : '') + int + (places ? '.' + frac : '');
}

/** Little-endian two's complement bytes of `v` in `w` bytes, by shifting (independent of writeRaw). */
function leBytes(v: bigint, w: number): number[] {
  let u = BigInt.asUintN(w * 8, v);
  const out: number[] = [];
  for (let i = 0; i < w; i++, u >>= 8n) out.push(Number(u & 0xffn));
  return out;
}

/** A raw value on the grid of `places` decimals, within [min, max]. */
const rawOnGrid = (F: number, min: bigint, max: bigint) =>
  fc.integer({ min: 0, max: F }).chain((places) => {
    const step = pow10(F - places);
    return fc.bigInt({ min: min / step, max: max / step }).map((k) => ({ raw: k * step, places }));
  });

/** The same value written the ways a data file may write it. */
function spellings(raw: bigint, F: number, places: number): string[] {
  const t = textOf(raw, F, places);
  const neg = t.startsWith('-');
  const abs = neg ? t.slice(1) : t;
  const sign = neg ? '-' : '';
  const [int, frac = ''] = abs.split('.');
  const out = [t, `${sign}00${abs}`, `${sign}${abs}${frac ? '' : '.'}000`];
  if (!neg) out.push(`+${abs}`);
  // Mantissa/exponent: 12.345 -> 12345e-3 (and with a point: 1234.5E-2).
  const mant = (int! + frac).replace(/^0+(?=\d)/, '');
  out.push(`${sign}${mant}e-${frac.length}`);
  if (frac.length >= 1) out.push(`${sign}${int}${frac.slice(0, -1)}.${frac.slice(-1)}E-${frac.length - 1}`);
  if (int === '0' && frac) out.push(`${sign}.${frac}`);
  return out;
}

for (const mode of MODES) {
  const fm = fixedMode(mode);
  test(`exactness, ${mode}-bit: decimal text -> raw -> ${fm.W} bytes -> raw -> text is the identity (prices signed, sizes unsigned)`, () => {
    for (const [kind, min, max, signed] of [['price', -fm.priceMax, fm.priceMax, true], ['size', 0n, fm.quantityMax, false]] as const) {
      fc.assert(fc.property(rawOnGrid(fm.F, min, max), ({ raw, places }) => {
        count(`exact-${mode}`);
        const canonical = textOf(raw, fm.F, places);
        for (const text of spellings(raw, fm.F, places)) {
          const d = parseDecimal(text);
          assert.ok(d, `${kind} "${text}" parses`);
          assert.equal(toScaled(d, fm.F), raw, `${kind} "${text}" -> raw`);
          // The normaliser's route: scaled to the instrument's precision, then to F.
          assert.equal(toScaledRounded(d, places) * pow10(fm.F - places), raw, `${kind} "${text}" at precision ${places}`);
        }
        const buf = new Uint8Array(fm.W + 3);
        writeRaw(new DataView(buf.buffer), 3, raw, fm.W);
        assert.deepEqual([...buf.subarray(3)], leBytes(raw, fm.W), `${canonical}: little-endian two's complement`);
        const back = readRaw(buf, 3, fm.W, signed);
        assert.equal(back, raw);
        assert.equal(formatRaw(back, fm.F, places), canonical);
      }), { numRuns: 1500 });
    }
  });
}

/** A Tardis trades CSV with one row per (price, size), one second apart from 00:00:01 on 2024-01-01. */
function tardisCsv(rows: { price: string; size: string }[]): string {
  const lines = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount'];
  rows.forEach((r, i) => {
    const us = (T0_MS + (i + 1) * 1000) * 1000;
    lines.push(`binance-futures,BTCUSDT,${us},${us + 5000},${1000 + i},${i % 2 ? 'sell' : 'buy'},${r.price},${r.size}`);
  });
  return lines.join('\n') + '\n';
}

async function buildOne(dir: string, name: string, body: string | Buffer, job: Partial<JobSpecInput> = {}, fileCfg: Record<string, unknown> = {}): Promise<{ report: RunReport; out: string }> {
  const runDir = join(dir, name);
  await mkdir(runDir, { recursive: true });
  await writeFile(join(runDir, 'in.csv'), body);
  const config = { base_path: '.', files: { trades: { file_path: 'in.csv', ...fileCfg } } };
  const out = join(runDir, 'catalog');
  const report = await runBuild({
    source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-02', output: out, dataTypes: ['trades'], config, configDir: runDir, ...job,
  });
  return { report, out };
}

async function tradeFiles(out: string): Promise<string[]> {
  const dir = join(out, 'data', 'trade_tick', 'BTCUSDT-PERP.BINANCE');
  return (await readdir(dir).catch(() => [] as string[])).sort().map((n) => join(dir, n));
}

/** Prices and sizes of the written trades, as text at the given precisions, in ts_init order. */
async function writtenValues(out: string, F: number, pp: number, sp: number): Promise<{ price: string; size: string }[]> {
  const got: { price: string; size: string }[] = [];
  for (const f of await tradeFiles(out)) {
    for await (const b of readParquetBatches(f)) {
      const price = b.getChild('price')!, size = b.getChild('size')!;
      for (let i = 0; i < b.numRows; i++) {
        const w = (price.get(i) as Uint8Array).length as 8 | 16;
        got.push({ price: formatRaw(readRaw(price.get(i) as Uint8Array, 0, w, true), F, pp), size: formatRaw(readRaw(size.get(i) as Uint8Array, 0, w, false), F, sp) });
      }
    }
  }
  return got;
}

for (const mode of MODES) {
  const fm = fixedMode(mode);
  test(`exactness through a whole job, ${mode}-bit: random prices and sizes at the instrument's full precision come back digit for digit`, async (t) => {
    const dir = await tempDir(t);
    let n = 0;
    // Prices up to 10^6 (a realistic range that leaves room for 16 decimals within PRICE_MAX).
    const value = (places: number, max: bigint) => fc.bigInt({ min: 1n, max: max * pow10(places) }).map((k) => textOf(k * pow10(fm.F - places), fm.F, places));
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: fm.F }), fc.integer({ min: 0, max: fm.F }),
      fc.context(),
      async (pp, sp, ctx) => {
        count(`job-exact-${mode}`);
        const rows = fc.sample(fc.tuple(value(pp, 1_000_000n), value(sp, 1000n)), { numRuns: 25, seed: n }).map(([price, size]) => ({ price, size }));
        ctx.log(JSON.stringify({ pp, sp }));
        const { report, out } = await buildOne(dir, `r${n++}`, tardisCsv(rows), { precisionMode: mode, pricePrecision: pp, sizePrecision: sp });
        assert.equal(report.ok, true, report.errors.join('\n'));
        assert.equal(report.totals.written, rows.length);
        assert.deepEqual(await writtenValues(out, fm.F, pp, sp), rows);
      },
    ), { numRuns: 10 });
  });
}

test('prices beyond the 64-bit limit are rejected with the limit named; the same rows fit a 128-bit catalog exactly', async (t) => {
  const dir = await tempDir(t);
  const f64 = fixedMode(64);
  const limit = f64.priceMax / pow10(9); // 9223372036
  let n = 0;
  const over = fc.bigInt({ min: limit * 100n + 1n, max: (fixedMode(128).priceMax / pow10(16)) * 100n }).map((c) => textOf(c, 2, 2));
  const under = fc.bigInt({ min: 1n, max: limit * 100n }).map((c) => textOf(c, 2, 2));
  const row = fc.tuple(fc.oneof(over, under), fc.constantFrom('0.001', '1.000', '12.500')).map(([price, size]) => ({ price, size }));
  await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), async (rows) => {
    count('price-limit');
    // The edges: the limit itself fits, one tick above does not.
    rows = [...rows, { price: `${limit}.00`, size: '1.000' }, { price: `${limit}.01`, size: '1.000' }];
    const isOver = (p: string) => BigInt(p.replace('.', '')) > limit * 100n;
    const body = tardisCsv(rows);
    const r64 = await buildOne(dir, `r${n}-64`, body, { precisionMode: 64, pricePrecision: 2, sizePrecision: 3 });
    const r128 = await buildOne(dir, `r${n++}-128`, body, { precisionMode: 128, pricePrecision: 2, sizePrecision: 3 });
    const bad = rows.map((r, i) => ({ ...r, line: i + 2 })).filter((r) => isOver(r.price));
    assert.equal(r64.report.totals.rejected, bad.length);
    assert.equal(r64.report.totals.written, rows.length - bad.length);
    const rejects = await rejectsOf(r64.report);
    assert.deepEqual(rejects.map((x) => [x.line, x.field, x.value]), bad.map((r) => [r.line, 'price', r.price]));
    for (const x of rejects) {
      assert.equal(x.reason, `above the 64-bit price limit ${limit}; a 128-bit catalog (--precision 128) holds prices up to 17014118346046`);
    }
    assert.deepEqual((await writtenValues(r64.out, 9, 2, 3)).map((r) => r.price), rows.filter((r) => !isOver(r.price)).map((r) => r.price));
    assert.equal(r128.report.ok, true, r128.report.errors.join('\n'));
    assert.deepEqual(await writtenValues(r128.out, 16, 2, 3), rows);
  }), { numRuns: 8 });
});

// ---- bad input -----------------------------------------------------------------------------------

async function rejectsOf(report: RunReport): Promise<Reject[]> {
  if (!report.rejectsFile) return [];
  return (await readFile(report.rejectsFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Reject);
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/**
 * Records the CSV reader must see in `bytes` (plain text): one per line split at \n (a quoted field
 * never spans lines: a quote left open is that line's reject, issue 11), a trailing \r dropped, a
 * leading BOM dropped, blank records not counted, the header not counted.
 * Written from the CSV rules, not from the reader's code.
 */
function expectedRecords(bytes: Buffer, header: boolean): number {
  const text = new TextDecoder('utf-8').decode(bytes);
  const records = text.split('\n');
  if (records[records.length - 1] === '') records.pop();
  const nonBlank = records.map((r) => r.replace(/\r$/, '')).filter((r, i) => (i === 0 ? r.replace(/^\ufeff/, '') : r).trim() !== '');
  return Math.max(0, nonBlank.length - (header && nonBlank.length ? 1 : 0));
}

/**
 * Records of a Tardis CSV that are another symbol's rows (the reader skips them, uncounted): no quote
 * character, and a symbol cell that is a symbol (a mangled cell is not) other than BTCUSDT.
 */
function otherSymbolRecords(bytes: Buffer, header: boolean): number {
  const records = new TextDecoder('utf-8').decode(bytes).split('\n').map((r) => r.replace(/\r$/, ''));
  const data = records.filter((r, i) => (i === 0 ? r.replace(/^\ufeff/, '') : r).trim() !== '').slice(header ? 1 : 0);
  return data.filter((r) => {
    // A quoted row is split as CSV, and only one of the header's 8 cells names a symbol.
    const cells = r.includes('"') ? splitCsv(r, ',') : r.split(',');
    if (r.includes('"') && cells.length !== 8) return false;
    const cell = cells[1]?.trim();
    return !!cell && SYMBOL_CELL.test(cell) && cell.toUpperCase() !== 'BTCUSDT';
  }).length;
}

interface Format {
  name: string;
  header: string | null;
  row: (k: number, ms: number, price: string, size: string, side: string, id: string) => string[];
  cfg: Record<string, unknown>;
}

const FORMATS: Format[] = [
  {
    name: 'tardis', header: 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount', cfg: {},
    row: (_k, ms, price, size, side, id) => ['binance-futures', 'BTCUSDT', String(ms * 1000), String(ms * 1000 + 3000), id, side, price, size],
  },
  { name: 'generic', header: 'time,price,volume,side,id', cfg: {}, row: (_k, ms, price, size, side, id) => [String(ms), price, size, side, id] },
  {
    name: 'headerless', header: null, cfg: { has_header: false, columns: { timestamp: '0', price: '1', size: '2', aggressor_side: '3', trade_id: '4' } },
    row: (_k, ms, price, size, side, id) => [String(ms), price, size, side, id],
  },
];

/** Values a mangled cell may hold. */
const BAD_CELL = fc.oneof(
  fc.constantFrom('', ' ', 'abc', 'NaN', 'Infinity', '-Infinity', 'true', 'null', '0x1F', '1e400', '1e-400', '1.2.3', '--1', '0', '-0', '0.000', '-1', '-42000.1',
    '9'.repeat(40), '99999999999999999999999.5', '42000.123456789', 'x'.repeat(36), 'x'.repeat(37), 'y'.repeat(40), 'idé', 'buy ', 'SELL', 'long',
    '2024-01-01T00:00:01Z', '2024-02-30T00:00:00Z', '1704067200', '1704067200000000000', '-1704067200000', '\t', '"', '""', '"quoted"', '"a,b"', 'a"b'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);

type Mut =
  | { kind: 'cell'; col: number; value: string }
  | { kind: 'quote'; col: number }
  | { kind: 'drop'; col: number }
  | { kind: 'extra'; values: string[] }
  | { kind: 'bytes'; at: number; bytes: number[] }
  | { kind: 'blank' }
  | { kind: 'dupe' };

const MUT: fc.Arbitrary<Mut> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('cell' as const), col: fc.nat(9), value: BAD_CELL }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('quote' as const), col: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), col: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra' as const), values: fc.array(BAD_CELL, { minLength: 1, maxLength: 3 }) }) },
  // Non-UTF-8 bytes (lone continuation bytes, a cut multi-byte sequence, 0xff), never \n or ".
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(60), bytes: fc.array(fc.constantFrom(0x80, 0xbf, 0xc3, 0xe2, 0x82, 0xfe, 0xff, 0x00), { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('blank' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dupe' as const) }) },
);

const ROW = fc.record({
  // ms offsets from 2023-12-31 (out of range) to 2024-01-03 (out of range): most fall in the job's two days.
  offset: fc.integer({ min: -DAY_MS / 4, max: 2 * DAY_MS + DAY_MS / 4 }),
  price: fc.oneof(fc.integer({ min: 1, max: 10_000_000 }).map((c) => (c / 100).toFixed(2)), fc.constantFrom('42000.1', '42000', '0.01')),
  size: fc.integer({ min: 1, max: 5_000_000 }).map((c) => (c / 1000).toString()),
  side: fc.constantFrom('buy', 'sell', 'BUY', 'unknown', ''),
  id: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
  muts: fc.array(MUT, { maxLength: 2 }),
});

const FILE = (format: Format) => fc.record({
  format: fc.constant(format),
  rows: fc.array(fc.option(ROW, { nil: null, freq: 12 }), { maxLength: 60, size: 'medium' }),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  leadingBlank: fc.boolean(),
  container: fc.oneof(
    { weight: 8, arbitrary: fc.constant('plain' as const) }, { weight: 3, arbitrary: fc.constant('gzip' as const) },
    { weight: 1, arbitrary: fc.constantFrom('truncated-gzip' as const, 'empty' as const, 'header-only' as const, 'random-bytes' as const) },
  ),
  cut: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
  junk: fc.uint8Array({ minLength: 1, maxLength: 300 }),
});

type FileSpec = ReturnType<typeof FILE> extends fc.Arbitrary<infer T> ? T : never;
/** A job: one to three files in one format (files of one data type share one mapping). */
const JOB_FILES = fc.constantFrom(...FORMATS).chain((f) => fc.array(FILE(f), { minLength: 1, maxLength: 3 }));

/** The file's bytes, its plain text (for the oracle; null when it cannot be read to the end) and whether line 1 is a header. */
function render(spec: FileSpec): { bytes: Buffer; plain: Buffer | null; header: boolean } {
  const f = spec.format;
  const nl = spec.crlf ? '\r\n' : '\n';
  const lines: Buffer[] = [];
  if (f.header) lines.push(Buffer.from(f.header));
  let k = 0;
  for (const r of spec.rows) {
    if (!r) {
      lines.push(Buffer.from(''));
      continue;
    }
    const ms = T0_MS + r.offset;
    const id = r.id === null ? `t${k}` : `d${r.id}`; // small ids repeat: duplicates
    let cells = f.row(k++, ms, r.price, r.size, r.side, id);
    let extraBytes: { at: number; bytes: number[] } | null = null;
    let blankAfter = false, twice = false;
    for (const m of r.muts) {
      if (m.kind === 'cell') cells[m.col % cells.length] = m.value;
      else if (m.kind === 'quote') cells[m.col % cells.length] = `"${cells[m.col % cells.length]!.replaceAll('"', '""')}"`;
      else if (m.kind === 'drop') cells = cells.filter((_, i) => i !== m.col % cells.length);
      else if (m.kind === 'extra') cells = [...cells, ...m.values];
      else if (m.kind === 'bytes') extraBytes = m;
      else if (m.kind === 'blank') blankAfter = true;
      else twice = true;
    }
    let line = Buffer.from(cells.join(','));
    if (extraBytes) {
      const at = Math.min(extraBytes.at, line.length);
      line = Buffer.concat([line.subarray(0, at), Buffer.from(extraBytes.bytes), line.subarray(at)]);
    }
    lines.push(line);
    if (twice) lines.push(line);
    if (blankAfter) lines.push(Buffer.from(' '));
  }
  if (spec.container === 'empty') return { bytes: Buffer.alloc(0), plain: Buffer.alloc(0), header: false };
  if (spec.container === 'random-bytes') return { bytes: Buffer.from(spec.junk), plain: null, header: false };
  const body = spec.container === 'header-only' ? lines.slice(0, 1) : lines;
  let text = Buffer.concat(body.flatMap((l, i) => (i < body.length - 1 || spec.finalNewline ? [l, Buffer.from(nl)] : [l])));
  if (spec.leadingBlank) text = Buffer.concat([Buffer.from(nl + '  ' + nl), text]);
  if (spec.bom) text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]);
  if (spec.container === 'gzip') return { bytes: gzipSync(text), plain: text, header: !!f.header };
  if (spec.container === 'truncated-gzip') {
    const gz = gzipSync(text);
    return { bytes: gz.subarray(0, Math.max(2, Math.floor(gz.length * spec.cut))), plain: null, header: !!f.header };
  }
  return { bytes: text, plain: text, header: !!f.header };
}

test('bad input: random and mangled CSV files never crash a job, and every row read is accounted for', async (t) => {
  const dir = await tempDir(t);
  let n = 0;
  let rowsSeen = 0, rejectedSeen = 0, filesFailed = 0;
  await fc.assert(fc.asyncProperty(JOB_FILES, fc.constantFrom<PrecisionMode>(64, 128), fc.context(), async (specs, mode, ctx) => {
    count('bad-csv');
    const runDir = join(dir, `r${n++}`);
    await mkdir(runDir, { recursive: true });
    const rendered = specs.map(render);
    const names = rendered.map((_, i) => `in${i}.csv`);
    for (let i = 0; i < rendered.length; i++) await writeFile(join(runDir, names[i]!), rendered[i]!.bytes);
    const cfg = specs[0]!.format.cfg;
    const config = { base_path: '.', files: { trades: { file_path: names, ...cfg } } };
    const out = join(runDir, 'catalog');
    let report: RunReport;
    try {
      report = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-02', output: out, dataTypes: ['trades'], config, configDir: runDir, precisionMode: mode });
    } catch (e) {
      // Mangled exchange or symbol cells can make a file say another symbol or exchange than the job:
      // the job is refused up front, naming the file, with nothing written.
      const msg = (e as Error).message;
      if (msg.startsWith('the job was refused before writing anything') && msg.includes(runDir) && !existsSync(out)) return;
      assert.fail(`runBuild threw instead of reporting: ${(e as Error).stack}`);
    }
    ctx.log(JSON.stringify({ errors: report.errors, files: report.files.map((f) => [f.rows, f.rejected, f.outOfRange, f.error]) }));
    const rejects = await rejectsOf(report);
    const tt = report.totals;
    assert.equal(report.files.length, names.length, 'one report per file');
    // Per file: the rows the CSV holds were all read (unless the file failed), every reject is in the file.
    for (let i = 0; i < names.length; i++) {
      const f = report.files[i]!;
      const r = rendered[i]!;
      const mine = rejects.filter((x) => x.file === f.path);
      assert.equal(mine.length, f.rejected, `${names[i]}: rejects in the rejects file`);
      assert.equal(new Set(mine.map((x) => x.line)).size, mine.length, `${names[i]}: a row is rejected at most once`);
      for (const x of mine) {
        assert.ok(x.reason.length > 0 && x.field.length > 0 && x.line >= 1, JSON.stringify(x));
        assert.equal(x.dataType, 'trades');
      }
      assert.ok(f.rows >= f.rejected + f.outOfRange, `${names[i]}: rows ${f.rows} >= rejected ${f.rejected} + out of range ${f.outOfRange}`);
      // The oracle: a file read to the end holds exactly the records the CSV rules find in it.
      if (r.plain && !f.error) {
        // Rows of other symbols (a mangled symbol cell can read as one) are skipped, not read.
        const want = expectedRecords(r.plain, r.header) - (f.format.startsWith('tardis.') ? otherSymbolRecords(r.plain, r.header) : 0);
        assert.equal(f.rows, want, `${names[i]}: every data row of the file was read`);
      }
      if (f.error) {
        filesFailed++;
        assert.ok(f.error.includes(f.path), `the error names the file: ${f.error}`);
        if (r.plain === null && specs[i]!.container === 'truncated-gzip') assert.match(f.error, /truncated|corrupt|empty|no column|not|unexpected/);
      }
    }
    // Over the run: read = written + duplicates + skipped + rejected + out of range (+ rows of failed days).
    assert.equal(tt.read, report.files.reduce((a, f) => a + f.rows, 0));
    assert.equal(tt.rejected, rejects.length);
    const skipped = report.days.reduce((a, d) => a + d.skipped, 0);
    let failedRows = 0;
    for (const d of report.days) {
      const left = d.read - d.written - d.duplicates - d.skipped - sum(d.rejected);
      if (d.state === 'failed') {
        assert.equal(d.written, 0, `${d.day}: a failed day writes nothing`);
        assert.ok(d.error, `${d.day}: a failed day says why`);
        assert.ok(left >= 0, `${d.day}: ${JSON.stringify(d)}`);
        assert.ok(report.files.some((f) => f.error), `${d.day} failed only because a file did: ${d.error}`);
        failedRows += left;
      } else {
        assert.equal(left, 0, `${d.day}: read = written + duplicates + skipped + rejected (${JSON.stringify(d)})`);
      }
    }
    assert.equal(tt.read, tt.written + tt.duplicates + skipped + tt.rejected + tt.outOfRange + failedRows,
      `read ${tt.read} != written ${tt.written} + duplicates ${tt.duplicates} + skipped ${skipped} + rejected ${tt.rejected} + out of range ${tt.outOfRange} + rows of failed days ${failedRows}`);
    const unplaced = tt.rejected - report.days.reduce((a, d) => a + sum(d.rejected), 0);
    assert.equal(report.days.reduce((a, d) => a + d.read, 0), tt.read - tt.outOfRange - unplaced, 'rows placed on days');
    // Rows of failed days are reported (the day fails, naming the file), never silently dropped.
    if (!report.files.some((f) => f.error)) assert.equal(failedRows, 0);
    // The catalog holds exactly the written rows, in valid files, and nothing half-done.
    const files = await tradeFiles(out);
    let inFiles = 0;
    for (const f of files) inFiles += (await readParquetInfo(f)).numRows;
    assert.equal(inFiles, tt.written, 'rows in the catalog = rows written');
    for (const d of report.days) if (d.state === 'failed') assert.ok(!files.some((f) => f.includes(d.day)), `no file for failed day ${d.day}`);
    if (files.length) {
      const v = await verifyCatalog(out);
      assert.deepEqual(v.errors, [], 'the catalog verifies');
    }
    assert.deepEqual(await readdir(join(out, STATE_DIR, 'tmp')).catch(() => []), [], 'no temporary file left');
    assert.ok(!existsSync(join(out, STATE_DIR, 'lock')), 'the lock is released');
    rowsSeen += tt.read;
    rejectedSeen += tt.rejected;
    // Rows lost: rows of readable files that no bucket holds.
    for (let i = 0; i < names.length; i++) {
      const r = rendered[i]!;
      const f = report.files[i]!;
      if (r.plain && !f.error) {
        const want = expectedRecords(r.plain, r.header) - (f.format.startsWith('tardis.') ? otherSymbolRecords(r.plain, r.header) : 0);
        rowsLost += Math.max(0, want - f.rows);
      }
    }
  }), { numRuns: 200 });
  t.diagnostic(`bad input: ${n} jobs, ${rowsSeen} rows read, ${rejectedSeen} rejected, ${filesFailed} files failed`);
  console.log(`bad input: ${n} jobs over random files, ${rowsSeen} rows read, ${rejectedSeen} rejected with a reason, ${filesFailed} files failed by name`);
  assert.equal(rowsLost, 0);
});

// ---- bad input, JSONL (WebSocket captures) --------------------------------------------------------

/** An aggTrade message in one of the capture line shapes, possibly mangled. */
const JSONL_LINE = fc.record({
  offset: fc.integer({ min: -DAY_MS / 4, max: 2 * DAY_MS + DAY_MS / 4 }),
  id: fc.integer({ min: 1, max: 400 }),
  price: fc.integer({ min: 1, max: 10_000_000 }).map((c) => (c / 100).toFixed(2)),
  qty: fc.integer({ min: 1, max: 5_000_000 }).map((c) => (c / 1000).toString()),
  maker: fc.boolean(),
  shape: fc.constantFrom('raw', 'combined', 'ts_recv', 'tardis'),
  mut: fc.option(fc.oneof(
    fc.record({ kind: fc.constant('drop' as const), key: fc.constantFrom('e', 's', 'a', 'p', 'q', 'T', 'm') }),
    fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom('e', 's', 'a', 'p', 'q', 'T', 'm', 'E', 'X'), value: fc.oneof(fc.jsonValue({ maxDepth: 1 }), BAD_CELL) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('junk' as const), text: fc.string({ maxLength: 30 }) }),
    fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(80), bytes: fc.array(fc.constantFrom(0x80, 0xc3, 0xff, 0x00, 0xfe), { minLength: 1, maxLength: 3 }) }),
    fc.constant({ kind: 'blank' as const }),
  ), { freq: 3 }),
});

function jsonlLine(l: typeof JSONL_LINE extends fc.Arbitrary<infer T> ? T : never): Buffer {
  const ms = T0_MS + l.offset;
  const p: Record<string, unknown> = { e: 'aggTrade', E: ms + 5, s: 'BTCUSDT', a: l.id, p: l.price, q: l.qty, f: l.id * 3, l: l.id * 3 + 1, T: ms, m: l.maker };
  const m = l.mut;
  if (m?.kind === 'drop') delete p[m.key];
  if (m?.kind === 'set') p[m.key] = m.value;
  const recv = BigInt(ms + 7) * 1_000_000n;
  const text = l.shape === 'raw' ? JSON.stringify(p)
    : l.shape === 'combined' ? JSON.stringify({ stream: 'btcusdt@aggTrade', data: p })
      : l.shape === 'ts_recv' ? `{"ts_recv":${recv},"msg":${JSON.stringify(p)}}`
        : `${new Date(ms + 7).toISOString().replace('Z', '0000Z')} ${JSON.stringify({ stream: 'btcusdt@aggTrade', data: p })}`;
  if (m?.kind === 'blank') return Buffer.from('');
  if (m?.kind === 'junk') return Buffer.from(m.text.replace(/\n/g, ' '));
  if (m?.kind === 'cut') return Buffer.from(text.slice(0, Math.floor(text.length * m.at)));
  const b = Buffer.from(text);
  if (m?.kind === 'bytes') return Buffer.concat([b.subarray(0, Math.min(m.at, b.length)), Buffer.from(m.bytes), b.subarray(Math.min(m.at, b.length))]);
  return b;
}

test('bad input: random and mangled JSONL captures never crash a job, and every message counted is accounted for', async (t) => {
  const dir = await tempDir(t);
  let n = 0, rowsSeen = 0, rejectedSeen = 0;
  const FILE_JSONL = fc.record({
    lines: fc.array(JSONL_LINE, { maxLength: 50, size: 'medium' }),
    crlf: fc.boolean(), bom: fc.boolean(),
    container: fc.oneof({ weight: 6, arbitrary: fc.constant('plain' as const) }, { weight: 2, arbitrary: fc.constant('gzip' as const) }, { weight: 1, arbitrary: fc.constantFrom('truncated-gzip' as const, 'empty' as const) }),
    cut: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
  });
  await fc.assert(fc.asyncProperty(fc.array(FILE_JSONL, { minLength: 1, maxLength: 2 }), async (specs) => {
    count('bad-jsonl');
    const runDir = join(dir, `j${n++}`);
    await mkdir(runDir, { recursive: true });
    const names: string[] = [];
    for (const [i, s] of specs.entries()) {
      let text = Buffer.concat(s.lines.flatMap((l) => [jsonlLine(l), Buffer.from(s.crlf ? '\r\n' : '\n')]));
      if (s.bom) text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]);
      const body = s.container === 'empty' ? Buffer.alloc(0) : s.container === 'gzip' ? gzipSync(text)
        : s.container === 'truncated-gzip' ? gzipSync(text).subarray(0, Math.max(2, Math.floor(gzipSync(text).length * s.cut))) : text;
      names.push(`cap${i}.jsonl`);
      await writeFile(join(runDir, names[i]!), body);
    }
    const out = join(runDir, 'catalog');
    let report: RunReport;
    try {
      report = await runBuild({
        source: 'websocket', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-02', output: out, dataTypes: ['trades'],
        config: { base_path: '.', files: { trades: { file_path: names } } }, configDir: runDir,
      });
    } catch (e) {
      // A message whose `s` was set to another symbol can make a capture say only that symbol:
      // the job is refused up front, naming the file, with nothing written. Nothing else may throw.
      const msg = (e as Error).message;
      const symbolChanged = specs.some((s) => s.lines.some((l) => l.mut?.kind === 'set' && l.mut.key === 's'));
      if (symbolChanged && msg.startsWith('the job was refused before writing anything') && msg.includes(runDir) && !existsSync(out)) return;
      assert.fail(`runBuild threw instead of reporting: ${(e as Error).stack}`);
    }
    const rejects = await rejectsOf(report);
    const tt = report.totals;
    for (const f of report.files) {
      const mine = rejects.filter((x) => x.file === f.path);
      assert.equal(mine.length, f.rejected, `${f.path}: rejects in the rejects file`);
      for (const x of mine) assert.ok(x.reason && x.field && x.line >= 1, JSON.stringify(x));
      if (f.error) assert.ok(f.error.includes(f.path), f.error);
    }
    assert.equal(tt.read, report.files.reduce((a, f) => a + f.rows, 0));
    assert.equal(tt.rejected, rejects.length);
    const skipped = report.days.reduce((a, d) => a + d.skipped, 0);
    let failedRows = 0;
    for (const d of report.days) {
      const left = d.read - d.written - d.duplicates - d.skipped - sum(d.rejected);
      if (d.state === 'failed') {
        assert.equal(d.written, 0);
        assert.ok(report.files.some((f) => f.error), `${d.day} failed only because a file did: ${d.error}`);
        failedRows += left;
      } else assert.equal(left, 0, `${d.day}: ${JSON.stringify(d)}`);
    }
    assert.equal(tt.read, tt.written + tt.duplicates + skipped + tt.rejected + tt.outOfRange + failedRows);
    let inFiles = 0;
    for (const f of await tradeFiles(out)) inFiles += (await readParquetInfo(f)).numRows;
    assert.equal(inFiles, tt.written);
    if (inFiles) assert.deepEqual((await verifyCatalog(out)).errors, []);
    assert.deepEqual(await readdir(join(out, STATE_DIR, 'tmp')).catch(() => []), []);
    rowsSeen += tt.read;
    rejectedSeen += tt.rejected;
  }), { numRuns: 80 });
  console.log(`bad JSONL: ${n} jobs over random captures, ${rowsSeen} messages counted, ${rejectedSeen} rejected with a reason`);
});

// ---- multi-member zips and id-less rows (issue 11 items 2, 3) ---------------------------------------

/** A trade row drawn from few values, so rows often share time, price, size and side (real fills do). */
const PLAIN_ROW = fc.record({
  slot: fc.integer({ min: -2, max: 9 }), // -2..-1 and 8..9: outside the job's two days
  price: fc.constantFrom('42000.5', '42000.6', 'abc'),
  size: fc.constantFrom('0.001', '0.002'),
  side: fc.constantFrom('buy', 'sell'),
});
type PlainRow = typeof PLAIN_ROW extends fc.Arbitrary<infer R> ? R : never;
/** A zip member: a CSV of rows, or a file that is not data (named in a note, never read). */
const MEMBER = fc.oneof(
  { weight: 3, arbitrary: fc.record({ name: fc.constantFrom('a.csv', 'b.csv', 'c.CSV', '2024/d.csv', 'z.csv'), rows: fc.array(PLAIN_ROW, { maxLength: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constantFrom('README.txt', 'notes.md', 'CHECKSUM', 'a.csv.sha256'), rows: fc.constant(null) }) },
);
const INPUT = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('csv' as const), rows: fc.array(PLAIN_ROW, { maxLength: 30 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('zip' as const),
      members: fc.uniqueArray(MEMBER, { minLength: 1, maxLength: 4, selector: (m) => m.name }).filter((ms) => ms.some((m) => m.rows !== null)),
    }),
  },
);

test('multi-member zips and id-less rows: every member is read, every row read ends in exactly one bucket, nothing is lost', async (t) => {
  const dir = await tempDir(t);
  let n = 0, rowsSeen = 0, membersSeen = 0;
  const T1 = Date.UTC(2024, 0, 1);
  await fc.assert(fc.asyncProperty(fc.array(INPUT, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.array(fc.nat(2), { maxLength: 2 }), async (inputs, withIds, again) => {
    count('zip-idless');
    const runDir = join(dir, `z${n++}`);
    await mkdir(runDir, { recursive: true });
    const header = withIds ? 'time,price,volume,side,id' : 'time,price,volume,side';
    let uid = 0;
    // Oracle per input: the labels a job must report, in order, with the rows of each.
    const expected: { label: string; rows: PlainRow[] }[][] = [];
    const names: string[] = [];
    for (const [i, inp] of inputs.entries()) {
      const csv = (rows: PlainRow[]) =>
        [header, ...rows.map((r) => [String(T1 + r.slot * 6 * 3_600_000), r.price, r.size, r.side, ...(withIds ? [`u${uid++}`] : [])].join(','))].join('\n') + '\n';
      if (inp.kind === 'csv') {
        names.push(`in${i}.csv`);
        await writeFile(join(runDir, names[i]!), csv(inp.rows));
        expected.push([{ label: join(runDir, names[i]!), rows: inp.rows }]);
      } else {
        names.push(`in${i}.zip`);
        await zipOf(join(runDir, names[i]!), inp.members.map((m) => [m.name, m.rows ? csv(m.rows) : 'not data\n']));
        const data = inp.members.filter((m) => m.rows !== null && /\.csv$/i.test(m.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
        expected.push(data.map((m) => ({ label: `${join(runDir, names[i]!)}:${m.name}`, rows: m.rows! })));
      }
    }
    // Some files listed again: their second read holds only duplicates (and the same rejects).
    const listed = [...names.keys(), ...again.filter((k) => k < names.length)];
    const config = { base_path: '.', files: { trades: { file_path: listed.map((k) => names[k]!) } } };
    const report = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-02', output: join(runDir, 'catalog'), dataTypes: ['trades'], config, configDir: runDir });
    const want = { read: 0, written: 0, duplicates: 0, rejected: 0, outOfRange: 0 };
    const seen = new Set<number>();
    const labels: string[] = [];
    for (const k of listed) {
      for (const m of expected[k]!) {
        labels.push(m.label);
        for (const r of m.rows) {
          want.read++;
          if (r.slot < 0 || r.slot > 7) want.outOfRange++;
          else if (r.price === 'abc') want.rejected++;
          else if (seen.has(k)) want.duplicates++;
          else want.written++;
        }
      }
      seen.add(k);
    }
    assert.deepEqual(report.files.map((f) => f.path), labels, 'every data member of every zip is its own input, in name order');
    assert.deepEqual(report.files.map((f) => f.error), labels.map(() => undefined));
    const tt = report.totals;
    assert.deepEqual({ read: tt.read, written: tt.written, duplicates: tt.duplicates, rejected: tt.rejected, outOfRange: tt.outOfRange }, want);
    for (const d of report.days) assert.equal(d.read, d.written + d.duplicates + d.skipped + sum(d.rejected), `${d.day}: ${JSON.stringify(d)}`);
    const skippedMembers = inputs.flatMap((inp) => (inp.kind === 'zip' ? inp.members.filter((m) => m.rows === null || !/\.csv$/i.test(m.name)) : []));
    for (const m of skippedMembers) assert.ok(report.notes.some((x) => x.includes(m.name)), `skipped member ${m.name} is named`);
    let inFiles = 0;
    for (const f of await tradeFiles(join(runDir, 'catalog'))) inFiles += (await readParquetInfo(f)).numRows;
    assert.equal(inFiles, tt.written, 'rows in the catalog = rows written');
    rowsLost += Math.max(0, want.written - inFiles);
    rowsSeen += tt.read;
    membersSeen += labels.length;
  }), { numRuns: 40 });
  console.log(`zips and id-less rows: ${n} jobs, ${membersSeen} inputs read, ${rowsSeen} rows read`);
});

// ---- stray quotes (issue 11 item 1) --------------------------------------------------------------

test('stray quotes injected into random fields of valid rows: every row is read and ends written or rejected with a reason', async (t) => {
  const dir = await tempDir(t);
  const header = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
  // Where a quote goes in a field: before it ("sell), inside it (12"3), after it (3") or as the whole field.
  const STRAY = fc.record({ col: fc.nat(7), how: fc.constantFrom('start', 'middle', 'end', 'alone'), at: fc.nat(20) });
  const FILE_ROWS = fc.array(fc.option(STRAY, { nil: null, freq: 3 }), { minLength: 1, maxLength: 400 });
  let n = 0;
  await fc.assert(fc.asyncProperty(FILE_ROWS, fc.boolean(), fc.constantFrom('0', '1'), async (strays, gz, fast) => {
    count('stray-quotes');
    const lines = [header];
    const bad = new Map<number, number>(); // line -> column of a quote left open
    const stray = new Set<number>();
    strays.forEach((q, k) => {
      const ms = T0_MS + 1000 + k * 1000;
      const cells = ['binance-futures', 'BTCUSDT', String(ms * 1000), String(ms * 1000 + 3000), String(k + 1), k % 2 ? 'sell' : 'buy', '42000.1', '0.001'];
      if (q) {
        const v = cells[q.col]!;
        const at = 1 + (q.at % Math.max(1, v.length - 1));
        cells[q.col] = q.how === 'start' ? '"' + v : q.how === 'middle' ? v.slice(0, at) + '"' + v.slice(at) : q.how === 'end' ? v + '"' : '"';
        stray.add(k + 2);
        if (q.how === 'start' || q.how === 'alone') bad.set(k + 2, q.col);
      }
      lines.push(cells.join(','));
    });
    const runDir = join(dir, `s${n++}`);
    await mkdir(runDir, { recursive: true });
    const text = Buffer.from(lines.join('\n') + '\n');
    await writeFile(join(runDir, 'in.csv'), gz ? gzipSync(text) : text);
    const prev = process.env.CB_FAST_PATH;
    process.env.CB_FAST_PATH = fast;
    let report: RunReport;
    try {
      report = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: join(runDir, 'catalog'), dataTypes: ['trades'], config: { base_path: '.', files: { trades: { file_path: 'in.csv' } } }, configDir: runDir });
    } finally {
      if (prev === undefined) delete process.env.CB_FAST_PATH;
      else process.env.CB_FAST_PATH = prev;
    }
    const tt = report.totals;
    rowsLost += Math.max(0, strays.length - tt.read);
    assert.equal(tt.read, strays.length, `every row is read: ${JSON.stringify(tt)} ${report.errors.join('; ')}`);
    assert.equal(tt.written + tt.rejected + tt.duplicates + tt.outOfRange, tt.read, JSON.stringify(tt));
    assert.equal(tt.duplicates + tt.outOfRange, 0);
    const rejects = await rejectsOf(report);
    assert.equal(rejects.length, tt.rejected);
    const byLine = new Map(rejects.map((r) => [r.line, r]));
    // A quote left open is that row's reject, naming its field; a quote inside or after a value is a
    // character of it (RFC 4180), which the field's own rules then take or reject. Clean rows are written.
    for (const [line, col] of bad) assert.deepEqual([byLine.get(line)?.field, byLine.get(line)?.reason], [header.split(',')[col], UNCLOSED_QUOTE], `line ${line}`);
    for (const r of rejects) assert.ok(stray.has(r.line) && r.reason.length > 0, JSON.stringify(r));
  }), { numRuns: 60 });
});

// ---- odd first rows, re-runs and failed days (issue 11, items 4 and 5) ----------------------------

/** A timestamp cell that is not a Unix ms value of 2024-01-01: what once decided a file's unit. */
const ODD_TS = fc.oneof(
  fc.constant('0'),
  fc.integer({ min: 1, max: 99_999_999 }).map(String), // truncated: 1 to 8 digits (Unix s by magnitude)
  fc.integer({ min: 0, max: 86_399 }).map((s) => `${T0_MS / 1000 + s}.5`), // seconds with a fraction
  fc.integer({ min: 0, max: 86_399 }).map((s) => String(T0_MS / 1000 + s)), // seconds
  fc.integer({ min: 0, max: 86_399_999 }).map((us) => String(T0_MS * 1000 + us)), // microseconds
  fc.constant('2024-01-01T00:00:01Z'),
);

test('odd rows: whatever the first rows, the unit is the one most rows have; each odd row is its own reject', async (t) => {
  const dir = await tempDir(t);
  let n = 0;
  await fc.assert(fc.asyncProperty(
    fc.array(ODD_TS, { minLength: 1, maxLength: 3 }), fc.array(ODD_TS, { maxLength: 3 }), fc.integer({ min: 20, max: 150 }), fc.boolean(),
    async (first, later, valid, gz) => {
      count('odd-first-rows');
      const runDir = join(dir, `odd${n++}`);
      await mkdir(runDir, { recursive: true });
      const lines = ['timestamp,price,size,trade_id'];
      let id = 0;
      for (const ts of first) lines.push(`${ts},100.5,0.001,${++id}`);
      for (let i = 0; i < valid; i++) {
        lines.push(`${T0_MS + 1 + i * 1000},${100 + (i % 7)}.5,0.00${1 + (i % 9)},${++id}`);
        // The later odd rows among the valid ones.
        if (later.length && i % Math.ceil(valid / later.length) === 0) lines.push(`${later.shift()},100.5,0.001,${++id}`);
      }
      for (const ts of later) lines.push(`${ts},100.5,0.001,${++id}`);
      const odd = id - valid;
      const text = lines.join('\n') + '\n';
      const name = gz ? 'trades.csv.gz' : 'trades.csv';
      await writeFile(join(runDir, name), gz ? gzipSync(text) : text);
      const r = await runBuild({ source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: join(runDir, 'catalog'), dataTypes: ['trades'],
        config: { base_path: '.', files: { trades: { file_path: name } } }, configDir: runDir });
      assert.equal(r.totals.written, valid, JSON.stringify(r.files[0]));
      assert.equal(r.totals.rejected, odd);
      assert.ok(r.files[0]!.notes.includes('timestamps: Unix ms'), r.files[0]!.notes.join('; '));
      assert.equal(r.files[0]!.notes.filter((x) => /another unit/.test(x)).length, 1, r.files[0]!.notes.join('; '));
      assert.equal(r.ok, true, r.errors.join('; '));
      assertBucketsAddUp(r);
    }), { numRuns: 25 });
});

/** Trades over the given days (Unix ms), `n` a day, ids unique. */
function tradesCsv(days: number[], n: number): string {
  const out = ['timestamp,price,size,trade_id'];
  for (const d of days) for (let i = 0; i < n; i++) out.push(`${T0_MS + d * DAY_MS + 1 + Math.floor((i * (DAY_MS - 10)) / n)},100.5,0.00${1 + (i % 9)},${d * n + i + 1}`);
  return out.join('\n') + '\n';
}

test('re-runs and failed days: every row read is in exactly one bucket, per day and in total', async (t) => {
  const dir = await tempDir(t);
  let n = 0;
  const day = (d: number) => new Date(T0_MS + d * DAY_MS).toISOString().slice(0, 10);
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 50, max: 3000 }),
    fc.constantFrom('none', 'truncated-gzip', 'extra-day-file'), fc.boolean(),
    async (firstDays, allDays, perDay, damage, overwrite) => {
      count('reruns-failed-days');
      const total = Math.max(firstDays, allDays);
      const runDir = join(dir, `rr${n++}`);
      await mkdir(runDir, { recursive: true });
      const all = Array.from({ length: total }, (_, d) => d);
      await writeFile(join(runDir, 'a.csv'), tradesCsv(all, perDay));
      const files: string[] = ['a.csv'];
      if (damage === 'truncated-gzip') {
        // A second file with rows of the last day, cut short: that day fails, its rows are discarded.
        const gz = gzipSync(tradesCsv([total - 1], perDay * 3).replace(/,(\d+)\n/g, (_m, id: string) => `,x${id}\n`));
        await writeFile(join(runDir, 'b.csv.gz'), gz.subarray(0, Math.max(20, Math.floor(gz.length / 2))));
        files.push('b.csv.gz');
      }
      const job = (end: number, ow: boolean): JobSpecInput => ({ source: 'csv', symbol: 'BTCUSDT', start: day(0), end: day(end - 1), output: join(runDir, 'catalog'),
        dataTypes: ['trades'], overwrite: ow, config: { base_path: '.', files: { trades: { file_path: files } } }, configDir: runDir });
      const first = await runBuild(job(firstDays, false));
      assertBucketsAddUp(first);
      if (damage === 'extra-day-file') {
        // A file in the catalog overlapping the first day without being its file: that day is refused up front.
        const f = first.days.find((d) => d.file)?.file;
        if (f) await writeFile(f.replace(/999999999Z\.parquet$/, '999999998Z.parquet'), await readFile(f));
      }
      const again = await runBuild(job(allDays, overwrite));
      assertBucketsAddUp(again);
      for (const d of again.days) {
        if (d.state === 'skipped') assert.equal(d.existing, d.read - d.duplicates - sum(d.rejected), JSON.stringify(d));
        if (d.state === 'failed') assert.equal(d.written, 0);
        if (d.state === 'done') assert.equal(d.existing + d.discarded, 0, JSON.stringify(d));
      }
      // ok only when every day was written or was already there, and no file failed.
      assert.equal(again.ok, again.days.every((d) => d.state !== 'failed') && again.files.every((f) => !f.error), again.errors.join('; '));
    }), { numRuns: 20 });
});
