// Catalog folder and file names (spec §1-2), v1 layout (each data type's folder: engine/datatypes/).

/** The tool's own folder inside a catalog: lock, run reports, temporary files, the manifest. */
export const STATE_DIR = '.catalog-builder';

export const NS_PER_DAY = 86_400_000_000_000n;

/** v1 urisafe_identifier removes '/'; Rust also turns '^' into '_'. Do both: the result is valid for either. */
export function uriSafe(id: string): string {
  return id.replaceAll('/', '').replaceAll('^', '_');
}

/** RFC 3339 with 9 fraction digits, then ':' and '.' replaced by '-'. */
export function nsToFilePart(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString().slice(0, 19) + '.' + String(ns % 1_000_000_000n).padStart(9, '0') + 'Z';
  return iso.replace(/[:.]/g, '-');
}

export function fileName(start: bigint, end: bigint): string {
  return `${nsToFilePart(start)}_${nsToFilePart(end)}.parquet`;
}

const PART_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{9})Z$/;

function filePartToNs(part: string): bigint | null {
  const m = PART_RE.exec(part);
  if (!m) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (Number.isNaN(ms)) return null;
  const back = new Date(ms).toISOString().slice(0, 19).replace(/:/g, '-');
  if (back !== `${m[1]}-${m[2]}-${m[3]}T${m[4]}-${m[5]}-${m[6]}`) return null; // e.g. month 13
  return BigInt(ms) * 1_000_000n + BigInt(m[7]!);
}

/** Parses `<start>_<end>.parquet`; null when the name does not follow the canonical pattern. */
export function parseFileName(name: string): { start: bigint; end: bigint } | null {
  if (!name.endsWith('.parquet')) return null;
  const parts = name.slice(0, -'.parquet'.length).split('_');
  if (parts.length !== 2) return null;
  const start = filePartToNs(parts[0]!);
  const end = filePartToNs(parts[1]!);
  if (start === null || end === null || end < start) return null;
  return { start, end };
}

export function dayStartNs(day: string): bigint {
  return BigInt(Date.parse(day + 'T00:00:00Z')) * 1_000_000n;
}

export function dayOfNs(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
}

/** Whole UTC day [00:00:00.000000000, 23:59:59.999999999], as the Tardis replay writer names files. */
export function dayInterval(day: string): { start: bigint; end: bigint } {
  const start = dayStartNs(day);
  return { start, end: start + NS_PER_DAY - 1n };
}

export function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(start + 'T00:00:00Z'); t <= Date.parse(end + 'T00:00:00Z'); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

export function nsToIso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19) + '.' + String(ns % 1_000_000_000n).padStart(9, '0') + 'Z';
}
