// End to end in headless Chromium (browser mode, the real engine), issue 16's app part: order books.
// Two days of a generated Tardis incremental_book_L2 are proposed as order book deltas (no "not yet"
// warning), their known layout is mapped automatically, the mapped preview shows the CLEAR row the
// engine adds before each snapshot (with its reason) and the flags; the job's per-day bars finish and
// the Result screen's figures add up (written = read + CLEAR rows added − rejected). A real Tardis
// book_snapshot_25 is proposed as depth 10 (quotes one click away), its levels shown, and built.
// Screenshots: test-output/screenshots/e2e-books-*.png.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { ROOT } from '../helpers.js';
import { addFile, needChromium, openApp, shot, startBrowserApp, type BrowserApp } from '../support/browser-app.js';

let app: BrowserApp | null = null;

before(async () => {
  app = await startBrowserApp('cb-e2e-books-');
});

after(async () => {
  await app?.close();
});

const SNAPSHOT_FIXTURE = join(ROOT, '..', 'shared', 'fixtures', 'sources', 'tardis-csv_book_snapshot_25_binance-futures_BTCUSDT_2020-09-01.csv');
const HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
/** Update events a day (each one or two rows), after the day's 20-row snapshot. */
const EVENTS = 20_000;

/**
 * A day of BTCUSDT L2 as Tardis writes it: a 10-level snapshot a side at midnight, then events
 * spread over the day, every other one two rows at one time, every 7th row a level deleted
 * (amount 0); `bad` rows get the price "abc" (rejected).
 */
function l2Day(day: string, bad: number[] = []): { text: string; rows: number } {
  const t0 = Date.parse(`${day}T00:00:00Z`) * 1000;
  const row = (us: number, snap: boolean, side: string, price: string, amount: string) => `binance-futures,BTCUSDT,${us},${us + 1800},${snap},${side},${price},${amount}`;
  const out = [HEADER];
  for (let k = 0; k < 10; k++) out.push(row(t0, true, 'bid', (61000 - k / 10).toFixed(2), `${k + 1}.500`));
  for (let k = 0; k < 10; k++) out.push(row(t0, true, 'ask', (61000.1 + k / 10).toFixed(2), `${k + 1}.250`));
  let n = 0;
  for (let i = 1; i <= EVENTS; i++) {
    const us = t0 + Math.floor((i * 86_000_000_000) / EVENTS);
    for (let j = 0; j < 1 + (i % 2); j++) {
      n++;
      const bid = (i + j) % 2 === 0;
      const price = bad.includes(n) ? 'abc' : (bid ? 61000 - (n % 10) / 10 : 61000.1 + (n % 10) / 10).toFixed(2);
      out.push(row(us, false, bid ? 'bid' : 'ask', price, n % 7 === 0 ? '0' : `${(n % 40) + 1}.125`));
    }
  }
  return { text: out.join('\n') + '\n', rows: out.length - 1 };
}

const num = (s: string) => Number(s.replace(/[^\d]/g, ''));

/** The `k`th row of the mapped preview (1: the first), its cells joined by " | "; scrolled into the virtual table's view. */
async function mappedRow(page: Page, k: number): Promise<string> {
  const table = page.getByTestId('mapped-preview');
  await table.evaluate((el, y) => { el.scrollTop = y; }, Math.max(0, (k - 3) * 34));
  const row = table.locator(`[role=row][aria-rowindex="${k + 1}"]`);
  await row.waitFor();
  return (await row.innerText()).split('\n').map((c) => c.trim()).filter(Boolean).join(' | ');
}

async function waitForMapped(page: Page, pattern: RegExp): Promise<void> {
  await page.getByTestId('mapped-preview').waitFor();
  await page.waitForFunction((src) => {
    const counts = document.querySelector('[data-testid=mapped-counts]')?.textContent ?? '';
    return new RegExp(src).test(counts) && !counts.includes('updating');
  }, pattern.source);
}

