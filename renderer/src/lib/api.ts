// Where the Api comes from: the preload's window.api in Electron, else the browser-mode WebSocket.
import type { Api } from '../../../shared/api.js';
import { connectApi, defaultRpcUrl } from './rpc-client.js';

export async function getApi(): Promise<{ api: Api; browserMode: boolean }> {
  if (window.api) return { api: window.api, browserMode: false };
  return { api: await connectApi(defaultRpcUrl()), browserMode: true };
}

/** A dropped file's path (Electron), or '' where the platform cannot tell it (a browser). */
export function pathForFile(f: File): string {
  try {
    return window.platform?.pathForFile(f) ?? '';
  } catch {
    return '';
  }
}
