/**
 * The second mode's history: controllers (named, reusable agents that steer a network's
 * hyperparameters while it trains), their learning episodes, and the tuning sessions that apply them
 * (tune-sessions.ts). A learning episode's row and the controller's checkpoint after it are written in
 * one transaction, so a learn killed at any moment resumes at the last finished episode and loses at
 * most the one in flight.
 */
import { withoutStackTrace } from '../../../shared/history';
import {
  CONTROLLER_STATUSES,
  type ControllerSettings,
  type ControllerSummary,
  type EpisodeOutcome,
  type TuneDecision,
  type TuneEpoch,
  type TuningTask,
} from '../../../shared/tuning';
import { HistoryStoreError } from '../errors';
import { sqliteCode, type HistoryDb } from './history-db';

export type ControllerStatus = ControllerSummary['status'];

/** A controller's row as SQLite returns it. */
interface ControllerRaw {
  id: number;
  name: string;
  status: ControllerStatus;
  settings: string;
  tasks: string;
  episodes_done: number;
  owner_pid: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

interface EpisodeRaw {
  episode: number;
  task: string;
  status: EpisodeOutcome['status'];
  return: number | null;
  final_valid_acc: number | null;
  interventions: number;
  threshold: number | null;
  seconds: number | null;
  decisions: string;
  epochs: string;
}

type CurveRaw = Pick<EpisodeRaw, 'episode' | 'task' | 'return' | 'final_valid_acc' | 'interventions' | 'threshold'>;

/** An episode's point on the controller's learning curve (a missing number reads NaN). */
function curvePoint(e: CurveRaw): ControllerSummary['curve'][number] {
  return {
    episode: e.episode,
    task: e.task,
    return: e.return ?? Number.NaN,
    finalValidAccuracy: e.final_valid_acc ?? Number.NaN,
    interventions: e.interventions,
    threshold: e.threshold ?? Number.NaN,
  };
}

/** One learning episode as the history keeps it: its curve point and what happened in it. */
export interface ControllerEpisode {
  episode: number;
  task: string;
  status: EpisodeOutcome['status'];
  return: number;
  finalValidAccuracy: number;
  interventions: number;
  /** The intervention threshold at the episode's last decision (NaN when it made none). */
  threshold: number;
  seconds: number;
  decisions: TuneDecision[];
  epochs: TuneEpoch[];
}

/** What a learn needs to continue a controller: its settings, tasks and the state after its last finished episode. */
export interface ControllerResumePoint {
  settings: ControllerSettings;
  tasks: TuningTask[];
  episodesDone: number;
  /** The Controller's checkpoint (Controller.restore validates it); null before its first episode finished. */
  checkpoint: unknown;
}

const MAX_NAME = 100;
const TERMINAL: ReadonlySet<ControllerStatus> = new Set(['ready', 'stopped', 'failed']);

/** A controller's name as stored: trimmed, 1–100 characters. */
export function controllerName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new HistoryStoreError('a controller needs a name');
  if (trimmed.length > MAX_NAME) throw new HistoryStoreError(`a controller name may have at most ${MAX_NAME} characters`);
  return trimmed;
}

/**
 * Records a new controller, learning (owned by `ownerPid`) until its status changes. A name already
 * taken (case-insensitively) is refused: resume that controller or choose another name.
 */
export function createController(
  db: HistoryDb,
  { name, settings, tasks, ownerPid }: { name: string; settings: ControllerSettings; tasks: TuningTask[]; ownerPid: number },
): ControllerSummary {
  const trimmed = controllerName(name);
  if (tasks.length === 0) throw new HistoryStoreError(`controller "${trimmed}" needs at least one task to learn on`);
  const now = Date.now();
  try {
    db.stmt(
      `INSERT INTO controllers (name, status, settings, tasks, episodes_done, owner_pid, created_at, updated_at) VALUES (?, 'learning', ?, ?, 0, ?, ?, ?)`,
    ).run(trimmed, JSON.stringify(settings), JSON.stringify(tasks), ownerPid, now, now);
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') throw new HistoryStoreError(`a controller named "${trimmed}" already exists`);
    throw error;
  }
  return getController(db, trimmed) as ControllerSummary;
}

function controllerRaw(db: HistoryDb, name: string): ControllerRaw | undefined {
  return db.stmt(`SELECT id, name, status, settings, tasks, episodes_done, owner_pid, error, created_at, updated_at FROM controllers WHERE name = ?`).get(name.trim()) as
    | ControllerRaw
    | undefined;
}

