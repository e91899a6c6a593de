// End to end in headless Chromium (browser mode, the real engine): the result of a job with a broken
// file says one thing (issue 15, items 4 and 5). One Tardis file holds good rows and a few rejected
// ones (a bad price, too many decimals, timestamps that are none); the other is binary junk behind a
// Tardis header, so every row of it is rejected and the file fails the job. The Run and Result
// screens head it with the same line, the bar and counts agree with it, the failure comes first in
// the app's words with the file named once and no raw bytes; the rejected rows open in the app,
// filter by reason and show whole reasons; the per-day table adds up with a "no day" row; the
// engine's notes show. Screenshots at 1280×800 go to test-output/screenshots/e2e-result-*.png.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { addFile, needChromium, openApp, shot, startBrowserApp, type BrowserApp } from '../support/browser-app.js';

let app: BrowserApp | null = null;

before(async () => {
  app = await startBrowserApp('cb-e2e-result-');
});

after(async () => {
  await app?.close();
});

const GOOD_ROWS = 2_000;
const HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const FULL_REASON = "has 3 decimals, more than the instrument's price precision 2";

/** A day of Tardis trades, then rejects: 2 bad prices, 1 price with 3 decimals, 4 timestamps that are none (no day). */
function goodFile(day: string): string {
  const t0 = Date.parse(`${day}T00:00:00Z`) * 1000;
  const out = [HEADER];
  for (let i = 0; i < GOOD_ROWS; i++) {
    const ts = t0 + Math.floor((i * 86_000_000_000) / GOOD_ROWS);
    out.push(`binance-futures,BTCUSDT,${ts},${ts + 500},${i},${i % 2 ? 'buy' : 'sell'},${(60000 + (i % 50) / 10).toFixed(1)},0.001`);
  }
  out.push(`binance-futures,BTCUSDT,${t0 + 1},${t0 + 2},b1,buy,abc,0.001`, `binance-futures,BTCUSDT,${t0 + 3},${t0 + 4},b2,buy,n/a,0.001`);
  out.push(`binance-futures,BTCUSDT,${t0 + 5},${t0 + 6},b3,buy,60000.123,0.001`);
  for (const ts of ['soon', 'later', 'tbd', 'x']) out.push(`binance-futures,BTCUSDT,${ts},${t0 + 7},t-${ts},buy,60000.1,0.001`);
  return out.join('\n') + '\n';
}

/** Rows of the junk file whose time is "pending": no day is theirs. */
const PENDING = 80;

/**
 * A Tardis header and rows whose time is still "pending" (more than the 4 KB the app reads to tell
 * text from binary, so the file is offered as the trades it says it is), then bytes of every value
 * (control characters, invalid UTF-8) that the run finds: no row of it is a row.
 */
function junkFile(): Buffer {
  const pending = Array.from({ length: PENDING }, (_, i) => `binance-futures,BTCUSDT,pending,pending,p-${i},buy,60000.1,0.001`);
  const junk = Buffer.alloc(16_000);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) % 256;
  return Buffer.concat([Buffer.from(`${HEADER}\n${pending.join('\n')}\n`), junk]);
}

/** Raw bytes as a screen would show them: control characters, replacement characters, JSON escapes of them. */
const RAW = new RegExp(String.raw`[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]|\\u00[0-9a-f]{2}`, 'i');
const num = (s: string) => Number(s.replace(/[^\d]/g, ''));

