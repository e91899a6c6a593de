// The app in a real headless Chromium, talking to the real engine through browser mode: the
// renderer built once per suite, a server on 127.0.0.1, and screenshots for looking at.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../hosts/server.js';
import { ROOT } from '../helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const SHOTS = join(ROOT, 'test-output', 'screenshots');

/** Without Chromium the suite skips and says how to get it; in CI it fails. */
export function needChromium(t: TestContext): boolean {
  if (HAVE_CHROMIUM) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium)`);
  t.skip(`${CHROMIUM} is missing: install it (apt-get install -y chromium) to run the end-to-end tests`);
  return false;
}

export interface BrowserApp {
  /** a temporary folder the server allows (inputs and outputs of the suite go here) */
  work: string;
  server: RunningServer;
  browser: Browser;
  close(): Promise<void>;
}

/** Builds the renderer, starts browser mode allowing `work` and launches Chromium; null without Chromium. */
export async function startBrowserApp(prefix: string): Promise<BrowserApp | null> {
  if (!HAVE_CHROMIUM) return null;
  const work = await mkdtemp(join(tmpdir(), prefix));
  const dist = join(work, 'dist');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  const { startServer } = await import('../../hosts/server.js');
  const server = await startServer({ port: 0, staticDir: dist, serviceOptions: { configDir: join(work, 'config'), outputRoot: join(work, 'out'), allow: [work] } });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await mkdir(SHOTS, { recursive: true });
  return {
    work, server, browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.close().catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** A new page on the app's first screen, collecting page errors and console errors. */
export async function openApp(app: BrowserApp, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; errors: string[] }> {
  const page = await app.browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(app.server.url);
  await page.getByRole('heading', { name: 'Where is your data?' }).waitFor();
  return { page, errors };
}

/** Adds one file as a browser-mode user does (its path typed, Enter) and waits for its row. */
export async function addFile(page: Page, file: string): Promise<void> {
  await page.locator('#path-input').fill(file);
  await page.locator('#path-input').press('Enter');
  await page.locator(`tr[data-file="${basename(file)}"]`).waitFor();
}

/** The README's and docs' pictures (docs/screenshots/<key>.png) and the shot each is taken from. */
const DOC_SHOTS: Record<string, string> = {
  source: 'source', preview: 'preview', mapping: 'mapping', 'mapping-auto': 'mapping-auto', job: 'job', run: 'run',
  'run-error': 'run-error', result: 'result', 'result-errors': 'result-errors', 'symbols-mismatch': 'instrument',
};

/**
 * The screen as the window shows it (`name`.png) and, with `full`, the whole of it (`name`-full.png).
 * With UPDATE_SCREENSHOTS=1 a shot the docs show is copied there too, so they are always a real run's.
 */
export async function shot(page: Page, name: string, opts: { window?: boolean; full?: boolean } = { window: true, full: true }): Promise<void> {
  await page.evaluate(() => document.querySelector('.main')?.scrollTo(0, 0));
  if (opts.window) await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  if (opts.full) await fullShot(page, name, !!opts.window);
  // `name`.png: the window's view, or the whole screen when only that was asked for.
  const doc = DOC_SHOTS[name];
  if (doc && process.env.UPDATE_SCREENSHOTS === '1') await copyFile(join(SHOTS, `${name}.png`), join(ROOT, 'docs', 'screenshots', `${doc}.png`));
}

async function fullShot(page: Page, name: string, window: boolean): Promise<void> {
  const vp = page.viewportSize()!;
  const h = await page.evaluate(() => document.querySelector('.main')?.scrollHeight ?? document.body.scrollHeight);
  await page.setViewportSize({ width: vp.width, height: Math.min(Math.max(vp.height, h), 2400) });
  await page.evaluate(() => document.querySelector('.main')?.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, window ? `${name}-full.png` : `${name}.png`) });
  await page.setViewportSize(vp);
}
