// The Tardis API key, encrypted with Electron safeStorage (OS keychain / DPAPI / libsecret) in a
// file under userData. Never stored in plain text: when the OS offers no real encryption the key is
// refused. `get` is for the main process only (the service puts the key into Tardis jobs); the
// renderer only learns whether a key is stored.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SecretStore } from '../hosts/service.js';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export function safeStorageSecrets(file: string, ss: SafeStorageLike, platform: string = process.platform): SecretStore {
  const usable = () => {
    if (!ss.isEncryptionAvailable()) return 'this system offers no encrypted storage';
    // On Linux without a keyring Electron falls back to a hard-coded password: that is plain text in effect.
    const backend = platform === 'linux' ? ss.getSelectedStorageBackend?.() : undefined;
    if (backend === 'basic_text' || backend === 'unknown') return 'no desktop keyring (GNOME Keyring / KWallet) is available';
    return null;
  };
  return {
    async set(key: string) {
      const why = usable();
      if (why) throw new Error(`the API key was not saved: ${why}; set TARDIS_API_KEY in the environment instead`);
      const data = ss.encryptString(key);
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, data, { mode: 0o600 });
        await rename(tmp, file);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async has() {
      return ((await stat(file).catch(() => null))?.size ?? 0) > 0;
    },
    async get() {
      const data = await readFile(file).catch(() => null);
      if (!data?.length || usable()) return null;
      try {
        return ss.decryptString(data);
      } catch {
        return null;
      }
    },
  };
}