test('a job with a broken file: one headline on Run and Result, failure first in the app’s words, rejects and notes in the app, days that add up', { timeout: 180_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(app!.work, 'broken');
  await mkdir(dir, { recursive: true });
  const good = join(dir, 'binance-futures_trades_2024-04-01_BTCUSDT.csv');
  const junkName = 'binance-futures_trades_2024-04-02_BTCUSDT.csv';
  await writeFile(good, goodFile('2024-04-01'));
  await writeFile(join(dir, junkName), junkFile());
  const { page, errors } = await openApp(app!);
  await addFile(page, good);
  await addFile(page, join(dir, junkName));
  await page.locator('button[data-step="job"]').click();
  assert.equal(await page.getByTestId('range-summary').innerText(), '2024-04-01 → 2024-04-02 · 2 days');
  await page.locator('#output').fill(join(dir, 'catalog'));
  await page.getByRole('button', { name: 'Run the job' }).click();

  // Run: once the report is in, the Result screen's headline; the bar is not a clean green.
  const headline = 'Finished with errors: 1 file failed · 1 of 2 days written';
  const h1 = page.locator('.screen-header h1');
  await page.locator('[data-testid=run-overall][data-status=failed]').waitFor({ timeout: 90_000 });
  await page.waitForFunction((h) => document.querySelector('.screen-header h1')?.textContent === h, headline, { timeout: 30_000 });
  assert.equal(await page.getByTestId('run-overall').getAttribute('class'), 'card run-overall has-errors');
  assert.equal(await page.locator('li.day-bar[data-day="2024-04-01"]').getAttribute('data-state'), 'done');
  assert.equal(await page.locator('li.day-bar[data-day="2024-04-02"]').getAttribute('data-state'), 'empty', 'a day with nothing written is not green');
  assert.deepEqual(await page.locator('.run-overall .bar-seg').evaluateAll((els) => els.map((e) => e.className)), ['bar-seg seg-done', 'bar-seg seg-empty']);
  assert.match(await page.locator('.overall-text').innerText(), /^2 of 2 days finished · 1 of 2 days written · 1 empty · [\d,]+ rows read$/);
  const runFailures = page.getByTestId('run-failures');
  assert.deepEqual(await runFailures.getByTestId('failure').evaluateAll((els) => els.map((e) => e.getAttribute('data-file'))), [junkName]);
  assert.equal((await runFailures.innerText()).split(junkName).length - 1, 1, 'the file name once');
  assert.match(await page.locator(`.file-progress li[data-file="${junkName}"]`).innerText(), /failed/);
  assert.match(await page.locator('.stepper').innerText(), /Run\s+Finished with errors/);
  assert.doesNotMatch(await page.locator('.screen').innerText(), RAW);
  await shot(page, 'e2e-result-run');

  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  assert.equal(await h1.innerText(), headline);
  assert.equal(await h1.getAttribute('data-tone'), 'partial');

  // What failed comes first: the file named once, what to do in the app, no bytes of the file.
  const order = await page.locator('.screen').evaluate((el) => Array.from(el.children, (c) => c.getAttribute('data-testid') ?? c.tagName.toLowerCase()));
  assert.deepEqual(order.slice(0, 3), ['header', 'failures', 'verdict']);
  const failures = page.getByTestId('failures');
  assert.deepEqual(await failures.getByTestId('failure').evaluateAll((els) => els.map((e) => e.getAttribute('data-file'))), [junkName]);
  const failText = await failures.innerText();
  assert.equal(failText.split(junkName).length - 1, 1, 'the file name once');
  assert.doesNotMatch(failText, new RegExp(dir.replace(/[/.]/g, '\\$&')), 'no path repeated in the lines');
  assert.match(failText, /rows rejected \(100\.0%\), more than the allowed 50% \(Job step, Options: "Rejected rows allowed per file"\); the reasons are under Rejected rows/);
  assert.doesNotMatch(failText, /max reject ratio|rejects file|--[a-z]/);
  assert.doesNotMatch(failText, RAW);

  // The counts and the verdict agree with the headline: the verdict speaks of what was written only.
  assert.match(await page.getByTestId('stat-days').innerText(), /^1\/2\s+days written$/i);
  const verdict = page.getByTestId('verdict');
  assert.equal(await verdict.getAttribute('class'), 'verdict verdict-ok verdict-partial');
  assert.match(await verdict.innerText(), /^✓ Verified: what was written reads back as NautilusTrader expects: .*the failures above wrote nothing into the catalog\./s);
  assert.match(await page.locator('tr[data-day="2024-04-02"]').innerText(), /empty/);

  // The per-day table adds up to the total: the rows rejected without a timestamp belong to no day.
  const chips = await page.locator('.days-table tbody .reason-chip').allInnerTexts();
  const dayRejected = chips.reduce((a, c) => a + num(c.split('×')[0]!), 0);
  const noDay = page.getByTestId('no-day-row');
  assert.match(await noDay.innerText(), /^no day \(no usable timestamp\)/);
  const noDayN = num((await noDay.locator('td').nth(4).innerText()));
  const totalRejected = num(await page.getByTestId('days-total-row').locator('td').nth(4).innerText());
  assert.equal(dayRejected, 3, 'bad prices and the 3-decimal price are on their day');
  assert.equal(noDayN, totalRejected - 3);
  assert.equal(dayRejected + noDayN, totalRejected);
  const statRejected = num(await page.locator('.stat', { hasText: 'rows rejected' }).locator('.stat-n').innerText());
  assert.equal(totalRejected, statRejected, 'the table’s total is the job’s');

  assert.match(await page.locator('.stepper').innerText(), /Result\s+Errors; written part verified/);

  // The engine's notes are on screen, each under its file.
  const notes = page.getByTestId('notes');
  assert.match(await notes.locator(`.file-notes[data-file="${junkName}"]`).innerText(), /timestamps: Unix us/);
  await shot(page, 'e2e-result-failed');

  // Rejected rows, in the app (browser mode has no folder to open): every reason with its count, whole.
  assert.equal(await page.getByRole('button', { name: 'Show rejects file' }).count(), 0, 'no button that cannot work here');
  const rejects = page.getByTestId('rejects');
  await rejects.getByRole('button', { name: 'Show rejected rows' }).click();
  const table = page.getByTestId('rejects-table');
  await table.waitFor();
  assert.ok(totalRejected > 50, `${totalRejected} rejected rows: more than a page`);
  assert.equal(await page.getByTestId('rejects-range').innerText(), `rows 1–50 of ${totalRejected}`);
  await rejects.getByRole('button', { name: 'Next →' }).click();
  const pageEnd = Math.min(100, totalRejected);
  await page.waitForFunction(([end, n]) => document.querySelector('[data-testid=rejects-range]')?.textContent === `rows 51–${end} of ${n}`, [pageEnd, totalRejected]);
  assert.equal(await table.locator('tbody tr').count(), pageEnd - 50);
  // The junk rows come after the "pending" ones: their values are shown as [binary data], never as bytes.
  assert.match(await table.innerText(), /\[binary data\]/);
  assert.doesNotMatch(await rejects.innerText(), RAW);
  await rejects.getByRole('button', { name: '← Previous' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=rejects-range]')?.textContent?.startsWith('rows 1–50 '));
  const filter = page.getByTestId('reason-filter');
  assert.match(await filter.locator('button').first().innerText(), new RegExp(`^All reasons ${totalRejected}$`));
  assert.doesNotMatch(await rejects.innerText(), RAW);
  await shot(page, 'e2e-result-rejects');

  const precise = filter.locator(`button[data-reason="price: ${FULL_REASON}"]`);
  assert.equal(num(await precise.locator('.chip-n').innerText()), 1);
  await precise.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=rejects-range]')?.textContent === 'rows 1–1 of 1');
  assert.equal(await precise.getAttribute('aria-pressed'), 'true');
  const row = table.locator('tbody tr');
  assert.equal(await row.count(), 1);
  assert.deepEqual((await row.locator('td').allInnerTexts()).map((x) => x.trim()), ['binance-futures_trades_2024-04-01_BTCUSDT.csv', String(GOOD_ROWS + 4), 'price', FULL_REASON, '60000.123']);
  const cut = await row.locator('.reason-cell').evaluate((el) => el.scrollWidth > el.clientWidth || getComputedStyle(el).textOverflow === 'ellipsis');
  assert.equal(cut, false, 'the reason wraps, never cut');

  const noTime = filter.locator('button[data-reason="timestamp: not a number"]');
  assert.equal(num(await noTime.locator('.chip-n').innerText()), 4 + PENDING);
  await noTime.click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=rejects-range]')?.textContent === `rows 1–50 of ${n}`, 4 + PENDING);
  assert.deepEqual(await table.locator('tbody tr td:nth-child(5)').allInnerTexts(), ['soon', 'later', 'tbd', 'x', ...Array<string>(46).fill('pending')]);
  await shot(page, 'e2e-result-rejects-filtered');
  assert.deepEqual(errors, []);
  await page.close();
});
