// Column mapping: which file column feeds which target field, with an undo history.
// Pure functions over plain data so the store and the tests share them.
import type { DataType, MappingField } from '../../../shared/job.js';
import type { FileInfo, MappingTemplate, PreviewResult } from '../../../shared/api.js';

export type Columns = Partial<Record<MappingField, string>>;

export interface MappingState {
  /** field -> column name, what the job will use */
  columns: Columns;
  /** earlier values of `columns`, newest last */
  past: Columns[];
  /** false while the mapping is the engine's automatic one (the job then sends no columns) */
  touched: boolean;
  /** how sure the automatic mapping was, per field (kept from the first preview) */
  confidence: Partial<Record<MappingField, number>>;
  /** fields the user set by hand since the automatic mapping */
  manual: MappingField[];
  /** the file columns the mapping was made for */
  fileColumns: string[];
}

export const HISTORY_LIMIT = 100;

/**
 * A file's layout: its format, delimiter, header setting and columns. A mapping belongs to the files
 * of one layout and data type (files that look alike share it; a file of another layout has its own).
 */
export function layoutKey(info: Pick<FileInfo, 'format' | 'delimiter' | 'hasHeader' | 'columns'>): string {
  return JSON.stringify([info.format, info.delimiter, info.hasHeader, info.columns]);
}

/** Where a type's mapping for a file's layout is kept (store `mappings`, `autoColumns`). */
export function mappingKey(t: DataType, info: Pick<FileInfo, 'format' | 'delimiter' | 'hasHeader' | 'columns'>): string {
  return `${t}|${layoutKey(info)}`;
}

/** The mappings of the app: one per data type and file layout (mappingKey). */
export type Mappings = Record<string, MappingState>;

export const FIELD_LABELS: Record<MappingField, string> = {
  timestamp: 'Timestamp',
  local_timestamp: 'Receive timestamp',
  price: 'Price',
  size: 'Size',
  aggressor_side: 'Aggressor side',
  trade_id: 'Trade ID',
  mark_price: 'Mark price',
  funding_rate: 'Funding rate',
  next_funding_time: 'Next funding time',
  funding_interval: 'Funding interval',
  bid_price: 'Bid price',
  bid_size: 'Bid size',
  ask_price: 'Ask price',
  ask_size: 'Ask size',
  open: 'Open',
  high: 'High',
  low: 'Low',
  close: 'Close',
  volume: 'Volume',
  book_side: 'Book side',
  is_snapshot: 'Is snapshot',
};

export const FIELD_HINTS: Record<MappingField, string> = {
  timestamp: 'Event time: Unix s/ms/µs/ns, ISO 8601 or a date such as 31.01.2024 10:00',
  local_timestamp: 'When it was received; becomes ts_init',
  price: 'Decimal trade price',
  size: 'Decimal quantity',
  aggressor_side: 'buy/sell (b/s, 1/-1…), a buyer-is-maker flag, or your own words mapped below',
  trade_id: 'Unique per trade; repeats are dropped',
  mark_price: 'Decimal mark price',
  funding_rate: 'Decimal funding rate',
  next_funding_time: 'Timestamp of the next funding',
  funding_interval: 'Minutes or hours between fundings',
  bid_price: 'Best bid price (decimal)',
  bid_size: 'Quantity at the best bid',
  ask_price: 'Best ask price (decimal)',
  ask_size: 'Quantity at the best ask',
  open: "Decimal first price of the bar",
  high: 'Decimal highest price of the bar',
  low: 'Decimal lowest price of the bar',
  close: 'Decimal last price of the bar',
  volume: 'Decimal volume (may be 0)',
  book_side: 'Which side the level is on: bid or ask (b/a, buy/sell)',
  is_snapshot: 'true on the rows of a book snapshot, false on updates',
};

/** Where a field means something else for a data type: an order book's price and size are a level's. */
const TYPE_HINTS: Partial<Record<DataType, Partial<Record<MappingField, string>>>> = {
  deltas: { price: 'Decimal price of the book level', size: 'Decimal amount now at that level (0 removes the level)' },
};

/** A field's hint on the mapping screen, for the data type being mapped. */
export function fieldHint(t: DataType, f: MappingField): string {
  return TYPE_HINTS[t]?.[f] ?? FIELD_HINTS[f];
}

export function emptyMapping(): MappingState {
  return { columns: {}, past: [], touched: false, confidence: {}, manual: [], fileColumns: [] };
}

/** The mapping the engine chose for a file, as the starting point (not an undo step). */
export function fromPreview(p: Pick<PreviewResult, 'mapping' | 'confidence' | 'file'>): MappingState {
  return { columns: { ...p.mapping }, past: [], touched: false, confidence: { ...p.confidence }, manual: [], fileColumns: [...p.file.columns] };
}

function sameColumns(a: Columns, b: Columns): boolean {
  const ka = Object.keys(a).filter((k) => a[k as MappingField] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k as MappingField] !== undefined);
  return ka.length === kb.length && ka.every((k) => a[k as MappingField] === b[k as MappingField]);
}

