// Reads a catalog back and checks every file against the format (spec §2-8): names, intervals,
// order, schema, metadata, precision width and agreement with the instrument; and against damage:
// magic bytes, every page decoded, statistics against the values (check-file.ts), the manifest of
// the files this tool wrote (manifest.ts), and an instrument for every data folder. Every Parquet
// read runs on a reader thread (read-pool.ts): a file that crashes the reader is that file's error.
import { INSTRUMENT_FOLDERS } from '../../shared/report.js';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { overlaps, scanFolder } from './existing.js';
import { hashFile, readManifest, type FileHash, type Manifest } from './manifest.js';
import { STATE_DIR, uriSafe, nsToIso } from './paths.js';
import type { FileCheckResult } from './check-file.js';
import { checkFileIsolated, readInstrumentIsolated } from '../parquet/read-pool.js';
import {
  CRYPTO_PERPETUAL, FOLDER_SPECS, INSTRUMENT_MODULES, KEY_BAR_TYPE, KEY_CLASS, KEY_INSTRUMENT_ID, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, KEY_TYPE,
  folderSpecOf, type FolderSpec,
} from '../datatypes/index.js';

export interface VerifySummary {
  type: string;
  identifier: string;
  files: number;
  rows: number;
  first?: string;
  last?: string;
  precisionBits?: number;
}

export interface VerifyResult {
  ok: boolean;
  errors: string[];
  warnings: string[];
  /** facts that are not problems, e.g. files another program (NautilusTrader) wrote */
  info: string[];
  summary: VerifySummary[];
}

/** Data folders whose rows belong to an instrument: NautilusTrader needs its definition to use them. */
const NEEDS_INSTRUMENT = new Set([
  ...FOLDER_SPECS.filter((s) => s.needsInstrument).map((s) => s.folder),
  // NautilusTrader's other instrument data, whose schema this tool does not check
  'index_price_update', 'order_book_delta', 'order_book_depth10', 'instrument_status', 'instrument_close',
]);

async function listDirs(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const n of names.sort()) if ((await stat(join(dir, n))).isDirectory()) out.push(n);
  return out;
}

type Report = Pick<VerifyResult, 'errors' | 'warnings' | 'info'>;
type Instruments = Map<string, { price: number; size: number; file: string }>;

/** Instrument ids (folder-safe) with their precisions, from every instrument folder (spec §6). */
async function readInstruments(dataDir: string, r: Report): Promise<{ precisions: Instruments; ids: Set<string> }> {
  const precisions: Instruments = new Map();
  const ids = new Set<string>();
  for (const folder of INSTRUMENT_FOLDERS) {
    for (const id of await listDirs(join(dataDir, folder))) {
      const st = await scanFolder(join(dataDir, folder, id));
      if (st.files.length || st.foreign.length) ids.add(id);
      // Only the classes this tool writes are read for their precisions (the others: only that they exist).
      if (!INSTRUMENT_MODULES.some((m) => m.folder === folder)) continue;
      for (const f of st.files) {
        try {
          for (const row of await readInstrumentIsolated(f.path)) precisions.set(uriSafe(row.id), { price: row.price, size: row.size, file: f.path });
        } catch (e) {
          r.errors.push(`data/${folder}/${id}/${f.name}: cannot be read (${(e as Error).message})`);
        }
      }
    }
  }
  return { precisions, ids };
}

/** The instrument an identifier folder belongs to (e.g. a bar type's instrument). */
function instrumentOf(spec: FolderSpec | undefined, ident: string): string {
  return spec?.instrumentOf?.(ident) ?? ident;
}

interface FolderCtx {
  type: string;
  rel: string;
  spec: FolderSpec | undefined;
  inst: { price: number; size: number } | undefined;
}

/** The metadata precisions a folder's files record, with what a difference from the instrument means. */
const PRECISIONS = [
  { key: KEY_PRICE_PRECISION, of: 'price', consequence: ' (the backtest stops with a RuntimeError)' },
  { key: KEY_SIZE_PRECISION, of: 'size', consequence: '' },
] as const;

/** A file's precisions against its instrument's, as the folder's type rates a difference. */
function judgePrecision(where: string, spec: FolderSpec, meta: Map<string, string>, inst: { price: number; size: number }, r: Report): void {
  for (const { key, of, consequence } of PRECISIONS) {
    const severity = spec.instrumentPrecision[of];
    if (!severity || !meta.has(key)) continue;
    const got = Number(meta.get(key));
    if (got === inst[of]) continue;
    if (severity === 'error') r.errors.push(`${where}: ${key} ${got} differs from the instrument's ${inst[of]}${consequence}`);
    else r.warnings.push(`${where}: ${key} ${got} differs from the instrument's ${inst[of]}`);
  }
}

