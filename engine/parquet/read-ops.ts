// Reads of existing catalog files that run on a reader thread (read-worker.ts): an instrument's
// precisions, a trades file's daily summary, a folder's schema signature. Plain data out.
import * as A from 'apache-arrow';
import { readRaw } from '../numbers/fixed.js';
import { readParquetBatches, readParquetInfo } from './parquet.js';
import { dayOfNs } from '../catalog/paths.js';

export interface InstrumentRow {
  id: string;
  price: number;
  size: number;
}

export async function readInstrumentRows(path: string): Promise<InstrumentRow[]> {
  const out: InstrumentRow[] = [];
  for await (const b of readParquetBatches(path, ['id', 'price_precision', 'size_precision'])) {
    for (let i = 0; i < b.numRows; i++) {
      out.push({ id: String(b.getChild('id')!.get(i)), price: Number(b.getChild('price_precision')!.get(i)), size: Number(b.getChild('size_precision')!.get(i)) });
    }
  }
  return out;
}

/** One UTC day of a trades file: count, first/last ts_init and OHLC as raw fixed-point values. */
export interface DayAcc {
  trades: number;
  firstTs: bigint;
  lastTs: bigint;
  open: bigint;
  close: bigint;
  low: bigint;
  high: bigint;
}

export interface FileDayStats {
  /** decimal places of the raw values (16 or 9) */
  scale: number;
  /** price_precision of the file */
  places: number;
  days: [string, DayAcc][];
}

export async function readDayStats(path: string): Promise<FileDayStats> {
  const info = await readParquetInfo(path);
  const field = info.schema.fields.find((f) => f.name === 'price');
  const width = field && A.DataType.isFixedSizeBinary(field.type) ? field.type.byteWidth : undefined;
  if (width !== 8 && width !== 16) throw new Error('no fixed-point price column');
  const scale = width === 16 ? 16 : 9;
  const places = Number(info.keyValue.get('price_precision') ?? scale);
  const days = new Map<string, DayAcc>();
  for await (const b of readParquetBatches(path, ['price', 'ts_init'])) {
    const price = b.getChild('price')!;
    const ts = b.getChild('ts_init')!;
    let row = 0;
    for (const pd of price.data) {
      const bytes = pd.values as Uint8Array;
      for (let i = 0; i < pd.length; i++, row++) {
        const t = ts.get(row) as bigint;
        const raw = readRaw(bytes, i * width, width, true);
        const day = dayOfNs(t);
        let a = days.get(day);
        if (!a) {
          a = { trades: 0, firstTs: t, lastTs: t, open: raw, close: raw, low: raw, high: raw };
          days.set(day, a);
        }
        a.trades++;
        if (t < a.firstTs) [a.firstTs, a.open] = [t, raw];
        if (t >= a.lastTs) [a.lastTs, a.close] = [t, raw];
        if (raw < a.low) a.low = raw;
        if (raw > a.high) a.high = raw;
      }
    }
  }
  return { scale, places, days: [...days] };
}

/** Folds day `b` (from a later file) into `a`. */
export function mergeDay(a: DayAcc, b: DayAcc): void {
  a.trades += b.trades;
  if (b.firstTs < a.firstTs) [a.firstTs, a.open] = [b.firstTs, b.open];
  if (b.lastTs >= a.lastTs) [a.lastTs, a.close] = [b.lastTs, b.close];
  if (b.low < a.low) a.low = b.low;
  if (b.high > a.high) a.high = b.high;
}

export interface Signature {
  width: number | null;
  meta: [string, string][];
}

export async function readSignature(path: string): Promise<Signature> {
  const info = await readParquetInfo(path);
  const pb = info.schema.fields.find((x) => A.DataType.isFixedSizeBinary(x.type));
  return { width: pb ? (pb.type as A.FixedSizeBinary).byteWidth : null, meta: [...info.schema.metadata] };
}
