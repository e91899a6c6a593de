// End to end in headless Chromium (browser mode, the real engine): the symbol, market and days read
// from the files. A Tardis CSV of BitMEX XBTUSD fills in BitMEX and XBTUSD ("from the files"); the
// symbol changed to XBTEUR is a mismatch named with the file and both values, Run is blocked until
// the files are confirmed renamed, then it is built as XBTEUR (allowMismatch). A Tardis CSV of
// Binance USD-M BTCUSDT and ETHUSDT rows offers both, ticked: the run shows each one's progress,
// the result a section each, and the catalog holds both. Screenshots at 1280×800 go to
// test-output/screenshots/symbols-*.png.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { addFile, needChromium, openApp as openAppOf, shot, startBrowserApp, type BrowserApp } from '../support/browser-app.js';

const ROWS = 2_000;

let app: BrowserApp | null = null;
let work = '';

before(async () => {
  app = await startBrowserApp('cb-e2e-sym-');
  work = app?.work ?? '';
});

after(async () => {
  await app?.close();
});

const openApp = () => openAppOf(app!);


/**
 * Tardis trades (exchange,symbol,timestamp,…) of `n` rows a symbol over a day, the symbols' rows
 * interleaved; prices on each symbol's grid, sizes on its lot step.
 */
function tardisTrades(exchange: string, day: string, n: number, symbols: { symbol: string; price: (i: number) => string; size: (i: number) => string }[]): string {
  const t0 = Date.parse(`${day}T00:00:00Z`) * 1000;
  const out = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount'];
  for (let i = 0; i < n; i++) {
    for (const [k, s] of symbols.entries()) {
      const ts = t0 + Math.floor((i * 86_000_000_000) / n) + k;
      out.push(`${exchange},${s.symbol},${ts},${ts + 700},${s.symbol}-${i},${i % 3 ? 'buy' : 'sell'},${s.price(i)},${s.size(i)}`);
    }
  }
  return out.join('\n') + '\n';
}

