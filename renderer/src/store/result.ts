// The finished catalog: the run's report, verify's outcome and the per-day chart, and opening folders.
import type { DayPoint, RejectsPage, VerifyOutcome } from '../../../shared/api.js';
import type { RunReport } from '../../../shared/report.js';
import { errText, type SliceContext } from './slice.js';

export interface ResultState {
  report: RunReport | null;
  output: string | null;
  verify: VerifyOutcome | null;
  verifying: boolean;
  stats: DayPoint[] | null;
  /** a job of several instruments: each one's per-day figures, by instrument id */
  sectionStats?: Record<string, DayPoint[]>;
  error: string | null;
  /** the rejected rows shown: a page of them, by reason when one is picked (absent until asked for) */
  rejects?: RejectsView;
}

export interface RejectsView {
  page: RejectsPage | null;
  /** "field: reason" picked, null: every reason */
  reason: string | null;
  offset: number;
  loading: boolean;
  error: string | null;
}

/** Rows a page of the rejected rows table holds. */
export const REJECTS_PAGE = 50;

/** Each instrument's per-day figures (a failed one's are none); the job's own when it built one. */
async function statsOf(api: SliceContext['api'], output: string, ids: string[]): Promise<Record<string, DayPoint[]>> {
  const got = await Promise.allSettled(ids.map((id) => api.dailyStats(output, id)));
  return Object.fromEntries(ids.map((id, k) => {
    const g = got[k]!;
    return [id, g.status === 'fulfilled' ? g.value : []];
  }));
}

export interface ResultSlice {
  result: ResultState;
  loadResult(): Promise<void>;
  openFolder(path: string): Promise<void>;
  /** shows the finished job's rejected rows: a reason (null: all) and where to start */
  loadRejects(q?: { reason?: string | null; offset?: number }): Promise<void>;
}

export function resultSlice({ api, set, get }: SliceContext): ResultSlice {
  return {
    result: { report: null, output: null, verify: null, verifying: false, stats: null, error: null },

    async loadResult() {
      const s = get();
      const output = s.result.output ?? s.lastSpec?.output;
      if (!output) return;
      set((st) => ({ result: { ...st.result, verifying: true } }));
      const report = s.result.report;
      const sections = report?.sections ?? [];
      // A job of several: each instrument's own; the job's id lists them all.
      const ids = sections.length ? sections.map((x) => x.instrument.id).filter(Boolean) : report?.instrument.id ? [report.instrument.id] : [];
      // The per-day figures come from the trades; a catalog without them has none.
      const wantsStats = ids.length > 0 && (s.lastSpec?.dataTypes ?? []).includes('trades');
      const [v, st] = await Promise.allSettled([api.verify(output), wantsStats ? statsOf(api, output, ids) : Promise.resolve({} as Record<string, DayPoint[]>)]);
      const byId = st.status === 'fulfilled' ? st.value : {};
      set((x) => ({
        result: {
          ...x.result, verifying: false,
          verify: v.status === 'fulfilled' ? v.value : { ok: false, errors: [`verify could not run: ${errText(v.reason)}`], warnings: [], summary: [] },
          stats: sections.length ? [] : byId[ids[0] ?? ''] ?? [],
          ...(sections.length ? { sectionStats: byId } : {}),
        },
      }));
    },

    async loadRejects(q = {}) {
      const jobId = get().run.jobId;
      if (!jobId) return;
      const before = get().result.rejects;
      const reason = q.reason !== undefined ? q.reason : before?.reason ?? null;
      const offset = q.offset ?? 0;
      const view = (x: Partial<RejectsView>): RejectsView => ({ page: before?.page ?? null, reason, offset, loading: false, error: null, ...x });
      set((st) => ({ result: { ...st.result, rejects: view({ loading: true }) } }));
      try {
        const page = await api.rejects(jobId, { offset, limit: REJECTS_PAGE, ...(reason ? { reason } : {}) });
        // A newer job, or a newer ask, has taken the table over.
        if (get().run.jobId !== jobId || get().result.rejects?.reason !== reason || get().result.rejects?.offset !== offset) return;
        set((st) => ({ result: { ...st.result, rejects: view({ page }) } }));
      } catch (e) {
        if (get().run.jobId !== jobId) return;
        set((st) => ({ result: { ...st.result, rejects: view({ error: errText(e) }) } }));
      }
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
