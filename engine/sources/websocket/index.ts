// The WebSocket capture source: JSONL files (plain, gz or bz2) of Binance USD-M messages, every
// line shape of spec sources.md §3.5, detected per line (shapes can be mixed in one file):
//   A raw payload {"e":…}                      B combined {"stream","data"} (data may be an array)
//   C our wrapper {"ts_recv":<ns|ISO>,"msg":…}  D Tardis data-feed line "<28-char ISO ts> <json>"
//   E Tardis Machine {"localTimestamp","message"}
// A broken line is a reject with its line number; the rest of the file goes on.
import { basename } from 'node:path';
import type { DataType, FileConfig } from '../../../shared/job.js';
import type { Normalizer } from '../../normalize/normalizer.js';
import { BinanceUsdmParser } from '../binance/parser.js';
import { depthNotes } from '../binance/depth.js';
import { readDepthSnapshot } from '../binance/snapshot.js';
import type { ReadHooks } from '../csv/index.js';
import { openData, type Compression } from '../io/open.js';
import { lineBatches, type Line } from '../io/lines.js';
import { FastLineReader, LineTally, readRest, type FastParser } from '../csv/fast.js';
import { FastRecv, ScannedLine, jsonFastPathEnabled } from './fast.js';
import { SAMPLE_LINES, TsColumn, parseIso } from '../timestamp.js';

export interface WebsocketFileResult {
  format: string;
  label: string;
  compression: Compression;
  notes: string[];
}

type Shape = 'raw' | 'combined' | 'ts_recv' | 'tardis' | 'tardis-machine';
/** the shapes the fast path reads, by its index */
const FAST_SHAPES: Shape[] = ['raw', 'combined', 'ts_recv'];
const SHAPE_TEXT: Record<Shape, string> = {
  raw: 'raw payload', combined: 'combined {stream,data}', ts_recv: '{ts_recv,msg}', tardis: 'Tardis data-feed line', 'tardis-machine': 'Tardis Machine {localTimestamp,message}',
};

/** The text of a receive time (a JSON string or non-negative integer), or why it is not one. */
function recvText(v: unknown, raw: string, key: string): string | { error: string } {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) {
    // A 19-digit ns value is past 2^53: JSON.parse rounded it, so take the digits from the line.
    if (Number.isSafeInteger(v)) return String(v);
    const m = new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(raw);
    if (!m || Number(m[1]) !== v) return { error: 'a number too large to read exactly; write it as a string' };
    return m[1]!;
  }
  return { error: 'expected Unix time (s, ms, µs or ns) or an ISO 8601 time' };
}

const UNIX_RE = /^\d+(\.\d+)?$/;

/**
 * Receive times of one file: ISO 8601 text (self-describing), or Unix numbers whose unit is decided
 * per file by most of the first values (spec §0), as for a CSV timestamp column (TsColumn): one odd
 * first value is its own reject, and values in another unit get one file-level note.
 */
class RecvClock {
  readonly col = new TsColumn();
  /** the field the note names (the first one this clock read) */
  field: string | null = null;

  /** Decides the Unix unit from the sample's values (ISO text says nothing about it). */
  decide(values: { v: unknown; raw: string; key: string }[]): void {
    const texts: string[] = [];
    for (const { v, raw, key } of values) {
      const t = recvText(v, raw, key);
      if (typeof t === 'string' && UNIX_RE.test(t)) texts.push(t);
    }
    this.col.decide(texts);
  }

  parse(v: unknown, raw: string, key: string, field = key): bigint | string {
    const text = recvText(v, raw, key);
    if (typeof text !== 'string') return text.error;
    if (!UNIX_RE.test(text)) {
      const r = parseIso(text);
      return 'error' in r ? r.error : r.ns;
    }
    this.field ??= field;
    return this.col.parse(text);
  }

  note(): string | null {
    return this.field ? this.col.note(this.field) : null;
  }
}

/**
 * The receive time a line carries, for the unit sample: which clock reads it, or null. Shapes as in
 * readWebsocketTargets; a line it cannot read is left to that function's rejects.
 */
