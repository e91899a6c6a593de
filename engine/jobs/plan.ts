// The plan of a build job: which files each data type reads, and through which config entry.
import { fileEntries, type DataType, type FileConfig } from '../../shared/job.js';
import type { BarDecision } from '../sources/csv/barspec.js';
import { tardisFiles } from '../sources/tardis/index.js';
import { checkSnapshotSymbol, loadDepthSnapshot } from '../sources/binance/snapshot.js';
import { resolveBarSpec } from './barspec.js';
import { TYPE_ORDER, errText, type JobContext } from './context.js';
import { checkFeeds, entryFor, noEntryText } from './feeds.js';
import { resolveFiles } from './files.js';
import { expandInputs, type Input } from './inputs.js';

export interface InputPlan {
  /** files per data type (a type whose files could not be listed has none) */
  filesByType: Map<DataType, Input[]>;
  // The config entry read for each type (its own, or for mark/funding the other's: engine/jobs/feeds.ts).
  entries: Partial<Record<DataType, FileConfig>>;
  /** bars: the bar spec, decided before anything is written */
  bar?: BarDecision;
}

/** One config entry's files (and for deltas, the depth snapshot they were synced from). */
interface Part {
  paths: string[];
  fc?: FileConfig;
  snapshot?: string;
}

/**
 * An entry's files. deltas from Binance depth: a T_DEPTH snapshot CSV (snapshot_path) is read as the
 * entry's first file; a WebSocket capture's REST snapshot is read with its first file, and a capture
 * without one is refused (its depthUpdate diffs change a book nobody knows).
 */
async function partFiles(job: JobContext, type: DataType, fc: FileConfig): Promise<Part> {
  const { spec, configDir } = job;
  const paths = await resolveFiles(fc.file_path, spec.config.base_path, configDir);
  if (type !== 'deltas' || spec.source === 'tardis') return { paths };
  if (!fc.snapshot_path) {
    if (spec.source !== 'websocket') return { paths };
    throw new Error('a capture\'s depthUpdate messages need the REST depth snapshot it was synced from: snapshot_path (the saved GET /fapi/v1/depth response, {"lastUpdateId","E","T","bids","asks"}) in the files.deltas entry');
  }
  const snap = await resolveFiles(fc.snapshot_path, spec.config.base_path, configDir);
  if (spec.source !== 'websocket') return { paths: [...snap, ...paths] };
  if (snap.length !== 1) throw new Error(`snapshot_path ${fc.snapshot_path} names ${snap.length} files; a capture is synced from one REST depth snapshot`);
  // A snapshot of another symbol is refused before anything is written (the reader checks it too).
  checkSnapshotSymbol(snap[0]!, await loadDepthSnapshot(snap[0]!), spec.symbol);
  return { paths, snapshot: snap[0]! };
}

/**
 * Files per data type, resolved up front so a missing file is reported before any work. A data type
 * the config cannot feed stops the job here, before any file is written.
 */
export async function planInputs(job: JobContext): Promise<InputPlan> {
  const { spec, notes, errors } = job;
  const plan: InputPlan = { filesByType: new Map(), entries: {} };
  const configErrors: string[] = [];
  // Each part is one layout's entry (its own columns); a type of one entry leaves inputs without one.
  const setFiles = async (type: DataType, parts: Part[]) => {
    const all: Input[] = [];
    for (const part of parts) {
      const { inputs, notes: skipped } = await expandInputs(part.paths, spec.source);
      notes.push(...skipped.map((n) => `${type}: ${n}`));
      if (part.snapshot && inputs[0]) inputs[0].snapshot = part.snapshot;
      for (const input of inputs) {
        const symbol = job.rowSymbols.get(input.label);
        if (symbol) input.symbol = symbol;
        if (part.fc) input.fc = part.fc;
        all.push(input);
      }
    }
    plan.filesByType.set(type, all);
  };
  // Tardis: the files are downloaded into the cache first (fatal errors such as no access throw).
  const tardis = spec.source === 'tardis' ? await tardisFiles(spec, TYPE_ORDER.filter((t) => spec.dataTypes.includes(t)), { signal: job.signal, configDir: job.configDir, emit: job.emit }) : null;
  for (const type of TYPE_ORDER) {
    if (!spec.dataTypes.includes(type)) continue;
    const got = tardis?.get(type);
    if (got) {
      errors.push(...got.errors.map((e) => `${type}: ${e}`));
      notes.push(...got.notes);
      await setFiles(type, [{ paths: got.files }]);
      plan.entries[type] = fileEntries(spec.config.files[type])[0];
      continue;
    }
    const entry = entryFor(spec.config, type);
    if (!entry) {
      configErrors.push(`${type}: ${noEntryText(type)}`);
      continue;
    }
    plan.entries[type] = entry.fc;
    const parts: Part[] = [];
    try {
      for (const fc of entry.parts) parts.push({ ...(await partFiles(job, type, fc)), ...(entry.parts.length > 1 ? { fc } : {}) });
    } catch (e) {
      errors.push(`${type}: ${errText(e)}`);
      continue;
    }
    await setFiles(type, parts);
    if (entry.from !== type) notes.push(`${type}: read from the files.${entry.from} files (the config has no files.${type} entry)`);
    try {
      await checkFeeds(spec.source, type, plan.filesByType.get(type)!, entry.fc);
    } catch (e) {
      configErrors.push(`${type}: ${errText(e)}`);
      continue;
    }
    if (type === 'bars') {
      try {
        plan.bar = await resolveBarSpec(plan.filesByType.get(type)!, entry.fc, spec.barType);
      } catch (e) {
        configErrors.push(`bars: ${errText(e)}`);
      }
    }
  }
  if (configErrors.length) throw new Error(configErrors.join('; '));
  return plan;
}
