/**
 * What a person sees of the app's own conduct, in Chromium (browser mode): the first screen and its
 * one-click search, state that stays true while a run is paused, reloaded and stopped, readable
 * architecture graphs (a chain top to bottom, a NAS-Bench-201 cell whole), a chart's x-axis choice
 * and a 1-epoch chart, undo and redo in the editor, the `?` sheet, and dark mode. Screenshots of
 * each go to test-results/ui-*.png.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/db/history-store';
import { formatDuration } from '../../src/renderer/src/lib/format';
import { eventually, launch, SEARCH_PATIENCE_MS, startBrowserSession, TEST_TIMEOUT_MS, type BrowserSession } from '../support/browser-session';
import { nb201DataDir } from '../support/nb201';

let session: BrowserSession;
let page: Page;
let runId = '';

beforeAll(async () => {
  session = await startBrowserSession('ui-e2e-out', { shotPrefix: 'ui' });
  ({ page } = session);
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await session?.close();
});

/** The smallest font size (px) of any text inside `scope`'s elements matching `selector`. */
async function smallestFont(scope: Locator, selector: string): Promise<number> {
  return scope.evaluate((root, sel) => {
    const sizes = [...root.querySelectorAll(sel)].flatMap((el) => {
      const own = [...el.childNodes].some((n) => n.nodeType === el.TEXT_NODE && n.textContent!.trim() !== '');
      if (!own) return [];
      // Text drawn zoomed keeps its CSS size in style; what a person reads is that times the view's scale.
      const scale = el.getBoundingClientRect().height / el.offsetHeight || 1;
      return [parseFloat(el.ownerDocument.defaultView.getComputedStyle(el).fontSize) * (Number.isFinite(scale) ? scale : 1)];
    });
    return sizes.length ? Math.min(...sizes) : Number.NaN;
  }, selector);
}

/** Boxes of the graph's nodes, and its canvas's box. */
async function graphBoxes(graph: Locator) {
  const canvas = (await graph.locator('.arch-graph-canvas').boundingBox())!;
  const nodes = await graph.locator('.react-flow__node').evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.getAttribute('data-id')!, x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  );
  return { canvas, nodes };
}

const inside = (box: { x: number; y: number; width: number; height: number }, frame: { x: number; y: number; width: number; height: number }) =>
  box.x >= frame.x - 1 && box.y >= frame.y - 1 && box.x + box.width <= frame.x + frame.width + 1 && box.y + box.height <= frame.y + frame.height + 1;

/** The page's background as [r, g, b]. */
async function background(locator: Locator): Promise<number[]> {
  const css = await locator.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor);
  return css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number);
}
const luminance = ([r, g, b]: number[]) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;

