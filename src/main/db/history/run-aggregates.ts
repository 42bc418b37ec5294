/**
 * A run's aggregates (evaluations, cache hits, best candidate) kept in its row so the history list
 * never scans candidates: counted on as each candidate finishes (in any order: with several workers
 * they finish out of order), recomputed after deletions or replays.
 */
import type { SearchEvent } from '../../../shared/events';
import { FINISHED_SQL, type HistoryDb } from './history-db';

/** Adds a first-time finished candidate to its run's aggregates. */
export function countFinishedCandidate(db: HistoryDb, runId: string, event: Extract<SearchEvent, { type: 'candidate_finished' }>): void {
  const run = db.stmt(`SELECT evaluations, cache_hits, best_signal FROM runs WHERE id = ?`).get(runId) as {
    evaluations: number;
    cache_hits: number;
    best_signal: number | null;
  };
  // The engine's rule: the highest signal, the first on ties.
  const better = Number.isFinite(event.signal) && (run.best_signal === null || event.signal > run.best_signal);
  db.stmt(
    `UPDATE runs SET evaluations = ?, cache_hits = ?,
       best_index = CASE WHEN ? THEN ? ELSE best_index END,
       best_signal = CASE WHEN ? THEN ? ELSE best_signal END,
       best_test_acc = CASE WHEN ? THEN ? ELSE best_test_acc END
     WHERE id = ?`,
  ).run(
    run.evaluations + 1,
    run.cache_hits + (event.cached ? 1 : 0),
    better ? 1 : 0,
    event.index,
    better ? 1 : 0,
    event.signal,
    better ? 1 : 0,
    event.testAccuracy ?? null,
    runId,
  );
}

/** Recomputes a run's aggregates from its finished candidates (after deletions or replays). */
export function recomputeAggregates(db: HistoryDb, runId: string): void {
  const totals = db
    .stmt(
      `SELECT count(*) AS evaluations, coalesce(sum(cached), 0) AS cache_hits FROM candidates WHERE run_id = ? AND status IN ${FINISHED_SQL}`,
    )
    .get(runId) as { evaluations: number; cache_hits: number };
  const best = db
    .stmt(
      `SELECT idx, valid_acc, test_acc FROM candidates WHERE run_id = ? AND status IN ${FINISHED_SQL} AND valid_acc IS NOT NULL
       ORDER BY valid_acc DESC, idx ASC LIMIT 1`,
    )
    .get(runId) as { idx: number; valid_acc: number; test_acc: number | null } | undefined;
  db.stmt(`UPDATE runs SET evaluations = ?, cache_hits = ?, best_index = ?, best_signal = ?, best_test_acc = ? WHERE id = ?`).run(
    totals.evaluations,
    totals.cache_hits,
    best?.idx ?? null,
    best?.valid_acc ?? null,
    best?.test_acc ?? null,
    runId,
  );
}
