// A CSV's local conventions as per-file options (issue 15, items 9 and 10): a decimal comma, day-first
// (or month-first) dates read as UTC, side values such as Kauf/Verkauf. The parsers, the proposals
// a preview makes, and whole builds whose catalog values are read back exactly, with the fast path
// on and off.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { RunReport } from '../../../shared/report.js';
import { FileConfig } from '../../../shared/job.js';
import { readRaw } from '../../../engine/numbers/fixed.js';
import { parseSide } from '../../../engine/normalize/normalizer.js';
import { commaDecimal, proposeLocale, sideTable, THOUSANDS_REASON } from '../../../engine/sources/csv/locale.js';
import { parseDayDate } from '../../../engine/sources/timestamp.js';
import { preview } from '../../../engine/preview.js';
import { build, filesUnder, readRows, tempDir } from '../../helpers.js';

/** The per-reason reject counts of every day of a report, added up. */
function reasons(r: RunReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of r.days) for (const [k, n] of Object.entries(d.rejected)) out[k] = (out[k] ?? 0) + n;
  return out;
}
const ns = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
/** Decimal text -> raw at 10^16 (128-bit mode), computed without the engine. */
const raw = (text: string) => {
  const [i, f = ''] = text.split('.');
  return BigInt(i! + f.padEnd(16, '0'));
};

test('day-first and month-first dates: UTC nanoseconds, fractions with "." or ",", zones; impossible dates refused', () => {
  const ok = (text: string, f: 'day-first' | 'month-first') => {
    const r = parseDayDate(text, f);
    assert.ok('ns' in r, `${text}: ${'error' in r ? r.error : ''}`);
    return r;
  };
  assert.equal(ok('31.01.2024 10:00:00', 'day-first').ns, ns('2024-01-31T10:00:00Z'));
  assert.equal(ok('31.01.2024 10:00:00', 'day-first').zoned, false, 'no zone: read as UTC, and said so');
  assert.equal(ok('31/01/2024 10:00:00.123456789', 'day-first').ns, ns('2024-01-31T10:00:00Z') + 123_456_789n);
  assert.equal(ok('1.2.2024 9:05:07,5', 'day-first').ns, ns('2024-02-01T09:05:07.500Z'));
  assert.equal(ok('31.01.2024', 'day-first').ns, ns('2024-01-31T00:00:00Z'));
  assert.equal(ok('31.01.2024 10:00', 'day-first').ns, ns('2024-01-31T10:00:00Z'));
  assert.equal(ok('31.01.2024 11:00:00+01:00', 'day-first').ns, ns('2024-01-31T10:00:00Z'));
  assert.equal(ok('01/31/2024 10:00:00', 'month-first').ns, ns('2024-01-31T10:00:00Z'));
  assert.deepEqual(parseDayDate('30.02.2024 10:00:00', 'day-first'), { error: 'not a valid date' });
  assert.deepEqual(parseDayDate('31.01.2024 25:00:00', 'day-first'), { error: 'not a valid date' });
  assert.deepEqual(parseDayDate('2024-01-31T10:00:00Z', 'day-first'), { error: 'not a day-first date such as 31.01.2024 10:00:00' });
  assert.deepEqual(parseDayDate('1706695200000', 'month-first'), { error: 'not a month-first date such as 01/31/2024 10:00:00' });
});

test('decimal comma: 42000,5 is 42000.5; a "." (a thousands separator?) is never read; side values before the usual words', () => {
  assert.equal(commaDecimal('42000,5'), '42000.5');
  assert.equal(commaDecimal('42000'), '42000');
  assert.equal(commaDecimal('-0,0001'), '-0.0001');
  assert.equal(commaDecimal('1.234,5'), null);
  assert.equal(commaDecimal('1.234'), null);
  const t = sideTable({ Kauf: 'buyer', ' VERKAUF ': 'seller', buy: 'seller' })!;
  assert.equal(parseSide('kauf', 'text', t), 1);
  assert.equal(parseSide(' Verkauf ', 'text', t), 2);
  assert.equal(parseSide('buy', 'text', t), 2, 'the file’s own meaning wins');
  assert.equal(parseSide('sell', 'text', t), 2, 'other values read as usual');
  assert.equal(parseSide('Halten', 'text', t), -1);
  assert.equal(parseSide('constructor', 'text'), -1);
  // Two meanings for one value (compared ignoring case) are refused by the config's schema.
  const r = FileConfig.safeParse({ file_path: 'x.csv', side_values: { Kauf: 'buyer', KAUF: 'seller' } });
  assert.equal(r.success, false);
  assert.match(JSON.stringify(r.error?.issues), /side value \\"KAUF\\" is mapped twice/);
  assert.equal(FileConfig.safeParse({ file_path: 'x.csv', date_format: 'day-first', timestamp_unit: 'ms' }).success, false);
});