test('a BitMEX XBTUSD file fills in its market, symbol and day; renamed to XBTEUR it is refused until confirmed, then built as XBTEUR', { timeout: 180_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'bitmex');
  await mkdir(dir, { recursive: true });
  const name = 'bitmex_trades_2024-05-01_XBTUSD.csv';
  const file = join(dir, name);
  await writeFile(file, tardisTrades('bitmex', '2024-05-01', ROWS, [{ symbol: 'XBTUSD', price: (i) => (63000 + (i % 40) / 2).toFixed(1), size: (i) => String(100 * (1 + (i % 7))) }]));
  const catalog = join(dir, 'catalog');
  const { page, errors } = await openApp();
  await addFile(page, file);
  await page.locator('button[data-step="job"]').click();

  // (a) What the file says, filled in and said to be from it.
  await page.getByTestId('market-from-files').waitFor();
  assert.equal(await page.locator('#market').inputValue(), 'bitmex');
  assert.equal(await page.locator('#symbol').inputValue(), 'XBTUSD');
  assert.equal(await page.getByTestId('symbol-from-files').innerText(), 'from the files');
  assert.equal(await page.getByTestId('days-from-files').count(), 1);
  assert.equal(await page.getByTestId('range-summary').innerText(), '2024-05-01 → 2024-05-01 · 1 day');
  assert.match(await page.getByTestId('precision').innerText(), /^Preset: BitMEX XBTUSD/);
  assert.match(await page.getByTestId('instrument-id').innerText(), /Written as XBTUSD\.BITMEX · perpetual \(CryptoPerpetual\) · inverse/);
  assert.equal(await page.getByTestId('mismatch').count(), 0);
  await page.locator('#output').fill(catalog);
  const run = page.getByRole('button', { name: 'Run the job' });
  assert.equal(await run.isDisabled(), false);
  await shot(page, 'symbols-filled');

  // Days the file does not hold: said before the run (the job may still run: the user decides).
  await page.locator('#end').fill('2024-06-02');
  await page.locator('#start').fill('2024-06-01');
  assert.match(await page.getByTestId('job-issues').innerText(), /The chosen days 2024-06-01 … 2024-06-02 are after every file's rows: the files hold 2024-05-01 … 2024-05-01\. Pick days they hold\./);
  assert.equal(await run.isDisabled(), false);
  await shot(page, 'symbols-days-outside');
  await page.locator('#start').fill('2024-05-01');
  await page.locator('#end').fill('2024-05-01');
  assert.equal(await page.getByTestId('job-issues').count(), 0);

  // (b) Another symbol than the file's: named with the file and both values; Run waits for the confirm.
  await page.locator('#symbol').fill('XBTEUR');
  assert.equal(await page.getByTestId('symbol-from-files').count(), 0, 'the user’s symbol is not "from the files"');
  await page.getByRole('radio', { name: 'Enter it' }).check();
  await page.getByRole('checkbox', { name: /Inverse/ }).check();
  for (const [id, v] of [['base', 'XBT'], ['quote', 'EUR'], ['settlement', 'XBT'], ['multiplier', '1'], ['size-increment', '1'], ['price-increment', '0.5']] as const) {
    await page.locator(`#entry-${id}`).fill(v);
  }
  const mismatch = page.getByTestId('mismatch');
  assert.match(await mismatch.innerText(), new RegExp(`${name.replace(/\./g, '\\.')}: its rows say symbol XBTUSD; the job’s symbol is XBTEUR\\.`));
  assert.match(await page.getByTestId('job-issues').innerText(), /The job disagrees with its files/);
  assert.equal(await run.isDisabled(), true, 'not without the confirm');
  await shot(page, 'symbols-mismatch');
  const confirm = mismatch.getByRole('checkbox', { name: /The files were renamed; build as XBTEUR on BitMEX/ });
  await confirm.check();
  assert.equal(await page.getByTestId('job-issues').count(), 0);
  assert.equal(await run.isDisabled(), false);
  await shot(page, 'symbols-mismatch-confirmed');

  await run.click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 90_000 });
  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('result-instrument').innerText(), /^XBTEUR\.BITMEX · CryptoPerpetual · BitMEX · inverse/);
  assert.match(await page.locator('.notes').innerText(), /symbol XBTUSD; built as the job's XBTEUR \(allowMismatch\)/);
  await shot(page, 'symbols-mismatch-result');
  const v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  assert.equal(v.summary.find((s) => s.type === 'trade_tick' && s.identifier === 'XBTEUR.BITMEX')?.rows, ROWS);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a Tardis CSV of BTCUSDT and ETHUSDT builds both: each ticked, its own progress, its own result section and catalog folders', { timeout: 180_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'pair');
  await mkdir(dir, { recursive: true });
  const name = 'usdm-pair-trades.csv';
  const file = join(dir, name);
  await writeFile(file, tardisTrades('binance-futures', '2024-05-02', ROWS, [
    { symbol: 'BTCUSDT', price: (i) => (64000 + (i % 50) / 10).toFixed(1), size: (i) => (0.001 * (1 + (i % 9))).toFixed(3) },
    { symbol: 'ETHUSDT', price: (i) => (3100 + (i % 70) / 100).toFixed(2), size: (i) => (0.01 * (1 + (i % 5))).toFixed(3) },
  ]));
  const catalog = join(dir, 'catalog');
  const { page, errors } = await openApp();
  await addFile(page, file);
  await page.locator('button[data-step="job"]').click();

  const choices = page.getByTestId('symbol-choices');
  await choices.waitFor();
  assert.equal(await page.locator('#market').inputValue(), 'binance-usdm');
  for (const sym of ['BTCUSDT', 'ETHUSDT']) assert.equal(await choices.getByRole('checkbox', { name: sym }).isChecked(), true, `${sym} offered and ticked`);
  assert.match(await choices.innerText(), /The files hold 2 symbols; each ticked one is built as its own instrument/);
  const ids = await page.getByTestId('instrument-id').allInnerTexts();
  assert.deepEqual(ids.map((x) => x.split(' · ')[0]), ['Written as BTCUSDT-PERP.BINANCE', 'Written as ETHUSDT-PERP.BINANCE']);
  assert.match(await page.getByTestId('precision').innerText(), /^Presets: Binance USD-M futures BTCUSDT, ETHUSDT/);
  assert.equal(await page.getByTestId('range-summary').innerText(), '2024-05-02 → 2024-05-02 · 1 day');
  await page.locator('#output').fill(catalog);
  await shot(page, 'symbols-several-job');

  await page.getByRole('button', { name: 'Run the job' }).click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 120_000 });
  const sections = page.getByTestId('run-instrument');
  assert.deepEqual(await sections.evaluateAll((els) => els.map((e) => e.getAttribute('data-instrument'))), ['BTCUSDT', 'ETHUSDT']);
  for (const sym of ['BTCUSDT', 'ETHUSDT']) {
    const bar = page.locator(`[data-testid=run-instrument][data-instrument=${sym}] li.day-bar[data-day="2024-05-02"]`);
    assert.equal(await bar.getAttribute('data-state'), 'done', `${sym}'s day is done`);
  }
  assert.match(await page.getByTestId('run-overall').innerText(), /2 of 2 days finished/);
  await shot(page, 'symbols-several-run');

  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('result-instrument').innerText(), /2 instruments: BTCUSDT-PERP\.BINANCE, ETHUSDT-PERP\.BINANCE/);
  const result = page.getByTestId('result-section');
  assert.deepEqual(await result.evaluateAll((els) => els.map((e) => [e.getAttribute('data-instrument'), e.getAttribute('data-ok')])), [['BTCUSDT-PERP.BINANCE', 'true'], ['ETHUSDT-PERP.BINANCE', 'true']]);
  for (const k of [0, 1]) {
    assert.match(await result.nth(k).getByTestId('section-counts').innerText(), new RegExp(`^${ROWS.toLocaleString('en-US')} rows written`));
    assert.match(await result.nth(k).locator('tr[data-day="2024-05-02"]').innerText(), /done/);
  }
  await shot(page, 'symbols-several-result');

  // On disk: both instruments, each with its own trades.
  const v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  for (const id of ['BTCUSDT-PERP.BINANCE', 'ETHUSDT-PERP.BINANCE']) {
    assert.ok(existsSync(join(catalog, 'data', 'trade_tick', id)), `${id}'s trades folder`);
    assert.ok(existsSync(join(catalog, 'data', 'crypto_perpetual', id)), `${id}'s definition folder`);
    assert.equal(v.summary.find((s) => s.type === 'trade_tick' && s.identifier === id)?.rows, ROWS);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('an instrument of several that fails shows its errors first in its own section, while the other is written', { timeout: 180_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'half');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'usdm-half-bad.csv');
  // ETHUSDT's prices are no numbers: every one of its rows is rejected, failing its file.
  await writeFile(file, tardisTrades('binance-futures', '2024-05-03', 200, [
    { symbol: 'BTCUSDT', price: (i) => (64000 + (i % 50) / 10).toFixed(1), size: () => '0.001' },
    { symbol: 'ETHUSDT', price: () => 'n/a', size: () => '0.010' },
  ]));
  const { page, errors } = await openApp();
  await addFile(page, file);
  await page.locator('button[data-step="job"]').click();
  await page.getByTestId('symbol-choices').waitFor();
  await page.locator('#output').fill(join(dir, 'catalog'));
  await page.getByRole('button', { name: 'Run the job' }).click();
  await page.locator('[data-testid=run-overall][data-status=done], [data-testid=run-overall][data-status=failed]').waitFor({ timeout: 90_000 });
  await page.getByRole('button', { name: 'View result →' }).click();
  const result = page.getByTestId('result-section');
  await result.nth(1).waitFor();
  assert.equal(await page.locator('.screen-header h1').innerText(), 'Written, 1 of 2 instruments failed');
  assert.deepEqual(await result.evaluateAll((els) => els.map((e) => [e.getAttribute('data-instrument'), e.getAttribute('data-ok')])), [['BTCUSDT-PERP.BINANCE', 'true'], ['ETHUSDT-PERP.BINANCE', 'false']]);
  const failed = result.nth(1);
  // Its errors come before its figures and days.
  const order = await failed.evaluate((el) => Array.from(el.children, (c) => c.getAttribute('role') ?? c.getAttribute('data-testid') ?? c.className));
  assert.deepEqual(order.slice(0, 3), ['instrument-section-head', 'alert', 'section-counts']);
  assert.match(await failed.getByRole('alert').innerText(), /reject/i);
  assert.match(await result.nth(0).getByTestId('section-counts').innerText(), /^200 rows written/);
  await shot(page, 'symbols-section-failed');
  assert.deepEqual(errors, []);
  await page.close();
});

