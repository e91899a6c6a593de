// What the job's files say about their symbol, market and days (FileFacts, read by the engine), put
// together for the job screen: the values it fills in when the user has not chosen, and where the
// user's choice disagrees with a file (shown, and confirmed before the run as a renamed file).
import type { FileFacts } from '../../../shared/api.js';
import { MARKET, VENUE_MARKET, type MarketKey } from '../../../shared/markets.js';

/** One file's facts, named as the screen names the file. */
export interface NamedFacts {
  name: string;
  facts: FileFacts;
}

export interface FilesFacts {
  /** the distinct symbols the files name, in the order they first appear */
  symbols: string[];
  /** the market every file that names one agrees on (none when they disagree or none says) */
  market?: MarketKey;
  /** the venue every file that names one agrees on */
  venue?: string;
  /** the first and last day any file holds */
  first?: string;
  last?: string;
}


/** The venue a file says (from its market when it names one). */
function venueOf(f: FileFacts): string | undefined {
  return f.venue ?? (f.market ? MARKET[f.market].venue : undefined);
}

/** The facts of several files together; values the files disagree on are left out. */
export function combineFacts(files: readonly NamedFacts[]): FilesFacts {
  const symbols: string[] = [];
  const markets = new Set<MarketKey>();
  const venues = new Set<string>();
  let first: string | undefined;
  let last: string | undefined;
  for (const { facts } of files) {
    for (const s of facts.symbols) if (!symbols.includes(s)) symbols.push(s);
    if (facts.market) markets.add(facts.market);
    const v = venueOf(facts);
    if (v) venues.add(v);
    if (facts.first && (!first || facts.first < first)) first = facts.first;
    const end = facts.last ?? facts.first;
    if (end && (!last || end > last)) last = end;
  }
  const out: FilesFacts = { symbols };
  if (markets.size === 1) out.market = [...markets][0]!;
  if (venues.size === 1) out.venue = [...venues][0]!;
  if (first && last) Object.assign(out, { first, last });
  return out;
}

/** The market the files point to: the one they name, else their venue's usual one (unless `current` is of that venue). */
export function marketFromFacts(f: FilesFacts, current: MarketKey): MarketKey | null {
  if (f.market) return f.market;
  if (!f.venue) return null;
  if (MARKET[current].venue === f.venue) return current;
  return VENUE_MARKET[f.venue] ?? null;
}

/** Where a file says it (as the engine's refusal words it). */
function said(f: FileFacts): string {
  return f.from === 'column' ? 'its rows say' : f.from === 'file name' ? 'its file name says' : 'its messages say';
}

/** How a file's exchange reads: "bitmex (BitMEX)", "BINANCE". */
function placeText(f: FileFacts): string {
  if (f.exchange && f.market) return `${f.exchange} (${MARKET[f.market].label})`;
  return f.exchange ?? f.venue ?? '?';
}

/** Whether a file can be of the job's market: same venue, and the same market when the file names one (engine/jobs/identity.ts). */
function marketFits(market: MarketKey, f: FileFacts): boolean {
  const venue = venueOf(f);
  if (!venue) return !f.exchange || market === 'other';
  if (venue !== MARKET[market].venue) return false;
  return !f.market || f.market === market;
}

export interface Mismatch {
  file: string;
  what: 'symbol' | 'market';
  /** what the file says */
  file_value: string;
  /** what the job says */
  job_value: string;
  text: string;
}

/**
 * Where the job's symbol(s) and market disagree with what a file says, as the engine would refuse
 * them: a file naming one symbol (or several, read whole) without the job's; a file of another venue
 * or market. A job of several symbols picked from the files checks only the market.
 */
