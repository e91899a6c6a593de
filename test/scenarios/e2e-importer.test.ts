// End to end in headless Chromium (browser mode, the real engine): what analysts expect of a CSV
// importer (issue 15, items 9, 10, 11). A semicolon export with decimal commas, day-first dates and
// Kauf/Verkauf sides: the app detects the decimal comma and the dates and offers them (nothing applied
// until the user confirms), the status badges filter the preview rows and the reasons are shown
// whole, the side values are proposed beside the Side field and confirmed, and the run writes every
// row with the exact values. Screenshots at 1280×800 go to test-output/screenshots/e2e-importer-*.png.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { readRaw } from '../../engine/numbers/fixed.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { filesUnder, readRows } from '../helpers.js';
import { addFile, needChromium, openApp, shot, startBrowserApp, type BrowserApp } from '../support/browser-app.js';

let app: BrowserApp | null = null;

before(async () => {
  app = await startBrowserApp('cb-e2e-importer-');
});

after(async () => {
  await app?.close();
});

const ROWS = 40;
const SIDES = ['Kauf', 'Verkauf', 'buy', 'sell'];
/** Row i of the export: 31.01.2024 10:00:i(,5), 4200i,k ; 0,0k ; a side word; and the expected values. */
function row(i: number) {
  const sec = String(i).padStart(2, '0');
  const frac = i % 3 === 0 ? ',5' : '';
  const price = `${42000 + i},${i % 10}`, size = `0,0${1 + (i % 9)}`;
  return {
    text: `31.01.2024 10:00:${sec}${frac};${price};${size};${SIDES[i % 4]};${1000 + i}`,
    tsNs: BigInt(Date.parse(`2024-01-31T10:00:${sec}${frac ? '.5' : ''}Z`)) * 1_000_000n,
    price: BigInt(`${42000 + i}${i % 10}`) * 10n ** 15n,
    size: BigInt(1 + (i % 9)) * 10n ** 14n,
    side: i % 2 === 0 ? 1 : 2,
  };
}

/** Waits until the mapped preview's counts read `re` and no update is pending. */
async function countsAre(page: Page, re: RegExp): Promise<string> {
  await page.waitForFunction((src) => {
    const t = document.querySelector('[data-testid=mapped-counts]')?.textContent ?? '';
    return new RegExp(src).test(t) && !t.includes('updating');
  }, re.source);
  return page.getByTestId('mapped-counts').innerText();
}

