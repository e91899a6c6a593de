// The objects the preload hands to contextBridge: window.api (one function per Api method plus
// onProgress and onProgressBatch, nothing generic) and window.platform. Built from a passed-in ipcRenderer so that this
// module loads without Electron (test/electron-shell.test.ts checks the method list).
import { forwardCalls, type Api, type ApiMethod } from '../shared/api.js';
import type { Platform } from '../shared/platform.js';
import type { ProgressEvent } from '../shared/progress.js';
import { DROPPED_CHANNEL, PROGRESS_CHANNEL, apiChannel } from './channels.js';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface WebUtilsLike {
  getPathForFile(file: File): string;
}

/** Electron prefixes errors from ipcMain.handle with "Error invoking remote method 'x': Error: ". */
export function cleanIpcError(e: unknown): Error {
  const text = e instanceof Error ? e.message : String(e);
  return new Error(text.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, ''));
}

export function buildApi(ipc: IpcRendererLike): Api {
  const call = async <T>(method: ApiMethod, ...args: unknown[]): Promise<T> => {
    try {
      return (await ipc.invoke(apiChannel(method), ...args)) as T;
    } catch (e) {
      throw cleanIpcError(e);
    }
  };
  return {
    ...forwardCalls(call),
    onProgress(cb) {
      // The IPC event (with its sender) never reaches the page; only (jobId, event), one at a time.
      return listen(ipc, (jobId, events) => {
        for (const e of events) cb(jobId, e);
      });
    },
    onProgressBatch(cb) {
      return listen(ipc, cb);
    },
  };
}

/** Listens to the progress channel: (jobId, a batch of events); returns the function that stops. */
function listen(ipc: IpcRendererLike, cb: (jobId: string, events: ProgressEvent[]) => void): () => void {
  const listener = (_event: unknown, ...args: unknown[]) => {
    const data = args[1];
    cb(args[0] as string, Array.isArray(data) ? (data as ProgressEvent[]) : [data as ProgressEvent]);
  };
  ipc.on(PROGRESS_CHANNEL, listener);
  return () => {
    ipc.removeListener(PROGRESS_CHANNEL, listener);
  };
}

export function buildPlatform(webUtils: WebUtilsLike, ipc: IpcRendererLike): Platform {
  return {
    pathForFile(file: File): string {
      const path = webUtils.getPathForFile(file);
      // Only a real dropped/chosen File has a path; the main process adds it to the allow-list
      // (sent before any later invoke on the same pipe, so it arrives first).
      if (path) ipc.send(DROPPED_CHANNEL, path);
      return path;
    },
  };
}
