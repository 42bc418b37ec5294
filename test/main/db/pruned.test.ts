/**
 * Pruned candidates in the history: recorded as finished with the epochs they reached, never a
 * run's best nor a cached result, marked in series and exports; and the migration that lets the
 * status in rebuilds the candidates table without losing or breaking anything.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, migrate } from '../../../src/main/db/migrations';
import { exportRunHistory } from '../../../src/main/services/exporter';
import { CANDIDATE_STATUSES } from '../../../src/shared/run-config';
import { createRun, makeConfig, openStore, proposed, query, recordCandidate, tempDir } from './helpers';

describe('a pruned candidate in the history', () => {
  it('is a finished evaluation with the epochs it reached, never the best, never a cache source, and marked in series and exports', () => {
    const store = openStore();
    const runId = createRun(store, {}, 'settings-P');
    recordCandidate(store, runId, 0, { hash: 'a', signal: 0.7, epochs: [0.5, 0.6, 0.7] });
    // Stopped at epoch 2 with an accuracy above the completed candidate's final one.
    recordCandidate(store, runId, 1, { hash: 'b', signal: 0.75, status: 'pruned', epochs: [0.6, 0.75], testAccuracy: undefined });
    recordCandidate(store, runId, 2, { hash: 'c', signal: 0.65, epochs: [0.5, 0.6, 0.65] });

    expect(store.getCandidate(runId, 1)).toMatchObject({ status: 'pruned', epochsReached: 2, validAcc: 0.75, bestValidAcc: 0.75, epochs: [{ epoch: 1 }, { epoch: 2 }] });
    expect(store.getCandidate(runId, 0)).toMatchObject({ status: 'completed', epochsReached: 3 });
    expect(store.getRun(runId)).toMatchObject({ evaluations: 3, bestIndex: 0, bestSignal: 0.7 });
    expect(store.listCandidates(runId, { status: 'pruned' }).rows.map((r) => r.index)).toEqual([1]);
    expect(store.runSeries(runId)).toEqual([
      { index: 0, reward: 0.7, signal: 0.7, bestSoFar: 0.7 },
      { index: 1, reward: 0.75, signal: 0.75, bestSoFar: 0.7, pruned: true },
      { index: 2, reward: 0.65, signal: 0.65, bestSoFar: 0.7 },
    ]);
    // The replay dictionary offers the completed results only.
    expect(store.cachedOutcomes('settings-P').map((o) => o.hash)).toEqual(['a', 'c']);

    // Deleting the best recomputes it from what is left: still never the pruned candidate.
    store.recordEvent(runId, proposed(0, 'a2'));
    expect(store.getRun(runId)).toMatchObject({ evaluations: 2, bestIndex: 2, bestSignal: 0.65 });

    const dir = tempDir();
    exportRunHistory(store, runId, dir);
    const csv = readFileSync(path.join(dir, 'candidates.csv'), 'utf8').trim().split('\n');
    const header = csv[0].split(',');
    const pruned = csv.find((line) => line.startsWith('1,'))!.split(',');
    expect(pruned[header.indexOf('status')]).toBe('pruned');
    expect(pruned[header.indexOf('epochs_reached')]).toBe('2');
    const history = JSON.parse(readFileSync(path.join(dir, 'history.json'), 'utf8')) as { candidates: Array<{ index: number; status: string; epochsReached: number; epochs: unknown[] }> };
    expect(history.candidates.find((c) => c.index === 1)).toMatchObject({ status: 'pruned', epochsReached: 2, epochs: [{}, {}] });

    expect(query(store.path, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(query(store.path, 'PRAGMA foreign_key_check')).toEqual([]);
  });

  it('counts as finished when a run resumes: it is kept, not evaluated again', () => {
    const store = openStore();
    const runId = createRun(store);
    recordCandidate(store, runId, 0, { signal: 0.7, epochs: [0.7, 0.7] });
    store.recordEvent(runId, proposed(1));
    recordCandidate(store, runId, 2, { signal: 0.2, status: 'pruned', epochs: [0.2] });
    store.recordEvent(runId, { type: 'candidate_finished', index: 1, status: 'completed', signal: 0.6, reward: 0.6, cached: false, seconds: 1 }, { checkpoint: { at: 3 } });
    store.recordEvent(runId, proposed(3));
    store.prepareResume(runId);
    expect(store.listCandidates(runId).rows.map((r) => [r.index, r.status])).toEqual([
      [0, 'completed'],
      [1, 'completed'],
      [2, 'pruned'],
    ]);
  });

  it('every candidate status the app knows is one the schema accepts', () => {
    const store = openStore();
    const runId = createRun(store);
    store.recordEvent(runId, proposed(0));
    const db = new Database(store.path);
    try {
      for (const status of CANDIDATE_STATUSES) expect(() => db.prepare(`UPDATE candidates SET status = ? WHERE run_id = ?`).run(status, runId), status).not.toThrow();
    } finally {
      db.close();
    }
  });
});

describe('migration 4 (the pruned status)', () => {
  it('rebuilds the candidates table of a version-3 history, keeping rows, epochs, models and references, and backfilling the epochs reached', () => {
    const file = path.join(tempDir(), 'v3.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, 3);
    db.prepare(
      `INSERT INTO runs (id, status, config, strategy, evaluator, budget, settings_key, created_at, updated_at, evaluations, best_index, best_signal)
       VALUES ('old', 'completed', ?, 'random', 'training', 5, 'k', 1, 2, 2, 0, 0.7)`,
    ).run(JSON.stringify(makeConfig()));
    const insertCandidate = db.prepare(
      `INSERT INTO candidates (id, run_id, idx, status, arch_hash, label, action, valid_acc, reward, cached, cached_from, created_at, updated_at, finished_at, finish_order, agent_seconds)
       VALUES (?, 'old', ?, ?, 'h', 'net', '[1]', ?, ?, ?, ?, 1, 2, 2, ?, 0.5)`,
    );
    insertCandidate.run(10, 0, 'completed', 0.7, 1.7, 0, null, 1);
    insertCandidate.run(11, 1, 'completed', 0.7, 1.7, 1, 10, 2);
    insertCandidate.run(12, 2, 'running', null, null, 0, null, null);
    const insertEpoch = db.prepare(`INSERT INTO epochs (candidate_id, epoch, valid_acc) VALUES (?, ?, ?)`);
    for (const e of [1, 2, 3]) insertEpoch.run(10, e, 0.5 + e / 10);
    insertEpoch.run(12, 1, 0.4);
    db.prepare(`INSERT INTO models (candidate_id, topology, weight_specs, weights, created_at) VALUES (10, '{}', '[]', x'0102', 1)`).run();
    expect(() => db.prepare(`UPDATE candidates SET status = 'pruned' WHERE id = 12`).run()).toThrow(/CHECK constraint/);
    db.close();

    const store = openStore(file);
    expect(query(file, 'PRAGMA user_version')).toEqual([{ user_version: LATEST_VERSION }]);
    expect(LATEST_VERSION).toBeGreaterThanOrEqual(4);
    expect(query(file, `SELECT id, idx, status, cached_from, finish_order, agent_seconds, epochs_reached FROM candidates ORDER BY id`)).toEqual([
      { id: 10, idx: 0, status: 'completed', cached_from: null, finish_order: 1, agent_seconds: 0.5, epochs_reached: 3 },
      { id: 11, idx: 1, status: 'completed', cached_from: 10, finish_order: 2, agent_seconds: 0.5, epochs_reached: null },
      { id: 12, idx: 2, status: 'running', cached_from: null, finish_order: null, agent_seconds: 0.5, epochs_reached: null },
    ]);
    expect(query(file, `SELECT count(*) AS n FROM epochs`)).toEqual([{ n: 4 }]);
    expect(store.getModel('old', 0)?.weightData).toEqual(new Uint8Array([1, 2]));
    expect(store.getCandidate('old', 1)?.cachedFrom).toEqual({ runId: 'old', index: 0 });
    const indexes = query<{ name: string }>(file, `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'candidates' AND sql IS NOT NULL`).map((r) => r.name);
    expect(indexes.sort()).toEqual(['candidates_cached_from', 'candidates_hash', 'candidates_run_reward', 'candidates_run_valid_acc']);
    expect(query(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(query(file, 'PRAGMA foreign_key_check')).toEqual([]);

    // The status is accepted now, and the cascades still work: foreign keys are back on.
    store.recordEvent('old', { type: 'candidate_finished', index: 2, status: 'pruned', signal: 0.4, reward: 1.4, cached: false, seconds: 1, epochsReached: 1 });
    expect(store.getCandidate('old', 2)).toMatchObject({ status: 'pruned', epochsReached: 1 });
    store.deleteRun('old');
    expect(query(file, `SELECT (SELECT count(*) FROM candidates) AS c, (SELECT count(*) FROM epochs) AS e, (SELECT count(*) FROM models) AS m`)).toEqual([{ c: 0, e: 0, m: 0 }]);
  });
});
