/**
 * A run's life: creation, the owner process and its heartbeats, status changes (and the
 * interrupted candidates a terminal one leaves), budget, name, deletion, and orphan recovery.
 */
import type { WarmStartSummary } from '../../../shared/history';
import { ACTIVE_STATUSES, RUN_STATUSES, runDataset, type RunConfig, type RunStatus } from '../../../shared/run-config';
import { HistoryStoreError } from '../errors';
import { sqlList, sqliteCode, type HistoryDb } from './history-db';

const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'stopped', 'interrupted', 'failed']);

export function createRun(db: HistoryDb, { id, config, ownerPid }: { id: string; config: RunConfig; ownerPid: number }): void {
  const now = Date.now();
  try {
    db.stmt(
      `INSERT INTO runs (id, name, status, config, strategy, evaluator, dataset, mode, seed, budget, owner_pid, heartbeat_at, created_at, updated_at)
       VALUES (?, ?, 'created', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      config.name ?? null,
      JSON.stringify(config),
      config.strategy,
      config.evaluator,
      runDataset(config),
      config.mode,
      config.seed,
      config.budget,
      ownerPid,
      now,
      now,
      now,
    );
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new HistoryStoreError(`a run with id ${id} already exists`);
    throw error;
  }
}

export function markRunning(db: HistoryDb, runId: string, ownerPid: number): void {
  const now = Date.now();
  db.updateRun(
    runId,
    `UPDATE runs SET status = 'running', status_reason = NULL, failed_during = NULL, owner_pid = ?, heartbeat_at = ?, started_at = coalesce(started_at, ?),
       finished_at = NULL, updated_at = ? WHERE id = ?`,
    ownerPid,
    now,
    now,
    now,
    runId,
  );
}

export function setRunEnvironment(db: HistoryDb, runId: string, env: { backend: string; device: string; settingsKey: string }): void {
  db.updateRun(
    runId,
    `UPDATE runs SET backend = ?, device = ?, settings_key = ?, updated_at = ? WHERE id = ?`,
    env.backend,
    env.device,
    env.settingsKey,
    Date.now(),
    runId,
  );
}

/** What the run's warm start began from (a resumed run keeps what its first start recorded). */
export function recordWarmStart(db: HistoryDb, runId: string, warmStart: WarmStartSummary): void {
  db.updateRun(runId, `UPDATE runs SET warm_start_evaluations = ?, warm_start_runs = ?, updated_at = ? WHERE id = ?`, warmStart.evaluations, warmStart.runs, Date.now(), runId);
}

/** Records that the owning process is alive; markOrphanedRuns reads it. */
export function heartbeat(db: HistoryDb, runId: string): void {
  db.updateRun(runId, `UPDATE runs SET heartbeat_at = ? WHERE id = ?`, Date.now(), runId);
}

/** The budget column is authoritative: the stored config keeps the budget the run was created with. */
export function setBudget(db: HistoryDb, runId: string, budget: number): void {
  if (!Number.isInteger(budget) || budget < 1) throw new HistoryStoreError(`budget must be a positive integer, not ${budget}`);
  db.updateRun(runId, `UPDATE runs SET budget = ?, updated_at = ? WHERE id = ?`, budget, Date.now(), runId);
}

/** Where a resumed run's candidates are evaluated: the one part of its stored config a resume may change (no result depends on it). */
export function setRedis(db: HistoryDb, runId: string, redis: NonNullable<RunConfig['redis']>): void {
  db.updateRun(runId, `UPDATE runs SET config = json_set(config, '$.redis', json(?)), updated_at = ? WHERE id = ?`, JSON.stringify(redis), Date.now(), runId);
}

/** An empty name clears it (the history then shows the id). */
export function renameRun(db: HistoryDb, runId: string, name: string): void {
  const trimmed = name.trim();
  if (trimmed.length > 200) throw new HistoryStoreError('a run name may have at most 200 characters');
  db.updateRun(runId, `UPDATE runs SET name = ?, updated_at = ? WHERE id = ?`, trimmed || null, Date.now(), runId);
}

/** Deletes the run with everything recorded for it; false when there was no such run. */
export function deleteRun(db: HistoryDb, runId: string): boolean {
  return db.stmt(`DELETE FROM runs WHERE id = ?`).run(runId).changes > 0;
}

/**
 * Sets a run's status. A terminal status also stamps finished_at, drops the owner and marks the
 * candidates still training as interrupted; any other clears finished_at. A failed run records
 * when it failed (`failedDuring`).
 */
export function setRunStatus(db: HistoryDb, runId: string, status: RunStatus, reason?: string, failedDuring?: 'setup' | 'search'): void {
  if (!RUN_STATUSES.includes(status)) throw new HistoryStoreError(`unknown run status "${status}"`);
  db.transaction(() => {
    db.requireRun(runId);
    applyRunStatus(db, runId, status, reason ?? null, Date.now(), failedDuring);
  });
}

/** setRunStatus inside a transaction the caller holds, for a run known to exist. */
export function applyRunStatus(db: HistoryDb, runId: string, status: RunStatus, reason: string | null, now: number, failedDuring?: 'setup' | 'search'): void {
  if (TERMINAL_RUN_STATUSES.has(status)) {
    db.stmt(`UPDATE runs SET status = ?, status_reason = ?, failed_during = ?, finished_at = ?, owner_pid = NULL, updated_at = ? WHERE id = ?`).run(
      status,
      reason,
      status === 'failed' ? (failedDuring ?? null) : null,
      now,
      now,
      runId,
    );
    db.stmt(`UPDATE candidates SET status = 'interrupted', updated_at = ? WHERE run_id = ? AND status = 'running'`).run(now, runId);
  } else {
    db.stmt(`UPDATE runs SET status = ?, status_reason = ?, finished_at = NULL, updated_at = ? WHERE id = ?`).run(status, reason, now, runId);
  }
}

/**
 * Marks runs left active by a process that is gone (or silent for staleMs) as interrupted, so
 * they can be resumed. Returns their ids.
 */
export function markOrphanedRuns(db: HistoryDb, isAlive: (pid: number) => boolean, staleMs = 120_000): string[] {
  return db.transaction(() => {
    const now = Date.now();
    const rows = db
      .stmt(
        `SELECT id, status, owner_pid, max(coalesce(heartbeat_at, 0), updated_at) AS seen FROM runs
         WHERE status IN ${sqlList(ACTIVE_STATUSES)}`,
      )
      .all() as Array<{ id: string; status: RunStatus; owner_pid: number | null; seen: number }>;
    const orphaned: string[] = [];
    for (const row of rows) {
      let why: string | undefined;
      if (row.owner_pid === null) why = 'no process owned it';
      else if (!isAlive(row.owner_pid)) why = `process ${row.owner_pid} is gone`;
      else if (now - row.seen > staleMs) why = `process ${row.owner_pid} gave no sign of life for ${Math.round((now - row.seen) / 1000)} s`;
      if (!why) continue;
      const was = row.status === 'created' ? 'starting' : row.status;
      applyRunStatus(db, row.id, 'interrupted', `geNNerator stopped while the run was ${was} (${why})`, now);
      orphaned.push(row.id);
    }
    return orphaned;
  });
}
