// Looks at the start of a file only (never the whole of it): format, columns, a row estimate and
// the first rows, raw and as the engine would normalise them, with the reason a row would be rejected.
import { basename } from 'node:path';
import { FIELDS_FOR, REQUIRED_FIELDS, type DataType, type MappingField } from '../shared/job.js';
import type { FileInfo, PreviewRequest, PreviewResult, PreviewRow } from '../shared/api.js';
import { PreviewRequest as PreviewRequestSchema } from '../shared/api.js';
import { fixedMode, type FixedMode } from './numbers/fixed.js';
import { incrementPrecision } from './instruments/definition.js';
import { presetTable } from './instruments/presets.js';
import { marketOf, parseExchange } from './instruments/markets.js';
import { dataTypeOf, type DataTypeModule } from './datatypes/index.js';
import { nsToIso } from './catalog/paths.js';
import { errnoText } from './catalog/atomic.js';
import { Normalizer } from './normalize/normalizer.js';
import { MemorySink, type RowSink } from './normalize/sink.js';
import { detect, splitCsv, type Detected } from './sources/csv/detect.js';
import { decideUnits, mapLines, TsColumn } from './sources/csv/index.js';
import { KNOWN_FEEDS, alternativeColumns, autoMap, makePlan, ohlcColumns, type Plan } from './sources/csv/plan.js';
import { proposeLocale } from './sources/csv/locale.js';
import { decideBarSpec, sampleBarTimes } from './sources/csv/barspec.js';
import { dataMembers } from './jobs/inputs.js';
import { openData, sniff, zipEntries } from './sources/io/open.js';
import { isMessages, messageEvents, readFacts } from './sources/facts.js';
import { EVENT_FEEDS } from './sources/binance/parser.js';
import { firstLineError, headLines, type Line } from './sources/io/lines.js';

async function readHead(path: string, maxLines: number) {
  // A zip: the first data member (CSV, else JSONL), as a job reads it first (engine/jobs/inputs.ts).
  // An unreadable file or archive: openData below says why.
  const names = (await sniff(path).catch(() => 'none')) === 'zip' ? await zipEntries(path).catch(() => null) : null;
  const csv = names ? dataMembers(names, 'csv').data : [];
  const data = names && !csv.length ? dataMembers(names, 'jsonl').data : csv;
  // Small read chunks so only the start of a large (compressed) file is touched.
  const opened = await openData(path, { chunk: 64 * 1024, member: data[0] });
  const lines = await headLines(opened.stream, maxLines);
  return { opened, lines, zip: names ? { members: names.length, dataMembers: data.length } : undefined };
}

export async function inspectFile(path: string, options: PreviewRequest['options'] = {}, maxLines = 1001): Promise<{ info: FileInfo; lines: Line[] }> {
  const name = basename(path);
  const { opened, lines, zip } = await readHead(path, maxLines);
  const bad = firstLineError(lines);
  if (bad) throw bad;
  if (isMessages(lines)) return { info: { ...captureInfo(lines), path, name, size: opened.totalBytes, compression: opened.compression, member: opened.member, ...zip }, lines };
  const det = detect(lines.filter((l) => !l.error).map((l) => l.text), opened.member ?? name, { delimiter: options?.delimiter, hasHeader: options?.hasHeader });
  const data = lines.length - (det.hasHeader ? 1 : 0);
  // Rows = decompressed size / average line length, both estimated from the start of the file.
  const lineBytes = lines.reduce((a, l) => a + Buffer.byteLength(l.text) + 1, 0);
  const totalOut = opened.uncompressedSize ?? opened.totalBytes * opened.ratio();
  const rowEstimate = lines.length < maxLines ? data : Math.max(data, Math.round((totalOut / Math.max(1, lineBytes)) * lines.length) - (det.hasHeader ? 1 : 0));
  // A generic file with open/high/low/close columns holds bars (csv/plan.ts refuses it as trades or mark).
  const generic: DataType[] = ohlcColumns(det.columns) ? ['bars'] : ['trades', 'mark', 'funding', 'quotes'];
  const feeds = KNOWN_FEEDS[det.format] ?? (det.format === 'generic' ? generic : []);
  return {
    info: {
      path, name, size: opened.totalBytes, compression: opened.compression, format: det.format, label: det.label,
      delimiter: det.delimiter, hasHeader: det.hasHeader, columns: det.columns, rowEstimate, feeds, member: opened.member, ...zip,
    },
    lines,
  };
}

