// catalog-builder CLI: `build` a NautilusTrader catalog from source files, `verify` one.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ZodError } from 'zod';
import { didYouMean, zodIssuesText } from '../shared/errors.js';
import { DATA_TYPES, SOURCES, SourceConfig, type DataType, type InstrumentEntry, type SourceKind } from '../shared/job.js';
import { MARKETS } from '../shared/markets.js';
import type { RunReport } from '../shared/report.js';
import { NAUTILUS_VERSION } from '../shared/version.js';
import { verifyCatalog, type VerifyResult, JobCancelled, runBuild, TerminalProgress, TARDIS_DATA_TYPES } from '../engine/index.js';
import { grouped } from '../shared/text.js';

/** CLI flags of the instrument's fields (shared/job.ts InstrumentEntry): flag, field, help. */
const ENTRY_FLAGS: [string, keyof InstrumentEntry, string][] = [
  ['kind <perpetual|future|spot>', 'kind', 'CryptoPerpetual, CryptoFuture (dated) or CurrencyPair'],
  ['base <CCY>', 'base', 'base currency (a future\'s underlying), e.g. BTC, XBT'],
  ['quote <CCY>', 'quote', 'quote currency, e.g. USDT, USD'],
  ['settlement <CCY>', 'settlement', 'what PnL is paid in (default: base when inverse, else quote)'],
  ['inverse', 'is_inverse', 'an inverse contract (priced in quote, settled in base)'],
  ['multiplier <n>', 'multiplier', 'what one contract is worth (1 for linear; 100 for 100-USD contracts)'],
  ['price-increment <n>', 'price_increment', 'tick size, e.g. 0.5; its decimals are the price precision'],
  ['size-increment <n>', 'size_increment', 'size step, e.g. 0.001 or 1 (contracts)'],
  ['lot-size <n>', 'lot_size', 'lot size (default 1)'],
  ['min-quantity <n>', 'min_quantity', 'smallest order size'],
  ['max-quantity <n>', 'max_quantity', 'largest order size'],
  ['margin-init <n>', 'margin_init', 'initial margin ratio (default 1)'],
  ['margin-maint <n>', 'margin_maint', 'maintenance margin ratio (default 1)'],
  ['maker-fee <n>', 'maker_fee', 'maker fee rate, e.g. 0.0002 (negative: a rebate)'],
  ['taker-fee <n>', 'taker_fee', 'taker fee rate, e.g. 0.0005'],
  ['activation <time>', 'activation', 'future: listing time, e.g. 2023-12-29T08:00:00Z'],
  ['expiry <time>', 'expiration', 'future: expiry, e.g. 2024-03-29T08:00:00Z'],
];
const flagName = (f: string) => f.split(' ')[0]!;

/** The instrument fields given as flags; undefined when none was. */
function entryFromFlags(values: Record<string, string | boolean | undefined>): InstrumentEntry | undefined {
  const entry: Record<string, unknown> = {};
  for (const [flag, field] of ENTRY_FLAGS) {
    const v = values[flagName(flag)];
    if (v !== undefined) entry[field] = v;
  }
  return Object.keys(entry).length ? (entry as InstrumentEntry) : undefined;
}

