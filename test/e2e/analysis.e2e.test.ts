/**
 * The analysis views in a real browser (browser mode, Chromium). The history holds runs the CLI
 * made: three PPO searches of NAS-Bench-201 that differ only in seed, and a PPO search over an
 * action set on the synthetic dataset. A person opens each run's Pareto front, brushes its parallel
 * coordinates, reads which choices matter and what the agent did, is warned before and while a run
 * whose budget is too small for the agent to learn, and compares the runs. Every number checked is
 * one the page shows, against what the history holds; each view is saved under test-results/.
 */
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/db/history-store';
import { choiceEffects, choiceSlots } from '../../src/renderer/src/features/analysis/choices';
import { paretoFront, paretoPoints } from '../../src/renderer/src/features/analysis/pareto';
import { eventually, fillLauncher, SEARCH_PATIENCE_MS, startBrowserSession, TEST_TIMEOUT_MS, type BrowserSession } from '../support/browser-session';
import { runCli, tempDataDir } from '../support/cli';
import { nb201DataDir } from '../support/nb201';

const home = tempDataDir();
const db = join(home, 'history.db');
const SEEDS = [0, 1, 2];

let app: BrowserSession;
let page: BrowserSession['page'];
/** Run ids by name. */
const runs: Record<string, string> = {};

async function search(name: string, args: string[]): Promise<void> {
  const result = await runCli(['search', ...args, '--name', name, '--db', db, '--json']);
  expect(result.code, result.stderr).toBe(0);
  runs[name] = String(result.events.at(-1)!.run_id);
}

