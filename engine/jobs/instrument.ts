// The instrument file: written once; an existing one must agree with this job's precision, and a
// change of precision must suit every file that stays in the catalog.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DataType } from '../../shared/job.js';
import { JobError, assertNoLinks, removeQuietly } from '../catalog/atomic.js';
import { folderSignature, scanFolder, type ExistingFile, type FolderState } from '../catalog/existing.js';
import { instrumentBatch } from '../instruments/batch.js';
import { CLASS_OF } from '../instruments/definition.js';
import type { Resolved as Instrument } from '../instruments/resolve.js';
import { commitCatalogFile, forgetCatalogFiles } from '../catalog/manifest.js';
import { Ownership } from '../catalog/owned.js';
import { dayInterval, dayStartNs, fileName, uriSafe } from '../catalog/paths.js';
import { DATA_TYPE_MODULES, INSTRUMENT_MODULES, KEY_CLASS, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, TYPE_FOLDER, instrumentModuleOf } from '../datatypes/index.js';
import { StreamingParquetWriter, readParquetInfo } from '../parquet/parquet.js';
import { barTypeString } from '../sources/bars/spec.js';
import { errText, type JobContext } from './context.js';
import type { InputPlan } from './plan.js';
import { HINTS } from '../../shared/text.js';

/** Where the job writes: the instrument's folders, what they held, and how the instrument file lands. */
export interface InstrumentTarget {
  owned: Ownership;
  /** Just before a file is renamed into the catalog: its folder still leads nowhere else. */
  checkLinks: (dest: string) => Promise<void>;
  idFolder: string;
  /** the instrument's files when the job started */
  instFiles: ExistingFile[];
  // A change of an existing instrument's precision is all or nothing: the instrument and every day
  // are committed together at the end, only if every day was written (see commitStaged).
  staging: boolean;
  /** the instrument file written by this job, not yet in the catalog */
  tmp: string | undefined;
  dest: string;
}

/** Checks the instrument against the catalog, writes its file and (unless staging) places it. */
export async function prepareInstrument(job: JobContext, plan: InputPlan, inst: Instrument): Promise<InstrumentTarget> {
  const { spec, out } = job;
  const idFolder = uriSafe(inst.id);
  const owned = await Ownership.open(out, job.stateDir);
  const checkLinks = (dest: string) => assertNoLinks(out, dirname(dest));
  const instMod = instrumentModuleOf(CLASS_OF[inst.kind]);
  const instDir = join(out, 'data', instMod.folder, idFolder);
  await checkOtherClasses(job, inst, instMod.folder, idFolder, owned);
  const instState = await scanFolder(instDir);
  const instSig = await folderSignature(instState);
  const ts0 = dayStartNs(spec.start);
  const changes = await precisionChanges(job, plan, inst, { idFolder, owned, instState, instSig });
  const target: InstrumentTarget = { owned, checkLinks, idFolder, instFiles: instState.files, staging: !!instSig && changes, tmp: undefined, dest: join(instDir, fileName(ts0, ts0)) };
  if (!instSig || spec.overwrite) {
    target.tmp = await writeInstrument(job, inst, target, ts0);
    if (!target.staging) await placeInstrument(job, target);
  } else {
    job.instrumentFile = join(instDir, instState.files[0]!.name);
  }
  return target;
}

/**
 * Whether the job changes the precision of the catalog's instrument (or it has none); a change
 * without --overwrite, or one that files this job does not replace disagree with, is refused.
 */
async function precisionChanges(job: JobContext, plan: InputPlan, inst: Instrument,
  at: { idFolder: string; owned: Ownership; instState: FolderState; instSig: Awaited<ReturnType<typeof folderSignature>> }): Promise<boolean> {
  const { spec, out, days } = job;
  const { idFolder, owned, instState, instSig } = at;
  const changes = !instSig || instSig.meta.get('price_precision') !== String(inst.pricePrecision) || instSig.meta.get('size_precision') !== String(inst.sizePrecision);
  if (instSig && changes && !spec.overwrite) {
    const pp = Number(instSig.meta.get('price_precision')), sp = Number(instSig.meta.get('size_precision'));
    throw new Error(`the catalog's instrument ${inst.id} (${instSig.file}) has price/size precision ${pp}/${sp}, this job uses ${inst.pricePrecision}/${inst.sizePrecision}; use the same precision, another output folder, or ${HINTS.overwrite.cli}`);
  }
  if (changes) {
    // Checked before anything is written: a new precision must suit every file that stays.
    // Bars live in the folder of their bar type (BTCUSDT-PERP.BINANCE-1-MINUTE-LAST-EXTERNAL).
    const folderOf = (type: DataType) => (type === 'bars' && plan.bar ? uriSafe(barTypeString(inst.id, plan.bar.spec)) : idFolder);
    const replaced = async (type: DataType, f: { path: string }) => spec.overwrite && plan.filesByType.has(type) &&
      days.some((d) => f.path === join(out, 'data', TYPE_FOLDER[type], folderOf(type), fileName(dayInterval(d).start, dayInterval(d).end))) && (await owned.owns(f.path));
    const bad = await disagreements(out, idFolder, inst, instState.files, owned, replaced);
    if (bad.length) {
      throw new JobError(`the instrument ${inst.id} would get price/size precision ${inst.pricePrecision}/${inst.sizePrecision}, but files this job does not replace disagree: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? ` (and ${bad.length - 3} more)` : ''}; nothing was changed. Keep the catalog's precision, or rewrite every day and data type of the instrument in one job with ${HINTS.overwrite.cli}`);
    }
  }
  return changes;
}