const HELP = `catalog-builder: turn crypto market data into NautilusTrader Parquet catalogs

Usage:
  catalog-builder build --source csv --symbol BTCUSDT --start 2024-01-01 --end 2024-01-03 \\
      --output ./data/catalog --data-types trades,mark,funding --config csv_config.json
  catalog-builder build --source websocket --symbol BTCUSDT --start 2024-01-01 --end 2024-01-01 \\
      --output ./data/catalog --config ws_config.json
  catalog-builder build --source tardis --symbol BTCUSDT --start 2024-01-01 --end 2024-01-01 \\
      --output ./data/catalog --data-types trades,mark,funding [--config tardis_config.json]
  catalog-builder verify <catalog folder> [--json]

build options:
  --source <csv|websocket|tardis>  where the data comes from (default csv; see Sources below)
  --symbol <SYMBOL[,SYMBOL…]>  the venue's symbol: BTCUSDT, XBTUSD, BTC-USDT-SWAP, BTCUSD_PERP, BTC-PERPETUAL;
                              default: the one the files name (Tardis CSV symbol column, Binance Vision
                              file name, capture messages); required for --source tardis. Several
                              (BTCUSDT,ETHUSDT), or none when the files hold several: each is built as
                              its own instrument from the same files
  --exchange <NAME>           a venue (BINANCE = USD-M futures, BYBIT, OKX, BITMEX, DERIBIT), a market
                              (${MARKETS.join(', ')})
                              or a Tardis exchange id (binance-futures, binance-delivery, bitmex, deribit, okex-swap, …);
                              default: the one the files say, else BINANCE. The instrument id follows NautilusTrader's
                              adapter for the venue: BTCUSDT-PERP.BINANCE, XBTUSD.BITMEX, BTCUSDT-LINEAR.BYBIT, BTC-USDT-SWAP.OKX
  --allow-mismatch            build even where a file names another symbol or exchange than the job's
                              (renamed files); a note says what was overridden
  --start <YYYY-MM-DD>        first UTC day to write
  --end <YYYY-MM-DD>          last UTC day to write (inclusive)
  --output <dir>              catalog root (data/ goes inside; run reports in <dir>/.catalog-builder/)
  --data-types <list>         comma-separated: ${DATA_TYPES.join(', ')} (default: every type in the config; tardis: ${TARDIS_DATA_TYPES.join(', ')}; quotes, deltas, depth10 when named)
  --bar-type <spec>           bars: <step>-<SECOND|MINUTE|HOUR|DAY>-<LAST|MARK|BID|ASK|MID>, e.g. 1-MINUTE-LAST
                              (default: detected from the spacing of the bars; MARK for markPriceKlines)
  --config <file.json>        {"base_path": "...", "files": {"trades": {"file_path": "...", "columns": {...}}, ...}}
                              file_path may be a list or use * and ?; columns maps target fields
                              (timestamp, local_timestamp, price, size, aggressor_side, trade_id,
                              mark_price, funding_rate, next_funding_time, funding_interval,
                              bid_price, bid_size, ask_price, ask_size, open, high, low, close, volume) to column names
                              (optional for --source tardis)
  --precision <128|64>        fixed-point width: 128 for Linux/macOS NautilusTrader wheels (default), 64 for Windows
  --price-precision <n>       override the instrument's price precision (decimals)
  --size-precision <n>        override the instrument's size precision (decimals)

instrument (default: a bundled preset for common symbols, else precision from the data for linear/spot):
  --instruments <file.json>   the venue's saved instrument list: Binance exchangeInfo (spot, USD-M, COIN-M),
                              Bybit instruments-info, OKX instruments
${ENTRY_FLAGS.map(([flag, , what]) => `  --${flag.padEnd(26)}${flag.length >= 26 ? `\n${" ".repeat(30)}` : ""}${what}`).join('\n')}
                              Entered fields replace the definition's; with no definition they must say
                              all NautilusTrader needs (the job says what is missing)

  --compression <zstd|snappy> Parquet codec (default zstd)
  --row-group-size <n>        rows per Parquet row group (default 100000)
  --overwrite                 replace days already in the catalog (atomically); default skips them
  --max-reject-ratio <r>      largest share (0..1) of a file's rows that may be rejected before the run
                              fails (exit 1); default 0.5: a file with more rejected than accepted rows
  --json                      print the run report as JSON on stdout (no progress bars)
  -h, --help                  this help

Sources:
  csv        Tardis CSV, Binance Vision CSV/zip or any CSV with a column mapping (plain, gz, bz2, zip).
             Bars (data type bars, {"files": {"bars": {"file_path": "BTCUSDT-1m-2023-01.csv"}}}): Binance
             Vision klines (LAST) and markPriceKlines (MARK), or any OHLCV CSV; stamped at the bar's close.
  websocket  Binance USD-M WebSocket captures, one JSON message per line (plain, gz, bz2). Config as
             for csv: {"base_path": "./captures", "files": {"trades": {"file_path": "btcusdt_trades.jsonl"},
             "mark": {"file_path": "btcusdt_mark.jsonl.gz"}, "funding": {"file_path": "btcusdt_mark.jsonl.gz"}}}.
             Lines may be raw payloads, {"stream","data"} envelopes (data may be an array), {"ts_recv","msg"},
             Tardis lines "<ISO time> <json>" or Tardis Machine {"localTimestamp","message"}. aggTrade or
             trade (X=MARKET) -> trades, markPriceUpdate -> mark and funding (funding rows only on change),
             bookTicker -> quotes.
  tardis     Downloads from Tardis.dev into a cache, then reads the files. Config keys (all optional):
               "api_key"            else the TARDIS_API_KEY environment variable; without a key only
                                    the first day of each month is available
               "mode"               "datasets" (default: daily trades + derivative_ticker CSVs) or
                                    "replay" (raw aggTrade/markPrice messages, one request per minute);
                                    quotes: the "quotes" dataset, or bookTicker messages in replay;
                                    deltas: "incremental_book_L2", depth10: "book_snapshot_25" (datasets only)
               "exchange"           Tardis exchange id (default "binance-futures" = Binance USD-M)
               "trade_channel"      replay: "aggTrade" (default) or "trade"
               "cache_dir"          default: the user's cache folder ($XDG_CACHE_HOME or ~/.cache on Linux)
                                    /catalog-builder/tardis; a second run of the same job downloads nothing
               "concurrency"        downloads at once (default 4)
               "endpoint", "datasets_endpoint"  API roots (default https://api.tardis.dev/v1 and
                                    https://datasets.tardis.dev/v1)
               "max_attempts", "retry_base_ms", "retry_max_ms", "timeout_ms"  retry policy for 429/5xx
                                    and dropped connections (default 8 attempts, 1000 ms doubling, 120 s cap)

Every row read is counted once: written, duplicate, rejected, outside the date range, no value for the
type, existing (its day was already in the catalog) or discarded (its day failed).

Exit codes: 0 every row the inputs meant is in the catalog; 1 something failed: a file or a day, or a
file had more rejects than --max-reject-ratio allows (see the messages and the run report; with --json,
"ok": false and "errors"); 2 bad usage; 130 cancelled.
With --json a refusal is also JSON on stdout: {"ok": false, "error": "..."}.
`;

