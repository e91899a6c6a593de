// Security extras (no Electron needed): malformed IPC/RPC payloads are refused before the service
// runs, renderer paths cannot leave the folders the user chose (../ or symbolic links), the Tardis
// API key never shows up in logs, progress, reports or files, and the electronegativity gate fails
// on a high-severity finding.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { API_METHODS, ApiArgs, type ApiMethod } from '../../shared/api.js';
import type { ProgressEvent } from '../../shared/progress.js';
import type { RpcMessage } from '../../shared/rpc.js';
import { AllowList } from '../../hosts/allowlist.js';
import { runBuild } from '../../engine/jobs/build.js';
import { createService, type Service } from '../../hosts/service.js';
import { handleRpc, memorySecrets, startServer } from '../../hosts/server.js';
import { registerIpc, type IpcMainLike, type SenderEvent } from '../../electron/ipc.js';
import { isAllowedSender, windowOptions } from '../../electron/security.js';
import { genTardisTrades } from '../../scripts/gen-data.js';
import { ROOT, needShared, tempDir } from '../helpers.js';
import { TardisMock } from '../support/tardis-mock.js';

fc.configureGlobal({ includeErrorInReport: true });

/** A service whose every Api call is recorded, so a test can tell whether a refused call reached it. */
function spied(service: Service): { service: Service; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(service, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v === 'function' && (API_METHODS as string[]).includes(String(prop))) {
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return v;
    },
  });
  return { service: proxy, calls };
}

/** Arguments that fail the method's zod schema (random values, kept only when they really fail). */
const badArgs = (method: ApiMethod) => fc.array(fc.oneof(fc.anything({ maxDepth: 2 }), fc.string(), fc.constant(undefined)), { maxLength: 4 })
  .filter((args) => !ApiArgs[method].safeParse(args).success);

async function makeService(t: TestContext) {
  const dir = await tempDir(t);
  const service = createService({ configDir: join(dir, 'config'), outputRoot: join(dir, 'out'), allow: [join(dir, 'in')], secrets: memorySecrets() });
  t.after(() => service.close());
  return { dir, service };
}

test('RPC: arguments that fail zod are refused with "invalid arguments" and never reach the service', async (t) => {
  const { service } = await makeService(t);
  const spy = spied(service);
  let tried = 0;
  await fc.assert(fc.asyncProperty(fc.constantFrom(...API_METHODS).chain((m) => fc.tuple(fc.constant(m), badArgs(m))), fc.nat(1e6), async ([method, args], id) => {
    tried++;
    const before = spy.calls.length;
    const reply = await handleRpc(spy.service, JSON.stringify({ id, method, args }));
    assert.equal((reply as { ok: boolean }).ok, false);
    const error = (reply as { error: string }).error;
    // Too many arguments fail the envelope check ("bad request"), the rest the method's schema.
    assert.ok(error.startsWith(`invalid arguments for ${method}:`) || (args.length > 4 && error.startsWith('bad request')), error);
    assert.equal((reply as { id: number }).id, id);
    assert.equal(spy.calls.length, before, `${method} was not called`);
  }), { numRuns: 300 });
  // Envelopes that are not requests at all.
  for (const text of ['', '[]', '"x"', '{"id":1}', '{"id":1,"method":"presets"}', '{"id":1,"method":"presets","args":{}}', '{"id":1.5,"method":"presets","args":[]}', '{"id":1,"method":"x".repeat(50),"args":[]}']) {
    const reply = await handleRpc(spy.service, text);
    assert.equal((reply as { ok: boolean }).ok, false, text);
  }
  assert.deepEqual(spy.calls, []);
  console.log(`security: ${tried} malformed RPC requests refused before the service`);
});

