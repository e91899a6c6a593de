// What the engine knows of one Nautilus data type, kept in one file per type (as NautilusTrader keeps
// schema, encoder and decoder side by side in crates/serialization/src/arrow/<type>.rs, and
// tardis-node one mapper per message). The registry (index.ts) lists them; nothing outside
// engine/datatypes/ branches on a data type.
import type * as A from 'apache-arrow';
import type { DataType, MappingField } from '../../shared/job.js';
import type { Block, BlockBuilder, Layout } from '../blocks/block.js';
import type { FixedMode } from '../numbers/fixed.js';

// Schema metadata keys, as NautilusTrader spells them (crates/serialization/src/arrow/mod.rs).
export const KEY_INSTRUMENT_ID = 'instrument_id';
export const KEY_BAR_TYPE = 'bar_type';
export const KEY_PRICE_PRECISION = 'price_precision';
export const KEY_SIZE_PRECISION = 'size_precision';
/** the class of an instrument file (NautilusTrader's Python catalog) */
export const KEY_CLASS = 'class';
/** the data type name of the Rust catalog's JSON layout (e.g. FundingRateUpdate) */
export const KEY_TYPE = 'type';

/** The instrument a file's rows belong to, with the precisions its values are on. */
export interface TypeMeta {
  instrumentId: string;
  pricePrecision: number;
  sizePrecision: number;
  /** bars: the full bar type (the folder name and the bar_type metadata) */
  barType?: string;
}

/** The metadata of a type whose prices and sizes are fixed-point: instrument id and both precisions (trades, quotes, order books). */
export function fixedPointMetadata(meta: TypeMeta): Map<string, string> {
  return new Map([[KEY_INSTRUMENT_ID, meta.instrumentId], [KEY_PRICE_PRECISION, String(meta.pricePrecision)], [KEY_SIZE_PRECISION, String(meta.sizePrecision)]]);
}

/** A schema field as verify expects it: name, Arrow type text at fixed-point byte width w, nullable. */
export type FieldSpec = readonly [name: string, type: (w: number) => string, nullable: boolean];
/** A fixed-point Price/Quantity column's type text (16 bytes in 128-bit mode, 8 in 64-bit). */
export const FIXED = (w: number): string => `FixedSizeBinary[${w}]`;
/** A type text that does not depend on the precision mode. */
export const plain = (s: string) => (): string => s;

export type Severity = 'error' | 'warning';

/** Row checks of one file, streamed batch by batch; `finish` gives the problems (without the file name). */
export interface RowCheck {
  add(b: A.RecordBatch): void;
  finish(): string[];
}

/** The first file of an existing folder, as build reads it: fixed-point width and schema metadata. */
export interface FolderSignature {
  width: number | null;
  meta: Map<string, string>;
  file: string;
}

/** What verify knows of a catalog folder under data/, written by us or by NautilusTrader. */
export interface FolderSpec {
  /** folder name under data/ (e.g. trade_tick) */
  folder: string;
  /** NautilusTrader's class of the rows (e.g. TradeTick) */
  className: string;
  /** the schema NautilusTrader reads, field by field in order */
  fields: readonly FieldSpec[];
  /** metadata keys every file must carry */
  metaKeys: readonly string[];
  /** the metadata key naming the identifier folder; default instrument_id */
  idKey?: string;
  /** the instrument of an identifier folder (a bar type starts with its instrument id); default: the folder itself */
  instrumentOf?(ident: string): string;
  /** the rows belong to an instrument, so NautilusTrader needs its definition in the catalog */
  needsInstrument: boolean;
  /** fixed-point columns: signed ones on the price grid, unsigned ones on the size grid */
  fixedColumns?: { signed: readonly string[]; unsigned: readonly string[] };
  /**
   * The instrument precisions the values are on and the metadata records, each with how verify
   * reports a file whose precision differs from the instrument's.
   */
  instrumentPrecision: { price?: Severity; size?: Severity };
  /** problems of this type's own metadata rules (texts without the file name) */
  metaProblems?(meta: Map<string, string>): string[];
  /** this type's row rules (e.g. trade_tick's aggressor side and trade id) */
  rowCheck?(): RowCheck;
}

/** A data type a job writes: everything from a block of rows to the file, and back. */
export interface DataTypeModule extends FolderSpec {
  /** the job's name of the type (shared/job.ts DataType) */
  type: DataType;
  /** the columns of a block of rows (blocks/block.ts) */
  /** the identifier folder under `folder` when it is not the instrument's (bars: the bar type) */
  identFolder?(meta: TypeMeta): string;
  layout(fm: FixedMode): Layout;
  schema(fm: FixedMode, meta: TypeMeta): A.Schema;
  metadata(meta: TypeMeta): Map<string, string>;
  /** a block of rows as a record batch of `schema` */
  toBatch(fm: FixedMode, schema: A.Schema, b: Block): A.RecordBatch;
  /** the inverse of toBatch: a record batch read back from one of our files */
  fromBatch(fm: FixedMode, batch: A.RecordBatch): Block;
  /** row i of a builder as field texts for the preview (besides ts_init) */
  previewFields(b: BlockBuilder, i: number, fm: FixedMode, precision: { price: number; size: number }): Record<string, string>;
  /** why the preview calls a row a duplicate */
  duplicateReason: string;
  /** why row i of a builder is one the engine added (no source row is it: a CLEAR delta), else null */
  addedRow?(b: BlockBuilder, i: number): string | null;
  /** a note for a CSV mapping that leaves an optional field without a column */
  unmappedNotes?: Partial<Record<MappingField, string>>;
  /** why an existing folder (its first file's signature) cannot take this job's files; null when it can */
  incompatibility(folder: string, sig: FolderSignature, fm: FixedMode, meta: TypeMeta): string | null;
}

/** An instrument folder: verify's knowledge plus the schema the instrument encoder writes. */
export interface InstrumentModule extends FolderSpec {
  schema(meta: TypeMeta): A.Schema;
}

/**
 * The compatibility rules of a fixed-point type: one folder holds one precision mode, and the
 * precisions its metadata records must be the job's.
 */
export function fixedPointIncompatibility(m: FolderSpec, folder: string, sig: FolderSignature, fm: FixedMode, meta: TypeMeta): string | null {
  if (sig.width !== null && sig.width !== fm.W) {
    return `${folder} holds ${sig.width * 8}-bit files (${sig.file}); this job writes ${fm.mode}-bit, and one folder cannot mix them`;
  }
  for (const [key, want, on] of [[KEY_PRICE_PRECISION, meta.pricePrecision, m.instrumentPrecision.price], [KEY_SIZE_PRECISION, meta.sizePrecision, m.instrumentPrecision.size]] as const) {
    if (on && sig.meta.get(key) !== String(want)) return `${folder} holds files with ${key} ${sig.meta.get(key)} (${sig.file}); this job writes ${want}`;
  }
  return null;
}
