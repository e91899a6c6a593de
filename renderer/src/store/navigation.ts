// Screens, notices and start-up: loading what the other screens need from the engine.
import type { SliceContext } from './slice.js';
import { dirName } from '../logic/format.js';
import { defaultOutput } from './draft.js';

export type Screen = 'source' | 'preview' | 'mapping' | 'job' | 'run' | 'result';
export const SCREENS: Screen[] = ['source', 'preview', 'mapping', 'job', 'run', 'result'];

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface NavigationSlice {
  browserMode: boolean;
  screen: Screen;
  notice: Notice | null;
  /** the folders the engine may read and write (browser mode names them where paths are typed) */
  allowedFolders: string[];
  /** where the bundled sample is built (the engine's default, or the folder the user typed) */
  sampleOutput: string | null;
  setSampleOutput(path: string): void;
  init(): Promise<void>;
  go(screen: Screen): void;
  notify(kind: Notice['kind'], text: string): void;
  dismissNotice(): void;
}

export function navigationSlice({ api, opts, set, get }: SliceContext): NavigationSlice {
  let noticeSeq = 0;
  return {
    browserMode: opts.browserMode ?? false,
    screen: 'source',
    notice: null,
    allowedFolders: [],
    sampleOutput: null,

    setSampleOutput(sampleOutput) {
      set({ sampleOutput });
    },

    async init() {
      const [presets, templates, hasKey, sample, folders] = await Promise.allSettled([
        api.presets(), api.listTemplates(), api.hasApiKey(), api.sampleJob(), api.allowedFolders(),
      ]);
      set((s) => {
        // Default outputs go next to the sample catalog, the engine's choice of folder.
        const outputRoot = sample.status === 'fulfilled' ? dirName(sample.value.spec.output) : null;
        return {
          presets: presets.status === 'fulfilled' ? presets.value : [],
          templates: templates.status === 'fulfilled' ? templates.value : [],
          apiKeySaved: hasKey.status === 'fulfilled' ? hasKey.value : false,
          outputRoot,
          allowedFolders: folders.status === 'fulfilled' ? folders.value : [],
          sampleOutput: s.sampleOutput ?? (sample.status === 'fulfilled' ? sample.value.spec.output : null),
          draft: s.draft.output || !outputRoot ? s.draft : { ...s.draft, output: defaultOutput(outputRoot, s.draft.symbol) },
        };
      });
      // A job still running (its page reloaded or closed): show it, with Cancel.
      await get().reattach();
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
  };
}
