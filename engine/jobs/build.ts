// A build job: source files -> validated, deduplicated, sorted rows -> one Parquet file per data
// type and UTC day, each committed atomically; a run report and a rejects file beside the catalog.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { JobSpec, type DataType, type FileConfig, type JobSpecInput } from '../../shared/job.js';
import type { ProgressEvent } from '../../shared/progress.js';
import type { DayReport, FileReport, RunReport } from '../../shared/report.js';
import { JobError, assertNoLinks, removeQuietly, writeErrnoText, writeFileAtomic } from '../catalog/atomic.js';
import { realPath } from '../catalog/atomic.js';
import { commitCatalogFile, forgetCatalogFiles } from '../catalog/manifest.js';
import { folderSignature, overlaps, scanFolder } from '../catalog/existing.js';
import { Ownership, applyJournal, runJournal } from '../catalog/owned.js';
import { fixedMode } from '../numbers/fixed.js';
import { instrumentBatch, instrumentId, resolveInstrument, type Instrument } from '../catalog/instruments.js';
import { StreamingParquetWriter, readParquetInfo } from '../parquet/parquet.js';
import { NS_PER_DAY, STATE_DIR, dayInterval, dayStartNs, daysBetween, fileName, nsToIso, uriSafe } from '../catalog/paths.js';
import { CRYPTO_PERPETUAL, DATA_TYPE_MODULES, KEY_CLASS, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, TYPE_FOLDER, dataTypeOf } from '../datatypes/index.js';
import { Normalizer } from '../normalize/normalizer.js';
import { RejectSink } from '../normalize/rejects.js';
import { readerFor } from '../sources/index.js';
import { readWebsocketTargets } from '../sources/websocket/index.js';
import { tardisFiles } from '../sources/tardis/index.js';
import { DaySink, OutputError } from './daysink.js';
import { checkFeeds, entryFor, noEntryText } from './feeds.js';
import { resolveFiles } from './files.js';
import { expandInputs, type Input } from './inputs.js';
import { takeLock } from './lock.js';

export interface BuildOptions {
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  /** bytes of buffered rows before days spill to disk (tests lower it to exercise spilling) */
  bufferBudget?: number;
  /** owner of the catalog's lock and name of the job's temp folder (the service's job id); default: the run id */
  jobId?: string;
}

export class JobCancelled extends Error {
  constructor() {
    super('the job was cancelled');
  }
}

const TYPE_ORDER: DataType[] = DATA_TYPE_MODULES.map((m) => m.type);
export { STATE_DIR };
/** the renames of an all-or-nothing commit, in the state folder while it is under way (owned.ts) */
const COMMIT_JOURNAL = 'commit.json';

function errText(e: unknown): string {
  // A day's file failed to write while reading: the cause is what the user needs (the caller names the file).
  if (e instanceof OutputError) return errText(e.cause);
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'file not found';
    const writeText = writeErrnoText(e);
    if (writeText) return writeText;
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message)) return 'compressed data is truncated (unexpected end of file)';
    if (code === 'Z_DATA_ERROR') return `compressed data is corrupt (${e.message})`;
    if (code === 'ENOTDIR') return `not a folder: ${(e as NodeJS.ErrnoException).path ?? e.message}`;
    return e.message;
  }
  return String(e);
}

/**
 * Checks that no folder the job will create, write or delete in leads out of the catalog through a
 * symbolic link, takes the catalog's lock, and clears the temporary files of jobs that died (the
 * lock is ours, so no other job is alive). A refused job has written nothing but the state folder.
 */
