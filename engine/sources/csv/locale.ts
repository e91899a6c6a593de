// A CSV's local conventions, as the file's options say them (config `decimal`, `date_format`,
// `side_values`): decimal commas, day-first or month-first dates, side words of another language.
// Nothing here guesses while reading: proposeLocale only suggests options from the rows a preview
// shows, and the user takes them (or not).
import type { SideName } from '../../../shared/job.js';
import type { LocaleProposals } from '../../../shared/api.js';
import { SIDE_BUYER, SIDE_NONE, SIDE_SELLER, parseSide } from '../../normalize/normalizer.js';
import { DMY_RE } from '../timestamp.js';

const SIDE_CODE: Record<SideName, number> = { buyer: SIDE_BUYER, seller: SIDE_SELLER, none: SIDE_NONE };

/** The config's side values keyed as cells are compared (trimmed, lower case); null without any. */
export function sideTable(values: Record<string, SideName> | undefined): Map<string, number> | null {
  const entries = Object.entries(values ?? {});
  if (!entries.length) return null;
  return new Map(entries.map(([v, side]) => [v.trim().toLowerCase(), SIDE_CODE[side]]));
}

/** Distinct unknown side values named in reject reasons, per file; beyond it the column is likely not a side. */
export const NAMED_SIDE_VALUES = 20;

/** Why a side cell was not read: names the value and how to map it (`named`: values named so far in the file). */
export function sideReason(value: string, mode: 'text' | 'maker', named: Set<string>): string {
  const v = value.trim();
  const expected = mode === 'maker' ? 'a buyer-is-maker flag (expected true or false)' : 'a side (expected buy or sell)';
  if (!named.has(v) && named.size >= NAMED_SIDE_VALUES) return `not ${expected}; more than ${NAMED_SIDE_VALUES} other values: is this the side column?`;
  named.add(v);
  return `${JSON.stringify(v)} is not ${expected}: map it to buyer or seller in the file's side values (side_values)`;
}

/** A cell's number in a decimal-comma file as "."-text, or null when it holds a "." (a thousands separator is never guessed). */
export function commaDecimal(text: string): string | null {
  if (text.includes('.')) return null;
  return text.includes(',') ? text.replace(',', '.') : text;
}

/** The reject reason of a "." in a decimal-comma file's number. */
export const THOUSANDS_REASON = 'has a "." in a file whose decimal separator is ",": a thousands separator (1.234,5) is never guessed; write the numbers without it';

/**
 * Options the rows suggest: a decimal comma (cells such as 42000,5 and none such as 42000.5, in a
 * file not split on commas), day-first or month-first dates (in the timestamp column when mapped),
 * and side values the default reading does not know (two to ten distinct values in the side column).
 */
export function proposeLocale(rows: string[][], delimiter: string, cols: { timestamp?: number; side?: number; sideName?: string; sideMode: 'text' | 'maker' }): LocaleProposals {
  const out: LocaleProposals = {};
  const cells = rows.flat().map((c) => c.trim());
  const comma = cells.find((c) => /^[-+]?\d+,\d+$/.test(c) || /^[-+]?\d{1,3}(\.\d{3})+,\d+$/.test(c));
  if (delimiter !== ',' && comma && !cells.some((c) => /^[-+]?\d+\.\d+$/.test(c) && !/^\d{1,3}\.\d{3}$/.test(c))) out.decimal = { value: ',', example: comma };
  const dates = (cols.timestamp !== undefined ? rows.map((r) => r[cols.timestamp!] ?? '') : cells).map((c) => c.trim()).map((c) => [c, DMY_RE.exec(c)] as const).filter(([, m]) => m);
  if (dates.length) {
    const dayFirst = dates.some(([, m]) => m![2] === '.' || +m![1]! > 12), monthFirst = dates.some(([, m]) => +m![3]! > 12);
    if (!(dayFirst && monthFirst)) out.dateFormat = { value: monthFirst ? 'month-first' : 'day-first', example: dates[0]![0], sure: dayFirst || monthFirst };
  }
  if (cols.side !== undefined) {
    // One spelling per value: they are compared ignoring case.
    const byKey = new Map<string, string>();
    for (const r of rows) {
      const v = (r[cols.side] ?? '').trim();
      if (v !== '' && !byKey.has(v.toLowerCase())) byKey.set(v.toLowerCase(), v);
    }
    const values = [...byKey.values()];
    const unknown = values.filter((v) => parseSide(v, cols.sideMode) < 0);
    if (unknown.length && values.length <= 10) {
      const guess = Object.fromEntries(values.map((v) => [v, guessSide(v, cols.sideMode)]));
      out.sideValues = { column: cols.sideName ?? String(cols.side), values: guess, unknown };
    }
  }
  return out;
}

/** Side words of other languages and conventions; '' when the value says nothing the app can tell. */
const SIDE_WORDS: Record<string, SideName> = {
  kauf: 'buyer', kaufen: 'buyer', k: 'buyer', achat: 'buyer', compra: 'buyer', acquisto: 'buyer', koop: 'buyer', kupno: 'buyer', long: 'buyer', bought: 'buyer', bot: 'buyer', taker_buy: 'buyer',
  verkauf: 'seller', verkaufen: 'seller', v: 'seller', vente: 'seller', venta: 'seller', vendita: 'seller', verkoop: 'seller', sprzedaz: 'seller', short: 'seller', sold: 'seller', sld: 'seller', taker_sell: 'seller',
};

function guessSide(v: string, mode: 'text' | 'maker'): SideName | '' {
  const known = parseSide(v, mode);
  if (known >= 0) return known === SIDE_BUYER ? 'buyer' : known === SIDE_SELLER ? 'seller' : 'none';
  return SIDE_WORDS[v.toLowerCase()] ?? '';
}
