// The app's state and everything that changes it (zustand, vanilla so node tests drive it without
// React). The engine is reached only through the Api handed to createAppStore.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Api, DayPoint, FileOptions, MappingTemplate, PresetInfo, PreviewRequest, PreviewResult, VerifyOutcome } from '../../../shared/api.js';
import { DEFAULT_SYMBOL, type DataType, type JobSpecInput, type MappingField, type SourceKind } from '../../../shared/job.js';
import type { ProgressEvent } from '../../../shared/progress.js';
import type { RunReport } from '../../../shared/report.js';
import { datesFromNames, isDay } from '../logic/dates.js';
import { filesFor, mergeFiles, parsePaths, toggleType, typesInUse, type FileEntry } from '../logic/files.js';
import { dirName } from '../logic/format.js';
import { buildJob, defaultDraft, FIELDS_FOR, type BuiltJob, type JobDraft } from '../logic/job.js';
import * as M from '../logic/mapping.js';
import { idleRun, initRun, isFinished, reduceProgress, type RunState } from '../logic/progress.js';

export type Screen = 'source' | 'preview' | 'mapping' | 'job' | 'run' | 'result';
export const SCREENS: Screen[] = ['source', 'preview', 'mapping', 'job', 'run', 'result'];

export interface PreviewState {
  /** what the shown result was asked for (path|type|options|columns) */
  key: string;
  result: PreviewResult | null;
  loading: boolean;
  error: string | null;
}

export interface ResultState {
  report: RunReport | null;
  output: string | null;
  verify: VerifyOutcome | null;
  verifying: boolean;
  stats: DayPoint[] | null;
  error: string | null;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface AppState {
  browserMode: boolean;
  screen: Screen;
  notice: Notice | null;

  source: SourceKind;
  files: FileEntry[];
  adding: boolean;
  addError: string | null;

  selectedPath: string | null;
  previewType: DataType;
  preview: PreviewState;

  mappings: Partial<Record<DataType, M.MappingState>>;
  /** the engine's automatic mapping per data type, for "reset" */
  autoColumns: Partial<Record<DataType, M.Columns>>;
  selectedColumn: string | null;
  templates: MappingTemplate[];

  draft: JobDraft;
  presets: PresetInfo[];
  apiKeySaved: boolean;
  /** the folder default outputs go in (from the engine) */
  outputRoot: string | null;

  run: RunState;
  lastSpec: JobSpecInput | null;
  result: ResultState;

  // actions
  init(): Promise<void>;
  go(screen: Screen): void;
  notify(kind: Notice['kind'], text: string): void;
  dismissNotice(): void;
  setSource(s: SourceKind): void;
  addPaths(paths: string[]): Promise<void>;
  addTyped(text: string): Promise<void>;
  pickFiles(): Promise<void>;
  removeFile(path: string): void;
  toggleFileType(path: string, t: DataType): void;
  selectFile(path: string): void;
  setPreviewType(t: DataType): void;
  setFileOptions(path: string, options: FileOptions): void;
  refreshPreview(): void;
  selectColumn(c: string | null): void;
  assign(field: MappingField, column: string): void;
  assignSelected(field: MappingField): boolean;
  unassign(field: MappingField): void;
  moveField(from: MappingField, to: MappingField): void;
  undo(): void;
  resetMapping(): void;
  saveTemplate(name: string): Promise<void>;
  applyTemplate(name: string): void;
  deleteTemplate(name: string): Promise<void>;
  setDraft(patch: Partial<JobDraft>): void;
  pickOutput(): Promise<void>;
  saveApiKey(key: string): Promise<boolean>;
  job(): BuiltJob;
  startJob(): Promise<void>;
  startSpec(spec: JobSpecInput): Promise<void>;
  runSample(): Promise<void>;
  cancel(): Promise<void>;
  onProgress(jobId: string, e: ProgressEvent): void;
  loadResult(): Promise<void>;
  openFolder(path: string): Promise<void>;
}

export interface StoreOptions {
  browserMode?: boolean;
  /** ms between the last change and the preview request */
  debounceMs?: number;
}

export type AppStore = StoreApi<AppState>;

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/^Error: /, '');

function previewKey(r: PreviewRequest): string {
  return JSON.stringify([r.path, r.dataType, r.options ?? {}, r.columns ?? null, r.symbol]);
}

