// The job's symbol and exchange against what its files say (engine/jobs/identity.ts): refused when a
// file says another, before anything is written; taken from the files when the job names none; the
// override for renamed files; a Tardis file of several symbols builds only the job's rows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBuild } from '../../../engine/jobs/build.js';
import { settleIdentity } from '../../../engine/jobs/identity.js';
import { readFacts } from '../../../engine/sources/facts.js';
import { JobSpec } from '../../../shared/job.js';
import { ROOT, build, filesUnder, readRows, tempDir } from '../../helpers.js';

const TRADES = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const T0 = Date.parse('2024-01-01T00:00:00Z') * 1000;

/** A Tardis trades CSV: one row per symbol given, one second apart. */
function tardisTrades(exchange: string, symbols: string[]): string {
  return [TRADES, ...symbols.map((s, k) => `${exchange},${s},${T0 + k * 1_000_000},${T0 + k * 1_000_000 + 5},${k + 1},${k % 2 ? 'sell' : 'buy'},42000.${k % 10},0.00${(k % 9) + 1}`)].join('\n') + '\n';
}

const REFUSED = /^the job was refused before writing anything: /;

test('a Tardis file of BTCUSDT run as ETHUSDT is refused, naming the file and both symbols; nothing is written', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'btc.csv'), tardisTrades('binance-futures', ['BTCUSDT', 'BTCUSDT']));
  await assert.rejects(build(dir, { trades: { file_path: 'btc.csv' } }, { symbol: 'ETHUSDT' }), (e: Error) => {
    assert.match(e.message, REFUSED);
    assert.match(e.message, /btc\.csv: its rows say symbol BTCUSDT, the job's symbol is ETHUSDT/);
    assert.match(e.message, /--allow-mismatch/);
    return true;
  });
  assert.equal(existsSync(join(dir, 'catalog')), false, 'the output folder is not even created');
});

