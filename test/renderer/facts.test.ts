// Symbol, market and days read from the files: what the job screen fills in (never over the user's
// choice), the files' several symbols as checkboxes (symbols), the mismatch a renamed file makes and
// its confirm (allowMismatch), and the run and result of a job of several instruments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileFacts, PreviewRequest } from '../../shared/api.js';
import type { RunReport } from '../../shared/report.js';
import { combineFacts, daysOutsideFiles, findMismatches, futureDays, marketFromFacts, mismatchKey, tardisDaysWithoutKey } from '../../renderer/src/logic/facts.js';
import { buildJob, defaultDraft, fillFromFacts } from '../../renderer/src/logic/job.js';
import { barKey, initRun, reduceAll } from '../../renderer/src/logic/progress.js';
import { groupBars, groupByInstrument, specLine } from '../../renderer/src/logic/progressView.js';
import { resultTitle, sectionLabel } from '../../renderer/src/logic/result.js';
import { createAppStore } from '../../renderer/src/store/app.js';
import { fakeApi, fileInfo, tick } from '../support/fake-api.js';

const XBT: FileFacts = { exchange: 'bitmex', market: 'bitmex', venue: 'BITMEX', symbols: ['XBTUSD'], first: '2024-05-01', last: '2024-05-01', from: 'column' };
const PAIR: FileFacts = { exchange: 'binance-futures', market: 'binance-usdm', venue: 'BINANCE', symbols: ['BTCUSDT', 'ETHUSDT'], first: '2024-05-02', last: '2024-05-02', from: 'column' };

test('the files’ facts together: symbols in order, the market they agree on, the days they span', () => {
  const f = combineFacts([{ name: 'a.csv', facts: XBT }, { name: 'b.csv', facts: { ...XBT, symbols: ['XBTUSD', 'ETHUSD'], first: '2024-05-03', last: '2024-05-04' } }]);
  assert.deepEqual(f, { symbols: ['XBTUSD', 'ETHUSD'], market: 'bitmex', venue: 'BITMEX', first: '2024-05-01', last: '2024-05-04' });
  // Files of two markets name none; a venue alone keeps a market of that venue.
  assert.equal(combineFacts([{ name: 'a', facts: XBT }, { name: 'b', facts: PAIR }]).market, undefined);
  assert.equal(marketFromFacts({ symbols: [], venue: 'BINANCE' }, 'binance-spot'), 'binance-spot');
  assert.equal(marketFromFacts({ symbols: [], venue: 'BINANCE' }, 'bitmex'), 'binance-usdm');
  assert.equal(marketFromFacts({ symbols: [] }, 'bitmex'), null);
});

test('the draft fills from the facts where the user has not chosen; the user’s choice wins', () => {
  const d = fillFromFacts(defaultDraft(), combineFacts([{ name: 'a.csv', facts: XBT }]));
  assert.equal(d.market, 'bitmex');
  assert.equal(d.symbol, 'XBTUSD');
  assert.deepEqual([d.start, d.end], ['2024-05-01', '2024-05-01']);
  assert.deepEqual(d.filled, { market: true, symbol: true, days: true });
  assert.deepEqual(d.symbolChoices, [], 'one symbol: the symbol box');
  const mine = { ...defaultDraft(), symbol: 'ETHUSDT', start: '2024-01-01', end: '2024-01-02', userSet: { market: false, symbol: true, days: true } };
  const kept = fillFromFacts(mine, combineFacts([{ name: 'a.csv', facts: XBT }]));
  assert.equal(kept.symbol, 'ETHUSDT');
  assert.deepEqual([kept.start, kept.end], ['2024-01-01', '2024-01-02']);
  assert.equal(kept.market, 'bitmex', 'the market was not chosen: it follows the files');
  assert.deepEqual(kept.filled, { market: true, symbol: false, days: false });
});

