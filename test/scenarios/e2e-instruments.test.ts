// End to end in headless Chromium (browser mode, the real engine): an instrument of another venue
// and kind. A BitMEX XBTEUR trades file in Tardis's format, the market chosen, the definition
// entered field by field (an inverse perpetual, one-euro contracts), built and verified as
// XBTEUR.BITMEX; a bad increment is named under its field and keeps the job from running.
// Screenshots at 1280×800 go to test-output/screenshots/instrument-*.png.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { addFile, needChromium, openApp as openAppOf, shot, startBrowserApp, type BrowserApp } from '../support/browser-app.js';

const ROWS = 2_000;

/** Tardis trades of BitMEX XBTEUR: prices on a 0.5 grid, sizes in whole one-euro contracts. */
function bitmexTrades(day: string, n: number): string {
  const t0 = Date.parse(`${day}T00:00:00Z`) * 1000;
  const out = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount'];
  for (let i = 0; i < n; i++) {
    const ts = t0 + Math.floor((i * 86_000_000_000) / n);
    out.push(`bitmex,XBTEUR,${ts},${ts + 700},t${i},${i % 3 ? 'buy' : 'sell'},${(63000 + (i % 40) / 2).toFixed(1)},${100 * (1 + (i % 7))}`);
  }
  return out.join('\n') + '\n';
}

let app: BrowserApp | null = null;
let work = '';

before(async () => {
  app = await startBrowserApp('cb-e2e-inst-');
  work = app?.work ?? '';
});

after(async () => {
  await app?.close();
});

const openApp = () => openAppOf(app!);


