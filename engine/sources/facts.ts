// What a file says about itself, read cheaply: its name (Tardis's default dataset names, Binance
// Vision's) and its first rows (a Tardis CSV's exchange and symbol columns, a capture's messages).
// A build checks the job's symbol and exchange against it; the app fills them from it.
import { basename } from 'node:path';
import type { FileFacts } from '../../shared/api.js';
import { MARKET, tardisMarket } from '../instruments/markets.js';
import { dayOfNs } from '../catalog/paths.js';
import { detect, splitCsv, type Detected } from './csv/detect.js';
import { headLines, type Line } from './io/lines.js';
import { openData } from './io/open.js';
import { SYMBOL_CELL, symbolColumnOf } from './csv/symbols.js';
import { autoMap } from './csv/plan.js';
import { decideUnit, parseTimestamp } from './timestamp.js';

export type { FileFacts };

/** Rows read for the symbols a file holds: enough for a file of several symbols to show them. */
export const FACT_ROWS = 5000;

/** Tardis's dataset files saved under their default name: exchange_dataType_YYYY-MM-DD_SYMBOL.csv(.gz). */
const TARDIS_NAME = /^([a-z0-9-]+)_([A-Za-z0-9_]+?)_(\d{4}-\d{2}-\d{2})_(.+?)\.csv(?:\.gz)?$/;
/** Tardis's grouped files (every symbol of a kind in one file): the name's "symbol" is none. */
const TARDIS_GROUPS = new Set(['PERPETUALS', 'SPOT', 'FUTURES', 'OPTIONS']);
/** Binance Vision: SYMBOL-trades-2024-01-01.zip, SYMBOL-1m-2024-01.csv, SYMBOL-fundingRate-2024-01.zip, … */
const VISION_NAME = /^([A-Z0-9]{2,}(?:_[A-Z0-9]+)?)-(trades|aggTrades|bookTicker|fundingRate|metrics|bookDepth|(?:(?:markPrice|indexPrice|premiumIndex)Klines-)?\d+(?:s|m|h|d|w|mo))-(\d{4}-\d{2}(?:-\d{2})?)\.(?:csv|zip)$/;

/** The last day of a month YYYY-MM. */
function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** An exchange id's market (for bybit, by the symbol) and venue. */
function exchangeFacts(exchange: string, symbol: string | undefined): Pick<FileFacts, 'exchange' | 'market' | 'venue'> {
  const market = tardisMarket(exchange, symbol ?? '') ?? undefined;
  return { exchange, ...(market ? { market, venue: MARKET[market].venue } : {}) };
}

/** What a file name says, when it is a Tardis or Binance Vision default name. */
export function factsFromName(name: string): FileFacts | null {
  const t = TARDIS_NAME.exec(name);
  if (t) {
    const symbol = t[4]!.toUpperCase();
    const symbols = TARDIS_GROUPS.has(symbol) ? [] : [symbol];
    return { ...exchangeFacts(t[1]!, symbols[0]), symbols, first: t[3]!, last: t[3]!, from: 'file name' };
  }
  const v = VISION_NAME.exec(name);
  if (v) {
    const day = v[3]!;
    // Spot, USD-M and COIN-M files are named alike: the name says the venue only.
    return { venue: 'BINANCE', symbols: [v[1]!], first: day.length === 7 ? `${day}-01` : day, last: day.length === 7 ? monthEnd(day) : day, from: 'file name' };
  }
  return null;
}

/** The UTC day of a Unix time in `nsPerUnit` units, when it is one (digits only). */
function dayOf(text: unknown, nsPerUnit: bigint): string | undefined {
  const s = typeof text === 'number' && Number.isSafeInteger(text) ? String(text) : typeof text === 'string' ? text.trim() : '';
  if (!/^\d{1,19}$/.test(s)) return undefined;
  const ns = BigInt(s) * nsPerUnit;
  return ns < 1n << 63n ? dayOfNs(ns) : undefined;
}

