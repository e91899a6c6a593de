// Exact decimal text -> fixed-point BigInt. Never goes through floating point.

export interface Decimal {
  neg: boolean;
  /** all significant digits, no sign, no point, no leading zeros ("" for zero) */
  digits: string;
  /** number of digits after the decimal point that `digits` carries */
  scale: number;
}

const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;

const POW10: bigint[] = Array.from({ length: 40 }, (_, k) => 10n ** BigInt(k));
/** 10^k as a BigInt, cached: the hot path scales every price and size. */
export function pow10(k: number): bigint {
  return POW10[k] ?? 10n ** BigInt(k);
}

/** Parses "47000.10", "-1.5", ".5", "1e-5", "1.2E+3". Returns null for anything else. */
export function parseDecimal(text: string): Decimal | null {
  // Fast path for plain [-+]digits[.digits], the form of nearly every price and size.
  const n = text.length;
  let i = 0, dot = -1, seen = 0;
  const c0 = text.charCodeAt(0);
  if (c0 === 45 || c0 === 43) i = 1;
  for (let k = i; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57) seen++;
    else if (c === 46 && dot < 0) dot = k;
    else return parseDecimalSlow(text);
  }
  if (seen === 0) return null;
  let end = n;
  if (dot >= 0) while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
  const scale = dot >= 0 ? end - dot - 1 : 0;
  let digits = dot >= 0 ? text.slice(i, dot) + text.slice(dot + 1, end) : text.slice(i);
  let z = 0;
  while (z < digits.length && digits.charCodeAt(z) === 48) z++;
  if (z) digits = digits.slice(z);
  if (digits === '') return { neg: false, digits: '', scale: 0 };
  return { neg: c0 === 45, digits, scale };
}

function parseDecimalSlow(text: string): Decimal | null {
  const m = DEC_RE.exec(text);
  if (!m) return null;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return null;
  let digits = intPart + fracPart;
  let scale = fracPart.length - (m[4] ? Number(m[4]) : 0);
  if (scale < 0) { digits += '0'.repeat(-scale); scale = 0; }
  digits = digits.replace(/^0+/, '');
  // Trailing zeros after the point carry no value: drop them so `scale` is the real precision.
  while (scale > 0 && digits.endsWith('0')) { digits = digits.slice(0, -1); scale--; }
  if (digits === '') return { neg: false, digits: '', scale: 0 };
  return { neg: m[1] === '-', digits, scale };
}

/** Decimal places the value really needs ("47000.10" -> 1, "0.001" -> 3). */
export function decimalsOf(d: Decimal): number {
  return d.scale;
}

export function isZero(d: Decimal): boolean {
  return d.digits === '';
}

/** value * 10^target as an exact BigInt; throws if the value has more decimals than target. */
export function toScaled(d: Decimal, target: number): bigint {
  if (d.scale > target) throw new Error(`has ${d.scale} decimals, more than ${target}`);
  if (d.digits === '') return 0n;
  const v = BigInt(d.digits) * pow10(target - d.scale);
  return d.neg ? -v : v;
}

/** value * 10^target rounded half away from zero (used for mark prices, as Nautilus's Price::new does). */
export function toScaledRounded(d: Decimal, target: number): bigint {
  if (d.scale <= target) return toScaled(d, target);
  if (d.digits === '') return 0n;
  const div = pow10(d.scale - target);
  const abs = BigInt(d.digits);
  let q = abs / div;
  if ((abs % div) * 2n >= div) q += 1n;
  return d.neg ? -q : q;
}

/** Canonical text of a decimal ("-0.00010000" -> "-0.0001"). */
export function formatDecimal(d: Decimal): string {
  if (d.digits === '') return '0';
  const s = d.digits.padStart(d.scale + 1, '0');
  const int = s.slice(0, s.length - d.scale);
  const frac = s.slice(s.length - d.scale);
  return (d.neg ? '-' : '') + int + (frac ? '.' + frac : '');
}

/** Text of a raw fixed-point value at `scale` with exactly `places` decimals. */
export function formatRaw(raw: bigint, scale: number, places: number): string {
  const neg = raw < 0n;
  let v = neg ? -raw : raw;
  if (scale > places) v = v / pow10(scale - places);
  const s = v.toString().padStart(places + 1, '0');
  const int = s.slice(0, s.length - places);
  const frac = s.slice(s.length - places);
  return (neg ? '-' : '') + int + (places ? '.' + frac : '');
}

/** Exact order of two decimals: -1, 0 or 1 (both scaled to the larger scale; no floats). */
export function compareDecimal(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const s = Math.max(a.scale, b.scale);
  const x = toScaled(a, s), y = toScaled(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}