async function openCatalog(out: string, jobId: string, paths: { stateDir: string; runDir: string; tmpRoot: string; tmpDir: string; folders: string[] }): Promise<() => Promise<void>> {
  const { stateDir, runDir, tmpRoot, tmpDir, folders } = paths;
  const cannot = (e: unknown) => new JobError(`cannot write to the output folder ${out}: ${errText(e)} (${(e as Error).message})`);
  try {
    await mkdir(out, { recursive: true });
  } catch (e) {
    throw cannot(e);
  }
  for (const p of [runDir, tmpDir, ...folders]) await assertNoLinks(out, p);
  try {
    await mkdir(stateDir, { recursive: true });
  } catch (e) {
    throw cannot(e);
  }
  const unlock = await takeLock(stateDir, realPath(out), jobId);
  const journal = join(stateDir, COMMIT_JOURNAL);
  try {
    // A job stopped while committing a precision change: complete it before anything else.
    await applyJournal(journal, await Ownership.open(out, stateDir));
  } catch (e) {
    await unlock();
    throw new JobError(`completing the interrupted commit ${journal} failed: ${errText(e)}`);
  }
  try {
    await mkdir(runDir, { recursive: true });
    // fs.rm removes a link found in tmp/ itself and never follows one (tmp/ itself was checked above).
    for (const old of await readdir(tmpRoot).catch(() => [] as string[])) if (old !== jobId) await removeQuietly(join(tmpRoot, old));
    await mkdir(tmpDir, { recursive: true });
  } catch (e) {
    await unlock();
    throw cannot(e);
  }
  return unlock;
}

