// The JSONL fast path: a capture line of the commonest shape (a USD-M aggTrade payload in the key
// order Binance sends, inside a combined-stream envelope and our {ts_recv,msg} wrapper, either of
// them optional; no whitespace, no escapes) is read by one regular expression instead of JSON.parse,
// about 3x faster. It gives exactly the value JSON.parse gives for that line, or undefined for any
// other line, which then takes JSON.parse as before (test/websocket-fast.test.ts checks both on
// valid, broken and mutated lines).

/** JSON integers without a sign, fraction or leading zero, up to 16 digits (as JSON.parse reads them). */
const INT = '(0|[1-9][0-9]{0,15})';
/** JSON string contents that need no unescaping: no quote, backslash or control character. */
const STR = '([^"\\\\\\u0000-\\u001f]*)';
const AGG = `\\{"e":"aggTrade","E":${INT},"a":${INT},"s":"${STR}","p":"${STR}","q":"${STR}","f":${INT},"l":${INT},"T":${INT},"m":(true|false)\\}`;
const LINE = new RegExp(`^(\\{"ts_recv":"${STR}","msg":)?(\\{"stream":"${STR}","data":)?${AGG}(\\}*)$`);

/** The fast path is on unless CB_FAST_PATH=0 (tests compare both). */
export function jsonFastPathEnabled(): boolean {
  return process.env.CB_FAST_PATH !== '0';
}

/** JSON.parse(text) for a line of the fast shape; undefined when the line has another shape. */
export function parseFastLine(text: string): unknown {
  const m = LINE.exec(text);
  if (!m) return undefined;
  const wrapped = m[1] !== undefined, enveloped = m[3] !== undefined;
  // One closing brace for each outer object, no more, no fewer.
  if (m[14]!.length !== (wrapped ? 1 : 0) + (enveloped ? 1 : 0)) return undefined;
  // Keys in the order of the text, as JSON.parse creates them.
  let v: unknown = {
    e: 'aggTrade', E: Number(m[5]), a: Number(m[6]), s: m[7], p: m[8], q: m[9], f: Number(m[10]), l: Number(m[11]), T: Number(m[12]), m: m[13] === 'true',
  };
  if (enveloped) v = { stream: m[4], data: v };
  if (wrapped) v = { ts_recv: m[2], msg: v };
  return v;
}
