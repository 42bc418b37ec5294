/**
 * The checks around a run, in Chromium against `cli serve` (browser mode): a launch refused before
 * any run exists, an action set file with several problems that is not imported, a built-in set
 * that stays read-only and comes back after it was deleted, a run that failed while setting up and
 * is run again with changes, and an export downloaded to the user's computer as a zip. Each step
 * saves a screenshot of what it checked under test-results/ (e2e-checks-*.png).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDataDir } from '../support/cli';
import { eventually, fillLauncherAndStart, SEARCH_PATIENCE_MS, startBrowserSession, TEST_TIMEOUT_MS, type BrowserSession } from '../support/browser-session';
import { idxImages, idxLabels } from '../engine/data/helpers';

let session: BrowserSession;
let page: Page;

beforeAll(async () => {
  session = await startBrowserSession('e2e-checks-out');
  ({ page } = session);
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await session?.close();
});

/** The runs in the session's history, as `runs list` shows them. */
async function recordedRuns(): Promise<unknown[]> {
  const listed = await runCli(['runs', 'list', '--json', '--db', session.db]);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as unknown[];
}

/** A Fashion-MNIST folder whose headers pass the launch checks but whose training images are cut short. */
function truncatedFashionMnist(): string {
  const dir = tempDataDir();
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxImages(20, 28, 28, () => 7).subarray(0, 16 + 784)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabels(Array.from({ length: 20 }, (_, i) => i % 10))));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idxImages(10, 28, 28, () => 7)));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idxLabels(Array.from({ length: 10 }, (_, i) => i))));
  return dir;
}

