// The Tardis source's settings: keys of the job's `config` object (the --config file).
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { zodIssuesText } from '../../../shared/errors.js';

export const TardisConfig = z.object({
  /** Tardis.dev API key; else the TARDIS_API_KEY environment variable; without one only the 1st day of a month works */
  api_key: z.string().optional(),
  /** replay (data-feeds) API root */
  endpoint: z.string().url().default('https://api.tardis.dev/v1'),
  /** CSV datasets root */
  datasets_endpoint: z.string().url().default('https://datasets.tardis.dev/v1'),
  /** Tardis exchange id: binance-futures = Binance USD-M */
  exchange: z.string().regex(/^[a-z0-9-]{2,40}$/, 'a Tardis exchange id such as binance-futures').default('binance-futures'),
  /** datasets: daily CSV files (trades, derivative_ticker); replay: raw exchange messages per minute */
  mode: z.enum(['datasets', 'replay']).default('datasets'),
  /** replay only: the channel trades are built from (aggTrade ids or trade ids; never both in one catalog) */
  trade_channel: z.enum(['aggTrade', 'trade']).default('aggTrade'),
  /** download cache; default: the user's cache folder */
  cache_dir: z.string().min(1).optional(),
  /** downloads at once */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** attempts per file, the first included */
  max_attempts: z.number().int().min(1).max(30).default(8),
  /** first retry delay (doubles per attempt, plus jitter) */
  retry_base_ms: z.number().int().min(0).max(600_000).default(1000),
  /** longest single retry delay, also the cap on a server's Retry-After */
  retry_max_ms: z.number().int().min(0).max(3_600_000).default(120_000),
  /** a request with no progress for this long is dropped and retried */
  timeout_ms: z.number().int().min(100).max(3_600_000).default(90_000),
});
export type TardisConfig = z.infer<typeof TardisConfig>;

/** The user's cache folder for this tool: XDG on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'catalog-builder', 'Cache', 'tardis');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'catalog-builder', 'tardis');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'catalog-builder', 'tardis');
}

export interface ResolvedTardisConfig extends TardisConfig {
  apiKey: string | null;
  keySource: 'config' | 'env' | null;
  cacheDir: string;
}

export function tardisConfig(raw: Record<string, unknown>, configDir: string, env: NodeJS.ProcessEnv = process.env): ResolvedTardisConfig {
  const r = TardisConfig.safeParse(raw);
  if (!r.success) {
    throw new Error(`invalid Tardis settings in the config: ${zodIssuesText(r.error.issues)}`);
  }
  const c = r.data;
  const fromConfig = c.api_key?.trim() || null;
  const fromEnv = env.TARDIS_API_KEY?.trim() || null;
  return {
    ...c,
    endpoint: c.endpoint.replace(/\/+$/, ''),
    datasets_endpoint: c.datasets_endpoint.replace(/\/+$/, ''),
    apiKey: fromConfig ?? fromEnv,
    keySource: fromConfig ? 'config' : fromEnv ? 'env' : null,
    cacheDir: c.cache_dir ? resolve(configDir, c.cache_dir) : defaultCacheDir(env),
  };
}
