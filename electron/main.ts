// Electron main process: a thin shell over hosts/service.ts. One hardened window (see
// security.ts), the renderer served from app://renderer/ (or the Vite dev server in development,
// CB_DEV_SERVER_URL), the Api over IPC (ipc.ts), jobs on worker threads inside the service.
import { BrowserWindow, app, dialog, ipcMain, protocol, safeStorage, session, shell } from 'electron';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createService, type Service } from '../hosts/service.js';
import { forwardProgress, registerIpc } from './ipc.js';
import { safeStorageSecrets } from './secrets.js';
import {
  APP_SCHEME, denyAllPermissions, hardenWebContents, isAllowedSender, rendererEntry, rendererHeaders, rendererSource,
  resolveAppFile, windowOptions, withCsp,
} from './security.js';

const HERE = dirname(fileURLToPath(import.meta.url));
// dist-electron/electron/main.js -> dist-electron/preload.cjs
const PRELOAD = join(HERE, '..', 'preload.cjs');
const RENDERER_DIST = join(app.getAppPath(), 'renderer', 'dist');
const src = rendererSource(process.env, app.isPackaged);

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

let win: BrowserWindow | null = null;
let service: Service | null = null;

function createWindow(): BrowserWindow {
  // electronegativity reads only literal options at this call and cannot see into windowOptions()
  // (security.ts), which sets contextIsolation: true, sandbox: true and disableBlinkFeatures:
  // 'Auxclick'; test/electron-shell.test.ts and test/security.test.ts assert each of them.
  const w = new BrowserWindow(windowOptions(PRELOAD, { devTools: !app.isPackaged })); // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
  w.once('ready-to-show', () => w.show());
  w.on('closed', () => {
    if (win === w) win = null;
  });
  void w.loadURL(rendererEntry(src));
  return w;
}

async function start(): Promise<void> {
  await app.whenReady();
  const ses = session.defaultSession;
  denyAllPermissions(ses);
  // CSP on every response the renderer gets over http(s) (the dev server); app:// sets it itself.
  ses.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders, src) }));
  protocol.handle(APP_SCHEME, async (req) => {
    const file = resolveAppFile(RENDERER_DIST, req.url);
    if (!file) return new Response('not found', { status: 404 });
    try {
      return new Response(new Uint8Array(await readFile(file)), { headers: rendererHeaders(file, src) });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });

  const svc = createService({
    configDir: app.getPath('userData'),
    documentsDir: app.getPath('documents'),
    secrets: safeStorageSecrets(join(app.getPath('userData'), 'tardis-api-key.bin'), safeStorage),
    pickFiles: async () => {
      const options: Electron.OpenDialogOptions = {
        title: 'Choose market data files', properties: ['openFile', 'multiSelections'],
        filters: [{ name: 'Market data', extensions: ['csv', 'gz', 'bz2', 'zip', 'jsonl', 'json', 'txt', 'tsv'] }, { name: 'All files', extensions: ['*'] }],
      };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled ? [] : r.filePaths;
    },
    pickFolder: async () => {
      const options: Electron.OpenDialogOptions = { title: 'Choose the output folder', properties: ['openDirectory', 'createDirectory'] };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    openFolder: async (path) => {
      const err = await shell.openPath(path);
      if (err) throw new Error(`cannot open ${path}: ${err}`);
    },
  });
  service = svc;
  registerIpc(ipcMain, svc, (url) => isAllowedSender(url, src));
  forwardProgress(svc, () => win?.webContents ?? null);
  win = createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, src));
  app.on('activate', () => {
    if (app.isReady() && !win) win = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    // Stop running jobs (their workers) before the process goes; atomic writes leave no partial file.
    if (quitting || !service) return;
    event.preventDefault();
    quitting = true;
    void service.close().finally(() => app.quit());
  });
  start().catch((e) => {
    dialog.showErrorBox('Catalog Builder could not start', e instanceof Error ? e.stack ?? e.message : String(e));
    app.exit(1);
  });
}
