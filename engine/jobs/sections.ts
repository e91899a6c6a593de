// A job of several instruments: each symbol is its own build (its own lock, instrument, days and
// report), in order; the job's report adds the sections up and keeps each one.
import type { JobSpec } from '../../shared/job.js';
import type { RunReport } from '../../shared/report.js';
import type { BuildOptions } from './build.js';

type BuildOne = (spec: JobSpec, opts: BuildOptions) => Promise<RunReport>;

export async function buildSections(spec: JobSpec, opts: BuildOptions, buildOne: BuildOne): Promise<RunReport> {
  const symbols = [...new Set(spec.symbols!.map((s) => s.toUpperCase()))];
  const emit = opts.onProgress ?? (() => undefined);
  const sections: RunReport[] = [];
  const startedAt = new Date().toISOString();
  for (const [i, symbol] of symbols.entries()) {
    emit({ kind: 'log', level: 'info', message: `instrument ${i + 1} of ${symbols.length}: ${symbol}` });
    const tag = { onProgress: (e: Parameters<NonNullable<BuildOptions['onProgress']>>[0]) => emit(e.kind === 'file' || e.kind === 'day' ? { ...e, instrument: symbol } : e) };
    try {
      sections.push(await buildOne({ ...spec, symbol, symbols: undefined }, { ...opts, ...tag, section: true, jobId: opts.jobId ? `${opts.jobId}-${i + 1}` : undefined }));
    } catch (e) {
      const partial = (e as { report?: RunReport }).report;
      // Refused before it began (another job holds the catalog, a link): the other symbols go on.
      if (!partial && !opts.signal?.aborted) {
        sections.push(refused(spec, symbol, e instanceof Error ? e.message : String(e)));
        continue;
      }
      // Cancelled: the job's report holds the sections done and this one's part.
      if (partial) sections.push(partial);
      Object.assign(e as object, { report: combine(spec, sections, startedAt) });
      throw e;
    }
  }
  return combine(spec, sections, startedAt);
}

/** The report of a symbol whose build was refused before it began (the others go on). */
function refused(spec: JobSpec, symbol: string, why: string): RunReport {
  const now = new Date().toISOString();
  return {
    runId: '', startedAt: now, finishedAt: now, ok: false, job: { ...spec, symbol, symbols: undefined },
    instrument: { id: '', pricePrecision: -1, sizePrecision: -1, precisionSource: 'none' },
    files: [], days: [], totals: zeroTotals(), notes: [], errors: [`${symbol}: ${why}`],
  };
}

const zeroTotals = (): RunReport['totals'] => ({ read: 0, written: 0, duplicates: 0, rejected: 0, outOfRange: 0, skipped: 0, existing: 0, discarded: 0, skippedDays: 0, failedDays: 0, added: 0 });

function combine(spec: JobSpec, sections: RunReport[], startedAt: string): RunReport {
  const totals = zeroTotals();
  for (const s of sections) for (const k of Object.keys(totals) as (keyof RunReport['totals'])[]) totals[k] = (totals[k] ?? 0) + (s.totals[k] ?? 0);
  const ids = sections.map((s) => s.instrument.id).filter(Boolean);
  const label = (s: RunReport) => s.instrument.id || String((s.job as { symbol?: string }).symbol ?? '');
  return {
    runId: sections.map((s) => s.runId).filter(Boolean).join(','), startedAt, finishedAt: new Date().toISOString(),
    ok: sections.every((s) => s.ok), job: { ...spec, config: { ...spec.config, api_key: spec.config.api_key ? '(set)' : undefined } },
    instrument: { id: ids.join(', '), pricePrecision: -1, sizePrecision: -1, precisionSource: `${sections.length} instruments (see each section)` },
    files: sections.flatMap((s) => s.files.map((f) => ({ ...f, instrument: label(s) }))),
    days: sections.flatMap((s) => s.days.map((d) => ({ ...d, instrument: label(s) }))), totals,
    notes: sections.flatMap((s) => s.notes.map((n) => `${label(s)}: ${n}`)),
    errors: sections.flatMap((s) => s.errors.map((e) => (e.startsWith(`${label(s)}:`) ? e : `${label(s)}: ${e}`))),
    sections,
  };
}
