// The app store against an in-memory Api: files, debounced preview, mapping with undo, templates,
// job spec, run bars fed by progress events, cancel, result, API key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PreviewRequest } from '../../shared/api.js';
import { createAppStore, type AppState } from '../../renderer/src/store/app.js';
import * as M from '../../renderer/src/logic/mapping.js';
import { fakeApi, tick } from '../support/fake-api.js';

const DEBOUNCE = 5;
/** The trades mapping of the first file's layout (the fake files all have one layout). */
const tradesMapping = (s: AppState) => s.mappings[M.mappingKey('trades', s.files[0]!.info)];
const settle = () => tick(DEBOUNCE * 4);
const previews = (api: ReturnType<typeof fakeApi>) => api.calls.filter((c) => c.method === 'preview').map((c) => c.args[0] as PreviewRequest);

async function withFiles() {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE, browserMode: true });
  await store.getState().init();
  await store.getState().addTyped('/data/venue-trades-2024-03-01.csv\n"/data/venue-trades-2024-03-02.csv"\n');
  await settle();
  return { api, store };
}

test('typed paths are inspected and added; dates and data types follow the files', async () => {
  const { api, store } = await withFiles();
  const s = store.getState();
  assert.deepEqual(api.calls[0], { method: 'inspectFiles', args: [['/data/venue-trades-2024-03-01.csv', '/data/venue-trades-2024-03-02.csv']] });
  assert.equal(s.files.length, 2);
  assert.deepEqual(s.files[0]!.types, ['trades']);
  assert.equal(s.draft.start, '2024-03-01');
  assert.equal(s.draft.end, '2024-03-02');
  assert.deepEqual(s.draft.dataTypes, ['trades']);
  assert.equal(s.draft.output, '/out/BTCUSDT-catalog', 'default output next to the sample catalog');
  assert.equal(s.selectedPath, '/data/venue-trades-2024-03-01.csv');
});

test('an unreadable file is listed with its error and not used', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE });
  await store.getState().addPaths(['/data/missing.csv']);
  const s = store.getState();
  assert.equal(s.files[0]!.info.error, 'file not found');
  assert.deepEqual(s.files[0]!.types, []);
  assert.match(s.addError!, /missing\.csv is refused: file not found/);
});

test('the preview is debounced, and the automatic mapping becomes the starting point', async () => {
  const { api, store } = await withFiles();
  const n = previews(api).length;
  const st = store.getState();
  st.setFileOptions('/data/venue-trades-2024-03-01.csv', { delimiter: ';' });
  st.setFileOptions('/data/venue-trades-2024-03-01.csv', { delimiter: ',' });
  st.setFileOptions('/data/venue-trades-2024-03-01.csv', { timestampUnit: 'ms' });
  await settle();
  const after = previews(api).slice(n);
  assert.equal(after.length, 1, 'three quick changes, one request');
  assert.deepEqual(after[0]!.options, { delimiter: ',', timestampUnit: 'ms' });
  assert.equal(after[0]!.columns, undefined, 'untouched mapping: the engine maps automatically');
  const m = tradesMapping(store.getState())!;
  assert.deepEqual(m.columns, { timestamp: 'time', price: 'price', size: 'qty' });
  assert.equal(m.confidence.timestamp, 0.85);
  assert.equal(store.getState().preview.result!.rows[0]!.status, 'rejected');
});

test('mapping changes send the columns; undo goes back to the automatic mapping', async () => {
  const { api, store } = await withFiles();
  const st = store.getState();
  st.assign('timestamp', 'ts');
  await settle();
  let last = previews(api).at(-1)!;
  assert.deepEqual(last.columns, { timestamp: 'ts', price: 'price', size: 'qty' });
  assert.equal(store.getState().preview.result!.rows[0]!.status, 'ok');
  // keyboard path: select a column, then assign it to a field
  st.selectColumn('match_id');
  assert.equal(store.getState().selectedColumn, 'match_id');
  assert.equal(st.assignSelected('trade_id'), true);
  assert.equal(store.getState().selectedColumn, null);
  assert.equal(st.assignSelected('trade_id'), false, 'nothing selected');
  await settle();
  last = previews(api).at(-1)!;
  assert.equal(last.columns!.trade_id, 'match_id');
  st.undo();
  st.undo();
  await settle();
  assert.equal(tradesMapping(store.getState())!.touched, false);
  assert.equal(previews(api).at(-1)!.columns, undefined);
});

