// Reads a catalog back and checks every file against the format (spec §2-8): names, intervals,
// order, schema, metadata, precision width and agreement with the instrument; and against damage:
// magic bytes, every page decoded, statistics against the values (check-file.ts), the manifest of
// the files this tool wrote (manifest.ts), and an instrument for every data folder. Every Parquet
// read runs on a reader thread (read-pool.ts): a file that crashes the reader is that file's error.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { overlaps, scanFolder } from './existing.js';
import { hashFile, readManifest, type FileHash, type Manifest } from './manifest.js';
import { STATE_DIR, uriSafe, nsToIso } from './paths.js';
import type { FileCheckResult } from './check-file.js';
import { checkFileIsolated, readInstrumentIsolated } from '../parquet/read-pool.js';

type Expected = { fields: [string, (w: number) => string, boolean][]; meta: string[]; pb?: { signed: string[]; unsigned: string[] } };
const PB = (w: number) => `FixedSizeBinary[${w}]`;
const c = (s: string) => () => s;

export const EXPECTED: Record<string, Expected> = {
  trade_tick: {
    fields: [['price', PB, false], ['size', PB, false], ['aggressor_side', c('Uint8'), false], ['trade_id', c('Utf8'), false], ['ts_event', c('Uint64'), false], ['ts_init', c('Uint64'), false]],
    meta: ['instrument_id', 'price_precision', 'size_precision'], pb: { signed: ['price'], unsigned: ['size'] },
  },
  quote_tick: {
    fields: [['bid_price', PB, false], ['ask_price', PB, false], ['bid_size', PB, false], ['ask_size', PB, false], ['ts_event', c('Uint64'), false], ['ts_init', c('Uint64'), false]],
    meta: ['instrument_id', 'price_precision', 'size_precision'], pb: { signed: ['bid_price', 'ask_price'], unsigned: ['bid_size', 'ask_size'] },
  },
  bar: {
    fields: [['open', PB, false], ['high', PB, false], ['low', PB, false], ['close', PB, false], ['volume', PB, false], ['ts_event', c('Uint64'), false], ['ts_init', c('Uint64'), false]],
    meta: ['bar_type', 'price_precision', 'size_precision'], pb: { signed: ['open', 'high', 'low', 'close'], unsigned: ['volume'] },
  },
  mark_price_update: { fields: [['value', PB, false], ['ts_event', c('Uint64'), false], ['ts_init', c('Uint64'), false]], meta: ['instrument_id', 'price_precision'], pb: { signed: ['value'], unsigned: [] } },
  funding_rate_update: {
    fields: [['rate', c('Binary'), false], ['interval', c('Uint16'), true], ['next_funding_ns', c('Uint64'), true], ['ts_event', c('Uint64'), false], ['ts_init', c('Uint64'), false]],
    meta: ['instrument_id'],
  },
  crypto_perpetual: {
    fields: [
      ['id', c('Utf8'), false], ['raw_symbol', c('Utf8'), false], ['base_currency', c('Utf8'), false], ['quote_currency', c('Utf8'), false],
      ['settlement_currency', c('Utf8'), false], ['is_inverse', c('Bool'), false], ['price_precision', c('Uint8'), false], ['size_precision', c('Uint8'), false],
      ['price_increment', c('Utf8'), false], ['size_increment', c('Utf8'), false], ['multiplier', c('Utf8'), false], ['lot_size', c('Utf8'), true],
      ['max_quantity', c('Utf8'), true], ['min_quantity', c('Utf8'), true], ['max_notional', c('Utf8'), true], ['min_notional', c('Utf8'), true],
      ['max_price', c('Utf8'), true], ['min_price', c('Utf8'), true], ['margin_init', c('Utf8'), false], ['margin_maint', c('Utf8'), false],
      ['maker_fee', c('Utf8'), false], ['taker_fee', c('Utf8'), false], ['tick_scheme', c('Utf8'), true], ['info', c('Binary'), true],
      ['ts_event', c('Uint64'), false], ['ts_init', c('Uint64'), false],
    ],
    meta: ['class'],
  },
};

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

