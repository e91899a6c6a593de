// The Tardis API key: where it is kept (SecretStore: Electron's safeStorage, browser mode's memory)
// and the one place it leaves the host, a Tardis job's config. The renderer only learns whether a
// key is stored.
import type { JobSpec } from '../shared/job.js';

/** Where the Tardis API key lives (Electron: safeStorage; browser mode: memory). `get` never reaches the renderer. */
export interface SecretStore {
  set(key: string): Promise<void>;
  has(): Promise<boolean>;
  get?(): Promise<string | null>;
}

/** In-memory key store: browser mode has no OS keychain, so the key never touches the disk. */
export function memorySecrets(): SecretStore {
  let key: string | null = null;
  return {
    async set(k) {
      key = k;
    },
    async has() {
      return key !== null;
    },
    async get() {
      return key;
    },
  };
}

const TARDIS_HOST = /^https:\/\/([a-z0-9-]+\.)*tardis\.dev(\/|$)/i;

/**
 * A Tardis job without its own api_key gets the stored one, and only when every endpoint it names
 * is Tardis itself (the key must not be sent anywhere else).
 */
export async function withStoredKey(spec: JobSpec, secrets: SecretStore | undefined): Promise<JobSpec> {
  if (spec.config.api_key || !secrets?.get || !(await secrets.has())) return spec;
  const c = spec.config as Record<string, unknown>;
  for (const k of ['endpoint', 'datasets_endpoint']) {
    if (c[k] !== undefined && !(typeof c[k] === 'string' && TARDIS_HOST.test(c[k] as string))) {
      throw new Error(`the stored Tardis API key is only sent to https://*.tardis.dev; config.${k} is ${String(c[k])}`);
    }
  }
  const key = await secrets.get();
  return key ? { ...spec, config: { ...spec.config, api_key: key } } : spec;
}

/** Api.setApiKey: a trimmed, non-empty key into the store. */
export async function storeKey(secrets: SecretStore | undefined, key: string): Promise<void> {
  if (!secrets) throw new Error('no secure storage for the API key here');
  const k = key.trim();
  if (!k) throw new Error('the API key is empty');
  await secrets.set(k);
}