test('templates are saved with the mapping and applied to another mapping', async () => {
  const { api, store } = await withFiles();
  const st = store.getState();
  st.assign('timestamp', 'ts');
  st.assign('aggressor_side', 'direction');
  await st.saveTemplate('My venue');
  assert.deepEqual(api.templates, [{ name: 'My venue', dataType: 'trades', columns: { timestamp: 'ts', price: 'price', size: 'qty', aggressor_side: 'direction' } }]);
  st.resetMapping();
  assert.deepEqual(tradesMapping(store.getState())!.columns, { timestamp: 'time', price: 'price', size: 'qty' });
  st.applyTemplate('My venue');
  assert.equal(tradesMapping(store.getState())!.columns.aggressor_side, 'direction');
  await st.deleteTemplate('My venue');
  assert.deepEqual(store.getState().templates, []);
});

test('the job carries the mapping; progress events become bars; the result is loaded at the end', async () => {
  const { api, store } = await withFiles();
  const st = store.getState();
  st.assign('timestamp', 'ts');
  st.setDraft({ output: '/tmp/cat' });
  assert.deepEqual(st.job().errors, []);
  await st.startJob();
  const spec = api.calls.find((c) => c.method === 'startJob')!.args[0] as { config: { files: { trades: { file_path: string[]; columns: Record<string, string> } } } };
  assert.deepEqual(spec.config.files.trades.file_path, ['/data/venue-trades-2024-03-01.csv', '/data/venue-trades-2024-03-02.csv']);
  assert.deepEqual(spec.config.files.trades.columns, { timestamp: 'ts', price: 'price', size: 'qty' });
  let s = store.getState();
  assert.equal(s.screen, 'run');
  assert.equal(s.run.jobId, 'job-1');
  assert.deepEqual(s.run.order, ['trades|2024-03-01', 'trades|2024-03-02']);
  api.emit('job-1', { kind: 'job', state: 'started' });
  api.emit('other-job', { kind: 'day', dataType: 'trades', day: '2024-03-01', state: 'reading', rows: 9, fraction: 0.9, rowsPerSec: 1, etaSec: 1 });
  api.emit('job-1', { kind: 'day', dataType: 'trades', day: '2024-03-01', state: 'reading', rows: 10, fraction: 0.4, rowsPerSec: 1, etaSec: 1 });
  s = store.getState();
  assert.equal(s.run.bars['trades|2024-03-01']!.fraction, 0.4, 'events of another job are ignored');
  api.report = { instrument: { id: 'BTCUSDT-PERP.BINANCE' } } as never;
  api.emit('job-1', { kind: 'job', state: 'done' });
  await tick(10);
  s = store.getState();
  assert.equal(s.run.status, 'done');
  assert.ok(api.calls.some((c) => c.method === 'job'));
  assert.ok(api.calls.some((c) => c.method === 'verify' && c.args[0] === '/tmp/cat'));
  assert.ok(api.calls.some((c) => c.method === 'dailyStats' && c.args[1] === 'BTCUSDT-PERP.BINANCE'));
  assert.equal(s.result.verify!.ok, true);
  assert.equal(s.result.stats!.length, 1);
});

test('events that overtake startJob’s answer are replayed; cancel asks the engine', async () => {
  const api = fakeApi();
  const start = api.startJob;
  api.startJob = async (spec) => {
    api.emit('job-1', { kind: 'job', state: 'started' });
    api.emit('job-1', { kind: 'day', dataType: 'trades', day: '2024-01-01', state: 'reading', rows: 5, fraction: 0.5, rowsPerSec: 1, etaSec: 1 });
    return start(spec);
  };
  const store = createAppStore(api, { debounceMs: DEBOUNCE });
  await store.getState().runSample();
  const s = store.getState();
  assert.equal(s.run.status, 'running');
  assert.equal(s.run.bars['trades|2024-01-01']!.fraction, 0.5);
  assert.equal(s.draft.start, '2024-01-01');
  await s.cancel();
  assert.ok(api.calls.some((c) => c.method === 'cancelJob' && c.args[0] === 'job-1'));
  assert.equal(store.getState().run.status, 'cancelling');
  api.emit('job-1', { kind: 'job', state: 'cancelled' });
  assert.equal(store.getState().run.status, 'cancelled');
  assert.equal(store.getState().run.bars['trades|2024-01-03']!.state, 'cancelled');
});

test('a second job is refused while one runs', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE });
  await store.getState().runSample();
  await store.getState().runSample();
  assert.equal(api.calls.filter((c) => c.method === 'startJob').length, 1);
  assert.match(store.getState().notice!.text, /already running/);
});

test('the API key goes to the engine and only "saved" stays in the window', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE });
  assert.equal(await store.getState().saveApiKey('  TD.secret-key  '), true);
  assert.deepEqual(api.calls.at(-1), { method: 'setApiKey', args: ['TD.secret-key'] });
  assert.equal(store.getState().apiKeySaved, true);
  const { api: _a, ...plain } = { api: null, ...store.getState() };
  assert.ok(!JSON.stringify(plain).includes('secret'));
});

