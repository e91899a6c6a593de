// End to end in headless Chromium, as a user goes: browser mode (hosts/server.ts) serving the
// built renderer. Add two CSV files by path, see the preview, drag columns onto fields, fix a wrong
// automatic mapping, pick dates, run, watch the day bars move, cancel, run again, and find a
// catalog that verify accepts. Another run has a broken file: its day fails with a clear error and
// the other day is written. A real Tardis quotes file is proposed as quotes (a bar file beside it
// never as trades) and built into verified quote ticks. Screenshots of every screen go to
// test-output/screenshots/ (and to docs/screenshots/, the README's pictures, when UPDATE_SCREENSHOTS=1: see shot()).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { manifestPath, readManifest } from '../../engine/catalog/manifest.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { ROOT } from '../helpers.js';
import { needChromium, openApp as openAppOf, shot as shotOf, startBrowserApp, type BrowserApp } from '../support/browser-app.js';

const ROWS = 300_000;
/** A real Tardis quotes file (binance-futures BTCUSDT, the first 1,200 rows of 2020-02-22), from ../shared. */
const QUOTES_FIXTURE = join(ROOT, '..', 'shared', 'fixtures', 'sources', 'tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv');

/** A CSV of our own venue: `time` is a time of day (the tempting wrong timestamp), `ts` the real one. */
function venueCsv(day: string, n: number): string {
  const t0 = Date.parse(`${day}T00:00:00Z`);
  const out: string[] = ['time,ts,price,qty,direction,fill_ref'];
  const pad = (v: number, w = 2) => String(v).padStart(w, '0');
  let p = 600_000;
  for (let i = 0; i < n; i++) {
    const ms = Math.floor((i * 86_000_000) / n);
    const tod = `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
    p += ((i * 7919) % 11) - 5;
    out.push(`${tod},${t0 + ms},${(p / 10).toFixed(1)},${(((i * 31) % 1000) + 1) / 1000},${i % 3 ? 'buy' : 'sell'},${day.replace(/-/g, '')}${i}`);
  }
  return out.join('\n') + '\n';
}

function tardisCsv(day: string, n: number): string {
  const t0 = Date.parse(`${day}T00:00:00Z`) * 1000;
  const out = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount'];
  for (let i = 0; i < n; i++) {
    const ts = t0 + Math.floor((i * 86_000_000_000) / n);
    out.push(`binance-futures,BTCUSDT,${ts},${ts + 500},${day.replace(/-/g, '')}${i},${i % 2 ? 'buy' : 'sell'},${(60000 + (i % 50) / 10).toFixed(1)},0.00${1 + (i % 9)}`);
  }
  return out.join('\n') + '\n';
}

let app: BrowserApp | null = null;
let work = '';

test('typed days that are not days keep the Job screen and say what is expected; a screen that throws offers Reload', { timeout: 60_000 }, async (t) => {
  if (!needChromium(t)) return;
  const { page, errors } = await openApp();
  await page.getByRole('radio', { name: /Tardis\.dev download/ }).click();
  await page.getByRole('button', { name: 'Next: job →' }).click();
  const months = page.locator('.cal-title');
  const shown = await months.allInnerTexts();
  assert.equal(shown.length, 2);
  // Each of these once crashed the window (NaN month) or sent the calendar to 1901.
  for (const text of ['x', '2', '2024-0', '2024-02-30']) {
    await page.locator('#start').fill(text);
    await page.getByTestId('start-error').waitFor();
    assert.match(await page.getByTestId('start-error').innerText(), /expected YYYY-MM-DD/, text);
    assert.equal(await page.locator('#start').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await months.allInnerTexts(), shown, `"${text}" keeps the months shown`);
  }
  await page.getByRole('heading', { name: 'Job' }).waitFor();
  await shot(page, 'job-typed-day');
  await page.locator('#start').fill('2024-05-31');
  assert.equal(await page.getByTestId('start-error').count(), 0);
  assert.deepEqual(await months.allInnerTexts(), ['May 2024', 'June 2024'], 'a whole day moves the calendar');
  assert.deepEqual(errors, []);

  // Make drawing a day fail, then redraw the calendar: the boundary shows the error, not a blank page.
  await page.evaluate(() => {
    Date.prototype.toLocaleDateString = () => {
      throw new Error('drawing failed on purpose');
    };
  });
  await page.getByRole('button', { name: 'Next month' }).click();
  const crash = page.getByTestId('crash');
  await crash.waitFor();
  assert.match(await crash.innerText(), /Error: drawing failed on purpose/);
  await shot(page, 'crash');
  await page.getByRole('button', { name: 'Reload' }).click();
  await page.getByRole('heading', { name: 'Where is your data?' }).waitFor();
  await page.close();
});

before(async () => {
  app = await startBrowserApp('cb-e2e-');
  work = app?.work ?? '';
});

after(async () => {
  await app?.close();
});

const openApp = () => openAppOf(app!, { width: 1360, height: 940 });

const shot = (page: Page, name: string) => shotOf(page, name, { window: false, full: true });

async function barValue(page: Page, day: string): Promise<number> {
  const v = await page.locator(`li.day-bar[data-day="${day}"] [role=progressbar]`).getAttribute('aria-valuenow');
  return Number(v ?? 0);
}

async function parquetFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.parquet'));
}

test('a user maps two CSV files by drag and drop, cancels a run, runs again and gets a verified catalog', { timeout: 240_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'venue');
  await mkdir(dir, { recursive: true });
  const f1 = join(dir, 'venue-trades-2024-03-01.csv');
  const f2 = join(dir, 'venue-trades-2024-03-02.csv');
  await writeFile(f1, venueCsv('2024-03-01', ROWS));
  await writeFile(f2, venueCsv('2024-03-02', ROWS));
  const catalog = join(dir, 'catalog');
  const { page, errors } = await openApp();

  // Source: add both files through the path field (browser mode has no paths for dropped files).
  await page.locator('#path-input').fill(f1);
  await page.locator('#path-input').press('Enter');
  await page.locator('tr[data-file="venue-trades-2024-03-01.csv"]').waitFor();
  await page.locator('#path-input').fill(f2);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const row2 = page.locator('tr[data-file="venue-trades-2024-03-02.csv"]');
  await row2.waitFor();
  assert.match(await row2.innerText(), /CSV with header/);
  assert.equal(await page.locator('#path-input').inputValue(), '', 'the field is cleared once added');
  await shot(page, 'source');

  // Live preview: the raw first rows.
  await page.getByRole('button', { name: 'Next: live preview →' }).click();
  const raw = page.getByTestId('raw-preview');
  await raw.getByRole('columnheader', { name: 'fill_ref' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=raw-preview] [role=row]').length > 10);
  assert.match(await raw.innerText(), /00:00:00\.000/);
  await page.waitForFunction(() => !document.querySelector('.file-facts')?.textContent?.includes('updating'));
  await shot(page, 'preview');

  // Mapping: the automatic mapping takes the time-of-day column as the timestamp, so rows are rejected.
  await page.getByRole('button', { name: 'Next: map columns →' }).click();
  const tsSlot = page.locator('[data-field="timestamp"]');
  await tsSlot.locator('.assigned-chip', { hasText: 'time' }).waitFor();
  assert.match(await tsSlot.innerText(), /auto · 85% sure/);
  await page.getByTestId('mapped-counts').getByText(/rejected/).waitFor();
  assert.match(await page.getByTestId('mapped-preview').innerText(), /timestamp/);
  await shot(page, 'mapping-auto');

  // Fix it by dragging `ts` onto Timestamp, and map the side by dragging too.
  await page.dragAndDrop('.col-chip[data-column="ts"]', '[data-field="timestamp"]');
  await tsSlot.locator('.assigned-chip', { hasText: /^ts/ }).waitFor();
  assert.match(await tsSlot.innerText(), /set by you/);
  await page.dragAndDrop('.col-chip[data-column="direction"]', '[data-field="aggressor_side"]');
  await page.locator('[data-field="aggressor_side"] .assigned-chip', { hasText: 'direction' }).waitFor();

  // Keyboard: select a column, then Enter on the focused field.
  await page.locator('.col-chip[data-column="fill_ref"]').click();
  await page.locator('[data-field="trade_id"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-field="trade_id"] .assigned-chip', { hasText: 'fill_ref' }).waitFor();
  // Undo (Ctrl+Z) takes it back; the Undo button and keyboard again put it back.
  await page.keyboard.press('Control+z');
  await page.locator('[data-field="trade_id"] .drop-hint').waitFor();
  await page.locator('.col-chip[data-column="fill_ref"]').click();
  await page.locator('[data-field="trade_id"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-field="trade_id"] .assigned-chip', { hasText: 'fill_ref' }).waitFor();

  // The live preview now shows normalised values and no rejected row.
  // (the preview follows each change after a short debounce: wait for the last one)
  await page.waitForFunction(() => {
    const counts = document.querySelector('[data-testid=mapped-counts]')?.textContent ?? '';
    const table = document.querySelector('[data-testid=mapped-preview]')?.textContent ?? '';
    return counts.includes('100 ok') && !counts.includes('updating') && table.includes('BUYER');
  });
  assert.equal(await page.getByTestId('mapped-counts').getByText(/rejected/).count(), 0);
  const mapped = await page.getByTestId('mapped-preview').innerText();
  assert.match(mapped, /2024-03-01T00:00:00/);
  assert.match(mapped, /BUYER/);
  assert.match(mapped, /SELLER/);
  assert.match(await page.getByTestId('mapping-status').innerText(), /Every required field/);
  // Save it as a template.
  await page.getByLabel('Template name').fill('My venue');
  await page.getByRole('button', { name: 'Save mapping' }).click();
  await page.getByText('Template “My venue” saved.').waitFor();
  await shot(page, 'mapping');

  // Job: pick the days on the calendar, type the output folder.
  await page.getByRole('button', { name: 'Next: job →' }).click();
  assert.match(await page.getByTestId('precision').innerText(), /Preset: Binance USD-M futures BTCUSDT/);
  assert.match(await page.getByTestId('instrument-id').innerText(), /Written as BTCUSDT-PERP\.BINANCE · perpetual \(CryptoPerpetual\) · linear/);
  await page.locator('button[data-day="2024-03-01"]').click();
  assert.match(await page.getByTestId('range-summary').innerText(), /now pick the last day/);
  await page.locator('button[data-day="2024-03-02"]').click();
  assert.equal(await page.getByTestId('range-summary').innerText(), '2024-03-01 → 2024-03-02 · 2 days');
  await page.locator('#output').fill(catalog);
  await shot(page, 'job');

  // Run, watch the first day's bar move, cancel.
  await page.getByRole('button', { name: 'Run the job' }).click();
  await page.getByTestId('run-overall').waitFor();
  const deadline = Date.now() + 60_000;
  let mid = 0;
  while (Date.now() < deadline) {
    mid = await barValue(page, '2024-03-01');
    if (mid > 0 && mid < 90) break;
    await page.waitForTimeout(25);
  }
  assert.ok(mid > 0 && mid < 90, `the first day's bar moved (${mid}%)`);
  const cancelAt = Date.now();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('[data-testid=run-overall][data-status=cancelled]').waitFor({ timeout: 15_000 });
  t.diagnostic(`cancelled in ${Date.now() - cancelAt} ms`);
  assert.deepEqual(await parquetFiles(join(catalog, 'data', 'trade_tick', 'BTCUSDT-PERP.BINANCE')), [], 'a cancelled run leaves no trade file');
  assert.equal(await page.locator('li.day-bar[data-state="cancelled"]').count(), 2);

  // Run again: bars advance to done.
  await page.getByRole('button', { name: 'Run again' }).click();
  const seen = new Set<number>();
  let shotTaken = false;
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    const status = await page.getByTestId('run-overall').getAttribute('data-status');
    const a = await barValue(page, '2024-03-01');
    const b = await barValue(page, '2024-03-02');
    seen.add(a);
    seen.add(b);
    if (!shotTaken && a > 20 && a < 90) {
      await shot(page, 'run');
      shotTaken = true;
    }
    if (status === 'done' || status === 'failed') break;
    await page.waitForTimeout(25);
  }
  assert.equal(await page.getByTestId('run-overall').getAttribute('data-status'), 'done');
  const between = [...seen].filter((v) => v > 0 && v < 100);
  assert.ok(between.length >= 2, `bars advanced through several values (${[...seen].sort((x, y) => x - y).join(', ')})`);
  assert.equal(await barValue(page, '2024-03-01'), 100);
  assert.equal(await barValue(page, '2024-03-02'), 100);
  if (!shotTaken) await shot(page, 'run');

  // Result: verified, per-day counts, chart.
  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  const days = await page.locator('.days-table').innerText();
  assert.match(days, /2024-03-01/);
  assert.match(days, new RegExp(ROWS.toLocaleString('en-US')));
  await page.locator('figure.chart svg rect.bar-trades').first().waitFor();
  await shot(page, 'result');

  // On disk: a catalog verify accepts, with every row.
  const v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  assert.equal(v.ok, true);
  const trades = v.summary.find((s) => s.type === 'trade_tick');
  assert.equal(trades?.rows, 2 * ROWS);
  assert.equal(trades?.files, 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a broken file fails its own day with a clear error while the other day is written', { timeout: 180_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'broken');
  await mkdir(dir, { recursive: true });
  const good = join(dir, 'binance-futures_trades_2024-04-01_BTCUSDT.csv');
  const bad = join(dir, 'binance-futures_trades_2024-04-02_BTCUSDT.csv.gz');
  // A good day with a few bad rows: two rejected (bad price), one duplicate trade id.
  const t0 = Date.parse('2024-04-01T12:00:00Z') * 1000;
  const badRows = [
    `binance-futures,BTCUSDT,${t0},${t0 + 5},x1,buy,abc,0.001`,
    `binance-futures,BTCUSDT,${t0 + 1},${t0 + 6},x2,sell,60000.123,0.001`,
    `binance-futures,BTCUSDT,${t0 + 2},${t0 + 7},202404015,buy,60000.1,0.001`,
  ];
  await writeFile(good, tardisCsv('2024-04-01', 50_000) + badRows.join('\n') + '\n');
  const gz = gzipSync(tardisCsv('2024-04-02', 200_000));
  await writeFile(bad, gz.subarray(0, Math.floor(gz.length / 2)));
  const catalog = join(dir, 'catalog');
  const { page, errors } = await openApp();

  // Both paths pasted at once, one per line.
  await page.locator('#path-input').evaluate((el, text) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, `${good}\n${bad}\n`);
  await page.locator('tr[data-file="binance-futures_trades_2024-04-02_BTCUSDT.csv.gz"]').waitFor();
  assert.match(await page.locator('.files-table').innerText(), /Tardis trades/);

  await page.locator('button[data-step="job"]').click();
  assert.equal(await page.getByTestId('range-summary').innerText(), '2024-04-01 → 2024-04-02 · 2 days', 'days taken from the file names');
  await page.locator('#output').fill(catalog);
  // Options: the share of rows a file may have rejected. The good day's file has 2 of 50,003 rejected (0.004%):
  // allowing 0.001% makes the engine name it, which proves the percent reached the job.
  await page.getByText('Options', { exact: true }).click();
  await page.getByLabel('Rejected rows allowed per file').fill('0.001');
  await shot(page, 'job-options');
  await page.getByRole('button', { name: 'Run the job' }).click();
  await page.locator('[data-testid=run-overall][data-status=failed]').waitFor({ timeout: 90_000 });
  const badDay = page.locator('li.day-bar[data-day="2024-04-02"]');
  assert.equal(await badDay.getAttribute('data-state'), 'failed');
  assert.match(await badDay.locator('.day-error').innerText(), /could not be read to the end/);
  assert.equal(await page.locator('li.day-bar[data-day="2024-04-01"]').getAttribute('data-state'), 'done');
  assert.match(await page.locator('.file-progress').innerText(), /truncated/);
  await shot(page, 'run-error');

  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('tr[data-day="2024-04-02"]').innerText(), /failed/);
  assert.match(await page.locator('tr[data-detail-for="2024-04-02"]').innerText(), /could not be read to the end/);
  const goodRow = await page.locator('tr[data-day="2024-04-01"]').innerText();
  assert.match(goodRow, /1 × price: not a decimal number/);
  assert.match(goodRow, /more than the instrument's price precision/);
  // Browser mode cannot open the rejects file's folder: the rows are shown in the app (issue 15, item 5).
  await page.getByRole('button', { name: 'Show rejected rows' }).waitFor();
  assert.match(await page.getByTestId('failures').innerText(), /2 of 50,003 rows rejected \(0\.0040%\), more than the allowed 0\.001% \(Job step, Options: "Rejected rows allowed per file"\)/);
  assert.match(await page.locator('.rejects-link').innerText(), /rejects\.jsonl/);
  await shot(page, 'result-errors');
  const v = await verifyCatalog(catalog);
  assert.equal(v.ok, true, v.errors.join('; '));
  assert.equal(v.summary.find((s) => s.type === 'trade_tick')?.rows, 50_000);

  // A file catalog-builder did not write (dropped from its manifest, as if NautilusTrader had rewritten it):
  // verify still passes and the banner names it as a fact, folded away.
  const m = (await readManifest(catalog))!;
  const [foreign] = [...m.keys()].filter((k) => k.startsWith('data/trade_tick/'));
  m.delete(foreign!);
  await writeFile(manifestPath(catalog), JSON.stringify({ version: 1, files: Object.fromEntries(m) }));
  await page.getByRole('button', { name: 'Verify again' }).click();
  const info = page.getByTestId('verify-info');
  await info.waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('.verdict-ok').count(), 1, 'still verified');
  assert.match(await info.locator('summary').innerText(), /^1 file not written by catalog-builder$/);
  await info.locator('summary').click();
  assert.match(await info.innerText(), new RegExp(foreign!.split('/').pop()!.replace(/[.]/g, '\\.')));
  await shot(page, 'result-info');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a Tardis quotes file and an OHLCV file are proposed as quotes and bars (never trades), mapped and built together', { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  if (!existsSync(QUOTES_FIXTURE)) {
    if (process.env.CI) throw new Error(`${QUOTES_FIXTURE} is missing; CI must provide the shared fixtures`);
    t.skip(`${QUOTES_FIXTURE} is missing: the shared fixtures (../shared) are needed for this test`);
    return;
  }
  const dir = join(work, 'quotes');
  await mkdir(dir, { recursive: true });
  const quotes = join(dir, 'tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv');
  await copyFile(QUOTES_FIXTURE, quotes);
  // A generic bar file: its close and volume look like a price and a size, but it holds bars, not trades.
  const bars = join(dir, 'venue-bars-2020-02-22.csv');
  await writeFile(bars, 'time,open,high,low,close,volume\n' + Array.from({ length: 60 }, (_, i) => `${1582329600000 + i * 60_000},9680.5,9690,9675.25,9682,${12 + i}.5`).join('\n') + '\n');
  const catalog = join(dir, 'catalog');
  const { page, errors } = await openApp();

  await page.locator('#path-input').evaluate((el, text) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, `${quotes}\n${bars}\n`);
  const qRow = page.locator('tr[data-file="tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv"]');
  const bRow = page.locator('tr[data-file="venue-bars-2020-02-22.csv"]');
  await qRow.waitFor();
  await bRow.waitFor();
  assert.match(await qRow.innerText(), /Tardis quotes/);
  // The quotes file is used for Quotes, and offers nothing else.
  assert.deepEqual(await qRow.locator('button.toggle').allInnerTexts(), ['Quotes']);
  assert.equal(await qRow.getByRole('button', { name: 'Quotes', exact: true }).getAttribute('aria-pressed'), 'true');
  // The bar file is used for Bars, and offers nothing else (never Trades: a close is not a trade).
  assert.deepEqual(await bRow.locator('button.toggle').allInnerTexts(), ['Bars']);
  assert.equal(await bRow.getByRole('button', { name: 'Bars', exact: true }).getAttribute('aria-pressed'), 'true');
  await shot(page, 'source-quotes');

  // Live preview: the bar file's raw rows can be looked at...
  await page.getByRole('button', { name: 'Next: live preview →' }).click();
  await page.getByRole('tab', { name: 'Bars' }).click();
  await page.getByTestId('raw-preview').getByRole('columnheader', { name: 'close' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('.file-facts')?.textContent?.includes('updating'));
  await shot(page, 'preview-bars');

  // ...and the quotes mapping shows only the files used for quotes: the known format's fixed mapping.
  await page.getByRole('button', { name: 'Next: map columns →' }).click();
  await page.getByRole('tab', { name: 'Quotes' }).click();
  await page.getByRole('heading', { name: 'Quotes fields' }).waitFor();
  assert.equal(await page.getByLabel('File to preview').count(), 0, 'one file feeds quotes: nothing to pick');
  for (const [field, col] of [['bid_price', 'bid_price'], ['bid_size', 'bid_amount'], ['ask_price', 'ask_price'], ['ask_size', 'ask_amount']]) {
    await page.locator(`[data-field="${field}"] .assigned-chip`, { hasText: col }).waitFor();
  }
  await page.waitForFunction(() => {
    const counts = document.querySelector('[data-testid=mapped-counts]')?.textContent ?? '';
    return /\d+ ok/.test(counts) && !counts.includes('updating');
  });
  const mapped = await page.getByTestId('mapped-preview').innerText();
  assert.match(mapped, /bid price/);
  assert.match(mapped, /9681\.92/, 'the first row\'s bid');
  assert.match(mapped, /2020-02-22T00:00:01\.096/);
  assert.match(await page.getByTestId('mapping-status').innerText(), /Every required field/);
  await shot(page, 'mapping-quotes');

  // The bars mapping: the OHLCV columns by their names, rows stamped at the bar's close.
  await page.getByRole('tab', { name: 'Bars' }).click();
  for (const field of ['open', 'high', 'low', 'close', 'volume']) await page.locator(`[data-field="${field}"] .assigned-chip`, { hasText: field }).waitFor();
  await page.waitForFunction(() => /60 ok/.test(document.querySelector('[data-testid=mapped-counts]')?.textContent ?? ''));
  assert.match(await page.getByTestId('mapped-preview').innerText(), /2020-02-22T00:01:00/, 'the first bar closes at 00:01');
  await shot(page, 'mapping-bars');

  // Job: Quotes and Bars are ticked; Trades has no file.
  await page.locator('button[data-step="job"]').click();
  assert.equal(await page.getByTestId('range-summary').innerText(), '2020-02-22 → 2020-02-22 · 1 day');
  const check = (label: string) => page.locator('label.check', { hasText: label }).locator('input[type=checkbox]');
  assert.equal(await check('Quotes').isChecked(), true);
  assert.equal(await check('Bars').isChecked(), true);
  // The bar type can be given; left empty it is detected from the bars' spacing (the result says which).
  assert.equal(await page.locator('#bar-type').inputValue(), '');
  assert.equal(await check('Trades').isChecked(), false);
  assert.equal(await check('Trades').isDisabled(), true, 'no file feeds trades');
  await page.locator('#output').fill(catalog);
  await shot(page, 'job-quotes');
  await page.getByRole('button', { name: 'Run the job' }).click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('li.day-bar').count(), 2, 'one day of quotes, one of bars');

  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  const v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  const q = v.summary.find((s) => s.type === 'quote_tick');
  assert.equal(q?.rows, 1200, 'every quote of the fixture written');
  assert.equal(v.summary.find((s) => s.type === 'trade_tick'), undefined, 'no trades from a quotes or a bar file');
  assert.equal(v.summary.find((s) => s.type === 'bar')?.rows, 60, 'every bar written');
  const day = page.locator('tr[data-day="2020-02-22"][data-type="quotes"]');
  assert.match(await day.innerText(), /^Quotes\s+2020-02-22\s+done\s+1,200\s+1,200\s+0\s+0\b/, 'read and written, none dropped');
  await shot(page, 'result-quotes');
  assert.deepEqual(errors, []);
  await page.close();
});

test('first run: the bundled sample is one click from a verified catalog', { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  const { page, errors } = await openApp();
  const started = Date.now();
  await page.getByRole('button', { name: 'Build the sample catalog' }).click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('li.day-bar[data-state="done"]').count(), 9, '3 days × trades, mark, funding');
  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  t.diagnostic(`sample built and verified in ${Date.now() - started} ms`);
  const v = await verifyCatalog(join(work, 'out', 'sample-catalog'));
  assert.equal(v.ok, true, v.errors.join('; '));
  assert.deepEqual(v.summary.map((s) => s.type).sort(), ['crypto_perpetual', 'funding_rate_update', 'mark_price_update', 'trade_tick']);
  assert.deepEqual(errors, []);
  await page.close();
});