test('a BitMEX Tardis file run as BINANCE is refused naming the file and both exchanges; a bare venue takes any market of its own', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'xbt.csv'), tardisTrades('bitmex', ['XBTUSD']));
  await assert.rejects(build(dir, { trades: { file_path: 'xbt.csv' } }, { symbol: 'XBTUSD', exchange: 'BINANCE' }),
    /xbt\.csv: its rows say exchange bitmex \(BitMEX\), the job's exchange is BINANCE/);
  await assert.rejects(build(dir, { trades: { file_path: 'xbt.csv' } }, { symbol: 'XBTUSD', exchange: 'binance-usdm' }), /the job's exchange is binance-usdm/);
  // Binance spot (Tardis "binance") is not USD-M; the venue alone is fine and takes the file's market.
  await writeFile(join(dir, 'spot.csv'), tardisTrades('binance', ['BTCUSDT']));
  await assert.rejects(build(dir, { trades: { file_path: 'spot.csv' } }, { exchange: 'binance-usdm' }), /spot\.csv: its rows say exchange binance \(Binance spot\), the job's exchange is binance-usdm/);
  const r = await build(dir, { trades: { file_path: 'spot.csv' } }, { exchange: 'BINANCE' });
  assert.ok(r.ok, r.errors.join('; '));
  assert.equal(r.instrument.id, 'BTCUSDT.BINANCE', 'a CurrencyPair of Binance spot, not a USD-M perpetual');
  assert.ok(r.notes.some((n) => n.startsWith('exchange binance-spot: the market the files say')), r.notes.join('\n'));
  assert.equal(existsSync(join(dir, 'catalog', 'data', 'trade_tick', 'BTCUSDT-PERP.BINANCE')), false);
});

test('allowMismatch: the job\'s symbol and exchange are used over a renamed file\'s, and a note says what was overridden', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'btc.csv'), tardisTrades('bitmex', ['BTCUSDT', 'BTCUSDT', 'BTCUSDT']));
  const r = await build(dir, { trades: { file_path: 'btc.csv' } }, { symbol: 'ETHUSDT', exchange: 'BINANCE', allowMismatch: true });
  assert.ok(r.ok, r.errors.join('; '));
  assert.equal(r.instrument.id, 'ETHUSDT-PERP.BINANCE');
  assert.equal(r.totals.written, 3, 'the renamed file\'s rows are the job\'s');
  assert.ok(r.notes.some((n) => /btc\.csv: its rows say symbol BTCUSDT; built as the job's ETHUSDT \(allowMismatch\)/.test(n)), r.notes.join('\n'));
  assert.ok(r.notes.some((n) => /btc\.csv: its rows say exchange bitmex \(BitMEX\); built as the job's BINANCE \(allowMismatch\)/.test(n)), r.notes.join('\n'));
});

test('no symbol and no exchange: both from the files (the repo\'s Tardis samples); a Binance Vision name gives the symbol and the venue', async (t) => {
  const dir = await tempDir(t);
  const sample = join(ROOT, 'resources', 'sample');
  const r = await runBuild({ source: 'csv', start: '2024-01-01', end: '2024-01-01', output: join(dir, 'a'), dataTypes: ['trades', 'mark'], configDir: sample,
    config: { base_path: '.', files: { trades: { file_path: 'binance-futures_trades_2024-01-01_BTCUSDT.csv.gz' }, mark: { file_path: 'binance-futures_derivative_ticker_2024-01-01_BTCUSDT.csv.gz' } } } });
  assert.ok(r.ok, r.errors.join('; '));
  assert.equal(r.instrument.id, 'BTCUSDT-PERP.BINANCE');
  assert.deepEqual([(r.job as { symbol: string }).symbol, (r.job as { exchange: string }).exchange], ['BTCUSDT', 'binance-usdm']);
  assert.ok(r.notes.some((n) => n.startsWith('symbol BTCUSDT: named by the files')), r.notes.join('\n'));

  // Vision trades without a header, named as Binance names them: the name is all that says the symbol.
  const ms = Date.parse('2024-01-01T00:00:01Z');
  await writeFile(join(dir, 'ETHUSDT-trades-2024-01-01.csv'), `1,2300.10,0.500,1150.05,${ms},true\n2,2300.20,0.100,230.02,${ms + 1},false\n`);
  const v = await build(dir, { trades: { file_path: 'ETHUSDT-trades-2024-01-01.csv' } }, { symbol: undefined, output: join(dir, 'v') });
  assert.ok(v.ok, v.errors.join('; '));
  assert.equal(v.instrument.id, 'ETHUSDT-PERP.BINANCE');
  await assert.rejects(build(dir, { trades: { file_path: 'ETHUSDT-trades-2024-01-01.csv' } }, { symbol: 'BTCUSDT', output: join(dir, 'w') }),
    /ETHUSDT-trades-2024-01-01\.csv: its file name says symbol ETHUSDT, the job's symbol is BTCUSDT/);
});

test('no symbol and the files name several: each is built as its own instrument; files of two markets or venues: refused with both', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.csv'), tardisTrades('binance-futures', ['BTCUSDT']));
  await writeFile(join(dir, 'b.csv'), tardisTrades('binance-futures', ['ETHUSDT', 'NEWUSDT']));
  const several = await build(dir, { trades: { file_path: ['a.csv', 'b.csv'] } }, { symbol: undefined, output: join(dir, 'several') });
  assert.deepEqual(several.sections?.map((s) => s.instrument.id), ['BTCUSDT-PERP.BINANCE', 'ETHUSDT-PERP.BINANCE', 'NEWUSDT-PERP.BINANCE']);
  assert.ok(several.ok && several.sections!.every((s) => s.totals.written === 1), several.errors.join('\n'));
  assert.equal(several.totals.written, 3);
  await writeFile(join(dir, 'spot.csv'), tardisTrades('binance', ['BTCUSDT']));
  await assert.rejects(build(dir, { trades: { file_path: ['a.csv', 'spot.csv'] } }), /the files are of several markets: binance-usdm \(.*a\.csv\), binance-spot \(.*spot\.csv\)/);
  await writeFile(join(dir, 'bitmex.csv'), tardisTrades('bitmex', ['BTCUSDT']));
  await assert.rejects(build(dir, { trades: { file_path: ['a.csv', 'bitmex.csv'] } }), /the files are of several venues: BINANCE \(.*a\.csv\), BITMEX \(.*bitmex\.csv\)/);
  await writeFile(join(dir, 'huobi.csv'), tardisTrades('huobi-dm-swap', ['BTCUSDT']));
  await assert.rejects(build(dir, { trades: { file_path: 'huobi.csv' } }), /the files say exchange huobi-dm-swap \(.*huobi\.csv\), which this tool has no market for; give the exchange/);
  assert.equal(existsSync(join(dir, 'catalog')), false);
});

test('a Tardis file of several symbols builds only the job symbol\'s rows (fast and complete paths); the others are skipped, counted in a note', async (t) => {
  const dir = await tempDir(t);
  const symbols: string[] = [];
  for (let k = 0; k < 3000; k++) symbols.push(['BTCUSDT', 'ETHUSDT', 'btcusdt', 'SOLUSDT'][k % 4]!);
  await writeFile(join(dir, 'grouped.csv'), tardisTrades('binance-futures', symbols));
  for (const fast of ['1', '0']) {
    const prev = process.env.CB_FAST_PATH;
    process.env.CB_FAST_PATH = fast;
    try {
      const r = await build(dir, { trades: { file_path: 'grouped.csv' } }, { output: join(dir, `out${fast}`) });
      assert.ok(r.ok, r.errors.join('; '));
      assert.equal(r.files[0]!.rows, 1500, 'BTCUSDT rows (either case) are read; the others are not rows of this job');
      assert.equal(r.totals.written, 1500);
      assert.ok(r.files[0]!.notes.includes('1500 row(s) of other symbols (ETHUSDT, SOLUSDT) skipped: only BTCUSDT is read'), r.files[0]!.notes.join('\n'));
      const files = (await filesUnder(join(dir, `out${fast}`, 'data'))).filter((f) => f.startsWith('trade_tick/'));
      assert.deepEqual(files.map((f) => f.split('/')[1]), ['BTCUSDT-PERP.BINANCE']);
      const rows = await readRows(join(dir, `out${fast}`, 'data', files[0]!));
      // Rows k = 0, 2, 4, … were BTCUSDT: their ids are odd (id = k + 1).
      assert.ok(rows.every((x) => Number(x.trade_id) % 2 === 1), 'only the BTCUSDT rows are written');
    } finally {
      if (prev === undefined) delete process.env.CB_FAST_PATH;
      else process.env.CB_FAST_PATH = prev;
    }
  }
});

test('a Tardis download: the symbol is required; its config\'s exchange is the job\'s when none is named, checked when one is', async () => {
  const base = { source: 'tardis' as const, start: '2024-01-01', end: '2024-01-01', output: '/nonexistent/out', dataTypes: ['trades' as const] };
  assert.throws(() => JobSpec.parse({ ...base, config: {} }), /a Tardis download needs the symbol/);
  const bitmex = JobSpec.parse({ ...base, symbol: 'XBTUSD', config: { exchange: 'bitmex' } });
  const config = { label: 'the Tardis config', says: 'its "exchange" says', facts: { exchange: 'bitmex', market: 'bitmex' as const, venue: 'BITMEX', symbols: [], from: 'column' as const } };
  assert.equal(settleIdentity(bitmex, [config]).exchange, 'bitmex');
  assert.throws(() => settleIdentity({ ...bitmex, exchange: 'BINANCE' }, [config]), /the Tardis config: its "exchange" says exchange bitmex \(BitMEX\), the job's exchange is BINANCE/);
  // Through the job: refused before any download (the endpoint does not exist).
  await assert.rejects(runBuild({ ...base, symbol: 'XBTUSD', exchange: 'BINANCE', config: { exchange: 'bitmex', endpoint: 'http://127.0.0.1:9', datasets_endpoint: 'http://127.0.0.1:9' } }), /the job was refused before writing anything: the Tardis config/);
});

const CLI = join(ROOT, 'bin', 'catalog-builder.mjs');

test('CLI: without --symbol and --exchange the files say them; a mismatch is refused (exit 1) unless --allow-mismatch', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'eth.csv'), tardisTrades('binance-futures', ['ETHUSDT', 'ETHUSDT']));
  await writeFile(join(dir, 'config.json'), JSON.stringify({ base_path: '.', files: { trades: { file_path: 'eth.csv' } } }));
  const cli = (args: string[]) => spawnSync(process.execPath, [CLI, 'build', '--source', 'csv', '--start', '2024-01-01', '--end', '2024-01-01', '--config', join(dir, 'config.json'), '--json', ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const ok = cli(['--output', join(dir, 'a')]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).instrument.id, 'ETHUSDT-PERP.BINANCE');
  const refused = cli(['--output', join(dir, 'b'), '--symbol', 'BTCUSDT']);
  assert.equal(refused.status, 1);
  assert.match(JSON.parse(refused.stdout).error, /eth\.csv: its rows say symbol ETHUSDT, the job's symbol is BTCUSDT/);
  assert.equal(existsSync(join(dir, 'b')), false);
  const allowed = cli(['--output', join(dir, 'c'), '--symbol', 'BTCUSDT', '--allow-mismatch']);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.equal(JSON.parse(allowed.stdout).instrument.id, 'BTCUSDT-PERP.BINANCE');
  const tardis = spawnSync(process.execPath, [CLI, 'build', '--source', 'tardis', '--start', '2024-01-01', '--end', '2024-01-01', '--output', join(dir, 'd')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(tardis.status, 2);
  assert.match(tardis.stderr, /--symbol is required/);
});

test('Tardis quotes and derivative_ticker of several symbols: only the job symbol\'s rows are read (fast and complete paths)', async (t) => {
  const dir = await tempDir(t);
  const quotes = ['exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount'];
  const dt = ['exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price'];
  for (let k = 0; k < 2000; k++) {
    const sym = k % 3 === 0 ? 'ETHUSDT' : 'BTCUSDT';
    const ts = T0 + k * 1_000_000;
    quotes.push(`binance-futures,${sym},${ts},${ts + 5},1.5,42000.${(k % 9) + 1},42000.0,2.5`);
    dt.push(`binance-futures,${sym},${ts},${ts + 5},${T0 + 28_800_000_000},0.000${k % 7},,,,,4200${k % 10}.1`);
  }
  await writeFile(join(dir, 'q.csv'), quotes.join('\n') + '\n');
  await writeFile(join(dir, 'dt.csv'), dt.join('\n') + '\n');
  for (const fast of ['1', '0']) {
    const prev = process.env.CB_FAST_PATH;
    process.env.CB_FAST_PATH = fast;
    try {
      const r = await build(dir, { quotes: { file_path: 'q.csv' }, mark: { file_path: 'dt.csv' } }, { output: join(dir, `out${fast}`) });
      assert.ok(r.ok, r.errors.join('; '));
      for (const f of r.files) {
        assert.equal(f.rows, 1333, `${f.dataType}: the BTCUSDT rows`);
        assert.ok(f.notes.includes('667 row(s) of other symbols (ETHUSDT) skipped: only BTCUSDT is read'), f.notes.join('\n'));
      }
      assert.equal(r.days.find((d) => d.dataType === 'quotes')!.written, 1333);
    } finally {
      if (prev === undefined) delete process.env.CB_FAST_PATH;
      else process.env.CB_FAST_PATH = prev;
    }
  }
});

/** An exchange's own export: a "symbol" column somewhere in the header, ISO times, Buy/Sell. */
function exportTrades(symbols: string[]): string {
  const out = ['"exec_time","symbol","side","price","qty","exec_id"'];
  symbols.forEach((s, k) => out.push(`"${new Date(Date.UTC(2024, 0, 1) + k * 1000).toISOString()}","${s}","${k % 3 ? 'Buy' : 'Sell'}","${(3800 + (k % 50) / 10).toFixed(2)}","0.0${1 + (k % 9)}","${k + 1}"`));
  return out.join('\r\n') + '\r\n';
}

test('any CSV with a "symbol" column says its symbols: another symbol refuses the job, and a file of several builds only the job symbol\'s rows (fast and complete paths)', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'eth.csv'), exportTrades(Array<string>(300).fill('ETHUSDT')));
  const facts = await readFacts(join(dir, 'eth.csv'));
  assert.deepEqual(facts, { symbols: ['ETHUSDT'], first: '2024-01-01', last: '2024-01-01', from: 'column' });
  // Its ETH trades are never written as BTCUSDT's.
  await assert.rejects(build(dir, { trades: { file_path: 'eth.csv' } }), /the job was refused before writing anything: .*eth\.csv: its rows say symbol ETHUSDT, the job's symbol is BTCUSDT/);
  assert.equal(existsSync(join(dir, 'catalog')), false);
  // Named by the files when the job names none.
  const own = await build(dir, { trades: { file_path: 'eth.csv' } }, { symbol: undefined, output: join(dir, 'eth-out') });
  assert.equal(own.instrument.id, 'ETHUSDT-PERP.BINANCE');
  assert.equal(own.totals.written, 300);

  const mixed: string[] = [];
  for (let k = 0; k < 3000; k++) mixed.push(['ETHUSDT', 'BTCUSDT', 'ethusdt'][k % 3]!);
  await writeFile(join(dir, 'mixed.csv'), exportTrades(mixed));
  for (const fast of ['1', '0']) {
    const prev = process.env.CB_FAST_PATH;
    process.env.CB_FAST_PATH = fast;
    try {
      const r = await build(dir, { trades: { file_path: 'mixed.csv' } }, { symbol: 'ETHUSDT', output: join(dir, `mixed${fast}`) });
      assert.ok(r.ok, r.errors.join('; '));
      assert.equal(r.files[0]!.rows, 2000, 'ETHUSDT rows (either case) are read; the BTCUSDT rows are not rows of this job');
      assert.equal(r.totals.written, 2000);
      assert.ok(r.files[0]!.notes.includes('1000 row(s) of other symbols (BTCUSDT) skipped: only ETHUSDT is read'), r.files[0]!.notes.join('\n'));
      const files = (await filesUnder(join(dir, `mixed${fast}`, 'data'))).filter((f) => f.startsWith('trade_tick/'));
      const rows = await readRows(join(dir, `mixed${fast}`, 'data', files[0]!));
      // Rows k = 1, 4, 7, … were BTCUSDT: ids k + 1 = 2, 5, 8, … (≡ 2 mod 3) are not in the catalog.
      assert.equal(rows.length, 2000);
      assert.ok(rows.every((x) => Number(x.trade_id) % 3 !== 2), 'only the ETHUSDT rows are written');
    } finally {
      if (prev === undefined) delete process.env.CB_FAST_PATH;
      else process.env.CB_FAST_PATH = prev;
    }
  }
});

test('any CSV with a time column says its days (Unix by magnitude, or ISO 8601): the first and last when read whole, the first only when read in part', async (t) => {
  const dir = await tempDir(t);
  const ms = (d: string, k: number) => Date.parse(`${d}T00:00:00Z`) + k * 60_000;
  // Rows out of order: the earliest and the latest day are the file's.
  await writeFile(join(dir, 'may.csv'), ['time,price,qty', `${ms('2023-05-02', 1)},1.5,1`, `${ms('2023-05-01', 1)},1.5,1`, `${ms('2023-05-03', 1)},1.5,1`].join('\n') + '\n');
  assert.deepEqual(await readFacts(join(dir, 'may.csv')), { symbols: [], first: '2023-05-01', last: '2023-05-03', from: 'column' });
  await writeFile(join(dir, 'iso.csv'), ['exec_time;symbol;exec_price;exec_qty', '2024-06-03T23:59:00+00:00;ETHUSDT;3800,5;1', '2024-06-04T00:00:01Z;ETHUSDT;3800,5;1'].join('\n') + '\n');
  assert.deepEqual(await readFacts(join(dir, 'iso.csv')), { symbols: ['ETHUSDT'], first: '2024-06-03', last: '2024-06-04', from: 'column' });
  const big = ['timestamp,price,size'];
  for (let k = 0; k < 6000; k++) big.push(`${(ms('2024-01-01', 0) + k * 30_000) * 1000},1.5,1`);
  await writeFile(join(dir, 'big.csv'), big.join('\n') + '\n');
  assert.deepEqual(await readFacts(join(dir, 'big.csv')), { symbols: [], first: '2024-01-01', from: 'column', partial: true }, 'µs times; read in part: no last day');
  // Day-first dates and headerless files say no days (their reading is the user's to confirm).
  await writeFile(join(dir, 'de.csv'), ['zeit;preis;menge', '31.01.2024 10:00:00;1,5;1'].join('\n') + '\n');
  assert.equal(await readFacts(join(dir, 'de.csv')), null);
});
