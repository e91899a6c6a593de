// The app's frame in the store, against an in-memory Api: "New job" forgets the previous job (and
// refuses while one runs), names of files dropped in a browser fill the path box one by one, the
// allowed folders and the sample's folder come from the engine at start-up, notices' lifetimes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAppStore } from '../../renderer/src/store/app.js';
import { afterAdd, dropped, noticeMs } from '../../renderer/src/logic/shell.js';
import { fakeApi, tick } from '../support/fake-api.js';

const DEBOUNCE = 5;
const settle = () => tick(DEBOUNCE * 4);

test('New job forgets files, days, output, errors, mappings, the run and its result; keeps what start-up loaded', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE, browserMode: true });
  await store.getState().init();
  const st = () => store.getState();
  await st().addTyped('/data/venue-trades-2024-03-01.csv\n/data/missing.csv');
  await settle();
  st().assign('timestamp', 'ts');
  st().setDraft({ output: '/data/my-catalog', start: '2024-03-01', end: '2024-03-01' });
  await st().saveTemplate('mine');
  await st().startJob();
  api.emit('job-1', { kind: 'job', state: 'done' } as never);
  await settle();
  assert.equal(st().files.length, 2);
  assert.ok(st().addError, 'the missing file is an error');
  assert.ok(Object.values(st().mappings).some((m) => m.touched), 'the file layout’s mapping was edited');
  assert.notEqual(st().run.status, 'idle');
  assert.ok(st().lastSpec);

  st().newJob();
  await settle();
  const s = st();
  assert.equal(s.screen, 'source');
  assert.deepEqual(s.files, []);
  assert.deepEqual(s.facts, {});
  assert.equal(s.addError, null);
  assert.deepEqual(s.mappings, {});
  assert.equal(s.draft.start, null);
  assert.equal(s.draft.end, null);
  assert.equal(s.draft.output, '/out/BTCUSDT-catalog', 'the default output folder, not the last job’s');
  assert.equal(s.run.status, 'idle');
  assert.equal(s.lastSpec, null);
  assert.equal(s.result.report, null);
  assert.equal(s.result.output, null);
  assert.equal(s.preview.result, null);
  assert.equal(s.selectedPath, null);
  // Start-up's answers stay.
  assert.equal(s.presets.length, 1);
  assert.deepEqual(s.templates.map((x) => x.name), ['mine']);
  assert.equal(s.outputRoot, '/out');
  assert.deepEqual(s.allowedFolders, ['/data', '/tmp']);
});

test('New job while a job runs is refused with a notice, the run kept', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE });
  await store.getState().init();
  await store.getState().addTyped('/data/venue-trades-2024-03-01.csv');
  await settle();
  store.getState().setDraft({ output: '/data/c' });
  await store.getState().startJob();
  assert.equal(store.getState().run.jobId, 'job-1');
  store.getState().newJob();
  assert.equal(store.getState().run.jobId, 'job-1');
  assert.equal(store.getState().files.length, 1);
  assert.equal(store.getState().notice?.kind, 'error');
  assert.match(store.getState().notice!.text, /A job is running/);
});

test('names of files dropped in a browser fill the path box; each one added brings the next in the same folder', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE, browserMode: true });
  const st = () => store.getState();
  st().dropNames(['a.csv', 'b.csv', 'a.csv']);
  assert.equal(st().pathText, 'a.csv');
  assert.deepEqual(st().droppedNames, ['a.csv', 'b.csv']);
  // A path that adds nothing stays, to have its folder corrected.
  await st().addTyped('/nowhere/missing.csv');
  assert.equal(st().pathText, '/nowhere/missing.csv');
  assert.deepEqual(st().droppedNames, ['a.csv', 'b.csv']);
  await st().addTyped('/data/a.csv');
  assert.equal(st().pathText, '/data/b.csv');
  assert.deepEqual(st().droppedNames, ['b.csv']);
  await st().addTyped('/data/b.csv');
  assert.equal(st().pathText, '');
  assert.deepEqual(st().droppedNames, []);
  // Without a drop, the box empties after an add as before.
  st().setPathText('/data/c.csv');
  await st().addTyped('/data/c.csv');
  assert.equal(st().pathText, '');
});

test('drop helpers: Windows folders, several added at once; notices: errors stay 8 s, infos 4 s', () => {
  assert.deepEqual(dropped([]), { pending: [], text: '' });
  assert.deepEqual(afterAdd(['x.csv', 'y.csv'], 'C:\\d\\x.csv', ['C:\\d\\x.csv']), { pending: ['y.csv'], text: 'C:\\d\\y.csv' });
  assert.deepEqual(afterAdd(['x.csv', 'y.csv'], '', ['/d/x.csv', '/d/y.csv']), { pending: [], text: '' });
  assert.deepEqual(afterAdd([], '/d/z.csv', []), { pending: [], text: '' });
  assert.equal(noticeMs('error'), 8000);
  assert.equal(noticeMs('info'), 4000);
});

test('start-up brings the allowed folders and where the sample is written; the sample is built where the user says', async () => {
  const api = fakeApi();
  const store = createAppStore(api, { debounceMs: DEBOUNCE, browserMode: true });
  await store.getState().init();
  assert.deepEqual(store.getState().allowedFolders, ['/data', '/tmp']);
  assert.equal(store.getState().sampleOutput, '/out/sample-catalog');
  store.getState().setSampleOutput('/data/my-sample');
  await store.getState().runSample();
  const spec = api.calls.find((c) => c.method === 'startJob')!.args[0] as { output: string };
  assert.equal(spec.output, '/data/my-sample');
  assert.equal(store.getState().draft.output, '/data/my-sample');
});