test('before a Tardis download: days that need a missing API key, and days in the future, are said; saving a key clears the first', { timeout: 60_000 }, async (t) => {
  if (!needChromium(t)) return;
  const { page, errors } = await openApp();
  await page.getByRole('radio', { name: /Tardis\.dev download/ }).click();
  await page.locator('button[data-step="job"]').click();
  await page.locator('#symbol').fill('BTCUSDT');
  await page.locator('#end').fill('2024-01-05');
  await page.locator('#start').fill('2024-01-01');
  const issues = page.getByTestId('job-issues');
  assert.match(await issues.innerText(), /Without a Tardis API key only the 1st of each month is served: 4 of the chosen days \(from 2024-01-02\) would fail\./);
  const run = page.getByRole('button', { name: 'Run the job' });
  assert.equal(await run.isDisabled(), false, 'a warning: the user decides');
  await shot(page, 'symbols-tardis-no-key');
  // Days after today: said too (tomorrow is always after today).
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await page.locator('#end').fill(tomorrow);
  assert.match(await issues.innerText(), new RegExp(`The days after today \\(\\d{4}-\\d{2}-\\d{2}\\) hold no data yet; the last chosen day is ${tomorrow}\\.`));
  await page.locator('#end').fill('2024-01-05');
  await page.locator('#api-key').fill('TD.test-key');
  await page.getByRole('button', { name: 'Save key' }).click();
  await page.getByText('✓ saved').waitFor();
  assert.equal(await page.getByTestId('job-issues').count(), 0, 'with a key, nothing to say');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an exchange export with odd columns (exec_time, exec_price, exec_qty) and a symbol column: trades proposed, columns guessed by their words, the symbol taken from the rows', { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'export');
  await mkdir(dir, { recursive: true });
  const rows = ['"exec_time","symbol","side","exec_price","exec_qty","exec_id"'];
  for (let i = 0; i < 300; i++) rows.push(`"${new Date(Date.UTC(2024, 5, 3) + i * 60_000).toISOString().replace('Z', '+00:00')}","ETHUSDT","${i % 3 ? 'Buy' : 'Sell'}","${(3800 + (i % 40) / 100).toFixed(2)}","${(1 + (i % 9)) / 100}","e${i}"`);
  const file = join(dir, 'bybit_executions.csv');
  await writeFile(file, rows.join('\r\n') + '\r\n');
  const { page, errors } = await openApp();
  await addFile(page, file);
  const row = page.locator('tr[data-file="bybit_executions.csv"]');
  assert.equal(await row.getByRole('button', { name: 'Trades' }).getAttribute('aria-pressed'), 'true', 'proposed as trades');
  await page.locator('button[data-step="mapping"]').click();
  await page.getByTestId('mapped-counts').getByText('100 ok').waitFor({ timeout: 30_000 });
  const panel = await page.locator('section[aria-labelledby="fields-title"]').innerText();
  for (const col of ['exec_time', 'exec_price', 'exec_qty', 'exec_id']) assert.match(panel, new RegExp(col), `${col} mapped`);
  assert.match(panel, /auto · guess \(60%\)/);
  await shot(page, 'symbols-export-mapping');
  await page.locator('button[data-step="job"]').click();
  assert.equal(await page.locator('#symbol').inputValue(), 'ETHUSDT', 'the rows\' symbol, never the default BTCUSDT');
  assert.equal(await page.getByTestId('symbol-from-files').innerText(), 'from the files');
  await page.locator('#end').fill('2024-06-03');
  await page.locator('#start').fill('2024-06-03');
  await page.locator('#output').fill(join(dir, 'catalog'));
  await page.getByRole('button', { name: 'Run the job' }).click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 60_000 });
  const v = await verifyCatalog(join(dir, 'catalog'));
  assert.deepEqual(v.errors, []);
  assert.equal(v.summary.find((s) => s.type === 'trade_tick')?.identifier, 'ETHUSDT-PERP.BINANCE');
  assert.equal(v.summary.find((s) => s.type === 'trade_tick')?.rows, 300);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a plain CSV of May 2023 proposes its own days; run for January 2024 it is told before the run that the days hold none of its rows', { timeout: 60_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'plain-days');
  await mkdir(dir, { recursive: true });
  const rows = ['time,price,qty'];
  for (let i = 0; i < 200; i++) rows.push(`${Date.UTC(2023, 4, 1) + i * 600_000},${(27000 + i / 10).toFixed(1)},0.01`);
  const file = join(dir, 'my-trades.csv');
  await writeFile(file, rows.join('\n') + '\n');
  const { page, errors } = await openApp();
  await addFile(page, file);
  await page.locator('button[data-step="job"]').click();
  await page.getByTestId('days-from-files').waitFor();
  assert.equal(await page.getByTestId('range-summary').innerText(), '2023-05-01 → 2023-05-02 · 2 days');
  await page.locator('#end').fill('2024-01-31');
  await page.locator('#start').fill('2024-01-01');
  assert.match(await page.getByTestId('job-issues').innerText(), /The chosen days 2024-01-01 … 2024-01-31 are after every file's rows: the files hold 2023-05-01 … 2023-05-02\. Pick days they hold\./);
  await shot(page, 'symbols-plain-days-outside');
  assert.deepEqual(errors, []);
  await page.close();
});
