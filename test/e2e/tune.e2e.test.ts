/**
 * The Tune view (the second mode) in Chromium against `cli serve`: a controller learned from the
 * view's form on networks sampled from the bundled "mlp" action set shows its episodes and learning curve; applied to a network it never saw, against
 * constant and cosine schedules over two seeds, the view shows the comparison table, the training on
 * one epoch axis with the hyperparameters beneath, and the schedule it followed — the numbers checked
 * against the history database. Bad requests are refused with what and where. Screenshots under
 * test-results/ (e2e-tune-*.png), one in dark mode.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/db/history-store';
import { compareSchedules, formatAccuracy } from '../../src/renderer/src/features/tune/model';
import { eventually, SEARCH_PATIENCE_MS, startBrowserSession, TEST_TIMEOUT_MS, type BrowserSession } from '../support/browser-session';

let session: BrowserSession;
let page: Page;

beforeAll(async () => {
  session = await startBrowserSession('e2e-tune-out');
  ({ page } = session);
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await session?.close();
});

/** Reads the history the server writes (a second connection; SQLite lets it read while serve writes). */
function readHistory<T>(read: (store: HistoryStore) => T): T {
  const store = HistoryStore.open(session.db);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

async function fill(fields: Record<string, string>): Promise<void> {
  for (const [testId, value] of Object.entries(fields)) {
    const control = page.getByTestId(testId);
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
    else await control.fill(value);
  }
}

const heldOut = JSON.stringify({ name: 'held-out mlp 32', layers: [{ type: 'flatten' }, { type: 'dense', units: 32, activation: 'relu' }, { type: 'dropout', rate: 0.2 }] });

describe('the Tune view, in Chromium (browser mode)', () => {
  it('learns a controller from the form on networks sampled from an action set, and shows its episodes and learning curve', async () => {
    await page.getByTestId('nav-tune').click();
    await page.getByTestId('tune-welcome').waitFor({ state: 'visible' });
    await page.getByTestId('tune-new-learn').click();
    await page.getByTestId('tune-learn-source-sample').check();
    const mlpSet = await page.getByTestId('tune-learn-action-set').locator('option', { hasText: 'mlp' }).first().getAttribute('value');
    await fill({ 'tune-learn-action-set': mlpSet!, 'tune-learn-count': '2' });
    // Updates after 2 to 4 decisions: the controller's policy changes within these few episodes.
    await fill({ 'tune-learn-name': 'e2e controller', 'tune-dataset': 'synthetic', 'tune-subset': '', 'tune-epochs': '2', 'tune-decisionsPerEpoch': '2', 'tune-learn-episodes': '3', 'tune-learn-seed': '1' });
    await fill({ 'tune-learn-freq-min': '2', 'tune-learn-freq-max': '4' });
    await page.getByTestId('tune-learn-start').click();

    const detail = page.getByTestId('tune-controller');
    await detail.waitFor({ state: 'visible' });
    await eventually(() => detail.getByTestId('run-status').first().textContent(), SEARCH_PATIENCE_MS).toBe('ready');
    await eventually(() => detail.getByTestId('tune-episodes').textContent()).toBe('3 of 3');
    const controller = readHistory((store) => store.getController('e2e controller'))!;
    expect(controller.curve).toHaveLength(3);
    const meanReturn = controller.curve.reduce((a, p) => a + p.return, 0) / 3;
    expect(await detail.getByTestId('tune-recent-return').textContent()).toBe(meanReturn.toFixed(3));
    expect(await detail.getByTestId('tune-threshold').textContent()).toBe(controller.curve[2].threshold.toFixed(2));
    expect(await page.getByTestId('tune-controller-row').filter({ hasText: 'e2e controller' }).textContent()).toContain('3/3 episodes · 2 tasks');
    expect(controller.tasks.map((t) => t.name)).toEqual(['mlp #1', 'mlp #2']);
    expect(await detail.getByTestId('tune-frequency').textContent()).toBe('2–4 decisions');
    // The learning curve has its three points (no "no data yet").
    expect(await page.getByTestId('tune-curve-return').locator('.chart-empty').count()).toBe(0);
    expect(await page.getByTestId('tune-tasks').locator('tbody td:first-child').allTextContents()).toEqual(['mlp #1', 'mlp #2']);
    await session.shotOf(page.getByTestId('tune-view'), 'tune-01-controller');
  }, TEST_TIMEOUT_MS);

  it('applies it to a network it never saw against constant and cosine, and shows the comparison, the curves and the schedule it followed', async () => {
    await page.getByTestId('tune-apply-this').click();
    const form = page.getByTestId('tune-apply-form');
    await form.waitFor({ state: 'visible' });
    expect(await page.getByTestId('tune-apply-controller').inputValue()).toBe('e2e controller');
    await fill({ 'tune-model-text': heldOut, 'tune-dataset': 'synthetic', 'tune-subset': '', 'tune-epochs': '3', 'tune-decisionsPerEpoch': '2', 'tune-seeds': '0,1' });
    await page.getByTestId('tune-baseline-step').setChecked(false);
    await page.getByTestId('tune-apply-start').click();

    const detail = page.getByTestId('tune-session');
    await detail.waitFor({ state: 'visible' });
    await eventually(() => detail.getByTestId('run-status').first().textContent(), SEARCH_PATIENCE_MS).toBe('completed');
    const saved = readHistory((store) => store.listTuneSessions())[0];
    expect(saved).toMatchObject({ controller: 'e2e controller', status: 'completed', task: { name: 'held-out mlp 32', epochs: 3 } });

    // The table: each schedule over both seeds, the test accuracy as the history has it.
    const rows = detail.getByTestId('tune-compare-row');
    await eventually(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-schedule')))).toEqual(['controller', 'constant', 'cosine']);
    const expected = compareSchedules(saved);
    for (const [i, row] of expected.entries()) {
      expect(await rows.nth(i).locator('td').nth(1).textContent()).toBe('2/2');
      expect(await rows.nth(i).getByTestId('tune-compare-test').textContent()).toBe(formatAccuracy(row.testMean, row.testStd));
      expect(await rows.nth(i).getByTestId('tune-compare-test').textContent()).toMatch(/^\d{1,3}\.\d\d% ± \d+\.\d\d$/);
    }

    // The schedule the controller followed (seed 0): 3 epochs × 2 decision points, the last being the end → 5 decisions.
    const steered = saved.schedules.find((s) => s.schedule === 'controller' && s.seed === 0)!.outcome!;
    const interventions = steered.decisions.filter((d) => d.intervened).length;
    expect(steered.decisions).toHaveLength(5);
    expect(await detail.getByTestId('tune-schedule-summary').textContent()).toContain(`${interventions} intervention${interventions === 1 ? '' : 's'} in 5 decisions`);
    expect(await detail.getByTestId('tune-intervention').count()).toBe(interventions);
    await page.getByTestId('tune-schedule-all').check();
    expect(await detail.locator('.tune-decisions li').count()).toBe(5);
    // Every chart of the time axis marks each intervention; the hyperparameter charts are there.
    expect(await detail.getByTestId('tune-charts').getAttribute('data-interventions')).toBe(String(interventions));
    for (const chart of ['accuracy', 'loss', 'lr', 'optimizer', 'dropout', 'weight-decay']) {
      expect(await detail.getByTestId(`tune-chart-${chart}`).getAttribute('data-marks')).toBe(String(interventions));
    }
    // The legend of the accuracy chart names the three schedules.
    expect(await detail.getByTestId('tune-chart-accuracy').locator('.u-legend').textContent()).toMatch(/controller[\s\S]*constant[\s\S]*cosine decay/);
    await session.shotOf(detail, 'tune-02-session');

    // Seed 1's training is one choice away.
    await page.getByTestId('tune-seed').selectOption('1');
    const seed1 = saved.schedules.find((s) => s.schedule === 'controller' && s.seed === 1)!.outcome!;
    await eventually(() => detail.getByTestId('tune-charts').getAttribute('data-interventions')).toBe(String(seed1.decisions.filter((d) => d.intervened).length));

    await page.emulateMedia({ colorScheme: 'dark' });
    const background = await detail.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor);
    expect(background).toBe('rgb(28, 32, 39)');
    await session.shotOf(page.getByTestId('tune-view'), 'tune-03-session-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // The session is listed with the controller's result against the best baseline.
    expect(await page.getByTestId('tune-session-row').first().textContent()).toContain(`controller ${formatAccuracy(expected[0].testMean, null)}`);
  }, TEST_TIMEOUT_MS);

  it('refuses a bad network in the form and a missing dataset in main, recording nothing', async () => {
    await page.getByTestId('tune-new-apply').click();
    await fill({ 'tune-model-text': '{"layers":[{"type":"dense","units":-3}]}' });
    await page.getByTestId('tune-apply-start').click();
    await eventually(() => page.getByTestId('tune-form-problem').textContent()).toMatch(/^architecture: layer 1 \(dense\): units/);

    await fill({ 'tune-model-text': heldOut, 'tune-dataset': 'fashion-mnist', 'tune-dataDir': '/nonexistent-fmnist' });
    await page.getByTestId('tune-apply-start').click();
    await eventually(() => page.getByTestId('tune-error').textContent()).toMatch(/^dataset fashion-mnist: \/nonexistent-fmnist: directory not found/);
    await session.shotOf(page.getByTestId('tune-view'), 'tune-04-refused');
    expect(readHistory((store) => store.listTuneSessions())).toHaveLength(1);
  }, TEST_TIMEOUT_MS);
});