test('proposals from the rows shown: decimal comma, day-first (or month-first) dates, unknown side values with guesses', () => {
  const rows = [['31.01.2024 10:00:00', '42000,5', '0,015', 'Kauf'], ['31.01.2024 10:00:01', '42001', '1', 'Verkauf']];
  assert.deepEqual(proposeLocale(rows, ';', { timestamp: 0, side: 3, sideName: 'side', sideMode: 'text' }), {
    decimal: { value: ',', example: '42000,5' },
    dateFormat: { value: 'day-first', example: '31.01.2024 10:00:00', sure: true },
    sideValues: { column: 'side', values: { Kauf: 'buyer', Verkauf: 'seller' }, unknown: ['Kauf', 'Verkauf'] },
  });
  // Values it knows (b, s, BUY, 1, -1) propose nothing; "." decimals or a comma delimiter: no decimal comma.
  for (const sides of [['b', 's'], ['BUY', 'SELL'], ['1', '-1'], ['bid', 'ask']]) {
    assert.equal(proposeLocale(sides.map((s) => ['1706695200000', '42000.5', s]), ',', { side: 2, sideMode: 'text' }).sideValues, undefined, sides.join('/'));
  }
  assert.equal(proposeLocale([['42000,5', '42000.5']], ';', { sideMode: 'text' }).decimal, undefined);
  assert.equal(proposeLocale([['"42000,5"']], ',', { sideMode: 'text' }).decimal, undefined);
  // Unknown words get no guess: the user picks.
  assert.deepEqual(proposeLocale([['x', 'up'], ['y', 'down']], ';', { side: 1, sideMode: 'text' }).sideValues?.values, { up: '', down: '' });
  // "/" dates: a day above 12 says day-first, a month position above 12 month-first, neither: not sure.
  assert.deepEqual(proposeLocale([['01/31/2024 10:00']], ';', { timestamp: 0, sideMode: 'text' }).dateFormat, { value: 'month-first', example: '01/31/2024 10:00', sure: true });
  assert.deepEqual(proposeLocale([['02/01/2024 10:00']], ';', { timestamp: 0, sideMode: 'text' }).dateFormat, { value: 'day-first', example: '02/01/2024 10:00', sure: false });
});

/** A semicolon trade file as a German export writes it: day-first dates, decimal commas, Kauf/Verkauf. */
const GERMAN = [
  'time;price;qty;side;id',
  '31.01.2024 10:00:00;42000,5;0,015;Kauf;1',
  '31.01.2024 10:00:01,25;42001;1;Verkauf;2',
  '31.01.2024 23:59:59;41999,9;0,5;kauf;3',
  '01.02.2024 00:00:00;42002,1;2,25;Verkauf;4',
];

test('a German export builds with decimal, date_format and side_values: every value exact, UTC, and the notes say so', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'de.csv'), GERMAN.join('\r\n') + '\r\n');
  const cfg = { file_path: 'de.csv', decimal: ',', date_format: 'day-first', side_values: { Kauf: 'buyer', Verkauf: 'seller' } };
  const report = await build(dir, { trades: cfg }, { start: '2024-01-31', end: '2024-02-01' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  assert.deepEqual([report.totals.read, report.totals.written, report.totals.rejected], [4, 4, 0]);
  const notes = report.files[0]!.notes;
  for (const n of ['timestamps without a time zone were read as UTC', 'timestamps: day-first dates (31.01.2024 10:00:00)', 'numbers read with a decimal comma (42000,5 = 42000.5)', 'side values as the file\'s options say: "Kauf" = buyer, "Verkauf" = seller']) {
    assert.ok(notes.includes(n), `note ${n} in ${notes.join(' | ')}`);
  }
  const rows = (await Promise.all(report.days.map((d) => readRows(d.file!)))).flat();
  assert.deepEqual(rows.map((r) => [readRaw(r.price as Uint8Array, 0, 16, true), readRaw(r.size as Uint8Array, 0, 16, false), r.aggressor_side, r.trade_id, r.ts_event, r.ts_init]), [
    [raw('42000.5'), raw('0.015'), 1, '1', ns('2024-01-31T10:00:00Z'), ns('2024-01-31T10:00:00Z')],
    [raw('42001'), raw('1'), 2, '2', ns('2024-01-31T10:00:01.250Z'), ns('2024-01-31T10:00:01.250Z')],
    [raw('41999.9'), raw('0.5'), 1, '3', ns('2024-01-31T23:59:59Z'), ns('2024-01-31T23:59:59Z')],
    [raw('42002.1'), raw('2.25'), 2, '4', ns('2024-02-01T00:00:00Z'), ns('2024-02-01T00:00:00Z')],
  ]);

  // Without the options every row is a reject, and the side's reason names the value and the way out.
  const bare = await build(dir, { trades: { file_path: 'de.csv' } }, { start: '2024-01-31', end: '2024-02-01', output: join(dir, 'bare'), maxRejectRatio: 1 });
  assert.deepEqual([bare.totals.written, bare.totals.rejected], [0, 4]);
  const dated = await build(dir, { trades: { file_path: 'de.csv', date_format: 'day-first', decimal: ',' } }, { start: '2024-01-31', end: '2024-02-01', output: join(dir, 'dated'), maxRejectRatio: 1 });
  assert.deepEqual(reasons(dated), {
    'aggressor_side: "Kauf" is not a side (expected buy or sell): map it to buyer or seller in the file\'s side values (side_values)': 1,
    'aggressor_side: "kauf" is not a side (expected buy or sell): map it to buyer or seller in the file\'s side values (side_values)': 1,
    'aggressor_side: "Verkauf" is not a side (expected buy or sell): map it to buyer or seller in the file\'s side values (side_values)': 2,
  });
});

