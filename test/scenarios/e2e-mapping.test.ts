// End to end in headless Chromium (browser mode, the real engine), issue 15 items 1, 2 and 12:
// a mapping belongs to its file's layout (another layout gets its own automatic mapping, Reset goes
// back to the shown file's own, the field panel and the preview agree); each file's kind decides the
// source and data types (a markPrice capture: WebSocket, Mark price and Funding; OHLCV: bars; a PNG,
// a program or a licence text named .csv: refused by name); a template that does not fit says so,
// and a field shows its runner-up columns. Screenshots: test-output/screenshots/e2e-mapping-*.png.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addFile, needChromium, openApp as openAppOf, shot, startBrowserApp, type BrowserApp } from '../support/browser-app.js';

let app: BrowserApp | null = null;
let work = '';

before(async () => {
  app = await startBrowserApp('cb-e2e-map-');
  work = app?.work ?? '';
});

after(async () => {
  await app?.close();
});

const openApp = () => openAppOf(app!);
const T0 = Date.parse('2024-03-01T00:00:00Z');

/** `n` trade rows a second apart, each cell from `row`. */
function csv(header: string, n: number, row: (ms: number, i: number) => string): string {
  return [header, ...Array.from({ length: n }, (_, i) => row(T0 + i * 1000, i))].join('\n') + '\n';
}

const slotColumn = (page: Page, field: string) => page.locator(`li[data-field="${field}"] .assigned-chip > .mono:not(.col-sample)`).innerText();

async function toMapping(page: Page): Promise<void> {
  await page.locator('button[data-step="mapping"]').click();
  await page.getByRole('heading', { name: 'Column mapping' }).waitFor();
}

/** The panel's verdict and the preview's counts, once the preview answers the mapping shown. */
async function panelAndPreview(page: Page): Promise<{ status: string; counts: string }> {
  await page.getByTestId('mapped-preview').waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid="mapped-counts"]')?.textContent?.includes('updating'));
  return { status: await page.getByTestId('mapping-status').innerText(), counts: await page.getByTestId('mapped-counts').innerText() };
}

test('a mapping belongs to its layout: B gets its own automatic mapping, Reset gives A its own, panel and preview agree; a template that does not fit says so; runner-ups are shown', { timeout: 180_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'layouts');
  await mkdir(dir, { recursive: true });
  // A: two time columns (the automatic mapping takes "timestamp"; "time" is the runner-up).
  const a = join(dir, 'venue-a-1.csv'), a2 = join(dir, 'venue-a-2.csv'), b = join(dir, 'venue-b.csv');
  await writeFile(a, csv('timestamp,time,price,qty', 30, (ms, i) => `${ms},${ms + 5},${6000 + i / 10},0.001`));
  await writeFile(a2, csv('timestamp,time,price,qty', 30, (ms, i) => `${ms + 86_400_000},${ms + 86_400_005},${6000 + i / 10},0.002`));
  await writeFile(b, csv('datetime,p,amount', 20, (ms, i) => `${new Date(ms).toISOString()},${7000 + i},0.5`));
  const { page, errors } = await openApp();
  await addFile(page, a);
  await addFile(page, a2);
  await toMapping(page);
  assert.equal(await slotColumn(page, 'timestamp'), 'timestamp');
  // A's edit, by keyboard-style selection: the column, then "Assign" on the field.
  await page.locator('button[data-column="time"]').click();
  await page.locator('li[data-field="timestamp"] .assign-btn').click();
  await page.waitForFunction(() => document.querySelector('li[data-field="timestamp"] .assigned-chip .mono')?.textContent === 'time');
  await page.getByLabel('Template name').fill('Venue A');
  await page.getByRole('button', { name: 'Save mapping' }).click();
  await page.getByRole('option', { name: 'Venue A' }).waitFor({ state: 'attached' });

  // (a) B, of another layout, added after A's edit: its own automatic mapping.
  await page.locator('button[data-step="source"]').click();
  await addFile(page, b);
  await toMapping(page);
  await page.getByLabel('File to preview').selectOption({ label: 'venue-b.csv' });
  await page.waitForFunction(() => document.querySelector('li[data-field="timestamp"] .assigned-chip .mono')?.textContent === 'datetime');
  assert.equal(await slotColumn(page, 'price'), 'p');
  assert.equal(await slotColumn(page, 'size'), 'amount');
  assert.match(await page.getByTestId('mapping-shared').innerText(), /^Mapping of venue-b\.csv \(no other file has its layout\) · 1 other layout of trades files has its own$/);
  let pp = await panelAndPreview(page);
  assert.equal(pp.status, '✓ Every required field has a column');
  assert.match(pp.counts, /^20 ok$/);
  // (c) A template made for A's columns does not fit B: said, and B's mapping is unchanged.
  await page.getByRole('button', { name: 'Apply' }).click();
  const note = page.getByTestId('template-note');
  assert.match(await note.innerText(), /Template “Venue A” does not fit venue-b\.csv: it has none of the template’s columns \(“time”, “price”, “qty”\)\. The mapping is unchanged\./);
  assert.equal(await slotColumn(page, 'timestamp'), 'datetime');
  await shot(page, 'e2e-mapping-layout-b');

  // Back on A: its edit is kept; Reset gives A's own automatic mapping (not B's, not the edit).
  await page.getByLabel('File to preview').selectOption({ label: 'venue-a-1.csv' });
  await page.waitForFunction(() => document.querySelector('li[data-field="timestamp"] .assigned-chip .mono')?.textContent === 'time');
  assert.equal(await page.getByTestId('template-note').count(), 0, 'the verdict was of B');
  assert.equal(await page.getByTestId('mapping-shared').innerText(), 'Mapping shared by 2 files of this layout · 1 other layout of trades files has its own');
  await page.getByRole('button', { name: 'Reset to automatic' }).click();
  await page.waitForFunction(() => document.querySelector('li[data-field="timestamp"] .assigned-chip .mono')?.textContent === 'timestamp');
  assert.equal(await slotColumn(page, 'price'), 'price');
  assert.equal(await slotColumn(page, 'size'), 'qty');
  // (c) Runner-ups: the other time column, one click from assigning (and clicked, the panel and preview follow).
  const alts = page.getByTestId('runner-ups-timestamp');
  assert.match(await alts.innerText(), /time\s+\(\d+%\)/);
  await alts.getByRole('button', { name: /time/ }).click();
  await page.waitForFunction(() => document.querySelector('li[data-field="timestamp"] .assigned-chip .mono')?.textContent === 'time');
  await page.getByRole('button', { name: '↶ Undo' }).click();
  await page.waitForFunction(() => document.querySelector('li[data-field="timestamp"] .assigned-chip .mono')?.textContent === 'timestamp');
  pp = await panelAndPreview(page);
  assert.equal(pp.status, '✓ Every required field has a column');
  assert.match(pp.counts, /^30 ok$/);
  // Clearing a required field: the panel and the preview say the same (no "ok" rows beside "Still needed").
  await page.getByRole('button', { name: 'Clear Price' }).click({ force: true });
  await page.waitForFunction(() => document.querySelector('[data-testid="mapping-status"]')?.textContent?.startsWith('Still needed'));
  await page.waitForFunction(() => !document.querySelector('[data-testid="mapped-counts"]')?.textContent?.includes('ok'));
  assert.equal(await page.getByTestId('mapping-status').innerText(), 'Still needed: Price');
  await shot(page, 'e2e-mapping-reset-a');
  assert.deepEqual(errors, []);
});

