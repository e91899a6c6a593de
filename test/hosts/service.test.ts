// The engine service behind window.api: preview/inspect/presets/sample/templates, jobs on worker
// threads (progress, completion, cancel, crashes) and the allow-list of user-chosen paths.
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { JobSpec } from '../../shared/job.js';
import { MARKETS } from '../../shared/markets.js';
import type { ProgressEvent } from '../../shared/progress.js';
import { readParquetInfo } from '../../engine/parquet/parquet.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { createService, type Service, type ServiceOptions } from '../../hosts/service.js';
import { memorySecrets } from '../../hosts/server.js';
import { genTardisTrades } from '../../scripts/gen-data.js';
import { tempDir } from '../helpers.js';
import { settled } from '../helpers.js';

type Ev = { jobId: string; e: ProgressEvent; at: number };

function make(dir: string, extra: Partial<ServiceOptions> = {}): Service {
  return createService({ configDir: join(dir, 'config'), outputRoot: join(dir, 'out'), allow: [join(dir, 'in')], ...extra });
}

function record(svc: Service): Ev[] {
  const events: Ev[] = [];
  svc.onProgress((jobId, e) => events.push({ jobId, e, at: Date.now() }));
  return events;
}

async function until(pred: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names.map((n) => join(dir, n));
}

test('presets, sample job, inspect and preview of the bundled sample', async (t) => {
  const dir = await tempDir(t);
  const svc = make(dir);
  t.after(() => svc.close());

  const presets = await svc.presets();
  const btc = presets.find((p) => p.symbol === 'BTCUSDT' && p.market === 'binance-usdm');
  assert.deepEqual(btc, {
    market: 'binance-usdm', symbol: 'BTCUSDT', kind: 'perpetual', isInverse: false, multiplier: '1',
    priceIncrement: '0.10', sizeIncrement: '0.001', pricePrecision: 2, sizePrecision: 3,
  });
  // Every preset names its market (the app says "no preset" for a symbol of another market).
  for (const p of presets) assert.ok(MARKETS.includes(p.market), `${p.symbol}: ${p.market}`);

  const sample = await svc.sampleJob();
  const spec = JobSpec.parse(sample.spec);
  assert.equal(spec.symbol, 'BTCUSDT');
  assert.equal(spec.start, '2024-01-01');
  assert.equal(spec.end, '2024-01-03');
  assert.deepEqual(spec.dataTypes, ['trades', 'mark', 'funding']);
  assert.equal(spec.output, join(dir, 'out', 'sample-catalog'));
  assert.equal(sample.files.length, 4);

  const infos = await svc.inspectFiles(sample.files);
  assert.deepEqual(infos.map((i) => i.error), [undefined, undefined, undefined, undefined]);
  const trades = infos.find((i) => i.name.includes('trades_2024-01-01'))!;
  assert.equal(trades.compression, 'gzip');
  assert.ok(trades.feeds.includes('trades'));
  assert.ok(trades.rowEstimate > 1000, `row estimate ${trades.rowEstimate}`);

  const pv = await svc.preview({ path: trades.path, dataType: 'trades' });
  assert.equal(pv.rows.length, 100);
  assert.equal(pv.rows.filter((r) => r.status === 'ok').length, 100);
  assert.equal(pv.mapping.price, 'price');
  assert.equal(pv.pricePrecision, 2);
});

test('mapping templates: save, replace, list, delete, written atomically', async (t) => {
  const dir = await tempDir(t);
  const svc = make(dir);
  assert.deepEqual(await svc.listTemplates(), []);
  await svc.saveTemplate({ name: 'vision trades', dataType: 'trades', columns: { timestamp: 'time', price: 'price', size: 'qty' } });
  await svc.saveTemplate({ name: 'another', dataType: 'mark', columns: { timestamp: 'ts', mark_price: 'mp' }, options: { delimiter: ';' } });
  await svc.saveTemplate({ name: 'vision trades', dataType: 'trades', columns: { timestamp: 'T', price: 'p', size: 'q' } });
  let list = await svc.listTemplates();
  assert.deepEqual(list.map((x) => x.name), ['another', 'vision trades']);
  assert.deepEqual(list[1]!.columns, { timestamp: 'T', price: 'p', size: 'q' });

  // Quick saves in a row: none is lost.
  await Promise.all(Array.from({ length: 8 }, (_, i) => svc.saveTemplate({ name: `t${i}`, dataType: 'funding', columns: { funding_rate: 'r' } })));
  list = await svc.listTemplates();
  assert.equal(list.length, 10);

  await svc.deleteTemplate('another');
  await svc.deleteTemplate('no such template');
  list = await svc.listTemplates();
  assert.equal(list.length, 9);
  assert.ok(!list.some((x) => x.name === 'another'));

  const cfg = await readdir(join(dir, 'config'));
  assert.deepEqual(cfg, ['templates.json'], 'no temporary files left');
  assert.equal(JSON.parse(await readFile(join(dir, 'config', 'templates.json'), 'utf8')).length, 9);

  // Invalid templates are refused; a damaged entry on disk is skipped, not fatal.
  await assert.rejects(svc.saveTemplate({ name: '', dataType: 'trades', columns: {} }));
  await writeFile(join(dir, 'config', 'templates.json'), JSON.stringify([{ name: 'ok', dataType: 'trades', columns: {} }, { bogus: true }]));
  assert.deepEqual((await svc.listTemplates()).map((x) => x.name), ['ok']);
});