test('RPC over the WebSocket: malformed frames get error replies, the service is not called, the connection stays up', async (t) => {
  const { service } = await makeService(t);
  const spy = spied(service);
  const server = await startServer({ port: 0, staticDir: join(ROOT, 'no-such-dist'), service: spy.service });
  t.after(() => server.close());
  const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/rpc?token=${server.token}`, { origin: server.origin });
  const messages: RpcMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as RpcMessage));
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  const samples = fc.sample(fc.constantFrom(...API_METHODS).chain((m) => fc.tuple(fc.constant(m), badArgs(m))), 60);
  samples.forEach(([method, args], i) => ws.send(JSON.stringify({ id: i + 1, method, args })));
  ws.send(JSON.stringify({ id: 999, method: 'presets', args: [] }));
  for (let i = 0; i < 2000 && !messages.some((m) => 'id' in m && m.id === 999); i++) await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < samples.length; i++) {
    const m = messages.find((x) => 'id' in x && x.id === i + 1) as { ok: boolean; error: string } | undefined;
    assert.ok(m, `a reply to ${i + 1}`);
    assert.equal(m.ok, false);
    assert.match(m.error, /^(invalid arguments for|bad request)/);
  }
  assert.deepEqual(spy.calls, ['presets'], 'only the valid request reached the service');
  assert.equal(ws.readyState, WebSocket.OPEN);
  ws.close();
});

test('IPC (electron/ipc.ts with a fake ipcMain): malformed arguments are refused and never reach the service', async (t) => {
  const { service } = await makeService(t);
  const spy = spied(service);
  const handlers = new Map<string, (event: SenderEvent, ...args: unknown[]) => unknown>();
  const ipc: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c), on: () => undefined, removeListener: () => undefined };
  const dispose = registerIpc(ipc, spy.service, (url) => isAllowedSender(url, { kind: 'app' }));
  t.after(dispose);
  const ours: SenderEvent = { senderFrame: { url: 'app://renderer/index.html' } };
  await fc.assert(fc.asyncProperty(fc.constantFrom(...API_METHODS).chain((m) => fc.tuple(fc.constant(m), badArgs(m))), async ([method, args]) => {
    await assert.rejects(Promise.resolve().then(() => handlers.get(`api:${method}`)!(ours, ...args)), new RegExp(`^Error: invalid arguments for ${method}:`));
  }), { numRuns: 200 });
  // A valid call from a foreign frame is refused too.
  await assert.rejects(Promise.resolve().then(() => handlers.get('api:presets')!({ senderFrame: { url: 'http://127.0.0.1:5173/' } })), /refused/);
  assert.deepEqual(spy.calls, []);
});

test('paths from the renderer cannot leave the chosen folders: not with ../, not through a symbolic link', async (t) => {
  const { dir, service } = await makeService(t);
  const inDir = join(dir, 'in');
  const outside = join(dir, 'outside');
  await mkdir(inDir, { recursive: true });
  await mkdir(outside, { recursive: true });
  await genTardisTrades({ path: join(outside, 'secret.csv.gz'), rows: 100, start: '2024-01-01', days: 1, seed: 1 });
  await genTardisTrades({ path: join(inDir, 'mine.csv.gz'), rows: 100, start: '2024-01-01', days: 1, seed: 1 });
  await symlink(outside, join(inDir, 'link-dir'));
  await symlink(join(outside, 'secret.csv.gz'), join(inDir, 'link-file.csv.gz'));
  await symlink(join(outside, 'secret.csv.gz'), join(inDir, 'zz-link.csv.gz'));

  const refused = /not a (file|file \(instrument list\)|folder|catalog folder|output folder \(or inside one\)) you picked or dropped/;
  // Reading.
  assert.equal((await service.inspectFiles([join(inDir, 'mine.csv.gz')])).length, 1, 'a real file inside the folder is fine');
  for (const p of [join(inDir, '..', 'outside', 'secret.csv.gz'), join(inDir, 'link-file.csv.gz'), join(inDir, 'link-dir', 'secret.csv.gz'), `${inDir}/./link-dir/../link-dir/secret.csv.gz`]) {
    await assert.rejects(service.inspectFiles([p]), refused, p);
    await assert.rejects(service.preview({ path: p, dataType: 'trades' }), refused, p);
  }
  // Jobs: a config file path, a pattern matching a link, an output folder that is a link.
  const job = (files: string, output = join(dir, 'out', 'cat')) => ({
    source: 'csv' as const, symbol: 'BTCUSDT', start: '2024-01-01', end: '2024-01-01', output, dataTypes: ['trades' as const],
    config: { base_path: inDir, files: { trades: { file_path: files } } }, configDir: inDir,
  });
  await assert.rejects(service.startJob(job('link-file.csv.gz')), refused);
  await assert.rejects(service.startJob(job('link-dir/secret.csv.gz')), refused);
  await assert.rejects(service.startJob(job('../outside/secret.csv.gz')), refused);
  await assert.rejects(service.startJob(job('*.csv.gz')), refused, 'the pattern matches zz-link.csv.gz');
  await assert.rejects(service.startJob(job('mine.csv.gz', join(inDir, 'link-dir', 'catalog'))), refused);
  // A config entry the job reads for another type (mark from the funding files) is checked too.
  const fallback = { ...job('mine.csv.gz'), dataTypes: ['mark' as const], config: { base_path: inDir, files: { funding: { file_path: '../outside/secret.csv.gz' } } } };
  await assert.rejects(service.startJob(fallback), refused, 'mark read from files.funding');
  // A saved instrument list is read like any input: only one the user chose.
  await writeFile(join(outside, 'exchangeInfo.json'), '{}');
  for (const list of [join(outside, 'exchangeInfo.json'), join(inDir, 'link-dir', 'exchangeInfo.json')]) {
    await assert.rejects(service.startJob({ ...job('mine.csv.gz'), instrumentsFile: list }), refused, list);
  }
  await assert.rejects(service.verify(join(inDir, 'link-dir')), refused);
  await assert.rejects(service.dailyStats(join(inDir, 'link-dir'), 'BTCUSDT-PERP.BINANCE'), refused);
  await assert.rejects(service.openFolder(join(inDir, 'link-dir')), /picked|not available/);
  assert.deepEqual(await readdir(outside), ['exchangeInfo.json', 'secret.csv.gz'], 'nothing was written outside');

  // A chosen folder that is itself a link stays usable, and a link that stays inside is fine.
  const alias = join(dir, 'alias');
  await symlink(inDir, alias);
  const list = new AllowList([alias]);
  assert.equal(list.has(join(alias, 'mine.csv.gz')), true);
  assert.equal(list.has(join(alias, 'link-file.csv.gz')), false);
  assert.equal(list.has(join(alias, 'new-folder', 'catalog')), true, 'a folder that does not exist yet');
  assert.equal(list.has(join(alias, 'link-dir', 'new', 'x')), false, 'not even below a link that leads out');
  await symlink(join(inDir, 'mine.csv.gz'), join(inDir, 'inner-link.csv.gz'));
  assert.equal(new AllowList([inDir]).has(join(inDir, 'inner-link.csv.gz')), true);
});

/** Every byte under `root` that contains `needle`, as relative paths. */
async function filesContaining(root: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const go = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await go(p);
      else if ((await readFile(p)).includes(Buffer.from(needle))) hits.push(p);
    }
  };
  await go(root);
  return hits;
}

/** Captures everything written to stdout, stderr and the console while `fn` runs. */
async function captureOutput<T>(fn: () => Promise<T>): Promise<{ value: T; text: string }> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout), err = process.stderr.write.bind(process.stderr);
  const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info, debug: console.debug };
  const grab = (...a: unknown[]) => void chunks.push(a.map(String).join(' '));
  process.stdout.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stderr.write;
  Object.assign(console, { log: grab, error: grab, warn: grab, info: grab, debug: grab });
  try {
    const value = await fn();
    return { value, text: chunks.join('\n') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    Object.assign(console, saved);
  }
}

test('the Tardis API key is sent to Tardis only, and never logged, reported, or written in plain text', async (t) => {
  if (!needShared(t)) return;
  const saved = process.env.TARDIS_API_KEY;
  delete process.env.TARDIS_API_KEY;
  t.after(() => {
    if (saved !== undefined) process.env.TARDIS_API_KEY = saved;
  });
  const dir = await tempDir(t);
  const mock = await TardisMock.start();
  t.after(() => mock.close());
  const key = `TD.${randomBytes(18).toString('hex')}`;
  const config = { api_key: key, endpoint: mock.url, datasets_endpoint: mock.url, cache_dir: join(dir, 'cache'), retry_base_ms: 5, retry_max_ms: 20, max_attempts: 2 };
  const job = { source: 'tardis' as const, symbol: 'BTCUSDT', start: '2020-02-22', end: '2020-02-22', dataTypes: ['trades' as const], config, configDir: dir };

  // 1. A job that works, 2. one the server refuses (401), 3. one that keeps failing (500s).
  const events: ProgressEvent[] = [];
  const ok = await captureOutput(() => runBuild({ ...job, output: join(dir, 'ok') }, { onProgress: (e) => events.push(e) }));
  assert.equal(ok.value.ok, true, ok.value.errors.join('\n'));
  assert.ok(mock.requests.length > 0 && mock.requests.every((r) => r.headers.authorization === `Bearer ${key}`), 'the key went to the Tardis server (so the test exercises it)');
  mock.inject({ kind: 'status', status: 401, body: `{"message":"invalid key"}` }, { times: 1000 });
  const denied = await captureOutput(() => runBuild({ ...job, output: join(dir, 'denied'), config: { ...config, cache_dir: join(dir, 'cache2') } }, { onProgress: (e) => events.push(e) }));
  assert.equal(denied.value.ok, false);
  const reports = [ok.value, denied.value];

  // The CLI, with the key in its config file: stdout (the JSON report) and stderr.
  await writeFile(join(dir, 'tardis.json'), JSON.stringify({ ...config, cache_dir: join(dir, 'cache3') }));
  // (Not spawnSync: the mock answers from this process's event loop.)
  const cli = await new Promise<{ stdout: string; stderr: string }>((ok, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'catalog-builder.mjs'), 'build', '--source', 'tardis', '--symbol', 'BTCUSDT', '--start', '2020-02-22', '--end', '2020-02-22',
      '--output', join(dir, 'cli'), '--config', join(dir, 'tardis.json'), '--json'], { cwd: ROOT, env: { ...process.env, TARDIS_API_KEY: '' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', () => ok({ stdout, stderr }));
  });
  const cliText = `${cli.stdout}\n${cli.stderr}`;
  assert.ok(cli.stdout.includes('"api_key": "(set)"'), cliText.slice(0, 2000));

  // Through the service (a worker thread): progress pushed to the renderer and the job's report.
  const svcDir = join(dir, 'svc');
  const service = createService({ configDir: join(svcDir, 'config'), outputRoot: join(svcDir, 'out'), allow: [dir], secrets: memorySecrets() });
  t.after(() => service.close());
  const svcEvents: unknown[] = [];
  service.onProgress((jobId, e) => svcEvents.push({ jobId, e }));
  const { jobId } = await service.startJob({ ...job, output: join(dir, 'svc-out'), config: { ...config, cache_dir: join(dir, 'cache4') } });
  while ((await service.job(jobId)).state === 'running') await new Promise((r) => setTimeout(r, 20));
  const info = await service.job(jobId);

  const everything = JSON.stringify({ reports, events, svcEvents, info }) + ok.text + denied.text + cliText;
  assert.ok(!everything.includes(key), 'the key is in no report, progress event, log line or CLI output');
  assert.ok(!everything.includes(key.slice(3)), 'not even without its prefix');
  for (const r of reports) assert.equal((r.job.config as { api_key?: string }).api_key, '(set)');
  assert.equal((info.report?.job.config as { api_key?: string } | undefined)?.api_key, '(set)');
  for (const root of ['ok', 'denied', 'cli', 'svc-out', 'cache', 'cache2', 'cache3', 'cache4', 'svc']) {
    assert.deepEqual(await filesContaining(join(dir, root), key), [], `no file under ${root}/ holds the key`);
  }
});

test('Electron: window options as the checklist says, and the electronegativity gate fails on a high-severity finding', async (t) => {
  const w = windowOptions('/p/preload.cjs').webPreferences!;
  assert.deepEqual([w.contextIsolation, w.sandbox, w.nodeIntegration, w.webSecurity, w.disableBlinkFeatures], [true, true, false, true, 'Auxclick']);
  // The findings main.ts silences are exactly the ones windowOptions() settles (see the comment there).
  const main = await readFile(join(ROOT, 'electron', 'main.ts'), 'utf8');
  const silenced = [...main.matchAll(/eng-disable ([A-Z_ ]+)/g)].flatMap((m) => m[1]!.trim().split(/\s+/));
  assert.deepEqual(silenced.sort(), ['AUXCLICK_JS_CHECK', 'CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK']);
  const dir = await tempDir(t);
  await writeFile(join(dir, 'main.js'), "const { BrowserWindow } = require('electron');\nconst w = new BrowserWindow({ webPreferences: { contextIsolation: false, nodeIntegration: true, sandbox: false } });\n");
  const gate = (folder: string) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'security-electron.ts'), folder], { cwd: ROOT, encoding: 'utf8' });
  const bad = gate(dir);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /HIGH .*CONTEXT_ISOLATION_JS_CHECK/);
  assert.match(bad.stderr, /FAILED: \d+ finding\(s\) of severity HIGH/);
  // (electron/ itself passes the gate in `npm test`, which runs `npm run security:electron` before the unit tests.)
});