export function findMismatches(files: readonly NamedFacts[], symbols: readonly string[], market: MarketKey): Mismatch[] {
  const out: Mismatch[] = [];
  const want = symbols.map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const { name, facts } of files) {
    const syms = facts.symbols;
    const partly = syms.length > 1 && facts.partial;
    if (want.length === 1 && syms.length && !syms.includes(want[0]!) && !partly) {
      const text = `${name}: ${said(facts)} symbol ${syms.join(', ')}; the job’s symbol is ${want[0]}.`;
      out.push({ file: name, what: 'symbol', file_value: syms.join(', '), job_value: want[0]!, text });
    }
    if (!marketFits(market, facts)) {
      const job = MARKET[market].label;
      out.push({ file: name, what: 'market', file_value: placeText(facts), job_value: job, text: `${name}: ${said(facts)} exchange ${placeText(facts)}; the job’s market is ${job}.` });
    }
  }
  return out;
}

/** What a confirm of these mismatches is for: it holds while the job and the files stay as they were. */
export function mismatchKey(ms: readonly Mismatch[]): string {
  return ms.map((m) => `${m.file}|${m.what}|${m.file_value}|${m.job_value}`).join('\n');
}

/** Files that do not say their symbol, which a job of several symbols cannot share out (the engine refuses them). */
export function silentFiles(files: readonly NamedFacts[]): string[] {
  return files.filter((f) => !f.facts.symbols.length).map((f) => f.name);
}

/**
 * Why the chosen days would write nothing, from the days the files say they hold: all of them
 * start after the last chosen day, or (when each file says its last day too) all end before the
 * first. Null when the days may meet a file's rows, or a file does not say its days.
 */
export function daysOutsideFiles(start: string, end: string, files: readonly NamedFacts[]): string | null {
  if (!start || !end || !files.length || files.some((f) => !f.facts.first)) return null;
  const first = files.map((f) => f.facts.first!).sort()[0]!;
  const held = (f: NamedFacts) => (f.facts.partial ? undefined : f.facts.last);
  const lasts = files.map(held);
  const last = lasts.every((l) => l) ? (lasts as string[]).sort().at(-1)! : undefined;
  const span = last ? `${first} … ${last}` : `from ${first}`;
  if (end < first) return `The chosen days ${start} … ${end} are before any file's rows: the files hold ${span}. Pick days they hold.`;
  if (last && start > last) return `The chosen days ${start} … ${end} are after every file's rows: the files hold ${span}. Pick days they hold.`;
  return null;
}

/** Days after today (UTC) hold no data yet: said when the chosen range reaches past it. */
export function futureDays(end: string, today = new Date().toISOString().slice(0, 10)): string | null {
  return end && end > today ? `The days after today (${today}) hold no data yet; the last chosen day is ${end}.` : null;
}

/**
 * Without a Tardis API key only the first day of each month is served: the chosen days that are not
 * a 1st would fail. Said before the run, with how many and the first of them.
 */
export function tardisDaysWithoutKey(start: string, end: string, hasKey: boolean): string | null {
  if (hasKey || !start || !end || end < start) return null;
  let n = 0;
  let firstOne: string | undefined;
  const t0 = Date.parse(`${start}T00:00:00Z`), t1 = Date.parse(`${end}T00:00:00Z`);
  if (Number.isNaN(t0) || Number.isNaN(t1)) return null;
  // Counted by month, not day by day: a range of decades stays instant.
  for (let m = new Date(t0); m.getTime() <= t1; m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))) {
    const from = Math.max(m.getTime(), t0);
    const monthEnd = Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1) - 86_400_000;
    const to = Math.min(monthEnd, t1);
    const days = Math.round((to - from) / 86_400_000) + 1;
    const notFirst = days - (new Date(from).getUTCDate() === 1 ? 1 : 0);
    if (notFirst > 0) {
      n += notFirst;
      firstOne ??= new Date(new Date(from).getUTCDate() === 1 ? from + 86_400_000 : from).toISOString().slice(0, 10);
    }
  }
  if (!n) return null;
  return `Without a Tardis API key only the 1st of each month is served: ${n} of the chosen days (from ${firstOne}) would fail. Save the key in the Instrument card, or pick 1sts only.`;
}
