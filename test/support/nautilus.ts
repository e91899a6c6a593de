// The real NautilusTrader for the tests: the Python interpreter of a venv with the pinned
// nautilus_trader (scripts/setup-nautilus.sh makes one; .ci/run hands it over as NAUTILUS_PYTHON).
// Without it the NautilusTrader suite says so and skips, except under CI, where it fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ROOT } from '../helpers.js';

export const NAUTILUS_VERSION = '1.231.0';

let found: string | null | undefined;

/** The interpreter with nautilus_trader importable, or null (the reason is in `whyMissing`). */
export function nautilusPython(): string | null {
  if (found !== undefined) return found;
  const candidates = [process.env.NAUTILUS_PYTHON, join(ROOT, '.venv-nautilus', 'bin', 'python')].filter((p): p is string => !!p);
  found = null;
  for (const py of candidates) {
    if (!existsSync(py)) continue;
    const r = spawnSync(py, ['-c', 'import nautilus_trader; print(nautilus_trader.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) { found = py; break; }
  }
  return found;
}

/** True when NautilusTrader is there; otherwise the test skips with the reason, or fails under CI. */
export function needNautilus(t: TestContext): boolean {
  if (nautilusPython()) return true;
  const why = `no Python with nautilus_trader (set NAUTILUS_PYTHON, or run: npm run setup:nautilus)`;
  if (process.env.CI) throw new Error(`${why}; CI must run the NautilusTrader suite`);
  t.skip(why);
  return false;
}

/** Runs a Python snippet or script with the NautilusTrader interpreter; throws with its stderr when it fails. */
export function runPython(args: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const py = nautilusPython();
  if (!py) throw new Error('nautilusPython() is null: call needNautilus(t) first');
  const r = spawnSync(py, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`python ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stderr}`);
  return r.stdout;
}

/** One object NautilusTrader loaded, as test/nautilus/nt_check.py prints it (numbers as exact text). */
export type NtObject = Record<string, unknown> & { type: string; catalog: string };
/** A catalog's loaded objects grouped by type name (CryptoPerpetual, TradeTick, QuoteTick, Bar, MarkPriceUpdate, FundingRateUpdate, OrderBookDelta, OrderBookDepth10). */
export type NtCatalog = Record<string, NtObject[]>;

export const NT_CHECK = join(ROOT, 'test', 'nautilus', 'nt_check.py');

/**
 * Loads each catalog with NautilusTrader's ParquetDataCatalog (one Python process for all of them)
 * and returns its objects by type; throws with NautilusTrader's own error when a catalog fails to load.
 */
export function ntLoad(paths: string[]): Map<string, NtCatalog> {
  const out = new Map<string, NtCatalog>(paths.map((p) => [p, {}]));
  for (const line of runPython([NT_CHECK, ...paths]).split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line) as NtObject;
    const cat = out.get(o.catalog);
    if (!cat) throw new Error(`nt_check printed an object of an unknown catalog: ${line}`);
    (cat[o.type] ??= []).push(o);
  }
  return out;
}
