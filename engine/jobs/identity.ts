// The job's symbol and exchange, settled against what its files say (engine/sources/facts.ts) before
// anything is written: taken from the files when the job does not name them, refused when a file
// says another (a BTCUSDT file run as ETHUSDT, a BitMEX file as Binance) unless the job allows it.
import type { JobSpec, SettledJobSpec } from '../../shared/job.js';
import { MARKET, marketOf, parseExchange, tardisMarket, type ExchangeRef, type MarketKey } from '../instruments/markets.js';
import { FACT_ROWS, readFacts, type FileFacts } from '../sources/facts.js';
import { tardisConfig } from '../sources/tardis/config.js';
import { TYPE_ORDER } from './context.js';
import { entryFor } from './feeds.js';
import { resolveFiles } from './files.js';
import { expandInputs } from './inputs.js';
import { HINTS } from '../../shared/text.js';

/** What one input (a file, or a zip's member) says, named as reports name it. */
export interface InputFacts {
  label: string;
  facts: FileFacts;
  /** how messages say where it says it ('its "exchange" says'; default: by facts.from) */
  says?: string;
}

export interface Identity {
  symbol: string;
  exchange: string;
  /** what was taken from the files or overridden, for the run report */
  notes: string[];
  /** inputs (by label) whose rows are read under another symbol than the job's (allowMismatch over a renamed file) */
  rowSymbols: Map<string, string>;
}

/** Where an input says it: "its rows say", "its file name says", "its messages say". */
const said = (x: InputFacts) => x.says ?? (x.facts.from === 'column' ? 'its rows say' : x.facts.from === 'file name' ? 'its file name says' : 'its messages say');

/**
 * The facts of every input a CSV or WebSocket job would read (a Tardis job downloads its files per
 * symbol and exchange: its config's exchange stands for them). A file that cannot be listed or read
 * says nothing here; the job's reading of it reports why.
 */
export async function gatherFacts(spec: JobSpec, configDir: string): Promise<InputFacts[]> {
  const out: InputFacts[] = [];
  if (spec.source === 'tardis') {
    let exchange: string | undefined;
    try {
      exchange = tardisConfig(spec.config as Record<string, unknown>, configDir).exchange;
    } catch {
      return out; // the plan reports a bad config
    }
    const market = tardisMarket(exchange, spec.symbol ?? '') ?? undefined;
    out.push({ label: 'the Tardis config', says: 'its "exchange" says', facts: { exchange, market, venue: market && MARKET[market].venue, symbols: [], from: 'column' } });
    return out;
  }
  const seen = new Set<string>();
  for (const type of TYPE_ORDER) {
    const entry = spec.dataTypes.includes(type) ? entryFor(spec.config, type) : null;
    if (!entry) continue;
    const paths: string[] = [];
    for (const fc of entry.parts) paths.push(...(await resolveFiles(fc.file_path, spec.config.base_path, configDir).catch(() => [] as string[])));
    const { inputs } = await expandInputs(paths, spec.source);
    for (const input of inputs) {
      if (input.error || seen.has(input.identity)) continue;
      seen.add(input.identity);
      // A file that says nothing is kept too: a job of several symbols must refuse it.
      const facts = await readFacts(input.path, { member: input.member });
      out.push({ label: input.label, facts: facts ?? { symbols: [], from: 'file name' } });
    }
  }
  return out;
}

/** The symbols the files hold, each with the files that hold it. */
function symbolsOf(files: InputFacts[]): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const { label, facts } of files) for (const s of facts.symbols) by.set(s, [...(by.get(s) ?? []), label]);
  return by;
}

/** "BTCUSDT (a.csv), ETHUSDT (b.csv, c.csv)": values with the files that say them (three named at most). */
function listed(by: Map<string, string[]>): string {
  return [...by].map(([v, ls]) => `${v} (${ls.slice(0, 3).join(', ')}${ls.length > 3 ? `, ${ls.length - 3} more` : ''})`).join(', ');
}

