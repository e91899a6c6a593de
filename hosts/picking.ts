// What the user chooses through the host (system dialogs in Electron; nothing in browser mode) goes
// onto the allow-list; opening a folder on the desktop is limited to allowed folders.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Api } from '../shared/api.js';
import type { AllowList } from './allowlist.js';

/** The host's dialogs and file manager (ServiceOptions); a missing one picks nothing / cannot open. */
export interface HostPickers {
  pickFiles?: () => Promise<string[]>;
  pickFolder?: () => Promise<string | null>;
  openFolder?: (path: string) => Promise<void>;
}

export function pickingApi(host: HostPickers, allow: AllowList): Pick<Api, 'pickFiles' | 'pickFolder' | 'openFolder'> {
  return {
    async pickFiles() {
      const picked = (await host.pickFiles?.()) ?? [];
      for (const p of picked) allow.add(p);
      return picked.map((p) => resolve(p));
    },
    async pickFolder() {
      const picked = (await host.pickFolder?.()) ?? null;
      if (picked) allow.add(picked);
      return picked ? resolve(picked) : null;
    },
    async openFolder(path) {
      const p = allow.check(path, 'folder');
      if (!host.openFolder) throw new Error(`opening folders is not available here; the folder is ${p}`);
      const st = await stat(p).catch(() => null);
      if (!st) throw new Error(`${p} does not exist`);
      // Only ever a folder is opened, never a file (opening a file could run it).
      await host.openFolder(st.isDirectory() ? p : dirname(p));
    },
  };
}
