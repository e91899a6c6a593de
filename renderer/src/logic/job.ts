// Turns the screens' settings into a JobSpec the engine accepts, with the problems a user can fix.
import { DATA_TYPES, DEFAULT_SYMBOL, FIELDS_FOR, JobSpec, type DataType, type JobSpecInput, type SourceKind, type FileConfig, type TypeFiles } from '../../../shared/job.js';
import type { PresetInfo } from '../../../shared/api.js';
import { zodIssueText } from '../../../shared/errors.js';
import type { FileEntry } from './files.js';
import { filesFor } from './files.js';
import { mappingKey, type MappingState, type Mappings } from './mapping.js';
import { MARKET, type MarketKey } from '../../../shared/markets.js';
import { DEFAULT_MARKET, emptyEntry, entryErrors, entrySpec, presetFor, type DefinitionSource, type EntryDraft } from './instrument.js';
import { daysOutsideFiles, findMismatches, futureDays, marketFromFacts, tardisDaysWithoutKey, mismatchKey, silentFiles, type FilesFacts, type Mismatch, type NamedFacts } from './facts.js';
import { restrict } from './mapping.js';

export { FIELDS_FOR };

export interface JobDraft {
  source: SourceKind;
  symbol: string;
  /** the job's market (the spec's `exchange`) */
  market: MarketKey;
  /** where the instrument's definition comes from */
  definition: DefinitionSource;
  /** definition 'file': the venue's saved instrument list */
  instrumentsFile: string;
  /** definition 'enter': the fields as typed */
  entry: EntryDraft;
  start: string | null;
  end: string | null;
  dataTypes: DataType[];
  output: string;
  precisionMode: 128 | 64;
  /** only for symbols without a preset (definition 'preset'); null = from the data */
  pricePrecision: number | null;
  sizePrecision: number | null;
  overwrite: boolean;
  /** Tardis exchange id (binance-futures = Binance USD-M) */
  tardisExchange: string;
  /** percent of a file's rows that may be rejected before the run fails (spec maxRejectRatio × 100); null = the default */
  maxRejectPercent: number | null;
  /** bars: the bar spec (e.g. 1-MINUTE-LAST); '' = detected from the data */
  barType: string;
  /** the symbols the files hold, offered as checkboxes when there are several (empty: the symbol box) */
  symbolChoices: string[];
  /** the ones ticked: each is built as its own instrument */
  symbols: string[];
  /** the mismatches (mismatchKey) the user confirmed as renamed files; null: none confirmed */
  allowMismatch: string | null;
  /** what was filled in from the files (the screen says so) */
  filled: Picks;
  /** what the user chose: the files never change it */
  userSet: Picks;
}

/** The draft's values the files can fill in. */
export interface Picks {
  market: boolean;
  symbol: boolean;
  days: boolean;
}

/** A bar spec as the engine reads it: <step>-<SECOND|MINUTE|HOUR|DAY>-<LAST|MARK|BID|ASK|MID> (the engine checks the step). */
const BAR_SPEC = /^[1-9]\d*-(SECOND|MINUTE|HOUR|DAY)-(LAST|MARK|BID|ASK|MID)$/;

export const DEFAULT_REJECT_PERCENT = 50;

export function defaultDraft(): JobDraft {
  return {
    source: 'csv', symbol: DEFAULT_SYMBOL, market: DEFAULT_MARKET, definition: 'preset', instrumentsFile: '', entry: emptyEntry(), start: null, end: null, dataTypes: ['trades'], output: '',
    precisionMode: 128, pricePrecision: null, sizePrecision: null, overwrite: false, tardisExchange: 'binance-futures',
    maxRejectPercent: DEFAULT_REJECT_PERCENT, barType: '', symbolChoices: [], symbols: [], allowMismatch: null,
    filled: { market: false, symbol: false, days: false }, userSet: { market: false, symbol: false, days: false },
  };
}

export interface BuiltJob {
  spec: JobSpecInput | null;
  errors: string[];
  warnings: string[];
  /** where the job disagrees with what its files say (confirmed or not) */
  mismatches: Mismatch[];
}