/** The market or venue a file says: market key, venue, or the exchange id when it is none of ours. */
function placeOf(f: FileFacts): string | undefined {
  return f.market ?? f.venue ?? f.exchange;
}

/** Whether a file of `f` can be of the job's exchange: same venue, and same market when both say one. */
function compatible(ref: ExchangeRef, f: FileFacts): boolean {
  const venue = f.venue ?? (f.market && MARKET[f.market].venue);
  // An exchange id with no market here (huobi-dm-swap) is no venue of ours: only a job of another venue can take it.
  if (!venue) return !f.exchange || ref.market === 'other';
  if (venue !== ref.venue) return false;
  return !(ref.market && f.market && ref.market !== f.market);
}

/** How a file's exchange reads in a message: "bitmex (BitMEX)", "binance-spot", "BINANCE". */
function exchangeText(f: FileFacts): string {
  if (f.exchange && f.market) return `${f.exchange} (${MARKET[f.market].label})`;
  return f.exchange ?? f.venue ?? '?';
}

const ALLOW = `if the files were renamed and the job is right, ${HINTS.allowMismatch.cli}`;

/** What settling found: notes for the report, and the refusals (job against file, files among themselves). */
interface Findings {
  notes: string[];
  mismatches: string[];
  refusals: string[];
  rowSymbols: Map<string, string>;
}

/** The job's symbol: its own (each file checked against it), else the one every file names. */
function settleSymbol(spec: JobSpec, files: InputFacts[], out: Findings, section: boolean): string | null {
  if (!spec.symbol) {
    const by = symbolsOf(files);
    const one = by.size === 1 ? [...by.keys()][0]! : null;
    if (one) out.notes.push(`symbol ${one}: named by the files (${listed(by)})`);
    else if (by.size === 0) out.refusals.push(`no symbol given, and the files do not name one: ${HINTS.giveSymbol.cli}`);
    else out.refusals.push(`no symbol given, and the files name several: ${listed(by)}; ${HINTS.nameSymbol.cli}: a job builds one symbol`);
    return one;
  }
  const want = spec.symbol.toUpperCase();
  for (const x of files) {
    const syms = x.facts.symbols;
    if (section) {
      // One symbol of several: a file of other symbols only adds nothing (its rows are skipped as
      // another symbol's); a file that names none would give its rows to every symbol.
      if (!syms.length) out.refusals.push(`${x.label} does not say which symbol its rows are; a job of several symbols needs every file to say it (a symbol column, a file name or messages)`);
      continue;
    }
    if (!syms.length || syms.includes(want)) continue;
    // A file of several symbols read in part: the job's may come later (other symbols' rows are skipped).
    if (syms.length > 1 && x.facts.partial) {
      out.notes.push(`${x.label}: ${want} is not among the symbols of its first ${FACT_ROWS} rows (${syms.join(', ')}); rows of other symbols are skipped`);
      continue;
    }
    if (spec.allowMismatch) {
      out.notes.push(`${x.label}: ${said(x)} symbol ${syms.join(', ')}; built as the job's ${spec.symbol} (allowMismatch)`);
      // A renamed file of one symbol: its rows are the job's.
      if (syms.length === 1) out.rowSymbols.set(x.label, syms[0]!);
    } else out.mismatches.push(`${x.label}: ${said(x)} symbol ${syms.join(', ')}, the job's symbol is ${spec.symbol}`);
  }
  return spec.symbol;
}

/** Values with the inputs that say them. */
function group(files: InputFacts[], key: (f: FileFacts) => string | undefined): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const { label, facts } of files) {
    const k = key(facts);
    if (k) by.set(k, [...(by.get(k) ?? []), label]);
  }
  return by;
}

/**
 * The job's exchange: its market when it names one (each file checked against it); a venue, or
 * nothing, takes the market the files agree on (else the venue they say, else BINANCE as before).
 */