function requireController(db: HistoryDb, name: string): ControllerRaw {
  const row = controllerRaw(db, name);
  if (!row) throw new HistoryStoreError(`there is no controller named "${name.trim()}" in the history`);
  return row;
}

export function getController(db: HistoryDb, name: string): ControllerSummary | undefined {
  const row = controllerRaw(db, name);
  return row && toSummary(db, row);
}

/** Every controller, the most recently changed first. */
export function listControllers(db: HistoryDb): ControllerSummary[] {
  const rows = db
    .stmt(`SELECT id, name, status, settings, tasks, episodes_done, owner_pid, error, created_at, updated_at FROM controllers ORDER BY updated_at DESC, id DESC`)
    .all() as ControllerRaw[];
  return rows.map((row) => toSummary(db, row));
}

/** The controller's checkpoint and where its learning stands; undefined when there is no such controller. */
export function controllerCheckpoint(db: HistoryDb, name: string): ControllerResumePoint | undefined {
  const row = db.stmt(`SELECT settings, tasks, episodes_done, checkpoint FROM controllers WHERE name = ?`).get(name.trim()) as
    | { settings: string; tasks: string; episodes_done: number; checkpoint: string | null }
    | undefined;
  if (!row) return undefined;
  return {
    settings: JSON.parse(row.settings) as ControllerSettings,
    tasks: JSON.parse(row.tasks) as TuningTask[],
    episodesDone: row.episodes_done,
    checkpoint: row.checkpoint === null ? null : (JSON.parse(row.checkpoint) as unknown),
  };
}

/**
 * Records learning episode `episode` (1-based: the controller's next, episodes_done + 1) and the
 * controller's checkpoint after it, in one transaction. Any other number is refused, so an episode is
 * never recorded twice nor skipped.
 */
export function recordControllerEpisode(
  db: HistoryDb,
  name: string,
  { episode, task, outcome, checkpoint }: { episode: number; task: string; outcome: EpisodeOutcome; checkpoint: unknown },
): void {
  db.transaction(() => {
    const row = requireController(db, name);
    if (episode !== row.episodes_done + 1) {
      throw new HistoryStoreError(`controller "${row.name}" has ${row.episodes_done} episode(s) recorded: the next is ${row.episodes_done + 1}, not ${episode}`);
    }
    const now = Date.now();
    const last = outcome.decisions.at(-1);
    db.stmt(
      `INSERT INTO controller_episodes (controller_id, episode, task, status, return, final_valid_acc, interventions, threshold, seconds, decisions, epochs, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.id,
      episode,
      task,
      outcome.status,
      outcome.return,
      outcome.finalValidAccuracy,
      outcome.decisions.filter((d) => d.intervened).length,
      last?.threshold ?? null,
      outcome.seconds,
      JSON.stringify(outcome.decisions),
      JSON.stringify(outcome.epochs),
      now,
    );
    db.stmt(`UPDATE controllers SET checkpoint = ?, episodes_done = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(checkpoint ?? null), episode, now, row.id);
  });
}

/** The controller's learning episodes from `from` (1-based) on, decisions and epochs included. */
export function controllerEpisodes(db: HistoryDb, name: string, from = 1): ControllerEpisode[] {
  const row = requireController(db, name);
  const rows = db
    .stmt(
      `SELECT episode, task, status, return, final_valid_acc, interventions, threshold, seconds, decisions, epochs FROM controller_episodes
       WHERE controller_id = ? AND episode >= ? ORDER BY episode`,
    )
    .all(row.id, from) as EpisodeRaw[];
  return rows.map((e) => ({
    ...curvePoint(e),
    status: e.status,
    seconds: e.seconds ?? Number.NaN,
    decisions: JSON.parse(e.decisions) as TuneDecision[],
    epochs: JSON.parse(e.epochs) as TuneEpoch[],
  }));
}

/**
 * Takes a stopped, failed or ready controller up again (owned by `ownerPid`), to learn until
 * `episodes` episodes in all (its settings' total when absent). Refused while it is learning, and
 * when it has learned that many already. Returns where to continue from.
 */
