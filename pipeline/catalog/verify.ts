// Reads a catalog back and checks every file against the format (spec §2-8): names, intervals,
// order, schema, metadata, precision width and agreement with the instrument.
import type * as A from 'apache-arrow';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readRaw } from './fixed.js';
import { overlaps, scanFolder } from './existing.js';
import { readParquetBatches, readParquetInfo } from './parquet.js';
import { nsToIso, uriSafe } from './paths.js';

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
  summary: VerifySummary[];
}

function widthOf(schema: A.Schema): number | null {
  const f = schema.fields.find((x) => String(x.type).startsWith('FixedSizeBinary'));
  return f ? (f.type as unknown as { byteWidth: number }).byteWidth : null;
}

async function listDirs(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const n of names.sort()) if ((await stat(join(dir, n))).isDirectory()) out.push(n);
  return out;
}

export async function verifyCatalog(root: string): Promise<VerifyResult> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const summary: VerifySummary[] = [];
  const dataDir = join(root, 'data');
  if (!(await stat(dataDir).catch(() => null))?.isDirectory()) {
    return { ok: false, errors: [`${dataDir}: no data/ folder; not a Nautilus catalog`], warnings, summary };
  }
  // Instrument precisions, to check the data against (spec §6).
  const instruments = new Map<string, { price: number; size: number; file: string }>();
  for (const id of await listDirs(join(dataDir, 'crypto_perpetual'))) {
    const st = await scanFolder(join(dataDir, 'crypto_perpetual', id));
    for (const f of st.files) {
      try {
        for await (const b of readParquetBatches(f.path, ['id', 'price_precision', 'size_precision'])) {
          for (let i = 0; i < b.numRows; i++) {
            instruments.set(uriSafe(String(b.getChild('id')!.get(i))), { price: Number(b.getChild('price_precision')!.get(i)), size: Number(b.getChild('size_precision')!.get(i)), file: f.path });
          }
        }
      } catch (e) {
        errors.push(`${f.path}: cannot be read (${(e as Error).message})`);
      }
    }
  }

  for (const type of await listDirs(dataDir)) {
    const expected = EXPECTED[type];
    if (!expected) warnings.push(`data/${type}: not a type this tool checks (schema not verified)`);
    const typeDir = join(dataDir, type);
    for (const n of await readdir(typeDir)) {
      if (n.endsWith('.parquet')) errors.push(`data/${type}/${n}: a data file must sit in an identifier folder (data/${type}/<instrument id>/)`);
    }
    for (const ident of await listDirs(typeDir)) {
      const rel = `data/${type}/${ident}`;
      const dir = join(typeDir, ident);
      const st = await scanFolder(dir);
      for (const n of st.foreign) {
        errors.push(`${rel}/${n}: file name is not <start>_<end>.parquet (e.g. ${'2024-01-01T00-00-00-000000000Z_2024-01-01T23-59-59-999999999Z.parquet'}); Nautilus cannot place it in time and its v1 catalog fails to query a folder holding it`);
      }
      for (const n of (await readdir(dir)).filter((x) => !x.endsWith('.parquet'))) warnings.push(`${rel}/${n}: not a Parquet file; Nautilus ignores it`);
      for (let k = 1; k < st.files.length; k++) {
        const a = st.files[k - 1]!, b = st.files[k]!;
        if (overlaps(a, b)) errors.push(`${rel}: intervals of ${a.name} and ${b.name} overlap (Nautilus needs disjoint intervals; a shared end point counts)`);
      }
      const sum: VerifySummary = { type, identifier: ident, files: st.files.length, rows: 0 };
      let firstTs: bigint | undefined, lastTs: bigint | undefined;
      const widths = new Map<number, string>();
      let refMeta: { meta: Map<string, string>; file: string } | null = null;
      for (const f of st.files) {
        const where = `${rel}/${f.name}`;
        let info;
        try {
          info = await readParquetInfo(f.path);
        } catch (e) {
          errors.push(`${where}: cannot be read as Parquet (${(e as Error).message})`);
          continue;
        }
        const w = widthOf(info.schema);
        if (w !== null) widths.set(w, f.name);
        const meta = info.schema.metadata;
        if (expected) {
          const got = info.schema.fields.map((x) => `${x.name}:${String(x.type)}:${x.nullable ? 'null' : 'req'}`);
          const want = expected.fields.map(([nm, t, nl]) => `${nm}:${t(w ?? 16)}:${nl ? 'null' : 'req'}`);
          if (got.join(',') !== want.join(',')) errors.push(`${where}: schema differs from Nautilus's ${type} schema (got ${got.join(', ')}; expected ${want.join(', ')})`);
          for (const k of expected.meta) if (!meta.has(k)) errors.push(`${where}: schema metadata lacks "${k}" (inside ARROW:schema)`);
          if (type === 'funding_rate_update' && meta.has('type') && meta.get('type') !== 'FundingRateUpdate') errors.push(`${where}: metadata type is "${meta.get('type')}", must be FundingRateUpdate`);
          if (type === 'crypto_perpetual' && meta.get('class') !== 'CryptoPerpetual') errors.push(`${where}: metadata class must be CryptoPerpetual`);
        }
        const idKey = type === 'bar' ? 'bar_type' : 'instrument_id';
        if (meta.has(idKey) && uriSafe(meta.get(idKey)!) !== ident) errors.push(`${where}: metadata ${idKey} "${meta.get(idKey)}" does not match its folder "${ident}"`);
        if (refMeta) {
          for (const k of ['instrument_id', 'bar_type', 'price_precision', 'size_precision', 'type', 'class']) {
            if (meta.get(k) !== refMeta.meta.get(k)) errors.push(`${rel}: metadata ${k} differs between ${refMeta.file} (${refMeta.meta.get(k)}) and ${f.name} (${meta.get(k)}); DataFusion cannot merge the folder`);
          }
        } else refMeta = { meta, file: f.name };
        const pp = meta.has('price_precision') ? Number(meta.get('price_precision')) : undefined;
        const sp = meta.has('size_precision') ? Number(meta.get('size_precision')) : undefined;
        if (['trade_tick', 'quote_tick', 'bar', 'mark_price_update'].includes(type)) {
          const inst = instruments.get(ident.split('-').length > 2 && type === 'bar' ? ident.split('-').slice(0, 2).join('-') : ident);
          const strict = type !== 'mark_price_update';
          if (inst && pp !== undefined && pp !== inst.price) (strict ? errors : warnings).push(`${where}: price_precision ${pp} differs from the instrument's ${inst.price}${strict ? ' (the backtest stops with a RuntimeError)' : ''}`);
          if (inst && sp !== undefined && type !== 'mark_price_update' && sp !== inst.size) errors.push(`${where}: size_precision ${sp} differs from the instrument's ${inst.size}`);
        }
        // Row-level checks, streamed batch by batch.
        const F = w === 8 ? 9 : 16;
        let prev: bigint | undefined;
        let unsortedReported = false, outsideReported = false, badSide = 0, badId = 0, offGrid = 0;
        const gridP = pp !== undefined ? 10n ** BigInt(Math.max(0, F - pp)) : null;
        const gridS = sp !== undefined ? 10n ** BigInt(Math.max(0, F - sp)) : null;
        try {
          for await (const b of readParquetBatches(f.path)) {
            const ts = b.getChild('ts_init');
            if (!ts) { errors.push(`${where}: no ts_init column`); break; }
            for (const d of ts.data) {
              const vals = d.values as BigUint64Array;
              for (let i = 0; i < d.length; i++) {
                const t = vals[i]!;
                if (prev !== undefined && t < prev && !unsortedReported) {
                  errors.push(`${where}: rows are not sorted by ts_init (row ${sum.rows + i}: ${nsToIso(t)} after ${nsToIso(prev)})`);
                  unsortedReported = true;
                }
                if ((t < f.start || t > f.end) && !outsideReported) {
                  errors.push(`${where}: ts_init ${nsToIso(t)} lies outside the interval in the file name`);
                  outsideReported = true;
                }
                prev = t;
                if (firstTs === undefined || t < firstTs) firstTs = t;
                if (lastTs === undefined || t > lastTs) lastTs = t;
              }
            }
            if (type === 'trade_tick') {
              const side = b.getChild('aggressor_side'), id = b.getChild('trade_id');
              for (let i = 0; i < b.numRows; i++) {
                const s = side?.get(i);
                if (s !== 0 && s !== 1 && s !== 2) badSide++;
                const tid = String(id?.get(i) ?? '');
                if (tid.length < 1 || tid.length > 36) badId++;
              }
            }
            if (expected?.pb && w !== null) {
              for (const [cols, grid, signed] of [[expected.pb.signed, gridP, true], [expected.pb.unsigned, gridS, false]] as const) {
                if (!grid || grid === 1n) continue;
                for (const name of cols) {
                  const col = b.getChild(name);
                  if (!col) continue;
                  for (const d of col.data) {
                    const bytes = d.values as Uint8Array;
                    for (let i = 0; i < d.length; i++) if (readRaw(bytes, (d.offset + i) * w, w as 8 | 16, signed) % grid !== 0n) offGrid++;
                  }
                }
              }
            }
            sum.rows += b.numRows;
          }
        } catch (e) {
          errors.push(`${where}: cannot be read (${(e as Error).message})`);
        }
        if (sum.rows === 0 && info.numRows === 0) warnings.push(`${where}: holds no rows`);
        if (badSide) errors.push(`${where}: ${badSide} rows have an aggressor_side other than 0, 1 or 2`);
        if (badId) errors.push(`${where}: ${badId} rows have a trade_id that is empty or longer than 36 characters`);
        if (offGrid) errors.push(`${where}: ${offGrid} values are not multiples of 10^(${F}-precision); they do not match the metadata precision`);
      }
      if (widths.size > 1) {
        errors.push(`${rel}: mixes 64-bit and 128-bit files (${[...widths].map(([wd, n]) => `${n}: ${wd * 8}-bit`).join(', ')}); no Nautilus build reads both`);
      }
      if (widths.size === 1) sum.precisionBits = [...widths.keys()][0]! * 8;
      if (firstTs !== undefined) sum.first = nsToIso(firstTs);
      if (lastTs !== undefined) sum.last = nsToIso(lastTs);
      summary.push(sum);
    }
  }
  // All data must agree on one precision mode.
  const modes = new Set(summary.map((s) => s.precisionBits).filter((b) => b !== undefined));
  if (modes.size > 1) errors.push(`the catalog mixes 64-bit and 128-bit folders; a Nautilus build reads only one mode`);
  return { ok: errors.length === 0, errors, warnings, summary };
}