export function createAppStore(api: Api, opts: StoreOptions = {}): AppStore {
  const debounceMs = opts.debounceMs ?? 150;
  let previewTimer: ReturnType<typeof setTimeout> | null = null;
  let previewSeq = 0;
  let noticeSeq = 0;
  /** events of a job whose id is not known yet (they can overtake startJob's answer) */
  let early: { jobId: string; e: ProgressEvent }[] = [];

  const store = createStore<AppState>()((set, get) => {
    const mappingFor = (t: DataType): M.MappingState => get().mappings[t] ?? M.emptyMapping();
    const setMapping = (t: DataType, m: M.MappingState) => {
      set((s) => ({ mappings: { ...s.mappings, [t]: m } }));
      get().refreshPreview();
    };

    /** The file the preview and mapping show: the selected one if it feeds the type, else the type's first. */
    const previewFile = (): FileEntry | undefined => {
      const s = get();
      const sel = s.files.find((f) => f.info.path === s.selectedPath && !f.info.error);
      if (sel && (sel.types.includes(s.previewType) || !sel.types.length)) return sel;
      return filesFor(s.files, s.previewType)[0] ?? sel;
    };

    const previewRequest = (): PreviewRequest | null => {
      const s = get();
      const f = previewFile();
      if (!f) return null;
      const m = s.mappings[s.previewType];
      const columns = m?.touched ? M.restrict(m.columns, FIELDS_FOR[s.previewType]) : undefined;
      return {
        path: f.info.path, dataType: s.previewType, options: Object.keys(f.options).length ? f.options : undefined,
        columns, symbol: s.draft.symbol.trim().toUpperCase() || DEFAULT_SYMBOL, rows: 100,
      };
    };

    const doPreview = async () => {
      const req = previewRequest();
      if (!req) {
        set({ preview: { key: '', result: null, loading: false, error: null } });
        return;
      }
      const key = previewKey(req);
      const seq = ++previewSeq;
      set((s) => ({ preview: { ...s.preview, loading: true } }));
      try {
        const result = await api.preview(req);
        if (seq !== previewSeq) return;
        const t = req.dataType;
        set((s) => {
          // The engine may see other columns once the delimiter or header row changes.
          const files = s.files.map((f) => (f.info.path === req.path ? { ...f, info: { ...f.info, ...result.file, path: f.info.path } } : f));
          const patch: Partial<AppState> = { files, preview: { key, result, loading: false, error: null } };
          if (!req.columns) {
            // The automatic mapping: the starting point until the user changes it.
            const cur = s.mappings[t];
            if (!cur || !cur.touched) {
              patch.mappings = { ...s.mappings, [t]: { ...M.fromPreview(result), past: cur?.past ?? [] } };
            }
            patch.autoColumns = { ...s.autoColumns, [t]: { ...result.mapping } };
          } else if (s.mappings[t]) {
            const cur = s.mappings[t]!;
            if (cur.fileColumns.join() !== result.file.columns.join()) patch.mappings = { ...s.mappings, [t]: { ...cur, fileColumns: [...result.file.columns] } };
          }
          return patch;
        });
      } catch (e) {
        if (seq !== previewSeq) return;
        set((s) => ({ preview: { ...s.preview, key, loading: false, error: errText(e) } }));
      }
    };

    const finishJob = async (jobId: string) => {
      try {
        const info = await api.job(jobId);
        if (get().run.jobId !== jobId) return;
        set((s) => ({ result: { ...s.result, report: info.report ?? null, error: info.error ?? null } }));
      } catch (e) {
        set((s) => ({ result: { ...s.result, error: errText(e) } }));
      }
      if (get().run.status !== 'cancelled') void get().loadResult();
    };

    return {
      browserMode: opts.browserMode ?? false,
      screen: 'source',
      notice: null,
      source: 'csv',
      files: [],
      adding: false,
      addError: null,
      selectedPath: null,
      previewType: 'trades',
      preview: { key: '', result: null, loading: false, error: null },
      mappings: {},
      autoColumns: {},
      selectedColumn: null,
      templates: [],
      draft: defaultDraft(),
      presets: [],
      apiKeySaved: false,
      outputRoot: null,
      run: idleRun(),
      lastSpec: null,
      result: { report: null, output: null, verify: null, verifying: false, stats: null, error: null },

      async init() {
        const [presets, templates, hasKey, sample] = await Promise.allSettled([api.presets(), api.listTemplates(), api.hasApiKey(), api.sampleJob()]);
        set((s) => {
          const outputRoot = sample.status === 'fulfilled' ? dirName(sample.value.spec.output) : null;
          return {
            presets: presets.status === 'fulfilled' ? presets.value : [],
            templates: templates.status === 'fulfilled' ? templates.value : [],
            apiKeySaved: hasKey.status === 'fulfilled' ? hasKey.value : false,
            outputRoot,
            draft: s.draft.output || !outputRoot ? s.draft : { ...s.draft, output: defaultOutput(outputRoot, s.draft.symbol) },
          };
        });
      },

      go(screen) {
        set((s) => ({ screen, notice: s.notice?.kind === 'info' ? null : s.notice }));
        if (screen === 'preview' || screen === 'mapping') {
          const s = get();
          if (screen === 'mapping' && !s.selectedPath && s.files.length) set({ selectedPath: s.files[0]!.info.path });
          get().refreshPreview();
        }
        if (screen === 'result') {
          const r = get().result;
          if (r.report && !r.verify && !r.verifying) void get().loadResult();
        }
      },

      notify(kind, text) {
        set({ notice: { id: ++noticeSeq, kind, text } });
      },
      dismissNotice() {
        set({ notice: null });
      },

      setSource(source) {
        set((s) => ({ source, draft: { ...s.draft, source } }));
      },

      async addPaths(paths) {
        const list = paths.filter(Boolean);
        if (!list.length) return;
        set({ adding: true, addError: null });
        try {
          const infos = await api.inspectFiles(list);
          set((s) => {
            const files = mergeFiles(s.files, infos);
            const types = typesInUse(files);
            const named = datesFromNames(files.map((f) => f.info.name));
            const draft = { ...s.draft };
            if (types.length) draft.dataTypes = types;
            if (named.start && named.end && !s.draft.start) {
              draft.start = named.start;
              draft.end = named.end;
            }
            const firstGood = files.find((f) => !f.info.error);
            const previewType = types.includes(s.previewType) ? s.previewType : types[0] ?? s.previewType;
            const bad = infos.filter((i) => i.error);
            return {
              files, draft, previewType, adding: false,
              selectedPath: s.selectedPath ?? firstGood?.info.path ?? null,
              addError: bad.length ? bad.map((b) => `${b.name}: ${b.error}`).join('\n') : null,
            };
          });
          get().refreshPreview();
        } catch (e) {
          set({ adding: false, addError: errText(e) });
        }
      },

      async addTyped(text) {
        const paths = parsePaths(text);
        if (!paths.length) {
          set({ addError: 'Type or paste the full path of a file, one per line.' });
          return;
        }
        await get().addPaths(paths);
      },

      async pickFiles() {
        try {
          const paths = await api.pickFiles();
          if (paths.length) await get().addPaths(paths);
          else if (get().browserMode) set({ addError: 'Browser mode has no file dialog here: type or paste the file paths below.' });
        } catch (e) {
          set({ addError: errText(e) });
        }
      },

      removeFile(path) {
        set((s) => {
          const files = s.files.filter((f) => f.info.path !== path);
          const types = typesInUse(files);
          return {
            files,
            selectedPath: s.selectedPath === path ? files[0]?.info.path ?? null : s.selectedPath,
            draft: types.length ? { ...s.draft, dataTypes: types } : s.draft,
          };
        });
        get().refreshPreview();
      },

      toggleFileType(path, t) {
        set((s) => {
          const files = s.files.map((f) => (f.info.path === path ? toggleType(f, t) : f));
          const types = typesInUse(files);
          return { files, draft: { ...s.draft, dataTypes: types.length ? types : s.draft.dataTypes } };
        });
        get().refreshPreview();
      },

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

      setFileOptions(path, options) {
        set((s) => ({
          files: s.files.map((f) => {
            if (f.info.path !== path) return f;
            const next: FileOptions = { ...f.options, ...options };
            for (const k of Object.keys(next) as (keyof FileOptions)[]) if (next[k] === undefined) delete next[k];
            return { ...f, options: next };
          }),
        }));
        get().refreshPreview();
      },

      refreshPreview() {
        if (previewTimer) clearTimeout(previewTimer);
        set((s) => ({ preview: { ...s.preview, loading: true } }));
        previewTimer = setTimeout(() => {
          previewTimer = null;
          void doPreview();
        }, debounceMs);
      },

      selectColumn(c) {
        set((s) => ({ selectedColumn: s.selectedColumn === c ? null : c }));
      },

      assign(field, column) {
        const t = get().previewType;
        setMapping(t, M.assign(mappingFor(t), field, column));
      },

      assignSelected(field) {
        const c = get().selectedColumn;
        if (!c) return false;
        get().assign(field, c);
        set({ selectedColumn: null });
        return true;
      },

      unassign(field) {
        const t = get().previewType;
        setMapping(t, M.unassign(mappingFor(t), field));
      },

      moveField(from, to) {
        const t = get().previewType;
        setMapping(t, M.move(mappingFor(t), from, to));
      },

      undo() {
        const t = get().previewType;
        const m = mappingFor(t);
        if (!M.canUndo(m)) return;
        setMapping(t, M.undo(m));
      },

      resetMapping() {
        const t = get().previewType;
        const auto = get().autoColumns[t];
        if (!auto) return;
        setMapping(t, M.resetTo(mappingFor(t), auto));
      },

      async saveTemplate(name) {
        const s = get();
        const t = s.previewType;
        const m = mappingFor(t);
        const f = previewFile();
        const tpl: MappingTemplate = {
          name: name.trim().slice(0, 80), dataType: t, columns: M.restrict(m.columns, FIELDS_FOR[t]),
          ...(f && Object.keys(f.options).length ? { options: f.options } : {}),
        };
        if (!tpl.name) {
          get().notify('error', 'Give the template a name.');
          return;
        }
        try {
          await api.saveTemplate(tpl);
          const templates = await api.listTemplates().catch(() => [...s.templates.filter((x) => x.name !== tpl.name), tpl]);
          set({ templates });
          get().notify('info', `Template “${tpl.name}” saved.`);
        } catch (e) {
          get().notify('error', `The template was not saved: ${errText(e)}`);
        }
      },

      applyTemplate(name) {
        const s = get();
        const tpl = s.templates.find((x) => x.name === name);
        if (!tpl) return;
        const t = tpl.dataType;
        if (t !== s.previewType) set({ previewType: t });
        const f = previewFile();
        const cols = f?.info.columns ?? mappingFor(t).fileColumns;
        const { state, missing } = M.applyTemplate(mappingFor(t), tpl, cols);
        if (tpl.options && f) {
          set((st) => ({ files: st.files.map((x) => (x.info.path === f.info.path ? { ...x, options: { ...tpl.options } } : x)) }));
        }
        setMapping(t, state);
        if (missing.length) get().notify('error', `This file has no column ${missing.map((c) => `“${c}”`).join(', ')}; those fields are left empty.`);
        else get().notify('info', `Template “${tpl.name}” applied.`);
      },

      async deleteTemplate(name) {
        try {
          await api.deleteTemplate(name);
          set((s) => ({ templates: s.templates.filter((x) => x.name !== name) }));
        } catch (e) {
          get().notify('error', errText(e));
        }
      },

      setDraft(patch) {
        const before = get().draft;
        set((s) => {
          const draft = { ...s.draft, ...patch };
          // The default output folder follows the symbol until the user types their own.
          if (patch.symbol !== undefined && s.outputRoot && s.draft.output === defaultOutput(s.outputRoot, s.draft.symbol)) {
            draft.output = defaultOutput(s.outputRoot, patch.symbol);
          }
          return { draft };
        });
        if (patch.symbol !== undefined && patch.symbol !== before.symbol) get().refreshPreview();
      },

      async pickOutput() {
        try {
          const p = await api.pickFolder();
          if (p) get().setDraft({ output: p });
          else if (get().browserMode) get().notify('info', 'Browser mode has no folder dialog: type the output folder’s path.');
        } catch (e) {
          get().notify('error', errText(e));
        }
      },

      async saveApiKey(key) {
        const k = key.trim();
        if (!k) return false;
        try {
          await api.setApiKey(k);
          set({ apiKeySaved: true });
          return true;
        } catch (e) {
          get().notify('error', `The API key was not saved: ${errText(e)}`);
          return false;
        }
      },

      job() {
        const s = get();
        return buildJob(s.draft, s.files, s.mappings, s.presets);
      },

      async startJob() {
        const built = get().job();
        if (!built.spec) {
          get().notify('error', built.errors[0] ?? 'The job is not complete.');
          return;
        }
        await get().startSpec(built.spec);
      },

      async startSpec(spec) {
        const cur = get().run;
        if (cur.status === 'running' || cur.status === 'starting' || cur.status === 'cancelling') {
          get().notify('error', 'A job is already running: cancel it or wait for it to finish.');
          return;
        }
        early = [];
        const dataTypes = (spec.dataTypes ?? []) as DataType[];
        set({
          run: initRun(dataTypes, spec.start, spec.end), lastSpec: spec, screen: 'run',
          result: { report: null, output: spec.output, verify: null, verifying: false, stats: null, error: null },
        });
        try {
          const { jobId } = await api.startJob(spec);
          set((s) => ({ run: { ...s.run, jobId } }));
          const mine = early.filter((x) => x.jobId === jobId);
          early = [];
          for (const x of mine) get().onProgress(x.jobId, x.e);
        } catch (e) {
          const msg = errText(e);
          set((s) => ({ run: reduceProgress(s.run, { kind: 'job', state: 'failed', message: msg }), result: { ...s.result, error: msg } }));
        }
      },

      async runSample() {
        try {
          const sample = await api.sampleJob();
          const infos = await api.inspectFiles(sample.files).catch(() => []);
          const spec = sample.spec;
          set((s) => ({
            files: mergeFiles(s.files, infos),
            source: spec.source,
            draft: {
              ...s.draft, source: spec.source, symbol: spec.symbol, exchange: spec.exchange ?? 'BINANCE', start: spec.start, end: spec.end,
              dataTypes: [...spec.dataTypes], output: spec.output, precisionMode: (spec.precisionMode ?? 128) as 128 | 64,
            },
          }));
          await get().startSpec(spec);
        } catch (e) {
          get().notify('error', `The sample could not start: ${errText(e)}`);
        }
      },

      async cancel() {
        const { run } = get();
        if (!run.jobId || isFinished(run)) return;
        set((s) => ({ run: { ...s.run, status: 'cancelling' } }));
        try {
          await api.cancelJob(run.jobId);
        } catch (e) {
          get().notify('error', `Cancel failed: ${errText(e)}`);
        }
      },

      onProgress(jobId, e) {
        const { run } = get();
        if (!run.jobId) {
          if (run.status === 'starting') early.push({ jobId, e });
          return;
        }
        if (jobId !== run.jobId) return;
        const next = reduceProgress(run, e);
        if (next === run) return;
        set({ run: next });
        if (e.kind === 'job' && e.state !== 'started') void finishJob(jobId);
      },

      async loadResult() {
        const s = get();
        const output = s.result.output ?? s.lastSpec?.output;
        if (!output) return;
        set((st) => ({ result: { ...st.result, verifying: true } }));
        const instrument = s.result.report?.instrument.id;
        const wantsStats = !!instrument && (s.lastSpec?.dataTypes ?? []).includes('trades');
        const [v, st] = await Promise.allSettled([api.verify(output), wantsStats ? api.dailyStats(output, instrument!) : Promise.resolve([] as DayPoint[])]);
        set((x) => ({
          result: {
            ...x.result, verifying: false,
            verify: v.status === 'fulfilled' ? v.value : { ok: false, errors: [`verify could not run: ${errText(v.reason)}`], warnings: [], summary: [] },
            stats: st.status === 'fulfilled' ? st.value : [],
          },
        }));
      },

      async openFolder(path) {
        try {
          await api.openFolder(path);
        } catch (e) {
          get().notify('error', errText(e));
        }
      },
    };
  });

  api.onProgress((jobId, e) => store.getState().onProgress(jobId, e));
  return store;
}

/** The output folder a job gets until the user picks one: <root>/<SYMBOL>-catalog. The symbol is
 *  normalised here, on both sides of setDraft's "still the default?" test: the draft keeps what was
 *  typed ("eth") while the folder is upper case, so comparing raw text stopped the following. */
function defaultOutput(root: string, symbol: string): string {
  return joinPath(root, `${symbol.trim().toUpperCase() || DEFAULT_SYMBOL}-catalog`);
}

/** Joins a folder and a name with the folder's own separator. */
export function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

export function isValidDay(d: string | null): d is string {
  return !!d && isDay(d);
}