test('each file\'s kind decides: a markPrice capture is a WebSocket job with Mark price and Funding; OHLCV is bars; a PNG, a program and a licence text named .csv are refused by name', { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'kinds');
  await mkdir(dir, { recursive: true });
  const capture = join(dir, 'btcusdt-markprice.jsonl');
  await writeFile(capture, Array.from({ length: 10 }, (_, i) => JSON.stringify({ stream: 'btcusdt@markPrice@1s', data: {
    e: 'markPriceUpdate', E: T0 + i * 1000, s: 'BTCUSDT', p: `${42000 + i}.10`, i: '42001.00', P: '42000.5', r: '0.00010000', T: T0 + 8 * 3_600_000 } })).join('\n') + '\n');
  const { page, errors } = await openApp();
  await addFile(page, capture);
  const row = page.locator('tr[data-file="btcusdt-markprice.jsonl"]');
  assert.match(await row.innerText(), /WebSocket capture/);
  assert.equal(await page.getByRole('radio', { name: /WebSocket capture/ }).getAttribute('aria-checked'), 'true');
  assert.equal(await row.getByRole('button', { name: 'Mark price' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await row.getByRole('button', { name: 'Funding rate' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await row.getByRole('button', { name: 'Trades' }).count(), 0);
  await shot(page, 'e2e-mapping-capture');
  await page.close();

  const ohlcv = join(dir, 'btc-1m.csv');
  await writeFile(ohlcv, csv('timestamp,open,high,low,close,volume', 30, (_ms, i) => `${T0 + i * 60_000},${6000 + i},${6001 + i},${5999 + i},${6000.5 + i},${10 + i}`));
  const png = join(dir, 'chart.csv'), elf = join(dir, 'program.csv'), licence = join(dir, 'LICENSE.csv');
  // A PNG with incompressible pixels (few NUL bytes, as a photo), a real program, an MIT licence.
  await writeFile(png, Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(6000).map((x) => x || 1)]));
  await copyFile(process.execPath, elf);
  await writeFile(licence, 'MIT License\n\nCopyright (c) 2024 Someone\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the "Software"), to deal\nin the Software without restriction, including without limitation the rights\n');
  const second = await openApp();
  const p2 = second.page;
  await addFile(p2, ohlcv);
  const bars = p2.locator('tr[data-file="btc-1m.csv"]');
  assert.equal(await bars.getByRole('button', { name: 'Bars' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await bars.getByRole('button', { name: 'Trades' }).count(), 0);
  for (const f of [png, elf, licence]) await addFile(p2, f);
  const alert = await p2.getByRole('alert').innerText();
  assert.match(alert, /LICENSE\.csv is refused: it is not a table/);
  for (const name of ['chart.csv', 'program.csv', 'LICENSE.csv']) {
    const r = p2.locator(`tr[data-file="${name}"]`);
    assert.match(await r.getByTestId('refused').innerText(), /^Refused: /, name);
    assert.equal(await r.locator('button.toggle').count(), 0, `${name} offers no data type`);
  }
  assert.match(await p2.locator('tr[data-file="chart.csv"]').innerText(), /PNG image/);
  assert.equal(await p2.getByRole('radio', { name: /CSV files/ }).getAttribute('aria-checked'), 'true');
  await shot(p2, 'e2e-mapping-refused');
  assert.deepEqual([...errors, ...second.errors], []);
});
