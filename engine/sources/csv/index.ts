// The CSV source: any supported container, format detected per file, rows mapped by the plan and
// handed to the normalizer. Memory stays bounded: the file is streamed in line batches.
import { basename } from 'node:path';
import type { DataType, FileConfig } from '../../../shared/job.js';
import type { Normalizer } from '../../normalize/normalizer.js';
import { openData, type Compression } from '../io/open.js';
import { firstLineError, lineBatches, openQuoteAt, UNCLOSED_QUOTE, type Line } from '../io/lines.js';
import { SAMPLE_LINES, TsColumn } from '../timestamp.js';
import { detect, splitCsv, type Detected } from './detect.js';
import { FastDeltaParser, FastLineReader, FastQuoteParser, FastTradeParser, LineTally, fastPathEnabled, readRest, type FastParser } from './fast.js';
import { makePlan, type Plan } from './plan.js';
import { ROW_MAPPERS } from './rows.js';
import { SymbolFilter, symbolColumnOf } from './symbols.js';
import { depthNotes } from '../binance/depth.js';

export interface CsvFileResult {
  format: string;
  label: string;
  compression: Compression;
  plan: Plan;
  notes: string[];
}

export interface ReadHooks {
  signal?: AbortSignal;
  /** called after each batch of lines */
  onBatch?: (bytesRead: number, bytesTotal: number) => void | Promise<void>;
  /** the zip member to read (engine/jobs/inputs.ts); without it, a zip's first data member */
  member?: string;
  /** the symbol whose rows or messages are read (default: the job's); others are skipped */
  symbol?: string;
  /** deltas: the REST depth snapshot a WebSocket capture was synced from (read before its lines) */
  snapshot?: string;
}

// The timestamp column and the sample size live in ../timestamp.ts (the WebSocket reader uses them too).
export { SAMPLE_LINES, TsColumn };

/** Decides the timestamp columns' units from the sample lines (blank lines and the header left out). */
export function decideUnits(lines: Line[], det: Detected, plan: Plan, cols: [TsColumn, TsColumn, TsColumn]): void {
  const data = lines.filter((l) => !l.error && l.text.trim() !== '').slice(det.hasHeader ? 1 : 0, SAMPLE_LINES + 1).map((l) => splitCsv(l.text, det.delimiter));
  const fields = [plan.cols.timestamp, plan.cols.local_timestamp, plan.cols.next_funding_time];
  cols.forEach((col, k) => {
    const c = fields[k];
    // next_funding_time's empty and 0 cells mean "none" (mapLines): they say nothing about the unit.
    if (c !== undefined) col.decide(data.map((f) => f[c] ?? '').filter((v) => v.trim() !== '' && v.trim() !== '0'));
  });
}

