// Mapping templates, kept as one JSON list in <configDir>/templates.json (written whole or not at
// all). Entries that no longer parse are skipped, not fatal.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MappingTemplate } from '../shared/api.js';
import { writeFileAtomic } from '../engine/index.js';
import { errorMessage } from './messages.js';

export interface TemplateStore {
  list(): Promise<MappingTemplate[]>;
  /** adds `t`, or replaces the template of the same name */
  save(t: MappingTemplate): Promise<void>;
  remove(name: string): Promise<void>;
}

export function templateStore(configDir: string): TemplateStore {
  const file = join(configDir, 'templates.json');
  let queue: Promise<unknown> = Promise.resolve();

  async function list(): Promise<MappingTemplate[]> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`${file} cannot be read: ${errorMessage(e)}`);
    }
    return (Array.isArray(raw) ? raw : []).flatMap((t) => {
      const r = MappingTemplate.safeParse(t);
      return r.success ? [r.data] : [];
    });
  }

  function update(f: (list: MappingTemplate[]) => MappingTemplate[]): Promise<void> {
    // One read-modify-write at a time, so two quick saves do not lose one of them.
    const next = queue.then(async () => {
      const text = JSON.stringify(f(await list()), null, 2) + '\n';
      await mkdir(dirname(file), { recursive: true });
      // Temporary file, flushed, renamed (engine's atomic.ts); only the user may read it.
      await writeFileAtomic(file, text, 0o600);
    });
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    list,
    async save(t) {
      const tpl = MappingTemplate.parse(t);
      await update((all) => [...all.filter((x) => x.name !== tpl.name), tpl].sort((a, b) => a.name.localeCompare(b.name)));
    },
    async remove(name) {
      await update((all) => all.filter((x) => x.name !== name));
    },
  };
}