export async function runBuild(input: JobSpecInput, opts: BuildOptions = {}): Promise<RunReport> {
  const spec = JobSpec.parse(input);
  const emit = opts.onProgress ?? (() => undefined);
  const signal = opts.signal;
  const fm = fixedMode(spec.precisionMode);
  const out = resolve(spec.output);
  const stateDir = join(out, STATE_DIR);
  const runId = new Date().toISOString().replace(/[:.]/g, '-') + '-' + randomBytes(3).toString('hex');
  const runDir = join(stateDir, 'runs', runId);
  const tmpRoot = join(stateDir, 'tmp');
  const jobId = opts.jobId ?? runId;
  const tmpDir = join(tmpRoot, jobId);
  const configDir = spec.configDir ?? process.cwd();
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  const errors: string[] = [];
  const files: FileReport[] = [];
  const dayReports: DayReport[] = [];
  const days = daysBetween(spec.start, spec.end);
  const startDay = Number(dayStartNs(spec.start) / NS_PER_DAY);

  const idFolder0 = uriSafe(instrumentId(spec.symbol, spec.exchange));
  const folders = Object.values(TYPE_FOLDER).map((f) => join(out, 'data', f, idFolder0));
  const unlock = await openCatalog(out, jobId, { stateDir, runDir, tmpRoot, tmpDir, folders });
  const rejects = new RejectSink(join(runDir, 'rejects.jsonl'));
  emit({ kind: 'job', state: 'started' });

  let instrument: (Instrument & { source: string }) | null = null;
  let instrumentFile: string | undefined;
  let cancelled = false;
  /** a commit journal still needs the job's temporary files */
  let keepTmp = false;
  /** the job stopped part-way (cancelled, or an error no file or day could take) */
  let stopped = false;
  // Days of the data type in progress; on any exit they release their writers and temp files.
  let openSinks: DaySink[] = [];
  try {
    // Files per data type, resolved up front so a missing file is reported before any work.
    const filesByType = new Map<DataType, Input[]>();
    // The config entry read for each type (its own, or for mark/funding the other's: engine/jobs/feeds.ts).
    const entries: Partial<Record<DataType, FileConfig>> = {};
    const configErrors: string[] = [];
    const setFiles = async (type: DataType, paths: string[]) => {
      const { inputs, notes: skipped } = await expandInputs(paths, spec.source);
      notes.push(...skipped.map((n) => `${type}: ${n}`));
      filesByType.set(type, inputs);
    };
    // Tardis: the files are downloaded into the cache first (fatal errors such as no access throw).
    const tardis = spec.source === 'tardis' ? await tardisFiles(spec, TYPE_ORDER.filter((t) => spec.dataTypes.includes(t)), { signal, configDir, emit }) : null;
    for (const type of TYPE_ORDER) {
      if (!spec.dataTypes.includes(type)) continue;
      const got = tardis?.get(type);
      if (got) {
        errors.push(...got.errors.map((e) => `${type}: ${e}`));
        notes.push(...got.notes);
        await setFiles(type, got.files);
        entries[type] = spec.config.files[type];
        continue;
      }
      const entry = entryFor(spec.config, type);
      if (!entry) {
        configErrors.push(`${type}: ${noEntryText(type)}`);
        continue;
      }
      entries[type] = entry.fc;
      let paths: string[];
      try {
        paths = await resolveFiles(entry.fc.file_path, spec.config.base_path, configDir);
      } catch (e) {
        errors.push(`${type}: ${errText(e)}`);
        continue;
      }
      await setFiles(type, paths);
      if (entry.from !== type) notes.push(`${type}: read from the files.${entry.from} files (the config has no files.${type} entry)`);
      try {
        await checkFeeds(spec.source, type, filesByType.get(type)!, entry.fc);
      } catch (e) {
        configErrors.push(`${type}: ${errText(e)}`);
      }
    }
    // A data type the config cannot feed stops the job here, before any file is written.
    if (configErrors.length) throw new Error(configErrors.join('; '));

    // Instrument precision: preset or overrides, else a first pass over the data.
    let fromData: { price: number; size: number } | undefined;
    try {
      instrument = resolveInstrument(spec.symbol, spec.exchange, { price: spec.pricePrecision, size: spec.sizePrecision });
    } catch {
      // The first type (in job order) whose values are on the instrument's price grid; its sizes too, if it has them.
      const scanMod = DATA_TYPE_MODULES.find((m) => m.instrumentPrecision.price && filesByType.has(m.type));
      if (!scanMod) throw new Error(`no preset for ${spec.symbol}: pass --price-precision and --size-precision`);
      const scanType = scanMod.type;
      const scan = new Normalizer({ type: scanType, fm, symbol: spec.symbol, pricePrecision: 0, sizePrecision: 0, startDay, sinks: days.map((d) => scratchSink(d)), rejects: null, scan: true });
      // Why files could not be read: with no rows to infer from, that is the error the user needs.
      const unreadable: string[] = [];
      for (const f of filesByType.get(scanType)!) {
        if (f.error) continue;
        scan.startFile(f.label, f.identity);
        await readerFor(spec.source)(f.path, scanType, entries[scanType], scan, { signal, member: f.member }).catch((e: unknown) => {
          if (signal?.aborted) throw e;
          unreadable.push(`${f.label}: ${errText(e)}`);
        });
      }
      fromData = { price: spec.pricePrecision ?? scan.maxPriceDecimals, size: spec.sizePrecision ?? (scanMod.instrumentPrecision.size ? scan.maxSizeDecimals : 0) };
      if (fromData.price < 0) {
        const why = unreadable.length ? `${scanType}: ${unreadable.join('; ')}; so there ` : 'there ';
        throw new Error(`${why}are no valid ${scanType} rows in ${spec.start}..${spec.end} to infer the precision of ${spec.symbol} from (no preset for it); pass --price-precision and --size-precision`);
      }
      instrument = resolveInstrument(spec.symbol, spec.exchange, { price: spec.pricePrecision, size: spec.sizePrecision }, fromData);
    }
    if (instrument.pricePrecision > fm.F || instrument.sizePrecision > fm.F) {
      throw new Error(`precision ${Math.max(instrument.pricePrecision, instrument.sizePrecision)} is above ${fm.F}, the most a ${fm.mode}-bit catalog holds`);
    }
    const inst = instrument;
    const idFolder = uriSafe(inst.id);

    // The instrument file: written once; an existing one must agree with this job's precision.
    const owned = await Ownership.open(out, stateDir);
    /** Just before a file is renamed into the catalog: its folder still leads nowhere else. */
    const checkLinks = (dest: string) => assertNoLinks(out, dirname(dest));
    const instDir = join(out, 'data', TYPE_FOLDER.instrument, idFolder);
    const instState = await scanFolder(instDir);
    const instSig = await folderSignature(instState);
    const ts0 = dayStartNs(spec.start);
    const changes = !instSig || instSig.meta.get('price_precision') !== String(inst.pricePrecision) || instSig.meta.get('size_precision') !== String(inst.sizePrecision);
    if (instSig && changes && !spec.overwrite) {
      const pp = Number(instSig.meta.get('price_precision')), sp = Number(instSig.meta.get('size_precision'));
      throw new Error(`the catalog's instrument ${inst.id} (${instSig.file}) has price/size precision ${pp}/${sp}, this job uses ${inst.pricePrecision}/${inst.sizePrecision}; use the same precision, another output folder, or --overwrite`);
    }
    if (changes) {
      // Checked before anything is written: a new precision must suit every file that stays.
      const replaced = async (type: DataType, f: { path: string }) => spec.overwrite && filesByType.has(type) &&
        days.some((d) => f.path === join(out, 'data', TYPE_FOLDER[type], idFolder, fileName(dayInterval(d).start, dayInterval(d).end))) && (await owned.owns(f.path));
      const bad = await disagreements(out, idFolder, inst, instState.files, owned, replaced);
      if (bad.length) {
        throw new JobError(`the instrument ${inst.id} would get price/size precision ${inst.pricePrecision}/${inst.sizePrecision}, but files this job does not replace disagree: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? ` (and ${bad.length - 3} more)` : ''}; nothing was changed. Keep the catalog's precision, or rewrite every day and data type of the instrument in one job with --overwrite`);
      }
    }
    // A change of an existing instrument's precision is all or nothing: the instrument and every day
    // are committed together at the end, only if every day was written (see commitStaged).
    const staging = !!instSig && changes;
    let instrumentTmp: string | undefined;
    let placeInstrument: (() => Promise<void>) | undefined;
    const instrumentDest = join(instDir, fileName(ts0, ts0));
    if (!instSig || spec.overwrite) {
      const dest = instrumentDest;
      if (instState.files.some((f) => f.path === dest) && !(await owned.owns(dest))) {
        // Another writer's instrument under this name (its precision agrees, checked above): kept.
        notes.push(`${dest} was not written by catalog-builder: left as it is`);
      } else {
        const tmp = join(tmpDir, 'instrument.parquet.tmp');
        try {
          const w = new StreamingParquetWriter(tmp, { codec: spec.compression, rowGroupSize: 1000, keyValue: new Map([[KEY_CLASS, CRYPTO_PERPETUAL.className]]) });
          const batch = instrumentBatch(inst, ts0);
          await w.write(batch);
          await w.close();
        } catch (e) {
          await removeQuietly(tmp);
          throw new Error(`writing ${dest} failed: ${errText(e)}`);
        }
        instrumentTmp = tmp;
      }
      placeInstrument = async () => {
        if (instrumentTmp) {
          await checkLinks(dest);
          await commitCatalogFile(instrumentTmp, dest).catch((e) => Promise.reject(new Error(`writing ${dest} failed: ${errText(e)}`)));
        }
        // Our earlier instrument files are superseded; other writers' files are never deleted.
        for (const f of instState.files) {
          if (f.path === dest) continue;
          if (await owned.owns(f.path)) {
            await removeQuietly(f.path);
            await forgetCatalogFiles([f.path]);
          } else notes.push(`${f.path} was not written by catalog-builder: left untouched`);
        }
        instrumentFile = dest;
      };
    } else {
      instrumentFile = join(instDir, instState.files[0]!.name);
    }
    if (!staging) await placeInstrument?.();

    // Every data type's days and normaliser first; then the files are read (a capture file that feeds
    // several types once for all of them), then each type's days are written and committed.
    const runs: TypeRun[] = [];
    for (const type of TYPE_ORDER) {
      const typeFiles = filesByType.get(type);
      if (!typeFiles) continue;
      signal?.throwIfAborted();
      const meta = { instrumentId: inst.id, pricePrecision: inst.pricePrecision, sizePrecision: inst.sizePrecision };
      const mod = dataTypeOf(type);
      const schema = mod.schema(fm, meta);
      const ctx = { type, fm, layout: mod.layout(fm), schema, tmpDir, codec: spec.compression, rowGroupSize: spec.rowGroupSize,
        beforeCommit: checkLinks, deferCommit: staging };
      const folder = join(out, 'data', mod.folder, idFolder);
      const existing = await scanFolder(folder);
      if (existing.foreign.length) {
        notes.push(`${type}: ${folder} holds files not named <start>_<end>.parquet, left untouched (Nautilus's v1 catalog fails on such names): ${existing.foreign.join(', ')}`);
      }
      // --overwrite replaces only our own files; the files that stay must suit this job's files.
      const ours = new Set<string>();
      if (spec.overwrite) for (const f of existing.files) if (await owned.owns(f.path)) ours.add(f.path);
      const dests = new Set(days.map((d) => join(folder, fileName(dayInterval(d).start, dayInterval(d).end))));
      const sig = await folderSignature({ files: existing.files.filter((f) => !(ours.has(f.path) && dests.has(f.path))), foreign: [] });
      const typeError = sig ? mod.incompatibility(folder, sig, fm, meta) : null;
      const sinks: DaySink[] = days.map((day) => {
        const iv = dayInterval(day);
        const dest = join(folder, fileName(iv.start, iv.end));
        const sink = new DaySink(ctx, day, dest);
        const same = existing.files.find((f) => f.path === dest);
        const clash = existing.files.filter((f) => f.path !== dest && overlaps(f, iv));
        if (typeError) {
          sink.state = 'failed';
          sink.error = typeError;
        } else if (clash.length) {
          sink.state = 'failed';
          sink.error = `overlaps existing file(s) ${clash.map((f) => f.name).join(', ')} in ${folder}; nothing was written for this day`;
        } else if (same && !spec.overwrite) {
          sink.state = 'skipped';
        } else if (same && !ours.has(same.path)) {
          sink.state = 'failed';
          sink.error = `${same.path} was not written by catalog-builder; --overwrite replaces only files it wrote, so this day was left as it is`;
        }
        return sink;
      });
      if (typeError) errors.push(`${type}: ${typeError}`);
      for (const s of sinks) {
        if (s.state === 'skipped') emit({ kind: 'day', dataType: type, day: s.day, state: 'skipped', rows: 0, fraction: 1, rowsPerSec: 0, etaSec: null });
      }
      const active = sinks.filter((s) => s.state === 'pending');
      const norm = new Normalizer({
        type, fm, symbol: spec.symbol, pricePrecision: inst.pricePrecision, sizePrecision: inst.sizePrecision,
        startDay, sinks, rejects, bufferBudget: opts.bufferBudget,
      });
      runs.push({ type, files: typeFiles, sinks, active, norm, failedFiles: new Set<string>() });
      openSinks = runs.flatMap((r) => r.sinks);
    }

    for (const group of readGroups(runs, spec.source)) {
      await readGroup(group);
      for (const run of group) await finishRun(run);
    }
    if (staging) await commitStaged();

    /** Commits the staged instrument and days of a precision change, or (if anything failed) none. */
    async function commitStaged(): Promise<void> {
      const staged = openSinks.filter((s) => s.staged);
      if (errors.length) {
        const why = `not written: the instrument's precision changes only if every day is written, and ${errors.length} error(s) occurred (${errors[0]})`;
        for (const s of staged) {
          await s.discard();
          s.state = 'failed';
          s.error = why;
          const rep = dayReports.find((d) => d.dataType === s.ctx.type && d.day === s.day)!;
          Object.assign(rep, { state: 'failed', written: 0, discarded: s.stats.discarded, file: undefined, error: why });
          emit({ kind: 'day', dataType: s.ctx.type, day: s.day, state: 'failed', rows: s.stats.read, written: 0, fraction: 1, rowsPerSec: 0, etaSec: 0, error: why });
        }
        if (staged.length) errors.push(`${staged.length} day(s) written at the new precision were discarded; the catalog is as it was`);
        return;
      }
      // Through a journal: a job stopped part-way is completed by the next one (openCatalog).
      const moves: [string, string][] = staged.map((s) => [s.tmpPath, s.dest]);
      if (instrumentTmp) moves.unshift([instrumentTmp, instrumentDest]);
      const others = instState.files.map((f) => f.path).filter((p) => p !== instrumentDest);
      for (const f of others) if (!(await owned.owns(f))) notes.push(`${f} was not written by catalog-builder: left untouched`);
      // From here the journal owns the staged files: they stay in tmp/ until moved.
      for (const s of staged) s.staged = false;
      keepTmp = true;
      const path = join(stateDir, COMMIT_JOURNAL);
      try {
        await runJournal(path, { moves, removes: others }, owned);
      } catch (e) {
        throw new Error(`committing the new precision stopped part-way: ${errText(e)}; the next job on this catalog completes it (${path})`);
      }
      keepTmp = false;
      instrumentFile = instrumentDest;
    }

    /** Reads the group's files (the same list for each of its types) into their normalisers. */
    async function readGroup(group: TypeRun[]): Promise<void> {
      const reading = group.filter((r) => r.active.length);
      if (!reading.length) return;
      const reports = new Map<TypeRun, FileReport[]>(reading.map((r) => [r, []]));
      try {
        for (const input of reading[0]!.files) {
          signal?.throwIfAborted();
          // A zip member is its own input, named archive.zip:member in reports, rejects and errors.
          const f = input.label;
          const t0 = performance.now();
          let lastEmit = 0;
          const fileSize = (await stat(input.path).catch(() => null))?.size ?? 0;
          const each = reading.map((run) => {
            const report: FileReport = { dataType: run.type, path: f, format: '?', compression: '?', rows: 0, outOfRange: 0, rejected: 0, notes: [] };
            reports.get(run)!.push(report);
            return { run, report, counters: run.norm.startFile(f, input.identity) };
          });
          const onBatch = async (read: number, total: number) => {
            for (const { run } of each) await run.norm.relieve();
            const now = performance.now();
            if (now - lastEmit < 100) return;
            lastEmit = now;
            const secs = (now - t0) / 1000;
            const frac = total ? Math.min(1, read / total) : 0;
            for (const { run, counters } of each) {
              const rate = counters.rows / Math.max(secs, 1e-3);
              const eta = frac > 0.01 ? (secs / frac) * (1 - frac) : null;
              emit({ kind: 'file', dataType: run.type, path: f, bytesRead: read, bytesTotal: total, rows: counters.rows, rowsPerSec: rate, etaSec: eta, state: 'reading' });
              for (const s of run.active) {
                if (!s.sources.has(f)) continue;
                s.state = 'reading';
                emit({ kind: 'day', dataType: run.type, day: s.day, state: 'reading', rows: s.stats.read, fraction: frac * 0.9, rowsPerSec: rate, etaSec: eta });
              }
            }
          };
          try {
            if (input.error) throw new Error(input.error);
            const hooks = { signal, onBatch, member: input.member };
            const results = each.length === 1
              ? [await readerFor(spec.source)(input.path, each[0]!.run.type, entries[each[0]!.run.type], each[0]!.run.norm, hooks)]
              : await readWebsocketTargets(input.path, each.map(({ run }) => ({ type: run.type, norm: run.norm })), hooks);
            each.forEach(({ run, report, counters }, i) => {
              const res = results[i]!;
              Object.assign(report, { format: res.format, compression: res.compression, notes: res.notes });
              emit({ kind: 'file', dataType: run.type, path: f, format: res.label, bytesRead: fileSize, bytesTotal: fileSize, rows: counters.rows, rowsPerSec: 0, etaSec: 0, state: 'done' });
            });
          } catch (e) {
            if (signal?.aborted) throw e;
            for (const { run, report, counters } of each) {
              report.error = e instanceof OutputError ? `${f}: reading stopped, writing ${e.dest} failed: ${errText(e)}` : `${f}: ${errText(e)}`;
              errors.push(`${run.type}: ${report.error}`);
              run.failedFiles.add(f);
              emit({ kind: 'file', dataType: run.type, path: f, bytesRead: 0, bytesTotal: fileSize, rows: counters.rows, rowsPerSec: 0, etaSec: null, state: 'failed', error: report.error });
            }
          }
          for (const { report, counters } of each) Object.assign(report, { rows: counters.rows, outOfRange: counters.outOfRange, rejected: counters.rejected });
        }
      } finally {
        // File reports in data-type order, as when each type read its files in turn.
        for (const r of reading) files.push(...reports.get(r)!);
      }
    }

    /** Fails the days fed by unreadable files, then writes and commits the type's days. */
    async function finishRun(run: TypeRun): Promise<void> {
      const { type, sinks, active, failedFiles } = run;
      // A day fed by a file that failed part-way would be silently incomplete: fail it instead.
      for (const s of active) {
        const bad = [...s.sources].filter((f) => failedFiles.has(f));
        if (bad.length) {
          s.state = 'failed';
          s.error = `incomplete: ${bad.join(', ')} could not be read to the end`;
          await s.discard();
        } else if (failedFiles.size && s.stats.read === 0) {
          // No rows at all, but a file that stopped early may have held this day's rows.
          s.state = 'failed';
          s.error = `no rows, and ${[...failedFiles].join(', ')} could not be read (it may hold rows of this day)`;
        }
      }
      for (const s of sinks) {
        signal?.throwIfAborted();
        if (s.state === 'pending' || s.state === 'reading') {
          const t0 = performance.now();
          emit({ kind: 'day', dataType: type, day: s.day, state: 'writing', rows: s.stats.read, written: 0, fraction: 0.9, rowsPerSec: 0, etaSec: null });
          try {
            let last = 0;
            await s.finalize((written, total) => {
              const now = performance.now();
              if (now - last < 100) return;
              last = now;
              const rate = written / Math.max((now - t0) / 1000, 1e-3);
              emit({ kind: 'day', dataType: type, day: s.day, state: 'writing', rows: s.stats.read, written, fraction: 0.9 + 0.1 * (written / total), rowsPerSec: rate, etaSec: (total - written) / Math.max(rate, 1) });
            });
            if (s.stats.written === 0) s.error = 'no rows for this day';
          } catch (e) {
            if (signal?.aborted) throw e;
            s.state = 'failed';
            s.error = `writing ${s.dest} failed: ${errText(e)}`;
          }
        }
        if (s.state === 'failed') errors.push(`${type} ${s.day}: ${s.error}`);
        emit({ kind: 'day', dataType: type, day: s.day, state: s.state, rows: s.stats.read, written: s.stats.written, fraction: 1, rowsPerSec: 0, etaSec: 0, error: s.error, file: s.stats.written ? s.dest : undefined });
        dayReports.push({
          dataType: type, day: s.day, state: s.state === 'skipped' ? 'skipped' : s.state === 'failed' ? 'failed' : 'done',
          read: s.stats.read, written: s.stats.written, duplicates: s.stats.duplicates, skipped: s.stats.skipped, rejected: s.stats.rejected,
          existing: s.stats.existing, discarded: s.stats.discarded,
          file: s.stats.written ? s.dest : s.state === 'skipped' ? s.dest : undefined, error: s.error,
          firstTsInit: s.firstTs !== undefined ? nsToIso(s.firstTs) : undefined, lastTsInit: s.lastTs !== undefined ? nsToIso(s.lastTs) : undefined,
        });
        // A cancel during the day's write stops here, with the finished day reported.
        signal?.throwIfAborted();
      }
    }
  } catch (e) {
    stopped = true;
    if (signal?.aborted) {
      cancelled = true;
      errors.push('cancelled');
    } else {
      errors.push(errText(e));
    }
  } finally {
    for (const s of openSinks) if ((s.state !== 'done' && s.state !== 'skipped') || s.staged) await s.discard().catch(() => undefined);
    await rejects.close().catch(() => undefined);
    if (rejects.error) errors.push(`the rejects file ${rejects.path} could not be written: ${errText(rejects.error)}`);
    if (!keepTmp) await removeQuietly(tmpDir);
  }

  const sum = (f: (d: DayReport) => number) => dayReports.reduce((a, d) => a + f(d), 0);
  const totals: RunReport['totals'] = {
    read: files.reduce((a, f) => a + f.rows, 0), written: sum((d) => d.written), duplicates: sum((d) => d.duplicates),
    rejected: files.reduce((a, f) => a + f.rejected, 0), outOfRange: files.reduce((a, f) => a + f.outOfRange, 0),
    skipped: sum((d) => d.skipped), existing: sum((d) => d.existing), discarded: sum((d) => d.discarded),
    skippedDays: dayReports.filter((d) => d.state === 'skipped').length, failedDays: dayReports.filter((d) => d.state === 'failed').length,
  };
  // A job stopped part-way has unreported days: its counts are not expected to add up.
  if (!stopped) errors.push(...accountingErrors(dayReports, totals));
  errors.push(...rejectRatioErrors(files, spec.maxRejectRatio));
  const report: RunReport = {
    runId, startedAt, finishedAt: new Date().toISOString(), ok: errors.length === 0,
    job: { ...spec, config: { ...spec.config, api_key: spec.config.api_key ? '(set)' : undefined } },
    instrument: instrument
      ? { id: instrument.id, pricePrecision: instrument.pricePrecision, sizePrecision: instrument.sizePrecision, precisionSource: instrument.source, file: instrumentFile }
      : { id: '', pricePrecision: -1, sizePrecision: -1, precisionSource: 'none' },
    files, days: dayReports, totals,
    rejectsFile: rejects.count && !rejects.error ? rejects.path : undefined,
    notes, errors,
  };
  // Written while the job still holds the lock, whole or not at all; last-run.json only ever points to a report that was written.
  try {
    await writeFileAtomic(join(runDir, 'report.json'), JSON.stringify(report, null, 2));
    await writeFileAtomic(join(stateDir, 'last-run.json'), JSON.stringify({ runId, report: join(runDir, 'report.json') }));
  } catch (e) {
    errors.push((e as Error).message);
    report.ok = false;
  } finally {
    await unlock();
  }
  emit({ kind: 'job', state: cancelled ? 'cancelled' : report.ok ? 'done' : 'failed', message: errors[0] });
  if (cancelled) throw Object.assign(new JobCancelled(), { report });
  return report;
}