test('several symbols are offered, all ticked; one ticked is the symbol, several the symbols', () => {
  const files = [fileInfo('/d/pair.csv', ['symbol'])].map((info) => ({ info, types: ['trades' as const], options: {} }));
  const facts = [{ name: 'pair.csv', facts: PAIR }];
  let d = fillFromFacts({ ...defaultDraft(), output: '/out/x' }, combineFacts(facts));
  assert.deepEqual([d.symbolChoices, d.symbols], [['BTCUSDT', 'ETHUSDT'], ['BTCUSDT', 'ETHUSDT']]);
  let built = buildJob(d, files, {}, [], facts);
  assert.deepEqual(built.errors, []);
  assert.deepEqual(built.spec!.symbols, ['BTCUSDT', 'ETHUSDT']);
  assert.equal(built.spec!.symbol, undefined, 'a job of several names no one symbol');
  assert.equal(built.spec!.exchange, 'binance-usdm');
  d = { ...d, symbols: ['ETHUSDT'] };
  built = buildJob(d, files, {}, [], facts);
  assert.equal(built.spec!.symbol, 'ETHUSDT');
  assert.equal(built.spec!.symbols, undefined);
  built = buildJob({ ...d, symbols: [] }, files, {}, [], facts);
  assert.equal(built.spec, null);
  assert.match(built.errors.join('\n'), /Tick at least one of the files’ symbols/);
  // A refill keeps what was unticked and ticks a symbol new to the files.
  const again = fillFromFacts(d, combineFacts([...facts, { name: 'sol.csv', facts: { ...PAIR, symbols: ['SOLUSDT'] } }]));
  assert.deepEqual(again.symbols, ['ETHUSDT', 'SOLUSDT']);
  // A file that does not say its symbol cannot be shared out among several.
  built = buildJob({ ...d, symbols: ['BTCUSDT', 'ETHUSDT'] }, files, {}, [], [...facts, { name: 'plain.csv', facts: { symbols: [], from: 'file name' } }]);
  assert.match(built.errors.join('\n'), /plain\.csv does not say which symbol its rows are/);
  // A Tardis download is of the one symbol typed, whatever files were added before.
  built = buildJob({ ...d, source: 'tardis', symbol: 'SOLUSDT', symbols: [] }, files, {}, [], facts);
  assert.equal(built.spec!.symbol, 'SOLUSDT');
  assert.equal(built.spec!.symbols, undefined);
  // One entered definition is one instrument.
  built = buildJob({ ...d, symbols: ['BTCUSDT', 'ETHUSDT'], definition: 'enter' }, files, {}, [], facts);
  assert.match(built.errors.join('\n'), /An entered definition describes one instrument/);
});

test('a job disagreeing with its files is blocked, naming the file and both values, until confirmed as renamed', () => {
  const files = [fileInfo('/d/xbt.csv', ['symbol'])].map((info) => ({ info, types: ['trades' as const], options: {} }));
  const facts = [{ name: 'xbt.csv', facts: XBT }];
  const d = { ...fillFromFacts({ ...defaultDraft(), output: '/out/x' }, combineFacts(facts)), symbol: 'XBTEUR', definition: 'file' as const, instrumentsFile: '/d/list.json' };
  let built = buildJob(d, files, {}, [], facts);
  assert.equal(built.spec, null);
  assert.equal(built.mismatches.length, 1);
  assert.equal(built.mismatches[0]!.text, 'xbt.csv: its rows say symbol XBTUSD; the job’s symbol is XBTEUR.');
  assert.match(built.errors.join('\n'), /disagrees with its files/);
  built = buildJob({ ...d, allowMismatch: mismatchKey(built.mismatches) }, files, {}, [], facts);
  assert.deepEqual(built.errors, []);
  assert.equal(built.spec!.allowMismatch, true);
  assert.equal(built.spec!.symbol, 'XBTEUR');
  // A confirm is for what it named: another symbol asks again.
  built = buildJob({ ...d, symbol: 'XBTGBP', allowMismatch: mismatchKey(built.mismatches) }, files, {}, [], facts);
  assert.equal(built.spec, null);
  // The market: a BitMEX file built as Binance USD-M.
  const ms = findMismatches(facts, ['XBTUSD'], 'binance-usdm');
  assert.deepEqual(ms.map((m) => m.text), ['xbt.csv: its rows say exchange bitmex (BitMEX); the job’s market is Binance USD-M futures.']);
  // A file of several symbols read in part may hold the job's later: no mismatch.
  assert.deepEqual(findMismatches([{ name: 'p.csv', facts: { ...PAIR, partial: true } }], ['SOLUSDT'], 'binance-usdm'), []);
  assert.equal(findMismatches([{ name: 'p.csv', facts: PAIR }], ['SOLUSDT'], 'binance-usdm').length, 1);
});