/** Schema, metadata and instrument agreement of one checked file (the reader thread did the rest). */
function judgeFile(c: FolderCtx, name: string, res: FileCheckResult, refMeta: { meta: Map<string, string>; file: string } | null, r: Report): Map<string, string> {
  const where = `${c.rel}/${name}`;
  const { type, spec, inst } = c;
  const w = res.width;
  const meta = new Map(res.meta);
  if (spec) {
    const want = spec.fields.map(([nm, t, nl]) => `${nm}:${t(w ?? 16)}:${nl ? 'null' : 'req'}`);
    if (res.fields.join(',') !== want.join(',')) r.errors.push(`${where}: schema differs from Nautilus's ${type} schema (got ${res.fields.join(', ')}; expected ${want.join(', ')})`);
    for (const k of spec.metaKeys) if (!meta.has(k)) r.errors.push(`${where}: schema metadata lacks "${k}" (inside ARROW:schema)`);
    for (const p of spec.metaProblems?.(meta) ?? []) r.errors.push(`${where}: ${p}`);
  }
  const idKey = spec?.idKey ?? KEY_INSTRUMENT_ID;
  const ident = c.rel.split('/').pop()!;
  if (meta.has(idKey) && uriSafe(meta.get(idKey)!) !== ident) r.errors.push(`${where}: metadata ${idKey} "${meta.get(idKey)}" does not match its folder "${ident}"`);
  if (refMeta) {
    for (const k of [KEY_INSTRUMENT_ID, KEY_BAR_TYPE, KEY_PRICE_PRECISION, KEY_SIZE_PRECISION, KEY_TYPE, KEY_CLASS]) {
      if (meta.get(k) !== refMeta.meta.get(k)) r.errors.push(`${c.rel}: metadata ${k} differs between ${refMeta.file} (${refMeta.meta.get(k)}) and ${name} (${meta.get(k)}); DataFusion cannot merge the folder`);
    }
  }
  if (inst && spec) judgePrecision(where, spec, meta, inst, r);
  r.errors.push(...res.errors);
  r.warnings.push(...res.warnings);
  return meta;
}

/** One identifier folder: names, intervals, every file checked on a reader thread, widths. */
async function checkFolder(dataDir: string, type: string, ident: string, instruments: Instruments, r: Report): Promise<VerifySummary> {
  const rel = `data/${type}/${ident}`;
  const dir = join(dataDir, type, ident);
  const st = await scanFolder(dir);
  for (const n of st.foreign) {
    r.errors.push(`${rel}/${n}: file name is not <start>_<end>.parquet (e.g. ${'2024-01-01T00-00-00-000000000Z_2024-01-01T23-59-59-999999999Z.parquet'}); Nautilus cannot place it in time and its v1 catalog fails to query a folder holding it`);
  }
  for (const n of (await readdir(dir)).filter((x) => !x.endsWith('.parquet'))) r.warnings.push(`${rel}/${n}: not a Parquet file; Nautilus ignores it`);
  for (let k = 1; k < st.files.length; k++) {
    const a = st.files[k - 1]!, b = st.files[k]!;
    if (overlaps(a, b)) r.errors.push(`${rel}: intervals of ${a.name} and ${b.name} overlap (Nautilus needs disjoint intervals; a shared end point counts)`);
  }
  const spec = folderSpecOf(type);
  const c: FolderCtx = { type, rel, spec, inst: instruments.get(instrumentOf(spec, ident)) };
  const sum: VerifySummary = { type, identifier: ident, files: st.files.length, rows: 0 };
  let firstTs: bigint | undefined, lastTs: bigint | undefined;
  const widths = new Map<number, string>();
  let refMeta: { meta: Map<string, string>; file: string } | null = null;
  // Queued at once: the reader threads work through them while the results are judged in order.
  const checks = st.files.map((f) => {
    const p = checkFileIsolated({ path: f.path, where: `${rel}/${f.name}`, type, start: f.start, end: f.end });
    p.catch(() => undefined);
    return p;
  });
  for (const [k, f] of st.files.entries()) {
    let res: FileCheckResult;
    try {
      res = await checks[k]!;
    } catch (e) {
      r.errors.push(`${rel}/${f.name}: cannot be read as Parquet (${(e as Error).message})`);
      continue;
    }
    if (res.width !== null) widths.set(res.width, f.name);
    const meta = judgeFile(c, f.name, res, refMeta, r);
    refMeta ??= { meta, file: f.name };
    sum.rows += res.rows;
    if (res.first !== undefined && (firstTs === undefined || res.first < firstTs)) firstTs = res.first;
    if (res.last !== undefined && (lastTs === undefined || res.last > lastTs)) lastTs = res.last;
  }
  if (widths.size > 1) {
    r.errors.push(`${rel}: mixes 64-bit and 128-bit files (${[...widths].map(([wd, n]) => `${n}: ${wd * 8}-bit`).join(', ')}); no Nautilus build reads both`);
  }
  if (widths.size === 1) sum.precisionBits = [...widths.keys()][0]! * 8;
  if (firstTs !== undefined) sum.first = nsToIso(firstTs);
  if (lastTs !== undefined) sum.last = nsToIso(lastTs);
  return sum;
}

