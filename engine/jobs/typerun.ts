// Each data type's days: one sink per day, opened after checking the type's folder in the catalog
// can take this job's files (number width, precision, layout, overlaps, others' files).
import { join } from 'node:path';
import type { DataType } from '../../shared/job.js';
import { folderSignature, overlaps, scanFolder, type ExistingFile } from '../catalog/existing.js';
import type { Instrument } from '../instruments/definition.js';
import { dayInterval, fileName, uriSafe } from '../catalog/paths.js';
import { dataTypeOf } from '../datatypes/index.js';
import { Normalizer } from '../normalize/normalizer.js';
import type { BarDecision } from '../sources/csv/barspec.js';
import { barTypeString } from '../sources/bars/spec.js';
import type { JobContext } from './context.js';
import { DaySink, type SinkContext } from './daysink.js';
import type { Input } from './inputs.js';
import type { InstrumentTarget } from './instrument.js';
import { HINTS } from '../../shared/text.js';

/** One data type of a job: its days, its normaliser, the files it reads. */
export interface TypeRun {
  type: DataType;
  files: Input[];
  sinks: DaySink[];
  active: DaySink[];
  norm: Normalizer;
  failedFiles: Set<string>;
}

/** The type's days (each pending, skipped or failed) and its normaliser. */
export async function openTypeRun(job: JobContext, type: DataType, typeFiles: Input[], inst: Instrument, target: InstrumentTarget, bar?: BarDecision): Promise<TypeRun> {
  const { spec, fm, notes, emit } = job;
  const barType = type === 'bars' && bar ? barTypeString(inst.id, bar.spec) : undefined;
  const meta = { instrumentId: inst.id, pricePrecision: inst.pricePrecision, sizePrecision: inst.sizePrecision, barType };
  if (barType) notes.push(`bars: bar type ${barType} (${bar!.how}); each bar is stamped at its close (ts_event = ts_init = open + interval)`);
  const mod = dataTypeOf(type);
  const schema = mod.schema(fm, meta);
  const ctx = { type, fm, layout: mod.layout(fm), schema, tmpDir: job.tmpDir, codec: spec.compression, rowGroupSize: spec.rowGroupSize,
    beforeCommit: target.checkLinks, deferCommit: target.staging };
  const folder = join(job.out, 'data', mod.folder, mod.identFolder ? uriSafe(mod.identFolder(meta)) : target.idFolder);
  const existing = await scanFolder(folder);
  if (existing.foreign.length) {
    notes.push(`${type}: ${folder} holds files not named <start>_<end>.parquet, left untouched (Nautilus's v1 catalog fails on such names): ${existing.foreign.join(', ')}`);
  }
  // --overwrite replaces only our own files; the files that stay must suit this job's files.
  const ours = new Set<string>();
  if (spec.overwrite) for (const f of existing.files) if (await target.owned.owns(f.path)) ours.add(f.path);
  const dests = new Set(job.days.map((d) => join(folder, fileName(dayInterval(d).start, dayInterval(d).end))));
  const sig = await folderSignature({ files: existing.files.filter((f) => !(ours.has(f.path) && dests.has(f.path))), foreign: [] });
  const typeError = sig ? mod.incompatibility(folder, sig, fm, meta) : null;
  const sinks: DaySink[] = job.days.map((day) => daySink(ctx, day, { folder, files: existing.files, ours, overwrite: spec.overwrite, typeError }));
  if (typeError) job.errors.push(`${type}: ${typeError}`);
  for (const s of sinks) {
    if (s.state === 'skipped') emit({ kind: 'day', dataType: type, day: s.day, state: 'skipped', rows: 0, fraction: 1, rowsPerSec: 0, etaSec: null });
  }
  const active = sinks.filter((s) => s.state === 'pending');
  const norm = new Normalizer({
    type, fm, symbol: spec.symbol, pricePrecision: inst.pricePrecision, sizePrecision: inst.sizePrecision,
    startDay: job.startDay, sinkAt: (i) => sinks[i], rejects: job.rejects,
    bar: bar && type === 'bars' ? { intervalNs: bar.intervalNs, round: bar.spec.priceType === 'MARK' } : undefined,
  });
  return { type, files: typeFiles, sinks, active, norm, failedFiles: new Set<string>() };
}

/** One day's sink: failed, skipped (already in the catalog) or pending, by the files of the folder. */
function daySink(ctx: SinkContext, day: string, at: { folder: string; files: ExistingFile[]; ours: Set<string>; overwrite: boolean; typeError: string | null }): DaySink {
  const { folder, typeError } = at;
  const iv = dayInterval(day);
  const dest = join(folder, fileName(iv.start, iv.end));
  const sink = new DaySink(ctx, day, dest);
  const same = at.files.find((f) => f.path === dest);
  const clash = at.files.filter((f) => f.path !== dest && overlaps(f, iv));
  if (typeError) {
    sink.state = 'failed';
    sink.error = typeError;
  } else if (clash.length) {
    sink.state = 'failed';
    sink.error = `overlaps existing file(s) ${clash.map((f) => f.name).join(', ')} in ${folder}; nothing was written for this day`;
  } else if (same && !at.overwrite) {
    sink.state = 'skipped';
  } else if (same && !at.ours.has(same.path)) {
    sink.state = 'failed';
    sink.error = `${same.path} was not written by catalog-builder; ${HINTS.overwrite.cli} replaces only files it wrote, so this day was left as it is`;
  }
  return sink;
}

/**
 * Types read together: capture files feed several types (aggTrade -> trades, markPriceUpdate -> mark
 * and funding), so types of the WebSocket source with the same file list read them once. CSV files
 * hold one type each: every type reads its own.
 */
export function readGroups(runs: TypeRun[], source: string): TypeRun[][] {
  if (source !== 'websocket') return runs.map((r) => [r]);
  const groups: TypeRun[][] = [];
  for (const r of runs) {
    const same = r.active.length ? groups.find((g) => g[0]!.active.length && g[0]!.files.map((f) => f.label).join('\n') === r.files.map((f) => f.label).join('\n')) : undefined;
    if (same) same.push(r);
    else groups.push([r]);
  }
  return groups;
}
