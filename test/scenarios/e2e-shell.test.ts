// End to end in headless Chromium (browser mode, the real engine): the app's frame around the steps.
// (1) Layout: every screen at 1280×800 and 1920×1080, with long file names, overflows neither the
// window nor its own boxes (Remove buttons, badges, the template list), and at 1920 the content
// uses the width. (2) Browser mode says which folders the server allows, a dropped file's name
// lands in the path box, and controls that cannot work there are not offered. (3) The sample says
// where it writes and wrote; "New job" forgets the previous job (files, days, output, errors,
// result); an error toast stays clear of the header buttons and closes by itself.
// Screenshots: test-output/screenshots/e2e-shell-*.png.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addFile, needChromium, openApp, shot, startBrowserApp, type BrowserApp } from '../support/browser-app.js';

let app: BrowserApp | null = null;
let work = '';

before(async () => {
  app = await startBrowserApp('cb-e2e-shell-');
  work = app?.work ?? '';
});

after(async () => {
  await app?.close();
});

const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };

/** Tardis-style trades of one day, `n` rows. */
function tardisCsv(day: string, n: number): string {
  const t0 = Date.parse(`${day}T00:00:00Z`) * 1000;
  const out = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount'];
  for (let i = 0; i < n; i++) {
    const ts = t0 + Math.floor((i * 86_000_000_000) / n);
    out.push(`binance-futures,BTCUSDT,${ts},${ts + 500},${i},${i % 2 ? 'buy' : 'sell'},${(60000 + (i % 50) / 10).toFixed(1)},0.00${1 + (i % 9)}`);
  }
  return out.join('\n') + '\n';
}

/**
 * What sticks out, as "what: how": the page or the main area scrolling sideways, a card wider than
 * its content box, and buttons, badges, inputs and lists reaching past the box they sit in (the
 * nearest block ancestor) or past the main area.
 */
async function overflows(page: Page): Promise<string[]> {
  // tsx names the functions below with a helper the page does not have.
  await page.evaluate('window.__name = window.__name || ((f) => f)');
  return page.evaluate(() => {
    const out: string[] = [];
    const name = (el: Element) => {
      const t = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40);
      return `${el.tagName.toLowerCase()}.${Array.from(el.classList).join('.')}${t ? ` “${t}”` : ''}`;
    };
    const main = document.querySelector('.main')!;
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth) out.push(`page: ${doc.scrollWidth} > ${window.innerWidth}`);
    if (main.scrollWidth > main.clientWidth + 1) out.push(`main: scrolls sideways (${main.scrollWidth} > ${main.clientWidth})`);
    const mr = main.getBoundingClientRect();
    for (const el of Array.from(main.querySelectorAll('.card, .pane, .stat, .verdict, .screen-header, .step-nav, .toolbar, .instrument-section'))) {
      const cs = getComputedStyle(el);
      if (cs.overflowX !== 'visible') continue;
      if (el.scrollWidth > el.clientWidth + 1) out.push(`${name(el)}: content ${el.scrollWidth} wider than ${el.clientWidth}`);
    }
    const boxOf = (el: Element): Element | null => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const d = getComputedStyle(p).display;
        if (d !== 'inline' && d !== 'contents') return p;
      }
      return null;
    };
    for (const el of Array.from(main.querySelectorAll('button, select, input, .pill, .file-name, .file-path'))) {
      const r = el.getBoundingClientRect();
      if (!r.width) continue;
      // Inside a box that scrolls or clips on purpose (the virtual tables), its own box bounds it.
      if (el.closest('.vtable')) continue;
      if (r.right > mr.right + 0.5 || r.left < mr.left - 0.5) out.push(`${name(el)}: outside the main area (${Math.round(r.left)}…${Math.round(r.right)} of ${Math.round(mr.left)}…${Math.round(mr.right)})`);
      const box = boxOf(el);
      if (!box) continue;
      const b = box.getBoundingClientRect();
      if (r.right > b.right + 1 || r.left < b.left - 1) out.push(`${name(el)}: past its box ${name(box).slice(0, 50)} (${Math.round(r.left)}…${Math.round(r.right)} of ${Math.round(b.left)}…${Math.round(b.right)})`);
    }
    // A select shows its chosen option whole.
    for (const s of Array.from(main.querySelectorAll('select'))) {
      const text = s.selectedOptions[0]?.textContent ?? '';
      const probe = document.createElement('span');
      probe.style.font = getComputedStyle(s).font;
      probe.style.position = 'absolute';
      probe.style.whiteSpace = 'pre';
      probe.textContent = text;
      document.body.append(probe);
      const need = probe.getBoundingClientRect().width + 36;
      probe.remove();
      if (need > s.getBoundingClientRect().width + 1) out.push(`${name(s)}: “${text}” cut (${Math.round(need)} > ${Math.round(s.getBoundingClientRect().width)})`);
    }
    return out;
  });
}

