// Globals the Electron preload injects (absent in browser mode).
import type { Api } from '../../shared/api.js';
import type { Platform } from '../../shared/platform.js';

declare global {
  interface Window {
    api?: Api;
    platform?: Platform;
  }
}

export {};