function commit(s: MappingState, columns: Columns, manual: MappingField[]): MappingState {
  if (sameColumns(s.columns, columns)) return s;
  const past = [...s.past, s.columns].slice(-HISTORY_LIMIT);
  return { ...s, columns, past, touched: true, manual };
}

/** Puts `column` onto `field` (replacing what the field had). A column may feed several fields. */
export function assign(s: MappingState, field: MappingField, column: string): MappingState {
  const columns = { ...s.columns, [field]: column };
  const manual = s.manual.includes(field) ? s.manual : [...s.manual, field];
  return commit(s, columns, manual);
}

export function unassign(s: MappingState, field: MappingField): MappingState {
  if (s.columns[field] === undefined) return s;
  const columns = { ...s.columns };
  delete columns[field];
  return commit(s, columns, s.manual.filter((f) => f !== field));
}

/** Moves whatever `from` holds onto `to` (dragging an assigned chip from one field to another). */
export function move(s: MappingState, from: MappingField, to: MappingField): MappingState {
  const col = s.columns[from];
  if (col === undefined || from === to) return s;
  const columns = { ...s.columns, [to]: col };
  delete columns[from];
  const manual = [...s.manual.filter((f) => f !== from && f !== to), to];
  return commit(s, columns, manual);
}

export function undo(s: MappingState): MappingState {
  if (!s.past.length) return s;
  const columns = s.past[s.past.length - 1]!;
  const past = s.past.slice(0, -1);
  // Back at the start: the mapping is the automatic one again.
  const touched = past.length > 0;
  const manual = s.manual.filter((f) => columns[f] !== undefined);
  return { ...s, columns, past, touched, manual: touched ? manual : [] };
}

export function canUndo(s: MappingState): boolean {
  return s.past.length > 0;
}

/** Back to the automatic mapping, as one undoable step. */
export function resetTo(s: MappingState, auto: Columns): MappingState {
  return commit(s, { ...auto }, []);
}

/** Applies a saved template: only columns the file has; reports the ones it lacks. */
export function applyTemplate(s: MappingState, t: Pick<MappingTemplate, 'columns'>, fileColumns: string[]): { state: MappingState; missing: string[] } {
  const have = new Set(fileColumns.map((c) => c.toLowerCase()));
  const columns: Columns = {};
  const missing: string[] = [];
  for (const [f, c] of Object.entries(t.columns)) {
    if (c === undefined) continue;
    if (have.has(c.toLowerCase())) columns[f as MappingField] = c.toLowerCase();
    else missing.push(c);
  }
  return { state: commit(s, columns, Object.keys(columns) as MappingField[]), missing };
}

/** Required fields without a column (or, given the file's columns, with a column the file does not have). */
export function missingRequired(columns: Columns, required: readonly MappingField[], fileColumns?: readonly string[]): MappingField[] {
  const have = fileColumns && new Set(fileColumns.map((c) => c.toLowerCase()));
  return required.filter((f) => !columns[f] || (have && !have.has(columns[f]!.toLowerCase())));
}

/** Fields a column is assigned to. */
export function fieldsOf(columns: Columns, column: string): MappingField[] {
  return (Object.keys(columns) as MappingField[]).filter((f) => columns[f] === column);
}

/** Only the fields that belong to a data type (a mapping never carries another type's fields). */
export function restrict(columns: Columns, fields: readonly MappingField[]): Columns {
  const out: Columns = {};
  for (const f of fields) if (columns[f] !== undefined) out[f] = columns[f];
  return out;
}

export type Certainty = 'manual' | 'exact' | 'likely' | 'guess' | 'none';

export function certainty(s: MappingState, field: MappingField): Certainty {
  if (s.columns[field] === undefined) return 'none';
  if (s.manual.includes(field)) return 'manual';
  const c = s.confidence[field];
  if (c === undefined) return 'manual';
  if (c >= 0.99) return 'exact';
  if (c >= 0.8) return 'likely';
  return 'guess';
}

export function certaintyLabel(s: MappingState, field: MappingField): string {
  const k = certainty(s, field);
  const c = s.confidence[field];
  switch (k) {
    case 'manual': return 'set by you';
    case 'exact': return 'auto · sure';
    case 'likely': return `auto · ${Math.round((c ?? 0) * 100)}% sure`;
    case 'guess': return `auto · guess (${Math.round((c ?? 0) * 100)}%)`;
    default: return '';
  }
}

/** A target field's accessible name: what it is, what feeds it, and what Enter would do. */
export function slotLabel(field: MappingField, required: boolean, column: string | undefined, selected: string | null): string {
  const what = `${FIELD_LABELS[field]}${required ? ' (required)' : ''}`;
  return `${what}: ${column ? `column ${column}` : 'not mapped'}${selected ? `. Press Enter to map column ${selected} here` : ''}`;
}

/** The mapping pane's status line. */
export function missingText(missing: readonly MappingField[]): string {
  return missing.length ? `Still needed: ${missing.map((f) => FIELD_LABELS[f]).join(', ')}` : '✓ Every required field has a column';
}