/** Folders of instrument definitions (NautilusTrader names them after the instrument class). */
const INSTRUMENT_FOLDERS = [
  'crypto_perpetual', 'crypto_future', 'crypto_option', 'currency_pair', 'equity', 'futures_contract', 'futures_spread',
  'option_contract', 'option_spread', 'binary_option', 'betting_instrument', 'cfd', 'commodity', 'index_instrument', 'synthetic_instrument',
];
/** Data folders whose rows belong to an instrument: NautilusTrader needs its definition to use them. */
const NEEDS_INSTRUMENT = new Set([
  'trade_tick', 'quote_tick', 'bar', 'mark_price_update', 'funding_rate_update', 'index_price_update', 'order_book_delta',
  'order_book_deltas', 'order_book_depth10', 'instrument_status', 'instrument_close',
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
      if (folder !== 'crypto_perpetual') continue;
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

/** The instrument an identifier folder belongs to (a bar type starts with its instrument id). */
function instrumentOf(type: string, ident: string): string {
  return type === 'bar' && ident.split('-').length > 2 ? ident.split('-').slice(0, 2).join('-') : ident;
}

interface FolderCtx {
  type: string;
  rel: string;
  expected: Expected | undefined;
  inst: { price: number; size: number } | undefined;
}

/** Schema, metadata and instrument agreement of one checked file (the reader thread did the rest). */
function judgeFile(c: FolderCtx, name: string, res: FileCheckResult, refMeta: { meta: Map<string, string>; file: string } | null, r: Report): Map<string, string> {
  const where = `${c.rel}/${name}`;
  const { type, expected, inst } = c;
  const w = res.width;
  const meta = new Map(res.meta);
  if (expected) {
    const want = expected.fields.map(([nm, t, nl]) => `${nm}:${t(w ?? 16)}:${nl ? 'null' : 'req'}`);
    if (res.fields.join(',') !== want.join(',')) r.errors.push(`${where}: schema differs from Nautilus's ${type} schema (got ${res.fields.join(', ')}; expected ${want.join(', ')})`);
    for (const k of expected.meta) if (!meta.has(k)) r.errors.push(`${where}: schema metadata lacks "${k}" (inside ARROW:schema)`);
    if (type === 'funding_rate_update' && meta.has('type') && meta.get('type') !== 'FundingRateUpdate') r.errors.push(`${where}: metadata type is "${meta.get('type')}", must be FundingRateUpdate`);
    if (type === 'crypto_perpetual' && meta.get('class') !== 'CryptoPerpetual') r.errors.push(`${where}: metadata class must be CryptoPerpetual`);
  }
  const idKey = type === 'bar' ? 'bar_type' : 'instrument_id';
  const ident = c.rel.split('/').pop()!;
  if (meta.has(idKey) && uriSafe(meta.get(idKey)!) !== ident) r.errors.push(`${where}: metadata ${idKey} "${meta.get(idKey)}" does not match its folder "${ident}"`);
  if (refMeta) {
    for (const k of ['instrument_id', 'bar_type', 'price_precision', 'size_precision', 'type', 'class']) {
      if (meta.get(k) !== refMeta.meta.get(k)) r.errors.push(`${c.rel}: metadata ${k} differs between ${refMeta.file} (${refMeta.meta.get(k)}) and ${name} (${meta.get(k)}); DataFusion cannot merge the folder`);
    }
  }
  const pp = meta.has('price_precision') ? Number(meta.get('price_precision')) : undefined;
  const sp = meta.has('size_precision') ? Number(meta.get('size_precision')) : undefined;
  if (inst && ['trade_tick', 'quote_tick', 'bar', 'mark_price_update'].includes(type)) {
    const strict = type !== 'mark_price_update';
    if (pp !== undefined && pp !== inst.price) (strict ? r.errors : r.warnings).push(`${where}: price_precision ${pp} differs from the instrument's ${inst.price}${strict ? ' (the backtest stops with a RuntimeError)' : ''}`);
    if (sp !== undefined && type !== 'mark_price_update' && sp !== inst.size) r.errors.push(`${where}: size_precision ${sp} differs from the instrument's ${inst.size}`);
  }
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
  const c: FolderCtx = { type, rel, expected: EXPECTED[type], inst: instruments.get(instrumentOf(type, ident)) };
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
    if (!EXPECTED[type]) r.warnings.push(`data/${type}: not a type this tool checks (schema not verified)`);
    const typeDir = join(dataDir, type);
    for (const n of await readdir(typeDir)) {
      if (n.endsWith('.parquet')) r.errors.push(`data/${type}/${n}: a data file must sit in an identifier folder (data/${type}/<instrument id>/)`);
    }
    for (const ident of await listDirs(typeDir)) {
      summary.push(await checkFolder(dataDir, type, ident, precisions, r));
      const inst = instrumentOf(type, ident);
      if (NEEDS_INSTRUMENT.has(type) && !ids.has(inst) && !precisions.has(inst)) {
        r.errors.push(`data/${type}/${ident}: missing instrument: no instrument file for ${inst} (e.g. data/crypto_perpetual/${inst}/); NautilusTrader cannot use this data without it`);
      }
    }
  }
  await checkManifest(root, r);
  // All data must agree on one precision mode.
  const modes = new Set(summary.map((s) => s.precisionBits).filter((b) => b !== undefined));
  if (modes.size > 1) r.errors.push(`the catalog mixes 64-bit and 128-bit folders; a Nautilus build reads only one mode`);
  return { ok: r.errors.length === 0, errors: r.errors, warnings: r.warnings, info: r.info, summary };
}