function sampleRecv(text: string): { tardis: boolean; v: unknown; key: string } | null {
  const c = text.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const sp = text.indexOf(' ');
    return sp < 0 ? null : { tardis: true, v: text.slice(0, sp), key: '' };
  }
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const r = o as Record<string, unknown>;
  if ('ts_recv' in r) return { tardis: false, v: r.ts_recv, key: 'ts_recv' };
  if ('localTimestamp' in r && 'message' in r) return { tardis: true, v: r.localTimestamp, key: 'localTimestamp' };
  return null;
}

export async function readWebsocketFile(path: string, type: DataType, _cfg: FileConfig | undefined, norm: Normalizer, hooks: ReadHooks = {}): Promise<WebsocketFileResult> {
  return (await readWebsocketTargets(path, [{ type, norm }], hooks))[0]!;
}

/** A data type a capture file is read for, with its own Normalizer (rows, rejects, counters). */
export interface WebsocketTarget {
  type: DataType;
  norm: Normalizer;
}

/** A line's message once its wrapper is taken off: the shape it came in and its receive time. */
interface Unwrapped { shape: Shape; recv: bigint | null; msg: unknown }

/**
 * One capture file read for every target: each line parsed once, its wrapper taken off, the message
 * handed to every type's parser; what the file held (line shapes, empty lines, clocks) kept for notes.
 */
class CaptureReader {
  readonly clock = new RecvClock();
  private readonly tardisClock = new RecvClock();
  private readonly shapes: Partial<Record<Shape, number>> = {};
  /** the fast path's counts of FAST_SHAPES lines (shapes holds their order of first sight) */
  private readonly fastShapes = [0, 0, 0];
  lines = 0;
  private empty = 0;

  constructor(readonly parsers: BinanceUsdmParser[]) {}

  private rejectLine(no: number, field: string, reason: string, value: string): void {
    for (const p of this.parsers) p.rejectLine(no, field, reason, value);
  }

  /** One line: a reject, a skipped line, or a message handed to every parser. */
  handleLine(line: Line): void {
    this.lines++;
    // Longer than MAX_LINE: never held whole, its start quoted.
    if (line.error) return this.rejectLine(line.no, 'line', line.error, line.text);
    const text = line.text.trim();
    if (text === '') {
      this.empty++; // a disconnect marker in Tardis captures
      return;
    }
    const prefixed = text.charCodeAt(0) >= 48 && text.charCodeAt(0) <= 57 ? this.tardisPrefix(line.no, text) : { jsonText: text, recv: null };
    if (!prefixed) return;
    let obj: unknown;
    try {
      obj = JSON.parse(prefixed.jsonText);
    } catch (e) {
      return this.rejectLine(line.no, 'json', `not valid JSON (${(e as Error).message})`, text);
    }
    const u = prefixed.recv !== null ? { shape: 'tardis' as const, recv: prefixed.recv, msg: obj } : this.unwrap(line.no, text, obj);
    if (!u) return;
    this.shapes[u.shape] = (this.shapes[u.shape] ?? 0) + 1;
    // The parsers only read the message, so one parsed object serves every type.
    for (const p of this.parsers) p.message(line.no, u.msg, u.recv, text);
  }

  /**
   * handleLine for a line the fast path took apart, buf[s, next) with its line end: counted as
   * handleLine counts it and handed to every parser's fast entry, or, where a parser declines, to
   * its message() with the line's JSON.parse value (as handleLine would have given it).
   */
  fastLine(no: number, m: ScannedLine, recv: FastRecv | null, buf: Buffer, s: number, next: number): void {
    this.lines++;
    const k = m.wrapped ? 2 : m.enveloped ? 1 : 0;
    if (this.fastShapes[k]!++ === 0) this.shapes[FAST_SHAPES[k]!] ??= 0;
    if (recv) this.clock.field ??= 'ts_recv';
    let text: string | null = null, msg: unknown;
    for (const p of this.parsers) {
      if (p.fastMessage(no, m, recv)) continue;
      if (text === null) {
        // The line is ASCII: its bytes are its characters.
        text = buf.toString('latin1', s, buf[next - 2] === 13 ? next - 2 : next - 1);
        const o = JSON.parse(text) as Record<string, unknown>;
        msg = m.wrapped ? o.msg : o;
      }
      p.message(no, msg, recv ? recv.ns() : null, text);
    }
  }