test('a job runs on a worker thread to completion: per-day progress, report, a catalog verify accepts', async (t) => {
  const dir = await tempDir(t);
  const svc = make(dir);
  t.after(() => svc.close());
  const events = record(svc);
  let reportAtJobEvent: unknown = 'unset';
  svc.onProgress((jobId, e) => {
    // When the final job event arrives, job(jobId) already has the report.
    if (e.kind === 'job' && e.state !== 'started') void svc.job(jobId).then((i) => (reportAtJobEvent = i.report));
  });

  // The caller's thread stays free while the job runs.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const sample = await svc.sampleJob();
  const { jobId } = await svc.startJob(sample.spec);
  const info = await settled(svc, jobId);
  clearInterval(timer);
  assert.equal(info.state, 'done', info.error);
  assert.ok(ticks > 10, `the host's event loop kept turning (${ticks} ticks)`);
  assert.equal(info.report!.ok, true);
  assert.equal(info.report!.days.length, 9);

  const mine = events.filter((x) => x.jobId === jobId).map((x) => x.e);
  assert.deepEqual(mine[0], { kind: 'job', state: 'started' });
  assert.deepEqual(mine.at(-1), { kind: 'job', state: 'done', message: undefined });
  assert.equal(mine.filter((e) => e.kind === 'job').length, 2, 'one start and one end event');
  for (const type of ['trades', 'mark', 'funding'] as const) {
    for (const day of ['2024-01-01', '2024-01-02', '2024-01-03']) {
      const done = mine.find((e) => e.kind === 'day' && e.dataType === type && e.day === day && e.state === 'done');
      assert.ok(done, `a done event for ${type} ${day}`);
    }
  }
  await until(() => reportAtJobEvent !== 'unset');
  assert.ok(reportAtJobEvent, 'report present when the job event arrives');

  const v = await verifyCatalog(sample.spec.output);
  assert.equal(v.ok, true, v.errors.join('\n'));
  const viaApi = await svc.verify(sample.spec.output);
  assert.equal(viaApi.ok, true);

  const stats = await svc.dailyStats(sample.spec.output, 'BTCUSDT-PERP.BINANCE');
  assert.deepEqual(stats.map((s) => s.day), ['2024-01-01', '2024-01-02', '2024-01-03']);
  const written = info.report!.days.filter((d) => d.dataType === 'trades').map((d) => d.written);
  assert.deepEqual(stats.map((s) => s.trades), written);
  for (const s of stats) {
    assert.match(s.open!, /^\d+\.\d{2}$/);
    assert.ok(Number(s.low) <= Number(s.open) && Number(s.open) <= Number(s.high));
    assert.ok(Number(s.low) <= Number(s.close) && Number(s.close) <= Number(s.high));
  }
  assert.deepEqual(await svc.dailyStats(sample.spec.output, 'ETHUSDT-PERP.BINANCE'), []);
  await assert.rejects(svc.dailyStats(sample.spec.output, '..'), /invalid instrument id/);

  // Two jobs may not write to one catalog at once.
  const again = await svc.startJob({ ...sample.spec, overwrite: true });
  await assert.rejects(svc.startJob(sample.spec), /already writing/);
  assert.equal((await settled(svc, again.jobId)).state, 'done');
});