/**
 * One id, one class: NautilusTrader would load an id defined in two class folders twice. Our own
 * definition under another class goes with --overwrite (the new one supersedes it); another writer's is refused.
 */
async function checkOtherClasses(job: JobContext, inst: Instrument, folder: string, idFolder: string, owned: Ownership): Promise<void> {
  for (const m of INSTRUMENT_MODULES) {
    if (m.folder === folder) continue;
    const files = (await scanFolder(join(job.out, 'data', m.folder, idFolder))).files;
    for (const f of files) {
      const ours = await owned.owns(f.path);
      if (!ours || !job.spec.overwrite) {
        throw new JobError(`the catalog already defines ${inst.id} as a ${m.className} (${f.path}); this job defines it as a ${CLASS_OF[inst.kind]}. ${ours ? `Rewrite it with ${HINTS.overwrite.cli}, or use another output folder` : 'That file was not written by catalog-builder: remove it yourself or use another output folder'}`);
      }
      job.supersededInstruments.push(f.path);
    }
  }
}

/** The instrument file in the job's temp folder; none when another writer's file holds its name. */
async function writeInstrument(job: JobContext, inst: Instrument, target: InstrumentTarget, ts0: bigint): Promise<string | undefined> {
  const dest = target.dest;
  if (target.instFiles.some((f) => f.path === dest) && !(await target.owned.owns(dest))) {
    // Another writer's instrument under this name (its precision agrees, checked above): kept.
    job.notes.push(`${dest} was not written by catalog-builder: left as it is`);
    return undefined;
  }
  const tmp = join(job.tmpDir, 'instrument.parquet.tmp');
  try {
    const w = new StreamingParquetWriter(tmp, { codec: job.spec.compression, rowGroupSize: 1000, keyValue: new Map([[KEY_CLASS, CLASS_OF[inst.kind]]]) });
    const batch = instrumentBatch(inst, ts0);
    await w.write(batch);
    await w.close();
  } catch (e) {
    await removeQuietly(tmp);
    throw new Error(`writing ${dest} failed: ${errText(e)}`);
  }
  return tmp;
}

/** Renames the instrument file into the catalog and removes the job's earlier instrument files. */
async function placeInstrument(job: JobContext, target: InstrumentTarget): Promise<void> {
  const { dest, owned } = target;
  if (target.tmp) {
    await target.checkLinks(dest);
    await commitCatalogFile(target.tmp, dest).catch((e) => Promise.reject(new Error(`writing ${dest} failed: ${errText(e)}`)));
  }
  // Our earlier instrument files are superseded; other writers' files are never deleted.
  for (const f of target.instFiles) {
    if (f.path === dest) continue;
    if (await owned.owns(f.path)) {
      await removeQuietly(f.path);
      await forgetCatalogFiles([f.path]);
    } else job.notes.push(`${f.path} was not written by catalog-builder: left untouched`);
  }
  for (const path of job.supersededInstruments) {
    await removeQuietly(path);
    await forgetCatalogFiles([path]);
  }
  job.instrumentFile = dest;
}

/**
 * Files of the instrument that would disagree with `inst`: data files (trades, mark) this job does
 * not replace, and other writers' instrument files. Each named with the precision it holds.
 */
async function disagreements(out: string, idFolder: string, inst: Instrument, instFiles: { path: string }[], owned: Ownership,
  replaced: (type: DataType, f: { path: string }) => Promise<boolean>): Promise<string[]> {
  const found: string[] = [];
  const check = async (path: string, withSize: boolean) => {
    const kv = (await readParquetInfo(path).catch(() => null))?.keyValue;
    const pp = kv?.get(KEY_PRICE_PRECISION), sp = kv?.get(KEY_SIZE_PRECISION);
    if (pp !== undefined && pp !== String(inst.pricePrecision)) found.push(`${path} holds price_precision ${pp}`);
    else if (withSize && sp !== undefined && sp !== String(inst.sizePrecision)) found.push(`${path} holds size_precision ${sp}`);
  };
  for (const f of instFiles) if (!(await owned.owns(f.path))) await check(f.path, true);
  for (const m of DATA_TYPE_MODULES) {
    if (!m.instrumentPrecision.price) continue;
    // A type named by more than the instrument (bars: one folder per bar type) has a folder per kind.
    const subs = m.identFolder ? (await readdir(join(out, 'data', m.folder)).catch(() => [] as string[])).filter((n) => n.startsWith(`${idFolder}-`)) : [idFolder];
    for (const sub of subs) {
      for (const f of (await scanFolder(join(out, 'data', m.folder, sub))).files) {
        if (!(await replaced(m.type, f))) await check(f.path, !!m.instrumentPrecision.size);
      }
    }
  }
  return found;
}