/** The screen checked at both sizes (screenshots of each), ending at the small size; what is wrong goes to `problems`. */
async function checkBoth(page: Page, screen: string, problems: string[]): Promise<void> {
  for (const [vp, tag] of [[LARGE, '1920'], [SMALL, '1280']] as const) {
    await page.setViewportSize(vp);
    await page.waitForTimeout(50);
    await shot(page, `e2e-shell-${screen}-${tag}`, { window: true, full: false });
    for (const p of await overflows(page)) problems.push(`${screen} at ${tag}: ${p}`);
    if (tag === '1920') {
      // The width is used: the screen is not a narrow column in the middle of a wide window.
      const { screenW, mainW } = await page.evaluate(() => ({
        screenW: document.querySelector('.screen')!.getBoundingClientRect().width,
        mainW: document.querySelector('.main')!.clientWidth,
      }));
      if (screenW < mainW - 100) problems.push(`${screen} at 1920: the screen is ${screenW} of ${mainW} px wide`);
    }
  }
}

test('layout: each screen at 1280×800 and 1920×1080, with long file names, overflows nothing and uses the width', { timeout: 150_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'a-rather-deep-folder-of-exports', 'from-the-research-desk', 'binance-futures-usdm-perpetuals');
  await mkdir(dir, { recursive: true });
  const names = [
    'binance-futures_trades_2024-03-01_BTCUSDT_exported-by-the-research-desk-for-the-quarterly-backtest-v2.csv',
    'binance-futures_trades_2024-03-02_BTCUSDT_exported_by_the_research_desk_for_the_quarterly_backtest_v2_final.csv',
  ];
  for (const [k, n] of names.entries()) await writeFile(join(dir, n), tardisCsv(`2024-03-0${k + 1}`, 150_000));
  await mkdir(join(work, 'config'), { recursive: true });
  await writeFile(join(work, 'config', 'templates.json'), JSON.stringify([
    { name: 'Research desk trades, nanosecond epoch, semicolon export v2', dataType: 'trades', columns: { timestamp: 'timestamp', price: 'price', size: 'amount' } },
  ]));
  const { page, errors } = await openApp(app!);
  const problems: string[] = [];
  for (const n of names) await addFile(page, join(dir, n));
  await checkBoth(page, 'source', problems);
  // At 1920 the whole path of a file is shown, not cut to a narrow column.
  await page.setViewportSize(LARGE);
  const path = page.locator('.file-path').first();
  if (!(await path.evaluate((el) => el.scrollWidth <= el.clientWidth))) problems.push('source at 1920: the file path is cut');
  await page.setViewportSize(SMALL);

  await page.getByRole('button', { name: 'Next: live preview →' }).click();
  await page.getByTestId('raw-preview').getByRole('columnheader', { name: 'amount' }).waitFor();
  await checkBoth(page, 'preview', problems);

  await page.getByRole('button', { name: 'Next: map columns →' }).click();
  await page.getByTestId('mapped-counts').getByText(/ok/).waitFor();
  await checkBoth(page, 'mapping', problems);

  await page.getByRole('button', { name: 'Next: job →' }).click();
  await page.locator('#output').fill(join(work, 'layout-catalog'));
  await checkBoth(page, 'job', problems);

  // A cancelled run: its badges stay in their column.
  await page.getByRole('button', { name: 'Run the job' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('[data-testid=run-overall][data-status=cancelled]').waitFor({ timeout: 30_000 });
  await page.locator('li.day-bar[data-state="cancelled"]').first().waitFor();
  await checkBoth(page, 'run-cancelled', problems);

  await page.getByRole('button', { name: 'Run again' }).click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 60_000 });
  await checkBoth(page, 'run', problems);
  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  await checkBoth(page, 'result', problems);
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
  await page.close();
});