test('dailyStats shows a missing day as a gap with 0 trades', async (t) => {
  const dir = await tempDir(t);
  const svc = make(dir);
  t.after(() => svc.close());
  const sample = await svc.sampleJob();
  const spec = { ...sample.spec, dataTypes: ['trades' as const], output: join(dir, 'out', 'gap') };
  const { jobId } = await svc.startJob(spec);
  assert.equal((await settled(svc, jobId)).state, 'done');
  const folder = join(spec.output, 'data', 'trade_tick', 'BTCUSDT-PERP.BINANCE');
  const middle = (await readdir(folder)).find((n) => n.startsWith('2024-01-02'))!;
  const { rm } = await import('node:fs/promises');
  await rm(join(folder, middle));
  const stats = await svc.dailyStats(spec.output, 'BTCUSDT-PERP.BINANCE');
  assert.deepEqual(stats.map((s) => [s.day, s.trades > 0]), [['2024-01-01', true], ['2024-01-02', false], ['2024-01-03', true]]);
  assert.deepEqual(stats[1], { day: '2024-01-02', trades: 0 });
});

async function bigJob(dir: string) {
  const input = join(dir, 'in');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(input, { recursive: true });
  await genTardisTrades({ path: join(input, 'trades.csv'), rows: 600_000, start: '2024-01-01', days: 3, gzip: false });
  return {
    source: 'csv' as const, symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-03', output: join(dir, 'out', 'big'),
    dataTypes: ['trades' as const], config: { files: { trades: { file_path: join(input, 'trades.csv') } } },
  };
}

/** Every .parquet under the catalog reads to its footer; no temporary file sits in data/. */
async function assertNoPartialFiles(output: string): Promise<string[]> {
  const all = await filesUnder(join(output, 'data'));
  const parquet = all.filter((f) => f.endsWith('.parquet'));
  for (const f of parquet) await readParquetInfo(f); // throws on a partial file
  const stray = all.filter((f) => /\.tmp$|\.run$/.test(f));
  assert.deepEqual(stray, [], 'no temporary files in data/');
  return parquet.map((f) => relative(output, f));
}

test('cancelJob stops a running job by itself (no forced termination) and leaves no partial .parquet', async (t) => {
  const dir = await tempDir(t);
  // A grace period longer than the test's timeout: cancel can only finish by the worker stopping on its
  // own. How fast it stops is measured in the bench, not asserted here.
  const svc = make(dir, { cancelGraceMs: 10 * 60_000 });
  t.after(() => svc.close());
  const spec = await bigJob(dir);
  const events = record(svc);

  // Cancelled while reading: no trade day is written.
  const { jobId } = await svc.startJob(spec);
  await until(() => events.some((x) => x.jobId === jobId && x.e.kind === 'day' && x.e.state === 'reading'));
  await svc.cancelJob(jobId);
  const info = await svc.job(jobId);
  assert.equal(info.state, 'cancelled');
  assert.equal(info.report?.errors.includes('cancelled'), true);
  assert.deepEqual(events.filter((x) => x.jobId === jobId).at(-1)!.e, { kind: 'job', state: 'cancelled', message: undefined });
  const files = await assertNoPartialFiles(spec.output);
  assert.deepEqual(files.filter((f) => f.includes('trade_tick')), []);
  await assert.rejects(stat(join(spec.output, '.catalog-builder', 'lock')), 'the catalog lock is released');
  await svc.cancelJob(jobId); // a second cancel is harmless

  // Cancelled while writing days: the days already committed are whole, the rest are absent.
  const second = await svc.startJob(spec);
  await until(() => events.some((x) => x.jobId === second.jobId && x.e.kind === 'day' && x.e.state === 'writing'));
  await svc.cancelJob(second.jobId);
  const state = (await svc.job(second.jobId)).state;
  assert.ok(state === 'cancelled' || state === 'done', state);
  const written = await assertNoPartialFiles(spec.output);
  const doneDays = events.filter((x) => x.jobId === second.jobId && x.e.kind === 'day' && x.e.state === 'done').length;
  // A day whose commit the cancel overtook is on disk, whole, without its done event: at most one more.
  const tradeFiles = written.filter((f) => f.includes('trade_tick')).length;
  assert.ok(tradeFiles >= doneDays && tradeFiles <= doneDays + 1, `${tradeFiles} files, ${doneDays} done events`);

  // And the catalog can be finished by running again.
  const third = await svc.startJob(spec);
  assert.equal((await settled(svc, third.jobId)).state, 'done');
  assert.equal((await verifyCatalog(spec.output)).ok, true);
});

