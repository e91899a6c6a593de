// Browser mode (`npm run serve`): the built renderer over HTTP on 127.0.0.1 (server-static.ts) and
// the same Api over one WebSocket at /rpc (server-rpc.ts). Every request is checked with RpcRequest
// and ApiArgs[method]; a bad request gets an error reply, never a crash. Only pages served by this
// server (same origin) may open the socket, and only with this launch's random access token: the page
// is opened as http://127.0.0.1:<port>/?token=<token> (the URL the server prints), the renderer passes
// the token on to /rpc?token=<token>, and other programs on this machine, which do not know it, can
// neither load the page nor drive the Api (server-auth.ts). Built assets (scripts, styles) need no
// token: they hold no data.
//
// Browser mode has no system file dialog: pickFiles() returns [] and pickFolder() null. Files are
// given by typing their path (inside the folders allowed with --allow; default: home, the temp
// folder and the current folder). The Tardis API key is kept in memory only, for the server's life.
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAccess } from './server-auth.js';
import { attachRpc } from './server-rpc.js';
import { serveRenderer } from './server-static.js';
import { memorySecrets } from './secrets.js';
import { createService, type Service, type ServiceOptions } from './service.js';

export { handleRpc } from './server-rpc.js';
export { memorySecrets };

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

function defaultConfigDir(): string {
  if (process.platform === 'win32') return join(process.env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'catalog-builder');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'catalog-builder');
  const xdg = process.env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), 'catalog-builder');
}

/** The service browser mode drives: no system dialogs (files come by typed path, see the header comment), the key in memory. */
function browserService(serviceOptions: Partial<ServiceOptions> = {}): Service {
  return createService({
    configDir: defaultConfigDir(),
    allow: [homedir(), tmpdir(), process.cwd()],
    secrets: memorySecrets(),
    ...serviceOptions,
    pickFiles: async () => [],
    pickFolder: async () => null,
    openFolder: async (p) => {
      throw new Error(`browser mode cannot open folders on the server's desktop; the folder is ${p}`);
    },
  });
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const staticDir = resolve(opts.staticDir ?? DEFAULT_STATIC);
  const service = opts.service ?? browserService(opts.serviceOptions);
  let port = 0;
  const access = createAccess(opts.token, opts.allowOrigins ?? [], () => port);
  const serve = serveRenderer(staticDir, access);
  const http = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  const closeRpc = attachRpc(http, service, access, opts.maxBuffered ?? 4 * 1024 * 1024);
  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(opts.port ?? 0, '127.0.0.1', () => {
      http.off('error', fail);
      ok();
    });
  });
  port = (http.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${access.token}`, origin, token: access.token, port, service,
    async close() {
      closeRpc();
      http.closeAllConnections();
      await new Promise<void>((ok) => http.close(() => ok()));
      if (!opts.service) await service.close();
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
