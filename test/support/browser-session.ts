/**
 * The app in a real browser for the end-to-end tests: its own build of the renderer, `cli serve`
 * (browser mode: the same services and typed API as the desktop app, over a WebSocket) on a data
 * directory (a fresh one, or the history a test prepared), and Debian's Chromium driven by
 * playwright-core. Each test file starts one session; screenshots of what the tests checked go to
 * test-results/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO_ROOT, tempDataDir } from './cli';

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

export interface BrowserSession {
  page: Page;
  /** Where the app is served. */
  url: string;
  /** The data directory `serve` runs with (GENNERATOR_HOME), and its history database. */
  home: string;
  db: string;
  /** Saves a full-page screenshot as test-results/<prefix>-<name>.png. */
  shot(name: string): Promise<void>;
  /** Saves a screenshot of one element, all of it (the views scroll inside the page). */
  shotOf(element: Locator, name: string): Promise<void>;
  close(): Promise<void>;
}

export interface BrowserSessionOptions {
  /** A data directory and history a test prepared (default: a fresh directory, history.db in it). */
  home?: string;
  db?: string;
  /** Screenshots are named <shotPrefix>-<name>.png (default 'e2e'). */
  shotPrefix?: string;
}

/** Builds the renderer into .tmp/<buildName> (other test files rebuild out/ at the same time), serves it and opens it in Chromium. */
export async function startBrowserSession(buildName: string, options: BrowserSessionOptions = {}): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set GENNERATOR_CHROMIUM)`);
  mkdirSync(SHOTS, { recursive: true });
  const home = options.home ?? tempDataDir();
  const db = options.db ?? join(home, 'history.db');
  const prefix = options.shotPrefix ?? 'e2e';
  const outDir = join(REPO_ROOT, '.tmp', buildName);
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);

  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', '--db', db, '--renderer', join(outDir, 'renderer'), '--no-build'], {
    cwd: REPO_ROOT,
    env: { ...process.env, GENNERATOR_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
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
  const page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } })).newPage();
  page.setDefaultTimeout(PATIENCE_MS);
  await page.goto(url);
  const shotPath = (name: string) => join(SHOTS, `${prefix}-${name}.png`);
  return {
    page,
    url,
    home,
    db,
    shot: async (name) => {
      await page.screenshot({ path: shotPath(name), fullPage: true });
    },
    shotOf: async (element, name) => {
      // The views scroll inside the page, which would cut a tall element: a tall window shows all of it.
      const viewport = page.viewportSize()!;
      const height = Math.ceil((await element.boundingBox())?.height ?? 0) + 200;
      if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height: Math.min(height, 6000) });
      try {
        await element.screenshot({ path: shotPath(name) });
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

/** Opens the launcher and fills its fields (by launch-* test id; a checkbox with 'on' or 'off'; selects by value, or by option text in `optionLabels`). */
export async function fillLauncher(page: Page, fields: Record<string, string>, optionLabels: Record<string, string> = {}): Promise<void> {
  await page.getByTestId('nav-live').click();
  const form = page.getByTestId('launch-form');
  if (!(await form.isVisible())) await page.getByTestId('live-new-run').click();
  await form.waitFor({ state: 'visible' });
  for (const [field, value] of Object.entries(fields)) {
    const control = page.getByTestId(`launch-${field}`);
    const kind = await control.evaluate((el) => (el.getAttribute('type') === 'checkbox' ? 'checkbox' : el.tagName));
    if (kind === 'SELECT') await control.selectOption(value);
    else if (kind === 'checkbox') await control.setChecked(value === 'on');
    else await control.fill(value);
  }
  for (const [field, text] of Object.entries(optionLabels)) {
    const value = await page.getByTestId(`launch-${field}`).locator('option', { hasText: text }).first().getAttribute('value');
    await page.getByTestId(`launch-${field}`).selectOption(value!);
  }
}

/** Fills the launcher and presses Start (the page may then refuse it, or show the run). */
export async function fillLauncherAndStart(page: Page, fields: Record<string, string>, optionLabels: Record<string, string> = {}): Promise<void> {
  await fillLauncher(page, fields, optionLabels);
  await page.getByTestId('launch-start').click();
}

/** Fills the launcher and starts the run; resolves once the live view shows it. */
export async function launch(page: Page, fields: Record<string, string>, optionLabels: Record<string, string> = {}): Promise<void> {
  await fillLauncherAndStart(page, fields, optionLabels);
  await page.getByTestId('live-view').waitFor({ state: 'visible' });
}
