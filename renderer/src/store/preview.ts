// The preview: which file and data type it shows, and the debounced request to the engine whose
// answer also brings the automatic mapping.
import type { PreviewRequest, PreviewResult } from '../../../shared/api.js';
import { DEFAULT_SYMBOL, type DataType } from '../../../shared/job.js';
import { filesFor, type FileEntry } from '../logic/files.js';
import { FIELDS_FOR } from '../logic/job.js';
import * as M from '../logic/mapping.js';
import type { AppState } from './app.js';
import { errText, type SliceContext } from './slice.js';

export interface PreviewState {
  /** what the shown result was asked for (path|type|options|columns) */
  key: string;
  result: PreviewResult | null;
  loading: boolean;
  error: string | null;
}

export interface PreviewSlice {
  selectedPath: string | null;
  previewType: DataType;
  preview: PreviewState;
  selectFile(path: string): void;
  setPreviewType(t: DataType): void;
  refreshPreview(): void;
}

/**
 * The file the preview and mapping show: the selected one if it feeds the type, else the type's first.
 * The raw preview also shows a file used for nothing yet; the mapping never does, as the type's
 * mapping applies to the type's files (a bar file's columns are no quotes mapping).
 */
export function previewFile(s: AppState): FileEntry | undefined {
  const sel = s.files.find((f) => f.info.path === s.selectedPath && !f.info.error);
  const anyFile = s.screen !== 'mapping';
  if (sel && (sel.types.includes(s.previewType) || (anyFile && !sel.types.length))) return sel;
  return filesFor(s.files, s.previewType)[0] ?? (anyFile ? sel : undefined);
}

/** The key of the mapping shown and edited: the shown data type and the shown file's layout (null: no file). */
export function shownMappingKey(s: AppState): string | null {
  const f = previewFile(s);
  return f && f.types.includes(s.previewType) ? M.mappingKey(s.previewType, f.info) : null;
}

/** The mapping shown: the one of the shown file's layout (empty until its automatic one arrives). */
export function shownMapping(s: AppState): M.MappingState {
  const k = shownMappingKey(s);
  return (k && s.mappings[k]) || EMPTY;
}

/** One empty mapping, so a selector returning it returns the same object each time. */
const EMPTY: M.MappingState = M.emptyMapping();

/** Whether the preview shown answers the request the state makes now (else it is of an older mapping or file). */
export function previewIsCurrent(s: AppState): boolean {
  const req = previewRequest(s);
  return !!req && !!s.preview.result && s.preview.key === previewKey(req);
}

function previewRequest(s: AppState): PreviewRequest | null {
  const f = previewFile(s);
  if (!f) return null;
  const k = shownMappingKey(s);
  const m = k ? s.mappings[k] : undefined;
  const columns = m?.touched ? M.restrict(m.columns, FIELDS_FOR[s.previewType]) : undefined;
  return {
    path: f.info.path, dataType: s.previewType, options: Object.keys(f.options).length ? f.options : undefined,
    columns, symbol: s.draft.symbol.trim().toUpperCase() || DEFAULT_SYMBOL, exchange: s.draft.market, rows: 100,
  };
}

function previewKey(r: PreviewRequest): string {
  return JSON.stringify([r.path, r.dataType, r.options ?? {}, r.columns ?? null, r.symbol, r.exchange]);
}

/** The state with the engine's answer to `req` in it. */
function withPreview(s: AppState, req: PreviewRequest, key: string, result: PreviewResult): Partial<AppState> {
  const t = req.dataType;
  // The engine may see other columns once the delimiter or header row changes (the file's layout, and so its mapping, changes with them).
  const files = s.files.map((f) => (f.info.path === req.path ? { ...f, info: { ...f.info, ...result.file, path: f.info.path } } : f));
  const patch: Partial<AppState> = { files, preview: { key, result, loading: false, error: null } };
  const file = files.find((f) => f.info.path === req.path);
  // A file not used for the type (previewed raw) says nothing about the type's mapping.
  if (!file || !file.types.includes(t)) return patch;
  const mk = M.mappingKey(t, file.info);
  const cur = s.mappings[mk];
  if (!req.columns) {
    // The automatic mapping of this layout: the starting point until the user changes it, and what Reset goes back to.
    if (!cur || !cur.touched) patch.mappings = { ...s.mappings, [mk]: { ...M.fromPreview(result), past: cur?.past ?? [] } };
    patch.autoColumns = { ...s.autoColumns, [mk]: { ...result.mapping } };
  } else if (cur && cur.fileColumns.join() !== result.file.columns.join()) {
    patch.mappings = { ...s.mappings, [mk]: { ...cur, fileColumns: [...result.file.columns] } };
  }
  return patch;
}

export function previewSlice({ api, opts, set, get }: SliceContext): PreviewSlice {
  const debounceMs = opts.debounceMs ?? 150;
  let timer: ReturnType<typeof setTimeout> | null = null;
  // Only the newest request's answer is shown; an older one may arrive after it.
  let seq = 0;

  const doPreview = async () => {
    const req = previewRequest(get());
    if (!req) {
      set({ preview: { key: '', result: null, loading: false, error: null } });
      return;
    }
    const key = previewKey(req);
    const mine = ++seq;
    set((s) => ({ preview: { ...s.preview, loading: true } }));
    try {
      const result = await api.preview(req);
      if (mine === seq) set((s) => withPreview(s, req, key, result));
      // What the file says of its symbol and venue (the preview reads a zip's chosen member): the job's may fill in from it.
      if (result.facts !== undefined) get().setFacts(req.path, result.facts);
    } catch (e) {
      if (mine === seq) set((s) => ({ preview: { ...s.preview, key, loading: false, error: errText(e) } }));
    }
  };

  return {
    selectedPath: null,
    previewType: 'trades',
    preview: { key: '', result: null, loading: false, error: null },

    selectFile(path) {
      const f = get().files.find((x) => x.info.path === path);
      set((s) => ({
        selectedPath: path,
        previewType: f && f.types.length && !f.types.includes(s.previewType) ? f.types[0]! : s.previewType,
      }));
      get().refreshPreview();
    },

    setPreviewType(t) {
      set((s) => {
        const sel = s.files.find((f) => f.info.path === s.selectedPath);
        const selectedPath = sel && sel.types.includes(t) ? s.selectedPath : filesFor(s.files, t)[0]?.info.path ?? s.selectedPath;
        return { previewType: t, selectedPath, selectedColumn: null };
      });
      get().refreshPreview();
    },

    refreshPreview() {
      if (timer) clearTimeout(timer);
      set((s) => ({ preview: { ...s.preview, loading: true } }));
      timer = setTimeout(() => {
        timer = null;
        void doPreview();
      }, debounceMs);
    },
  };
}
