// Each data type's days: one sink per day, opened after checking the type's folder in the catalog
// can take this job's files (number width, precision, layout, overlaps, others' files).
import { join } from 'node:path';
import type { DataType } from '../../shared/job.js';
import { folderSignature, overlaps, scanFolder, type ExistingFile } from '../catalog/existing.js';
import type { Instrument } from '../catalog/instruments.js';
import { TYPE_FOLDER, dayInterval, fileName } from '../catalog/paths.js';
import { layoutOf, schemaOf } from '../datatypes/schemas.js';
import type { FixedMode } from '../numbers/fixed.js';
import { Normalizer } from '../normalize/normalizer.js';
import type { JobContext } from './context.js';
import { DaySink, type SinkContext } from './daysink.js';
import type { Input } from './inputs.js';
import type { InstrumentTarget } from './instrument.js';

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
export async function openTypeRun(job: JobContext, type: DataType, typeFiles: Input[], inst: Instrument, target: InstrumentTarget): Promise<TypeRun> {
  const { spec, fm, notes, emit } = job;
  const meta = { instrumentId: inst.id, pricePrecision: inst.pricePrecision, sizePrecision: inst.sizePrecision };
  const schema = schemaOf(type, fm, meta);
  const ctx = { type, fm, layout: layoutOf(type, fm), schema, tmpDir: job.tmpDir, codec: spec.compression, rowGroupSize: spec.rowGroupSize,
    beforeCommit: target.checkLinks, deferCommit: target.staging };
  const folder = join(job.out, 'data', TYPE_FOLDER[type], target.idFolder);
  const existing = await scanFolder(folder);
  if (existing.foreign.length) {
    notes.push(`${type}: ${folder} holds files not named <start>_<end>.parquet, left untouched (Nautilus's v1 catalog fails on such names): ${existing.foreign.join(', ')}`);
  }
  // --overwrite replaces only our own files; the files that stay must suit this job's files.
  const ours = new Set<string>();
  if (spec.overwrite) for (const f of existing.files) if (await target.owned.owns(f.path)) ours.add(f.path);
  const dests = new Set(job.days.map((d) => join(folder, fileName(dayInterval(d).start, dayInterval(d).end))));
  const sig = await folderSignature({ files: existing.files.filter((f) => !(ours.has(f.path) && dests.has(f.path))), foreign: [] });
  const typeError = folderTypeError(type, fm, inst, folder, sig);
  const sinks: DaySink[] = job.days.map((day) => daySink(ctx, day, { folder, files: existing.files, ours, overwrite: spec.overwrite, typeError }));
  if (typeError) job.errors.push(`${type}: ${typeError}`);
  for (const s of sinks) {
    if (s.state === 'skipped') emit({ kind: 'day', dataType: type, day: s.day, state: 'skipped', rows: 0, fraction: 1, rowsPerSec: 0, etaSec: null });
  }
  const active = sinks.filter((s) => s.state === 'pending');
  const norm = new Normalizer({
    type, fm, symbol: spec.symbol, pricePrecision: inst.pricePrecision, sizePrecision: inst.sizePrecision,
    startDay: job.startDay, sinkAt: (i) => sinks[i], rejects: job.rejects,
  });
  return { type, files: typeFiles, sinks, active, norm, failedFiles: new Set<string>() };
}

/** Why the type's folder cannot take this job's files at all (its files that stay disagree), or null. */
function folderTypeError(type: DataType, fm: FixedMode, inst: Instrument, folder: string, sig: Awaited<ReturnType<typeof folderSignature>>): string | null {
  let typeError: string | null = null;
  if (sig) {
    if (sig.width !== null && type !== 'funding' && sig.width !== fm.W) {
      typeError = `${folder} holds ${sig.width * 8}-bit files (${sig.file}); this job writes ${fm.mode}-bit, and one folder cannot mix them`;
    } else if (type !== 'funding' && sig.meta.get('price_precision') !== String(inst.pricePrecision)) {
      typeError = `${folder} holds files with price_precision ${sig.meta.get('price_precision')} (${sig.file}); this job writes ${inst.pricePrecision}`;
    } else if (type === 'funding' && sig.meta.has('type')) {
      // Our earlier files (and the Rust catalog's) use the JSON layout, metadata `type`; NautilusTrader's
      // Python reader takes one schema for the whole folder, so the two layouts cannot share it.
      typeError = `${folder} holds FundingRateUpdate files of the Rust JSON layout (${sig.file}, written by catalog-builder before it wrote NautilusTrader's write_data layout); one folder cannot mix the two: build into another output folder, or delete that folder first`;
    } else if (type === 'trades' && sig.meta.get('size_precision') !== String(inst.sizePrecision)) {
      typeError = `${folder} holds files with size_precision ${sig.meta.get('size_precision')} (${sig.file}); this job writes ${inst.sizePrecision}`;
    }
  }
  return typeError;
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
    sink.error = `${same.path} was not written by catalog-builder; --overwrite replaces only files it wrote, so this day was left as it is`;
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
