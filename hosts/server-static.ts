// Browser mode's HTTP side: the built renderer's files (which file, its headers: static-files.ts,
// shared with Electron) to loopback requests; the page only with the access token. Built assets
// (scripts, styles) need no token: they hold no data.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { cspText } from '../shared/csp.js';
import type { Access } from './server-auth.js';
import { isPage, staticFileFor, staticHeaders } from './static-files.js';

/** What a browser tab needs beyond the renderer's own headers: other sites must not frame, open or learn from it. */
const BROWSER_HEADERS = {
  'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', 'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/** The renderer's CSP as served from `host`: it may also open the /rpc WebSocket there. */
export function serverCsp(host: string): string {
  return cspText({ 'connect-src': `ws://${host}` });
}

type Reply = { status: number; headers?: Record<string, string>; body: string };

/** A request refused before any file is looked at (wrong host, method or path), else the decoded path. */
function checkRequest(req: IncomingMessage, access: Access): Reply | { pathname: string } {
  if (!access.isOwnHost(req.headers.host)) {
    // DNS rebinding guard: only loopback names of this server.
    return { status: 421, body: 'misdirected request\n' };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD' }, body: 'method not allowed\n' };
  try {
    return { pathname: decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname) };
  } catch {
    return { status: 400, body: 'bad path\n' };
  }
}

/** The file's size when it may be served; else the answer: 503 while the renderer is not built at all, 404, or 403 for the page without the token. */
async function lookUp(staticDir: string, file: string, hasToken: boolean): Promise<Reply | { size: number }> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) {
    const missing = !(await stat(join(staticDir, 'index.html')).catch(() => null));
    return missing
      ? { status: 503, body: `The renderer is not built: ${staticDir} has no index.html (run the renderer's vite build).\n` }
      : { status: 404, body: 'not found\n' };
  }
  // The page drives the Api: only whoever has the printed URL gets it.
  if (isPage(file) && !hasToken) return { status: 403, body: 'Open the address printed by `npm run serve` (it carries this launch\'s access token).\n' };
  return { size: st.size };
}

/** The request handler serving `staticDir` (the built renderer). */
export function serveRenderer(staticDir: string, access: Access): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const checked = checkRequest(req, access);
    if ('status' in checked) {
      res.writeHead(checked.status, { 'content-type': 'text/plain', ...checked.headers }).end(checked.body);
      return;
    }
    const file = staticFileFor(staticDir, checked.pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const csp = serverCsp(req.headers.host ?? '');
    const security = { 'content-security-policy': csp, 'x-content-type-options': 'nosniff', ...BROWSER_HEADERS };
    const found = await lookUp(staticDir, file, access.hasToken(req.url));
    if ('status' in found) {
      res.writeHead(found.status, { 'content-type': 'text/plain; charset=utf-8', ...security }).end(found.body);
      return;
    }
    res.writeHead(200, { ...staticHeaders(file, csp), 'content-length': found.size, ...BROWSER_HEADERS });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };
}
