/**
 * End to end through a real Electron, with Playwright's Electron support: only where the Electron
 * binary is installed (node_modules/electron/dist, or ELECTRON_OVERRIDE_DIST_PATH) and, on Linux, a
 * display exists (run under xvfb-run otherwise). Elsewhere the suite is skipped and its title says
 * why; electron-shell.test.ts checks what it can of the same code against a stand-in.
 *
 * The binary is looked for on disk: `require('electron')` would try to download it when missing.
 * Native modules (better-sqlite3) must be built for Electron's ABI (electron-rebuild) for the app to
 * start under it.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, REPO_ROOT, removeTempDirs, tempDir } from '../support/electron-stand-in/harness';

/** The Electron executable, or why there is none to use. */
function findElectron(): { binary: string } | { reason: string } {
  const pkg = join(REPO_ROOT, 'node_modules/electron');
  if (!existsSync(join(pkg, 'package.json'))) return { reason: 'the electron package is not installed' };
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!relative && !override) {
    return { reason: 'no Electron binary: node_modules/electron/path.txt is missing (its postinstall could not download Electron)' };
  }
  const binary = override ? join(override, relative || 'electron') : join(pkg, 'dist', relative!);
  if (!existsSync(binary)) return { reason: `no Electron binary at ${binary}` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: `Electron is at ${binary} but there is no display (DISPLAY is unset; run under xvfb-run)` };
  }
  return { binary };
}

const electron = findElectron();
const binary = 'binary' in electron ? electron.binary : undefined;
const title = binary
  ? 'the app in a real Electron (Playwright)'
  : `the app in a real Electron (Playwright) — skipped: ${'reason' in electron ? electron.reason : ''}`;

describe.skipIf(!binary)(title, () => {
  let appDir: string;
  let electronApp: ElectronApplication;
  let page: Page;
  let output = '';

  beforeAll(async () => {
    // The app as Electron loads it from a folder: package.json (its name names the app, its main is
    // the build) with resources/ beside it, as app.getAppPath() expects. Launching the script itself
    // (`electron out/main/index.js`) would make app.getAppPath() out/main, where there are no
    // resources. A folder of this test's own, because build.test.ts rebuilds out/ in parallel.
    mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
    appDir = mkdtempSync(join(REPO_ROOT, '.tmp', 'electron-e2e-'));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', main: './out/main/index.js' }));
    cpSync(join(REPO_ROOT, 'resources'), join(appDir, 'resources'), { recursive: true });
    await buildApp(join(appDir, 'out'));

    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
    delete env.ELECTRON_RENDERER_URL;
    delete env.GENNERATOR_DB;
    // Never the user's data: the app (like the CLI) keeps its data in GENNERATOR_HOME when it is set.
    env.GENNERATOR_HOME = join(tempDir(), 'userData');

    const { _electron } = await import('playwright-core');
    electronApp = await _electron.launch({ executablePath: binary, args: [appDir], cwd: REPO_ROOT, env, timeout: 60_000 });
    electronApp.process().stdout?.on('data', (chunk) => (output += chunk));
    electronApp.process().stderr?.on('data', (chunk) => (output += chunk));
    page = await electronApp.firstWindow({ timeout: 60_000 });
  }, 300_000);

  afterAll(async () => {
    await electronApp?.close().catch(() => undefined);
    if (appDir) rmSync(appDir, { recursive: true, force: true });
    removeTempDirs();
  });

  it('opens the window titled geNNerator', async () => {
    await page.waitForLoadState('domcontentloaded');
    expect(await page.title(), output).toBe('geNNerator');
  });

  it('shows the backend badge once the engine (a utility process) has probed the backend', async () => {
    const badge = page.getByTestId('backend-badge');
    await badge.waitFor({ state: 'visible', timeout: 90_000 });
    expect((await badge.textContent())?.trim(), output).not.toBe('');
  });

  it('gives the page the preload API and no Node', async () => {
    const seen = await page.evaluate(() => {
      const scope = globalThis as unknown as Record<string, unknown>;
      const api = scope.gennerator as Record<string, unknown> | undefined;
      return { api: api ? Object.keys(api).sort() : null, require: typeof scope.require, process: typeof scope.process };
    });
    expect(seen).toEqual({ api: ['call', 'onTuneUpdate', 'onUpdate'], require: 'undefined', process: 'undefined' });
  });

  it('quits cleanly', async () => {
    await electronApp.close();
    expect(electronApp.process().exitCode ?? 0, output).toBe(0);
  });
});