/** What the history holds for a run, read as the app's main process reads it. */
function history<T>(read: (store: HistoryStore) => T): T {
  const store = HistoryStore.open(db);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

async function openRun(name: string): Promise<void> {
  await page.getByTestId('nav-history').click();
  await page.getByTestId('run-row').filter({ hasText: name }).click();
  await eventually(() => page.getByTestId('analysis').getAttribute('data-run-id')).toBe(runs[name]);
  await eventually(() => page.getByTestId('analysis').getAttribute('data-loading')).toBe('false');
}

const percent = (text: string | null) => Number(/(-?[\d.]+)%/.exec(text ?? '')?.[1]);

async function texts(locator: Locator): Promise<string[]> {
  return locator.evaluateAll((elements) => elements.map((e) => e.textContent ?? ''));
}

beforeAll(async () => {
  // Two searches at a time (the machine has two cores), writing the same history.
  await Promise.all([
    (async () => {
      for (const seed of SEEDS.slice(0, 2)) await search(`nb201 ppo seed ${seed}`, ['--evaluator', 'nb201', '--strategy', 'ppo', '--budget', '30', '--seed', String(seed)]);
    })(),
    (async () => {
      await search(`nb201 ppo seed ${SEEDS[2]}`, ['--evaluator', 'nb201', '--strategy', 'ppo', '--budget', '30', '--seed', String(SEEDS[2])]);
      await search('synthetic ppo', ['--dataset', 'synthetic', '--strategy', 'ppo', '--budget', '12', '--epochs', '1', '--action-set', 'resources/action-sets/mlp.json', '--backend', 'wasm']);
    })(),
  ]);
  // Every candidate of every run was recorded.
  for (const [name, budget] of [...SEEDS.map((s) => [`nb201 ppo seed ${s}`, 30] as const), ['synthetic ppo', 12] as const]) {
    expect(history((store) => store.getRun(runs[name])), name).toMatchObject({ status: 'completed', evaluations: budget });
  }
  app = await startBrowserSession('analysis-e2e-out', { db, home, shotPrefix: 'analysis' });
  page = app.page;
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await app?.close();
});

describe.skipIf(!nb201DataDir())('analysis views in Chromium', () => {
  it('Pareto front: the non-dominated candidates are highlighted, listed and selectable', async () => {
    const name = 'nb201 ppo seed 0';
    await openRun(name);
    await page.getByTestId('analysis-tab-pareto').click();
    const candidates = history((store) => store.runAnalysis(runs[name]));
    const front = paretoFront(paretoPoints(candidates, 'params'));
    expect(front.length).toBeGreaterThan(0);
    const summary = page.getByTestId('pareto-summary');
    await eventually(() => summary.getAttribute('data-front')).toBe(String(front.length));
    expect(await summary.textContent()).toContain(`${front.length} of ${paretoPoints(candidates, 'params').length} architectures are on the front`);
    expect((await page.getByTestId('pareto-front-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-index')))))).toEqual(front);
    await eventually(() => page.getByTestId('chart-pareto').locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-pareto').textContent()).toContain('Pareto front');

    // Selecting the most accurate one on the front shows it.
    const last = page.getByTestId('pareto-front-row').last();
    await last.click();
    await eventually(() => page.getByTestId('candidate-detail').getAttribute('data-index')).toBe(String(front.at(-1)));
    await eventually(() => last.getAttribute('class')).toBe('selected');
    await app.shotOf(page.getByTestId('run-detail'), '01-pareto');
  }, TEST_TIMEOUT_MS);

  it('parallel coordinates: brushing the accuracy axis and an edge filters the candidates table', async () => {
    await page.getByTestId('analysis-tab-parallel').click();
    const kept = page.getByTestId('parallel-kept');
    await eventually(() => kept.getAttribute('data-kept')).toBe('30');
    expect(await page.getByTestId('parallel-svg').locator('[data-testid^="parallel-axis-"]').count()).toBe(8); // 6 edges, parameters, accuracy

    // Drag along the upper half of the accuracy axis.
    const axis = (await page.getByTestId('parallel-hit-signal').boundingBox())!;
    const x = axis.x + axis.width / 2;
    await page.mouse.move(x, axis.y + 6);
    await page.mouse.down();
    await page.mouse.move(x, axis.y + axis.height * 0.3, { steps: 4 });
    await page.mouse.move(x, axis.y + axis.height / 2, { steps: 4 });
    await page.mouse.up();
    await eventually(async () => Number(await kept.getAttribute('data-kept'))).toBeLessThan(30);
    const inside = Number(await kept.getAttribute('data-kept'));
    expect(inside).toBeGreaterThan(0);
    const chip = await page.getByTestId('parallel-brush-chip').first().textContent();
    expect(chip).toMatch(/^val\. accuracy: [\d.]+%–[\d.]+%/);
    const lowest = percent(chip);

    // The table lists exactly the candidates inside the brush, each at least as accurate as its lower end.
    const table = page.getByTestId('candidates-table');
    await eventually(() => table.getAttribute('data-total')).toBe(String(inside));
    await eventually(() => page.getByTestId('candidates-brushed').textContent()).toContain(`${inside} kept by the brushes`);
    await eventually(() => page.getByTestId('candidate-row').count()).toBe(inside);
    const accuracies = await page.getByTestId('candidate-row').evaluateAll((rows) => rows.map((r) => r.children[2].textContent ?? ''));
    for (const text of accuracies) expect(percent(text)).toBeGreaterThanOrEqual(lowest - 0.05);
    await app.shotOf(page.getByTestId('run-detail'), '02-parallel-brushed');

    // A second brush, on the first edge's top value: the table narrows to both.
    const edge = (await page.getByTestId('parallel-hit-slot:0').boundingBox())!;
    await page.mouse.move(edge.x + edge.width / 2, edge.y + 2);
    await page.mouse.down();
    await page.mouse.move(edge.x + edge.width / 2, edge.y + 14, { steps: 3 });
    await page.mouse.up();
    await eventually(() => page.getByTestId('parallel-brush-chip').count()).toBe(2);
    const both = Number(await kept.getAttribute('data-kept'));
    expect(both).toBeLessThanOrEqual(inside);
    await eventually(() => table.getAttribute('data-total')).toBe(String(both));
    await app.shotOf(page.getByTestId('run-detail'), '03-parallel-two-brushes');

    await page.getByTestId('candidates-clear-brushes').click();
    await eventually(() => table.getAttribute('data-total')).toBe('30');
    await eventually(() => kept.getAttribute('data-kept')).toBe('30');
  }, TEST_TIMEOUT_MS);

  it('which choices matter: each operation per edge with its mean accuracy and 95% interval, sorted', async () => {
    await page.getByTestId('analysis-tab-choices').click();
    const name = 'nb201 ppo seed 0';
    const candidates = history((store) => store.runAnalysis(runs[name]));
    const expected = choiceEffects(candidates, choiceSlots(candidates)!);
    await eventually(() => page.getByTestId('choice-group').count()).toBe(expected.length);
    const first = page.getByTestId('choice-group').first();
    expect(await first.getAttribute('data-group')).toBe(expected[0].group);
    const rows = first.getByTestId('choice-row');
    expect(await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-value')))).toEqual(expected[0].effects.map((e) => e.value));
    const cells = await rows.evaluateAll((r) => r.map((row) => [...row.children].map((c) => c.textContent ?? '')));
    const means = cells.map((c) => percent(c[2]));
    expect(means).toEqual([...means].sort((a, b) => b - a));
    cells.forEach((c, i) => {
      const effect = expected[0].effects[i];
      expect(Number(c[1])).toBe(effect.n);
      expect(means[i]).toBeCloseTo(effect.mean * 100, 1);
      if (effect.low === null) expect(c[3]).toBe('–');
      else expect(c[3]).toBe(`${(effect.low * 100).toFixed(1)}% – ${(effect.high! * 100).toFixed(1)}%`);
    });
    await app.shotOf(page.getByTestId('run-detail'), '04-choices-nb201');

    // A network search: layers, depth, layer kinds and parameter values.
    await openRun('synthetic ppo');
    await page.getByTestId('analysis-tab-choices').click();
    await eventually(() => page.getByTestId('choice-group').count()).toBeGreaterThan(0);
    const groups = await page.getByTestId('choice-group').evaluateAll((g) => g.map((e) => e.getAttribute('data-group')));
    expect(groups).toContain('layer 1');
    expect(groups.some((g) => g === 'depth' || g === 'dense units' || g === 'layer kind')).toBe(true);
    await app.shotOf(page.getByTestId('run-detail'), '05-choices-layers');
  }, TEST_TIMEOUT_MS);

  it("the agent: its policy per edge over its updates, and each candidate's reward in parts", async () => {
    const name = 'nb201 ppo seed 1';
    await openRun(name);
    await page.getByTestId('analysis-tab-agent').click();
    const updates = history((store) => store.agentUpdates(runs[name]));
    expect(updates.map((u) => u.evaluations)).toEqual([10, 20, 30]);
    const heatmap = page.getByTestId('policy-heatmap');
    await eventually(() => heatmap.getAttribute('data-columns')).toBe('3');
    const shownRows = Number(await heatmap.getAttribute('data-rows'));
    const everAbove = updates[0].policy!.flatMap((slot, s) => slot.map((_, v) => Math.max(...updates.map((u) => u.policy![s][v])))).filter((p) => p >= 0.01);
    expect(shownRows).toBe(everAbove.length);
    expect(await page.getByTestId('policy-row').first().textContent()).toContain('edge 1←0');
    await eventually(() => page.getByTestId('chart-reward-parts').locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('agent-budget-warning').count()).toBe(0);
    await app.shotOf(page.getByTestId('run-detail'), '06-agent-policy');

    // A trained network's reward: its accuracy plus the build bonus.
    await openRun('synthetic ppo');
    await page.getByTestId('candidate-row').first().click();
    await eventually(() => page.getByTestId('candidate-reward-parts').textContent()).toMatch(/= [\d.]+ metric \+ 1 build bonus$/);
    // One epoch of training still reads as a chart: its point is drawn, with percent on the accuracy axis.
    await eventually(() => page.getByTestId('chart-candidate-accuracy').locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-candidate-accuracy').textContent()).not.toContain('no data yet');
    await page.getByTestId('analysis-tab-agent').click();
    await eventually(() => page.getByTestId('chart-reward-parts').textContent()).toContain('build bonus');
    await app.shotOf(page.getByTestId('run-detail'), '07-agent-reward-parts');
  }, TEST_TIMEOUT_MS);

  it('warns in the launcher, the live view and the history when the budget is too small for PPO to update', async () => {
    const message = 'The agent never learns with a budget of 5: PPO updates its policy once every 10 candidates (its rollout), so every candidate comes from its untrained, near-uniform policy. Raise the budget to at least 10.';
    await fillLauncher(page, { name: 'too small', evaluator: 'nb201', strategy: 'ppo', mode: 'full', budget: '5' });
    await eventually(() => page.getByTestId('launch-budget-warning').textContent()).toBe(message);
    await app.shotOf(page.getByTestId('launch-form'), '08-launcher-budget-warning');
    await page.getByTestId('launch-budget').fill('10');
    await eventually(() => page.getByTestId('launch-budget-warning').count()).toBe(0);
    await page.getByTestId('launch-budget').fill('5');
    await page.getByTestId('launch-start').click();
    await page.getByTestId('live-view').waitFor({ state: 'visible' });
    await eventually(() => page.getByTestId('live-budget-warning').textContent()).toBe(message);
    await eventually(() => page.getByTestId('live-status').getAttribute('data-status'), SEARCH_PATIENCE_MS).toBe('completed');
    await app.shot('09-live-budget-warning');

    await page.getByTestId('nav-history').click();
    await page.getByTestId('run-row').filter({ hasText: 'too small' }).click();
    await page.getByTestId('analysis-tab-agent').click();
    await eventually(() => page.getByTestId('agent-budget-warning').textContent()).toBe(message);
    expect(await page.getByTestId('policy-empty').textContent()).toBe('The agent has not updated its policy yet.');
  }, TEST_TIMEOUT_MS);

  it('compare: warns that evaluators and datasets differ, aggregates the seeds, and shows the config differences', async () => {
    await page.getByTestId('nav-history').click();
    const ids = [...SEEDS.map((s) => runs[`nb201 ppo seed ${s}`]), runs['synthetic ppo']];
    for (const id of ids) await page.getByTestId(`run-select-${id.slice(0, 8)}`).check();
    await page.getByTestId('compare-selected').click();
    await eventually(() => page.getByTestId('compare-warning').count()).toBe(2);
    expect(await texts(page.getByTestId('compare-warning'))).toEqual([
      'These runs use different evaluators (nb201, training): a NAS-Bench-201 accuracy is a table\'s 12-epoch result, not one trained here, so the curves do not compare.',
      'These runs search different datasets (NAS-Bench-201 cifar10, synthetic): their accuracies do not compare.',
    ]);
    const group = page.getByTestId('compare-seed-group');
    await eventually(() => group.count()).toBe(1);
    expect(await group.getAttribute('data-runs')).toBe('3');
    expect(await group.textContent()).toContain('3 runs differ only in seed');
    await eventually(() => page.getByTestId('chart-compare-seeds').locator('canvas').count()).toBeGreaterThan(0);
    const paths = await page.getByTestId('config-diff-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path')));
    for (const path of ['evaluator', 'seed', 'name', 'dataset', 'actionSet']) expect(paths).toContain(path);
    expect(await page.getByTestId('config-diff-row').filter({ has: page.locator('td', { hasText: /^dataset$/ }) }).evaluate((r) => [...r.children].map((c) => c.textContent))).toEqual([
      'dataset',
      '(unused)',
      '(unused)',
      '(unused)',
      'synthetic',
    ]);
    const seedRow = await page.getByTestId('config-diff-row').filter({ has: page.locator('td', { hasText: /^seed$/ }) }).evaluate((r) => [...r.children].map((c) => c.textContent));
    expect(seedRow).toEqual(['seed', '0', '1', '2', '0']);
    // Smoothing the noisy reward per candidate: a smoothed line per run, the raw values behind it.
    const reward = page.getByTestId('chart-compare-reward');
    expect(await reward.textContent()).not.toContain('(raw)');
    await page.getByTestId('chart-compare-reward-smoothing').fill('0.6');
    await eventually(() => reward.textContent()).toMatch(/nb201 ppo seed 0 \([0-9a-f]{8}\) \(raw\)/);
    await app.shotOf(page.getByTestId('compare-view'), '10-compare');
  }, TEST_TIMEOUT_MS);
});