function settleExchange(spec: JobSpec, symbol: string, files: InputFacts[], out: Findings): string {
  const given = spec.exchange ? parseExchange(spec.exchange) : null;
  // An exchange the tool does not know: the instrument step refuses it, naming those it knows.
  if (spec.exchange && !given) return spec.exchange;
  const agreeing: InputFacts[] = [];
  for (const x of files) {
    if (!placeOf(x.facts)) continue;
    if (!given || compatible(given, x.facts)) agreeing.push(x);
    else if (spec.allowMismatch) out.notes.push(`${x.label}: ${said(x)} exchange ${exchangeText(x.facts)}; built as the job's ${spec.exchange} (allowMismatch)`);
    else out.mismatches.push(`${x.label}: ${said(x)} exchange ${exchangeText(x.facts)}, the job's exchange is ${spec.exchange}`);
  }
  if (given?.market) return spec.exchange!;
  const unknown = group(agreeing.filter((x) => !x.facts.venue), (f) => f.exchange);
  if (unknown.size) out.refusals.push(`the files say exchange ${listed(unknown)}, which this tool has no market for; ${HINTS.giveExchange.cli}`);
  const venues = group(agreeing, (f) => f.venue);
  const markets = group(agreeing, (f) => f.market);
  if (venues.size > 1) out.refusals.push(`the files are of several venues: ${listed(venues)}; a job builds one instrument`);
  else if (markets.size > 1) out.refusals.push(`the files are of several markets: ${listed(markets)}; name the market (--exchange, e.g. ${[...markets.keys()][0]})`);
  else if (markets.size === 1) {
    const market = [...markets.keys()][0] as MarketKey;
    // Said when the files changed the market (the job's exchange, or BINANCE, alone would give another).
    const before = marketOf(given ?? parseExchange('BINANCE')!, symbol);
    if (market !== before) out.notes.push(`exchange ${market}: the market the files say (${listed(markets)})${given ? `, a market of the job's ${spec.exchange}` : ''}`);
    return market;
  }
  if (given) return spec.exchange!;
  if (venues.size === 1) return [...venues.keys()][0]!;
  return 'BINANCE';
}

/**
 * The job with its symbol and exchange settled against its files' facts. Throws, before anything
 * is written, naming each file and both values, when a file disagrees with the job (unless the job
 * allows it) or the job names nothing and the files do not agree on one.
 */
export function settleIdentity(spec: JobSpec, files: InputFacts[], opts: { section?: boolean } = {}): Identity {
  const out: Findings = { notes: [], mismatches: [], refusals: [], rowSymbols: new Map() };
  const symbol = settleSymbol(spec, files, out, !!opts.section);
  const exchange = settleExchange(spec, symbol ?? '', files, out);
  const all = [...out.mismatches, ...out.refusals];
  if (all.length || symbol === null) {
    const hint = out.mismatches.length ? `; ${ALLOW}` : '';
    throw new Error(`the job was refused before writing anything: ${all.join('; ')}${hint}`);
  }
  return { symbol, exchange, notes: out.notes, rowSymbols: out.rowSymbols };
}

/** The job settled: its facts gathered and its symbol and exchange decided (see settleIdentity). */
export async function settleJob(spec: JobSpec, configDir: string, opts: { section?: boolean; facts?: InputFacts[] } = {}): Promise<{ spec: SettledJobSpec; notes: string[]; rowSymbols: Map<string, string> }> {
  const id = settleIdentity(spec, opts.facts ?? await gatherFacts(spec, configDir), opts);
  return { spec: { ...spec, symbol: id.symbol, exchange: id.exchange }, notes: id.notes, rowSymbols: id.rowSymbols };
}

/**
 * The symbols a job naming none would build: those its files name (from each file's first rows),
 * when they are several; undefined otherwise (one symbol, or none: settleJob decides or refuses).
 */
export function severalSymbols(files: InputFacts[]): string[] | undefined {
  const by = symbolsOf(files);
  return by.size > 1 ? [...by.keys()].sort() : undefined;
}
