// Mappings belong to a file's layout (issue 15, item 1), templates say when they do not fit (item 12),
// the source follows the files (item 2): the store against an in-memory Api.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PreviewRequest, PreviewResult } from '../../shared/api.js';
import type { MappingField } from '../../shared/job.js';
import { createAppStore } from '../../renderer/src/store/app.js';
import { shownMapping } from '../../renderer/src/store/preview.js';
import { buildJob, defaultDraft } from '../../renderer/src/logic/job.js';
import { fakeApi, fileInfo, tick } from '../support/fake-api.js';

const DEBOUNCE = 5;
const settle = () => tick(DEBOUNCE * 4);
const A = '/data/a-trades.csv', B = '/data/b-trades.csv', CAP = '/data/capture.jsonl';
// File A: the fake's usual layout; file B: another header (other names).
const B_COLS = ['zeit', 'p', 'amount'];
const B_AUTO: Partial<Record<MappingField, string>> = { timestamp: 'zeit', price: 'p', size: 'amount' };

function api() {
  const base = fakeApi();
  const inspect = base.inspectFiles.bind(base);
  const preview = base.preview.bind(base);
  base.inspectFiles = async (paths) => (await inspect(paths)).map((i) => (i.path === B ? fileInfo(B, B_COLS) : i.path === CAP
    ? { ...fileInfo(CAP, []), format: 'websocket.capture', label: 'WebSocket capture', source: 'websocket' as const, feeds: ['mark' as const, 'funding' as const] } : i));
  base.preview = async (req: PreviewRequest): Promise<PreviewResult> => {
    if (req.path !== B) return preview(req);
    base.calls.push({ method: 'preview', args: [req] });
    const mapping = req.columns ?? B_AUTO;
    return {
      file: fileInfo(B, B_COLS), fields: ['timestamp', 'local_timestamp', 'price', 'size', 'aggressor_side', 'trade_id'], required: ['timestamp', 'price', 'size'],
      pricePrecision: 1, sizePrecision: 3, timestampUnit: 'ms', mapping: { ...mapping }, confidence: req.columns ? {} : { timestamp: 0.6, price: 0.6, size: 0.6 },
      rows: [{ line: 2, cells: ['1709251200001', '6000.1', '0.001'], status: 'ok', mapped: { ts_init: '2024-03-01T00:00:00.001Z', price: '6000.1', size: '0.001' } }],
    };
  };
  return base;
}

async function start() {
  const a = api();
  const store = createAppStore(a, { debounceMs: DEBOUNCE, browserMode: true });
  await store.getState().init();
  store.getState().go('mapping');
  return { api: a, store };
}

test('a file of another layout gets its own automatic mapping; Reset gives each file its own; the job has one entry per layout', async () => {
  const { store } = await start();
  await store.getState().addPaths([A]);
  await settle();
  store.getState().assign('timestamp', 'ts');
  await settle();
  assert.equal(shownMapping(store.getState()).columns.timestamp, 'ts');
  await store.getState().addPaths([B]);
  store.getState().selectFile(B);
  await settle();
  assert.deepEqual(shownMapping(store.getState()).columns, B_AUTO, 'B shows its own automatic mapping, not A\'s edit');
  assert.equal(shownMapping(store.getState()).touched, false);
  store.getState().selectFile(A);
  await settle();
  assert.equal(shownMapping(store.getState()).columns.timestamp, 'ts', 'A keeps its edit');
  store.getState().resetMapping();
  await settle();
  assert.deepEqual(shownMapping(store.getState()).columns, { timestamp: 'time', price: 'price', size: 'qty' }, 'Reset: A\'s own automatic mapping');
  store.getState().assign('timestamp', 'ts');
  await settle();
  const s = store.getState();
  const built = buildJob({ ...defaultDraft(), start: '2024-03-01', end: '2024-03-01', output: '/cat' }, s.files, s.mappings);
  assert.deepEqual(built.errors, []);
  assert.deepEqual(built.spec!.config.files!.trades, [
    { file_path: [A], columns: { timestamp: 'ts', price: 'price', size: 'qty' } },
    { file_path: [B] },
  ]);
});

test('a template none of whose columns the file has says so and changes nothing; one that fits in part says what is missing', async () => {
  const { store } = await start();
  await store.getState().addPaths([A]);
  await settle();
  store.getState().assign('timestamp', 'ts');
  await store.getState().saveTemplate('Other venue');
  await store.getState().addPaths([B]);
  store.getState().selectFile(B);
  await settle();
  const before = shownMapping(store.getState());
  store.getState().applyTemplate('Other venue');
  const note = store.getState().templateNote!;
  assert.equal(note.tone, 'error');
  assert.match(note.text, /does not fit b-trades\.csv.*“ts”.*unchanged/);
  assert.equal(shownMapping(store.getState()), before);
  store.getState().selectFile(A);
  await settle();
  store.getState().applyTemplate('Other venue');
  assert.equal(store.getState().templateNote!.tone, 'ok');
});

test('a capture added to an empty job makes it a WebSocket job with its types ticked; a CSV file added to it is named as another source', async () => {
  const { store } = await start();
  await store.getState().addPaths([CAP]);
  assert.equal(store.getState().source, 'websocket');
  assert.equal(store.getState().draft.source, 'websocket');
  assert.deepEqual(store.getState().files[0]!.types, ['mark', 'funding']);
  await store.getState().addPaths([A]);
  assert.equal(store.getState().source, 'websocket');
  assert.match(store.getState().addError ?? '', /a-trades\.csv is CSV files, but this job reads WebSocket captures/);
});