/** A Tardis CSV: its exchange and symbol columns, and the day of its first row (µs timestamps). */
function factsFromTardisRows(lines: Line[]): FileFacts | null {
  const texts = lines.filter((l) => !l.error && l.text.trim() !== '').map((l) => l.text);
  if (texts.length < 2) return null;
  let det;
  try {
    det = detect(texts.slice(0, 20), '');
  } catch {
    return null;
  }
  // A Binance T_DEPTH file names its symbol in a "symbol" column, as an exchange's own export does.
  if (!det.format.startsWith('tardis.')) return det.format === 'generic' || det.format === 'binance.tdepth' ? factsFromGenericRows(texts, det, lines.length <= FACT_ROWS) : null;
  if (det.columns[0] !== 'exchange' || det.columns[1] !== 'symbol') return null;
  const exchanges = new Set<string>(), symbols = new Set<string>();
  let first: string | undefined;
  for (const text of texts.slice(1)) {
    const f = splitCsv(text, det.delimiter);
    const ex = f[0]?.trim(), sym = f[1]?.trim();
    // A mangled cell says nothing (the reader rejects or keeps its row as it does any other).
    if (ex && /^[a-z0-9-]{2,40}$/i.test(ex)) exchanges.add(ex.toLowerCase());
    if (sym && SYMBOL_CELL.test(sym)) symbols.add(sym.toUpperCase());
    first ??= dayOf(f[2], 1000n);
  }
  const syms = [...symbols];
  // Several exchange ids in one file: none is the file's (the job's own exchange then decides).
  const ex = exchanges.size === 1 ? exchangeFacts([...exchanges][0]!, syms[0]) : {};
  return { ...ex, symbols: syms, ...(first ? { first } : {}), from: 'column' };
}

/**
 * Another CSV with a header: the symbols of its "symbol" column (an exchange's own export), and the
 * days of its rows' times when the automatic mapping finds a time column whose values say their
 * unit (Unix by magnitude, or ISO 8601; no zone is UTC): the earliest and latest day of its rows,
 * the first only when the file was read in part.
 */
function factsFromGenericRows(texts: string[], det: Detected, whole: boolean): FileFacts | null {
  if (!det.hasHeader) return null;
  const col = symbolColumnOf(det);
  const tsCol = autoMap(det.columns, 'trades').cols.timestamp ?? autoMap(det.columns, 'bars').cols.timestamp;
  const symbols = new Set<string>();
  const times: string[] = [];
  for (const text of texts.slice(1)) {
    const cells = splitCsv(text, det.delimiter);
    const sym = col >= 0 ? cells[col]?.trim() : undefined;
    if (sym && SYMBOL_CELL.test(sym)) symbols.add(sym.toUpperCase());
    const t = tsCol !== undefined ? cells[tsCol]?.trim() : undefined;
    if (t) times.push(t);
  }
  const days = daysOf(times);
  if (!symbols.size && !days) return null;
  // Read in part, the file's last day is not known: its first is (rows of a day file come in order).
  const said = days ? (whole ? days : { first: days.first }) : {};
  return { symbols: [...symbols], ...said, from: 'column' };
}

/** The first and last UTC day of timestamps in the unit most of them have; undefined when none reads as one. */
function daysOf(times: string[]): { first: string; last: string } | undefined {
  const { unit } = decideUnit(times);
  if (unit === null) return undefined;
  let lo: bigint | undefined, hi: bigint | undefined;
  for (const t of times) {
    const r = parseTimestamp(t, unit);
    if (!('ns' in r) || r.ns >= 1n << 63n) continue;
    if (lo === undefined || r.ns < lo) lo = r.ns;
    if (hi === undefined || r.ns > hi) hi = r.ns;
  }
  return lo === undefined || hi === undefined ? undefined : { first: dayOfNs(lo), last: dayOfNs(hi) };
}

/** One message's payloads, with the stream name of a combined-stream envelope. */
function payloads(msg: unknown): { p: Record<string, unknown>; stream?: string }[] {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return [];
  const o = msg as Record<string, unknown>;
  if ('stream' in o && 'data' in o) {
    const stream = typeof o.stream === 'string' ? o.stream : undefined;
    const data = Array.isArray(o.data) ? o.data : [o.data];
    return data.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && !Array.isArray(d)).map((p) => ({ p, stream }));
  }
  return [{ p: o }];
}