/** The fake Api with facts in its preview answers, as the engine's preview gives them. */
/** The fake Api, with each file's facts where the engine gives them: with the file's inspection. */
function factsApi(byPath: Record<string, FileFacts>) {
  const api = fakeApi();
  const inspect = api.inspectFiles.bind(api);
  api.inspectFiles = async (paths: string[]) => (await inspect(paths)).map((i) => ({ ...i, facts: byPath[i.path] ?? null }));
  return api;
}

test('the store reads the added files’ facts and fills the job; the user’s symbol and market are kept after', async () => {
  const api = factsApi({ '/d/bitmex_trades_2024-05-01_XBTUSD.csv': XBT, '/d/pair.csv': PAIR });
  const store = createAppStore(api, { debounceMs: 5 });
  await store.getState().init();
  await store.getState().addPaths(['/d/bitmex_trades_2024-05-01_XBTUSD.csv']);
  let d = store.getState().draft;
  assert.deepEqual([d.market, d.symbol, d.start, d.end], ['bitmex', 'XBTUSD', '2024-05-01', '2024-05-01']);
  assert.deepEqual(d.filled, { market: true, symbol: true, days: true });
  await tick(30);
  const last = api.calls.filter((c) => c.method === 'preview').at(-1)!.args[0] as PreviewRequest;
  assert.deepEqual([last.symbol, last.rows], ['XBTUSD', 100], 'the preview is asked for with the filled symbol');
  store.getState().setDraft({ symbol: 'XBTEUR' });
  assert.deepEqual(store.getState().draft.filled, { market: true, symbol: false, days: true });
  store.getState().setDraft({ market: 'deribit' });
  await store.getState().addPaths(['/d/pair.csv']);
  d = store.getState().draft;
  assert.deepEqual([d.symbol, d.market], ['XBTEUR', 'deribit'], 'the user’s choices win over new files');
  assert.deepEqual(d.symbolChoices, []);
  // Back to the files' symbols: both files' symbols offered and ticked.
  store.getState().typeSymbol(false);
  d = store.getState().draft;
  assert.deepEqual(d.symbolChoices, ['XBTUSD', 'BTCUSDT', 'ETHUSDT']);
  assert.equal(d.output, '/out/XBTUSD-catalog', 'the default folder follows the filled symbol');
  store.getState().toggleSymbol('XBTUSD');
  assert.deepEqual(store.getState().draft.symbols, ['BTCUSDT', 'ETHUSDT']);
  assert.equal(store.getState().draft.symbol, 'BTCUSDT', 'the first ticked is the one shown');
  assert.equal(store.getState().draft.output, '/out/BTCUSDT-catalog', 'the default folder follows it');
  store.getState().typeSymbol(true);
  assert.deepEqual(store.getState().draft.symbolChoices, []);
  store.getState().removeFile('/d/pair.csv');
  assert.equal(store.getState().facts['/d/pair.csv'], undefined);
});

