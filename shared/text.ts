// The engine's messages in two voices: the CLI's advice ("--overwrite", "the config's columns") and
// what to do in the app instead; and text taken from files (a row's cells, a file's first bytes)
// made printable before a screen shows it. The engine words its hints with HINTS[k].cli, so the
// app's appText finds each one. No Node or DOM APIs here.

/** A piece of advice the engine appends to a message: as the CLI words it, and as the app does. */
export interface Hint {
  cli: string;
  app: string;
}

export const HINTS = {
  mapColumns: { cli: `map it in the config's "columns"`, app: 'map it on the Mapping step' },
  rejectsFile: { cli: 'the reasons are in the rejects file', app: 'the reasons are under Rejected rows' },
  overwrite: { cli: '--overwrite', app: '"Replace days already in the catalog" (Job step, Output)' },
  precisions: { cli: 'pass --price-precision and --size-precision', app: 'enter the price and size decimals (Job step, Instrument)' },
  precision128: { cli: 'a 128-bit catalog (--precision 128)', app: 'a 128-bit catalog (Job step, Output: Precision)' },
  allowMismatch: { cli: 'allow the mismatch (--allow-mismatch; allowMismatch: true in a job)', app: 'confirm that the files were renamed (Job step, Instrument)' },
  giveSymbol: { cli: 'give the symbol (--symbol)', app: 'type the symbol (Job step, Instrument)' },
  nameSymbol: { cli: 'name the one to build (--symbol)', app: 'tick the ones to build (Job step, Instrument)' },
  giveExchange: { cli: 'give the exchange (--exchange)', app: 'choose the market (Job step, Instrument)' },
  barType: { cli: 'pass --bar-type', app: 'choose the bar type (Job step, Data types)' },
  definition: {
    cli: "Give the venue's instrument list (--instruments FILE), a Tardis API key, or enter the instrument (CLI flags --kind, --base, --quote, --multiplier, --inverse, --expiry, --price-increment, --size-increment)",
    app: 'Choose the venue’s instrument list, give a Tardis API key, or enter the instrument (Job step, Instrument: Definition)',
  },
} as const satisfies Record<string, Hint>;

/** Advice whose CLI form carries a value. */
const PATTERNS: readonly { cli: RegExp; app: string }[] = [
  { cli: /\(max reject ratio [^)]*\)/g, app: '(Job step, Options: "Rejected rows allowed per file")' },
];

/** The message as the app says it: every CLI hint the engine appended put as what to do in the app. */
export function appText(message: string): string {
  let out = message;
  // Longest first: one hint's CLI text may hold another's (--overwrite).
  const hints = Object.values(HINTS as Record<string, Hint>).sort((a, b) => b.cli.length - a.cli.length);
  for (const h of hints) out = out.split(h.cli).join(h.app);
  for (const p of PATTERNS) out = out.replace(p.cli, p.app);
  return out;
}

/**
 * One byte of a file that is not text: a control character (tab and line ends aside), the
 * replacement character a bad UTF-8 byte became, or the JSON escape the engine wrote for them.
 */
const BINARY_TOKEN = String.raw`(?:[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]|\\u00[0-9a-fA-F]{2}|\\[bfr])`;
/** A stretch of such bytes, at most 3 characters apart (the text between them is noise too). */
const BINARY_RUN = new RegExp(`${BINARY_TOKEN}(?:[^]{0,3}?${BINARY_TOKEN})+`, 'g');
const CONTROL = new RegExp(String.raw`[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]`, 'g');
const TOKEN = new RegExp(BINARY_TOKEN, 'g');

/**
 * Text from a file as a screen may show it: a stretch of binary bytes becomes "[binary data]", a
 * lone control character "�"; cut to `max` characters (with "…") when given.
 */
export function printable(text: string, max?: number): string {
  let out = text.replace(BINARY_RUN, (run) => ((run.match(TOKEN)?.length ?? 0) >= 3 ? '[binary data]' : run)).replace(CONTROL, '\ufffd');
  if (max !== undefined && out.length > max) out = `${out.slice(0, Math.max(1, max - 1))}…`;
  return out;
}

/** A count as people read it, thousands grouped (12,345,678), alike in the CLI, the engine's messages and the app. */
export function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