test('the output folder from the dialog, and the default following the symbol', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE });
  await store.getState().init();
  store.getState().setDraft({ symbol: 'ETHUSDT' });
  assert.equal(store.getState().draft.output, '/out/ETHUSDT-catalog');
  await store.getState().pickOutput();
  assert.equal(store.getState().draft.output, '/picked/folder');
  store.getState().setDraft({ symbol: 'SOLUSDT' });
  assert.equal(store.getState().draft.output, '/picked/folder', 'a chosen folder is kept');
});

test('the default output keeps following a symbol typed in lower case, key by key', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE });
  await store.getState().init();
  // The symbol field starts empty (select-all + delete), then each key adds one character.
  store.getState().setDraft({ symbol: '' });
  assert.equal(store.getState().draft.output, '/out/BTCUSDT-catalog', 'an empty symbol falls back to the default');
  const typed = 'ethusdt';
  for (let i = 1; i <= typed.length; i++) {
    store.getState().setDraft({ symbol: typed.slice(0, i) });
    assert.equal(store.getState().draft.output, `/out/${typed.slice(0, i).toUpperCase()}-catalog`, `after typing "${typed.slice(0, i)}"`);
  }
  store.getState().setDraft({ symbol: 'ethusdt ' });
  assert.equal(store.getState().draft.output, '/out/ETHUSDT-catalog', 'a trailing space is not part of the folder name');
  store.getState().setDraft({ symbol: 'ethusd' });
  assert.equal(store.getState().draft.output, '/out/ETHUSD-catalog', 'deleting a character still follows');
  store.getState().setDraft({ output: '/mine' });
  store.getState().setDraft({ symbol: 'solusdt' });
  assert.equal(store.getState().draft.output, '/mine', 'an edited output stops following');
});

test('the share of rejected rows a file may have reaches the job spec; verify\'s info reaches the result', async () => {
  const { api, store } = await withFiles();
  const st = store.getState();
  st.setDraft({ output: '/tmp/cat', maxRejectPercent: 2.5 });
  await st.startJob();
  const spec = api.calls.find((c) => c.method === 'startJob')!.args[0] as { maxRejectRatio: number };
  assert.equal(spec.maxRejectRatio, 0.025);
  const foreign = 'data/trade_tick/BTCUSDT-PERP.BINANCE: 1 file(s) not written by catalog-builder (not in its manifest): part-0.parquet';
  api.verifyOutcome = { ok: true, errors: [], warnings: [], info: [foreign], summary: [] };
  api.report = { instrument: { id: 'BTCUSDT-PERP.BINANCE' } } as never;
  api.emit('job-1', { kind: 'job', state: 'done' });
  await tick(10);
  const v = store.getState().result.verify!;
  assert.equal(v.ok, true, 'a foreign file is a fact, not a problem');
  assert.deepEqual(v.info, [foreign]);
});

test('a file used for nothing can be previewed raw, but the mapping shows only files used for the type', async () => {
  const { api, store } = await withFiles();
  const [f1, f2] = ['/data/venue-trades-2024-03-01.csv', '/data/venue-trades-2024-03-02.csv'];
  store.getState().toggleFileType(f2, 'trades');
  assert.deepEqual(store.getState().files[1]!.types, []);
  await settle();
  const before = tradesMapping(store.getState());
  assert.ok(before);
  store.getState().go('preview');
  store.getState().selectFile(f2);
  await settle();
  assert.equal(previews(api).at(-1)!.path, f2, 'the raw preview shows it');
  assert.equal(store.getState().preview.result!.file.path, f2);
  assert.equal(tradesMapping(store.getState()), before, 'its columns do not become the trades mapping');
  store.getState().go('mapping');
  await settle();
  assert.equal(previews(api).at(-1)!.path, f1, 'the trades mapping shows a trades file');
  assert.notEqual(tradesMapping(store.getState()), before, 'and takes its automatic mapping');
});

test('the instrument list from the dialog; browser mode, with no dialog, says to type it; the sample names its market', async () => {
  const api = fakeApi();
  api.pickFiles = async () => ['/lists/exchangeInfo.json', '/lists/other.json'];
  const store = createAppStore(api, { debounceMs: DEBOUNCE });
  await store.getState().init();
  await store.getState().pickInstrumentsFile();
  assert.equal(store.getState().draft.instrumentsFile, '/lists/exchangeInfo.json');
  const browser = createAppStore(fakeApi(), { debounceMs: DEBOUNCE, browserMode: true });
  await browser.getState().pickInstrumentsFile();
  assert.equal(browser.getState().draft.instrumentsFile, '');
  assert.match(browser.getState().notice!.text, /type the instrument list’s path/);
  // The sample job's bare BINANCE is the USD-M market; a sample's draft takes the preset.
  store.getState().setDraft({ market: 'bitmex', definition: 'enter' });
  await store.getState().runSample();
  assert.deepEqual([store.getState().draft.market, store.getState().draft.definition], ['binance-usdm', 'preset']);
});