/** depthUpdate diffs change a book: deltas are built from them only with the snapshot they were synced from. */
const DEPTH_NOTE = 'depthUpdate messages (order book diffs): deltas are built from them with the REST depth snapshot the capture was synced from (snapshot_path: the saved GET /fapi/v1/depth response)';

/** A JSONL capture: the data types its messages feed (markPriceUpdate: mark and funding), read by the websocket source. */
function captureInfo(lines: Line[]): Omit<FileInfo, 'path' | 'name' | 'size' | 'compression'> {
  const events = messageEvents(lines);
  const feeds = (Object.keys(EVENT_FEEDS) as DataType[]).filter((t) => [...EVENT_FEEDS[t]].some((e) => events.has(e)));
  const seen = [...events].sort((a, b) => b[1] - a[1]).map(([e, n]) => `${e} ×${n}`).join(', ');
  const note = events.has('depthUpdate') ? DEPTH_NOTE : !feeds.length ? `no message this version reads (${seen})` : undefined;
  return {
    format: 'websocket.capture', label: `WebSocket capture (JSONL: ${seen})`, delimiter: '', hasHeader: false, columns: ['message'],
    rowEstimate: lines.length, feeds, source: 'websocket', ...(note ? { note } : {}),
  };
}

export async function inspectFiles(paths: string[]): Promise<FileInfo[]> {
  return Promise.all(paths.map(async (p) => {
    try {
      const info = (await inspectFile(p, {}, 200)).info;
      // What the file says of itself, so the app fills symbol, market and days as files are added.
      return { ...info, facts: await readFacts(p, { member: info.member }) };
    } catch (e) {
      return { path: p, name: basename(p), size: 0, compression: '?', format: '?', label: 'unreadable', delimiter: ',', hasHeader: false, columns: [], rowEstimate: 0, feeds: [], error: errorText(e) };
    }
  }));
}

function errorText(e: unknown): string {
  return errnoText(e) ?? (e as Error).message;
}

export async function preview(input: PreviewRequest): Promise<PreviewResult> {
  const req = PreviewRequestSchema.parse(input);
  const r = await previewOf(req);
  // Runner-up columns of each field beside the one mapped (a capture has none).
  const alternatives = r.file.source === 'websocket' ? {} : alternativeColumns(r.file.columns, req.dataType, r.mapping);
  return Object.keys(alternatives).length ? { ...r, alternatives } : r;
}

/**
 * No usable mapping yet: the raw rows and the automatic guesses (or the user's partial mapping), so
 * only the missing fields need a column, and the locale proposals from the cells shown.
 */
function unmappedPreview(req: PreviewReq, info: FileInfo, det: Pick<Detected, 'columns' | 'delimiter'>, base: PreviewBase, dataLines: Line[], error: string): PreviewResult {
  const guess = autoMap(det.columns, req.dataType);
  const mapping: Partial<Record<MappingField, string>> = {};
  const confidence: Partial<Record<MappingField, number>> = {};
  if (req.columns && Object.keys(req.columns).length) {
    for (const [f, col] of Object.entries(req.columns)) if (col && info.columns.includes(col.toLowerCase())) { mapping[f as MappingField] = col; confidence[f as MappingField] = 1; }
  } else {
    for (const [f, k] of Object.entries(guess.cols)) if (k !== undefined) { mapping[f as MappingField] = info.columns[k]!; confidence[f as MappingField] = guess.confidence[f as MappingField]!; }
  }
  const cells = dataLines.map((l) => splitCsv(l.text, det.delimiter));
  const at = (f: MappingField) => (mapping[f] !== undefined ? info.columns.indexOf(mapping[f]!.toLowerCase()) : -1);
  const proposals = proposeLocale(cells, det.delimiter, { timestamp: at('timestamp') >= 0 ? at('timestamp') : undefined, side: at('aggressor_side') >= 0 ? at('aggressor_side') : undefined, sideName: mapping.aggressor_side, sideMode: 'text' });
  return { ...base, mapping, confidence, timestampUnit: null, error, proposals,
    rows: dataLines.map((l, k) => ({ line: l.no, cells: cells[k]!, status: 'ok' as const })) };
}

