// The job draft the job screen edits, what it needs from the engine (presets, API key, output
// folder), and the spec built from it with the problems a user can fix.
import type { PresetInfo } from '../../../shared/api.js';
import { DEFAULT_SYMBOL } from '../../../shared/job.js';
import { buildJob, defaultDraft, type BuiltJob, type JobDraft } from '../logic/job.js';
import { jobFacts, refilled } from './files.js';
import { errText, type SliceContext } from './slice.js';

export interface DraftSlice {
  draft: JobDraft;
  presets: PresetInfo[];
  apiKeySaved: boolean;
  /** the folder default outputs go in (from the engine) */
  outputRoot: string | null;
  /** what the user changes: a market, symbol or days set here are theirs, never refilled from the files */
  setDraft(patch: Partial<JobDraft>): void;
  /** ticks or unticks one of the files' symbols */
  toggleSymbol(symbol: string): void;
  /** the symbol box instead of the files' symbols (true), or back to the files' symbols (false) */
  typeSymbol(typed: boolean): void;
  /** confirms the mismatches (their mismatchKey) as renamed files, or takes the confirm back (null) */
  confirmMismatch(key: string | null): void;
  pickOutput(): Promise<void>;
  /** the venue's saved instrument list, through the file dialog (browser mode: typed) */
  pickInstrumentsFile(): Promise<void>;
  saveApiKey(key: string): Promise<boolean>;
  /** the spec the draft makes, or the errors that keep it from being one */
  job(): BuiltJob;
}

/** The output folder a job gets until the user picks one: <root>/<SYMBOL>-catalog. The symbol is
 *  normalised here, on both sides of setDraft's "still the default?" test: the draft keeps what was
 *  typed ("eth") while the folder is upper case, so comparing raw text stopped the following. */
export function defaultOutput(root: string, symbol: string): string {
  return joinPath(root, `${symbol.trim().toUpperCase() || DEFAULT_SYMBOL}-catalog`);
}

/** Joins a folder and a name with the folder's own separator. */
export function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

export function draftSlice(ctx: SliceContext): DraftSlice {
  const { set, get } = ctx;
  return {
    draft: defaultDraft(),
    presets: [],
    apiKeySaved: false,
    outputRoot: null,

    setDraft(patch) {
      const before = get().draft;
      set((s) => {
        const draft = { ...s.draft, ...patch };
        // The user's choice wins over the files from now on, and is no longer "from the files".
        const mine = { market: patch.market !== undefined, symbol: patch.symbol !== undefined, days: patch.start !== undefined || patch.end !== undefined };
        for (const k of ['market', 'symbol', 'days'] as const) {
          if (!mine[k]) continue;
          draft.userSet = { ...draft.userSet, [k]: true };
          draft.filled = { ...draft.filled, [k]: false };
        }
        // The default output folder follows the symbol until the user types their own.
        if (patch.symbol !== undefined && s.outputRoot && s.draft.output === defaultOutput(s.outputRoot, s.draft.symbol)) {
          draft.output = defaultOutput(s.outputRoot, patch.symbol);
        }
        return { draft };
      });
      // The preview is asked for with the symbol (the engine reads its rows for that instrument).
      if (patch.symbol !== undefined && patch.symbol !== before.symbol) get().refreshPreview();
    },

    toggleSymbol(symbol) {
      set((s) => {
        const on = s.draft.symbols.includes(symbol);
        const symbols = s.draft.symbolChoices.filter((x) => (x === symbol ? !on : s.draft.symbols.includes(x)));
        // The symbol shown (instrument line, preview, default folder) is the first ticked.
        const draft = { ...s.draft, symbols, symbol: symbols[0] ?? s.draft.symbol };
        if (s.outputRoot && s.draft.output === defaultOutput(s.outputRoot, s.draft.symbol)) draft.output = defaultOutput(s.outputRoot, draft.symbol);
        return { draft };
      });
      get().refreshPreview();
    },

    typeSymbol(typed) {
      if (typed) {
        set((s) => ({ draft: { ...s.draft, symbolChoices: [], symbols: [], userSet: { ...s.draft.userSet, symbol: true }, filled: { ...s.draft.filled, symbol: false } } }));
        return;
      }
      set((s) => ({ draft: { ...s.draft, userSet: { ...s.draft.userSet, symbol: false } } }));
      set((s) => refilled(s));
    },

    confirmMismatch(key) {
      set((s) => ({ draft: { ...s.draft, allowMismatch: key } }));
    },

    ...dialogActions(ctx),

    job() {
      const s = get();
      return buildJob(s.draft, s.files, s.mappings, s.presets, jobFacts(s), { apiKeySaved: s.apiKeySaved });
    },
  };
}

type DialogActions = Pick<DraftSlice, 'pickOutput' | 'pickInstrumentsFile' | 'saveApiKey'>;

/** What the job asks the engine's side for: folders and files through its dialogs, the Tardis key kept there. */
function dialogActions({ api, set, get }: SliceContext): DialogActions {
  return {
    async pickOutput() {
      try {
        const p = await api.pickFolder();
        if (p) get().setDraft({ output: p });
        else if (get().browserMode) get().notify('info', 'Browser mode has no folder dialog: type the output folder’s path.');
      } catch (e) {
        get().notify('error', errText(e));
      }
    },

    async pickInstrumentsFile() {
      try {
        const [p] = await api.pickFiles();
        if (p) get().setDraft({ instrumentsFile: p });
        else if (get().browserMode) get().notify('info', 'Browser mode has no file dialog: type the instrument list’s path.');
      } catch (e) {
        get().notify('error', errText(e));
      }
    },

    async saveApiKey(key) {
      const k = key.trim();
      if (!k) return false;
      // The engine takes keys of up to 500 characters (shared/api.ts); longer is a paste gone wrong.
      if (k.length > 500) {
        get().notify('error', `The API key was not saved: ${k.length} characters is longer than any Tardis key; paste the key alone.`);
        return false;
      }
      try {
        // Only "saved" stays in the window; the key itself lives with the engine.
        await api.setApiKey(k);
        set({ apiKeySaved: true });
        return true;
      } catch (e) {
        get().notify('error', `The API key was not saved: ${errText(e)}`);
        return false;
      }
    },
  };
}