test('a BitMEX XBTEUR file becomes an inverse CryptoPerpetual XBTEUR.BITMEX from a definition entered in the form', { timeout: 180_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'bitmex');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'bitmex_trades_2024-05-01_XBTEUR.csv');
  await writeFile(file, bitmexTrades('2024-05-01', ROWS));
  const catalog = join(dir, 'catalog');
  const { page, errors } = await openApp();

  await addFile(page, file);
  assert.match(await page.locator('.files-table').innerText(), /Tardis trades/);
  await page.locator('button[data-step="job"]').click();
  assert.equal(await page.getByTestId('range-summary').innerText(), '2024-05-01 → 2024-05-01 · 1 day');

  // The file says BitMEX and XBTEUR (e2e-symbols covers the filling); chosen again, the symbol as BitMEX writes it.
  assert.equal(await page.locator('#market').inputValue(), 'bitmex');
  assert.equal(await page.locator('#symbol').inputValue(), 'XBTEUR');
  await page.locator('#market').selectOption({ label: 'BitMEX' });
  await page.locator('#symbol').fill('xbteur');
  assert.equal(await page.locator('#symbol').inputValue(), 'XBTEUR');
  await page.locator('#output').fill(catalog);
  const precision = page.getByTestId('precision');
  assert.match(await precision.innerText(), /No preset for XBTEUR on BitMEX: give a list file or enter it/);
  const run = page.getByRole('button', { name: 'Run the job' });
  assert.equal(await run.isDisabled(), true, 'a contract market without a definition cannot run');
  assert.match(await page.getByTestId('instrument-id').innerText(), /Written as XBTEUR\.BITMEX · perpetual \(CryptoPerpetual, from the symbol’s shape\) · linear or inverse: as the definition says/);
  assert.match(await page.getByTestId('job-issues').innerText(), /sizes are contracts/);
  await shot(page, 'instrument-no-preset');

  // Enter it: an inverse perpetual of one-euro contracts on a 0.5 price grid.
  await page.getByRole('radio', { name: 'Enter it' }).check();
  await page.getByTestId('entry-form').waitFor();
  assert.equal(await page.locator('#entry-kind').inputValue(), 'perpetual', 'XBTEUR looks like a perpetual');
  await page.getByRole('checkbox', { name: /Inverse/ }).check();
  for (const [id, v] of [['base', 'xbt'], ['quote', 'EUR'], ['settlement', 'XBT'], ['multiplier', '1'], ['size-increment', '1'], ['price-increment', '0.5']] as const) {
    await page.locator(`#entry-${id}`).fill(v);
  }
  assert.equal(await page.locator('#entry-base').inputValue(), 'XBT', 'currency codes are raised as typed');
  assert.match(await page.getByTestId('instrument-id').innerText(), /Written as XBTEUR\.BITMEX · perpetual \(CryptoPerpetual\) · inverse/);
  assert.match(await page.locator('#entry-multiplier-hint').innerText(), /what one contract is worth; 1 for linear/);

  // A bad increment: named under its field, listed with the job's problems, and Run is blocked.
  await page.locator('#entry-price-increment').fill('0.5.0');
  const fieldError = page.getByTestId('entry-price-increment-error');
  await fieldError.waitFor();
  assert.equal(await fieldError.innerText(), 'expected a decimal such as 0.01');
  assert.equal(await page.locator('#entry-price-increment').getAttribute('aria-invalid'), 'true');
  assert.match(await page.getByTestId('job-issues').innerText(), /Price increment \(instrument\): expected a decimal such as 0\.01/);
  assert.equal(await run.isDisabled(), true);
  await page.locator('#entry-size-increment').fill('0');
  assert.equal(await page.getByTestId('entry-size-increment-error').innerText(), 'must be more than 0');
  await shot(page, 'instrument-entry-error');
  await page.locator('#entry-size-increment').fill('1');
  await page.locator('#entry-price-increment').fill('0.5');
  assert.equal(await fieldError.count(), 0);
  assert.equal(await page.getByTestId('job-issues').count(), 0);
  assert.equal(await run.isDisabled(), false);
  await shot(page, 'instrument-entry');

  await run.click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 90_000 });
  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  const inst = await page.getByTestId('result-instrument').innerText();
  assert.match(inst, /^XBTEUR\.BITMEX · CryptoPerpetual · BitMEX · inverse · multiplier 1 · settled in XBT\nPrice 1 \/ size 0 decimals/);
  assert.match(await page.locator('tr[data-day="2024-05-01"]').innerText(), new RegExp(`done\\s+${ROWS.toLocaleString('en-US')}\\s+${ROWS.toLocaleString('en-US')}`));
  await shot(page, 'instrument-result');

  // On disk: the instrument is an inverse perpetual under its BitMEX id, with every trade.
  const v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  assert.deepEqual(v.summary.find((s) => s.type === 'crypto_perpetual')?.identifier, 'XBTEUR.BITMEX');
  assert.equal(v.summary.find((s) => s.type === 'trade_tick' && s.identifier === 'XBTEUR.BITMEX')?.rows, ROWS);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a saved instrument list is typed in browser mode, and one outside the allowed folders is refused before the run; ids follow each venue', { timeout: 60_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'coinm');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'binance-delivery_trades_2024-05-02_BTCUSD_PERP.csv');
  await writeFile(file, bitmexTrades('2024-05-02', 10).replace(/bitmex,XBTEUR/g, 'binance-delivery,BTCUSD_PERP'));
  const { page, errors } = await openApp();
  await addFile(page, file);
  await page.locator('button[data-step="job"]').click();
  const id = page.getByTestId('instrument-id');

  // Each venue's adapter names its symbols its own way.
  await page.locator('#market').selectOption('okx-swap');
  await page.locator('#symbol').fill('BTC-USDT-SWAP');
  assert.match(await id.innerText(), /Written as BTC-USDT-SWAP\.OKX · perpetual/);
  await page.locator('#market').selectOption('bybit-inverse');
  await page.locator('#symbol').fill('BTCUSD');
  assert.match(await id.innerText(), /Written as BTCUSD-INVERSE\.BYBIT/);
  await page.locator('#symbol').fill('BTC/USD');
  assert.match(await page.getByTestId('symbol-error').innerText(), /letters, digits, _ or -/);
  await page.locator('#market').selectOption('binance-coinm');
  await page.locator('#symbol').fill('BTCUSD_PERP');
  assert.equal(await page.getByTestId('symbol-error').count(), 0);
  assert.match(await id.innerText(), /Written as BTCUSD-PERP\.BINANCE · perpetual/);

  // Saved list file: no dialog in browser mode, the path is typed; until then Run waits for it.
  await page.getByRole('radio', { name: 'Saved list file' }).check();
  const run = page.getByRole('button', { name: 'Run the job' });
  assert.equal(await run.isDisabled(), true);
  assert.match(await page.getByTestId('job-issues').innerText(), /Choose the venue’s saved instrument list/);
  // Browser mode has no file dialog: no Choose… button, and the folders a typed path may be in are named.
  assert.equal(await page.locator('.definition').getByRole('button', { name: 'Choose…' }).count(), 0);
  assert.match(await page.locator('.definition').innerText(), /The file must be inside: .*To allow more, start the server with --allow DIR\./s);
  assert.match(await id.innerText(), /linear or inverse: as the definition says/);
  const outside = join(tmpdir(), 'not-allowed-exchangeInfo.json');
  await page.locator('#instruments-file').fill(outside);
  await page.locator('#output').fill(join(dir, 'catalog'));
  await shot(page, 'instrument-list-file');
  await run.click();
  await page.locator('[data-testid=run-overall][data-status=failed]').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('.main').innerText(), /not a file \(instrument list\) you picked or dropped/);
  assert.deepEqual(errors, []);
  await page.close();
});
