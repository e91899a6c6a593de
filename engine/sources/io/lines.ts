// Splits a byte stream into text lines with 1-based line numbers. Handles CRLF, a UTF-8 BOM and
// chunk boundaries inside multi-byte characters. A CSV row is one line (see openQuoteAt).
// Hostile input stays cheap (issue 11): a line is at most MAX_LINE bytes (a longer one is that
// line's reject and is never held whole), and UTF-16 or binary input is one file-level error.
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { grouped } from '../../../shared/text.js';

/** The longest line read, in bytes; a longer one is that line's reject. Market data rows are ~100 bytes. */
export const MAX_LINE = 1 << 20;
/** How much of a bad line an error or reject quotes. */
export const QUOTE_CHARS = 200;

export const LONG_LINE = 'line longer than 1 MiB (1,048,576 bytes), not read';
export const UNCLOSED_QUOTE = 'a quote opens this field and does not close on its line (a stray quote; quoted fields cannot span lines)';

export interface Line {
  text: string;
  /** 1-based line number */
  no: number;
  /** set when the line cannot be a row (longer than MAX_LINE): why; text then holds its start only */
  error?: string;
}

/** What a reject quotes of a line longer than MAX_LINE: its start. */
export function longHead(start: string): string {
  return start.slice(0, QUOTE_CHARS) + '…';
}

/** At most `max` characters of `s`, marked when cut: for any error message that quotes input. */
export function clip(s: string, max = QUOTE_CHARS): string {
  return s.length > max ? s.slice(0, max) + `… (${grouped(s.length)} characters)` : s;
}

/**
 * Where a quoted field left open at the end of the line starts, or -1. A CSV row is one line: a
 * quoted field never spans lines here, since joining lines until quotes balance let one stray quote
 * swallow every later row (issue 11 item 1), and market data holds no line breaks inside fields.
 * RFC 4180: a quote is special only at the start of a field; `""` inside a quoted field is a quote.
 */
export function openQuoteAt(s: string, delimiter: string): number {
  const d = delimiter.charCodeAt(0);
  let open = -1;
  let fieldStart = true;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (open >= 0) {
      if (c !== 34) continue;
      if (s.charCodeAt(i + 1) === 34) {
        i++;
        continue;
      }
      open = -1;
      fieldStart = false;
    } else if (c === 34 && fieldStart) open = i;
    else fieldStart = c === d;
  }
  return open;
}

/**
 * Refuses input that is not UTF-8 text, from its first bytes: UTF-16 (a byte-order mark, or NUL
 * in every other byte) would otherwise become one reject per row, binary data one huge line.
 */
export function checkText(b: Uint8Array): void {
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
    throw new Error(`the file is UTF-16 encoded (${b[0] === 0xff ? 'little' : 'big'}-endian, byte-order mark); save it as UTF-8`);
  }
  const n = Math.min(b.length, 4096) & ~1;
  if (n < 8) return;
  let even = 0, odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) even++;
    if (b[i + 1] === 0) odd++;
  }
  const half = n / 2;
  if ((odd > half * 0.4 && even < half * 0.05) || (even > half * 0.4 && odd < half * 0.05)) {
    throw new Error(`the file looks UTF-16 encoded (${odd > even ? 'little' : 'big'}-endian, no byte-order mark: NUL in every other byte); save it as UTF-8`);
  }
  const kind = MAGIC.find((m) => m.bytes.every((x, i) => b[i] === x));
  if (kind) throw new Error(`the file is not text: it is ${kind.what}`);
  if (even + odd > n * 0.1) throw new Error(`the file is not text: ${even + odd} of its first ${n} bytes are NUL`);
  // Compressed or binary data holds few NULs but many control bytes; text (even with odd bytes) almost none.
  let ctl = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if ((c < 9 && c !== 0) || (c > 13 && c < 32 && c !== 27) || c === 127) ctl++;
  }
  if (ctl > n * 0.01 + 1) throw new Error(`the file is not text: ${ctl} of its first ${n} bytes are control bytes (binary data)`);
}

/** File types that are never data rows, by their first bytes (a zip, gzip or bzip2 is opened before this). */
const MAGIC: { bytes: number[]; what: string }[] = [
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF program (executable), not a data file' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image, not a data file' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image, not a data file' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image, not a data file' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document, not a data file' },
  { bytes: [0x50, 0x41, 0x52, 0x31], what: 'a Parquet file, not a CSV (catalogs are written, not read, by this tool)' },
];

/** The file-level error when the first line of a CSV (its header or first row) cannot be read. */
export function firstLineError(lines: Line[]): Error | null {
  const first = lines.find((l) => l.error || l.text.trim() !== '');
  if (!first?.error) return null;
  const cr = first.text.includes('\r') ? '; its lines seem to end with a bare CR (classic Mac OS): convert the line ends to LF or CRLF' : '';
  return new Error(`line ${first.no}, the first line, cannot be read: ${first.error}${cr} (it starts: ${JSON.stringify(clip(first.text, 100))})`);
}

/** Yields batches of lines (arrays) to keep per-line overhead low. */
export async function* lineBatches(stream: Readable | AsyncIterable<Buffer>): AsyncGenerator<Line[]> {
  const dec = new StringDecoder('utf8');
  // The current line's start (no '\n' yet): its pieces and size in bytes; `long` holds the start of
  // a line already known to be too long, whose remaining bytes are dropped up to its end.
  let rest = '';
  let restBytes = 0;
  let long: string | null = null;
  let no = 0;
  let first = true;
  const out: Line[] = [];
  const push = (raw: string) => {
    no++;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    out.push({ text, no });
  };
  const pushLong = () => {
    no++;
    first = false;
    out.push({ text: longHead(long!), no, error: LONG_LINE });
    long = null;
  };
  // Chars never exceed bytes, so only a line of over MAX_LINE / 3 chars needs its bytes counted.
  const tooLong = (s: string, bytes: number) => s.length > MAX_LINE || (s.length * 3 > MAX_LINE - bytes && bytes + Buffer.byteLength(s) > MAX_LINE);
  let checked = false;
  for await (const chunk of stream) {
    if (!checked) {
      checkText(chunk as Buffer);
      checked = true;
    }
    const s = dec.write(chunk as Buffer);
    let start = 0;
    for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', start)) {
      if (long !== null) pushLong();
      else {
        const piece = s.slice(start, i);
        if (tooLong(piece, restBytes)) {
          long = (rest + piece.slice(0, QUOTE_CHARS + 1)).slice(0, QUOTE_CHARS + 1);
          pushLong();
        } else push(rest ? rest + piece : piece);
      }
      rest = '';
      restBytes = 0;
      start = i + 1;
    }
    if (long === null && start < s.length) {
      const tail = s.slice(start);
      if (tooLong(tail, restBytes)) {
        long = (rest + tail.slice(0, QUOTE_CHARS + 1)).slice(0, QUOTE_CHARS + 1);
        rest = '';
        restBytes = 0;
      } else {
        rest += tail;
        restBytes += Buffer.byteLength(tail);
      }
    }
    if (out.length) yield out.splice(0);
  }
  const last = dec.end();
  if (long !== null) pushLong();
  else if (rest.length || last.length) push(rest + last);
  if (out.length) yield out.splice(0);
}

/** Reads only the first `max` lines (the stream is destroyed afterwards). */
export async function headLines(stream: Readable, max: number): Promise<Line[]> {
  const got: Line[] = [];
  try {
    for await (const batch of lineBatches(stream)) {
      got.push(...batch);
      if (got.length >= max) break;
    }
  } finally {
    stream.destroy();
  }
  return got.slice(0, max);
}