export function resumeController(db: HistoryDb, name: string, { ownerPid, episodes }: { ownerPid: number; episodes?: number }): ControllerResumePoint {
  return db.transaction((): ControllerResumePoint => {
    const row = requireController(db, name);
    if (row.status === 'learning') throw new HistoryStoreError(`controller "${row.name}" is learning in process ${row.owner_pid ?? '?'}: stop it first`);
    const settings = JSON.parse(row.settings) as ControllerSettings;
    const total = episodes ?? settings.episodes;
    if (!Number.isInteger(total) || total <= row.episodes_done) {
      throw new HistoryStoreError(`controller "${row.name}" has learned ${row.episodes_done} of ${total} episodes already: ask for more than ${row.episodes_done} episodes`);
    }
    const updated = { ...settings, episodes: total };
    db.stmt(`UPDATE controllers SET status = 'learning', error = NULL, owner_pid = ?, settings = ?, updated_at = ? WHERE id = ?`).run(
      ownerPid,
      JSON.stringify(updated),
      Date.now(),
      row.id,
    );
    return controllerCheckpoint(db, row.name) as ControllerResumePoint;
  });
}

/** Sets a controller's status; ready, stopped and failed end its learning (and drop its owner). An error is kept for failed and stopped. */
export function setControllerStatus(db: HistoryDb, name: string, status: ControllerStatus, error?: string): void {
  if (!CONTROLLER_STATUSES.includes(status)) throw new HistoryStoreError(`unknown controller status "${status}"`);
  const row = requireController(db, name);
  const reason = status === 'ready' || error === undefined ? null : withoutStackTrace(error);
  db.stmt(`UPDATE controllers SET status = ?, error = ?, owner_pid = CASE WHEN ? THEN NULL ELSE owner_pid END, updated_at = ? WHERE id = ?`).run(
    status,
    reason,
    TERMINAL.has(status) ? 1 : 0,
    Date.now(),
    row.id,
  );
}

/** Deletes a controller with its episodes and tuning sessions; false when there was none. */
export function deleteController(db: HistoryDb, name: string): boolean {
  return db.stmt(`DELETE FROM controllers WHERE name = ?`).run(name.trim()).changes > 0;
}

/**
 * Controllers left learning by a process that is gone become stopped (resumable from their last
 * finished episode), and tuning sessions left running become stopped. Returns what it marked.
 */
export function markOrphanedTuning(db: HistoryDb, isAlive: (pid: number) => boolean): { controllers: string[]; sessions: number[] } {
  return db.transaction(() => {
    const now = Date.now();
    const why = (pid: number | null) => (pid === null ? 'no process owned it' : `process ${pid} is gone`);
    const controllers = (db.stmt(`SELECT id, name, owner_pid FROM controllers WHERE status = 'learning'`).all() as Array<{ id: number; name: string; owner_pid: number | null }>)
      .filter((row) => row.owner_pid === null || !isAlive(row.owner_pid));
    for (const row of controllers) {
      db.stmt(`UPDATE controllers SET status = 'stopped', error = ?, owner_pid = NULL, updated_at = ? WHERE id = ?`).run(
        `geNNerator stopped while the controller was learning (${why(row.owner_pid)})`,
        now,
        row.id,
      );
    }
    const sessions = (db.stmt(`SELECT id, owner_pid FROM tune_sessions WHERE status = 'running'`).all() as Array<{ id: number; owner_pid: number | null }>).filter(
      (row) => row.owner_pid === null || !isAlive(row.owner_pid),
    );
    for (const row of sessions) {
      db.stmt(`UPDATE tune_sessions SET status = 'stopped', error = ?, owner_pid = NULL, updated_at = ?, finished_at = ? WHERE id = ?`).run(
        `geNNerator stopped while the session was running (${why(row.owner_pid)})`,
        now,
        now,
        row.id,
      );
    }
    return { controllers: controllers.map((row) => row.name), sessions: sessions.map((row) => row.id) };
  });
}

/** The controller's id, for the sessions that apply it; throws when there is none. */
export function controllerId(db: HistoryDb, name: string): number {
  return requireController(db, name).id;
}

function toSummary(db: HistoryDb, row: ControllerRaw): ControllerSummary {
  const curve = (
    db
      .stmt(`SELECT episode, task, return, final_valid_acc, interventions, threshold FROM controller_episodes WHERE controller_id = ? ORDER BY episode`)
      .all(row.id) as CurveRaw[]
  ).map(curvePoint);
  return {
    name: row.name,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    settings: JSON.parse(row.settings) as ControllerSettings,
    tasks: JSON.parse(row.tasks) as TuningTask[],
    episodesDone: row.episodes_done,
    curve,
    ...(row.error === null ? {} : { error: row.error }),
  };
}
