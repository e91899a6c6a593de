// Which file of the built renderer answers a request, and with which headers: the one rule for both
// hosts that serve it (browser mode over HTTP: server-http.ts; Electron's app:// protocol:
// electron/security.ts). Plain functions of a path, no file system access: each host reads the file
// its own way (a stream with HEAD support, a whole buffer).
import { extname, isAbsolute, join, relative, resolve } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.map': 'application/json',
  '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The app's page (it drives the Api, so browser mode serves it only with the access token). */
export function isPage(file: string): boolean {
  return extname(file).toLowerCase() === '.html';
}

/**
 * Maps a request's decoded URL path to a file inside `root` (the built renderer); null when it would
 * leave `root` or carries a NUL or a backslash. A path without an extension ('/', a client-side route
 * such as /run/7) is the app's page, index.html.
 */
export function staticFileFor(root: string, pathname: string): string | null {
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const path = extname(pathname) ? pathname : '/index.html';
  const base = resolve(root);
  const rel = relative(base, resolve(base, '.' + path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return join(base, rel);
}

/**
 * Headers of every renderer file: its type, the CSP, no type sniffing. The page is never stored (it
 * is opened with the access token); assets are revalidated, so a rebuilt renderer shows at once.
 */
export function staticHeaders(file: string, csp: string): Record<string, string> {
  return {
    'content-type': contentType(file), 'content-security-policy': csp, 'x-content-type-options': 'nosniff',
    'cache-control': isPage(file) ? 'no-store' : 'no-cache',
  };
}
