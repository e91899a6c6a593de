// `npm run security:electron`: @doyensec/electronegativity over electron/, failing on any
// high-severity finding (the CLI itself always exits 0). Runs the tool's library entry with the same
// options as `electronegativity -i electron -x AvailableSecurityFixesGlobalCheck -e <our Electron>`,
// and fully offline: the tool fetches "updated translations" from the internet on every run, so its
// HTTP client is replaced by one that fails at once (it then uses its bundled English texts).
//
//   node --import tsx scripts/security-electron.ts [folder] [--exclude CHECK,...] [--fail-on HIGH|MEDIUM|LOW]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface Level { value: number; name: string }
interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: Level;
  confidence: Level;
  description: string;
  sample?: string;
  manualReview?: boolean;
}
interface RunResult { globalChecks: number; atomicChecks: number; errors: { file: string; message: string; tolerable: boolean }[]; issues: Issue[] }
type Runner = (options: Record<string, unknown>, forCli: boolean) => Promise<RunResult>;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SEVERITY: Record<string, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

/** Loads the tool with its network access cut off. */
function loadTool(): { run: Runner; listFiles: (dir: string) => Promise<Set<string>> } {
  const req = createRequire(import.meta.url);
  const base = dirname(req.resolve('@doyensec/electronegativity/package.json'));
  const fromI18n = createRequire(join(base, 'dist', 'locales', 'i18n.js'));
  const gotPath = fromI18n.resolve('got');
  const offline = () => Promise.reject(new Error('offline: electronegativity runs without network here'));
  // A pre-filled require cache entry: the tool's require('got') gets this instead of the real client.
  fromI18n.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: Object.assign(offline, { default: offline }) } as unknown as NodeJS.Module;
  const run = req(join(base, 'dist', 'runner.js')) as Runner;
  const { LoaderDirectory } = req(join(base, 'dist', 'loader')) as { LoaderDirectory: new () => { load(dir: string): Promise<void>; list_files: Set<string> } };
  return {
    run,
    async listFiles(dir) {
      const l = new LoaderDirectory();
      await l.load(dir);
      return l.list_files;
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { exclude: { type: 'string', default: 'AvailableSecurityFixesGlobalCheck' }, 'fail-on': { type: 'string', default: 'HIGH' } },
  });
  const input = resolve(ROOT, positionals[0] ?? 'electron');
  const failOn = SEVERITY[values['fail-on'].toUpperCase()];
  if (failOn === undefined) {
    console.error(`--fail-on must be one of ${Object.keys(SEVERITY).join(', ')}`);
    return 2;
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  // electron/ has no package.json of its own: without the version the tool assumes Electron 0.1.0 defaults.
  const electronVersion = pkg.devDependencies?.electron?.replace(/^[^\d]*/, '');
  const tool = loadTool();
  const files = await tool.listFiles(input);
  if (!files.size) {
    console.error(`electronegativity: no files to scan in ${input}`);
    return 1;
  }
  const log = console.log;
  // The tool prints its translation fallback notice; keep the output to the findings.
  console.log = (...a: unknown[]) => {
    if (!/Could not retrieve updated translations/.test(String(a[0]))) log(...a);
  };
  let res: RunResult;
  try {
    res = await tool.run({
      input, output: undefined, isSarif: false, customScan: [], excludeFromScan: values.exclude.split(',').map((s) => s.trim()).filter(Boolean),
      severitySet: undefined, confidenceSet: undefined, isRelative: true, isVerbose: true, electronUpgrade: undefined,
      electronVersionOverride: electronVersion, parserPlugins: [],
    }, false);
  } finally {
    console.log = log;
  }
  const rel = relative(ROOT, input) || '.';
  console.log(`electronegativity: ${files.size} files in ${rel}/, ${res.atomicChecks} atomic + ${res.globalChecks} global checks, Electron ${electronVersion}`);
  const hard = res.errors.filter((e) => !e.tolerable);
  for (const e of res.errors) console.log(`  ${e.tolerable ? 'warning' : 'PARSE ERROR'} ${relative(ROOT, e.file)}: ${e.message}`);
  const issues = [...res.issues].sort((a, b) => b.severity.value - a.severity.value || a.id.localeCompare(b.id));
  for (const i of issues) {
    console.log(`  ${i.severity.name.padEnd(13)} ${i.confidence.name.padEnd(9)} ${i.id} ${rel}/${i.file}:${i.location.line}:${i.location.column}${i.manualReview ? ' (review)' : ''} - ${i.description}`);
  }
  const failing = issues.filter((i) => i.severity.value >= failOn);
  if (failing.length || hard.length) {
    console.error(`electronegativity: FAILED: ${failing.length} finding(s) of severity ${values['fail-on'].toUpperCase()} or above${hard.length ? `, ${hard.length} file(s) could not be parsed (not checked)` : ''}`);
    return 1;
  }
  console.log(`electronegativity: OK (${issues.length} finding(s) below ${values['fail-on'].toUpperCase()})`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exitCode = 1;
  });
}