type PreviewReq = ReturnType<typeof PreviewRequestSchema.parse>;
type PreviewBase = Omit<PreviewResult, 'rows' | 'mapping' | 'confidence' | 'timestampUnit'>;

async function previewOf(req: PreviewReq): Promise<PreviewResult> {
  const { info, lines } = await inspectFile(req.path, req.options, req.rows + 1);
  // What the file says of its symbol, exchange and days: the app fills the job's from it.
  const facts = await readFacts(req.path, { member: info.member });
  const det = { format: info.format, label: info.label, hasHeader: info.hasHeader, delimiter: info.delimiter, columns: info.columns };
  // The symbol's preset on the job's market (Binance USD-M when none is named), as a build takes it.
  const ref = parseExchange(req.exchange ?? 'BINANCE');
  const market = ref && marketOf(ref, req.symbol);
  const preset = market ? presetTable()[market]?.[req.symbol.toUpperCase()] : undefined;
  const pricePrecision = req.pricePrecision ?? (preset ? incrementPrecision(preset.price_increment) : 8);
  const sizePrecision = req.sizePrecision ?? (preset ? incrementPrecision(preset.size_increment) : 8);
  const base: PreviewBase = {
    file: info, fields: FIELDS_FOR[req.dataType], required: REQUIRED_FIELDS[req.dataType], pricePrecision, sizePrecision,
    ...(facts ? { facts } : {}),
  };
  const dataLines = lines.filter((l, k) => !(k === 0 && det.hasHeader) && l.text.trim() !== '');
  if (info.source === 'websocket') {
    // A capture has no columns to map: its messages are shown as they are (a build reads them by event type).
    return { ...base, mapping: {}, confidence: {}, timestampUnit: null, error: 'A WebSocket capture: its messages are read by event type; there are no columns to map.',
      rows: dataLines.map((l) => ({ line: l.no, cells: [l.text], status: 'ok' as const })) };
  }
  const o = req.options ?? {};
  const dates = o.dateFormat;
  let plan;
  try {
    plan = makePlan(det, req.dataType, req.columns, info.name, { decimal: o.decimal, sideValues: o.sideValues });
  } catch (e) {
    return unmappedPreview(req, info, det, base, dataLines, (e as Error).message);
  }
  const fm = fixedMode(128);
  const type = req.dataType;
  // Bars: the interval from the rows shown (or the one asked for), as a build decides it from a file's first rows.
  const bar = type === 'bars' ? decideBarSpec([{ label: info.name, det, times: sampleBarTimes(det, plan, dataLines.map((l) => l.text), new TsColumn(o.timestampUnit ?? plan.tsUnit, dates)) }], req.barType) : undefined;
  if (bar && 'error' in bar) {
    return { ...base, mapping: mappingOf(plan.cols, info.columns), confidence: plan.confidence, timestampUnit: null, error: bar.error,
      rows: dataLines.map((l) => ({ line: l.no, cells: splitCsv(l.text, det.delimiter), status: 'ok' as const })) };
  }
  const mod = dataTypeOf(type);
  // A preview has no date range: every row lands on the one capturing sink.
  const sink = new MemorySink(mod.layout(fm));
  const norm = new Normalizer({ type, fm, symbol: req.symbol, pricePrecision, sizePrecision, startDay: 0, sinkAt: (i) => (i >= 0 ? sink : undefined), rejects: null,
    bar: bar && { intervalNs: bar.intervalNs, round: bar.spec.priceType === 'MARK' } });
  const forced = o.timestampUnit ?? plan.tsUnit;
  const ts = new TsColumn(forced, dates), tsInit = new TsColumn(forced, dates), next = new TsColumn(forced, dates);
  // As a build decides the units: from the rows shown, not from the first one alone.
  decideUnits(dataLines, { ...det, hasHeader: false }, plan, [ts, tsInit, next]);
  const rows = previewRows(dataLines, { det, plan, norm, sink, mod, fm, precision: { price: pricePrecision, size: sizePrecision }, cols: [ts, tsInit, next], path: req.path });
  const c = plan.cols;
  const proposals = proposeLocale(rows.map((r) => r.cells), det.delimiter, { timestamp: c.timestamp, side: c.aggressor_side, sideName: c.aggressor_side !== undefined ? info.columns[c.aggressor_side] : undefined, sideMode: plan.sideMode });
  return { ...base, mapping: mappingOf(plan.cols, info.columns), confidence: plan.confidence, timestampUnit: ts.unit, rows, proposals };
}

