/**
 * The cross-run cache: results one run may reuse from another evaluated under the same settings
 * (the same settings key). The source of a result is the earliest fresh one: evaluated to the end
 * (never a pruned one), not itself cached, first by finish time. A warm start draws on the same
 * results, of the runs that also share the search space.
 */
import type { WarmStartResult } from '../../../shared/engine-messages';
import type { CachedOutcome, WarmStartSummary } from '../../../shared/history';
import { searchSpaceKey, type RunConfig } from '../../../shared/run-config';
import type { EpochMetrics } from '../../../shared/training';
import { FULLY_EVALUATED_SQL, type HistoryDb } from './history-db';
import { toEpoch, type EpochRaw } from './rows';

const FRESH = `c.cached = 0 AND c.status IN ${FULLY_EVALUATED_SQL}`;
const EARLIEST = `c.finished_at, c.id`;

/**
 * The replay dictionary for one evaluator setting: per architecture, the earliest freshly
 * evaluated (not cached) finished candidate of any run with that settings key.
 */
/** `runId`: only that run's own results (a benchmark run resumed), not those of every run under the settings. */
export function cachedOutcomes(db: HistoryDb, settingsKey: string, scope: { runId?: string } = {}): CachedOutcome[] {
  const sources = `SELECT id, arch_hash, status, valid_acc, params, test_acc, error FROM (
      SELECT c.id, c.arch_hash, c.status, c.valid_acc, c.params, c.test_acc, c.error,
        row_number() OVER (PARTITION BY c.arch_hash ORDER BY ${EARLIEST}) AS n
      FROM candidates c JOIN runs r ON r.id = c.run_id
      WHERE r.settings_key = ? AND (? IS NULL OR r.id = ?) AND ${FRESH}
    ) WHERE n = 1`;
  const runId = scope.runId ?? null;
  const rows = db.stmt(`${sources} ORDER BY id`).all(settingsKey, runId, runId) as Array<{
    id: number;
    arch_hash: string;
    status: CachedOutcome['status'];
    valid_acc: number | null;
    params: number | null;
    test_acc: number | null;
    error: string | null;
  }>;
  const epochs = db
    .stmt(`WITH s AS (${sources}) SELECT e.* FROM epochs e JOIN s ON s.id = e.candidate_id ORDER BY e.candidate_id, e.epoch`)
    .all(settingsKey, runId, runId) as EpochRaw[];
  const epochsOf = new Map<number, EpochMetrics[]>();
  for (const e of epochs) {
    const list = epochsOf.get(e.candidate_id) ?? [];
    list.push(toEpoch(e));
    epochsOf.set(e.candidate_id, list);
  }
  return rows.map((row) => {
    const outcome: CachedOutcome = { hash: row.arch_hash, status: row.status, signal: row.valid_acc ?? Number.NaN, epochs: epochsOf.get(row.id) ?? [] };
    if (row.params !== null) outcome.params = row.params;
    if (row.test_acc !== null) outcome.testAccuracy = row.test_acc;
    if (row.error !== null) outcome.error = row.error;
    return outcome;
  });
}

/**
 * The candidate a cached result came from (its cached_from): the earliest fresh result for the
 * same architecture under the same settings, from this run only when they are unknown.
 */
export function cacheSource(db: HistoryDb, runId: string, settingsKey: string | null, selfId: number, hash: string): number | null {
  const scope = settingsKey === null ? `c.run_id = ?` : `c.run_id IN (SELECT id FROM runs WHERE settings_key = ?)`;
  const row = db
    .stmt(`SELECT c.id FROM candidates c WHERE c.arch_hash = ? AND ${FRESH} AND c.id <> ? AND ${scope} ORDER BY ${EARLIEST} LIMIT 1`)
    .get(hash, selfId, settingsKey ?? runId) as { id: number } | undefined;
  return row?.id ?? null;
}

/**
 * What a run warm-starts from: per architecture, its earliest result evaluated to the end in the
 * other runs under the same settings key whose search space is `config`'s (searchSpaceKey), in the
 * order they finished. Cached results count (their vectors mean the same network in the same space).
 */
export function warmStartResults(db: HistoryDb, runId: string, settingsKey: string, config: RunConfig): { results: WarmStartResult[]; summary: WarmStartSummary } {
  const space = searchSpaceKey(config);
  const runs = (db.stmt(`SELECT id, config FROM runs WHERE settings_key = ? AND id <> ?`).all(settingsKey, runId) as Array<{ id: string; config: string }>)
    .filter((run) => searchSpaceKey(JSON.parse(run.config) as RunConfig) === space)
    .map((run) => run.id);
  const rows = db
    .stmt(
      `SELECT action, valid_acc, run_id FROM (
         SELECT c.action, c.valid_acc, c.run_id, c.finished_at, c.id, row_number() OVER (PARTITION BY c.arch_hash ORDER BY ${EARLIEST}) AS n
         FROM candidates c
         WHERE c.run_id IN (SELECT value FROM json_each(?)) AND c.status IN ${FULLY_EVALUATED_SQL} AND c.valid_acc IS NOT NULL
       ) WHERE n = 1 ORDER BY finished_at, id`,
    )
    .all(JSON.stringify(runs)) as Array<{ action: string; valid_acc: number; run_id: string }>;
  return {
    results: rows.map((row) => ({ action: JSON.parse(row.action) as number[], signal: row.valid_acc })),
    summary: { evaluations: rows.length, runs: new Set(rows.map((row) => row.run_id)).size },
  };
}