test('a job of several instruments: bars per instrument, type and day; grouped under each symbol', () => {
  let s = initRun(['trades'], '2024-05-02', '2024-05-03', 0, ['BTCUSDT', 'ETHUSDT']);
  assert.deepEqual(s.order, [
    'BTCUSDT|trades|2024-05-02', 'BTCUSDT|trades|2024-05-03', 'ETHUSDT|trades|2024-05-02', 'ETHUSDT|trades|2024-05-03',
  ]);
  s = reduceAll(s, [
    { kind: 'day', dataType: 'trades', instrument: 'ETHUSDT', day: '2024-05-02', state: 'done', rows: 7, written: 7, fraction: 1, rowsPerSec: 0, etaSec: null },
    { kind: 'day', dataType: 'trades', instrument: 'BTCUSDT', day: '2024-05-02', state: 'reading', rows: 3, fraction: 0.5, rowsPerSec: 0, etaSec: null },
    { kind: 'file', dataType: 'trades', instrument: 'BTCUSDT', path: '/d/pair.csv', bytesRead: 1, bytesTotal: 2, rows: 3, rowsPerSec: 0, etaSec: null, state: 'reading' },
    { kind: 'file', dataType: 'trades', instrument: 'ETHUSDT', path: '/d/pair.csv', bytesRead: 2, bytesTotal: 2, rows: 7, rowsPerSec: 0, etaSec: null, state: 'done' },
  ]);
  assert.equal(s.bars[barKey('trades', '2024-05-02', 'ETHUSDT')]!.state, 'done');
  assert.equal(s.bars[barKey('trades', '2024-05-02', 'BTCUSDT')]!.state, 'reading', 'the same day of two instruments is two bars');
  assert.equal(Object.keys(s.files).length, 2, 'one file read for each instrument');
  const g = groupByInstrument(groupBars(s));
  assert.deepEqual(g.map((x) => [x.instrument, x.done, x.total]), [['BTCUSDT', 0, 2], ['ETHUSDT', 1, 2]]);
  assert.equal(specLine({ symbols: ['BTCUSDT', 'ETHUSDT'], start: '2024-05-02', end: '2024-05-02', output: '/o' }), 'BTCUSDT, ETHUSDT · 2024-05-02 → /o');
});

test('a result of several instruments loads each one’s per-day figures; a refused one is named by its symbol', async () => {
  const api = fakeApi();
  const section = (id: string, ok: boolean): RunReport => ({
    runId: id, startedAt: '', finishedAt: '', ok, job: { symbol: id.split('-')[0] }, instrument: { id: ok ? id : '', pricePrecision: 1, sizePrecision: 3, precisionSource: 'preset' },
    files: [], days: [], totals: { read: 0, written: 0, duplicates: 0, rejected: 0, outOfRange: 0, skipped: 0, existing: 0, discarded: 0, skippedDays: 0, failedDays: 0 }, notes: [], errors: ok ? [] : ['refused'],
  });
  const sections = [section('BTCUSDT-PERP.BINANCE', true), section('ETHUSDT-PERP.BINANCE', false)];
  assert.deepEqual(sections.map(sectionLabel), ['BTCUSDT-PERP.BINANCE', 'ETHUSDT']);
  assert.equal(resultTitle({ ok: false, days: [], sections }), 'Written, 1 of 2 instruments failed');
  assert.equal(resultTitle({ ok: false, days: [], sections: [sections[1]!] }), 'The job failed');
  api.report = { ...section('BTCUSDT-PERP.BINANCE, ETHUSDT-PERP.BINANCE', false), sections };
  const store = createAppStore(api, { debounceMs: 5 });
  await store.getState().startSpec({ source: 'csv', symbols: ['BTCUSDT', 'ETHUSDT'], start: '2024-05-02', end: '2024-05-02', output: '/o', dataTypes: ['trades'], config: { files: {} } });
  assert.deepEqual(store.getState().run.instruments, ['BTCUSDT', 'ETHUSDT']);
  api.emit('job-1', { kind: 'job', state: 'done' });
  await tick(20);
  const r = store.getState().result;
  assert.deepEqual(api.calls.filter((c) => c.method === 'dailyStats').map((c) => c.args[1]), ['BTCUSDT-PERP.BINANCE'], 'each instrument’s own id, not the joined one');
  assert.deepEqual(Object.keys(r.sectionStats ?? {}), ['BTCUSDT-PERP.BINANCE']);
  assert.deepEqual(r.stats, []);
});