/**
 * Files of the instrument that would disagree with `inst`: data files this job does not replace (of
 * the types whose metadata records the instrument's precisions), and other writers' instrument
 * files. Each named with the precision it holds.
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
    for (const f of (await scanFolder(join(out, 'data', m.folder, idFolder))).files) {
      if (!(await replaced(m.type, f))) await check(f.path, !!m.instrumentPrecision.size);
    }
  }
  return found;
}

/**
 * Rows that are in no bucket, or in two, are a bug that would lose rows silently: it fails the run
 * loudly instead (the invariant of RunReport['totals']).
 */
export function accountingErrors(days: DayReport[], t: RunReport['totals']): string[] {
  const out: string[] = [];
  for (const d of days) {
    const rejected = Object.values(d.rejected).reduce((a, b) => a + b, 0);
    const sum = d.written + d.duplicates + d.skipped + rejected + d.existing + d.discarded;
    if (sum !== d.read) {
      out.push(`${d.dataType} ${d.day}: rows do not add up (read ${d.read}; written ${d.written}, duplicates ${d.duplicates}, no value ${d.skipped}, rejected ${rejected}, existing ${d.existing}, discarded ${d.discarded}): an internal error, please report it`);
    }
  }
  const sum = t.written + t.duplicates + t.rejected + t.outOfRange + t.skipped + t.existing + t.discarded;
  if (sum !== t.read) {
    out.push(`rows do not add up (read ${t.read}; written ${t.written}, duplicates ${t.duplicates}, rejected ${t.rejected}, outside the range ${t.outOfRange}, no value ${t.skipped}, existing ${t.existing}, discarded ${t.discarded}): an internal error, please report it`);
  }
  return out;
}

