// IPC channel names shared by the main process (ipc.ts) and the preload (preload-api.ts).
// One invoke channel per Api method; nothing generic.
import type { ApiMethod } from '../shared/api.js';

export const apiChannel = (method: ApiMethod) => `api:${method}` as const;
/** main -> renderer: (jobId, ProgressEvent[]), a batch of one job's events, oldest first */
export const PROGRESS_CHANNEL = 'api:progress';
/** renderer -> main: the path of a file the user dropped (read through webUtils in the preload) */
export const DROPPED_CHANNEL = 'platform:dropped';
