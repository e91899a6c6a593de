// Splits a byte stream into text lines with 1-based line numbers. Handles CRLF, a UTF-8 BOM,
// chunk boundaries inside multi-byte characters and, for CSV, quoted fields that span lines.
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

export interface Line {
  text: string;
  /** line number of the record's first line */
  no: number;
}

export function quotesBalanced(s: string): boolean {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return (n & 1) === 0;
}

/** Yields batches of lines (arrays) to keep per-line overhead low. */
export async function* lineBatches(stream: Readable | AsyncIterable<Buffer>, opts: { csvQuotes?: boolean } = {}): AsyncGenerator<Line[]> {
  const dec = new StringDecoder('utf8');
  let rest = '';
  let no = 0;
  let first = true;
  let pending: { text: string; no: number } | null = null;
  const out: Line[] = [];
  const push = (raw: string) => {
    no++;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (opts.csvQuotes) {
      if (pending) {
        pending.text += '\n' + text;
        if (quotesBalanced(pending.text)) { out.push(pending); pending = null; }
        return;
      }
      if (text.includes('"') && !quotesBalanced(text)) { pending = { text, no }; return; }
    }
    out.push({ text, no });
  };
  for await (const chunk of stream) {
    const s = rest + dec.write(chunk as Buffer);
    let start = 0;
    for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', start)) {
      push(s.slice(start, i));
      start = i + 1;
    }
    rest = s.slice(start);
    if (out.length) yield out.splice(0);
  }
  rest += dec.end();
  if (rest.length) push(rest);
  if (pending) { out.push(pending); pending = null; }
  if (out.length) yield out.splice(0);
}

/** Reads only the first `max` lines (the stream is destroyed afterwards). */
export async function headLines(stream: Readable, max: number, opts: { csvQuotes?: boolean } = {}): Promise<Line[]> {
  const got: Line[] = [];
  try {
    for await (const batch of lineBatches(stream, opts)) {
      got.push(...batch);
      if (got.length >= max) break;
    }
  } finally {
    stream.destroy();
  }
  return got.slice(0, max);
}
