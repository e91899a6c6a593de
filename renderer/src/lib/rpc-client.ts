// Browser mode's window.api: the Api over one WebSocket to hosts/server.ts (protocol: shared/rpc.ts).
// Pure browser code (WebSocket, no Node APIs). Written with the server, so the two always match.
//
//   const api = await connectApi(defaultRpcUrl());
//
// Calls made while the socket is down reconnect first; calls in flight when it drops fail with an
// error. Progress listeners stay registered across reconnects.
import { forwardCalls, type Api, type ApiMethod } from '../../../shared/api.js';
import type { ProgressEvent } from '../../../shared/progress.js';
import type { RpcMessage, RpcRequest } from '../../../shared/rpc.js';

type ProgressListener = (jobId: string, e: ProgressEvent) => void;

/** The minimal WebSocket surface used here (the browser's, or a compatible one in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: { data?: unknown }) => void): void;
}
export type SocketFactory = (url: string) => SocketLike;

export interface ConnectOptions {
  /** default: the browser's WebSocket */
  socket?: SocketFactory;
  /** ms to wait for the socket to open (default 10 s) */
  openTimeoutMs?: number;
}

export type ApiClient = Api & {
  /** closes the socket; later calls reconnect */
  close(): void;
};

const OPEN = 1;

/**
 * ws://<this page's host>/rpc (wss on https), with the page's access token (?token=… in the address
 * the server printed) passed on: the server refuses /rpc without it.
 */
export function defaultRpcUrl(loc: { protocol: string; host: string; search?: string } = globalThis.location): string {
  const token = new URLSearchParams(loc.search ?? '').get('token');
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/rpc${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export async function connectApi(url: string, opts: ConnectOptions = {}): Promise<ApiClient> {
  const factory: SocketFactory = opts.socket ?? ((u) => new WebSocket(u) as unknown as SocketLike);
  const timeoutMs = opts.openTimeoutMs ?? 10_000;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; socket: SocketLike }>();
  const listeners = new Set<ProgressListener>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let opening: Promise<SocketLike> | null = null;

  function onMessage(ev: { data?: unknown }) {
    if (typeof ev.data !== 'string') return;
    let msg: RpcMessage;
    try {
      msg = JSON.parse(ev.data) as RpcMessage;
    } catch {
      return;
    }
    if ('event' in msg) {
      if (msg.event !== 'progress') return;
      for (const cb of [...listeners]) {
        try {
          cb(msg.jobId, msg.data as ProgressEvent);
        } catch (e) {
          console.error('progress listener failed', e);
        }
      }
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  }

  function open(): Promise<SocketLike> {
    if (socket && socket.readyState === OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<SocketLike>((resolve, reject) => {
      let ws: SocketLike;
      try {
        ws = factory(url);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      let opened = false;
      const timer = setTimeout(() => {
        if (opened) return;
        ws.close();
        reject(new Error(`no answer from the engine at ${url}`));
      }, timeoutMs);
      ws.addEventListener('open', () => {
        opened = true;
        clearTimeout(timer);
        socket = ws;
        resolve(ws);
      });
      ws.addEventListener('message', onMessage);
      ws.addEventListener('error', () => {
        if (!opened) {
          clearTimeout(timer);
          reject(new Error(`cannot connect to the engine at ${url}`));
        }
      });
      ws.addEventListener('close', () => {
        clearTimeout(timer);
        if (!opened) reject(new Error(`cannot connect to the engine at ${url}`));
        if (socket === ws) socket = null;
        // Requests sent on this socket will never be answered.
        for (const [id, p] of pending) {
          if (p.socket === ws) {
            pending.delete(id);
            p.reject(new Error('the connection to the engine was lost'));
          }
        }
      });
    }).finally(() => {
      opening = null;
    });
    return opening;
  }

  async function call<T>(method: ApiMethod, ...args: unknown[]): Promise<T> {
    const ws = await open();
    const id = nextId++;
    const req: RpcRequest = { id, method, args };
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, socket: ws });
      try {
        ws.send(JSON.stringify(req));
      } catch (e) {
        pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  await open();

  const api: ApiClient = {
    ...forwardCalls(call),
    onProgress(cb) {
      listeners.add(cb);
      return () => {
        listeners.delete(cb);
      };
    },
    close() {
      socket?.close();
      socket = null;
    },
  };
  return api;
}