export async function readCsvFile(path: string, type: DataType, cfg: FileConfig | undefined, norm: Normalizer, hooks: ReadHooks = {}): Promise<CsvFileResult> {
  const opened = await openData(path, { member: hooks.member });
  const label = basename(path);
  const notes: string[] = [];
  let det: Detected | null = null;
  let plan: Plan | null = null;
  let ts: TsColumn | null = null, tsInit: TsColumn | null = null, next: TsColumn | null = null;
  let headerSkipped = false;
  const filter: { only: SymbolFilter | null } = { only: null };
  const source = opened.stream;
  const counters = norm.counters;
  // Chunks pass through here so that, after the first batch, the fast path can take over the bytes.
  const chunks = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let tally: LineTally | null = new LineTally();
  const tee = async function* (): AsyncGenerator<Buffer> {
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) {
      tally?.add(r.value);
      yield r.value;
    }
  };
  /** Maps a batch; true when the fast path took over and read the rest of the file. */
  const handle = async (batch: Line[]): Promise<boolean> => {
    headerSkipped = mapLines(batch, det!, plan!, type, norm, ts!, tsInit!, next!, headerSkipped, filter.only);
    await hooks.onBatch?.(opened.bytesRead(), opened.totalBytes);
    const t = tally;
    if (!t) return false;
    tally = null;
    // Plain numeric trades, quotes or deltas: the rest of the file is read from the bytes (engine/sources/csv/fast.ts).
    if (!headerSkipped || !t.settled(batch) || !fastPathEnabled()) return false;
    const d = det!, p = plan!, a = ts!, b = tsInit!, c = next!;
    const only = filter.only;
    const parser = fastParserFor(d, p, type, norm, a, b, only);
    if (!parser) return false;
    const reader = new FastLineReader(parser, t.lines, t.tail, (ls) => void mapLines(ls, d, p, type, norm, a, b, c, true, only));
    await readRest(chunks, reader, { signal: hooks.signal, onBatch: () => hooks.onBatch?.(opened.bytesRead(), opened.totalBytes) });
    return true;
  };
  const start = (sample: Line[]) => {
    const f = planFile(sample, opened.member ?? label, label, type, cfg, hooks.symbol ?? norm.o.symbol);
    ({ det, plan, only: filter.only } = f);
    [ts, tsInit, next] = f.cols;
  };
  let held: Line[] = [];
  let heldRows = 0;
  try {
    let done = false;
    for await (const batch of lineBatches(tee())) {
      hooks.signal?.throwIfAborted();
      if (!det) {
        // The first lines are held (a bounded sample) until the units can be decided from many rows.
        held = held.concat(batch);
        for (const l of batch) if (l.error || l.text.trim() !== '') heldRows++;
        if (heldRows <= SAMPLE_LINES) continue;
        start(held);
        const first = held;
        held = [];
        if ((done = await handle(first))) break;
        continue;
      }
      if ((done = await handle(batch))) break;
    }
    if (!det && heldRows > 0 && !done) {
      start(held);
      await handle(held);
    }
  } finally {
    source.destroy();
  }
  // (assigned inside closures, which type narrowing does not follow)
  const fin = { det: det as Detected | null, plan: plan as Plan | null };
  if (!fin.det || !fin.plan) throw new Error('the file is empty');
  notes.push(...endNotes(filter.only, counters.rows, [ts!, tsInit!, next!]), ...depthNotes(norm));
  return { format: fin.det.format, label: fin.det.label, compression: opened.compression, plan: fin.plan, notes: [...fin.plan.notes, ...notes] };
}

/** Format, column plan, symbol filter and timestamp units, decided from the sample lines. */
function planFile(sample: Line[], name: string, label: string, type: DataType, cfg: FileConfig | undefined, symbol: string) {
  // A first line too long to read (or a bare-CR file, one long line) fails the file: no header.
  const bad = firstLineError(sample);
  if (bad) throw bad;
  const det = detect(sample.filter((l) => !l.error).map((l) => l.text), name, { delimiter: cfg?.delimiter, hasHeader: cfg?.has_header });
  const plan = makePlan(det, type, cfg?.columns, label, { decimal: cfg?.decimal, sideValues: cfg?.side_values });
  // A file naming each row's symbol (Tardis CSV, a "symbol" column): rows of other symbols are skipped.
  const symbolCol = symbolColumnOf(det);
  const only = symbolCol >= 0 ? new SymbolFilter(symbolCol, symbol, det.columns.length) : null;
  const forced = cfg?.timestamp_unit ?? plan.tsUnit;
  const dates = cfg?.date_format;
  const cols: [TsColumn, TsColumn, TsColumn] = [new TsColumn(forced, dates), new TsColumn(forced, dates), new TsColumn(forced, dates)];
  decideUnits(sample, det, plan, cols);
  return { det, plan, only, cols };
}

/** What reading the file showed: rows of other symbols skipped, no rows at all, the timestamp units. */
function endNotes(only: SymbolFilter | null, rows: number, [ts, tsInit, next]: [TsColumn, TsColumn, TsColumn]): string[] {
  const notes: string[] = [];
  const skipped = only?.note();
  if (skipped) notes.push(skipped);
  if (rows === 0) notes.push(only?.skipped ? `no rows of ${only.symbol}` : 'no data rows');
  return [...notes, ...timestampNotes(ts, tsInit, next)];
}

