// Sandboxed preload (bundled to dist-electron/preload.cjs): exposes window.api and window.platform
// and nothing else.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildApi, buildPlatform } from './preload-api.js';

contextBridge.exposeInMainWorld('api', buildApi(ipcRenderer));
contextBridge.exposeInMainWorld('platform', buildPlatform(webUtils, ipcRenderer));
