// The Electron shell without Electron (its binary is not available here): the security checklist
// values, the preload's exposed surface, the IPC checks and the encrypted key store, through the
// plain modules main.ts and preload.ts are built from.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { API_METHODS } from '../../shared/api.js';
import { createService } from '../../hosts/service.js';
import { DROPPED_CHANNEL, PROGRESS_CHANNEL, apiChannel } from '../../electron/channels.js';
import { forwardProgress, registerIpc, type IpcMainLike, type SenderEvent } from '../../electron/ipc.js';
import { buildApi, buildPlatform, cleanIpcError, type IpcRendererLike } from '../../electron/preload-api.js';
import { safeStorageSecrets, type SafeStorageLike } from '../../electron/secrets.js';
import {
  APP_ENTRY, cspHeader, denyAllPermissions, hardenWebContents, isAllowedNavigation, isAllowedSender, rendererEntry,
  rendererHeaders, rendererSource, resolveAppFile, windowOptions, withCsp, type PreventableEvent,
} from '../../electron/security.js';
import { ROOT, tempDir } from '../helpers.js';

test('window options follow the Electron security checklist', () => {
  const o = windowOptions('/app/dist-electron/preload.cjs');
  const w = o.webPreferences!;
  assert.equal(w.contextIsolation, true);
  assert.equal(w.sandbox, true);
  assert.equal(w.nodeIntegration, false);
  assert.equal(w.nodeIntegrationInWorker, false);
  assert.equal(w.nodeIntegrationInSubFrames, false);
  assert.equal(w.webSecurity, true);
  assert.equal(w.allowRunningInsecureContent, false);
  assert.equal(w.webviewTag, false);
  assert.equal(w.experimentalFeatures, false);
  assert.equal(w.navigateOnDragDrop, false);
  assert.equal(w.devTools, false);
  assert.equal(w.preload, '/app/dist-electron/preload.cjs');
  assert.equal(windowOptions('p', { devTools: true }).webPreferences!.devTools, true);
});

test('CSP: no inline script, no eval, nothing from elsewhere in the built app', () => {
  const csp = cspHeader();
  const d = Object.fromEntries(csp.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1)]));
  assert.deepEqual(d['default-src'], ["'none'"]);
  assert.deepEqual(d['script-src'], ["'self'"]);
  assert.deepEqual(d['connect-src'], ["'self'"]);
  assert.deepEqual(d['object-src'], ["'none'"]);
  assert.deepEqual(d['base-uri'], ["'none'"]);
  assert.deepEqual(d['frame-ancestors'], ["'none'"]);
  assert.deepEqual(d['form-action'], ["'none'"]);
  assert.doesNotMatch(csp, /unsafe-eval|\*|https?:/);
  // The dev server gets Vite's HMR socket and preamble, only in development.
  const dev = cspHeader({ kind: 'dev', url: 'http://localhost:5173/' });
  assert.match(dev, /connect-src 'self' ws:\/\/localhost:5173/);
  assert.doesNotMatch(dev, /unsafe-eval/);
  // Headers: the CSP replaces whatever a server sent.
  const h = withCsp({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html' }, { kind: 'app' });
  assert.deepEqual(h['Content-Security-Policy'], [csp]);
  assert.equal(h['content-security-policy'], undefined);
  assert.deepEqual(h['Content-Type'], ['text/html']);
  assert.equal(rendererHeaders('/x/index.html')['content-security-policy'], csp);
  assert.equal(rendererHeaders('/x/app.js')['content-type'], 'text/javascript; charset=utf-8');
});

test('IPC senders and navigation: only our renderer', () => {
  const app = { kind: 'app' } as const;
  assert.equal(isAllowedSender('app://renderer/index.html', app), true);
  assert.equal(isAllowedSender('app://renderer/run/2', app), true);
  for (const url of ['app://evil/index.html', 'app://renderer:8080/', 'app://user@renderer/', 'file:///app/renderer/dist/index.html', 'https://example.com/', 'http://localhost:5173/', 'about:blank', '', undefined, null, 'not a url']) {
    assert.equal(isAllowedSender(url, app), false, String(url));
    if (url) assert.equal(isAllowedNavigation(url, app), false, url);
  }
  const dev = { kind: 'dev', url: 'http://localhost:5173/' } as const;
  assert.equal(isAllowedSender('http://localhost:5173/src/main.tsx', dev), true);
  assert.equal(isAllowedSender('http://localhost:5174/', dev), false);
  assert.equal(isAllowedSender('app://renderer/index.html', dev), false);

  assert.deepEqual(rendererSource({ CB_DEV_SERVER_URL: 'http://localhost:5173' }, true), { kind: 'app' }, 'a packaged app ignores the dev server');
  assert.deepEqual(rendererSource({}, false), { kind: 'app' });
  assert.deepEqual(rendererSource({ CB_DEV_SERVER_URL: 'http://127.0.0.1:5173' }, false), { kind: 'dev', url: 'http://127.0.0.1:5173/' });
  assert.throws(() => rendererSource({ CB_DEV_SERVER_URL: 'http://example.com:5173' }, false), /localhost/);
  assert.equal(rendererEntry({ kind: 'app' }), APP_ENTRY);
  assert.equal(APP_ENTRY, 'app://renderer/index.html');
});

