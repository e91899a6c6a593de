// IPC wiring of the main process: one ipcMain.handle per Api method. Every call checks that it
// comes from our renderer's frame and validates its arguments with ApiArgs before the service runs
// (dispatchCall in shared/api.ts, as browser mode's /rpc does).
// No runtime import of 'electron': the main process passes ipcMain in (tests pass a fake).
import { API_METHODS, dispatchCall } from '../shared/api.js';
import type { Service } from '../hosts/service.js';
import { DROPPED_CHANNEL, PROGRESS_CHANNEL, apiChannel } from './channels.js';

export interface SenderEvent {
  senderFrame?: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => void): unknown;
}

/** Registers the Api on ipcMain; returns a function that removes it all again. */
export function registerIpc(ipc: IpcMainLike, service: Service, isAllowedSender: (url: string | undefined) => boolean): () => void {
  const channels: string[] = [];
  for (const method of API_METHODS) {
    const channel = apiChannel(method);
    channels.push(channel);
    ipc.handle(channel, async (event, ...args) => {
      const url = event.senderFrame?.url;
      if (!isAllowedSender(url)) throw new Error(`refused: ${method} called from ${url ?? 'an unknown frame'}`);
      return dispatchCall(service, method, args);
    });
  }
  const onDropped = (event: SenderEvent, ...args: unknown[]) => {
    const path = args[0];
    if (!isAllowedSender(event.senderFrame?.url)) return;
    if (typeof path === 'string' && path.length > 0 && path.length < 4096 && !path.includes('\0')) service.allowPath(path);
  };
  ipc.on(DROPPED_CHANNEL, onDropped);
  return () => {
    for (const c of channels) ipc.removeHandler(c);
    ipc.removeListener(DROPPED_CHANNEL, onDropped);
  };
}

export interface ProgressTarget {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/**
 * Streams the service's progress events to a window's renderer, a batch (about 100 ms of one job's
 * events) per message: a message per event froze the window on a job of decades of days.
 */
export function forwardProgress(service: Pick<Service, 'onProgressBatch'>, target: () => ProgressTarget | null): () => void {
  return service.onProgressBatch((jobId, events) => {
    const t = target();
    if (t && !t.isDestroyed()) t.send(PROGRESS_CHANNEL, jobId, events);
  });
}
