// What every slice of the app store is built from. The slices live in one zustand store and call
// each other's actions through get(), so each one sees the whole AppState.
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../../shared/api.js';
import type { AppState, StoreOptions } from './app.js';

export interface SliceContext {
  /** the engine, the only way out of the window */
  api: Api;
  opts: StoreOptions;
  set: StoreApi<AppState>['setState'];
  get: StoreApi<AppState>['getState'];
}

/** An error as a line for the user (IPC and RPC errors arrive as "Error: …" text). */
export const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/^Error: /, '');