/** --json anywhere on the command line: refusals are printed as JSON too. */
let jsonOut = false;

/** A refusal: one clear line on stderr (and JSON on stdout under --json), no stack trace. */
function refuse(msg: string, usage: boolean): void {
  if (jsonOut) process.stdout.write(JSON.stringify({ ok: false, error: msg }, null, 2) + '\n');
  process.stderr.write(`catalog-builder: ${msg}\n${usage && !jsonOut ? 'Run with --help for usage.\n' : ''}`);
}

function fail(msg: string): never {
  refuse(msg, true);
  process.exit(2);
}

function intFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) fail(`${name} must be a whole number, got "${v}"`);
  return Number(v);
}

function printReport(r: RunReport): void {
  if (r.sections) {
    // Several instruments: each section as a job of its own, then the job's totals and errors.
    for (const s of r.sections) printSection({ ...s, errors: [] });
    printTotals(r);
    return;
  }
  printSection(r);
  printTotals(r);
}

function printSection(r: RunReport): void {
  const out = process.stdout;
  out.write(r.instrument.id
    ? `\nInstrument ${r.instrument.id}${instrumentKindText(r.instrument)}: price precision ${r.instrument.pricePrecision}, size precision ${r.instrument.sizePrecision} (${r.instrument.precisionSource})\n`
    : '\nInstrument: not decided (the job stopped before it)\n');
  for (const f of r.files) {
    out.write(`  ${f.dataType} ${f.path} [${f.format}, ${f.compression}] rows ${grouped(f.rows)}, outside range ${grouped(f.outOfRange)}, rejected ${grouped(f.rejected)}${f.error ? `\n    ERROR ${f.error}` : ''}\n`);
    for (const n of f.notes) out.write(`    note: ${n}\n`);
  }
  for (const d of r.days) {
    const rej = Object.entries(d.rejected).map(([k, v]) => `${k} ×${grouped(v)}`).join('; ');
    out.write(`  ${d.dataType.padEnd(7)} ${d.day} ${d.state.padEnd(7)} read ${grouped(d.read)}, written ${grouped(d.written)}, duplicates ${grouped(d.duplicates)}, rejected ${grouped(Object.values(d.rejected).reduce((a, b) => a + b, 0))}${rej ? ` (${rej})` : ''}${buckets(d)}${d.error ? `  — ${d.error}` : ''}\n`);
  }
  for (const n of r.notes) out.write(`note: ${n}\n`);
  if (r.rejectsFile) out.write(`Rejected rows with file, line, field and reason: ${r.rejectsFile}\n`);
}