test('days that would write nothing are said before the run: all files start after them, or all end before them; days after today', () => {
  const may = { name: 'binance-futures_trades_2023-05-01_BTCUSDT.csv.gz', facts: { exchange: 'binance-futures', market: 'binance-usdm' as const, symbols: ['BTCUSDT'], first: '2023-05-01', last: '2023-05-01', from: 'column' as const } };
  const june = { name: 'june.csv', facts: { symbols: ['BTCUSDT'], first: '2023-06-01', last: '2023-06-30', from: 'file name' as const } };
  assert.match(daysOutsideFiles('2024-01-01', '2024-01-31', [may, june])!, /^The chosen days 2024-01-01 … 2024-01-31 are after every file's rows: the files hold 2023-05-01 … 2023-06-30/);
  assert.match(daysOutsideFiles('2023-01-01', '2023-04-30', [may, june])!, /are before any file's rows: the files hold 2023-05-01 … 2023-06-30/);
  assert.equal(daysOutsideFiles('2023-05-01', '2023-05-01', [may, june]), null, 'days a file holds');
  assert.equal(daysOutsideFiles('2023-05-15', '2023-05-20', [may, june]), null, 'between the files: not said (the days of a file are its first row and name only)');
  // A file read in part, or without its last day, may go on: only "before" can be said.
  const open = { name: 'cap.jsonl', facts: { symbols: ['BTCUSDT'], first: '2023-05-01', from: 'messages' as const, partial: true } };
  assert.equal(daysOutsideFiles('2024-01-01', '2024-01-02', [open]), null);
  assert.match(daysOutsideFiles('2023-01-01', '2023-01-02', [open])!, /the files hold from 2023-05-01/);
  assert.equal(daysOutsideFiles('2024-01-01', '2024-01-02', [may, { name: 'x.csv', facts: { symbols: [], from: 'file name' as const } }]), null, 'a file that does not say its days: nothing said');
  assert.match(futureDays('2026-12-03', '2026-12-01')!, /days after today \(2026-12-01\) hold no data yet; the last chosen day is 2026-12-03/);
  assert.equal(futureDays('2026-12-01', '2026-12-01'), null);
  // On the job screen: a warning, the job can still run.
  const files = [fileInfo('/d/may.csv', ['symbol'])].map((info) => ({ info, types: ['trades' as const], options: {} }));
  const built = buildJob({ ...defaultDraft(), output: '/out/x', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-31' }, files, {}, [], [may]);
  assert.ok(built.spec, built.errors.join('\n'));
  assert.match(built.warnings.join('\n'), /after every file's rows: the files hold 2023-05-01 … 2023-05-01/);
});

test('a Tardis job without a key is told before the run which of its days would fail (only 1sts are served), counted by month', () => {
  assert.equal(tardisDaysWithoutKey('2024-01-01', '2024-01-01', false), null, 'a 1st alone needs no key');
  assert.equal(tardisDaysWithoutKey('2024-01-01', '2024-03-01', true), null, 'with a key every day is served');
  assert.match(tardisDaysWithoutKey('2024-01-01', '2024-01-03', false)!, /^Without a Tardis API key only the 1st of each month is served: 2 of the chosen days \(from 2024-01-02\) would fail/);
  assert.match(tardisDaysWithoutKey('2024-01-31', '2024-03-01', false)!, /: 29 of the chosen days \(from 2024-01-31\)/, '31 Jan + 28 of February 2024 (29 days, the 1st served)');
  const decades = tardisDaysWithoutKey('2000-01-01', '2030-12-31', false)!;
  assert.match(decades, new RegExp(`: ${11_323 - 372} of the chosen days`), '31 years: 372 months have a 1st');
  const tardis = { ...defaultDraft(), source: 'tardis' as const, output: '/out/x', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-02' };
  assert.ok(buildJob(tardis, [], {}, [], [], { apiKeySaved: false }).warnings.some((w) => w.startsWith('Without a Tardis API key')));
  assert.ok(!buildJob(tardis, [], {}, [], [], { apiKeySaved: true }).warnings.some((w) => w.startsWith('Without a Tardis API key')));
  assert.ok(!buildJob({ ...tardis, source: 'csv' }, [], {}, [], [], { apiKeySaved: false }).warnings.some((w) => w.startsWith('Without')), 'files need no key');
});
