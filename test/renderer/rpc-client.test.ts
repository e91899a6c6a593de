// Browser mode's client against a fake socket: what happens when the socket drops, stays silent or
// pushes progress; the happy path against the real server is in test/hosts/server.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectApi, type SocketLike } from '../../renderer/src/lib/rpc-client.js';

type Listener = (ev: { data?: unknown }) => void;

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: { id: number; method: string; args: unknown[] }[] = [];
  private on = new Map<string, Listener[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, l: Listener) {
    this.on.set(type, [...(this.on.get(type) ?? []), l]);
  }
  fire(type: string, ev: { data?: unknown } = {}) {
    for (const l of this.on.get(type) ?? []) l(ev);
  }
  open() {
    this.readyState = 1;
    this.fire('open');
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as FakeSocket['sent'][number]);
  }
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    // as a browser's: the close event comes later, not inside close()
    queueMicrotask(() => this.fire('close'));
  }
  reply(msg: unknown) {
    this.fire('message', { data: JSON.stringify(msg) });
  }
}

/** A factory whose sockets open at once (or never, for the silent-engine case). */
function sockets(autoOpen = true) {
  const made: FakeSocket[] = [];
  const factory = (u: string) => {
    const s = new FakeSocket(u);
    made.push(s);
    if (autoOpen) queueMicrotask(() => s.open());
    return s;
  };
  return { made, factory };
}

test('answers go to their own call; a failed call carries the engine’s text; junk frames are ignored', async () => {
  const { made, factory } = sockets();
  const api = await connectApi('ws://x/rpc', { socket: factory });
  const ws = made[0]!;
  const a = api.presets();
  const b = api.hasApiKey();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(ws.sent.map((m) => [m.id, m.method]), [[1, 'presets'], [2, 'hasApiKey']]);
  ws.fire('message', { data: 'not json' });
  ws.fire('message', { data: new Uint8Array(2) });
  ws.reply({ id: 99, ok: true, result: 'nobody asked' });
  ws.reply({ event: 'job', jobId: 'j', data: {} });
  ws.reply({ id: 2, ok: false, error: 'no key store' });
  ws.reply({ id: 1, ok: true, result: [] });
  assert.deepEqual(await a, []);
  await assert.rejects(b, /^Error: no key store$/);
});

test('a dropped socket fails the calls sent on it; the next call reconnects; listeners stay', async () => {
  const { made, factory } = sockets();
  const api = await connectApi('ws://x/rpc', { socket: factory });
  const seen: string[] = [];
  api.onProgress(() => {
    throw new Error('a broken listener does not stop the others');
  });
  const off = api.onProgress((jobId, e) => seen.push(`${jobId}:${e.kind}`));
  const inFlight = api.presets();
  await new Promise((r) => setImmediate(r));
  made[0]!.close();
  await assert.rejects(inFlight, /the connection to the engine was lost/);

  const next = api.presets();
  await new Promise((r) => setImmediate(r));
  assert.equal(made.length, 2, 'reconnected');
  made[1]!.reply({ id: made[1]!.sent[0]!.id, ok: true, result: ['p'] });
  assert.deepEqual(await next, ['p']);
  const logged = console.error;
  const errors: unknown[] = [];
  console.error = (...a: unknown[]) => errors.push(a[0]);
  try {
    made[1]!.reply({ event: 'progress', jobId: 'j1', data: { kind: 'job', state: 'started' } });
    off();
    made[1]!.reply({ event: 'progress', jobId: 'j2', data: { kind: 'job', state: 'started' } });
  } finally {
    console.error = logged;
  }
  assert.deepEqual(errors, ['progress listener failed', 'progress listener failed']);
  assert.deepEqual(seen, ['j1:job']);
  api.close();
  assert.equal(made[1]!.readyState, 3);
});

test('an engine that never answers, or refuses, fails the connect with the address', async () => {
  const silent = sockets(false);
  await assert.rejects(connectApi('ws://silent/rpc', { socket: silent.factory, openTimeoutMs: 20 }), /no answer from the engine at ws:\/\/silent\/rpc/);
  assert.equal(silent.made[0]!.readyState, 3, 'the silent socket is closed');
  const refused = sockets(false);
  const p = connectApi('ws://refused/rpc', { socket: refused.factory });
  refused.made[0]!.fire('error');
  await assert.rejects(p, /cannot connect to the engine at ws:\/\/refused\/rpc/);
  await assert.rejects(connectApi('bad', { socket: () => { throw new SyntaxError('bad url'); } }), /bad url/);
});