function printTotals(r: RunReport): void {
  const out = process.stdout;
  const t = r.totals;
  out.write(`Total: read ${grouped(t.read)}, written ${grouped(t.written)}, duplicates ${grouped(t.duplicates)}, rejected ${grouped(t.rejected)}, outside the date range ${grouped(t.outOfRange)}${buckets(t)}; days skipped ${t.skippedDays}, failed ${t.failedDays}\n`);
  for (const e of r.errors) process.stderr.write(`error: ${e}\n`);
}

/** The last line: where the catalog is, how long the job took, and its verdict. */
function printSummary(r: RunReport, output: string, ms: number): void {
  const days = r.days.length;
  const ok = r.days.filter((d) => d.state !== 'failed').length;
  process.stdout.write(`${r.ok ? 'Done' : 'Finished with errors'}: ${grouped(r.totals.written)} rows written to ${resolve(output)} in ${elapsed(ms)}; ${ok}/${days} day${days === 1 ? '' : 's'} ok${r.totals.rejected ? `, ${grouped(r.totals.rejected)} rejected` : ''}\n`);
}

/** "850 ms", "12.3 s", "4 min 05 s". */
export function elapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** The buckets most runs leave at 0, shown when not (every row read is in one bucket). */
function buckets(c: { skipped: number; existing: number; discarded: number }): string {
  return `${c.skipped ? `, no value ${grouped(c.skipped)}` : ''}${c.existing ? `, already in the catalog ${grouped(c.existing)}` : ''}${c.discarded ? `, discarded with a failed day ${grouped(c.discarded)}` : ''}`;
}

function printVerify(root: string, v: VerifyResult): void {
  const out = process.stdout;
  out.write(`Catalog ${root}\n`);
  for (const s of v.summary) {
    out.write(`  ${s.type}/${s.identifier}: ${s.files} file(s), ${s.rows} rows${s.first ? `, ${s.first} .. ${s.last}` : ''}${s.precisionBits ? `, ${s.precisionBits}-bit` : ''}\n`);
  }
  for (const i of v.info) out.write(`info: ${i}\n`);
  for (const w of v.warnings) out.write(`warning: ${w}\n`);
  for (const e of v.errors) out.write(`ERROR: ${e}\n`);
  out.write(v.ok ? 'OK: the catalog matches the NautilusTrader format.\n' : `FAILED: ${v.errors.length} problem(s).\n`);
}