describe('the app as a person sees it, in Chromium (browser mode)', () => {
  it('opens on a first screen that says how to start, and lists the shortcuts on ?', async () => {
    const start = page.getByTestId('start-view');
    await eventually(() => start.isVisible()).toBe(true);
    expect(await start.textContent()).toContain('Let an agent design a neural network');
    await eventually(() => page.getByTestId('start-quick-what').textContent()).toMatch(/PPO on the built-in “mlp” action set · synthetic data/);
    expect(await page.getByTestId('start-quick').isEnabled()).toBe(true);
    await session.shot('01-start');

    await page.keyboard.press('?');
    const sheet = page.getByTestId('shortcuts-sheet');
    await eventually(() => sheet.isVisible()).toBe(true);
    const actions = await page.getByTestId('shortcut-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['help', 'undo', 'redo', 'view:live', 'new-run', 'pause-resume']));
    expect(await sheet.textContent()).toMatch(/undo the last change to the set/);
    await session.shot('02-shortcuts');
    await page.keyboard.press('Escape');
    await eventually(() => sheet.count()).toBe(0);
    // A number key opens a view.
    await page.keyboard.press('4');
    await eventually(() => page.getByTestId('nav-history').getAttribute('class')).toBe('tab active');
  }, TEST_TIMEOUT_MS);

  it('starts a search in one click; Pause says so at once, no ETA runs while paused, a reload returns to the run, Stop says stopped', async () => {
    await page.keyboard.press('1');
    await page.getByTestId('start-quick').click();
    const live = page.getByTestId('live-view');
    await live.waitFor({ state: 'visible' });
    runId = (await live.getAttribute('data-run-id'))!;
    expect(runId).toMatch(/[0-9a-f-]{36}/);
    await eventually(() => page.getByTestId('leaderboard-row').count(), SEARCH_PATIENCE_MS).toBeGreaterThanOrEqual(1);
    await eventually(() => page.getByTestId('live-eta').textContent()).toMatch(/^ETA \d/);

    // The architecture of the candidate: a chain from the input down to the classifier head, its text 12 px or more, all of it in view.
    const graph = page.getByTestId('live-current-graph');
    await eventually(() => graph.locator('.react-flow__node').count()).toBeGreaterThanOrEqual(3);
    await eventually(async () => {
      const { canvas, nodes } = await graphBoxes(graph);
      return nodes.every((n) => inside(n, canvas));
    }).toBe(true);
    const { nodes } = await graphBoxes(graph);
    const chain = ['input', ...nodes.filter((n) => n.id.startsWith('layer-')).map((n) => n.id).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6))), 'head'].map((id) => nodes.find((n) => n.id === id)!);
    for (let i = 1; i < chain.length; i++) expect(chain[i].y, `${chain[i].id} below ${chain[i - 1].id}`).toBeGreaterThan(chain[i - 1].y + chain[i - 1].height - 1);
    expect(await smallestFont(graph, '.arch-node *')).toBeGreaterThanOrEqual(12);

    // The per-epoch chart reads against time as well as epochs.
    const accuracy = page.getByTestId('chart-epochs-accuracy');
    await accuracy.getByTestId('chart-epochs-accuracy-x').selectOption({ label: 'training time (s)' });
    await eventually(() => accuracy.locator('.u-legend').textContent()).toContain('training time (s)');
    await session.shot('03-live-running');

    await page.getByTestId('run-pause').click();
    // At once: before the run has paused (it finishes the candidate in training first).
    await eventually(() => page.getByTestId('live-eta').textContent()).toBe('pausing after this candidate…');
    expect(await page.getByTestId('run-pause').isDisabled()).toBe(true);
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('paused');
    const pausedAt = Date.now();
    await eventually(() => page.getByTestId('live-eta').textContent()).toBe('paused: resume to go on');
    await eventually(() => page.getByTestId('live-current-heading').textContent()).toMatch(/· run paused$/);
    await session.shot('04-paused');

    // A reload comes back to the run being watched.
    await page.reload();
    await eventually(() => page.getByTestId('live-view').getAttribute('data-run-id')).toBe(runId);
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status')).toBe('paused');
    expect(await page.getByTestId('live-eta').textContent()).toBe('paused: resume to go on');
    expect(page.url()).toContain(`#live/${runId}`);

    // Its duration is the time it ran: nothing since it paused.
    await page.getByTestId('nav-history').click();
    await page.getByTestId('run-row').filter({ hasText: 'First search' }).click();
    const store = HistoryStore.open(session.db);
    const run = store.getRun(runId)!;
    store.close();
    expect(run.runMs).toBeGreaterThan(0);
    expect(run.runMs).toBeLessThanOrEqual(pausedAt - run.startedAt!);
    const duration = page.getByTestId('run-detail').locator('dt', { hasText: /^Duration$/ }).locator('xpath=following-sibling::dd[1]');
    await eventually(() => duration.textContent()).toBe(formatDuration(run.runMs));
    await session.shotOf(page.getByTestId('run-detail'), '05-history-duration');

    // Resume with the keyboard, then stop: the candidate panel says the run stopped.
    await page.getByTestId('nav-live').click();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status')).toBe('running');
    await eventually(() => page.getByTestId('run-stop').isEnabled()).toBe(true);
    await page.getByTestId('run-stop').click();
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('stopped');
    await eventually(() => page.getByTestId('live-current-heading').textContent()).toMatch(/stopped/);
    expect(await page.getByTestId('live-current-status').textContent()).not.toMatch(/^epoch \d/);
    expect(await page.getByTestId('live-eta').textContent()).toBe('');
    await session.shot('06-stopped');
  }, TEST_TIMEOUT_MS);

  it('a 1-epoch run still reads as a chart', async () => {
    await launch(page, { name: 'one epoch', evaluator: 'training', strategy: 'random', dataset: 'synthetic', budget: '3', epochs: '1' }, { 'action-set': 'mlp' });
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('completed');
    await page.getByTestId('nav-history').click();
    await page.getByTestId('run-row').filter({ hasText: 'one epoch' }).click();
    await page.getByTestId('candidate-row').first().click();
    const chart = page.getByTestId('chart-candidate-accuracy');
    await eventually(() => chart.locator('canvas').count()).toBeGreaterThan(0);
    expect(await chart.textContent()).not.toContain('no data yet');
    // Its one point is drawn inside the plot: uPlot puts the x range around it.
    const xs = await chart.evaluate((el) => {
      const canvas = el.querySelector('canvas')!;
      const ctx = canvas.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && Math.abs(data[i] - data[i + 1]) + Math.abs(data[i + 1] - data[i + 2]) > 60) coloured++;
      return coloured;
    });
    expect(xs).toBeGreaterThan(10);
    await session.shotOf(page.getByTestId('run-detail'), '07-one-epoch-chart');
  }, TEST_TIMEOUT_MS);

  it.skipIf(!nb201DataDir())('draws a NAS-Bench-201 candidate as its cell: 4 nodes and 6 operation edges, all in view', async () => {
    await launch(page, { name: 'cell', evaluator: 'nb201', strategy: 'random', budget: '3' });
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('completed');
    const graph = page.getByTestId('live-current-graph');
    await eventually(() => graph.locator('.react-flow__node').count()).toBe(4);
    await eventually(() => graph.locator('.react-flow__edge').count()).toBe(6);
    const viewport = page.viewportSize()!;
    await graph.scrollIntoViewIfNeeded();
    await eventually(async () => {
      const { canvas, nodes } = await graphBoxes(graph);
      const labels = await graph.locator('.react-flow__edge-textwrapper, .react-flow__edge-text').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })));
      const screen = { x: 0, y: 0, width: viewport.width, height: viewport.height };
      return labels.length >= 6 && [...nodes, ...labels].every((b) => inside(b, canvas) && inside(b, screen));
    }).toBe(true);
    expect(await smallestFont(graph, '.arch-node *')).toBeGreaterThanOrEqual(12);
    const labelSize = await graph.locator('.react-flow__edge-text').first().evaluate((el) => parseFloat(el.ownerDocument.defaultView!.getComputedStyle(el).fontSize) * (el.getBoundingClientRect().height / ((el as unknown as { getBBox(): { height: number } }).getBBox().height || 1)));
    expect(labelSize).toBeGreaterThanOrEqual(12);
    await session.shotOf(graph, '08-nb201-cell');
  }, TEST_TIMEOUT_MS);

  it('undoes and redoes changes in the editor, by keyboard and by button; its nodes are legible', async () => {
    await page.getByTestId('nav-editor').click();
    await page.getByTestId('new-action-set').click();
    const canvas = page.getByTestId('canvas');
    const box = (await canvas.boundingBox())!;
    const layers = page.locator('[data-testid^="node-"]:not([data-testid="node-input"]):not([data-testid="node-output"])');
    await page.getByTestId('palette-dense').dragTo(canvas, { targetPosition: { x: box.width * 0.4, y: box.height * 0.45 } });
    await eventually(() => layers.count()).toBe(1);
    await page.getByTestId('palette-dropout').dragTo(canvas, { targetPosition: { x: box.width * 0.65, y: box.height * 0.45 } });
    await eventually(() => layers.count()).toBe(2);
    expect(await smallestFont(canvas, '.react-flow__node *')).toBeGreaterThanOrEqual(12);

    await page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
    await page.keyboard.press('Control+z');
    await eventually(() => layers.count()).toBe(1);
    await page.keyboard.press('Control+z');
    await eventually(() => layers.count()).toBe(0);
    expect(await page.getByTestId('undo-action-set').isDisabled()).toBe(true);
    await page.keyboard.press('Control+Shift+z');
    await eventually(() => layers.count()).toBe(1);
    await page.keyboard.press('Control+y');
    await eventually(() => layers.count()).toBe(2);
    await page.getByTestId('undo-action-set').click();
    await eventually(() => layers.count()).toBe(1);
    await page.getByTestId('redo-action-set').click();
    await eventually(() => layers.count()).toBe(2);
    expect(await page.getByTestId('redo-action-set').isDisabled()).toBe(true);
    // A name typed is one step back, not one a letter.
    await page.getByTestId('action-set-name').fill('undo me');
    await page.getByTestId('undo-action-set').click();
    await eventually(() => page.getByTestId('action-set-name').inputValue()).toMatch(/^untitled/);
    await session.shot('09-editor-undo');
  }, TEST_TIMEOUT_MS);

  it('follows the system colour scheme: dark backgrounds, charts and graphs included', async () => {
    await page.getByTestId('nav-history').click();
    await page.getByTestId('run-row').filter({ hasText: 'First search' }).click();
    await page.getByTestId('candidate-row').first().click();
    const light = await background(page.locator('body'));
    expect(luminance(light)).toBeGreaterThan(0.8);
    await page.emulateMedia({ colorScheme: 'dark' });
    await eventually(async () => luminance(await background(page.locator('body')))).toBeLessThan(0.2);
    expect(luminance(await background(page.locator('.panel').first()))).toBeLessThan(0.2);
    expect(luminance(await background(page.getByTestId('candidate-graph').locator('.arch-graph-canvas')))).toBeLessThan(0.2);
    // Text is light on it.
    const text = (await page.locator('body').evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).color)).match(/\d+/g)!.slice(0, 3).map(Number);
    expect(luminance(text)).toBeGreaterThan(0.7);
    await session.shotOf(page.getByTestId('run-detail'), '10-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await eventually(async () => luminance(await background(page.locator('body')))).toBeGreaterThan(0.8);
  }, TEST_TIMEOUT_MS);
});