test('a worker that ignores cancel is terminated after the grace period', async (t) => {
  const dir = await tempDir(t);
  const svc = make(dir, { workerUrl: new URL('../workers/stuck-worker.ts', import.meta.url), cancelGraceMs: 300 });
  t.after(() => svc.close());
  const events = record(svc);
  const sample = await svc.sampleJob();
  const { jobId } = await svc.startJob(sample.spec);
  await until(() => events.some((x) => x.jobId === jobId));
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  await svc.cancelJob(jobId);
  const took = performance.now() - t0;
  // Not before its grace period (the worker never stops by itself, so `cancelled` means it was terminated).
  assert.ok(took >= 250, `terminated after ${took.toFixed(0)} ms`);
  assert.equal((await svc.job(jobId)).state, 'cancelled');
  assert.equal(events.at(-1)!.e.kind, 'job');
});

test('a crashing worker marks its job failed and the service keeps working', async (t) => {
  const dir = await tempDir(t);
  const svc = make(dir, { workerUrl: new URL('../workers/throwing-worker.ts', import.meta.url) });
  t.after(() => svc.close());
  const events = record(svc);
  const sample = await svc.sampleJob();
  const { jobId } = await svc.startJob(sample.spec);
  const info = await settled(svc, jobId);
  assert.equal(info.state, 'failed');
  assert.match(info.error!, /the job crashed: boom: the job worker blew up/);
  const last = events.filter((x) => x.jobId === jobId).at(-1)!.e;
  assert.equal(last.kind, 'job');
  assert.equal(last.kind === 'job' && last.state, 'failed');
  assert.match(last.kind === 'job' ? last.message ?? '' : '', /boom/);
  assert.ok(events.some((x) => x.e.kind === 'log'), 'events posted before the crash arrive');

  // The service is fine afterwards.
  assert.ok((await svc.presets()).length > 0);
  const second = await svc.startJob({ ...sample.spec, output: join(dir, 'out', 'other') });
  assert.equal((await settled(svc, second.jobId)).state, 'failed');

  const exiting = make(dir, { workerUrl: new URL('../workers/exiting-worker.ts', import.meta.url) });
  const third = await exiting.startJob(sample.spec);
  const info3 = await settled(exiting, third.jobId);
  assert.equal(info3.state, 'failed');
  assert.match(info3.error!, /exit code 3/);
});

test('a job whose files fail reports failed days and the others go on', async (t) => {
  const dir = await tempDir(t);
  const svc = make(dir);
  t.after(() => svc.close());
  const input = join(dir, 'in');
  const { mkdir, copyFile } = await import('node:fs/promises');
  await mkdir(input, { recursive: true });
  const sample = await svc.sampleJob();
  const good = sample.files.find((f) => f.includes('trades_2024-01-01'))!;
  await copyFile(good, join(input, 'day1.csv.gz'));
  await writeFile(join(input, 'day2.csv.gz'), (await readFile(sample.files.find((f) => f.includes('trades_2024-01-02'))!)).subarray(0, 20_000));
  const { jobId } = await svc.startJob({
    source: 'csv', symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-02', output: join(dir, 'out', 'broken'), dataTypes: ['trades'],
    config: { files: { trades: { file_path: [join(input, 'day1.csv.gz'), join(input, 'day2.csv.gz')] } } },
  });
  const info = await settled(svc, jobId);
  assert.equal(info.state, 'failed');
  const days = info.report!.days;
  assert.equal(days.find((d) => d.day === '2024-01-01')!.state, 'done');
  assert.equal(days.find((d) => d.day === '2024-01-02')!.state, 'failed');
  assert.match(info.error!, /truncated|unexpected end/);
});

