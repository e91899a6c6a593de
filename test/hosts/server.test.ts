// Browser mode: the static renderer and the Api over the /rpc WebSocket on 127.0.0.1 (port 0).
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import type { ProgressEvent } from '../../shared/progress.js';
import type { RpcMessage } from '../../shared/rpc.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { cspHeader, rendererHeaders } from '../../electron/security.js';
import { createService } from '../../hosts/service.js';
import { handleRpc, memorySecrets, startServer, type RunningServer } from '../../hosts/server.js';
import { connectApi, defaultRpcUrl, type SocketLike } from '../../renderer/src/lib/rpc-client.js';
import { tempDir } from '../helpers.js';

async function serve(t: TestContext, withDist = true): Promise<{ server: RunningServer; dir: string }> {
  const dir = await tempDir(t);
  const dist = join(dir, 'dist');
  if (withDist) {
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Catalog Builder</title><script type="module" src="/assets/app.js"></script>');
    await writeFile(join(dist, 'assets', 'app.js'), 'console.log("app")');
  }
  await mkdir(join(dir, 'in'), { recursive: true });
  await writeFile(join(dir, 'secret.txt'), 'not for the browser');
  const service = createService({ configDir: join(dir, 'config'), outputRoot: join(dir, 'out'), allow: [join(dir, 'in')], secrets: memorySecrets() });
  const server = await startServer({ port: 0, staticDir: dist, service });
  t.after(async () => {
    await server.close();
    await service.close();
  });
  return { server, dir };
}

function get(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** ws://127.0.0.1:<port>/rpc with the launch's token (or `token`). */
const rpcUrl = (server: RunningServer, token: string | null = server.token) => `${server.origin.replace('http', 'ws')}/rpc${token === null ? '' : `?token=${token}`}`;

/** A raw ws client with the server's own Origin and the access token, collecting every message. */
async function client(server: RunningServer, origin: string | undefined = server.origin) {
  const ws = new WebSocket(rpcUrl(server), origin ? { origin } : {});
  const messages: RpcMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as RpcMessage));
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  const reply = async (id: number) => {
    for (let i = 0; i < 2000; i++) {
      const m = messages.find((x) => 'id' in x && x.id === id);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no reply to ${id}`);
  };
  return { ws, messages, reply };
}

test('serves the built renderer with a strict CSP, only to loopback hosts, never outside dist', async (t) => {
  const { server } = await serve(t);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  assert.equal(server.url, `${server.origin}/?token=${server.token}`);
  const index = await get(server.origin, `/?token=${server.token}`);
  assert.equal(index.status, 200);
  assert.match(index.body, /Catalog Builder/);
  assert.match(String(index.headers['content-type']), /text\/html/);
  const csp = String(index.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.equal(index.headers['x-content-type-options'], 'nosniff');
  assert.equal((await get(server.origin, '/assets/app.js')).body, 'console.log("app")', 'built assets need no token');
  assert.equal((await get(server.origin, `/run/123?token=${server.token}`)).status, 200, 'client-side routes get the page');
  assert.equal((await get(server.origin, '/missing.js')).status, 404);
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
    const r = await get(server.origin, p);
    assert.notEqual(r.status, 200, p);
    assert.doesNotMatch(r.body, /not for the browser/, p);
  }
  // DNS rebinding: a foreign Host name is refused.
  assert.equal((await get(server.origin, `/?token=${server.token}`, { host: 'evil.example:80' })).status, 421);
});

test('browser mode and Electron serve the renderer under one policy and the same headers', async (t) => {
  const { server } = await serve(t);
  const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
  const page = await get(server.origin, `/?token=${server.token}`);
  const served = directives(String(page.headers['content-security-policy']));
  const electron = directives(cspHeader({ kind: 'app' }));
  // The same directives; browser mode only adds its /rpc WebSocket to connect-src.
  assert.deepEqual([...served.keys()].sort(), [...electron.keys()].sort());
  for (const [d, v] of electron) assert.equal(served.get(d), d === 'connect-src' ? `${v} ws://127.0.0.1:${server.port}` : v, d);
  for (const [path, file] of [[`/?token=${server.token}`, 'index.html'], ['/assets/app.js', 'assets/app.js']] as const) {
    const r = await get(server.origin, path);
    const app = rendererHeaders(`/dist/${file}`);
    for (const h of ['content-type', 'cache-control', 'x-content-type-options']) assert.equal(r.headers[h], app[h], `${file} ${h}`);
  }
});