test('a German export (;, decimal comma, day-first dates, Kauf/Verkauf): detected, confirmed, filtered, and every row written exactly', { timeout: 180_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(app!.work, 'de');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'export-trades.csv');
  await writeFile(file, ['time;price;qty;side;id', ...Array.from({ length: ROWS }, (_, i) => row(i).text)].join('\r\n') + '\r\n');
  const { page, errors } = await openApp(app!);
  await addFile(page, file);

  // Preview: the decimal comma and the dates are offered, ticked, not applied.
  await page.locator('button[data-step="preview"]').click();
  const offer = page.getByTestId('locale-proposal');
  await offer.waitFor();
  assert.match(await offer.innerText(), /Decimal comma \(42000,0 → 42000\.0\)/);
  assert.match(await offer.innerText(), /Day first \(31\.01\.2024 10:00:00\), e\.g\. 31\.01\.2024 10:00:00,5, read as UTC/);
  assert.equal(await offer.getByRole('checkbox', { name: /Decimal comma/ }).isChecked(), true);
  assert.equal(await offer.getByRole('checkbox', { name: /Day first/ }).isChecked(), true);
  await shot(page, 'e2e-importer-offer');

  // Mapping: every row rejected until the user confirms.
  await page.getByRole('button', { name: 'Next: map columns →' }).click();
  await page.locator('[data-field="aggressor_side"] .assigned-chip', { hasText: 'side' }).waitFor();
  await countsAre(page, new RegExp(`^0 ok\\s*${ROWS} rejected$`));
  await page.getByTestId('locale-proposal').getByRole('button', { name: 'Use these' }).click();
  await page.getByTestId('locale-proposal').waitFor({ state: 'detached' });
  // Now only the Kauf/Verkauf rows are rejected: their side is not known yet.
  assert.match(await countsAre(page, /20 ok.*20 rejected/s), /^20 ok\s*20 rejected$/);

  // The rejected badge shows only the rejected rows, each reason whole (wrapped, not cut).
  const table = page.getByTestId('mapped-preview');
  const rejectedBadge = page.getByTestId('mapped-counts').getByRole('button', { name: '20 rejected' });
  await rejectedBadge.click();
  assert.equal(await rejectedBadge.getAttribute('aria-pressed'), 'true');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=mapped-preview] [role=row][data-index]')).every((r) => r.classList.contains('row-rejected')));
  const reason = table.locator('.reason').first();
  assert.equal(await reason.innerText(), 'aggressor_side: "Kauf" is not a side (expected buy or sell): map it to buyer or seller in the file\'s side values (side_values)');
  const fits = await reason.evaluate((el) => ({ cut: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1, overflow: getComputedStyle(el).textOverflow, rowH: el.closest('[role=row]')!.getBoundingClientRect().height }));
  assert.deepEqual([fits.cut, fits.overflow], [false, 'clip'], 'the whole reason is shown');
  assert.ok(fits.rowH > 40, `the row grows to the wrapped reason (${fits.rowH}px)`);
  await shot(page, 'e2e-importer-rejected');
  // The ok badge: only the ok rows; pressed again: every row.
  const okBadge = page.getByTestId('mapped-counts').getByRole('button', { name: '20 ok' });
  await okBadge.click();
  await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=mapped-preview] [role=row][data-index]')).every((r) => r.classList.contains('row-ok')));
  assert.match(await table.innerText(), /42002\.20/);
  await okBadge.click();
  assert.equal(await okBadge.getAttribute('aria-pressed'), 'false');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=mapped-preview] [role=row].row-rejected').length > 0);

  // The side values beside the Side field: proposed, editable, then used.
  const sides = page.getByTestId('side-values');
  assert.match(await sides.innerText(), /does not know \(Kauf, Verkauf\)/);
  assert.equal(await sides.getByLabel('Side value Kauf').inputValue(), 'buyer');
  assert.equal(await sides.getByLabel('Side value Verkauf').inputValue(), 'seller');
  await sides.getByRole('button', { name: 'Use these side values' }).click();
  await countsAre(page, new RegExp(`^${ROWS} ok$`));
  assert.match(await sides.innerText(), /Side values of this file:/);
  assert.match(await table.innerText(), /2024-01-31T10:00:00\.500000000Z/);
  assert.match(await page.locator('.mapped-preview').innerText(), /Timestamps read as day-first dates; without a time zone they are UTC, as shown\./);
  await shot(page, 'e2e-importer-sides');

  // The run writes every row.
  await page.locator('button[data-step="job"]').click();
  await page.locator('#start').fill('2024-01-31');
  await page.locator('#end').fill('2024-01-31');
  const catalog = join(dir, 'catalog');
  await page.locator('#output').fill(catalog);
  await page.getByRole('button', { name: 'Run the job' }).click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 90_000 });
  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  await shot(page, 'e2e-importer-result');

  const v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  const parquet = (await filesUnder(join(catalog, 'data', 'trade_tick'))).filter((f) => f.endsWith('.parquet'));
  assert.equal(parquet.length, 1);
  const rows = await readRows(join(catalog, 'data', 'trade_tick', parquet[0]!));
  const expected = Array.from({ length: ROWS }, (_, i) => row(i));
  assert.deepEqual(rows.map((r) => [r.trade_id, readRaw(r.price as Uint8Array, 0, 16, true), readRaw(r.size as Uint8Array, 0, 16, false), r.aggressor_side, r.ts_event]),
    expected.map((e, i) => [String(1000 + i), e.price, e.size, e.side, e.tsNs]));
  assert.deepEqual(errors, []);
  await page.close();
});
