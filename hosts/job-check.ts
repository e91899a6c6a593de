// A job spec from the renderer, checked before any worker starts: it parses, it writes only into a
// folder the user chose, and it reads only files (or folders, for a pattern) the user chose.
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { JobSpec, fileEntries } from '../shared/job.js';
import { resolveFiles } from '../engine/index.js';
import type { AllowList } from './allowlist.js';
import { errorMessage } from './messages.js';
import { withStoredKey, type SecretStore } from './secrets.js';

/** Every input file of a file-based job (csv, …) must be allowed; a pattern, its folder and each file it matches. */
async function checkInputs(spec: JobSpec, configDir: string, allow: AllowList): Promise<void> {
  const base = spec.config.base_path ? resolve(configDir, spec.config.base_path) : configDir;
  // Every entry, not only those of the job's types: a type may read another's (mark from the funding files).
  for (const fc of Object.values(spec.config.files).flatMap((e) => fileEntries(e))) {
    for (const p of Array.isArray(fc.file_path) ? fc.file_path : [fc.file_path]) {
      const full = isAbsolute(p) ? p : join(base, p);
      // A pattern (* ?) reads a folder: the folder itself must have been chosen.
      const pattern = /[*?]/.test(full.split(/[\\/]/).pop() ?? '');
      allow.check(pattern ? dirname(full) : full, /[*?]/.test(p) ? 'folder' : 'file');
      // …and every file it matches (a link in the folder must not lead out of it).
      if (pattern) for (const f of await resolveFiles(p, spec.config.base_path, configDir).catch(() => [] as string[])) allow.check(f, 'file');
    }
  }
}

/** The parsed spec, with its output and configDir resolved (and a Tardis job's stored key), and its output folder. */
export async function checkSpec(input: unknown, allow: AllowList, secrets: SecretStore | undefined): Promise<{ spec: JobSpec; output: string }> {
  let spec: JobSpec;
  try {
    spec = JobSpec.parse(input);
  } catch (e) {
    throw new Error(`invalid job: ${errorMessage(e)}`);
  }
  const output = allow.check(spec.output, 'output folder (or inside one)');
  const configDir = resolve(spec.configDir ?? process.cwd());
  // The venue's instrument list is read by the engine like any input: only one the user chose.
  if (spec.instrumentsFile) allow.check(resolve(configDir, spec.instrumentsFile), 'file (instrument list)');
  if (spec.source !== 'tardis') {
    await checkInputs(spec, configDir, allow);
  } else {
    const c = spec.config as Record<string, unknown>;
    if (typeof c.cache_dir === 'string') allow.check(resolve(configDir, c.cache_dir), 'folder (Tardis cache_dir)');
    spec = await withStoredKey(spec, secrets);
  }
  return { spec: { ...spec, output, configDir }, output };
}