describe('checks before a run, action sets and exports, in Chromium (browser mode)', () => {
  it('refuses a launch whose data directory does not exist: the field says why, the fix is by Start, no run is recorded', async () => {
    await fillLauncherAndStart(page, { evaluator: 'training', strategy: 'random', dataset: 'fashion-mnist', 'data-dir': '/nonexistent', budget: '2', epochs: '1' }, { 'action-set': 'mlp' });
    await eventually(() => page.getByTestId('launch-refused').textContent()).toMatch(/Not started, nothing was recorded\. Data directory: give a directory with train-images-idx3-ubyte/);
    expect(await page.getByTestId('launch-error-data-dir').textContent()).toMatch(/^\/nonexistent: directory not found/);
    // The form stays as it was, to fix.
    expect(await page.getByTestId('launch-form').isVisible()).toBe(true);
    await session.shot('checks-01-refused-launch');
    expect(await recordedRuns()).toEqual([]);
    // Changing the form clears main's refusal; a subset smaller than the 10 classes is refused by the form itself, from the same shared rule.
    await page.getByTestId('launch-subset').fill('5');
    await eventually(() => page.getByTestId('launch-error-subset').textContent()).toMatch(/a subset of 5 is smaller than the 10 classes of Fashion-MNIST/);
    expect(await page.getByTestId('launch-refused').count()).toBe(0);
    await session.shot('checks-01-subset-refused-by-the-form');
  }, TEST_TIMEOUT_MS);

  it('lists every problem of an action set file with its path, and imports nothing', async () => {
    await page.getByTestId('nav-editor').click();
    await page.getByTestId('action-set-item-mlp').waitFor({ state: 'visible' });
    const items = await page.locator('[data-testid^="action-set-item-"]').count();
    const broken = {
      name: 'broken',
      maxLayers: 2.5,
      nodes: [{ id: 'a', layer: { type: 'dense', units: 8 } }, { id: 'b', layer: { type: 'dropout', rate: 2 } }, { id: 'c' }],
      edges: [{ from: 'input', to: 'a' }, { from: 'a', to: 'nowhere' }],
    };
    await page.getByTestId('import-action-set').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
    await eventually(() => page.getByTestId('editor-notice').textContent()).toMatch(/Cannot import broken\.json: 4 problems, nothing was loaded\./);
    expect(await page.getByTestId('editor-notice-problems').locator('li').allTextContents()).toEqual([
      'maxLayers: expected an integer, got 2.5',
      'nodes[1].layer.rate: 2 is too big: must be at most 0.95',
      'nodes[2].layer: missing',
      'edges[1].to: no node "nowhere"',
    ]);
    expect(await page.locator('[data-testid^="action-set-item-"]').count()).toBe(items);
    expect(await page.getByTestId('action-set-item-broken').count()).toBe(0);
    await session.shot('checks-02-import-problems');
  }, TEST_TIMEOUT_MS);

  it('keeps a built-in set read-only (saving makes a copy), and restores it after it was deleted', async () => {
    const mlp = page.getByTestId('action-set-item-mlp');
    await mlp.click();
    await eventually(() => page.getByTestId('builtin-tag').isVisible()).toBe(true);
    expect(await mlp.textContent()).toMatch(/≤ 4 deep/);
    await page.getByTestId('max-layers').fill('3');
    expect(await page.getByTestId('save-action-set').textContent()).toBe('Save as copy');
    await page.getByTestId('save-action-set').click();
    await eventually(() => page.getByTestId('action-set-item-mlp copy').isVisible()).toBe(true);
    expect(await page.getByTestId('action-set-item-mlp copy').textContent()).toMatch(/≤ 3 deep/);
    expect(await mlp.textContent()).toMatch(/≤ 4 deep/);

    await mlp.click();
    await page.getByTestId('delete-action-set').click();
    await page.getByTestId('confirm-delete-action-set').click();
    await eventually(() => mlp.count()).toBe(0);
    await page.getByTestId('restore-defaults').click();
    await eventually(() => mlp.count()).toBe(1);
    expect(await mlp.textContent()).toMatch(/built-in/);
    expect(await mlp.textContent()).toMatch(/≤ 4 deep/);
    expect(await page.getByTestId('editor-notice').textContent()).toMatch(/Restored "mlp"\./);
    // The copy is the user's, and stays.
    expect(await page.getByTestId('action-set-item-mlp copy').isVisible()).toBe(true);
    await mlp.click();
    await eventually(() => page.getByTestId('action-set-name').inputValue()).toBe('mlp');
    expect(await page.getByTestId('builtin-tag').isVisible()).toBe(true);
    expect(await page.getByTestId('max-layers').inputValue()).toBe('4');
    await session.shot('checks-03-builtin-restored');
  }, TEST_TIMEOUT_MS);

  it('offers "run again with changes" for a run that failed while setting up, with the launcher prefilled', async () => {
    const dir = truncatedFashionMnist();
    await fillLauncherAndStart(page, { name: 'bad data', evaluator: 'training', strategy: 'random', dataset: 'fashion-mnist', 'data-dir': dir, subset: '', budget: '2', epochs: '1' }, { 'action-set': 'mlp' });
    await page.getByTestId('live-view').waitFor({ state: 'visible' });
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('failed');
    expect(await page.getByTestId('live-status-reason').textContent()).toMatch(/train-images-idx3-ubyte\.gz: truncated/);
    expect(await page.getByTestId('live-status-reason').textContent()).not.toMatch(/\n\s+at /);
    expect(await page.getByTestId('run-resume').count()).toBe(0);
    await session.shot('checks-04-failed-in-setup');

    await page.getByTestId('run-again').click();
    await page.getByTestId('launch-form').waitFor({ state: 'visible' });
    await eventually(() => page.getByTestId('launch-data-dir').inputValue()).toBe(dir);
    expect(await page.getByTestId('launch-name').inputValue()).toBe('bad data (again)');
    expect(await page.getByTestId('launch-dataset').inputValue()).toBe('fashion-mnist');
    expect(await page.getByTestId('launch-strategy').inputValue()).toBe('random');
    await session.shot('checks-05-run-again-prefilled');

    // In the history too: no Resume, Run again instead.
    await page.getByTestId('nav-history').click();
    await page.getByTestId('run-row').filter({ hasText: 'bad data' }).click();
    await eventually(() => page.getByTestId('run-again').isVisible()).toBe(true);
    expect(await page.getByTestId('run-resume').count()).toBe(0);
    expect(await page.getByTestId('run-status').first().getAttribute('title')).not.toMatch(/\n\s+at /);
  }, TEST_TIMEOUT_MS);

  it('downloads an export to the user’s computer as a zip', async () => {
    await fillLauncherAndStart(page, { name: 'to export', evaluator: 'training', strategy: 'random', dataset: 'synthetic', 'data-dir': '', budget: '2', epochs: '1' }, { 'action-set': 'mlp' });
    await page.getByTestId('live-view').waitFor({ state: 'visible' });
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('completed');

    await page.getByTestId('nav-history').click();
    await page.getByTestId('run-row').filter({ hasText: 'to export' }).click();
    await eventually(() => page.getByTestId('run-detail').isVisible()).toBe(true);
    const runId = (await page.getByTestId('run-detail').getAttribute('data-run-id'))!;
    expect(await page.getByTestId('run-export').textContent()).toBe('Download best');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('run-export').click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^gennerator-${runId.slice(0, 8)}-best-\\d+\\.zip$`));
    const saved = join(tempDataDir(), download.suggestedFilename());
    await download.saveAs(saved);
    const names = Object.keys(unzipSync(new Uint8Array(readFileSync(saved)))).map((entry) => entry.split('/').pop());
    expect(names.sort()).toEqual(['architecture.json', 'candidates.csv', 'epochs.csv', 'history.json', 'model.json', 'weights.bin']);
    await eventually(() => page.getByTestId('export-result').getAttribute('data-kind')).toBe('download');
    expect(await page.getByTestId('export-result').textContent()).toMatch(/Downloaded gennerator-.*\.zip to your computer/);
    await session.shot('checks-06-download');
  }, TEST_TIMEOUT_MS);
});