test('app:// maps only to files inside the built renderer', () => {
  const dist = '/opt/app/renderer/dist';
  assert.equal(resolveAppFile(dist, 'app://renderer/'), join(dist, 'index.html'));
  assert.equal(resolveAppFile(dist, 'app://renderer/index.html'), join(dist, 'index.html'));
  assert.equal(resolveAppFile(dist, 'app://renderer/assets/app-1234.js'), join(dist, 'assets', 'app-1234.js'));
  assert.equal(resolveAppFile(dist, 'app://renderer/run/7'), join(dist, 'index.html'), 'client-side route');
  assert.equal(resolveAppFile(dist, 'app://renderer/../../etc/passwd.txt'), join(dist, 'etc', 'passwd.txt'), 'URL parsing already drops ..');
  const dotted = resolveAppFile(dist, 'app://renderer/%2e%2e/%2e%2e/secret.txt');
  assert.ok(dotted === null || dotted === join(dist, 'secret.txt'), String(dotted));
  for (const url of ['app://renderer/..%2f..%2fsecret.txt', 'app://renderer/assets/..%5c..%5c..%5csecret.txt', 'app://renderer/a%00.js', 'app://other/index.html', 'https://renderer/index.html', 'app://renderer/%E0%A4%A.js']) {
    assert.equal(resolveAppFile(dist, url), null, url);
  }
});

test('permissions are denied, navigation and new windows blocked, webviews refused', () => {
  const handlers: Record<string, (...a: never[]) => unknown> = {};
  denyAllPermissions({
    setPermissionRequestHandler: (h) => void (handlers.request = h as never),
    setPermissionCheckHandler: (h) => void (handlers.check = h as never),
    setDevicePermissionHandler: (h) => void (handlers.device = h as never),
  });
  let granted: boolean | undefined;
  (handlers.request as unknown as (wc: unknown, p: string, cb: (g: boolean) => void) => void)({}, 'media', (g) => (granted = g));
  assert.equal(granted, false);
  assert.equal((handlers.check as unknown as () => boolean)(), false);
  assert.equal((handlers.device as unknown as () => boolean)(), false);

  const on: Record<string, ((e: PreventableEvent, url: string) => void)[]> = {};
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  hardenWebContents({
    on: (event, listener) => (on[event] ??= []).push(listener),
    setWindowOpenHandler: (h) => void (openHandler = h),
  }, { kind: 'app' });
  const fire = (event: string, url: string, onEvent?: string) => {
    let prevented = false;
    for (const l of on[event] ?? []) l({ preventDefault: () => void (prevented = true), url: onEvent }, url);
    return prevented;
  };
  assert.equal(fire('will-navigate', 'https://evil.example/'), true);
  assert.equal(fire('will-navigate', 'file:///etc/passwd'), true);
  assert.equal(fire('will-navigate', 'app://renderer/index.html'), false);
  assert.equal(fire('will-navigate', 'app://renderer/index.html', 'https://evil.example/'), true, 'event.url wins');
  assert.equal(fire('will-redirect', 'https://evil.example/'), true);
  assert.equal(fire('will-attach-webview', ''), true);
  assert.deepEqual(openHandler!({ url: 'https://example.com' }), { action: 'deny' });
  assert.deepEqual(openHandler!({ url: 'app://renderer/index.html' }), { action: 'deny' });
});

