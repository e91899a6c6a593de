// Turns the screens' settings into a JobSpec the engine accepts, with the problems a user can fix.
import { DATA_TYPES, DEFAULT_SYMBOL, FIELDS_FOR, JobSpec, type DataType, type JobSpecInput, type SourceKind, type FileConfig } from '../../../shared/job.js';
import type { PresetInfo } from '../../../shared/api.js';
import { zodIssueText } from '../../../shared/errors.js';
import type { FileEntry } from './files.js';
import { filesFor } from './files.js';
import type { MappingState } from './mapping.js';
import { MARKET, type MarketKey } from '../../../shared/markets.js';
import { DEFAULT_MARKET, emptyEntry, entryErrors, entrySpec, presetFor, type DefinitionSource, type EntryDraft } from './instrument.js';
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
}

/** A bar spec as the engine reads it: <step>-<SECOND|MINUTE|HOUR|DAY>-<LAST|MARK|BID|ASK|MID> (the engine checks the step). */
const BAR_SPEC = /^[1-9]\d*-(SECOND|MINUTE|HOUR|DAY)-(LAST|MARK|BID|ASK|MID)$/;

export const DEFAULT_REJECT_PERCENT = 50;

export function defaultDraft(): JobDraft {
  return {
    source: 'csv', symbol: DEFAULT_SYMBOL, market: DEFAULT_MARKET, definition: 'preset', instrumentsFile: '', entry: emptyEntry(), start: null, end: null, dataTypes: ['trades'], output: '',
    precisionMode: 128, pricePrecision: null, sizePrecision: null, overwrite: false, tardisExchange: 'binance-futures',
    maxRejectPercent: DEFAULT_REJECT_PERCENT, barType: '',
  };
}

export interface BuiltJob {
  spec: JobSpecInput | null;
  errors: string[];
  warnings: string[];
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
  return fc;
}

/** The spec's definition of the instrument (a list file, the entered fields, or precisions for a symbol with no preset). */
function instrumentPart(d: JobDraft, presets: PresetInfo[], errors: string[], warnings: string[]): Partial<JobSpecInput> {
  const symbol = d.symbol.trim().toUpperCase();
  if (d.definition === 'file') {
    if (!d.instrumentsFile.trim()) errors.push('Choose the venue’s saved instrument list, or take the definition from elsewhere.');
    return { instrumentsFile: d.instrumentsFile.trim() };
  }
  const preset = presetFor(presets, d.market, symbol);
  if (d.definition === 'enter') {
    errors.push(...entryErrors(d.entry, d.market, symbol, preset));
    return { instrument: entrySpec(d.entry, d.market, symbol, preset) };
  }
  if (preset) return {};
  const m = MARKET[d.market];
  // A contract's size is in no data; Tardis's instruments API may know it (the engine asks it with a key).
  if (m.contracts && d.source !== 'tardis') errors.push(`No preset for ${symbol || 'this symbol'} on ${m.label}: its sizes are contracts, which the data cannot define; give the venue’s instrument list or enter the definition.`);
  if (presets.length && (d.pricePrecision === null) !== (d.sizePrecision === null)) {
    warnings.push('Give both price and size precision, or neither (then they come from the data).');
  }
  return {
    ...(d.pricePrecision !== null ? { pricePrecision: d.pricePrecision } : {}),
    ...(d.sizePrecision !== null ? { sizePrecision: d.sizePrecision } : {}),
  };
}

export function buildJob(d: JobDraft, files: FileEntry[], mappings: Partial<Record<DataType, MappingState>>, presets: PresetInfo[] = []): BuiltJob {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!d.start || !d.end) errors.push('Pick the first and last day on the calendar.');
  if (!d.output.trim()) errors.push('Choose an output folder.');
  if (!d.dataTypes.length) errors.push('Pick at least one data type.');
  const instrument = instrumentPart(d, presets, errors, warnings);
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
      config.files![t] = fileConfig(t, fs, mappings[t], warnings);
    }
  }
  const input: JobSpecInput = {
    source: d.source, symbol: d.symbol.trim().toUpperCase(), exchange: d.market, ...instrument,
    start: d.start ?? '', end: d.end ?? '', output: d.output.trim(), dataTypes: d.dataTypes, precisionMode: d.precisionMode,
    overwrite: d.overwrite, config,
    // percent to ratio without float noise (2.5 -> 0.025, not 0.025000000000000001)
    maxRejectRatio: Number((rejectPercent / 100).toPrecision(12)),
    ...(barType ? { barType } : {}),
  };
  if (errors.length) return { spec: null, errors, warnings };
  const r = JobSpec.safeParse(input);
  if (!r.success) {
    for (const i of r.error.issues) errors.push(zodIssueText(i, 'job'));
    return { spec: null, errors, warnings };
  }
  return { spec: input, errors, warnings };
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

/** The step before the job: the mapping for CSV files, the preview for other files, else the source. */
export function jobBackStep(source: SourceKind): 'mapping' | 'preview' | 'source' {
  return source === 'csv' ? 'mapping' : source !== 'tardis' ? 'preview' : 'source';
}