/** Every file under data/ ('/' separated, relative to the catalog root). */
async function dataFiles(root: string, dir = 'data'): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, dir), { withFileTypes: true }).catch(() => [])) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...(await dataFiles(root, rel)));
    else if (e.name.endsWith('.parquet')) out.push(rel);
  }
  return out.sort();
}

/** Files against the manifest of what this tool wrote: missing, changed size or content, foreign. */
async function checkManifest(root: string, r: Report): Promise<void> {
  let manifest: Manifest | null;
  try {
    manifest = await readManifest(root);
  } catch (e) {
    r.errors.push(`${STATE_DIR}/manifest.json cannot be read (${(e as Error).message}); the files cannot be checked against what catalog-builder wrote`);
    manifest = new Map();
  }
  const present = await dataFiles(root);
  const foreign = new Map<string, string[]>();
  for (const rel of present) {
    const want = manifest?.get(rel);
    if (!want) {
      const folder = rel.slice(0, rel.lastIndexOf('/'));
      foreign.set(folder, [...(foreign.get(folder) ?? []), rel.slice(folder.length + 1)]);
      continue;
    }
    const got = await hashFile(join(root, rel)).catch((e: Error) => e);
    if (got instanceof Error) {
      r.errors.push(`${rel}: cannot be read to check it against the manifest (${got.message})`);
      continue;
    }
    // An interrupted commit (pending) leaves the new file or the one it was replacing.
    const same = (h?: FileHash) => !!h && h.size === got.size && h.sha256 === got.sha256;
    if (want.pending && (same(want) || same(want.prior))) {
      r.info.push(`${rel}: a run was interrupted while committing this file; it is the ${same(want) ? 'new' : 'previous'} version, complete`);
    } else if (got.size !== want.size) {
      r.errors.push(`${rel}: is ${got.size} bytes, catalog-builder wrote ${want.size} (manifest); the file was changed or damaged after it was written`);
    } else if (got.sha256 !== want.sha256) {
      r.errors.push(`${rel}: content differs from what catalog-builder wrote (SHA-256 ${got.sha256.slice(0, 16)}…, manifest ${want.sha256.slice(0, 16)}…); the file was changed or damaged after it was written`);
    }
  }
  const have = new Set(present);
  for (const [rel, e] of manifest ?? []) {
    // A pending new file that never landed is not missing: the interrupted day was simply not written.
    if (!have.has(rel) && !(e.pending && !e.prior)) r.errors.push(`${rel}: missing; catalog-builder wrote it (manifest) and it is no longer in the catalog`);
  }
  for (const [folder, names] of foreign) r.info.push(`${folder}: ${names.length} file(s) not written by catalog-builder (not in its manifest): ${names.join(', ')}`);
}

export async function verifyCatalog(root: string): Promise<VerifyResult> {
  const r: Report = { errors: [], warnings: [], info: [] };
  const summary: VerifySummary[] = [];
  const dataDir = join(root, 'data');
  if (!(await stat(dataDir).catch(() => null))?.isDirectory()) {
    return { ok: false, errors: [`${dataDir}: no data/ folder; not a Nautilus catalog`], warnings: r.warnings, info: r.info, summary };
  }
  const { precisions, ids } = await readInstruments(dataDir, r);
  for (const type of await listDirs(dataDir)) {
    if (!folderSpecOf(type)) r.warnings.push(`data/${type}: not a type this tool checks (schema not verified)`);
    const typeDir = join(dataDir, type);
    for (const n of await readdir(typeDir)) {
      if (n.endsWith('.parquet')) r.errors.push(`data/${type}/${n}: a data file must sit in an identifier folder (data/${type}/<instrument id>/)`);
    }
    for (const ident of await listDirs(typeDir)) {
      summary.push(await checkFolder(dataDir, type, ident, precisions, r));
      const inst = instrumentOf(folderSpecOf(type), ident);
      if (NEEDS_INSTRUMENT.has(type) && !ids.has(inst) && !precisions.has(inst)) {
        r.errors.push(`data/${type}/${ident}: missing instrument: no instrument file for ${inst} (e.g. data/${CRYPTO_PERPETUAL.folder}/${inst}/); NautilusTrader cannot use this data without it`);
      }
    }
  }
  await checkManifest(root, r);
  // All data must agree on one precision mode.
  const modes = new Set(summary.map((s) => s.precisionBits).filter((b) => b !== undefined));
  if (modes.size > 1) r.errors.push(`the catalog mixes 64-bit and 128-bit folders; a Nautilus build reads only one mode`);
  return { ok: r.errors.length === 0, errors: r.errors, warnings: r.warnings, info: r.info, summary };
}