test('a Tardis L2 file is built as order book deltas: proposed, mapped by its layout, the CLEAR rows shown, per-day bars, a result that adds up', { timeout: 240_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(app!.work, 'l2');
  await mkdir(dir, { recursive: true });
  const names = ['binance-futures_incremental_book_L2_2024-03-01_BTCUSDT.csv', 'binance-futures_incremental_book_L2_2024-03-02_BTCUSDT.csv'];
  const days = [l2Day('2024-03-01'), l2Day('2024-03-02', [5, 9, 13])];
  for (const [k, n] of names.entries()) await writeFile(join(dir, n), days[k]!.text);
  const catalog = join(dir, 'catalog');
  const { page, errors } = await openApp(app!);
  for (const n of names) await addFile(page, join(dir, n));

  // Source: the file is the order book deltas it holds, offered for nothing else, with no warning.
  const row = page.locator(`tr[data-file="${names[0]}"]`);
  assert.match(await row.innerText(), /Tardis incremental_book_L2/);
  assert.deepEqual(await row.locator('button.toggle').allInnerTexts(), ['Order book deltas']);
  assert.equal(await row.getByRole('button', { name: 'Order book deltas' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByTestId('use-note').count(), 0, 'no "does not build order books yet"');
  assert.doesNotMatch(await page.locator('.files-table').innerText(), /not build order books/);
  await shot(page, 'e2e-books-source');

  // A known layout has nothing to map: the preview goes on to the job, the mapping step says it is
  // skipped (and can still be opened to see what the engine will write).
  await page.locator('button[data-step="preview"]').click();
  await page.getByRole('button', { name: 'Next: job → (known layout: nothing to map)' }).waitFor();
  // The raw rows are the file's lines, each once (the CLEAR the engine adds is no line of the file).
  const raw = page.getByTestId('raw-preview');
  await raw.locator('[role=row][aria-rowindex="2"]').waitFor();
  const firstLines = await raw.locator('[role=row][aria-rowindex="2"], [role=row][aria-rowindex="3"], [role=row][aria-rowindex="4"]').evaluateAll((rs) => rs.map((r) => r.children[0]?.textContent?.trim()));
  assert.deepEqual(firstLines, ['2', '3', '4']);
  assert.match(await page.locator('button[data-step="mapping"]').innerText(), /Known layout: skipped/);

  // Mapping: the known layout's columns, every one sure; the engine's rows in the order they are written.
  await page.locator('button[data-step="mapping"]').click();
  await page.getByRole('heading', { name: 'Order book deltas fields' }).waitFor();
  for (const [field, col] of [['timestamp', 'timestamp'], ['local_timestamp', 'local_timestamp'], ['is_snapshot', 'is_snapshot'], ['book_side', 'side'], ['price', 'price'], ['size', 'amount']] as const) {
    const slot = page.locator(`li[data-field="${field}"]`);
    await slot.locator('.assigned-chip > .mono:not(.col-sample)', { hasText: new RegExp(`^${col.replace(/[[\].]/g, '\\$&')}$`) }).waitFor();
    assert.match(await slot.innerText(), /auto · sure/, field);
  }
  assert.match(await page.getByTestId('mapping-status').innerText(), /Every required field/);
  assert.match(await page.locator('li[data-field="size"]').innerText(), /Decimal amount now at that level \(0 removes the level\)/);
  // 100 lines of the file shown, and the CLEAR the engine puts before the snapshot.
  await waitForMapped(page, /100 ok\s*1 added/);
  const table = page.getByTestId('mapped-preview');
  const headers = await table.getByRole('columnheader').allInnerTexts();
  assert.deepEqual(headers.slice(2).map((h) => h.trim()), ['ts_init (UTC)', 'ts_event (UTC)', 'action', 'side', 'price', 'size', 'flags']);
  const snap = '2024-03-01T00:00:00.001800000Z | 2024-03-01T00:00:00.000000000Z';
  assert.equal(await mappedRow(page, 1), `2 | added | ${snap} | CLEAR | NONE | SNAPSHOT`);
  assert.equal(await table.locator('[aria-rowindex="2"] .pill').getAttribute('title'), 'added: NautilusTrader\'s loader puts a CLEAR before each snapshot');
  assert.equal(await page.getByTestId('added-note').innerText(), '1 row marked “added” is no line of the file, written all the same: NautilusTrader\'s loader puts a CLEAR before each snapshot.');
  assert.equal(await mappedRow(page, 2), `2 | ok | ${snap} | ADD | BID | 61000.00 | 1.500 | -`);
  // The snapshot's last row ends its event (F_LAST); so does each update event's last row, and only it.
  assert.equal(await mappedRow(page, 21), `21 | ok | ${snap} | ADD | ASK | 61001.00 | 10.250 | LAST`);
  const ev1 = '2024-03-01T00:00:04.301800000Z | 2024-03-01T00:00:04.300000000Z';
  assert.equal(await mappedRow(page, 22), `22 | ok | ${ev1} | UPDATE | ASK | 61000.20 | 2.125 | -`);
  assert.equal(await mappedRow(page, 23), `23 | ok | ${ev1} | UPDATE | BID | 60999.80 | 3.125 | LAST`);
  // An amount of 0 deletes the level.
  assert.equal(await mappedRow(page, 28), '28 | ok | 2024-03-01T00:00:21.501800000Z | 2024-03-01T00:00:21.500000000Z | DELETE | ASK | 61000.80 | 0.000 | -');
  await table.evaluate((el) => { el.scrollTop = 0; });
  await shot(page, 'e2e-books-mapping');

  // Job: the days from the file names; deltas ticked.
  await page.locator('button[data-step="job"]').click();
  assert.equal(await page.getByTestId('range-summary').innerText(), '2024-03-01 → 2024-03-02 · 2 days');
  assert.equal(await page.locator('label.check', { hasText: 'Order book deltas' }).locator('input[type=checkbox]').isChecked(), true);
  await page.locator('#output').fill(catalog);
  await page.getByRole('button', { name: 'Run the job' }).click();

  // Run: one bar a day, as for trades, each finished and written.
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 120_000 });
  const bars = page.locator('li.day-bar[data-type="deltas"]');
  assert.equal(await bars.count(), 2);
  for (const [k, d] of ['2024-03-01', '2024-03-02'].entries()) {
    const bar = page.locator(`li.day-bar[data-type="deltas"][data-day="${d}"]`);
    assert.equal(await bar.getAttribute('data-state'), 'done');
    assert.equal(await bar.locator('[role=progressbar]').getAttribute('aria-valuenow'), '100');
    // Written: the file's rows, one CLEAR added, the rejected ones not.
    const written = days[k]!.rows + 1 - (k === 1 ? 3 : 0);
    assert.match(await bar.innerText(), new RegExp(`${written.toLocaleString('en-US')} rows written`), d);
  }
  assert.match(await page.locator('.overall-text').innerText(), /2 of 2 days written/);
  await shot(page, 'e2e-books-run');

  // Result: the per-day table has the Added column, and the line saying how it adds up.
  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  const cells = async (d: string) => (await page.locator(`tr[data-day="${d}"][data-type="deltas"] td`).allInnerTexts()).map((c) => c.trim());
  const headersR = (await page.locator('.days-table thead th').allTextContents()).map((h) => h.trim());
  assert.deepEqual(headersR.slice(0, 7), ['Data', 'Day', 'State', 'Read', 'Added', 'Written', 'Duplicates']);
  const d1 = await cells('2024-03-01');
  assert.deepEqual(d1.slice(0, 7), ['Order book deltas', '2024-03-01', 'done', days[0]!.rows.toLocaleString('en-US'), '1', (days[0]!.rows + 1).toLocaleString('en-US'), '0']);
  const d2 = await cells('2024-03-02');
  assert.deepEqual(d2.slice(3, 6).map(num), [days[1]!.rows, 1, days[1]!.rows - 2]);
  assert.match(d2[7]!, /3 × price: not a decimal number/);
  const total = (await page.getByTestId('days-total-row').locator('td').allInnerTexts()).map((c) => c.trim());
  const [read, added, written] = total.slice(1, 4).map(num);
  assert.equal(read, days[0]!.rows + days[1]!.rows);
  assert.equal(added, 2);
  assert.equal(written, read! + added! - 3, 'read + added − rejected = written');
  const sum = `Order book deltas: written ${written!.toLocaleString('en-US')} = read ${read!.toLocaleString('en-US')} + 2 CLEAR rows added − 3 rejected`;
  assert.ok((await page.getByTestId('added-sum').innerText()).startsWith(sum), await page.getByTestId('added-sum').innerText());
  await shot(page, 'e2e-books-result');

  const v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  assert.equal(v.summary.find((s) => s.type === 'order_book_deltas')?.rows, written);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a Tardis book_snapshot_25 is proposed as depth 10 (quotes one click away), its levels shown and built', { timeout: 180_000 }, async (t) => {
  if (!needChromium(t)) return;
  if (!existsSync(SNAPSHOT_FIXTURE)) {
    if (process.env.CI) throw new Error(`${SNAPSHOT_FIXTURE} is missing; CI must provide the shared fixtures`);
    t.skip(`${SNAPSHOT_FIXTURE} is missing: the shared fixtures (../shared) are needed for this test`);
    return;
  }
  const dir = join(app!.work, 'snapshot');
  await mkdir(dir, { recursive: true });
  const name = 'tardis-csv_book_snapshot_25_binance-futures_BTCUSDT_2020-09-01.csv';
  await copyFile(SNAPSHOT_FIXTURE, join(dir, name));
  const { page, errors } = await openApp(app!);
  await addFile(page, join(dir, name));

  // Source: Depth 10 proposed; Quotes offered beside it, not ticked; no warning.
  const row = page.locator(`tr[data-file="${name}"]`);
  assert.match(await row.innerText(), /Tardis book_snapshot_25/);
  assert.deepEqual(await row.locator('button.toggle').allInnerTexts(), ['Quotes', 'Order book depth 10']);
  assert.equal(await row.getByRole('button', { name: 'Order book depth 10' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await row.getByRole('button', { name: 'Quotes' }).getAttribute('aria-pressed'), 'false');
  assert.equal(await page.getByTestId('use-note').count(), 0);
  await shot(page, 'e2e-books-snapshot-source');

  // Mapping: the two times by their names, the levels by theirs; the top levels as written.
  await page.locator('button[data-step="mapping"]').click();
  await page.getByRole('heading', { name: 'Order book depth 10 fields' }).waitFor();
  assert.equal(await page.getByTestId('levels-note').innerText(), 'Levels read by name: bids[0..9] and asks[0..9], price and amount; the file has 25 levels a side, levels 10..24 are not written (Depth 10 holds 10 a side).');
  // The columns to drag are the four others: the 100 level columns are one line.
  assert.deepEqual(await page.locator('.col-chip .col-name').allInnerTexts(), ['exchange', 'symbol', 'timestamp', 'local_timestamp']);
  assert.equal(await page.getByTestId('levels-folded').innerText(), 'bids[0..24] and asks[0..24]: 100 level columns, read by name');
  await waitForMapped(page, /10 ok/);
  const table = page.getByTestId('mapped-preview');
  const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
  assert.deepEqual(headers.slice(2), ['ts_init (UTC)', 'ts_event (UTC)', 'bid 0', 'bid 1', 'bid 2', 'ask 0', 'ask 1', 'ask 2', 'levels']);
  assert.match(await page.getByTestId('levels-shown').innerText(), /^Levels shown as size @ price/);
  // The fixture's first row: best bid 10.896 @ 11657.07, best ask 1.714 @ 11657.08.
  assert.equal(await mappedRow(page, 1), '2 | ok | 2020-09-01T00:00:03.810979000Z | 2020-09-01T00:00:03.696000000Z | 10.896 @ 11657.07 | 0.200 @ 11656.97 | 0.200 @ 11655.78 | 1.714 @ 11657.08 | 5.400 @ 11657.54 | 0.238 @ 11657.56 | 10 bids, 10 asks');
  await shot(page, 'e2e-books-snapshot-mapping');

  // The quotes too, by one click on the Source step; both built.
  await page.locator('button[data-step="source"]').click();
  await row.getByRole('button', { name: 'Quotes' }).click();
  assert.equal(await row.getByRole('button', { name: 'Quotes' }).getAttribute('aria-pressed'), 'true');
  await page.locator('button[data-step="job"]').click();
  assert.equal(await page.getByTestId('range-summary').innerText(), '2020-09-01 → 2020-09-01 · 1 day');
  const catalog = join(dir, 'catalog');
  await page.locator('#output').fill(catalog);
  await page.getByRole('button', { name: 'Run the job' }).click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 60_000 });
  assert.deepEqual(await page.locator('li.day-bar').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-type')} ${e.getAttribute('data-state')}`)), ['quotes done', 'depth10 done']);
  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  const v = await verifyCatalog(catalog);
  assert.deepEqual(v.errors, []);
  const rows = (await readFile(SNAPSHOT_FIXTURE, 'utf8')).trim().split('\n').length - 1;
  assert.equal(v.summary.find((s) => s.type === 'order_book_depths')?.rows, rows);
  assert.equal(v.summary.find((s) => s.type === 'quote_tick')?.rows, rows);
  assert.equal(await page.getByTestId('added-sum').count(), 0, 'nothing added: no sum line');
  await shot(page, 'e2e-books-snapshot-result');
  assert.deepEqual(errors, []);
  await page.close();
});
