// The Electron security checklist as plain functions and values, importable without Electron (no
// runtime import of 'electron' here) so test/electron-shell.test.ts can check every item.
import type { BrowserWindowConstructorOptions } from 'electron';
import { cspText } from '../shared/csp.js';
import { staticFileFor, staticHeaders } from '../hosts/static-files.js';

/** The packaged renderer is served from app://renderer/ (a privileged custom scheme, not file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Where the renderer comes from: the built files, or (development only) a loopback Vite dev server. */
export type RendererSource = { kind: 'app' } | { kind: 'dev'; url: string };

/** Dev server URL from CB_DEV_SERVER_URL, honoured only in an unpackaged app and only on loopback. */
export function rendererSource(env: Record<string, string | undefined>, packaged: boolean): RendererSource {
  const dev = env.CB_DEV_SERVER_URL;
  if (packaged || !dev) return { kind: 'app' };
  let u: URL;
  try {
    u = new URL(dev);
  } catch {
    throw new Error(`CB_DEV_SERVER_URL is not a URL: ${dev}`);
  }
  if (u.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) {
    throw new Error(`CB_DEV_SERVER_URL must be http on localhost/127.0.0.1, got ${dev}`);
  }
  return { kind: 'dev', url: u.href };
}

export function rendererEntry(src: RendererSource): string {
  return src.kind === 'app' ? APP_ENTRY : src.url;
}

export function windowOptions(preload: string, opts: { devTools?: boolean } = {}): BrowserWindowConstructorOptions {
  return {
    width: 1280, height: 860, minWidth: 960, minHeight: 640, show: false, title: 'Catalog Builder', autoHideMenuBar: true,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // Middle-click (auxclick) could open a link in a new window; new windows are denied anyway.
      disableBlinkFeatures: 'Auxclick',
      devTools: opts.devTools ?? false,
    },
  };
}

/**
 * Content-Security-Policy of the renderer (shared/csp.ts). Built app: exactly RENDERER_CSP, no
 * network. Dev server: what Vite's HMR needs (its inline preamble and socket), only in development.
 */
export function cspHeader(src: RendererSource = { kind: 'app' }): string {
  if (src.kind === 'app') return cspText();
  return cspText({ 'script-src': "'unsafe-inline'", 'connect-src': `ws://${new URL(src.url).host}` });
}

/** True when `url` is a page of our renderer: app://renderer/… or the dev server's origin. */
export function isAllowedSender(url: string | undefined | null, src: RendererSource = { kind: 'app' }): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (src.kind === 'app') return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password && !u.port;
  return u.origin === new URL(src.url).origin;
}

/** Navigation is allowed only within the renderer itself (e.g. a reload); anything else is blocked. */
export function isAllowedNavigation(url: string, src: RendererSource = { kind: 'app' }): boolean {
  return isAllowedSender(url, src);
}

/** Maps an app://renderer/… request to a file inside the built renderer (hosts/static-files.ts); null when it is outside or not ours. */
export function resolveAppFile(distDir: string, requestUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  return staticFileFor(distDir, path);
}

/** Response headers of every renderer file (the same as browser mode's, hosts/static-files.ts). */
export function rendererHeaders(file: string, src: RendererSource = { kind: 'app' }): Record<string, string> {
  return staticHeaders(file, cspHeader(src));
}

/** Adds the CSP to response headers (session.webRequest.onHeadersReceived), replacing any the server sent. */
export function withCsp(headers: Record<string, string[] | string> | undefined, src: RendererSource): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === 'content-security-policy') continue;
    out[k] = Array.isArray(v) ? v : [v];
  }
  // The policy is built by cspHeader() (not a literal the scanner can parse); tests check each directive.
  out['Content-Security-Policy'] = [cspHeader(src)]; // eng-disable CSP_GLOBAL_CHECK
  return out;
}

// ---- structural views of the Electron objects hardened below (so tests can pass fakes) ----------

export interface SessionLike {
  setPermissionRequestHandler(handler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((...args: unknown[]) => boolean) | null): void;
  setDevicePermissionHandler?(handler: ((...args: unknown[]) => boolean) | null): void;
}

/** Every permission request (camera, notifications, HID, …) is refused; the app needs none. */
export function denyAllPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
}

export interface PreventableEvent {
  preventDefault(): void;
  /** Electron ≥ 25 puts the target URL on the event too */
  url?: string;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: PreventableEvent, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** Blocks navigation away from the renderer, every new window, and <webview>. */
export function hardenWebContents(contents: WebContentsLike, src: RendererSource): void {
  const guard = (event: PreventableEvent, url: string) => {
    if (!isAllowedNavigation(event.url ?? url, src)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