test('decimal comma: a thousands separator rejects the row with its reason (never read as 1.2345 or 1234.5)', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'th.csv'), ['time;price;qty;side;id', '31.01.2024 10:00:00;42.000,5;1;Kauf;1', '31.01.2024 10:00:01;42000,5;1.000;Kauf;2', '31.01.2024 10:00:02;42000,5;1;Kauf;3'].join('\n'));
  const report = await build(dir, { trades: { file_path: 'th.csv', decimal: ',', date_format: 'day-first', side_values: { Kauf: 'buyer' } } }, { start: '2024-01-31', end: '2024-01-31', maxRejectRatio: 1 });
  assert.deepEqual([report.totals.written, report.totals.rejected], [1, 2]);
  assert.deepEqual(reasons(report), { [`price: ${THOUSANDS_REASON}`]: 1, [`size: ${THOUSANDS_REASON}`]: 1 });
  const lines = (await readFile(report.rejectsFile!, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { line: number; value: string });
  assert.deepEqual(lines.map((l) => [l.line, l.value]), [[2, '42.000,5'], [3, '1.000']]);
});

test('quotes, mark prices and funding rates with a decimal comma', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'q.csv'), ['time;bid_price;bid_size;ask_price;ask_size', '31.01.2024 10:00:00;42000,1;1,5;42000,2;0,25'].join('\n'));
  await writeFile(join(dir, 'm.csv'), ['time;mark_price', '31.01.2024 10:00:00;42000,123'].join('\n'));
  await writeFile(join(dir, 'f.csv'), ['time;funding_rate', '31.01.2024 08:00:00;-0,0001'].join('\n'));
  const opts = { decimal: ',', date_format: 'day-first' };
  const report = await build(dir, { quotes: { file_path: 'q.csv', ...opts }, mark: { file_path: 'm.csv', ...opts }, funding: { file_path: 'f.csv', ...opts } }, { start: '2024-01-31', end: '2024-01-31' });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const rows = async (type: string) => readRows(report.days.find((d) => d.dataType === type)!.file!);
  const q = (await rows('quotes'))[0]!;
  assert.deepEqual(['bid_price', 'bid_size', 'ask_price', 'ask_size'].map((k) => readRaw(q[k] as Uint8Array, 0, 16, !k.endsWith('size'))), [raw('42000.1'), raw('1.5'), raw('42000.2'), raw('0.25')]);
  // Mark prices are rounded to the price precision (2 for BTCUSDT), as NautilusTrader does.
  assert.equal(readRaw((await rows('mark'))[0]!.value as Uint8Array, 0, 16, true), raw('42000.12'));
  assert.equal(JSON.parse(Buffer.from((await rows('funding'))[0]!.rate as Uint8Array).toString('utf8')), '-0.0001');
});

/** The same build with the fast path off, then on. */
async function bothPaths(t: TestContext, dir: string, files: Record<string, unknown>, job: Record<string, unknown>): Promise<[RunReport, RunReport]> {
  const prev = process.env.CB_FAST_PATH;
  t.after(() => (prev === undefined ? delete process.env.CB_FAST_PATH : (process.env.CB_FAST_PATH = prev)));
  const out: RunReport[] = [];
  for (const fast of ['0', '1']) {
    process.env.CB_FAST_PATH = fast;
    out.push(await build(dir, files, { output: join(dir, `catalog-${fast}`), ...job }));
  }
  return out as [RunReport, RunReport];
}