/** A capture's line without its wrapper (the shapes of engine/sources/websocket): the message, or null. */
function unwrapLine(text: string): unknown {
  let json = text;
  // "<ISO time> <json>": a Tardis data-feed line
  if (/^\d{4}-\d{2}-\d{2}T\S* /.test(text)) json = text.slice(text.indexOf(' ') + 1);
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const r = o as Record<string, unknown>;
  if ('ts_recv' in r && 'msg' in r) return r.msg;
  if ('localTimestamp' in r && 'message' in r) return r.message;
  return r;
}

/** A capture of Binance messages: the `s` of payloads and the symbol of stream names (btcusdt@aggTrade). */
function factsFromMessages(lines: Line[]): FileFacts | null {
  const symbols = new Set<string>();
  let binance = false;
  let first: string | undefined;
  for (const l of lines) {
    if (l.error || l.text.trim() === '') continue;
    for (const { p, stream } of payloads(unwrapLine(l.text.trim()))) {
      // "!markPrice@arr" streams are of every symbol: the payloads say which.
      const fromStream = stream && !stream.startsWith('!') && stream.includes('@') ? stream.slice(0, stream.indexOf('@')).toUpperCase() : undefined;
      const s = typeof p.s === 'string' && p.s ? p.s.toUpperCase() : fromStream;
      if (s && SYMBOL_CELL.test(s)) symbols.add(s);
      if (typeof p.e === 'string' || stream?.includes('@')) binance = true;
      first ??= dayOf(p.T ?? p.E, 1_000_000n);
    }
  }
  if (!symbols.size && !binance) return null;
  return { ...(binance ? { venue: 'BINANCE' } : {}), symbols: [...symbols], ...(first ? { first } : {}), from: 'messages' };
}

/** How many messages of each event type (Binance "e") the lines hold (a spot bookTicker has no "e"). */
export function messageEvents(lines: Line[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) {
    if (l.error || l.text.trim() === '') continue;
    for (const { p } of payloads(unwrapLine(l.text.trim()))) {
      const e = typeof p.e === 'string' && p.e ? p.e : 'u' in p && 'b' in p && 'a' in p ? 'bookTicker' : '?';
      out.set(e, (out.get(e) ?? 0) + 1);
    }
  }
  return out;
}

/** Whether a file's first line is a JSON message (a capture), not a CSV row. */
export function isMessages(lines: Line[]): boolean {
  const first = lines.find((l) => !l.error && l.text.trim() !== '')?.text.trim() ?? '';
  return first.startsWith('{') || /^\d{4}-\d{2}-\d{2}T\S* \{/.test(first);
}

/**
 * What a file (or a zip's member) says about itself: its rows first (a column or the messages), its
 * name for what they do not say (and for the days: a name covers the whole file). Null when neither
 * says anything, or the file cannot be read (reading it in the job says why).
 */
export async function readFacts(path: string, opts: { member?: string } = {}): Promise<FileFacts | null> {
  let lines: Line[] = [];
  let name = basename(path);
  try {
    // Small read chunks: only the start of a large compressed file is touched.
    const opened = await openData(path, { chunk: 64 * 1024, member: opts.member });
    if (opened.member) name = basename(opened.member);
    lines = await headLines(opened.stream, FACT_ROWS + 1);
  } catch {
    lines = [];
  }
  const fromName = factsFromName(name) ?? (name !== basename(path) ? factsFromName(basename(path)) : null);
  const rows = isMessages(lines) ? factsFromMessages(lines) : factsFromTardisRows(lines);
  if (!rows) return fromName;
  const facts: FileFacts = { ...rows };
  if (lines.length > FACT_ROWS) facts.partial = true;
  if (fromName) {
    if (!facts.exchange && !facts.venue && (fromName.exchange || fromName.venue)) Object.assign(facts, { exchange: fromName.exchange, market: fromName.market, venue: fromName.venue });
    if (!facts.symbols.length) facts.symbols = fromName.symbols;
    if (fromName.first) Object.assign(facts, { first: fromName.first, last: fromName.last });
  }
  for (const k of ['exchange', 'market', 'venue'] as const) if (facts[k] === undefined) delete facts[k];
  return facts;
}