/** Drops files of these names on the window as a browser does: names, no paths. */
async function dropFiles(page: Page, names: string[]): Promise<void> {
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const n of list) dt.items.add(new File(['x'], n, { type: 'text/csv' }));
    const target = document.querySelector('.main')!;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, names);
}

test('browser mode: the allowed folders are named where paths are typed, a dropped file’s name prefills the path box, no dialog buttons', { timeout: 60_000 }, async (t) => {
  if (!needChromium(t)) return;
  const dir = join(work, 'dropped');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'drop-a.csv'), tardisCsv('2024-04-01', 50));
  await writeFile(join(dir, 'drop-b.csv'), tardisCsv('2024-04-02', 50));
  const { page, errors } = await openApp(app!);

  // Where typed paths may point, and how to allow more; no "Choose files…" (browser mode has no dialog).
  const allowed = page.getByTestId('allowed-folders');
  await allowed.waitFor();
  assert.equal(await allowed.innerText(), `Files must be inside: ${work}. To allow more, start the server with --allow DIR.`);
  assert.equal(await page.getByRole('button', { name: 'Choose files…' }).count(), 0);

  // Two files dropped: the first name in the box, the caret before it, the next one named.
  await dropFiles(page, ['drop-a.csv', 'drop-b.csv']);
  const box = page.locator('#path-input');
  assert.equal(await box.inputValue(), 'drop-a.csv');
  assert.match(await page.getByTestId('dropped-hint').innerText(), /^Dropped drop-a\.csv: the browser does not say which folder it is in\. Type its folder before the name, then Add\. Next: drop-b\.csv\.$/);
  assert.deepEqual(await page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement;
    return [el.id, el.selectionStart];
  }), ['path-input', 0]);
  await shot(page, 'e2e-shell-dropped', { window: true, full: false });
  await page.keyboard.type(`${dir}/`);
  await page.keyboard.press('Enter');
  await page.locator('tr[data-file="drop-a.csv"]').waitFor();
  // The next dropped name, in the folder just used: Enter adds it.
  assert.equal(await box.inputValue(), join(dir, 'drop-b.csv'));
  await box.press('Enter');
  await page.locator('tr[data-file="drop-b.csv"]').waitFor();
  assert.equal(await box.inputValue(), '');
  assert.equal(await page.getByTestId('dropped-hint').count(), 0);

  // The output folder: typed (no folder dialog), with the same folders named.
  await page.locator('button[data-step="job"]').click();
  const outAllowed = page.getByTestId('allowed-folders');
  assert.equal(await outAllowed.innerText(), `The catalog folder must be inside: ${work}. To allow more, start the server with --allow DIR.`);
  assert.equal(await page.locator('#output').locator('xpath=..').getByRole('button').count(), 0, 'no Choose… beside the output folder');
  await shot(page, 'e2e-shell-job-allowed', { window: true, full: false });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the sample says where it writes and wrote; New job forgets it; an error notice stays clear of the screen and closes by itself', { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  await mkdir(join(work, 'config'), { recursive: true });
  await writeFile(join(work, 'config', 'templates.json'), JSON.stringify([
    { name: 'Other venue', dataType: 'trades', columns: { timestamp: 'epoch_ns', price: 'px', size: 'qty' } },
  ]));
  const { page, errors } = await openApp(app!);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app!.server.origin });

  // The sample: where it goes is shown before the click, and can be changed.
  const where = page.locator('#sample-output');
  assert.equal(await where.inputValue(), join(work, 'out', 'sample-catalog'));
  const mine = join(work, 'my-sample');
  await where.fill(mine);
  await shot(page, 'e2e-shell-sample-where', { window: true, full: false });
  await page.getByRole('button', { name: 'Build the sample catalog' }).click();
  await page.locator('[data-testid=run-overall][data-status=done]').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'View result →' }).click();
  await page.locator('.verdict-ok').waitFor({ timeout: 30_000 });
  // Where it wrote, whole, with a copy (browser mode cannot open folders: no Open folder).
  assert.equal(await page.getByTestId('written-to').innerText(), `Written to ${mine}\nCopy path`);
  assert.equal(await page.getByRole('button', { name: 'Open folder' }).count(), 0);
  await page.getByRole('button', { name: 'Copy path' }).click();
  await page.getByTestId('notice').getByText(`Copied: ${mine}`).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), mine);
  const { verifyCatalog } = await import('../../engine/catalog/verify.js');
  assert.equal((await verifyCatalog(mine)).ok, true);
  assert.match(await page.locator('button[data-step="result"]').innerText(), /Verified/);
  await shot(page, 'e2e-shell-sample-result', { window: true, full: false });

  // An error of this job (a file that is not there), to be forgotten by the next.
  await page.locator('button[data-step="source"]').click();
  await page.locator('#path-input').fill(join(work, 'no-such-file.csv'));
  await page.locator('#path-input').press('Enter');
  await page.locator('.add-files .alert-error').waitFor();
  await page.locator('button[data-step="result"]').click();

  // New job: nothing of the sample is left, in the screens or the sidebar.
  await page.getByRole('button', { name: 'New job' }).click();
  await page.getByRole('heading', { name: 'Where is your data?' }).waitFor();
  assert.equal(await page.locator('tr[data-file]').count(), 0);
  assert.equal(await page.locator('.alert-error').count(), 0);
  const resultStep = page.locator('button[data-step="result"]');
  assert.equal(await resultStep.isDisabled(), true);
  assert.doesNotMatch(await resultStep.innerText(), /Verified/);
  assert.equal(await page.locator('button[data-step="run"]').isDisabled(), true);
  assert.match(await page.locator('button[data-step="run"]').innerText(), /Not started/);
  await shot(page, 'e2e-shell-new-job', { window: true, full: false });
  const dir = join(work, 'next');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'next-trades.csv'), tardisCsv('2024-03-05', 200));
  await addFile(page, join(dir, 'next-trades.csv'));
  await page.locator('button[data-step="job"]').click();
  assert.equal(await page.locator('#output').inputValue(), join(work, 'out', 'BTCUSDT-catalog'), 'the default folder, not the sample’s');
  assert.notEqual(await page.locator('#start').inputValue(), '2024-01-01', 'not the sample’s days');

  // An error notice: beside the screen (never over its buttons), closable, gone by itself after ~8 s.
  await page.locator('button[data-step="mapping"]').click();
  await page.getByTestId('mapped-counts').getByText(/ok/).waitFor();
  // (a Tardis API key longer than any key: the engine refuses it, an error notice)
  await page.locator('button[data-step="source"]').click();
  await page.getByRole('radio', { name: /Tardis\.dev download/ }).click();
  await page.locator('button[data-step="job"]').click();
  await page.locator('#api-key').fill('TD.' + 'x'.repeat(600));
  await page.getByRole('button', { name: 'Save key' }).click();
  const notice = page.getByTestId('notice');
  await notice.and(page.getByRole('alert')).waitFor();
  assert.match(await notice.innerText(), /The API key was not saved: 603 characters is longer than any Tardis key; paste the key alone\./);
  const shown = Date.now();
  await page.mouse.move(1000, 700);
  await shot(page, 'e2e-shell-notice', { window: true, full: false });
  const [box, main, lastStep] = await page.evaluate(() => ['[data-testid=notice]', '.main', '.stepper li:last-child']
    .map((q) => document.querySelector(q)!.getBoundingClientRect().toJSON() as DOMRect));
  assert.ok(box!.right <= main!.left, `the notice (${box!.left}…${box!.right}) is beside the screen (from ${main!.left})`);
  assert.ok(box!.top >= lastStep!.bottom, 'below the steps');
  assert.equal(await notice.getByRole('button', { name: 'Dismiss' }).count(), 1);
  await page.waitForTimeout(5000);
  assert.equal(await notice.count(), 1, 'still there after 5 s, to be read');
  await notice.waitFor({ state: 'detached', timeout: 6000 });
  const lasted = Date.now() - shown;
  assert.ok(lasted >= 7000 && lasted < 11_000, `closed by itself after ${lasted} ms`);
  assert.deepEqual(errors, []);
  await page.close();
});