const BUILD_OPTIONS = {
  source: { type: 'string' }, symbol: { type: 'string' }, exchange: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' },
  output: { type: 'string' }, 'data-types': { type: 'string' }, config: { type: 'string' }, precision: { type: 'string' },
  'price-precision': { type: 'string' }, 'size-precision': { type: 'string' }, compression: { type: 'string' },
  'row-group-size': { type: 'string' }, overwrite: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  'max-reject-ratio': { type: 'string' }, 'bar-type': { type: 'string' }, instruments: { type: 'string' }, 'allow-mismatch': { type: 'boolean' },
  ...Object.fromEntries(ENTRY_FLAGS.map(([flag, field]) => [flagName(flag), { type: field === 'is_inverse' ? 'boolean' as const : 'string' as const }])),
} as const satisfies ParseArgsConfig['options'];
const VERIFY_OPTIONS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const satisfies ParseArgsConfig['options'];
const COMMANDS = ['build', 'verify', 'help'];

/** parseArgs's refusal of a flag, with the nearest flag the command knows. */
function flagError(e: Error, cmd: string): string {
  const m = /Unknown option '(--?[^']+)'/.exec(e.message);
  if (!m) return e.message;
  const known = Object.keys(cmd === 'verify' ? VERIFY_OPTIONS : BUILD_OPTIONS).map((k) => `--${k}`);
  return `unknown option ${m[1]} for ${cmd}${didYouMean(m[1]!, known)}`;
}

/** "catalog-builder 0.1.0": the package's version, read from package.json beside the code. */
async function versionText(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `catalog-builder ${pkg.version} (writes NautilusTrader ${NAUTILUS_VERSION} catalogs; Node ${process.versions.node})`;
}

