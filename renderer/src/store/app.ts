// The app's state and everything that changes it (zustand, vanilla so node tests drive it without
// React). The engine is reached only through the Api handed to createAppStore. The store is one
// object built from slices, one per concern; they call each other's actions through get().
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Api } from '../../../shared/api.js';
import { isDay } from '../logic/dates.js';
import { draftSlice, type DraftSlice } from './draft.js';
import { filesSlice, type FilesSlice } from './files.js';
import { mappingSlice, type MappingSlice } from './mapping.js';
import { navigationSlice, type NavigationSlice } from './navigation.js';
import { previewSlice, type PreviewSlice } from './preview.js';
import { resultSlice, type ResultSlice } from './result.js';
import { runSlice, type RunSlice } from './run.js';
import type { SliceContext } from './slice.js';

export { SCREENS, type Notice, type Screen } from './navigation.js';
export type { PreviewState } from './preview.js';
export type { ResultState } from './result.js';
export { joinPath } from './draft.js';

export type AppState = NavigationSlice & FilesSlice & PreviewSlice & MappingSlice & DraftSlice & RunSlice & ResultSlice;

export interface StoreOptions {
  browserMode?: boolean;
  /** ms between the last change and the preview request */
  debounceMs?: number;
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(api: Api, opts: StoreOptions = {}): AppStore {
  const store = createStore<AppState>()((set, get) => {
    const ctx: SliceContext = { api, opts, set, get };
    return {
      ...navigationSlice(ctx),
      ...filesSlice(ctx),
      ...previewSlice(ctx),
      ...mappingSlice(ctx),
      ...draftSlice(ctx),
      ...runSlice(ctx),
      ...resultSlice(ctx),
    };
  });
  // A transport that receives events in batches hands each over at once: one store update per batch.
  if (api.onProgressBatch) api.onProgressBatch((jobId, events) => store.getState().onProgressBatch(jobId, events));
  else api.onProgress((jobId, e) => store.getState().onProgress(jobId, e));
  return store;
}

export function isValidDay(d: string | null): d is string {
  return !!d && isDay(d);
}