test('the CSV fast path reads side values and decimal commas as the complete path does (same bytes, same rejects)', async (t) => {
  const dir = await tempDir(t);
  // Over 1 MiB, so the fast path takes over after the first batch; Unix ms times (the fast path's).
  // The file says "buy" for its sellers: side_values gives it that meaning, which the fast path must honour.
  const t0 = Date.parse('2024-01-31T00:00:00Z');
  const lines = ['ts;price;qty;side;id'];
  const N = 40_000;
  for (let i = 0; i < N; i++) {
    const side = ['Kauf', 'Verkauf', 'buy', 'KAUF', 'sell'][i % 5];
    const price = i % 997 === 5 ? '42.000,5' : `${42000 + (i % 50)},${i % 10}`;
    const size = i % 1009 === 7 ? '1.5' : `0,${String(1 + (i % 999)).padStart(3, '0')}`;
    lines.push(`${t0 + i * 2000};${price};${size};${i % 1201 === 9 ? 'Halten' : side};${i + 1}`);
  }
  await writeFile(join(dir, 'big.csv'), lines.join('\n') + '\n');
  const cfg = { file_path: 'big.csv', decimal: ',', side_values: { Kauf: 'buyer', Verkauf: 'seller', buy: 'seller' } };
  const [slow, fast] = await bothPaths(t, dir, { trades: cfg }, { start: '2024-01-31', end: '2024-01-31', maxRejectRatio: 1 });
  assert.equal(slow.ok, true, slow.errors.join('\n'));
  assert.ok(slow.totals.rejected > 60 && slow.totals.written > N - 200, JSON.stringify(slow.totals));
  assert.deepEqual(fast.totals, slow.totals);
  assert.deepEqual(reasons(fast), reasons(slow));
  assert.deepEqual(fast.days, slow.days.map((d) => ({ ...d, file: d.file!.replace('catalog-0', 'catalog-1') })));
  const files = await filesUnder(join(dir, 'catalog-0', 'data'));
  assert.ok(files.length > 0);
  for (const f of files) assert.ok((await readFile(join(dir, 'catalog-0', 'data', f))).equals(await readFile(join(dir, 'catalog-1', 'data', f))), `${f}: the same bytes`);
  const rows = await readRows(slow.days[0]!.file!);
  // "buy" rows (i % 5 == 2) are sellers by the file's values; "sell" stays a seller; Kauf/KAUF buyers.
  const sideOf = new Map(rows.map((r) => [r.trade_id as string, r.aggressor_side]));
  assert.deepEqual([sideOf.get('1'), sideOf.get('2'), sideOf.get('3'), sideOf.get('4'), sideOf.get('5')], [1, 2, 2, 1, 2]);
});

test('preview: the file options are read as a build reads them, and the proposals come with the rows', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'de.csv'), GERMAN.join('\n'));
  const before = await preview({ path: join(dir, 'de.csv'), dataType: 'trades' });
  assert.deepEqual(before.rows.map((r) => r.status), ['rejected', 'rejected', 'rejected', 'rejected']);
  assert.deepEqual(before.proposals, {
    decimal: { value: ',', example: '42000,5' },
    dateFormat: { value: 'day-first', example: '31.01.2024 10:00:00', sure: true },
    sideValues: { column: 'side', values: { Kauf: 'buyer', Verkauf: 'seller' }, unknown: ['Kauf', 'Verkauf'] },
  });
  const after = await preview({ path: join(dir, 'de.csv'), dataType: 'trades', options: { decimal: ',', dateFormat: 'day-first', sideValues: { Kauf: 'buyer', Verkauf: 'seller' } } });
  assert.deepEqual(after.rows.map((r) => r.status), ['ok', 'ok', 'ok', 'ok']);
  assert.deepEqual(after.rows.map((r) => [r.mapped?.ts_event, r.mapped?.price, r.mapped?.size, r.mapped?.aggressor_side]), [
    ['2024-01-31T10:00:00.000000000Z', '42000.50', '0.015', 'BUYER'],
    ['2024-01-31T10:00:01.250000000Z', '42001.00', '1.000', 'SELLER'],
    ['2024-01-31T23:59:59.000000000Z', '41999.90', '0.500', 'BUYER'],
    ['2024-02-01T00:00:00.000000000Z', '42002.10', '2.250', 'SELLER'],
  ]);
});
