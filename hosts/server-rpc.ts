// Browser mode's Api: one WebSocket at /rpc (shared/rpc.ts). Every request is checked with RpcRequest
// and then, like Electron's IPC, with ApiArgs[method] (dispatchCall); a bad request gets an error
// reply, never a crash. Progress events go to every connected page, in batches.
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatchCall } from '../shared/api.js';
import { zodIssuesText } from '../shared/errors.js';
import { RpcRequest, encode, type RpcMessage } from '../shared/rpc.js';
import type { Access } from './server-auth.js';
import type { Service } from './service.js';

/** Handles one text frame; always answers with exactly one RpcMessage (unless the request is a bare event). */
export async function handleRpc(service: Service, text: string): Promise<RpcMessage> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { id: -1, ok: false, error: 'bad request: not JSON' };
  }
  const rawId = (raw as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'number' && Number.isInteger(rawId) && rawId >= 0 ? rawId : -1;
  const req = RpcRequest.safeParse(raw);
  if (!req.success) return { id, ok: false, error: `bad request: ${zodIssuesText(req.error.issues, 'request')}` };
  try {
    const result = await dispatchCall(service, req.data.method, req.data.args);
    return { id, ok: true, result: result ?? null };
  } catch (e) {
    return { id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Answers each text frame of `ws` with handleRpc's reply (or an error when the result cannot be encoded). */
function answerFrames(ws: WebSocket, service: Service): void {
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.send(encode({ id: -1, ok: false, error: 'bad request: binary frames are not accepted' }));
      return;
    }
    void handleRpc(service, data.toString()).then((reply) => {
      if (ws.readyState !== ws.OPEN) return;
      let text: string;
      try {
        text = encode(reply);
      } catch (e) {
        text = encode({ id: 'id' in reply ? reply.id : -1, ok: false, error: `the result cannot be sent: ${(e as Error).message}` });
      }
      ws.send(text);
    });
  });
}

/**
 * Serves the Api at /rpc on `http` to the pages `access` lets in; progress events above
 * `maxBuffered` bytes of queued output are dropped for a slow client. Returns the function that
 * closes every socket.
 */
export function attachRpc(http: Server, service: Service, access: Access, maxBuffered: number): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const clients = new Set<WebSocket>();
  http.on('upgrade', (req, socket, head) => {
    const refuse = (code: number, why: string) => {
      socket.end(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
    };
    let pathname = '';
    try {
      pathname = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {}
    if (pathname !== '/rpc') return refuse(404, 'Not Found');
    if (!access.isOwnHost(req.headers.host)) return refuse(421, 'Misdirected Request');
    if (!access.isAllowedOrigin(req.headers.origin)) return refuse(403, 'Forbidden');
    if (!access.hasToken(req.url)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => ws.terminate());
    answerFrames(ws, service);
  });
  // One frame per batch of a job's events (about every 100 ms): a frame per event froze the page of
  // a job of decades of days.
  const unsubscribe = service.onProgressBatch((jobId, events) => {
    const text = encode({ event: 'progress', jobId, data: events });
    const ends = events.filter((e) => e.kind === 'job');
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      // A client that cannot keep up misses progress ticks, never replies nor the job's own events (small).
      if (ws.bufferedAmount < maxBuffered) ws.send(text);
      else if (ends.length) ws.send(encode({ event: 'progress', jobId, data: ends }));
    }
  });
  return () => {
    unsubscribe();
    for (const ws of clients) ws.terminate();
    wss.close();
  };
}