async function build(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, allowPositionals: false, strict: true, options: BUILD_OPTIONS });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const source = values.source ?? 'csv';
  if (!(SOURCES as readonly string[]).includes(source)) fail(`unknown --source "${source}"${didYouMean(source, SOURCES)} (use ${SOURCES.join(', ')})`);
  // A Tardis job can run on defaults (key from TARDIS_API_KEY); file sources need their config.
  // The symbol may come from the files, except for a Tardis download (fetched per symbol).
  for (const k of ['symbol', 'start', 'end', 'output', 'config'] as const) if (!values[k] && !(k === 'config' && source === 'tardis') && !(k === 'symbol' && source !== 'tardis')) fail(`--${k} is required`);
  const configPath = values.config ? resolve(values.config) : null;
  let config: SourceConfig = SourceConfig.parse({});
  if (configPath) {
    try {
      config = SourceConfig.parse(JSON.parse(await readFile(configPath, 'utf8')));
    } catch (e) {
      fail(`cannot use config ${configPath}: ${e instanceof ZodError ? zodIssuesText(e.issues, 'job') : (e as Error).message}`);
    }
  }
  const defaultTypes = source === 'tardis' ? [...TARDIS_DATA_TYPES] : Object.keys(config.files);
  const dataTypes = (values['data-types'] ? values['data-types'].split(',').map((s) => s.trim()).filter(Boolean) : defaultTypes) as DataType[];
  for (const t of dataTypes) if (!DATA_TYPES.includes(t)) fail(`unknown data type "${t}"${didYouMean(t, DATA_TYPES)} (use ${DATA_TYPES.join(', ')})`);
  const precision = values.precision ?? '128';
  if (precision !== '128' && precision !== '64') fail(`--precision must be 128 or 64, got ${precision}`);
  const compression = values.compression ?? 'zstd';
  if (compression !== 'zstd' && compression !== 'snappy') fail(`--compression must be zstd or snappy, got "${compression}"${didYouMean(compression, ['zstd', 'snappy'])}`);
  const ratio = values['max-reject-ratio'];
  if (ratio !== undefined && !(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(ratio))) fail(`--max-reject-ratio must be a number from 0 to 1, got "${ratio}"`);
  const symbols = (values.symbol ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const entry = entryFromFlags(values as Record<string, string | boolean | undefined>);
  const showBars = !values.json && process.stdout.isTTY;
  const bars = showBars ? new TerminalProgress(process.stdout) : null;
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  const started = performance.now();
  let report: RunReport;
  try {
    report = await runBuild({
      source: source as SourceKind, symbol: symbols[0], ...(symbols.length > 1 ? { symbols } : {}), exchange: values.exchange, allowMismatch: !!values['allow-mismatch'],
      start: values.start!, end: values.end!, output: values.output!,
      dataTypes, precisionMode: precision === '64' ? 64 : 128, pricePrecision: intFlag(values['price-precision'], '--price-precision'),
      sizePrecision: intFlag(values['size-precision'], '--size-precision'), overwrite: !!values.overwrite, compression,
      rowGroupSize: intFlag(values['row-group-size'], '--row-group-size'), config, configDir: configPath ? dirname(configPath) : process.cwd(),
      ...(ratio !== undefined ? { maxRejectRatio: Number(ratio) } : {}),
      ...(values['bar-type'] !== undefined ? { barType: values['bar-type'] } : {}),
      ...(values.instruments !== undefined ? { instrumentsFile: resolve(values.instruments) } : {}),
      ...(entry ? { instrument: entry } : {}),
    }, { onProgress: bars ? (e) => bars.handle(e) : undefined, signal: ac.signal });
  } catch (e) {
    bars?.finish();
    if (e instanceof JobCancelled) {
      const partial = (e as JobCancelled & { report?: RunReport }).report;
      if (jsonOut) process.stdout.write(JSON.stringify({ ...partial, ok: false, error: 'cancelled' }, null, 2) + '\n');
      process.stderr.write('cancelled: finished days are complete; no partial file was left in the catalog\n');
      return 130;
    }
    if (e instanceof ZodError) fail(zodIssuesText(e.issues, 'job'));
    // A refusal before any work (the catalog is locked, a symbolic link, the output folder cannot be
    // used, a full disk): one line, or JSON under --json.
    refuse(errorText(e), false);
    return 1;
  }
  bars?.finish();
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    printReport(report);
    printSummary(report, values.output!, performance.now() - started);
  }
  return report.ok ? 0 : 1;
}

async function verify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: VERIFY_OPTIONS });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) fail('verify takes one catalog folder');
  const root = resolve(positionals[0]!);
  const v = await verifyCatalog(root);
  if (values.json) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
  else printVerify(root, v);
  return v.ok ? 0 : 1;
}

/** " (inverse CryptoPerpetual, 1 contract = 100 USD-quoted units, settled in XBT)": what a unit of size is. */
function instrumentKindText(i: RunReport['instrument']): string {
  if (!i.className) return '';
  const parts = [`${i.isInverse ? 'inverse ' : ''}${i.className}`];
  if (i.multiplier && i.multiplier !== '1') parts.push(`multiplier ${i.multiplier}`);
  if (i.settlement && i.className !== 'CurrencyPair') parts.push(`settled in ${i.settlement}`);
  return ` (${parts.join(', ')})`;
}

/** An error's message, with its stack only when CB_DEBUG is set. */
function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return process.env.CB_DEBUG ? (e.stack ?? e.message) : e.message;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  jsonOut = argv.includes('--json');
  try {
    if (cmd === 'build') return await build(rest);
    if (cmd === 'verify') return await verify(rest);
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(HELP);
      return cmd ? 0 : 2;
    }
    if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
      process.stdout.write(`${await versionText()}\n`);
      return 0;
    }
    fail(`unknown command "${cmd}"${didYouMean(cmd.replace(/^-+/, ''), COMMANDS)} (use build, verify, --help or --version)`);
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) fail(flagError(e as Error, cmd!));
    refuse(errorText(e), false);
    return 1;
  }
}
