/**
 * History store queries at scale. Builds a temporary database of 100 runs × 100 candidates ×
 * 20 epochs through recordEvent (the real write path, one transaction per event), then times the
 * history list, a sorted candidate page and a 5-run comparison (medians of 20 repetitions).
 *
 * `npx tsx bench/history.ts [--runs N --candidates N --epochs N]` prints one JSON line:
 *   {"runs_list_ms":…,"candidates_page_ms":…,"compare_5_runs_ms":…,"build_s":…,"db_mb":…,"events":…}
 * Target: each query under 50 ms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HistoryStore } from '../src/main/db/history-store';
import { intFlags, writeFakeRun } from './support/fake-history';

const { runs: RUNS, candidates: CANDIDATES, epochs: EPOCHS } = intFlags({ runs: 100, candidates: 100, epochs: 20 });
const REPS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(fn: () => unknown): number {
  fn(); // warm the statement cache and the page cache
  const samples: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return Math.round(median(samples) * 1000) / 1000;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gennerator-bench-history-'));
const file = path.join(dir, 'history.sqlite');
try {
  const store = HistoryStore.open(file);
  const runIds: string[] = [];
  let events = 0;
  const buildStart = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const options = { name: `bench run ${r}`, candidates: CANDIDATES, epochs: EPOCHS, settingsKey: `key-${r % 4}`, withAgentState: true };
    runIds.push(writeFakeRun(store, options, () => events++));
  }
  const buildSeconds = (performance.now() - buildStart) / 1000;

  const middle = runIds[runIds.length >> 1];
  const five = runIds.slice(0, 5);
  const result = {
    runs_list_ms: time(() => store.listRuns()),
    candidates_page_ms: time(() => store.listCandidates(middle, { sortBy: 'validAcc', order: 'desc', limit: 50 })),
    compare_5_runs_ms: time(() => store.compareSeries(five)),
    build_s: Math.round(buildSeconds * 100) / 100,
    db_mb: 0,
    events,
  };
  store.close(); // checkpoints the WAL into the main file, so its size is the database's
  result.db_mb = Math.round((fs.statSync(file).size / 2 ** 20) * 10) / 10;
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
