/**
 * The history view in a real browser, at scale. Builds a temporary database with one run of 5,000
 * candidates (through recordEvent, the real write path), serves the app in browser mode in this
 * process, opens it in headless Chromium, opens the History tab and clicks the run, then:
 *  - first_render_ms: from the click to the first candidate rows in the page (target < 500 ms);
 *  - scrolls the virtualised candidates table through all rows, one step per animation frame,
 *    recording frame times with requestAnimationFrame in the page.
 *
 * `npx tsx bench/history-ui.ts [--candidates N --epochs N --step ROWS]` prints one JSON line:
 *   {"first_render_ms":…,"scroll_frames":…,"frame_ms_median":…,"frame_ms_p95":…,"frame_ms_max":…,"long_frames_over_50ms":…}
 * Needs Chromium at /usr/bin/chromium (or CHROMIUM=path); builds the renderer first when out/renderer is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { HistoryStore } from '../src/main/db/history-store';
import { BUILT_RENDERER, ensureBuiltRenderer, startBrowserMode } from '../src/main/services/browser-mode';
import { intFlags, writeFakeRun } from './support/fake-history';


const { candidates: CANDIDATES, epochs: EPOCHS, step: STEP_ROWS } = intFlags({
  candidates: 5000,
  epochs: 3,
  /** Rows scrolled per animation frame: 5,000 rows in about 500 frames at the default. */
  step: 10,
});

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function buildDatabase(file: string): string {
  const store = HistoryStore.open(file);
  try {
    const runId = writeFakeRun(store, { name: `bench ${CANDIDATES} candidates`, candidates: CANDIDATES, epochs: EPOCHS, settingsKey: 'bench-ui' });
    return runId;
  } finally {
    store.close();
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (v: number): number => Math.round(v * 10) / 10;

/** In the page: click the run's row, resolve with ms until the first candidate row is in the DOM and its frame starts. */
const CLICK_AND_WAIT = `(runId) => new Promise((resolve, reject) => {
  const row = document.querySelector('[data-testid="run-row"][data-run-id="' + runId + '"]');
  if (!row) return reject(new Error('no row for run ' + runId));
  const found = () => document.querySelector('[data-testid="candidate-row"]');
  const timeout = setTimeout(() => { observer.disconnect(); reject(new Error('no candidate rows after 10 s')); }, 10000);
  const observer = new MutationObserver(() => {
    if (!found()) return;
    observer.disconnect();
    clearTimeout(timeout);
    requestAnimationFrame(() => resolve(performance.now() - start));
  });
  observer.observe(document.body, { childList: true, subtree: true });
  const start = performance.now();
  row.click();
})`;

/**
 * In the page: scroll the candidates table to the bottom, stepRows rows per frame, timing frames
 * with requestAnimationFrame; then wait for the last rows' data. Resolves with the frame times
 * and the highest candidate index on screen at the end.
 */
const SCROLL_THROUGH = `(stepRows) => new Promise((resolve, reject) => {
  const scroller = document.querySelector('[data-testid="candidates-scroll"]');
  if (!scroller) return reject(new Error('no candidates table'));
  const firstRow = document.querySelector('[data-testid="candidate-row"]');
  const rowHeight = firstRow ? firstRow.getBoundingClientRect().height : 28;
  const step = stepRows * rowHeight;
  const frames = [];
  const longTasks = [];
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(Math.round(e.duration)); });
  try { observer.observe({ type: 'longtask' }); } catch {}
  let last = null;
  const frame = (now) => {
    if (last !== null) frames.push(now - last);
    last = now;
    const max = scroller.scrollHeight - scroller.clientHeight;
    if (scroller.scrollTop >= max - 1) return settle();
    scroller.scrollTop = Math.min(max, scroller.scrollTop + step);
    requestAnimationFrame(frame);
  };
  const settle = () => {
    const began = performance.now();
    const check = () => {
      const rows = [...document.querySelectorAll('[data-testid="candidate-row"]')].map((r) => Number(r.getAttribute('data-index')));
      const loading = document.querySelectorAll('[data-testid="candidate-row-loading"]').length;
      const maxIndex = rows.length ? Math.max(...rows) : -1;
      if (loading === 0 || performance.now() - began > 5000) { observer.disconnect(); resolve({ frames, maxIndex, loading, scrollHeight: scroller.scrollHeight, longTasks }); }
      else requestAnimationFrame(check);
    };
    check();
  };
  requestAnimationFrame(frame);
})`;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gennerator-bench-history-ui-'));
  const file = path.join(dir, 'history.sqlite');
  let cleanup: Array<() => Promise<void> | void> = [() => fs.rmSync(dir, { recursive: true, force: true })];
  try {
    const buildStart = performance.now();
    const runId = buildDatabase(file);
    log(`database: ${CANDIDATES} candidates × ${EPOCHS} epochs in ${((performance.now() - buildStart) / 1000).toFixed(1)} s`);
    if (!ensureBuiltRenderer(log)) throw new Error('the renderer build failed');

    const mode = await startBrowserMode({
      dbPath: file,
      port: 0,
      renderer: BUILT_RENDERER,
      defaultExportDir: path.join(dir, 'exports'),
      engineStdio: 'ignore',
      log: (message) => log(`warning: ${message}`),
    });
    const { server } = mode;
    cleanup = [() => mode.close(), ...cleanup];

    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless', '--disable-gpu'] });
    cleanup = [() => browser.close(), ...cleanup];
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => log(`page error: ${error.message}`));
    await page.goto(server.url);
    await page.getByTestId('nav-history').click();
    await page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`).waitFor();

    const firstRender = (await page.evaluate(`(${CLICK_AND_WAIT})(${JSON.stringify(runId)})`)) as number;
    // Let the first page and the detail settle before scrolling.
    await page.waitForTimeout(300);
    const scrolled = (await page.evaluate(`(${SCROLL_THROUGH})(${STEP_ROWS})`)) as { frames: number[]; maxIndex: number; loading: number; scrollHeight: number; longTasks: number[] };
    log(`scrolled to candidate #${scrolled.maxIndex} (${scrolled.loading} rows still loading at the end; table ${scrolled.scrollHeight} px)`);
    log(`long tasks in the page while scrolling (ms): ${scrolled.longTasks.length ? scrolled.longTasks.join(', ') : 'none'}`);
    if (scrolled.maxIndex < CANDIDATES - 1) log(`warning: the last rows did not arrive (highest index on screen ${scrolled.maxIndex})`);

    const frames = [...scrolled.frames].sort((a, b) => a - b);
    const result = {
      first_render_ms: round(firstRender),
      scroll_frames: frames.length,
      frame_ms_median: round(percentile(frames, 50)),
      frame_ms_p95: round(percentile(frames, 95)),
      frame_ms_max: round(frames.length ? frames[frames.length - 1] : 0),
      long_frames_over_50ms: frames.filter((f) => f > 50).length,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const step of cleanup) {
      try {
        await step();
      } catch (error) {
        log(`cleanup: ${(error as Error).message}`);
      }
    }
  }
}

main().then(
  // The backend probe's engine child may still be starting: it exits when this process does.
  () => process.exit(0),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