/** A share as a percent with one decimal, or two significant digits when that would show 0.0 (2 of 50,003: 0.0040). */
function sharePct(part: number, whole: number): string {
  const pct = (100 * part) / whole;
  return pct > 0 && pct < 0.05 ? pct.toPrecision(2) : pct.toFixed(1);
}

/** Files with a larger share of rejected rows than the job allows: the run did not get what they meant. */
function rejectRatioErrors(files: FileReport[], max: number): string[] {
  return files.filter((f) => f.rows > 0 && f.rejected > max * f.rows).map((f) =>
    `${f.dataType}: ${f.path}: ${f.rejected} of ${f.rows} rows rejected (${sharePct(f.rejected, f.rows)}%), more than the allowed ${+(100 * max).toFixed(4)}% (max reject ratio ${max}); the reasons are in the rejects file`);
}

/** One data type of a job: its days, its normaliser, the files it reads. */
interface TypeRun {
  type: DataType;
  files: Input[];
  sinks: DaySink[];
  active: DaySink[];
  norm: Normalizer;
  failedFiles: Set<string>;
}

/**
 * Types read together: capture files feed several types (aggTrade -> trades, markPriceUpdate -> mark
 * and funding), so types of the WebSocket source with the same file list read them once. CSV files
 * hold one type each: every type reads its own.
 */
function readGroups(runs: TypeRun[], source: string): TypeRun[][] {
  if (source !== 'websocket') return runs.map((r) => [r]);
  const groups: TypeRun[][] = [];
  for (const r of runs) {
    const same = r.active.length ? groups.find((g) => g[0]!.active.length && g[0]!.files.map((f) => f.label).join('\n') === r.files.map((f) => f.label).join('\n')) : undefined;
    if (same) same.push(r);
    else groups.push([r]);
  }
  return groups;
}

/** A sink that only counts (precision scan). */
function scratchSink(day: string): DaySink {
  const fm = fixedMode(128);
  const m = DATA_TYPE_MODULES[0]!;
  const s = new DaySink({ type: m.type, fm, layout: m.layout(fm), schema: m.schema(fm, { instrumentId: 'X', pricePrecision: 0, sizePrecision: 0 }), tmpDir: '', codec: 'zstd', rowGroupSize: 1 }, day, '');
  s.state = 'skipped';
  return s;
}