function fakeIpcRenderer() {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const sent: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
  const ipc: IpcRendererLike = {
    async invoke(channel, ...args) {
      invoked.push({ channel, args });
      if (channel === apiChannel('job')) throw new Error("Error invoking remote method 'api:job': Error: no job x");
      return `result of ${channel}`;
    },
    send: (channel, ...args) => void sent.push({ channel, args }),
    on: (channel, l) => (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(l),
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  };
  return { ipc, invoked, sent, listeners };
}

test('the preload exposes exactly the Api methods plus onProgress and onProgressBatch, each on its own channel', async () => {
  const f = fakeIpcRenderer();
  const api = buildApi(f.ipc);
  assert.deepEqual(Object.keys(api).filter((k) => k !== 'onProgress' && k !== 'onProgressBatch').sort(), [...API_METHODS].sort());
  assert.equal(Object.keys(api).length, API_METHODS.length + 2);
  for (const v of Object.values(api)) assert.equal(typeof v, 'function');
  assert.ok(!('invoke' in api) && !('send' in api) && !('on' in api));

  assert.equal(await api.presets(), 'result of api:presets');
  await api.dailyStats('/c', 'BTCUSDT-PERP.BINANCE');
  await api.inspectFiles(['/a', '/b']);
  assert.deepEqual(f.invoked.slice(-2), [
    { channel: 'api:dailyStats', args: ['/c', 'BTCUSDT-PERP.BINANCE'] },
    { channel: 'api:inspectFiles', args: [['/a', '/b']] },
  ]);
  await assert.rejects(api.job('x'), (e: Error) => e.message === 'no job x');
  assert.equal(cleanIpcError(new Error("Error invoking remote method 'api:preview': ZodError: bad")).message, 'bad');

  // Progress: (jobId, event) only, never the IPC event; a batch arrives whole to onProgressBatch,
  // one event at a time to onProgress; unsubscribe removes the listener.
  const got: unknown[][] = [];
  const batches: unknown[][] = [];
  const off = api.onProgress((...a) => void got.push(a));
  const offBatch = api.onProgressBatch!((...a) => void batches.push(a));
  const day = { kind: 'day', dataType: 'trades', day: '2024-01-01', state: 'done', rows: 1, fraction: 1, rowsPerSec: 0, etaSec: null };
  for (const listener of f.listeners.get(PROGRESS_CHANNEL)!) listener({ sender: 'secret' }, 'job-1', [{ kind: 'job', state: 'started' }, day]);
  assert.deepEqual(got, [['job-1', { kind: 'job', state: 'started' }], ['job-1', day]]);
  assert.deepEqual(batches, [['job-1', [{ kind: 'job', state: 'started' }, day]]]);
  off();
  offBatch();
  assert.equal(f.listeners.get(PROGRESS_CHANNEL)!.size, 0);

  // window.platform.pathForFile: only real paths are announced to the main process.
  const platform = buildPlatform({ getPathForFile: (file) => ((file as unknown as { p: string }).p) }, f.ipc);
  assert.deepEqual(Object.keys(platform), ['pathForFile']);
  assert.equal(platform.pathForFile({ p: '/data/x.csv' } as unknown as File), '/data/x.csv');
  assert.equal(platform.pathForFile({ p: '' } as unknown as File), '');
  assert.deepEqual(f.sent, [{ channel: DROPPED_CHANNEL, args: ['/data/x.csv'] }]);
});

test('the preload, security, IPC and key-store modules load without Electron', async () => {
  for (const f of ['preload-api.ts', 'security.ts', 'ipc.ts', 'secrets.ts', 'channels.ts']) {
    const src = await readFile(join(ROOT, 'electron', f), 'utf8');
    assert.doesNotMatch(src, /^import (?!type )[^;]*from 'electron'/m, `${f} imports electron at runtime`);
  }
  const preload = await readFile(join(ROOT, 'electron', 'preload.ts'), 'utf8');
  assert.deepEqual([...preload.matchAll(/exposeInMainWorld\('(\w+)'/g)].map((m) => m[1]), ['api', 'platform']);
});

test('IPC handlers: one per Api method, sender checked, arguments validated', async (t) => {
  const dir = await tempDir(t);
  const service = createService({ configDir: join(dir, 'config'), outputRoot: join(dir, 'out') });
  const handlers = new Map<string, (event: SenderEvent, ...args: unknown[]) => unknown>();
  const listeners = new Map<string, (event: SenderEvent, ...args: unknown[]) => void>();
  const ipc: IpcMainLike = {
    handle: (c, l) => void handlers.set(c, l),
    removeHandler: (c) => void handlers.delete(c),
    on: (c, l) => listeners.set(c, l),
    removeListener: (c) => listeners.delete(c),
  };
  const dispose = registerIpc(ipc, service, (url) => isAllowedSender(url, { kind: 'app' }));
  assert.deepEqual([...handlers.keys()].sort(), API_METHODS.map((m) => `api:${m}`).sort());
  const ours: SenderEvent = { senderFrame: { url: 'app://renderer/index.html' } };
  const call = (m: string, event: SenderEvent, ...args: unknown[]) => Promise.resolve(handlers.get(`api:${m}`)!(event, ...args));

  assert.ok(((await call('presets', ours)) as unknown[]).length > 0);
  await assert.rejects(call('presets', { senderFrame: { url: 'https://evil.example/' } }), /refused: presets called from https:\/\/evil.example/);
  await assert.rejects(call('presets', { senderFrame: null }), /refused/);
  await assert.rejects(call('inspectFiles', ours, 'not-an-array'), /invalid arguments for inspectFiles/);
  await assert.rejects(call('saveTemplate', ours, { name: 'x', dataType: 'trades', columns: {}, extra: 1 }), /invalid arguments for saveTemplate/);
  await assert.rejects(call('setApiKey', ours, 'x'.repeat(501)), /invalid arguments for setApiKey/);
  await assert.rejects(call('inspectFiles', ours, ['/etc/passwd']), /not a file you picked or dropped/);

  // A dropped path is allowed only when our renderer reports it.
  const drop = listeners.get(DROPPED_CHANNEL)!;
  const file = join(dir, 'dropped.csv');
  await writeFile(file, 'a,b\n1,2\n');
  drop({ senderFrame: { url: 'https://evil.example/' } }, file);
  drop(ours, 42);
  await assert.rejects(call('inspectFiles', ours, [file]), /not a file you picked/);
  drop(ours, file);
  assert.equal(((await call('inspectFiles', ours, [file])) as unknown[]).length, 1);

  // Progress goes to the window while it exists.
  const sent: unknown[][] = [];
  let destroyed = false;
  const stop = forwardProgress({ onProgressBatch: service.onProgressBatch }, () => ({ isDestroyed: () => destroyed, send: (...a) => void sent.push(a) }));
  const sample = await service.sampleJob();
  const { jobId } = await service.startJob({ ...sample.spec, dataTypes: ['funding'] });
  while ((await service.job(jobId)).state === 'running') await new Promise((r) => setTimeout(r, 20));
  assert.ok(sent.length > 2);
  assert.deepEqual(sent[0], [PROGRESS_CHANNEL, jobId, [{ kind: 'job', state: 'started' }]], 'in batches; the job’s own events at once');
  destroyed = true;
  const before = sent.length;
  const again = await service.startJob({ ...sample.spec, dataTypes: ['funding'], overwrite: true });
  while ((await service.job(again.jobId)).state === 'running') await new Promise((r) => setTimeout(r, 20));
  assert.equal(sent.length, before);
  stop();
  dispose();
  assert.equal(handlers.size, 0);
  assert.equal(listeners.size, 0);
  await service.close();
});

test('the Tardis key is stored encrypted, never as plain text, and refused without a real keyring', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'key.bin');
  const fake = (over: Partial<SafeStorageLike> = {}): SafeStorageLike => ({
    isEncryptionAvailable: () => true,
    encryptString: (s) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
    decryptString: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
    getSelectedStorageBackend: () => 'gnome_libsecret',
    ...over,
  });
  const store = safeStorageSecrets(file, fake(), 'linux');
  assert.equal(await store.has(), false);
  assert.equal(await store.get!(), null);
  await store.set('TD.very-secret');
  assert.equal(await store.has(), true);
  assert.equal(await store.get!(), 'TD.very-secret');
  assert.ok(!(await readFile(file)).toString('latin1').includes('very-secret'), 'not plain text on disk');

  await assert.rejects(safeStorageSecrets(join(dir, 'k2'), fake({ getSelectedStorageBackend: () => 'basic_text' }), 'linux').set('k'), /no desktop keyring/);
  await assert.rejects(safeStorageSecrets(join(dir, 'k3'), fake({ isEncryptionAvailable: () => false }), 'win32').set('k'), /no encrypted storage/);
  // basic_text only matters on Linux (macOS Keychain / Windows DPAPI always encrypt).
  await safeStorageSecrets(join(dir, 'k4'), fake({ getSelectedStorageBackend: () => 'basic_text' }), 'darwin').set('k');
});