  /** D: "<ISO local timestamp> <json>" (Tardis writes exactly 28 chars; accept other ISO widths). */
  private tardisPrefix(no: number, text: string): { jsonText: string; recv: bigint } | null {
    const sp = text.indexOf(' ');
    if (sp < 0) {
      this.rejectLine(no, 'local_timestamp', 'a line starting with a digit must be "<ISO timestamp> <json>" (Tardis data-feed line)', text);
      return null;
    }
    const ts = this.tardisClock.parse(text.slice(0, sp), text, '', 'local_timestamp');
    if (typeof ts === 'string') {
      this.rejectLine(no, 'local_timestamp', ts, text.slice(0, sp));
      return null;
    }
    return { jsonText: text.slice(sp + 1), recv: ts };
  }

  /** A JSON line's wrapper: {ts_recv,msg}, Tardis Machine {localTimestamp,message}, combined {stream,data}, or none. */
  private unwrap(no: number, text: string, obj: unknown): Unwrapped | null {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { shape: 'raw', recv: null, msg: obj };
    const o = obj as Record<string, unknown>;
    if ('ts_recv' in o) {
      const ts = this.clock.parse(o.ts_recv, text, 'ts_recv');
      if (typeof ts === 'string') return this.rejectLine(no, 'ts_recv', ts, JSON.stringify(o.ts_recv) ?? ''), null;
      if (!('msg' in o)) return this.rejectLine(no, 'msg', 'missing field (the message of a {ts_recv,msg} line)', text), null;
      return { shape: 'ts_recv', recv: ts, msg: o.msg };
    }
    if ('localTimestamp' in o && 'message' in o) {
      const ts = this.tardisClock.parse(o.localTimestamp, text, 'localTimestamp');
      if (typeof ts === 'string') return this.rejectLine(no, 'localTimestamp', ts, JSON.stringify(o.localTimestamp) ?? ''), null;
      return { shape: 'tardis-machine', recv: ts, msg: o.message };
    }
    return { shape: 'stream' in o && 'data' in o ? 'combined' : 'raw', recv: null, msg: obj };
  }

  /** Decides the receive-time units from the held first lines (a bounded sample). */
  decideClocks(held: Line[]): void {
    const wrapped: { v: unknown; raw: string; key: string }[] = [], tardis: typeof wrapped = [];
    for (const l of held) {
      const text = l.error ? '' : l.text.trim();
      const r = text === '' ? null : sampleRecv(text);
      if (r) (r.tardis ? tardis : wrapped).push({ v: r.v, raw: text, key: r.key });
    }
    this.clock.decide(wrapped);
    this.tardisClock.decide(tardis);
  }

  /** What every target's report says of the file. */
  commonNotes(): string[] {
    const common: string[] = [];
    if (this.lines === 0) common.push('the file is empty');
    const seen = (Object.entries(this.shapes) as [Shape, number][]).map(([k, v]) => `${SHAPE_TEXT[k]} ×${v + (this.fastShapes[FAST_SHAPES.indexOf(k)] ?? 0)}`);
    if (seen.length) common.push(`line shapes: ${seen.join(', ')}`);
    if (this.empty) common.push(`${this.empty} empty line(s) skipped (disconnect markers)`);
    for (const c of [this.clock, this.tardisClock]) {
      const n = c.note();
      if (n) common.push(n);
    }
    return common;
  }
}

/** The fast path's line parser (FastLineReader): lines of the fast shapes, from their bytes, to the CaptureReader. */
class FastCapture implements FastParser {
  private readonly m = new ScannedLine();
  private readonly recv = new FastRecv();

  constructor(private readonly reader: CaptureReader) {
    this.refresh();
  }

  /** The receive-time unit, once decided (a line on the complete path may decide it). */
  refresh(): void {
    this.recv.setUnit(this.reader.clock.col.unit);
  }