test('without a built renderer the page says so and /rpc still works', async (t) => {
  const { server } = await serve(t, false);
  const r = await get(server.origin, '/');
  assert.equal(r.status, 503);
  assert.match(r.body, /renderer is not built/);
  const c = await client(server);
  c.ws.send(JSON.stringify({ id: 1, method: 'hasApiKey', args: [] }));
  assert.deepEqual(await c.reply(1), { id: 1, ok: true, result: false });
  c.ws.close();
});

test('WebSocket upgrades from a foreign or missing Origin are refused', async (t) => {
  const { server } = await serve(t);
  for (const origin of ['http://evil.example', 'http://127.0.0.1:1', 'null', undefined]) {
    const ws = new WebSocket(rpcUrl(server), origin ? { origin } : {});
    ws.on('error', () => undefined);
    const status = await new Promise<number>((ok) => {
      ws.once('unexpected-response', (req, res) => {
        ok(res.statusCode ?? 0);
        req.destroy();
      });
      ws.once('open', () => ok(101));
    });
    assert.equal(status, 403, `origin ${origin}`);
    ws.terminate();
  }
  const other = new WebSocket(`${server.origin.replace('http', 'ws')}/other?token=${server.token}`, { origin: server.origin });
  other.on('error', () => undefined);
  const status = await new Promise<number>((ok) => {
    other.once('unexpected-response', (req, res) => {
      ok(res.statusCode ?? 0);
      req.destroy();
    });
    other.once('open', () => ok(101));
  });
  assert.equal(status, 404);
  other.terminate();
  // http://localhost:<port> is this server under its other loopback name.
  const local = await client(server, `http://localhost:${server.port}`);
  assert.equal(local.ws.readyState, WebSocket.OPEN);
  local.ws.close();
});

test('bad requests get error replies, never a crash', async (t) => {
  const { server, dir } = await serve(t);
  const c = await client(server);
  const send = (x: unknown) => c.ws.send(typeof x === 'string' ? x : JSON.stringify(x));

  send('{not json');
  send({ id: 2, method: 'nope', args: [] });
  send({ id: 3, method: 'constructor', args: [] });
  send({ id: 4, method: '__proto__', args: [] });
  send({ id: 5, method: 'inspectFiles', args: [] });
  send({ id: 6, method: 'inspectFiles', args: [[42]] });
  send({ id: 7, method: 'preview', args: [{ path: 'x', dataType: 'candles' }] });
  send({ id: 8, method: 'presets', args: [], extra: true });
  send({ id: 9, method: 'presets', args: [1, 2, 3, 4, 5] });
  send({ id: 10, method: 'onProgress', args: [] });
  send({ id: 11, method: 'inspectFiles', args: [[join(dir, 'secret.txt')]] });
  send({ id: 12, method: 'startJob', args: [{ source: 'csv' }] });
  send({ id: 13, method: 'job', args: ['no-such-job'] });
  send({ id: -5, method: 'presets', args: [] });
  send('null');
  send({ id: 14, method: 'presets', args: [] });

  await c.reply(14);
  await new Promise((r) => setTimeout(r, 50));
  const byId = (id: number) => c.messages.find((m) => 'id' in m && m.id === id) as { ok: boolean; error?: string };
  const bad = c.messages.filter((m) => 'id' in m && m.id === -1) as { ok: boolean; error: string }[];
  assert.equal(bad.length, 3, 'bad JSON, a negative id and null each get an error reply with id -1');
  assert.match(bad[0]!.error, /not JSON/);
  assert.match(byId(2).error!, /unknown method nope/);
  assert.match(byId(3).error!, /unknown method constructor/);
  assert.match(byId(4).error!, /unknown method __proto__/);
  assert.match(byId(5).error!, /invalid arguments for inspectFiles/);
  assert.match(byId(6).error!, /invalid arguments for inspectFiles/);
  assert.match(byId(7).error!, /invalid arguments for preview/);
  assert.match(byId(8).error!, /bad request/);
  assert.match(byId(9).error!, /bad request/);
  assert.match(byId(10).error!, /unknown method onProgress/);
  assert.match(byId(11).error!, /not a file you picked or dropped/);
  assert.match(byId(12).error!, /invalid job/);
  assert.match(byId(13).error!, /no job no-such-job/);
  const fine = byId(14) as { ok: boolean; result?: unknown };
  assert.equal(fine.ok, true);
  assert.ok(Array.isArray(fine.result));
  assert.equal(c.ws.readyState, WebSocket.OPEN, 'the connection survives');

  // Direct handler checks (no socket): browser mode has no dialogs.
  assert.deepEqual(await handleRpc(server.service, JSON.stringify({ id: 1, method: 'pickFiles', args: [] })), { id: 1, ok: true, result: [] });
  assert.deepEqual(await handleRpc(server.service, JSON.stringify({ id: 2, method: 'pickFolder', args: [] })), { id: 2, ok: true, result: null });
  c.ws.close();
});