test('paths outside what the user picked or dropped are refused', async (t) => {
  const dir = await tempDir(t);
  const outside = await tempDir(t, 'cb-outside-');
  await writeFile(join(outside, 'secret.csv'), 'a,b\n1,2\n');
  const picked = join(outside, 'picked.csv');
  await writeFile(picked, 'timestamp,price,size\n1704067200000,42000.1,0.5\n');
  let folder: string | null = null;
  const opened: string[] = [];
  const svc = make(dir, {
    pickFiles: async () => [picked],
    pickFolder: async () => folder,
    openFolder: async (p) => {
      opened.push(p);
    },
  });
  t.after(() => svc.close());
  const refused = /not a (file|folder|catalog folder|output folder).* you picked or dropped/;

  await assert.rejects(svc.inspectFiles([join(outside, 'secret.csv')]), refused);
  await assert.rejects(svc.inspectFiles(['/etc/passwd']), refused);
  await assert.rejects(svc.preview({ path: join(outside, 'secret.csv'), dataType: 'trades' }), refused);
  // `..` does not climb out of an allowed folder.
  await assert.rejects(svc.inspectFiles([join(dir, 'in', '..', '..', 'etc', 'passwd')]), refused);
  await assert.rejects(svc.verify(outside), refused);
  await assert.rejects(svc.dailyStats(outside, 'BTCUSDT-PERP.BINANCE'), refused);
  await assert.rejects(svc.openFolder(outside), refused);

  const sample = await svc.sampleJob();
  await assert.rejects(svc.startJob({ ...sample.spec, output: join(outside, 'catalog') }), refused);
  await assert.rejects(svc.startJob({ ...sample.spec, config: { files: { trades: { file_path: join(outside, 'secret.csv') } } }, dataTypes: ['trades'] }), refused);
  await assert.rejects(svc.startJob({ ...sample.spec, config: { files: { trades: { file_path: join(outside, '*.csv') } } }, dataTypes: ['trades'] }), /not a folder/);
  await assert.rejects(svc.startJob({ ...sample.spec, configDir: outside, config: { base_path: '.', files: { trades: { file_path: 'secret.csv' } } }, dataTypes: ['trades'] }), refused);
  await assert.rejects(svc.startJob({ ...sample.spec, instrumentsFile: join(outside, 'secret.csv') }), /not a file \(instrument list\) you picked/);
  await assert.rejects(svc.startJob({ ...sample.spec, start: 'yesterday' }), /invalid job: start: expected a date/);
  await assert.rejects(svc.startJob({ nonsense: true } as never), /invalid job/);

  // The folders the app names as allowed: the given ones and the output root, not the bundled sample.
  assert.deepEqual(await svc.allowedFolders(), [join(dir, 'out'), join(dir, 'in')]);

  // What the user picks becomes readable; only that file, not its neighbours.
  assert.deepEqual(await svc.pickFiles(), [picked]);
  assert.deepEqual(await svc.allowedFolders(), [join(dir, 'out'), join(dir, 'in')], 'a picked file is no folder');
  const [info] = await svc.inspectFiles([picked]);
  assert.equal(info!.error, undefined);
  assert.deepEqual(info!.columns, ['timestamp', 'price', 'size']);
  await assert.rejects(svc.inspectFiles([join(outside, 'secret.csv')]), refused);

  // A picked folder allows reading and writing inside it, and opening it.
  assert.equal(await svc.pickFolder(), null);
  folder = outside;
  assert.equal(await svc.pickFolder(), outside);
  const inOutside = join(outside, 'sub');
  svc.allowPath(inOutside);
  assert.deepEqual(await svc.allowedFolders(), [join(dir, 'out'), join(dir, 'in'), outside], 'a folder inside another is not named again');
  assert.equal((await svc.inspectFiles([join(outside, 'secret.csv')]))[0]!.error, undefined);
  await svc.openFolder(join(outside, 'secret.csv'));
  assert.deepEqual(opened, [outside], 'a file opens its folder, never the file');

  // A dropped file, vouched for by the host.
  const dropped = await tempDir(t, 'cb-dropped-');
  await writeFile(join(dropped, 'd.csv'), 'x\n1\n');
  await assert.rejects(svc.inspectFiles([join(dropped, 'd.csv')]), refused);
  svc.allowPath(join(dropped, 'd.csv'));
  assert.equal((await svc.inspectFiles([join(dropped, 'd.csv')])).length, 1);
});

test('API key: stored, never returned, and only ever sent to Tardis', async (t) => {
  const dir = await tempDir(t);
  const none = make(dir);
  assert.equal(await none.hasApiKey(), false);
  await assert.rejects(none.setApiKey('abc'), /no secure storage/);

  const svc = make(dir, { secrets: memorySecrets() });
  assert.equal(await svc.hasApiKey(), false);
  await assert.rejects(svc.setApiKey('   '), /empty/);
  await svc.setApiKey('TD.secret-key');
  assert.equal(await svc.hasApiKey(), true);
  assert.ok(!Object.values(svc).some((v) => v === 'TD.secret-key'));
  const spec = {
    source: 'tardis' as const, symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output: join(dir, 'out', 'tardis'), dataTypes: ['trades' as const],
    config: { endpoint: 'http://127.0.0.1:9/v1', cache_dir: join(dir, 'out', 'cache') },
  };
  await assert.rejects(svc.startJob(spec), /only sent to https:\/\/\*\.tardis\.dev; config\.endpoint/);
  await assert.rejects(svc.startJob({ ...spec, config: { cache_dir: '/var/tmp/elsewhere' } }), /not a folder \(Tardis cache_dir\)/);
});
