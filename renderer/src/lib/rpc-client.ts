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
type BatchListener = (jobId: string, events: ProgressEvent[]) => void;

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

const toError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

type Answer = Extract<RpcMessage, { id: number }>;

/** Calls in flight: each waits for the answer with its id, or fails when the socket it went out on closes. */
function callBook() {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; socket: SocketLike }>();
  let nextId = 1;
  return {
    send<T>(ws: SocketLike, method: ApiMethod, args: unknown[]): Promise<T> {
      const id = nextId++;
      const req: RpcRequest = { id, method, args };
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, socket: ws });
        try {
          ws.send(JSON.stringify(req));
        } catch (e) {
          pending.delete(id);
          reject(toError(e));
        }
      });
    },
    answer(msg: Answer) {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
    },
    /** Requests sent on this socket will never be answered. */
    socketClosed(ws: SocketLike) {
      for (const [id, p] of pending) {
        if (p.socket === ws) {
          pending.delete(id);
          p.reject(new Error('the connection to the engine was lost'));
        }
      }
    },
  };
}

/** Calls each listener, logging (not throwing) a listener's failure. */
function callEach<A extends unknown[]>(listeners: Set<(...a: A) => void>, ...args: A) {
  for (const cb of [...listeners]) {
    try {
      cb(...args);
    } catch (err) {
      console.error('progress listener failed', err);
    }
  }
}

/** The progress listeners; they belong to the client, not to a socket, so they outlive reconnects. */
function progressHub() {
  const listeners = new Set<ProgressListener>();
  const batchListeners = new Set<BatchListener>();
  const adder = <L>(set: Set<L>) => (cb: L): (() => void) => {
    set.add(cb);
    return () => {
      set.delete(cb);
    };
  };
  return {
    add: adder(listeners),
    addBatch: adder(batchListeners),
    /** one frame's events: to the batch listeners at once, to the others one by one */
    emit(jobId: string, events: ProgressEvent[]) {
      if (!events.length) return;
      callEach(batchListeners, jobId, events);
      for (const e of events) callEach(listeners, jobId, e);
    },
  };
}

/** One text frame from the server: an answer to a call, a progress event, or (ignored) anything else. */
function dispatch(data: unknown, calls: ReturnType<typeof callBook>, progress: ReturnType<typeof progressHub>) {
  if (typeof data !== 'string') return;
  let msg: RpcMessage;
  try {
    msg = JSON.parse(data) as RpcMessage;
  } catch {
    return;
  }
  if (!('event' in msg)) calls.answer(msg);
  else if (msg.event === 'progress') progress.emit(msg.jobId, Array.isArray(msg.data) ? (msg.data as ProgressEvent[]) : [msg.data as ProgressEvent]);
}

interface SocketEvents {
  onOpen(ws: SocketLike): void;
  onMessage(ev: { data?: unknown }): void;
  onClose(ws: SocketLike): void;
}

/** One attempt to open a socket: resolves once open; rejects if it errors, closes or stays silent first. */
function openSocket(url: string, factory: SocketFactory, timeoutMs: number, on: SocketEvents): Promise<SocketLike> {
  return new Promise<SocketLike>((resolve, reject) => {
    let ws: SocketLike;
    try {
      ws = factory(url);
    } catch (e) {
      reject(toError(e));
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
      on.onOpen(ws);
      resolve(ws);
    });
    ws.addEventListener('message', on.onMessage);
    ws.addEventListener('error', () => {
      if (!opened) {
        clearTimeout(timer);
        reject(new Error(`cannot connect to the engine at ${url}`));
      }
    });
    ws.addEventListener('close', () => {
      clearTimeout(timer);
      if (!opened) reject(new Error(`cannot connect to the engine at ${url}`));
      on.onClose(ws);
    });
  });
}

/** The one socket: reused while open, reopened on demand, one opening at a time. */
function connection(url: string, opts: ConnectOptions, events: Omit<SocketEvents, 'onOpen'>) {
  const factory: SocketFactory = opts.socket ?? ((u) => new WebSocket(u) as unknown as SocketLike);
  const timeoutMs = opts.openTimeoutMs ?? 10_000;
  let socket: SocketLike | null = null;
  let opening: Promise<SocketLike> | null = null;
  const on: SocketEvents = {
    onOpen: (ws) => {
      socket = ws;
    },
    onMessage: events.onMessage,
    onClose: (ws) => {
      if (socket === ws) socket = null;
      events.onClose(ws);
    },
  };
  return {
    open(): Promise<SocketLike> {
      if (socket && socket.readyState === OPEN) return Promise.resolve(socket);
      if (opening) return opening;
      opening = openSocket(url, factory, timeoutMs, on).finally(() => {
        opening = null;
      });
      return opening;
    },
    close() {
      socket?.close();
      socket = null;
    },
  };
}

/** The Api over the socket at `url`, once it has opened. */
export async function connectApi(url: string, opts: ConnectOptions = {}): Promise<ApiClient> {
  const calls = callBook();
  const progress = progressHub();
  const conn = connection(url, opts, {
    onMessage: (ev) => dispatch(ev.data, calls, progress),
    onClose: (ws) => calls.socketClosed(ws),
  });
  const call = async <T>(method: ApiMethod, ...args: unknown[]): Promise<T> => calls.send<T>(await conn.open(), method, args);

  await conn.open();
  return {
    ...forwardCalls(call),
    onProgress: (cb) => progress.add(cb),
    onProgressBatch: (cb) => progress.addBatch(cb),
    close: () => conn.close(),
  };
}
