// The finished catalog: the run's report, verify's outcome and the per-day chart, and opening folders.
import type { DayPoint, VerifyOutcome } from '../../../shared/api.js';
import type { RunReport } from '../../../shared/report.js';
import { errText, type SliceContext } from './slice.js';

export interface ResultState {
  report: RunReport | null;
  output: string | null;
  verify: VerifyOutcome | null;
  verifying: boolean;
  stats: DayPoint[] | null;
  error: string | null;
}

export interface ResultSlice {
  result: ResultState;
  loadResult(): Promise<void>;
  openFolder(path: string): Promise<void>;
}

export function resultSlice({ api, set, get }: SliceContext): ResultSlice {
  return {
    result: { report: null, output: null, verify: null, verifying: false, stats: null, error: null },

    async loadResult() {
      const s = get();
      const output = s.result.output ?? s.lastSpec?.output;
      if (!output) return;
      set((st) => ({ result: { ...st.result, verifying: true } }));
      const instrument = s.result.report?.instrument.id;
      // The per-day figures come from the trades; a catalog without them has none.
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
}
