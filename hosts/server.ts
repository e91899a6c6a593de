// Browser mode (`npm run serve`): the built renderer over HTTP on 127.0.0.1 and the same Api over
// one WebSocket at /rpc (shared/rpc.ts). Every request is checked with RpcRequest and
// ApiArgs[method]; a bad request gets an error reply, never a crash. Only pages served by this
// server (same origin) may open the socket, and only with this launch's random access token: the page
// is opened as http://127.0.0.1:<port>/?token=<token> (the URL the server prints), the renderer passes
// the token on to /rpc?token=<token>, and other programs on this machine, which do not know it, can
// neither load the page nor drive the Api. Built assets (scripts, styles) need no token: they hold no
// data.
//
// Browser mode has no system file dialog: pickFiles() returns [] and pickFolder() null. Files are
// given by typing their path (inside the folders allowed with --allow; default: home, the temp
// folder and the current folder). The Tardis API key is kept in memory only, for the server's life.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiArgs, type ApiMethod } from '../shared/api.js';
import { zodIssuesText } from '../shared/errors.js';
import { RpcRequest, encode, type RpcMessage } from '../shared/rpc.js';
import { createService, type SecretStore, type Service, type ServiceOptions } from './service.js';

export const DEFAULT_STATIC = fileURLToPath(new URL('../renderer/dist/', import.meta.url));

export interface ServerOptions {
  /** 0 (default): any free port */
  port?: number;
  /** built renderer; default renderer/dist */
  staticDir?: string;
  /** extra origins allowed to open /rpc (e.g. a Vite dev server proxying to this one) */
  allowOrigins?: string[];
  /** an existing service (tests); else one is created from serviceOptions */
  service?: Service;
  serviceOptions?: Partial<ServiceOptions>;
  /** bytes of queued output above which progress events to a slow client are dropped */
  maxBuffered?: number;
  /** access token for the page and /rpc; default: a new random one per launch */
  token?: string;
}

export interface RunningServer {
  /** the page to open, with the access token: http://127.0.0.1:<port>/?token=<token> */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  token: string;
  port: number;
  service: Service;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.map': 'application/json',
  '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
};

/** CSP of the served renderer: scripts and connections only from this server. */
export function serverCsp(host: string): string {
  return [
    "default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
    "font-src 'self' data:", `connect-src 'self' ws://${host}`, "worker-src 'self' blob:", "base-uri 'none'", "form-action 'none'",
    "frame-ancestors 'none'", "object-src 'none'",
  ].join('; ');
}

/** In-memory key store: browser mode has no OS keychain, so the key never touches the disk. */
export function memorySecrets(): SecretStore {
  let key: string | null = null;
  return {
    async set(k) {
      key = k;
    },
    async has() {
      return key !== null;
    },
    async get() {
      return key;
    },
  };
}