/** The byte-level parser for a file whose rows are plain numeric trades, quotes or deltas, else null. */
function fastParserFor(d: Detected, p: Plan, type: DataType, norm: Normalizer, ts: TsColumn, tsInit: TsColumn, only: SymbolFilter | null): FastParser | null {
  const tradeRoles = FastTradeParser.roles(d, p, type, only);
  if (tradeRoles) return new FastTradeParser(tradeRoles, d, p, norm, ts, tsInit, only);
  const quoteRoles = FastQuoteParser.roles(d, p, type, only);
  if (quoteRoles) return new FastQuoteParser(quoteRoles, d, p, norm, ts, tsInit, only);
  const deltaRoles = FastDeltaParser.roles(d, p, type, only);
  return deltaRoles ? new FastDeltaParser(deltaRoles, d, p, norm, ts, tsInit, only) : null;
}

/** What the reader decided about a file's timestamps, for its report. */
function timestampNotes(ts: TsColumn, tsInit: TsColumn, next: TsColumn): string[] {
  const notes: string[] = [];
  if (ts.unzoned) notes.push('timestamps without a time zone were read as UTC');
  if (ts.dates) notes.push(`timestamps: ${ts.dates} dates (${ts.dates === 'day-first' ? '31.01.2024 10:00:00' : '01/31/2024 10:00:00'})`);
  else if (ts.unit) notes.push(`timestamps: ${ts.unit === 'iso' ? 'ISO 8601' : `Unix ${ts.unit}`}`);
  for (const [col, field] of [[ts, 'timestamp'], [tsInit, 'local_timestamp'], [next, 'next_funding_time']] as const) {
    const n = col.note(field);
    if (n) notes.push(n);
  }
  return notes;
}

/** Maps a batch of lines (rows of other symbols than `only`'s skipped); returns whether the header (if any) has been passed. */
export function mapLines(lines: Line[], det: Detected, plan: Plan, type: DataType, norm: Normalizer, ts: TsColumn, tsInitCol: TsColumn, nextCol: TsColumn, headerDone: boolean, only: SymbolFilter | null = null): boolean {
  const c = plan.cols;
  const counters = norm.counters;
  const ncols = det.columns.length;
  const needed = Math.max(...Object.values(c).map((k) => k ?? 0)) + 1;
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (!line.error && line.text.trim() === '') continue;
    // The header is the first non-blank line (detect() skips blank lines too).
    if (!headerDone && det.hasHeader) {
      headerDone = true;
      continue;
    }
    if (only && !line.error && only.otherSymbol(line.text, det.delimiter)) continue;
    counters.rows++;
    if (line.error) {
      // Too long to be read: its own reject.
      norm.reject(line.no, 'row', line.error, line.text);
      continue;
    }
    // A quote left open (a stray quote) is this row's reject, naming the field it opens.
    const open = line.text.includes('"') ? openQuoteAt(line.text, det.delimiter) : -1;
    if (open >= 0) {
      norm.reject(line.no, det.columns[splitCsv(line.text.slice(0, open), det.delimiter).length - 1] ?? 'row', UNCLOSED_QUOTE, line.text);
      continue;
    }
    const f = splitCsv(line.text, det.delimiter);
    if (f.length < needed) {
      norm.reject(line.no, 'row', `has ${f.length} columns, expected ${ncols}`, line.text);
      continue;
    }
    const tsText = f[c.timestamp!]!;
    const tsEvent = ts.parse(tsText);
    if (typeof tsEvent === 'string') {
      norm.reject(line.no, 'timestamp', tsEvent, tsText);
      continue;
    }
    let tsInit = tsEvent;
    if (c.local_timestamp !== undefined) {
      const t = tsInitCol.parse(f[c.local_timestamp]!);
      if (typeof t === 'string') {
        norm.rejectUnplaced(line.no, 'local_timestamp', t, f[c.local_timestamp]!, tsEvent);
        continue;
      }
      tsInit = t;
    }
    ROW_MAPPERS[type](line.no, f, plan, norm, tsEvent, tsInit, nextCol);
  }
  return headerDone || !det.hasHeader;
}
