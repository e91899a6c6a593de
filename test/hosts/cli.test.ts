// The CLI's words (issue 15, item 16): --version, "did you mean" for mistyped commands, flags, data
// types, sources and codecs, and a last line that says where the catalog is, how long it took and
// the grouped counts. Impossible dates are named in test/scenarios/accounting.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { didYouMean } from '../../shared/errors.js';
import { NAUTILUS_VERSION } from '../../shared/version.js';
import { elapsed } from '../../hosts/cli.js';
import { grouped } from '../../shared/text.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin', 'catalog-builder.mjs');

function run(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--version names the package version, the NautilusTrader release it writes for and the Node it runs on', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V', 'version']) {
    const r = run([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `catalog-builder ${pkg.version} (writes NautilusTrader ${NAUTILUS_VERSION} catalogs; Node ${process.versions.node})`);
  }
  const reqs = readFileSync(join(ROOT, 'scripts', 'nautilus-requirements.txt'), 'utf8');
  assert.match(reqs, new RegExp(`nautilus_trader==${NAUTILUS_VERSION.replace(/\./g, '\\.')}\\b`), 'the version the CI judge installs is the one --version names');
});

test('a mistyped command, flag, data type, source or codec gets the nearest right word; a far one gets none', () => {
  const cases: [string[], RegExp][] = [
    [['buid'], /unknown command "buid" \(did you mean "build"\?\)/],
    [['verfy', 'x'], /unknown command "verfy" \(did you mean "verify"\?\)/],
    [['build', '--sourc', 'csv'], /unknown option --sourc for build \(did you mean "--source"\?\)/],
    [['build', '--data-type', 'trades'], /unknown option --data-type for build \(did you mean "--data-types"\?\)/],
    [['build', '--overwirte'], /unknown option --overwirte for build \(did you mean "--overwrite"\?\)/],
    [['verify', '--jsn', 'x'], /unknown option --jsn for verify \(did you mean "--json"\?\)/],
    [['build', '--source', 'tardsi'], /unknown --source "tardsi" \(did you mean "tardis"\?\)/],
    [['build', '--start', '2024-01-01', '--end', '2024-01-01', '--output', '/tmp/x', '--config', 'resources/sample/csv_config.json', '--data-types', 'trades,quote'],
      /unknown data type "quote" \(did you mean "quotes"\?\)/],
    [['build', '--start', '2024-01-01', '--end', '2024-01-01', '--output', '/tmp/x', '--config', 'resources/sample/csv_config.json', '--compression', 'zstdd'],
      /--compression must be zstd or snappy, got "zstdd" \(did you mean "zstd"\?\)/],
  ];
  for (const [args, want] of cases) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want, args.join(' '));
  }
  const far = run(['build', '--frobnicate']);
  assert.equal(far.code, 2);
  assert.match(far.stderr, /unknown option --frobnicate for build\n/);
  assert.doesNotMatch(far.stderr, /did you mean/);
});

test('didYouMean: typos, swapped letters and prefixes are near; unrelated words are not', () => {
  assert.equal(didYouMean('trade', ['trades', 'mark']), ' (did you mean "trades"?)');
  assert.equal(didYouMean('fudning', ['trades', 'mark', 'funding']), ' (did you mean "funding"?)');
  assert.equal(didYouMean('--price', ['--price-precision', '--precision']), ' (did you mean "--price-precision"?)');
  assert.equal(didYouMean('xyz', ['trades', 'mark']), '');
  assert.equal(didYouMean('a', ['ab']), '', 'one letter says nothing');
});

test('the last line says where the catalog is, how long it took, how many days are ok, with counts grouped', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cb-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rows = ['timestamp,price,size,side'];
  for (let i = 0; i < 1500; i++) rows.push(`${Date.UTC(2024, 0, 1) + i * 1000},42000.${i % 10},0.001,${i % 2 ? 'buy' : 'sell'}`);
  rows.push('not-a-time,1,1,buy');
  await writeFile(join(dir, 'trades.csv'), rows.join('\n') + '\n');
  await writeFile(join(dir, 'config.json'), JSON.stringify({ base_path: '.', files: { trades: { file_path: 'trades.csv', columns: { timestamp: 'timestamp', price: 'price', size: 'size', aggressor_side: 'side' } } } }));
  const out = join(dir, 'catalog');
  const r = run(['build', '--symbol', 'BTCUSDT', '--start', '2024-01-01', '--end', '2024-01-01', '--output', out, '--config', join(dir, 'config.json')], dir);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const last = r.stdout.trim().split('\n').at(-1)!;
  assert.match(last, new RegExp(`^Done: 1,500 rows written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in \\d+(\\.\\d)? (ms|s); 1/1 day ok, 1 rejected$`), last);
  assert.match(r.stdout, /Total: read 1,501, written 1,500,/);
});

test('elapsed and grouped read as a person writes them', () => {
  assert.equal(elapsed(850), '850 ms');
  assert.equal(elapsed(12_340), '12.3 s');
  assert.equal(elapsed(245_000), '4 min 05 s');
  assert.equal(grouped(12_345_678), '12,345,678');
  assert.equal(grouped(999), '999');
});