/** A type's files by layout (M.mappingKey), in the order first listed: each group shares one mapping. */
export function layoutGroups(files: FileEntry[], t: DataType): { key: string; files: FileEntry[] }[] {
  const groups = new Map<string, FileEntry[]>();
  for (const f of filesFor(files, t)) {
    const k = mappingKey(t, f.info);
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  return [...groups].map(([key, fs]) => ({ key, files: fs }));
}

/** A type's config entries: one, or one per layout when its files' layouts differ (each with its own columns). */
function typeFiles(t: DataType, files: FileEntry[], mappings: Mappings, warnings: string[]): TypeFiles {
  const parts = layoutGroups(files, t).map((g) => fileConfig(t, g.files, mappings[g.key], warnings));
  return parts.length === 1 ? parts[0]! : parts;
}

function fileConfig(t: DataType, files: FileEntry[], mapping: MappingState | undefined, warnings: string[]): FileConfig {
  const fc: FileConfig = { file_path: files.map((f) => f.info.path) };
  if (mapping?.touched) {
    const cols = restrict(mapping.columns, FIELDS_FOR[t]);
    if (Object.keys(cols).length) fc.columns = cols as Record<string, string>;
  }
  // Options the user changed; one value per data type (the engine reads all its files alike).
  const pick = <K extends 'delimiter' | 'hasHeader' | 'timestampUnit'>(k: K) => {
    const vals = [...new Set(files.map((f) => f.options[k]).filter((v) => v !== undefined))];
    if (vals.length > 1) warnings.push(`${t}: the files have different ${k === 'hasHeader' ? 'header settings' : k === 'timestampUnit' ? 'timestamp units' : 'delimiters'}; the first one is used for all`);
    return vals[0];
  };
  const d = pick('delimiter');
  const h = pick('hasHeader');
  const u = pick('timestampUnit');
  if (d !== undefined) fc.delimiter = d as string;
  if (h !== undefined) fc.has_header = h as boolean;
  if (u !== undefined) fc.timestamp_unit = u as FileConfig['timestamp_unit'];
  localeConfig(t, files, fc, warnings);
  return fc;
}

/** The files' locale options (decimal comma, day-first dates, side values) as the config's; one per data type, as above. */
function localeConfig(t: DataType, files: FileEntry[], fc: FileConfig, warnings: string[]): void {
  const one = <V>(k: 'decimal' | 'dateFormat' | 'sideValues', what: string): V | undefined => {
    const vals = files.map((f) => f.options[k]).filter((v) => v !== undefined);
    if (new Set(vals.map((v) => JSON.stringify(v))).size > 1) warnings.push(`${t}: the files have different ${what}; the first one is used for all`);
    return vals[0] as V | undefined;
  };
  const decimal = one<FileConfig['decimal']>('decimal', 'decimal separators');
  const dates = one<FileConfig['date_format']>('dateFormat', 'date formats');
  const sides = one<FileConfig['side_values']>('sideValues', 'side values');
  if (decimal !== undefined) fc.decimal = decimal;
  if (dates !== undefined) fc.date_format = dates;
  if (sides !== undefined && t === 'trades') fc.side_values = sides;
}

/** The spec's definition of the instrument(s) (a list file, the entered fields, or precisions for a symbol with no preset). */
function instrumentPart(d: JobDraft, symbols: string[], presets: PresetInfo[], errors: string[], warnings: string[]): Partial<JobSpecInput> {
  const symbol = symbols[0] ?? '';
  if (d.definition === 'file') {
    if (!d.instrumentsFile.trim()) errors.push('Choose the venue’s saved instrument list, or take the definition from elsewhere.');
    return { instrumentsFile: d.instrumentsFile.trim() };
  }
  if (d.definition === 'enter') {
    // One entered definition (base, quote, increments) describes one instrument.
    if (symbols.length > 1) errors.push(`An entered definition describes one instrument: tick one symbol, or take the ${symbols.length} symbols’ definitions from presets or the venue’s list.`);
    const preset = presetFor(presets, d.market, symbol);
    errors.push(...entryErrors(d.entry, d.market, symbol, preset));
    return { instrument: entrySpec(d.entry, d.market, symbol, preset) };
  }
  const without = symbols.filter((s) => !presetFor(presets, d.market, s));
  if (!without.length) return {};
  const m = MARKET[d.market];
  // A contract's size is in no data; Tardis's instruments API may know it (the engine asks it with a key).
  if (m.contracts && d.source !== 'tardis') errors.push(`No preset for ${without.join(', ') || 'this symbol'} on ${m.label}: its sizes are contracts, which the data cannot define; give the venue’s instrument list or enter the definition.`);
  if (presets.length && (d.pricePrecision === null) !== (d.sizePrecision === null)) {
    warnings.push('Give both price and size precision, or neither (then they come from the data).');
  }
  return {
    ...(d.pricePrecision !== null ? { pricePrecision: d.pricePrecision } : {}),
    ...(d.sizePrecision !== null ? { sizePrecision: d.sizePrecision } : {}),
  };
}

/** The symbols the job builds: the ticked ones when the files offer several, else the one typed. */
export function jobSymbols(d: Pick<JobDraft, 'source' | 'symbol' | 'symbolChoices' | 'symbols'>): string[] {
  // A Tardis download is asked for one symbol; the files' symbols are of files.
  if (d.symbolChoices.length && d.source !== 'tardis') return d.symbolChoices.filter((s) => d.symbols.includes(s));
  return [d.symbol.trim().toUpperCase()];
}

/** The spec's symbol part, and the check of the job against what its files say. */
function identityPart(d: JobDraft, symbols: string[], facts: readonly NamedFacts[], errors: string[]): Partial<JobSpecInput> & { mismatches: Mismatch[] } {
  if (d.symbolChoices.length && d.source !== 'tardis' && !symbols.length) errors.push('Tick at least one of the files’ symbols.');
  const ids: Partial<JobSpecInput> = symbols.length > 1 ? { symbols } : { symbol: symbols[0] ?? '' };
  if (d.source === 'tardis') return { ...ids, mismatches: [] };
  if (symbols.length > 1) {
    for (const name of silentFiles(facts)) errors.push(`${name} does not say which symbol its rows are: a job of several symbols needs every file to say it (a symbol column, a file name or messages). Tick one symbol, or leave the file out.`);
  }
  const mismatches = findMismatches(facts, symbols, d.market);
  if (!mismatches.length) return { ...ids, mismatches };
  if (d.allowMismatch === mismatchKey(mismatches)) return { ...ids, allowMismatch: true, mismatches };
  errors.push('The job disagrees with its files (see Instrument): confirm the files were renamed, or change the symbol or market.');
  return { ...ids, mismatches };
}

/**
 * The draft with what its files say filled in where the user has not chosen: the market (or the
 * venue's usual one), the symbol (several: offered, all ticked), and the days they hold.
 */
export function fillFromFacts(d: JobDraft, f: FilesFacts): JobDraft {
  const out: JobDraft = { ...d, filled: { ...d.filled } };
  const market = d.userSet.market ? null : marketFromFacts(f, d.market);
  if (market) {
    out.market = market;
    out.tardisExchange = MARKET[market].tardis[0] ?? d.tardisExchange;
    out.filled.market = true;
  }
  if (!d.userSet.symbol && f.symbols.length) {
    out.symbol = f.symbols[0]!;
    out.filled.symbol = true;
    // Symbols already offered keep their tick; new ones come ticked.
    out.symbolChoices = f.symbols.length > 1 ? [...f.symbols] : [];
    out.symbols = f.symbols.length > 1 ? f.symbols.filter((s) => !d.symbolChoices.includes(s) || d.symbols.includes(s)) : [];
  }
  if (!d.userSet.days && f.first && f.last) {
    out.start = f.first;
    out.end = f.last;
    out.filled.days = true;
  }
  return out;
}

/** What the job screen knows besides the draft that changes what is said before the run. */
export interface JobContext {
  /** a Tardis API key is saved (without one only 1sts of months are served) */
  apiKeySaved?: boolean;
}

export function buildJob(d: JobDraft, files: FileEntry[], mappings: Mappings, presets: PresetInfo[] = [], facts: readonly NamedFacts[] = [], ctx: JobContext = {}): BuiltJob {
  const errors: string[] = [];
  const warnings: string[] = [];
  const symbols = jobSymbols(d);
  const { mismatches, ...identity } = identityPart(d, symbols, facts, errors);
  if (!d.start || !d.end) errors.push('Pick the first and last day on the calendar.');
  // Before the run: days that would write nothing (the files' own days, the future).
  if (d.start && d.end) {
    const keyless = d.source === 'tardis' ? tardisDaysWithoutKey(d.start, d.end, !!ctx.apiKeySaved) : null;
    for (const w of [daysOutsideFiles(d.start, d.end, facts), futureDays(d.end), keyless]) if (w) warnings.push(w);
  }
  if (!d.output.trim()) errors.push('Choose an output folder.');
  if (!d.dataTypes.length) errors.push('Pick at least one data type.');
  const instrument = instrumentPart(d, symbols, presets, errors, warnings);
  const barType = d.dataTypes.includes('bars') ? d.barType.trim().toUpperCase() : '';
  if (barType && !BAR_SPEC.test(barType)) errors.push(`Bar type "${d.barType.trim()}": expected step-unit-price, e.g. 1-MINUTE-LAST or 4-HOUR-MARK (or leave it empty to detect it).`);
  const rejectPercent = d.maxRejectPercent ?? DEFAULT_REJECT_PERCENT;
  if (!(rejectPercent >= 0 && rejectPercent <= 100)) errors.push('Rejected rows allowed per file: a percent from 0 to 100.');
  let config: JobSpecInput['config'] = { files: {} };
  if (d.source === 'tardis') {
    config = { files: {}, exchange: d.tardisExchange || 'binance-futures' };
  } else {
    for (const t of d.dataTypes) {
      const fs = filesFor(files, t);
      if (!fs.length) {
        errors.push(`No file is marked as ${t} data: mark one on the Source step, or untick ${t}.`);
        continue;
      }
      config.files![t] = typeFiles(t, fs, mappings, warnings);
    }
  }
  const input: JobSpecInput = {
    source: d.source, ...identity, exchange: d.market, ...instrument,
    start: d.start ?? '', end: d.end ?? '', output: d.output.trim(), dataTypes: d.dataTypes, precisionMode: d.precisionMode,
    overwrite: d.overwrite, config,
    // percent to ratio without float noise (2.5 -> 0.025, not 0.025000000000000001)
    maxRejectRatio: Number((rejectPercent / 100).toPrecision(12)),
    ...(barType ? { barType } : {}),
  };
  if (errors.length) return { spec: null, errors, warnings, mismatches };
  const r = JobSpec.safeParse(input);
  if (!r.success) {
    for (const i of r.error.issues) errors.push(zodIssueText(i, 'job'));
    return { spec: null, errors, warnings, mismatches };
  }
  return { spec: input, errors, warnings, mismatches };
}

/** "0.10 · 1 decimal" for the symbol field. */
export function presetText(p: PresetInfo): string {
  const dp = (n: number) => `${n} decimal${n === 1 ? '' : 's'}`;
  return `price step ${p.priceIncrement} (${dp(p.pricePrecision)}) · size step ${p.sizeIncrement} (${dp(p.sizePrecision)})`;
}


/** Ticks or unticks a data type; the list keeps the DATA_TYPES order. */
export function toggleDataType(selected: readonly DataType[], t: DataType): DataType[] {
  return selected.includes(t) ? selected.filter((x) => x !== t) : DATA_TYPES.filter((x) => x === t || selected.includes(x));
}

/** A number field's value: empty means "not set". */
export function optionalNumber(text: string): number | null {
  return text === '' ? null : Number(text);
}

/**
 * The step before the job: the mapping for CSV files (the preview when there is nothing to map:
 * known order-book layouts), the preview for other files, else the source.
 */
export function jobBackStep(source: SourceKind, skipMapping = false): 'mapping' | 'preview' | 'source' {
  return source === 'csv' && !skipMapping ? 'mapping' : source !== 'tardis' ? 'preview' : 'source';
}