interface RowsCtx {
  det: Detected;
  plan: Plan;
  norm: Normalizer;
  sink: MemorySink;
  mod: DataTypeModule;
  fm: FixedMode;
  precision: { price: number; size: number };
  cols: [TsColumn, TsColumn, TsColumn];
  path: string;
}

/** Each line mapped as a build maps it, with what became of it: ok (the normalised row), rejected, duplicate or skipped. */
function previewRows(dataLines: Line[], { det, plan, norm, sink, mod, fm, precision, cols: [ts, tsInit, next], path }: RowsCtx): PreviewRow[] {
  let lastReject: { field: string; reason: string } | null = null;
  const origReject = norm.reject.bind(norm);
  norm.reject = (line, field, reason, value, at) => {
    lastReject = { field, reason };
    origReject(line, field, reason, value, at);
  };
  norm.startFile(path);
  const rows: PreviewRow[] = [];
  // Accepted rows wait for the row the sink takes for them: at once, or (order-book deltas, held
  // until the next row says whether they end their event) one row later, after a CLEAR the engine adds.
  const waiting: PreviewRow[] = [];
  let taken = 0;
  const assign = () => {
    for (const b = sink.builder; taken < b.n; taken++) {
      const mapped = mappedRow(mod, sink, taken, fm, precision.price, precision.size);
      const added = mod.addedRow?.(b, taken);
      const head = waiting[0];
      if (added && head) rows.splice(rows.indexOf(head), 0, { line: head.line, cells: head.cells, status: 'ok', mapped, reason: added });
      else if (head) waiting.shift()!.mapped = mapped;
    }
  };
  for (const l of dataLines) {
    const before = { dup: sink.stats.duplicates, skip: sink.stats.skipped };
    lastReject = null;
    mapLines([l], det, plan, mod.type, norm, ts, tsInit, next, true);
    const cells = splitCsv(l.text, det.delimiter);
    const rej = lastReject as { field: string; reason: string } | null;
    if (rej) rows.push({ line: l.no, cells, status: 'rejected', field: rej.field, reason: rej.reason });
    else if (sink.stats.duplicates > before.dup) rows.push({ line: l.no, cells, status: 'duplicate', reason: mod.duplicateReason });
    else if (sink.stats.skipped > before.skip) rows.push({ line: l.no, cells, status: 'skipped', reason: `no ${mod.type} value in this row` });
    else {
      const row: PreviewRow = { line: l.no, cells, status: 'ok' };
      rows.push(row);
      waiting.push(row);
    }
    assign();
  }
  norm.endFile();
  assign();
  for (const r of waiting) Object.assign(r, { status: 'skipped', reason: 'not written' });
  return rows;
}

/** The plan's columns by name. */
function mappingOf(cols: Partial<Record<MappingField, number>>, columns: string[]): Partial<Record<MappingField, string>> {
  const mapping: Partial<Record<MappingField, string>> = {};
  for (const [f, k] of Object.entries(cols)) if (k !== undefined) mapping[f as MappingField] = columns[k]!;
  return mapping;
}

/** A row the sink took, as the field texts the preview shows (ts_init first). */
function mappedRow(mod: DataTypeModule, sink: RowSink, i: number, fm: FixedMode, pp: number, sp: number): Record<string, string> {
  const b = sink.builder;
  return { ts_init: nsToIso(b.tsInit[i]!), ...mod.previewFields(b, i, fm, { price: pp, size: sp }) };
}