test('the renderer client runs a job over /rpc and gets its progress pushed', async (t) => {
  const { server } = await serve(t);
  const origin = server.origin;
  // As the page opened at server.url does: the token travels from the page's address to /rpc.
  const page = new URL(server.url);
  const api = await connectApi(defaultRpcUrl({ protocol: page.protocol, host: page.host, search: page.search }), {
    socket: (u) => new WebSocket(u, { origin }) as unknown as SocketLike,
  });
  t.after(() => api.close());

  assert.ok((await api.presets()).some((p) => p.symbol === 'BTCUSDT'));
  assert.equal(await api.hasApiKey(), false);
  await api.setApiKey('TD.key');
  assert.equal(await api.hasApiKey(), true);
  await assert.rejects(api.inspectFiles(['/etc/passwd']), /not a file you picked or dropped/);
  await assert.rejects(api.openFolder('/'), /not a folder you picked/);

  const progress: { jobId: string; e: ProgressEvent }[] = [];
  const off = api.onProgress((jobId, e) => progress.push({ jobId, e }));
  const sample = await api.sampleJob();
  const files = await api.inspectFiles(sample.files);
  assert.equal(files.length, 4);
  const pv = await api.preview({ path: sample.files[1]!, dataType: 'trades', columns: { timestamp: 'timestamp', price: 'price', size: 'amount' } });
  assert.equal(pv.rows.length, 100);

  const { jobId } = await api.startJob(sample.spec);
  for (let i = 0; i < 1200 && !progress.some((p) => p.jobId === jobId && p.e.kind === 'job' && p.e.state !== 'started'); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const mine = progress.filter((p) => p.jobId === jobId).map((p) => p.e);
  assert.deepEqual(mine.at(-1), { kind: 'job', state: 'done' });
  assert.ok(mine.filter((e) => e.kind === 'day' && e.state === 'done').length === 9);
  const info = await api.job(jobId);
  assert.equal(info.state, 'done');
  assert.equal(info.report?.ok, true);
  assert.equal((await api.verify(sample.spec.output)).ok, true);
  assert.equal((await verifyCatalog(sample.spec.output)).ok, true);
  assert.equal((await api.dailyStats(sample.spec.output, info.report!.instrument.id)).length, 3);
  off();

  await api.saveTemplate({ name: 'tardis', dataType: 'trades', columns: { price: 'price' } });
  assert.deepEqual((await api.listTemplates()).map((x) => x.name), ['tardis']);

  // The client reconnects after the socket drops.
  api.close();
  assert.ok((await api.presets()).length > 0);
});

test('progress is pushed to every connected client in batches: {event: "progress", jobId, data: events[]}', async (t) => {
  const { server } = await serve(t);
  const a = await client(server);
  const b = await client(server);
  a.ws.send(JSON.stringify({ id: 1, method: 'sampleJob', args: [] }));
  const sample = (await a.reply(1)) as { result: { spec: Record<string, unknown> } };
  a.ws.send(JSON.stringify({ id: 2, method: 'startJob', args: [sample.result.spec] }));
  const started = (await a.reply(2)) as { ok: boolean; result: { jobId: string } };
  assert.equal(started.ok, true);
  const jobId = started.result.jobId;
  const ended = (m: RpcMessage) => 'event' in m && m.event === 'progress' && (m.data as ProgressEvent[]).some((e) => e.kind === 'job' && e.state !== 'started');
  for (let i = 0; i < 1200 && !(a.messages.some(ended) && b.messages.some(ended)); i++) await new Promise((r) => setTimeout(r, 25));
  // The job is listed with its spec and how far it got; its progress so far comes with job(id, {progress}).
  a.ws.send(JSON.stringify({ id: 3, method: 'listJobs', args: [] }));
  const listed = (await a.reply(3)) as { result: { jobId: string; state: string; output: string; days: number; daysFinished: number }[] };
  assert.deepEqual(listed.result.map((j) => [j.jobId, j.state, j.output, j.days, j.daysFinished]), [[jobId, 'done', sample.result.spec.output, 9, 9]]);
  a.ws.send(JSON.stringify({ id: 4, method: 'job', args: [jobId, { progress: true }] }));
  const info = (await a.reply(4)) as { result: { progress: ProgressEvent[] } };
  assert.equal(info.result.progress.filter((e) => e.kind === 'day' && e.state === 'done').length, 9);
  assert.deepEqual(info.result.progress.at(-1), { kind: 'job', state: 'done' });
  for (const c of [a, b]) {
    const frames = c.messages.filter((m) => 'event' in m) as { event: string; jobId: string; data: ProgressEvent[] }[];
    assert.ok(frames.length > 1);
    assert.ok(frames.every((m) => m.event === 'progress' && m.jobId === jobId && Array.isArray(m.data) && m.data.length > 0));
    const events = frames.flatMap((m) => m.data);
    assert.ok(events.length > frames.length, 'several events a frame');
    assert.ok(events.some((e) => e.kind === 'day'));
    assert.deepEqual(events.at(-1), { kind: 'job', state: 'done' });
    c.ws.close();
  }
});

test('browser mode needs the launch token: the page and /rpc refuse a missing or wrong one', async (t) => {
  const { server } = await serve(t);
  const other = await serve(t);
  assert.notEqual(server.token, other.server.token, 'a new random token per launch');
  for (const path of ['/', '/index.html', '/run/123', '/?token=', `/?token=${other.server.token}`, `/?token=${server.token}x`, `/?token=${server.token.slice(1)}`]) {
    const r = await get(server.origin, path);
    assert.equal(r.status, 403, path);
    assert.doesNotMatch(r.body, /Catalog Builder<\/title>/, path);
  }
  assert.equal((await get(server.origin, `/?token=${server.token}`)).status, 200);
  const status = async (url: string) => {
    const ws = new WebSocket(url, { origin: server.origin });
    ws.on('error', () => undefined);
    const code = await new Promise<number>((ok) => {
      ws.once('unexpected-response', (req, res) => {
        ok(res.statusCode ?? 0);
        req.destroy();
      });
      ws.once('open', () => ok(101));
    });
    ws.terminate();
    return code;
  };
  for (const token of [null, '', other.server.token, server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A')]) {
    assert.equal(await status(rpcUrl(server, token)), 401, `token ${token}`);
  }
  assert.equal(await status(rpcUrl(server)), 101);
  // The renderer's default URL carries the page's token, and nothing when the page has none.
  assert.equal(defaultRpcUrl({ protocol: 'http:', host: '127.0.0.1:5', search: '?token=abc_-1' }), 'ws://127.0.0.1:5/rpc?token=abc_-1');
  assert.equal(defaultRpcUrl({ protocol: 'https:', host: 'h', search: '' }), 'wss://h/rpc');
  assert.equal(defaultRpcUrl({ protocol: 'http:', host: 'h' }), 'ws://h/rpc');
});
