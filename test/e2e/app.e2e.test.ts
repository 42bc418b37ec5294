/**
 * The app in a real browser: Debian's Chromium, driven by playwright-core, against `cli serve`
 * (browser mode: the same services and typed API as the desktop app, over a WebSocket). One user
 * session, in order: build an action set by dragging and connecting nodes, save it, launch a search
 * on it, watch candidates stream in, stop it, run a second search (PPO guided by the GP predictor,
 * whose estimates show beside the results), find both in the history, export, compare. Each step saves a screenshot of what it checked under test-results/.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, launch as launchOn, SEARCH_PATIENCE_MS, startBrowserSession, TEST_TIMEOUT_MS, type BrowserSession } from '../support/browser-session';

let session: BrowserSession;
let page: Page;
let exportDir: string;

const shot = (name: string) => session.shot(name);

beforeAll(async () => {
  session = await startBrowserSession('e2e-out');
  ({ page } = session);
  exportDir = join(session.home, 'exports');
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await session?.close();
});

/** Drags from one point to another with real mouse events (React Flow's connections). */
async function dragBetween(from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

async function handle(nodeId: string, side: 'top' | 'bottom') {
  const node = page.getByTestId(`node-${nodeId}`);
  await node.waitFor({ state: 'visible' }); // React Flow shows a node once it has measured it
  const box = await node.locator(`.react-flow__handle-${side}`).first().boundingBox();
  if (!box) throw new Error(`node ${nodeId} has no ${side} handle on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/**
 * Waits until the editor shows the validation of the graph as it is now, and a frame has been drawn
 * since. Validation runs a moment after each change, and its problem notes inside the nodes change
 * their heights, and so where their bottom handles are; React Flow measures the nodes (and so knows
 * where their handles are) in a frame's resize observations. A drag aimed before then can miss.
 */
async function editorSettled(): Promise<void> {
  await eventually(() => page.getByTestId('network-count').getAttribute('data-pending')).toBeNull();
  // Two frames: a frame may be under way when the first is asked for; the second is a whole one.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
}

/** Drags from one node's bottom handle to another's top handle, and waits for the edge it makes. */
async function connect(from: string, to: string): Promise<void> {
  const edges = page.locator('.react-flow__edge');
  const before = await edges.count();
  await editorSettled();
  await dragBetween(await handle(from, 'bottom'), await handle(to, 'top'));
  await eventually(() => edges.count()).toBe(before + 1);
}

async function layerNodeIds(): Promise<string[]> {
  const ids = await page.locator('[data-testid^="node-"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-testid')!.slice('node-'.length)));
  return ids.filter((id) => id !== 'input' && id !== 'output');
}

const launch = (fields: Record<string, string>, optionLabels: Record<string, string> = {}) => launchOn(page, fields, optionLabels);

describe('geNNerator in Chromium (browser mode)', () => {
  it('builds an action set in the editor by dragging and connecting nodes, and saves it', async () => {
    await page.getByTestId('nav-editor').click();
    await page.getByTestId('new-action-set').click();
    await page.getByTestId('action-set-name').fill('e2e dense');
    const canvas = await page.getByTestId('canvas').boundingBox();
    expect(canvas).not.toBeNull();
    await page.getByTestId('palette-dense').dragTo(page.getByTestId('canvas'), { targetPosition: { x: canvas!.width * 0.35, y: canvas!.height * 0.45 } });
    await page.getByTestId('palette-dropout').dragTo(page.getByTestId('canvas'), { targetPosition: { x: canvas!.width * 0.65, y: canvas!.height * 0.45 } });
    await eventually(async () => (await layerNodeIds()).length).toBe(2);
    const [dense, dropout] = await layerNodeIds();
    expect(dense).toMatch(/dense/);
    expect(dropout).toMatch(/dropout/);

    // Four widths for the dense layer: four choices.
    await page.getByTestId(`node-${dense}`).click();
    await page.getByTestId('param-units').fill('16, 32, 64, 128');
    await page.getByTestId('param-units').press('Tab');

    // input → dense (which may repeat) → dropout → output, and dense → output.
    await connect('input', dense);
    await connect(dense, dense);
    await connect(dense, dropout);
    await connect(dropout, 'output');
    await connect(dense, 'output');
    expect(await page.locator('.react-flow__edge').count()).toBe(5);

    const count = page.getByTestId('network-count');
    await eventually(async () => (await count.getAttribute('data-pending')) !== 'true' && Number(await count.getAttribute('data-count'))).toBeGreaterThan(0);
    // chains of dense layers of 4 widths, optionally ending in a dropout: hundreds of networks, and no problems left.
    expect(Number(await count.getAttribute('data-count'))).toBeGreaterThan(100);
    expect(await page.getByTestId('problems').getAttribute('data-errors')).toBe('0');

    await page.getByTestId('save-action-set').click();
    await eventually(() => page.getByTestId('action-set-item-e2e dense').isVisible()).toBe(true);
    await eventually(async () => (await page.getByTestId('save-error').count()) === 0).toBe(true);
    await shot('01-editor');
  }, TEST_TIMEOUT_MS);

  it('launches a search on it, sees candidates stream into the live view, and stops it', async () => {
    await launch(
      { name: 'e2e synthetic', evaluator: 'training', strategy: 'random', dataset: 'synthetic', budget: '200', epochs: '3' },
      { 'action-set': 'e2e dense' },
    );
    await eventually(() => page.getByTestId('leaderboard-row').count(), SEARCH_PATIENCE_MS).toBeGreaterThanOrEqual(2);
    await eventually(() => page.getByTestId('live-progress').textContent()).toMatch(/\d+\s*\/\s*200/);
    await eventually(() => page.getByTestId('backend-badge-run').textContent()).toMatch(/wasm|cpu|tensorflow/);
    await eventually(() => page.getByTestId('chart-reward').locator('canvas').count()).toBeGreaterThan(0);
    await shot('02-live');
    await page.getByTestId('run-stop').click();
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('stopped');
    await shot('03-stopped');
  }, TEST_TIMEOUT_MS);

  it('runs a second search (NAS-Bench-201, PPO with the GP predictor) to completion, its estimates beside the results', async () => {
    await launch({ name: 'e2e nb201', evaluator: 'nb201', strategy: 'ppo', predictor: 'gp', 'warm-start': 'on', budget: '40' });
    // Warm start asked for, and nothing to start from: no earlier NAS-Bench-201 run in this history.
    await eventually(() => page.getByTestId('live-warm-start').textContent()).toMatch(/no earlier evaluation on this search space and data/);
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('completed');
    await eventually(() => page.getByTestId('live-progress').textContent()).toMatch(/40\s*\/\s*40/);
    // The leaderboard has the predictor's columns, and its best entries came with estimates.
    await eventually(() => page.getByTestId('live-leaderboard').locator('th').allTextContents()).toEqual(['#', 'val', 'predicted', 'error', 'test', 'params', 'architecture']);
    await eventually(async () => (await page.getByTestId('leaderboard-predicted').allTextContents()).filter((t) => /^\d+\.\d% ± \d+\.\d$/.test(t)).length).toBeGreaterThan(0);
    await eventually(() => page.getByTestId('live-predictor-error').textContent()).toMatch(/\d+ candidates · mean abs\. error \d+\.\d pp · bias [+−]\d+\.\d pp · rank correlation -?\d\.\d\d/);
    await shot('03b-nb201-predictor');

    // The history has them too: the run's warm start, and a guided candidate's estimate beside its result.
    await page.getByTestId('nav-history').click();
    await page.getByTestId('run-row').filter({ hasText: 'e2e nb201' }).click();
    await eventually(() => page.getByTestId('run-warm-start').textContent()).toMatch(/no earlier evaluation/);
    await page.locator('[data-testid="candidate-row"][data-index="6"]').click();
    await eventually(() => page.getByTestId('candidate-prediction').textContent()).toMatch(/^\d+\.\d\d% ± \d+\.\d\d · error [+−]\d+\.\d\d pp$/);
    await shot('03c-history-prediction');
  }, TEST_TIMEOUT_MS);

  it('finds the stopped run in the history, opens its candidates, and exports its best model', async () => {
    await page.getByTestId('nav-history').click();
    const row = page.getByTestId('run-row').filter({ hasText: 'e2e synthetic' });
    await eventually(() => row.textContent()).toMatch(/stopped/);
    await row.click();
    await eventually(() => page.getByTestId('run-detail').isVisible()).toBe(true);
    await eventually(() => page.getByTestId('candidate-row').count()).toBeGreaterThanOrEqual(2);
    await page.getByTestId('candidate-row').first().click();
    await eventually(() => page.getByTestId('candidate-detail').isVisible()).toBe(true);
    await shot('04-history');

    // Into the server's export folder (the download of a zip is checks.e2e.test.ts's).
    await page.getByTestId('run-export-server').click();
    const result = page.getByTestId('export-result');
    await eventually(() => result.textContent()).toMatch(/model\.json/);
    const files = await result.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('title')!));
    const modelJson = files.find((f) => f.endsWith('model.json'));
    expect(modelJson && existsSync(modelJson), modelJson).toBe(true);
    expect(modelJson!.startsWith(exportDir)).toBe(true);
    expect(files.map((f) => f.split(/[\\/]/).pop()).sort()).toEqual(['architecture.json', 'candidates.csv', 'epochs.csv', 'history.json', 'model.json', 'weights.bin']);
    await shot('05-export');
  }, TEST_TIMEOUT_MS);

  it('compares the two runs: overlaid curves and their best architectures side by side', async () => {
    await eventually(() => page.getByTestId('run-row').count()).toBe(2);
    const ids = await page.getByTestId('run-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')!));
    for (const id of ids) await page.getByTestId(`run-select-${id.slice(0, 8)}`).check();
    await page.getByTestId('compare-selected').click();
    await eventually(() => page.getByTestId('compare-view').isVisible()).toBe(true);
    for (const chart of ['chart-compare-best', 'chart-compare-reward']) await eventually(() => page.getByTestId(chart).locator('canvas').count()).toBeGreaterThan(0);
    for (const id of ids) await eventually(() => page.getByTestId(`compare-best-${id.slice(0, 8)}`).isVisible()).toBe(true);
    await shot('06-compare');
  }, TEST_TIMEOUT_MS);
});
