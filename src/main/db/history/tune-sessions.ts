/**
 * Tuning sessions: a controller applied to one task (`tune apply`, the Tune view), with the schedules
 * it trains, the controller's and each baseline's, per seed. The schedules are planned when the session
 * starts and each one's outcome is written as it finishes, so a stopped session keeps what it trained.
 */
import { withoutStackTrace } from '../../../shared/history';
import { SCHEDULES, type EpisodeOutcome, type ScheduleName, type TuneSessionSummary, type TuningTask } from '../../../shared/tuning';
import { HistoryStoreError } from '../errors';
import type { HistoryDb } from './history-db';
import { controllerId } from './tuning';

export type TuneSessionStatus = TuneSessionSummary['status'];

interface SessionRaw {
  id: number;
  controller: string;
  task: string;
  status: TuneSessionStatus;
  error: string | null;
  created_at: number;
}

const SESSION_COLUMNS = `s.id, c.name AS controller, s.task, s.status, s.error, s.created_at FROM tune_sessions s JOIN controllers c ON c.id = s.controller_id`;

/**
 * Starts a session of `controller` on `task`, running (owned by `ownerPid`), with its schedules
 * planned in order (each schedule × seed once). Returns its id.
 */
export function createTuneSession(
  db: HistoryDb,
  { controller, task, schedules, ownerPid }: { controller: string; task: TuningTask; schedules: { schedule: ScheduleName; seed: number }[]; ownerPid: number },
): number {
  return db.transaction((): number => {
    const id = controllerId(db, controller);
    const now = Date.now();
    const sessionId = Number(
      db
        .stmt(`INSERT INTO tune_sessions (controller_id, task, status, owner_pid, created_at, updated_at) VALUES (?, ?, 'running', ?, ?, ?)`)
        .run(id, JSON.stringify(task), ownerPid, now, now).lastInsertRowid,
    );
    const seen = new Set<string>();
    schedules.forEach(({ schedule, seed }, position) => {
      if (!SCHEDULES.includes(schedule)) throw new HistoryStoreError(`unknown schedule "${schedule}" (one of ${SCHEDULES.join(', ')})`);
      const key = `${schedule}/${seed}`;
      if (seen.has(key)) throw new HistoryStoreError(`schedule ${schedule} with seed ${seed} is planned twice`);
      seen.add(key);
      db.stmt(`INSERT INTO tune_schedules (session_id, schedule, seed, position, outcome, created_at) VALUES (?, ?, ?, ?, NULL, ?)`).run(sessionId, schedule, seed, position, now);
    });
    return sessionId;
  });
}

/** Records what one schedule of a session trained to (a schedule not planned is added after the others). */
export function recordTuneSchedule(db: HistoryDb, sessionId: number, { schedule, seed, outcome }: { schedule: ScheduleName; seed: number; outcome: EpisodeOutcome }): void {
  db.transaction(() => {
    requireSession(db, sessionId);
    const now = Date.now();
    const json = JSON.stringify(outcome);
    const changed = db.stmt(`UPDATE tune_schedules SET outcome = ? WHERE session_id = ? AND schedule = ? AND seed = ?`).run(json, sessionId, schedule, seed).changes;
    if (changed === 0) {
      if (!SCHEDULES.includes(schedule)) throw new HistoryStoreError(`unknown schedule "${schedule}" (one of ${SCHEDULES.join(', ')})`);
      const { next } = db.stmt(`SELECT coalesce(max(position) + 1, 0) AS next FROM tune_schedules WHERE session_id = ?`).get(sessionId) as { next: number };
      db.stmt(`INSERT INTO tune_schedules (session_id, schedule, seed, position, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?)`).run(sessionId, schedule, seed, next, json, now);
    }
    db.stmt(`UPDATE tune_sessions SET updated_at = ? WHERE id = ?`).run(now, sessionId);
  });
}

/** Ends a session: completed, failed or stopped (an error is kept for the last two). */
export function finishTuneSession(db: HistoryDb, sessionId: number, status: Exclude<TuneSessionStatus, 'running'>, error?: string): void {
  if (!['completed', 'failed', 'stopped'].includes(status)) throw new HistoryStoreError(`a session cannot end as "${status}"`);
  requireSession(db, sessionId);
  const now = Date.now();
  const reason = status === 'completed' || error === undefined ? null : withoutStackTrace(error);
  db.stmt(`UPDATE tune_sessions SET status = ?, error = ?, owner_pid = NULL, updated_at = ?, finished_at = ? WHERE id = ?`).run(status, reason, now, now, sessionId);
}

export function getTuneSession(db: HistoryDb, sessionId: number): TuneSessionSummary | undefined {
  const row = db.stmt(`SELECT ${SESSION_COLUMNS} WHERE s.id = ?`).get(sessionId) as SessionRaw | undefined;
  return row && toSummary(db, row);
}

/** Sessions, newest first: all, or those of one controller. */
export function listTuneSessions(db: HistoryDb, { controller, limit = 100 }: { controller?: string; limit?: number } = {}): TuneSessionSummary[] {
  const rows =
    controller === undefined
      ? (db.stmt(`SELECT ${SESSION_COLUMNS} ORDER BY s.created_at DESC, s.id DESC LIMIT ?`).all(limit) as SessionRaw[])
      : (db.stmt(`SELECT ${SESSION_COLUMNS} WHERE s.controller_id = ? ORDER BY s.created_at DESC, s.id DESC LIMIT ?`).all(controllerId(db, controller), limit) as SessionRaw[]);
  return rows.map((row) => toSummary(db, row));
}

export function deleteTuneSession(db: HistoryDb, sessionId: number): boolean {
  return db.stmt(`DELETE FROM tune_sessions WHERE id = ?`).run(sessionId).changes > 0;
}

function requireSession(db: HistoryDb, sessionId: number): void {
  if (!db.stmt(`SELECT 1 FROM tune_sessions WHERE id = ?`).get(sessionId)) throw new HistoryStoreError(`there is no tuning session ${sessionId} in the history`);
}

function toSummary(db: HistoryDb, row: SessionRaw): TuneSessionSummary {
  const schedules = (
    db.stmt(`SELECT schedule, seed, outcome FROM tune_schedules WHERE session_id = ? ORDER BY position`).all(row.id) as Array<{
      schedule: ScheduleName;
      seed: number;
      outcome: string | null;
    }>
  ).map((s) => ({ schedule: s.schedule, seed: s.seed, ...(s.outcome === null ? {} : { outcome: JSON.parse(s.outcome) as EpisodeOutcome }) }));
  return {
    id: row.id,
    controller: row.controller,
    task: JSON.parse(row.task) as TuningTask,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    schedules,
    ...(row.error === null ? {} : { error: row.error }),
  };
}