  line(buf: Uint8Array, s: number, end: number, no: number): number {
    const m = this.m;
    const next = m.scan(buf, s, end);
    if (next < 0 || (m.wrapped && !this.recv.read(m.dv, buf, m.recvS, m.recvE))) return -1;
    this.reader.fastLine(no, m, m.wrapped ? this.recv : null, buf as Buffer, s, next);
    return next;
  }
}

/**
 * The capture's lines to the reader: the first ones held until the receive-time units are decided
 * from many of them, then (fast path on) the rest of the bytes read by FastCapture, the lines it
 * declines handed over as text, in order.
 */
async function readLines(source: AsyncIterable<Buffer>, reader: CaptureReader, onBatch: () => void | Promise<void>, signal?: AbortSignal): Promise<void> {
  const chunks = source[Symbol.asyncIterator]();
  let tally: LineTally | null = jsonFastPathEnabled() ? new LineTally() : null;
  const tee = async function* (): AsyncGenerator<Buffer> {
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) {
      tally?.add(r.value);
      yield r.value;
    }
  };
  let held: Line[] | null = [];
  let heldLines = 0;
  const release = (first: Line[]): void => {
    reader.decideClocks(first);
    for (const l of first) reader.handleLine(l);
  };
  for await (const batch of lineBatches(tee())) {
    signal?.throwIfAborted();
    if (held) {
      held = held.concat(batch);
      for (const l of batch) if (l.error || l.text.trim() !== '') heldLines++;
      if (heldLines <= SAMPLE_LINES) continue;
      release(held);
      held = null;
    } else for (const line of batch) reader.handleLine(line);
    await onBatch();
    if (tally?.settled(batch)) {
      const fast = new FastLineReader(new FastCapture(reader), tally.lines, tally.tail, (lines) => {
        for (const l of lines) reader.handleLine(l);
      });
      tally = null;
      await readRest(chunks, fast, { signal, onBatch });
      return;
    }
  }
  if (held) release(held);
}

/**
 * Reads a capture file once for several data types (trades, mark and funding usually come from one
 * file): each line is parsed once and handed to every type's parser, which counts and rejects it
 * exactly as a read for that type alone would (the result is the same as one read per type).
 */
export async function readWebsocketTargets(path: string, targets: WebsocketTarget[], hooks: ReadHooks = {}): Promise<WebsocketFileResult[]> {
  const opened = await openData(path, { member: hooks.member });
  const reader = new CaptureReader(targets.map((t) => new BinanceUsdmParser(t.norm, t.type, hooks.symbol)));
  // deltas: the book starts from the REST depth snapshot the capture was synced from (binance/snapshot.ts).
  const snapNotes = new Map<number, string[]>();
  try {
    for (const [i, t] of targets.entries()) {
      if (t.type === 'deltas' && hooks.snapshot) snapNotes.set(i, await readDepthSnapshot(hooks.snapshot, t.norm, hooks.symbol ?? t.norm.o.symbol));
    }
  } catch (e) {
    opened.stream.destroy();
    throw e;
  }
  const source = opened.stream;
  try {
    await readLines(source, reader, async () => void (await hooks.onBatch?.(opened.bytesRead(), opened.totalBytes)), hooks.signal);
  } finally {
    source.destroy();
  }
  const common = reader.commonNotes();
  return targets.map(({ type, norm }, i) => {
    const parser = reader.parsers[i]!;
    const notes = [...common];
    if (type === 'trades' && parser.tradeStream) notes.push(`trades from the ${parser.tradeStream} stream (trade ids: ${parser.tradeStream === 'aggTrade' ? 'a' : 't'})`);
    notes.push(...(snapNotes.get(i) ?? []), ...parser.notes(), ...(type === 'deltas' ? depthNotes(norm) : []));
    if (norm.counters.rows === 0) notes.push(`no ${type} messages for ${norm.o.symbol.toUpperCase()}`);
    return { format: 'binance.jsonl', label: `Binance USD-M messages (${basename(path)})`, compression: opened.compression, notes };
  });
}
