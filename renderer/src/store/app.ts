// The app's state and everything that changes it (zustand, vanilla so node tests drive it without
// React). The engine is reached only through the Api handed to createAppStore. The store is one
// object built from slices, one per concern; they call each other's actions through get().
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Api } from '../../../shared/api.js';
import { isDay } from '../logic/dates.js';
import { isBusy } from '../logic/progress.js';
import { defaultOutput, draftSlice, type DraftSlice } from './draft.js';
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

export interface ShellSlice {
  /** forgets the job: files, days, output folder, errors, mappings, the run and its result (not while it runs) */
  newJob(): void;
}

export type AppState = NavigationSlice & FilesSlice & PreviewSlice & MappingSlice & DraftSlice & RunSlice & ResultSlice & ShellSlice;

export interface StoreOptions {
  browserMode?: boolean;
  /** ms between the last change and the preview request */
  debounceMs?: number;
}

export type AppStore = StoreApi<AppState>;

/** Everything a job is: its files, preview, mappings, draft, run and result. */
function jobSlices(ctx: SliceContext) {
  return { ...filesSlice(ctx), ...previewSlice(ctx), ...mappingSlice(ctx), ...draftSlice(ctx), ...runSlice(ctx), ...resultSlice(ctx) };
}

/** What the engine said at start-up: a new job keeps it. */
const KEPT = ['presets', 'templates', 'apiKeySaved', 'outputRoot'] as const;

/** The job's state as a new store has it (the values of fresh slices, whatever fields they grow), with what start-up loaded kept. */
function newJob(ctx: SliceContext): void {
  const s = ctx.get();
  if (isBusy(s.run.status)) {
    s.notify('error', 'A job is running: cancel it or wait for it to end before starting a new one.');
    return;
  }
  const fresh = Object.fromEntries(Object.entries(jobSlices(ctx)).filter(([, v]) => typeof v !== 'function')) as Partial<AppState>;
  const draft = fresh.draft!;
  const kept = Object.fromEntries(KEPT.map((k) => [k, s[k]]));
  ctx.set({
    ...fresh, ...kept, screen: 'source', notice: null,
    draft: { ...draft, output: s.outputRoot ? defaultOutput(s.outputRoot, draft.symbol) : draft.output },
  });
  // A preview still on its way belongs to the old job: asking again with no file clears it.
  s.refreshPreview();
}

export function createAppStore(api: Api, opts: StoreOptions = {}): AppStore {
  const store = createStore<AppState>()((set, get) => {
    const ctx: SliceContext = { api, opts, set, get };
    return {
      ...navigationSlice(ctx),
      ...jobSlices(ctx),
      newJob: () => newJob(ctx),
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