function defaultConfigDir(): string {
  if (process.platform === 'win32') return join(process.env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'catalog-builder');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'catalog-builder');
  const xdg = process.env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), 'catalog-builder');
}

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
  const { method, args } = req.data;
  if (!Object.hasOwn(ApiArgs, method)) return { id, ok: false, error: `unknown method ${method}` };
  const parsed = ApiArgs[method as ApiMethod].safeParse(args);
  if (!parsed.success) {
    return { id, ok: false, error: `invalid arguments for ${method}: ${zodIssuesText(parsed.error.issues, 'args')}` };
  }
  try {
    const fn = service[method as ApiMethod] as (...a: unknown[]) => Promise<unknown>;
    const result = await fn.apply(service, parsed.data as unknown[]);
    return { id, ok: true, result: result ?? null };
  } catch (e) {
    return { id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const staticDir = resolve(opts.staticDir ?? DEFAULT_STATIC);
  const maxBuffered = opts.maxBuffered ?? 4 * 1024 * 1024;
  const ownService = !opts.service;
  const service = opts.service ?? createService({
    configDir: defaultConfigDir(),
    allow: [homedir(), tmpdir(), process.cwd()],
    secrets: memorySecrets(),
    ...opts.serviceOptions,
    // No system dialogs in a browser: files come by typed path (see the header comment).
    pickFiles: async () => [],
    pickFolder: async () => null,
    openFolder: async (p) => {
      throw new Error(`browser mode cannot open folders on the server's desktop; the folder is ${p}`);
    },
  });
  const token = opts.token ?? randomBytes(24).toString('base64url');
  if (token.length < 16 || !/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('the access token must be at least 16 characters of A-Z, a-z, 0-9, _ or -');
  const tokenBytes = Buffer.from(token);
  /** True when the request URL carries this launch's token (compared in constant time). */
  const hasToken = (url: string | undefined) => {
    let got: string | null = null;
    try {
      got = new URL(url ?? '/', 'http://x').searchParams.get('token');
    } catch {}
    const b = Buffer.from(got ?? '');
    return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes);
  };
  let port = 0;
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = () => new Set([...[...hosts()].map((h) => `http://${h}`), ...(opts.allowOrigins ?? [])]);

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (!hosts().has(host)) {
      // DNS rebinding guard: only loopback names of this server.
      res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const security = {
      'content-security-policy': serverCsp(host), 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-resource-policy': 'same-origin',
    };
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path\n');
      return;
    }
    let file = resolve(staticDir, '.' + pathname);
    const rel = relative(staticDir, file);
    if (rel.startsWith('..') || isAbsolute(rel) || pathname.includes('\0') || pathname.includes('\\')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    let st = await stat(file).catch(() => null);
    if (st?.isDirectory()) {
      file = join(file, 'index.html');
      st = await stat(file).catch(() => null);
    }
    if (!st && !extname(pathname)) {
      // Client-side routes fall back to the app's page.
      file = join(staticDir, 'index.html');
      st = await stat(file).catch(() => null);
    }
    if (!st?.isFile()) {
      const missing = !(await stat(join(staticDir, 'index.html')).catch(() => null));
      res.writeHead(missing ? 503 : 404, { 'content-type': 'text/plain; charset=utf-8', ...security })
        .end(missing ? `The renderer is not built: ${staticDir} has no index.html (run the renderer's vite build).\n` : 'not found\n');
      return;
    }
    const isHtml = extname(file) === '.html';
    if (isHtml && !hasToken(req.url)) {
      // The page drives the Api: only whoever has the printed URL gets it.
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', ...security })
        .end('Open the address printed by `npm run serve` (it carries this launch\'s access token).\n');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': st.size,
      'cache-control': isHtml ? 'no-store' : 'no-cache', ...security,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  const http = createServer((req, res) => {
    serveStatic(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
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
    if (!hosts().has(req.headers.host ?? '')) return refuse(421, 'Misdirected Request');
    const origin = req.headers.origin;
    if (!origin || !origins().has(origin)) return refuse(403, 'Forbidden');
    if (!hasToken(req.url)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => ws.terminate());
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
  });

  const unsubscribe = service.onProgress((jobId, data) => {
    const text = encode({ event: 'progress', jobId, data });
    for (const ws of clients) {
      // A client that cannot keep up misses progress ticks, never replies (the final job event is small).
      if (ws.readyState === ws.OPEN && (ws.bufferedAmount < maxBuffered || data.kind === 'job')) ws.send(text);
    }
  });

  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(opts.port ?? 0, '127.0.0.1', () => {
      http.off('error', fail);
      ok();
    });
  });
  port = (http.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}/?token=${token}`;

  return {
    url, origin, token, port, service,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((ok) => http.close(() => ok()));
      if (ownService) await service.close();
    },
  };
}

const USAGE = `npm run serve -- [--port N] [--allow DIR]... [--config-dir DIR] [--output-root DIR] [--static DIR] [--allow-origin URL]...

Browser mode: serves the built renderer (renderer/dist) on http://127.0.0.1:<port>/ with the app's Api
over a WebSocket at /rpc. --port 0 (default) takes a free port; the URL is printed. It carries a random
access token (?token=…) made for this launch: open exactly that URL (with the Vite dev server, add the
same ?token=… to its URL).
  --allow DIR         a folder whose files may be read (typed paths) and written (outputs); repeatable.
                      Default: your home folder, the temp folder and the current folder.
  --config-dir DIR    where mapping templates are kept (default: the user config folder)
  --output-root DIR   default output folder of the sample job (default: ~/Documents/Catalog Builder)
  --static DIR        the built renderer to serve (default: renderer/dist)
  --allow-origin URL  another origin allowed to open /rpc, e.g. http://localhost:5173 for the Vite dev server
The server listens on 127.0.0.1 only; reach it from another machine through an SSH tunnel.`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '0' }, allow: { type: 'string', multiple: true }, 'config-dir': { type: 'string' },
        'output-root': { type: 'string' }, static: { type: 'string' }, 'allow-origin': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be 0..65535\n\n${USAGE}`);
    return 2;
  }
  const serviceOptions: Partial<ServiceOptions> = {};
  if (values.allow?.length) serviceOptions.allow = values.allow.map((d) => resolve(d));
  if (values['config-dir']) serviceOptions.configDir = resolve(values['config-dir']);
  if (values['output-root']) serviceOptions.outputRoot = resolve(values['output-root']);
  const server = await startServer({ port, staticDir: values.static, allowOrigins: values['allow-origin'], serviceOptions });
  console.log(`Catalog Builder (browser mode): ${server.url}`);
  if (!(await stat(join(resolve(values.static ?? DEFAULT_STATIC), 'index.html')).catch(() => null))) {
    console.warn('warning: the renderer is not built yet (renderer/dist/index.html missing); /rpc works, the page does not');
  }
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return await new Promise<number>(() => undefined);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
