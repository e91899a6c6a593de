// What every venue list reader shares: exact decimal text out of a record (never a float), a value
// formatted at a precision as NautilusTrader's Quantity/Price/Money print it, and a record's errors
// naming the file, the symbol and the field.
import { formatDecimal, formatRaw, parseDecimal, toScaledRounded } from '../../numbers/decimal.js';
import { decimalText, incrementPrecision, type InstrumentDef } from '../definition.js';
import type { MarketKey } from '../markets.js';

/** One venue format: whether a parsed file has its shape, and its records as definitions. */
export interface ListFormat {
  name: string;
  /** the format's name when `json` has its shape, else null */
  recognise(json: unknown): string | null;
  /** `atNs`: the job's first day, for formats whose records hold their past values (Tardis's `changes`) */
  read(json: unknown, file: string, atNs?: bigint): ListRead;
}

export interface ListRead {
  markets: MarketKey[];
  defs: InstrumentDef[];
  /** records that could not be read, and why (a lookup of one of them says so) */
  skipped: { symbol: string; why: string }[];
}

export type Rec = Record<string, unknown>;

export const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A bad field of one record: read() catches it and lists the record as skipped with this reason. */
export class RecordError extends Error {}

/** The field's decimal text ("0.10", "1e-8" -> "0.00000001"); a missing or non-decimal value is a RecordError. */
export function dec(rec: Rec, field: string): string {
  const v = decimalText(rec[field]);
  if (v === null) throw new RecordError(`${field} is ${rec[field] === undefined ? 'missing' : `not a decimal (${JSON.stringify(rec[field])})`}`);
  return v;
}

/** The field's decimal text, or null when it is absent or empty (venues send "" for "none"). */
export function optDec(rec: Rec, field: string): string | null {
  const v = rec[field];
  if (v === undefined || v === null || v === '') return null;
  return dec(rec, field);
}

/**
 * A JSON number field as NautilusTrader reads one (f64 or rust_decimal, printed shortest): its
 * value without trailing zeros ("10.0" -> "10", "0.50" -> "0.5"); a RecordError when missing.
 */
export function num(rec: Rec, field: string): string {
  return formatDecimal(parseDecimal(dec(rec, field))!);
}

export function optNum(rec: Rec, field: string): string | null {
  const v = optDec(rec, field);
  return v === null ? null : formatDecimal(parseDecimal(v)!);
}

export function str(rec: Rec, field: string): string {
  const v = rec[field];
  if (typeof v !== 'string' || v === '') throw new RecordError(`${field} is ${v === undefined ? 'missing' : `not a name (${JSON.stringify(v)})`}`);
  return v;
}

/** A nested object field (a filter), or a RecordError naming it. */
export function sub(rec: Rec, field: string): Rec {
  const v = rec[field];
  if (!isRec(v)) throw new RecordError(`${field} is missing`);
  return v;
}

/**
 * Decimal text at exactly `precision` decimals, rounded half away from zero as NautilusTrader's
 * Quantity(value, precision) and Price(value, precision) round ("1000" at 3 -> "1000.000").
 */
export function atPrecision(value: string, precision: number): string {
  const d = parseDecimal(value);
  if (!d) throw new RecordError(`${JSON.stringify(value)} is not a decimal`);
  return formatRaw(toScaledRounded(d, precision), precision, precision);
}

/** a × b of two decimal texts, exactly, without trailing fractional zeros ("1" × "0.01" -> "0.01", "100" × "1" -> "100"). */
export function product(a: string, b: string): string {
  const x = parseDecimal(a), y = parseDecimal(b);
  if (!x || !y) throw new RecordError(`${JSON.stringify(a)} × ${JSON.stringify(b)} is not a product of decimals`);
  const digits = BigInt(x.digits || '0') * BigInt(y.digits || '0');
  return formatDecimal(parseDecimal(formatRaw(x.neg !== y.neg ? -digits : digits, x.scale + y.scale, x.scale + y.scale))!);
}

/** The precision of an increment, for atPrecision. */
export const precisionOf = incrementPrecision;

// NautilusTrader's currency table (model/currencies): fiat at 2 (JPY, KRW at 0), a few coins at 6,
// every other crypto code at 8 (also what it creates for a code it does not know).
const PRECISION_0 = new Set(['JPY', 'KRW']);
const PRECISION_2 = new Set('AUD BRL CAD CHF CNH CNY CZK DKK EUR GBP HKD HUF ILS INR MXN NOK NZD PLN RUB SAR SEK SGD THB TRY USD XAG XAU ZAR'.split(' '));
const PRECISION_6 = new Set(['ADA', 'XRP', 'XTZ']);

export function currencyPrecision(code: string): number {
  return PRECISION_0.has(code) ? 0 : PRECISION_2.has(code) ? 2 : PRECISION_6.has(code) ? 6 : 8;
}

/** Money text as NautilusTrader prints it: the amount at the currency's precision, then the code ("5.00000000 USDT"). */
export function money(amount: string, code: string): string {
  return `${atPrecision(amount, currencyPrecision(code))} ${code}`;
}

/** Epoch milliseconds (number or text) -> ns. */
export function msToNs(rec: Rec, field: string): bigint {
  const v = rec[field];
  const t = typeof v === 'number' ? String(v) : v;
  if (typeof t !== 'string' || !/^\d{1,16}$/.test(t)) throw new RecordError(`${field} is not a time in ms (${JSON.stringify(v)})`);
  return BigInt(t) * 1_000_000n;
}

/** An ISO time -> ns (whole ms, as the venues give them). */
export function isoToNs(rec: Rec, field: string): bigint {
  const v = rec[field];
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new RecordError(`${field} is not an ISO time (${JSON.stringify(v)})`);
  return BigInt(ms) * 1_000_000n;
}

/** Reads each record with `one`; a RecordError skips that record (kept with its reason), anything else is a bug and propagates. */
export function readRecords(records: unknown[], symbolField: string, one: (r: Rec) => InstrumentDef | null): Pick<ListRead, 'defs' | 'skipped'> {
  const defs: InstrumentDef[] = [];
  const skipped: ListRead['skipped'] = [];
  for (const r of records) {
    if (!isRec(r)) continue;
    try {
      const d = one(r);
      if (d) defs.push(d);
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      skipped.push({ symbol: typeof r[symbolField] === 'string' ? r[symbolField] : '?', why: e.message });
    }
  }
  return { defs, skipped };
}

/**
 * JSON with every number kept as its text (as a string): the lists' prices and sizes reach us as
 * the venue wrote them, never as a float (`0.1` stays "0.1", `1e-8` stays "1e-8"). Strings are
 * copied as they are; only number tokens outside strings are quoted.
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  let out = '';
  let from = 0;
  const num = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // skip the string, escapes included
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      num.lastIndex = i;
      const m = num.exec(text);
      if (!m) continue;
      out += text.slice(from, i) + '"' + m[0] + '"';
      i += m[0].length - 1;
      from = i + 1;
    }
  }
  return JSON.parse(out + text.slice(from));
}
