/**
 * A folder of the user's own images as a dataset, in Chromium against `cli serve` (browser mode: the
 * folder is a path on the server's machine): the launcher says why a path is no dataset, shows a
 * good folder's classes with their counts and sample images as the network will see them, and a
 * short search runs on it. Screenshots under test-results/ (e2e-folder-*.png).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDataDir } from '../support/cli';
import { eventually, fillLauncher, launch, SEARCH_PATIENCE_MS, startBrowserSession, TEST_TIMEOUT_MS, type BrowserSession } from '../support/browser-session';
import { writeImageFolder } from '../support/image-folder';

let session: BrowserSession;
let page: Page;
const folder = join(tempDataDir(), 'shapes');

beforeAll(async () => {
  await writeImageFolder(folder, { classes: ['circle', 'square', 'triangle'], perClass: 9 });
  await writeImageFolder(folder, { classes: ['star'], perClass: 6 });
  session = await startBrowserSession('e2e-folder-out');
  ({ page } = session);
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await session?.close();
});

describe('a folder dataset in the launcher, in Chromium (browser mode)', () => {
  it('says why a path is no dataset, then shows a folder’s classes, counts and samples, and runs a search on it', async () => {
    await fillLauncher(page, { evaluator: 'training', dataset: 'folder', 'data-dir': join(folder, 'circle') });
    await eventually(() => page.getByTestId('folder-problem').textContent()).toMatch(/circle: no subfolder with PNG\/JPEG images: a folder dataset needs at least two classes/);

    await fillLauncher(page, { 'data-dir': folder, 'image-size': '8', channels: '1' });
    await eventually(() => page.getByTestId('folder-summary').textContent()).toMatch(/^4 classes · 33 images · shown as the network sees them: 8×8 grayscale/);
    const classes = page.getByTestId('folder-class');
    expect(await classes.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-class')))).toEqual(['circle', 'square', 'star', 'triangle']);
    expect(await page.getByTestId('folder-class-count').allTextContents()).toEqual(['9 images', '9 images', '6 images', '9 images']);
    // Four samples per class, decoded by the server at the chosen size, and drawn.
    const samples = page.getByTestId('folder-sample');
    expect(await samples.count()).toBe(16);
    await eventually(() => samples.evaluateAll((imgs) => imgs.every((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth === 8))).toBe(true);
    expect(await classes.first().getByTestId('folder-sample').first().getAttribute('alt')).toBe('circle/circle-000.png');
    await session.shot('folder-01-preview');

    // RGB: the samples are decoded again, now in colour.
    await page.getByTestId('launch-channels').selectOption('3');
    await eventually(() => page.getByTestId('folder-summary').textContent()).toMatch(/8×8 RGB/);

    await launch(page, { name: 'my shapes', strategy: 'random', dataset: 'folder', 'data-dir': folder, 'image-size': '8', channels: '1', subset: '', budget: '2', epochs: '1' }, { 'action-set': 'mlp' });
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('completed');
    await eventually(() => page.getByTestId('live-view').textContent()).toMatch(/folder 8×8×1/);
    // The history does not know a folder's class count: the head is drawn without a size, never as 10 classes.
    expect(await page.getByTestId('live-best-graph').textContent()).toMatch(/dense softmax, a unit per class/);
    await session.shot('folder-02-search-done');

    const listed = await runCli(['runs', 'list', '--json', '--db', session.db]);
    const [run] = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(run).toMatchObject({ name: 'my shapes', dataset: `folder:${folder}`, status: 'completed', evaluations: 2 });

    await page.getByTestId('nav-history').click();
    await eventually(() => page.getByTestId('run-row').filter({ hasText: 'my shapes' }).textContent()).toContain(`folder:${folder}`);
    await session.shot('folder-03-history');
  }, TEST_TIMEOUT_MS);
});
