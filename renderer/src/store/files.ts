// The source and its files: adding (typed, picked, dropped), removing, what each file feeds, options.
import type { FileFacts, FileInfo, FileOptions } from '../../../shared/api.js';
import type { DataType, SourceKind } from '../../../shared/job.js';
import { datesFromNames } from '../logic/dates.js';
import { combineFacts, type NamedFacts } from '../logic/facts.js';
import { fillFromFacts } from '../logic/job.js';
import { defaultOutput } from './draft.js';
import { mergeFiles, parsePaths, proposedSource, toggleType, typesInUse, type FileEntry } from '../logic/files.js';
import type { AppState } from './app.js';
import { afterAdd, dropped } from '../logic/shell.js';
import { errText, type SliceContext } from './slice.js';

export interface FilesSlice {
  source: SourceKind;
  files: FileEntry[];
  adding: boolean;
  addError: string | null;
  /** the "Add by path" box, and the names of files dropped in a browser that are still to add */
  pathText: string;
  droppedNames: string[];
  setPathText(text: string): void;
  /** files dropped where the platform gives no path (a browser): their names prefill the path box */
  dropNames(names: string[]): void;
  /** what each file says of its symbol, exchange and days (null: nothing; absent: not read yet) */
  facts: Record<string, FileFacts | null>;
  /** a file's facts arrived (from the preview, or read when it was added): the draft fills from them */
  setFacts(path: string, facts: FileFacts | null): void;
  setSource(s: SourceKind): void;
  addPaths(paths: string[]): Promise<void>;
  addTyped(text: string): Promise<void>;
  pickFiles(): Promise<void>;
  removeFile(path: string): void;
  toggleFileType(path: string, t: DataType): void;
  setFileOptions(path: string, options: FileOptions): void;
}

/** The state once the engine has inspected new files: data types, dates and selection follow them. */
function withAdded(s: AppState, infos: FileInfo[]): Partial<AppState> {
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
  const { source, problem } = proposedSource(files, s.source);
  if (source !== s.source) draft.source = source;
  const problems = [...bad.map((b) => `${b.name} is refused: ${b.error}`), ...(problem ? [problem] : [])];
  return {
    files, draft, previewType, adding: false, source,
    selectedPath: s.selectedPath ?? firstGood?.info.path ?? null,
    addError: problems.length ? problems.join('\n') : null,
  };
}

/** The facts of the files the job reads (marked for a data type it builds), named as the screen names them. */
export function jobFacts(s: Pick<AppState, 'files' | 'facts' | 'draft'>): NamedFacts[] {
  return s.files
    .filter((f) => !f.info.error && f.types.some((t) => s.draft.dataTypes.includes(t)) && s.facts[f.info.path] !== undefined)
    .map((f) => ({ name: f.info.name, facts: s.facts[f.info.path] ?? { symbols: [], from: 'file name' } }));
}

/** The draft filled from the files' facts where the user has not chosen (the default output folder follows the symbol). */
export function refilled(s: AppState): Partial<AppState> {
  if (s.source === 'tardis') return {};
  const draft = fillFromFacts(s.draft, combineFacts(jobFacts(s)));
  if (s.outputRoot && s.draft.output === defaultOutput(s.outputRoot, s.draft.symbol)) draft.output = defaultOutput(s.outputRoot, draft.symbol);
  return { draft };
}

/** What each new file says (inspectFiles reads it with the file's head). */
function newFacts(known: AppState['facts'], infos: FileInfo[]): AppState['facts'] {
  return Object.fromEntries(infos.filter((i) => !i.error && known[i.path] === undefined).map((i) => [i.path, i.facts ?? null]));
}

/** A file's options with a change applied; an undefined value removes the option (back to automatic). */
function mergeOptions(cur: FileOptions, change: FileOptions): FileOptions {
  const next: FileOptions = { ...cur, ...change };
  for (const k of Object.keys(next) as (keyof FileOptions)[]) if (next[k] === undefined) delete next[k];
  return next;
}

export function filesSlice(ctx: SliceContext): FilesSlice {
  const { set, get } = ctx;
  return {
    source: 'csv',
    files: [],
    adding: false,
    addError: null,
    pathText: '',
    droppedNames: [],
    facts: {},

    setFacts(path, facts) {
      const cur = get().facts[path];
      if (cur !== undefined && JSON.stringify(cur) === JSON.stringify(facts)) return;
      set((s) => ({ facts: { ...s.facts, [path]: facts } }));
      set((s) => refilled(s));
    },

    setSource(source) {
      set((s) => ({ source, draft: { ...s.draft, source } }));
    },

    ...addingActions(ctx),

    removeFile(path) {
      set((s) => {
        const files = s.files.filter((f) => f.info.path !== path);
        const types = typesInUse(files);
        const facts = { ...s.facts };
        delete facts[path];
        return {
          files, facts,
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

    setFileOptions(path, options) {
      set((s) => ({ files: s.files.map((f) => (f.info.path === path ? { ...f, options: mergeOptions(f.options, options) } : f)) }));
      get().refreshPreview();
    },
  };
}

type AddingActions = Pick<FilesSlice, 'setPathText' | 'dropNames' | 'addPaths' | 'addTyped' | 'pickFiles'>;

/** Adding files: by path (typed, pasted, or a dropped name completed), or through the file dialog. */
function addingActions({ api, set, get }: SliceContext): AddingActions {
  return {
    setPathText(pathText) {
      set({ pathText });
    },

    dropNames(names) {
      const d = dropped(names);
      set({ droppedNames: d.pending, pathText: d.text, addError: null });
    },

    async addPaths(paths) {
      const list = paths.filter(Boolean);
      if (!list.length) return;
      set({ adding: true, addError: null });
      try {
        const infos = await api.inspectFiles(list);
        const facts = newFacts(get().facts, infos);
        // The files and what they say arrive together: the job is filled in as the files appear,
        // and the preview is asked for with the symbol they name.
        set((s) => {
          const added = { ...withAdded(s, infos), facts: { ...s.facts, ...facts } };
          return { ...added, ...refilled({ ...s, ...added }) };
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
      // The box empties, or holds the next dropped name in the folder just used.
      const byName = new Set(paths.map((p) => p.split(/[\\/]/).pop()));
      const added = get().files.filter((f) => !f.info.error && byName.has(f.info.name)).map((f) => f.info.path);
      const next = afterAdd(get().droppedNames, text, added);
      set({ droppedNames: next.pending, pathText: next.text });
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
  };
}
