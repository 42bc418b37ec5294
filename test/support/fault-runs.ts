/** The fault tests' runs, and what a user would check in a history after their crashes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect } from 'vitest';
import { HistoryStore } from '../../src/main/db/history-store';
import { parseRunConfig, type RunConfig, type RunConfigInput, type StrategyName } from '../../src/shared/run-config';
import { REPO_ROOT } from './cli';

export const FAULT_ACTION_SET = 'resources/action-sets/mlp.json';
const mlpActionSet = JSON.parse(readFileSync(join(REPO_ROOT, FAULT_ACTION_SET), 'utf8')) as unknown;

/** A small seeded search of MLPs on the synthetic dataset, trained `epochs` epochs each. */
export function faultRunConfig(options: { budget: number; strategy: StrategyName; epochs: number } & Partial<RunConfigInput>): RunConfig {
  const { budget, strategy, epochs, ...rest } = options;
  return parseRunConfig({
    evaluator: 'training',
    strategy,
    budget,
    seed: 3,
    dataset: 'synthetic',
    training: { epochs, batchSize: 32, seed: 3 },
    actionSet: mlpActionSet,
    ...rest,
  });
}

/** Opens history stores that are closed after the test file. */
export function storeOpener(): (path: string) => HistoryStore {
  const stores: HistoryStore[] = [];
  afterAll(() => stores.forEach((s) => s.close()));
  return (path) => {
    const store = HistoryStore.open(path);
    stores.push(store);
    return store;
  };
}

/**
 * The file is intact, no run or candidate is left active, every index up to the budget is there once,
 * every completed candidate that trained has exactly `epochs` epoch rows, and the run completed.
 */
export function expectCleanHistory(dbPath: string, runId: string, { budget, epochs }: { budget: number; epochs: number }): void {
  const db = new Database(dbPath, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT count(*) AS n FROM runs WHERE status IN ('running', 'created', 'paused')").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM candidates WHERE status IN ('running', 'interrupted')").get()).toEqual({ n: 0 });
    const rows = db.prepare('SELECT id, idx, status, cached FROM candidates WHERE run_id = ? ORDER BY idx').all(runId) as Array<{ id: number; idx: number; status: string; cached: number }>;
    expect(rows.map((r) => r.idx)).toEqual(Array.from({ length: budget }, (_, i) => i));
    // A candidate trained again after a kill replaced its half-trained attempt: exactly `epochs` rows each.
    for (const row of rows.filter((r) => r.status === 'completed' && !r.cached)) {
      expect(db.prepare('SELECT count(*) AS n FROM epochs WHERE candidate_id = ?').get(row.id)).toEqual({ n: epochs });
    }
    expect(db.prepare('SELECT status, evaluations, budget FROM runs WHERE id = ?').get(runId)).toEqual({ status: 'completed', evaluations: budget, budget });
  } finally {
    db.close();
  }
}

/** The run's candidates by index: architecture hash, and whether it came from the cache. */
export function candidateSequence(store: HistoryStore, runId: string, options: { cached: boolean } = { cached: true }): string[] {
  return store.listCandidates(runId, { sortBy: 'index', order: 'asc', limit: 10_000 }).rows.map((c) => `${c.hash}${options.cached && c.cached ? ' cached' : ''}`);
}
