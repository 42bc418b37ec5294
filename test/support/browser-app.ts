/**
 * The app in a real browser for end-to-end tests: a fresh build of the renderer, `cli serve` on a
 * free port over a given history database (browser mode: the same services and typed API as the
 * desktop app, over a WebSocket), and Debian's Chromium driven by playwright-core. Screenshots go
 * to test-results/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO_ROOT } from './cli';

const CHROMIUM = process.env.GENNERATOR_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = join(REPO_ROOT, 'test-results');

// Every wait is for a condition on the page. These limits only stop a hung run; on a loaded
// 2-core machine a step can take many times longer than alone, so they are far above a passing run.
/** For the page to reflect an action (a click, a save, a round trip to the server). */
export const PATIENCE_MS = 120_000;
/** For a search to make progress or to end (candidates train on a machine shared with other work). */
export const SEARCH_PATIENCE_MS = 300_000;
/** For one test of a session, all its waits together. */
export const TEST_TIMEOUT_MS = 600_000;

/** Polls `value` until the assertion that follows holds (vitest's own default gives up after 1 s). */
export const eventually = <T>(value: () => Promise<T> | T, timeout = PATIENCE_MS) => expect.poll(value, { timeout, interval: 100 });

export interface BrowserApp {
  page: Page;
  url: string;
  /** Saves a full-page screenshot as test-results/<prefix>-<name>.png. */
  shot(name: string): Promise<void>;
  /** Saves a screenshot of one element, all of it (the views scroll inside the page). */
  shotOf(element: Locator, name: string): Promise<void>;
  close(): Promise<void>;
}

/** Builds the renderer into its own folder (other test files rebuild out/ at the same time), serves it over `db`, opens it in Chromium. */
export async function startBrowserApp(options: { db: string; home: string; buildDir: string; shotPrefix: string }): Promise<BrowserApp> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set GENNERATOR_CHROMIUM)`);
  mkdirSync(SHOTS, { recursive: true });
  const outDir = join(REPO_ROOT, '.tmp', options.buildDir);
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);

  let stderr = '';
  const server: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', '--db', options.db, '--renderer', join(outDir, 'renderer'), '--no-build'],
    { cwd: REPO_ROOT, env: { ...process.env, GENNERATOR_HOME: options.home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.includes('"serving"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    server.on('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(PATIENCE_MS);
  await page.goto(url);
  return {
    page,
    url,
    shot: async (name) => void (await page.screenshot({ path: join(SHOTS, `${options.shotPrefix}-${name}.png`), fullPage: true })),
    shotOf: async (element, name) => {
      // The views scroll inside the page, which would cut a tall element: a tall window shows all of it.
      const viewport = page.viewportSize()!;
      const height = Math.ceil((await element.boundingBox())?.height ?? 0) + 200;
      if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height: Math.min(height, 6000) });
      try {
        await element.screenshot({ path: join(SHOTS, `${options.shotPrefix}-${name}.png`) });
      } finally {
        await page.setViewportSize(viewport);
      }
    },
    close: async () => {
      await browser.close();
      if (server.exitCode === null) {
        server.kill('SIGINT');
        await new Promise((resolve) => server.once('exit', resolve));
      }
    },
  };
}

/** Fills the launcher's fields (by launch-* test id; selects by value, or by option text in `optionLabels`). */
export async function fillLauncher(page: Page, fields: Record<string, string>, optionLabels: Record<string, string> = {}): Promise<void> {
  await page.getByTestId('nav-live').click();
  const form = page.getByTestId('launch-form');
  if (!(await form.isVisible())) await page.getByTestId('live-new-run').click();
  await form.waitFor({ state: 'visible' });
  for (const [field, value] of Object.entries(fields)) {
    const control = page.getByTestId(`launch-${field}`);
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
    else await control.fill(value);
  }
  for (const [field, text] of Object.entries(optionLabels)) {
    const value = await page.getByTestId(`launch-${field}`).locator('option', { hasText: text }).first().getAttribute('value');
    await page.getByTestId(`launch-${field}`).selectOption(value!);
  }
}

/** Fills the launcher and starts the run; resolves once the live view shows it. */
export async function launch(page: Page, fields: Record<string, string>, optionLabels: Record<string, string> = {}): Promise<void> {
  await fillLauncher(page, fields, optionLabels);
  await page.getByTestId('launch-start').click();
  await page.getByTestId('live-view').waitFor({ state: 'visible' });
}
