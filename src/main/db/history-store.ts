/**
 * The search history: runs, their candidates and epochs, agent updates, checkpoints, trained
 * models and action sets, in one SQLite file. The store is the only writer, and each event is
 * written in one transaction, so the file never holds half an event and run aggregates always
 * agree with the candidate rows. Synchronous (better-sqlite3): every call is a few milliseconds.
 */
import type Database from 'better-sqlite3';
import { parseActionSet, type ActionSet } from '../../shared/action-set';
import type { SearchEvent } from '../../shared/events';
import { ACTIVE_STATUSES, CANDIDATE_STATUSES, RUN_STATUSES, type CandidateStatus, type RunConfig, type RunStatus } from '../../shared/run-config';
import type { EpochMetrics } from '../../shared/training';
import { openDatabase } from './connection';
import { HistoryStoreError } from './errors';
import {
  CANDIDATE_SORT_KEYS,
  type ActionSetRow,
  type AgentUpdateRow,
  type ArchitectureOccurrence,
  type CachedOutcome,
  type CandidateDetail,
  type CandidatePage,
  type CandidateRow,
  type CandidateSortKey,
  type ExportRow,
  type ListCandidatesOptions,
  type ListRunsOptions,
  type RecordExtras,
  type ResumePlan,
  type RunDetail,
  type RunSeries,
  type RunSummary,
  type SeriesPoint,
  type StoredCheckpoint,
  type StoredModel,
} from '../../shared/history';

export { HistoryStoreError } from './errors';

const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'stopped', 'interrupted', 'failed']);
/** Candidate statuses that carry a result (and count as evaluations). */
const FINISHED = ['completed', 'diverged', 'failed'] as const;
const FINISHED_SQL = `('completed', 'diverged', 'failed')`;
const DEFAULT_PAGE = 100;

const SORT_COLUMNS: Record<CandidateSortKey, string> = {
  index: 'idx',
  reward: 'reward',
  validAcc: 'valid_acc',
  testAcc: 'test_acc',
  params: 'params',
  seconds: 'seconds',
  trainLoss: 'train_loss',
  validLoss: 'valid_loss',
};

// ---- raw rows (snake_case, as SQLite returns them) ----

interface RunRaw {
  id: string;
  name: string | null;
  status: RunStatus;
  status_reason: string | null;
  config: string;
  strategy: string;
  evaluator: string;
  dataset: string | null;
  mode: string | null;
  seed: number | null;
  budget: number;
  backend: string | null;
  device: string | null;
  settings_key: string | null;
  owner_pid: number | null;
  heartbeat_at: number | null;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  finished_at: number | null;
  evaluations: number;
  cache_hits: number;
  best_index: number | null;
  best_signal: number | null;
  best_test_acc: number | null;
  best_label: string | null;
}

interface CandidateRaw {
  id: number;
  run_id: string;
  idx: number;
  status: CandidateStatus;
  arch_hash: string;
  label: string;
  params: number | null;
  reward: number | null;
  valid_acc: number | null;
  best_valid_acc: number | null;
  valid_loss: number | null;
  train_acc: number | null;
  train_loss: number | null;
  test_acc: number | null;
  seconds: number | null;
  error: string | null;
  cached: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

interface EpochRaw {
  candidate_id: number;
  epoch: number;
  train_loss: number | null;
  train_acc: number | null;
  valid_loss: number | null;
  valid_acc: number | null;
  seconds: number | null;
  images_per_second: number | null;
}

interface ActionSetRaw {
  id: number;
  name: string;
  spec: string;
  builtin: number;
  created_at: number;
  updated_at: number;
}

const RUN_COLUMNS = `r.*, (SELECT label FROM candidates b WHERE b.run_id = r.id AND b.idx = r.best_index) AS best_label`;
const CANDIDATE_COLUMNS = `c.id, c.run_id, c.idx, c.status, c.arch_hash, c.label, c.params, c.reward, c.valid_acc, c.best_valid_acc,
  c.valid_loss, c.train_acc, c.train_loss, c.test_acc, c.seconds, c.error, c.cached, c.created_at, c.updated_at, c.finished_at`;

export class HistoryStore {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    private readonly file: string,
  ) {}

  /**
   * Opens (creating it and its folders if needed) and migrates a history database. A corrupt file,
   * another program's SQLite file or one from a newer geNNerator is refused untouched.
   */
  static open(path: string): HistoryStore {
    const db = openDatabase(path);
    return new HistoryStore(db, db.name);
  }

  get path(): string {
    return this.file;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- runs ----

  createRun({ id, config, ownerPid }: { id: string; config: RunConfig; ownerPid: number }): void {
    const now = Date.now();
    try {
      this.stmt(
        `INSERT INTO runs (id, name, status, config, strategy, evaluator, dataset, mode, seed, budget, owner_pid, heartbeat_at, created_at, updated_at)
         VALUES (?, ?, 'created', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        config.name ?? null,
        JSON.stringify(config),
        config.strategy,
        config.evaluator,
        config.evaluator === 'nb201' ? config.nb201Dataset : config.dataset,
        config.mode,
        config.seed,
        config.budget,
        ownerPid,
        now,
        now,
        now,
      );
    } catch (error) {
      if (constraint(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new HistoryStoreError(`a run with id ${id} already exists`);
      throw error;
    }
  }

  markRunning(runId: string, ownerPid: number): void {
    const now = Date.now();
    this.updateRun(
      runId,
      `UPDATE runs SET status = 'running', status_reason = NULL, owner_pid = ?, heartbeat_at = ?, started_at = coalesce(started_at, ?),
         finished_at = NULL, updated_at = ? WHERE id = ?`,
      ownerPid,
      now,
      now,
      now,
      runId,
    );
  }

  setRunEnvironment(runId: string, env: { backend: string; device: string; settingsKey: string }): void {
    this.updateRun(
      runId,
      `UPDATE runs SET backend = ?, device = ?, settings_key = ?, updated_at = ? WHERE id = ?`,
      env.backend,
      env.device,
      env.settingsKey,
      Date.now(),
      runId,
    );
  }

  /** Records that the owning process is alive; markOrphanedRuns reads it. */
  heartbeat(runId: string): void {
    this.updateRun(runId, `UPDATE runs SET heartbeat_at = ? WHERE id = ?`, Date.now(), runId);
  }

  /** The budget column is authoritative: the stored config keeps the budget the run was created with. */
  setBudget(runId: string, budget: number): void {
    if (!Number.isInteger(budget) || budget < 1) throw new HistoryStoreError(`budget must be a positive integer, not ${budget}`);
    this.updateRun(runId, `UPDATE runs SET budget = ?, updated_at = ? WHERE id = ?`, budget, Date.now(), runId);
  }

  /** An empty name clears it (the history then shows the id). */
  renameRun(runId: string, name: string): void {
    const trimmed = name.trim();
    if (trimmed.length > 200) throw new HistoryStoreError('a run name may have at most 200 characters');
    this.updateRun(runId, `UPDATE runs SET name = ?, updated_at = ? WHERE id = ?`, trimmed || null, Date.now(), runId);
  }

  /** Deletes the run with everything recorded for it; false when there was no such run. */
  deleteRun(runId: string): boolean {
    return this.stmt(`DELETE FROM runs WHERE id = ?`).run(runId).changes > 0;
  }

  /**
   * Sets a run's status. A terminal status also stamps finished_at, drops the owner and marks the
   * candidates still training as interrupted; any other clears finished_at.
   */
  setRunStatus(runId: string, status: RunStatus, reason?: string): void {
    if (!RUN_STATUSES.includes(status)) throw new HistoryStoreError(`unknown run status "${status}"`);
    this.db.transaction(() => {
      this.requireRun(runId);
      this.applyRunStatus(runId, status, reason ?? null, Date.now());
    })();
  }

  /**
   * Writes one search event, and the checkpoint and model that come with it, in one transaction.
   * An event for an unknown run, or about a candidate never proposed, throws and writes nothing.
   */
  recordEvent(runId: string, event: SearchEvent, extras: RecordExtras = {}): void {
    if (extras.checkpoint !== undefined && event.type !== 'candidate_finished' && event.type !== 'agent_updated') {
      throw new HistoryStoreError(`a checkpoint can only be recorded with candidate_finished or agent_updated, not ${event.type}`);
    }
    if (extras.model !== undefined && event.type !== 'candidate_finished') {
      throw new HistoryStoreError(`a model can only be recorded with candidate_finished, not ${event.type}`);
    }
    this.db.transaction(() => {
      const now = Date.now();
      const run = this.requireRun(runId);
      switch (event.type) {
        case 'run_started':
          this.stmt(
            `UPDATE runs SET status = 'running', status_reason = NULL, started_at = coalesce(started_at, ?), budget = ?,
               finished_at = NULL, heartbeat_at = ?, updated_at = ? WHERE id = ?`,
          ).run(now, event.budget, now, now, runId);
          return;
        case 'candidate_proposed':
          this.proposeCandidate(runId, event, now);
          break;
        case 'epoch_done':
          this.recordEpoch(runId, event, now);
          break;
        case 'candidate_finished':
          this.finishCandidate(runId, run.settings_key, event, now, extras.model);
          if (extras.checkpoint !== undefined) this.saveCheckpoint(runId, event.index + 1, extras.checkpoint, now);
          break;
        case 'agent_updated':
          this.stmt(`INSERT OR REPLACE INTO agent_updates (run_id, iteration, evaluations, diagnostics, created_at) VALUES (?, ?, ?, ?, ?)`).run(
            runId,
            event.iteration,
            event.evaluations,
            JSON.stringify(event.diagnostics),
            now,
          );
          if (extras.checkpoint !== undefined) this.saveCheckpoint(runId, event.evaluations, extras.checkpoint, now);
          break;
        case 'run_finished':
          this.applyRunStatus(runId, event.status === 'completed' ? 'completed' : 'stopped', null, now);
          return;
      }
      this.stmt(`UPDATE runs SET updated_at = ? WHERE id = ?`).run(now, runId);
    })();
  }

  /**
   * Marks runs left active by a process that is gone (or silent for staleMs) as interrupted, so
   * they can be resumed. Returns their ids.
   */
  markOrphanedRuns(isAlive: (pid: number) => boolean, staleMs = 120_000): string[] {
    return this.db.transaction(() => {
      const now = Date.now();
      const rows = this.stmt(
        `SELECT id, status, owner_pid, max(coalesce(heartbeat_at, 0), updated_at) AS seen FROM runs
         WHERE status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`,
      ).all() as Array<{ id: string; status: RunStatus; owner_pid: number | null; seen: number }>;
      const orphaned: string[] = [];
      for (const row of rows) {
        let why: string | undefined;
        if (row.owner_pid === null) why = 'no process owned it';
        else if (!isAlive(row.owner_pid)) why = `process ${row.owner_pid} is gone`;
        else if (now - row.seen > staleMs) why = `process ${row.owner_pid} gave no sign of life for ${Math.round((now - row.seen) / 1000)} s`;
        if (!why) continue;
        const was = row.status === 'created' ? 'starting' : row.status;
        this.applyRunStatus(row.id, 'interrupted', `geNNerator stopped while the run was ${was} (${why})`, now);
        orphaned.push(row.id);
      }
      return orphaned;
    })();
  }

  /**
   * Gets a run ready to continue from its latest checkpoint: candidates the checkpoint does not
   * cover (all, without one) and agent updates made after it are deleted, and the aggregates recomputed.
   */
  prepareResume(runId: string): ResumePlan {
    return this.db.transaction((): ResumePlan => {
      this.requireRun(runId);
      const run = this.stmt(`SELECT config, budget FROM runs WHERE id = ?`).get(runId) as { config: string; budget: number };
      const checkpoint = this.latestCheckpoint(runId);
      const kept = checkpoint?.evaluations ?? 0;
      this.stmt(`DELETE FROM candidates WHERE run_id = ? AND idx >= ?`).run(runId, kept);
      this.stmt(`DELETE FROM agent_updates WHERE run_id = ? AND evaluations > ?`).run(runId, kept);
      this.recomputeAggregates(runId);
      this.stmt(`UPDATE runs SET updated_at = ? WHERE id = ?`).run(Date.now(), runId);
      const plan: ResumePlan = { config: JSON.parse(run.config) as RunConfig, budget: run.budget };
      if (checkpoint) plan.checkpoint = { evaluations: checkpoint.evaluations, state: checkpoint.state };
      return plan;
    })();
  }

  // ---- run queries ----

  /** Runs, newest first. */
  listRuns(options: ListRunsOptions = {}): RunSummary[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const statuses = options.status === undefined ? [] : typeof options.status === 'string' ? [options.status] : [...options.status];
    if (statuses.length) {
      where.push(`r.status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    const text = options.text?.trim();
    if (text) {
      const like = escapeLike(text);
      where.push(`(r.name LIKE ? ESCAPE '\\' OR r.id LIKE ? ESCAPE '\\' OR r.dataset LIKE ? ESCAPE '\\' OR r.strategy LIKE ? ESCAPE '\\')`);
      params.push(`%${like}%`, `${like}%`, `%${like}%`, `%${like}%`);
    }
    const sql = `SELECT ${RUN_COLUMNS} FROM runs r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY r.created_at DESC, r.rowid DESC LIMIT ? OFFSET ?`;
    const rows = this.stmt(sql).all(...params, pageLimit(options.limit), pageOffset(options.offset)) as RunRaw[];
    return rows.map(toRunSummary);
  }

  getRun(id: string): RunDetail | undefined {
    const row = this.stmt(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = ?`).get(id) as RunRaw | undefined;
    if (!row) return undefined;
    return {
      ...toRunSummary(row),
      config: JSON.parse(row.config) as RunConfig,
      settingsKey: row.settings_key,
      seed: row.seed,
      ownerPid: row.owner_pid,
      heartbeatAt: row.heartbeat_at,
    };
  }

  /** The full id of the one run whose id is or starts with `prefix` (case-insensitive). */
  resolveRunId(prefix: string): string {
    const wanted = prefix.trim();
    if (!wanted) throw new HistoryStoreError('no run id given');
    const exact = this.stmt(`SELECT id FROM runs WHERE id = ?`).get(wanted) as { id: string } | undefined;
    if (exact) return exact.id;
    const rows = this.stmt(`SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 5`).all(`${escapeLike(wanted)}%`) as Array<{ id: string }>;
    if (rows.length === 0) throw new HistoryStoreError(`no run id starts with "${wanted}"`);
    if (rows.length > 1) {
      const shown = rows.slice(0, 4).map((r) => r.id);
      throw new HistoryStoreError(`"${wanted}" matches more than one run (${shown.join(', ')}${rows.length > 4 ? ', …' : ''}): give more characters`);
    }
    return rows[0].id;
  }

  // ---- candidate queries ----

  /** A page of a run's candidates, sorted with nulls last and the index breaking ties. */
  listCandidates(runId: string, options: ListCandidatesOptions = {}): CandidatePage {
    const sortBy = options.sortBy ?? 'index';
    if (!CANDIDATE_SORT_KEYS.includes(sortBy)) throw new HistoryStoreError(`cannot sort candidates by "${sortBy}"`);
    const order = options.order === 'desc' ? 'DESC' : 'ASC';
    const column = SORT_COLUMNS[sortBy];
    const statuses = options.status === undefined ? [] : typeof options.status === 'string' ? [options.status] : [...options.status];
    for (const s of statuses) if (!CANDIDATE_STATUSES.includes(s)) throw new HistoryStoreError(`unknown candidate status "${s}"`);
    const filter = `c.run_id = ?${statuses.length ? ` AND c.status IN (${statuses.map(() => '?').join(', ')})` : ''}`;
    const orderBy = sortBy === 'index' ? `c.idx ${order}` : `c.${column} ${order} NULLS LAST, c.idx ASC`;
    const total = (this.stmt(`SELECT count(*) AS n FROM candidates c WHERE ${filter}`).get(runId, ...statuses) as { n: number }).n;
    const rows = this.stmt(`SELECT ${CANDIDATE_COLUMNS} FROM candidates c WHERE ${filter} ORDER BY ${orderBy} LIMIT ? OFFSET ?`).all(
      runId,
      ...statuses,
      pageLimit(options.limit),
      pageOffset(options.offset),
    ) as CandidateRaw[];
    return { total, rows: rows.map(toCandidateRow) };
  }

  getCandidate(runId: string, index: number): CandidateDetail | undefined {
    const row = this.stmt(
      `SELECT ${CANDIDATE_COLUMNS}, c.architecture, c.action, src.run_id AS src_run, src.idx AS src_idx,
         EXISTS (SELECT 1 FROM models m WHERE m.candidate_id = c.id) AS has_model
       FROM candidates c LEFT JOIN candidates src ON src.id = c.cached_from
       WHERE c.run_id = ? AND c.idx = ?`,
    ).get(runId, index) as
      | (CandidateRaw & { architecture: string | null; action: string; src_run: string | null; src_idx: number | null; has_model: number })
      | undefined;
    if (!row) return undefined;
    const epochs = (this.stmt(`SELECT * FROM epochs WHERE candidate_id = ? ORDER BY epoch`).all(row.id) as EpochRaw[]).map(toEpoch);
    const detail: CandidateDetail = {
      ...toCandidateRow(row),
      epochs,
      architecture: row.architecture === null ? null : (JSON.parse(row.architecture) as unknown),
      action: JSON.parse(row.action) as number[],
      hasModel: row.has_model === 1,
    };
    if (row.src_run !== null && row.src_idx !== null) detail.cachedFrom = { runId: row.src_run, index: row.src_idx };
    return detail;
  }

  /** Finished candidates by index, with the best signal so far. */
  runSeries(runId: string): SeriesPoint[] {
    return this.compareSeries([runId])[0].series;
  }

  compareSeries(runIds: readonly string[]): RunSeries[] {
    if (runIds.length === 0) return [];
    const rows = this.stmt(
      `SELECT run_id, idx, reward, valid_acc FROM candidates
       WHERE run_id IN (SELECT value FROM json_each(?)) AND status IN ${FINISHED_SQL} ORDER BY run_id, idx`,
    ).all(JSON.stringify(runIds)) as Array<{ run_id: string; idx: number; reward: number | null; valid_acc: number | null }>;
    const byRun = new Map<string, SeriesPoint[]>(runIds.map((id) => [id, []]));
    let best: number | null = null;
    let current: string | undefined;
    for (const row of rows) {
      if (row.run_id !== current) {
        current = row.run_id;
        best = null;
      }
      if (row.valid_acc !== null && (best === null || row.valid_acc > best)) best = row.valid_acc;
      byRun.get(row.run_id)?.push({ index: row.idx, reward: row.reward, signal: row.valid_acc, bestSoFar: best });
    }
    return runIds.map((runId) => ({ runId, series: byRun.get(runId) ?? [] }));
  }

  /** Every evaluation of one architecture, across runs, oldest first. */
  architectureHistory(hash: string): ArchitectureOccurrence[] {
    const rows = this.stmt(
      `SELECT ${CANDIDATE_COLUMNS}, r.name AS run_name, r.settings_key FROM candidates c JOIN runs r ON r.id = c.run_id
       WHERE c.arch_hash = ? ORDER BY c.created_at, c.id`,
    ).all(hash) as Array<CandidateRaw & { run_name: string | null; settings_key: string | null }>;
    return rows.map((row) => ({ ...toCandidateRow(row), runName: row.run_name, settingsKey: row.settings_key }));
  }

  agentUpdates(runId: string): AgentUpdateRow[] {
    const rows = this.stmt(`SELECT iteration, evaluations, diagnostics, created_at FROM agent_updates WHERE run_id = ? ORDER BY iteration`).all(
      runId,
    ) as Array<{ iteration: number; evaluations: number; diagnostics: string; created_at: number }>;
    return rows.map((row) => ({
      iteration: row.iteration,
      evaluations: row.evaluations,
      diagnostics: JSON.parse(row.diagnostics) as Record<string, number>,
      createdAt: row.created_at,
    }));
  }

  /**
   * The replay dictionary for one evaluator setting: per architecture, the earliest freshly
   * evaluated (not cached) finished candidate of any run with that settings key.
   */
  cachedOutcomes(settingsKey: string): CachedOutcome[] {
    const sources = `SELECT id, arch_hash, status, valid_acc, params, test_acc, error FROM (
        SELECT c.id, c.arch_hash, c.status, c.valid_acc, c.params, c.test_acc, c.error,
          row_number() OVER (PARTITION BY c.arch_hash ORDER BY c.finished_at, c.id) AS n
        FROM candidates c JOIN runs r ON r.id = c.run_id
        WHERE r.settings_key = ? AND c.cached = 0 AND c.status IN ${FINISHED_SQL}
      ) WHERE n = 1`;
    const rows = this.stmt(`${sources} ORDER BY id`).all(settingsKey) as Array<{
      id: number;
      arch_hash: string;
      status: CachedOutcome['status'];
      valid_acc: number | null;
      params: number | null;
      test_acc: number | null;
      error: string | null;
    }>;
    const epochs = this.stmt(
      `WITH s AS (${sources}) SELECT e.* FROM epochs e JOIN s ON s.id = e.candidate_id ORDER BY e.candidate_id, e.epoch`,
    ).all(settingsKey) as EpochRaw[];
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

  getModel(runId: string, index: number): StoredModel | undefined {
    const row = this.stmt(
      `SELECT m.topology, m.weight_specs, m.weights FROM models m JOIN candidates c ON c.id = m.candidate_id WHERE c.run_id = ? AND c.idx = ?`,
    ).get(runId, index) as { topology: string; weight_specs: string; weights: Buffer } | undefined;
    if (!row) return undefined;
    return {
      topology: JSON.parse(row.topology) as unknown,
      weightSpecs: JSON.parse(row.weight_specs) as unknown,
      weightData: new Uint8Array(row.weights.buffer, row.weights.byteOffset, row.weights.byteLength),
    };
  }

  latestCheckpoint(runId: string): StoredCheckpoint | undefined {
    const row = this.stmt(`SELECT evaluations, state, created_at FROM checkpoints WHERE run_id = ?`).get(runId) as
      | { evaluations: number; state: string; created_at: number }
      | undefined;
    return row && { evaluations: row.evaluations, state: JSON.parse(row.state) as unknown, createdAt: row.created_at };
  }

  recordExport({ runId, index, kind, path }: { runId: string; index: number; kind: string; path: string }): ExportRow {
    return this.db.transaction((): ExportRow => {
      this.requireRun(runId);
      const createdAt = Date.now();
      const id = Number(
        this.stmt(`INSERT INTO exports (run_id, idx, kind, path, created_at) VALUES (?, ?, ?, ?, ?)`).run(runId, index, kind, path, createdAt).lastInsertRowid,
      );
      return { id, runId, index, kind, path, createdAt };
    })();
  }

  listExports(runId: string): ExportRow[] {
    const rows = this.stmt(`SELECT * FROM exports WHERE run_id = ? ORDER BY created_at, id`).all(runId) as Array<{
      id: number;
      run_id: string;
      idx: number;
      kind: string;
      path: string;
      created_at: number;
    }>;
    return rows.map((r) => ({ id: r.id, runId: r.run_id, index: r.idx, kind: r.kind, path: r.path, createdAt: r.created_at }));
  }

  // ---- action sets ----

  listActionSets(): ActionSetRow[] {
    return (this.stmt(`SELECT * FROM action_sets ORDER BY builtin DESC, name`).all() as ActionSetRaw[]).map(toActionSetRow);
  }

  getActionSet(id: number): ActionSetRow | undefined {
    const row = this.stmt(`SELECT * FROM action_sets WHERE id = ?`).get(id) as ActionSetRaw | undefined;
    return row && toActionSetRow(row);
  }

  /**
   * Creates (no id) or replaces an action set. The spec is validated (ActionSetError says what is
   * wrong) and stored under `name`; a name already used by another set is refused.
   */
  saveActionSet({ id, name, spec }: { id?: number; name: string; spec: ActionSet }): ActionSetRow {
    const trimmed = name.trim();
    const parsed = parseActionSet({ ...spec, name: trimmed });
    const json = JSON.stringify(parsed);
    const now = Date.now();
    try {
      if (id === undefined) {
        const newId = Number(
          this.stmt(`INSERT INTO action_sets (name, spec, builtin, created_at, updated_at) VALUES (?, ?, 0, ?, ?)`).run(trimmed, json, now, now)
            .lastInsertRowid,
        );
        return this.getActionSet(newId) as ActionSetRow;
      }
      const changed = this.stmt(`UPDATE action_sets SET name = ?, spec = ?, updated_at = ? WHERE id = ?`).run(trimmed, json, now, id).changes;
      if (changed === 0) throw new HistoryStoreError(`there is no action set with id ${id}`);
      return this.getActionSet(id) as ActionSetRow;
    } catch (error) {
      if (constraint(error) === 'SQLITE_CONSTRAINT_UNIQUE') throw new HistoryStoreError(`an action set named "${trimmed}" already exists`);
      throw error;
    }
  }

  deleteActionSet(id: number): boolean {
    return this.stmt(`DELETE FROM action_sets WHERE id = ?`).run(id).changes > 0;
  }

  /** Inserts the bundled action sets as builtin when there are none at all (the first start). Returns how many. */
  seedActionSets(defaults: readonly ActionSet[]): number {
    return this.db.transaction((): number => {
      const count = (this.stmt(`SELECT count(*) AS n FROM action_sets`).get() as { n: number }).n;
      if (count > 0) return 0;
      const now = Date.now();
      const insert = this.stmt(`INSERT INTO action_sets (name, spec, builtin, created_at, updated_at) VALUES (?, ?, 1, ?, ?)`);
      for (const set of defaults) {
        const parsed = parseActionSet(set);
        try {
          insert.run(parsed.name, JSON.stringify(parsed), now, now);
        } catch (error) {
          if (constraint(error) === 'SQLITE_CONSTRAINT_UNIQUE') throw new HistoryStoreError(`two default action sets are named "${parsed.name}"`);
          throw error;
        }
      }
      return defaults.length;
    })();
  }

  // ---- internals ----

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private requireRun(runId: string): { settings_key: string | null } {
    const row = this.stmt(`SELECT settings_key FROM runs WHERE id = ?`).get(runId) as { settings_key: string | null } | undefined;
    if (!row) throw new HistoryStoreError(`there is no run ${runId} in the history`);
    return row;
  }

  private updateRun(runId: string, sql: string, ...params: unknown[]): void {
    if (this.stmt(sql).run(...params).changes === 0) throw new HistoryStoreError(`there is no run ${runId} in the history`);
  }

  private requireCandidate(runId: string, index: number, event: string): { id: number; status: CandidateStatus; arch_hash: string } {
    const row = this.stmt(`SELECT id, status, arch_hash FROM candidates WHERE run_id = ? AND idx = ?`).get(runId, index) as
      | { id: number; status: CandidateStatus; arch_hash: string }
      | undefined;
    if (!row) throw new HistoryStoreError(`${event} for candidate ${index} of run ${runId}, which was never proposed`);
    return row;
  }

  private applyRunStatus(runId: string, status: RunStatus, reason: string | null, now: number): void {
    if (TERMINAL_RUN_STATUSES.has(status)) {
      this.stmt(`UPDATE runs SET status = ?, status_reason = ?, finished_at = ?, owner_pid = NULL, updated_at = ? WHERE id = ?`).run(
        status,
        reason,
        now,
        now,
        runId,
      );
      this.stmt(`UPDATE candidates SET status = 'interrupted', updated_at = ? WHERE run_id = ? AND status = 'running'`).run(now, runId);
    } else {
      this.stmt(`UPDATE runs SET status = ?, status_reason = ?, finished_at = NULL, updated_at = ? WHERE id = ?`).run(status, reason, now, runId);
    }
  }

  private proposeCandidate(runId: string, event: Extract<SearchEvent, { type: 'candidate_proposed' }>, now: number): void {
    // A row already there is the attempt an interruption cut short: replacing it (rather than
    // updating) drops its epochs and model through the cascades.
    const previous = this.stmt(`SELECT id, status FROM candidates WHERE run_id = ? AND idx = ?`).get(runId, event.index) as
      | { id: number; status: CandidateStatus }
      | undefined;
    if (previous) this.stmt(`DELETE FROM candidates WHERE id = ?`).run(previous.id);
    this.stmt(
      `INSERT INTO candidates (run_id, idx, status, arch_hash, architecture, label, action, created_at, updated_at)
       VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
    ).run(runId, event.index, event.hash, JSON.stringify(event.architecture ?? null), event.label, JSON.stringify(event.action), now, now);
    if (previous && isFinished(previous.status)) this.recomputeAggregates(runId);
  }

  private recordEpoch(runId: string, event: Extract<SearchEvent, { type: 'epoch_done' }>, now: number): void {
    const candidate = this.requireCandidate(runId, event.index, 'epoch_done');
    const m = event.metrics;
    this.stmt(
      `INSERT OR REPLACE INTO epochs (candidate_id, epoch, train_loss, train_acc, valid_loss, valid_acc, seconds, images_per_second)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(candidate.id, m.epoch, m.trainLoss, m.trainAccuracy, m.validLoss, m.validAccuracy, m.seconds, m.imagesPerSecond);
    // While training, valid_acc follows the epochs; once finished it holds the signal.
    this.stmt(
      `UPDATE candidates SET train_loss = ?, train_acc = ?, valid_loss = ?,
         valid_acc = CASE WHEN status = 'running' THEN ? ELSE valid_acc END,
         best_valid_acc = (SELECT max(valid_acc) FROM epochs WHERE candidate_id = ?), updated_at = ?
       WHERE id = ?`,
    ).run(m.trainLoss, m.trainAccuracy, m.validLoss, m.validAccuracy, candidate.id, now, candidate.id);
  }

  private finishCandidate(
    runId: string,
    settingsKey: string | null,
    event: Extract<SearchEvent, { type: 'candidate_finished' }>,
    now: number,
    model: StoredModel | undefined,
  ): void {
    const candidate = this.requireCandidate(runId, event.index, 'candidate_finished');
    const cachedFrom = event.cached ? this.cacheSource(runId, settingsKey, candidate.id, candidate.arch_hash) : null;
    // Train and valid metrics come from the last epoch (none for a network that could not be built).
    this.stmt(
      `UPDATE candidates SET status = @status, reward = @reward, valid_acc = @signal, test_acc = @testAcc, params = @params,
         seconds = @seconds, error = @error, cached = @cached, cached_from = @cachedFrom,
         best_valid_acc = (SELECT max(valid_acc) FROM epochs WHERE candidate_id = @id),
         train_loss = coalesce((SELECT train_loss FROM epochs WHERE candidate_id = @id ORDER BY epoch DESC LIMIT 1), train_loss),
         train_acc = coalesce((SELECT train_acc FROM epochs WHERE candidate_id = @id ORDER BY epoch DESC LIMIT 1), train_acc),
         valid_loss = coalesce((SELECT valid_loss FROM epochs WHERE candidate_id = @id ORDER BY epoch DESC LIMIT 1), valid_loss),
         finished_at = @now, updated_at = @now
       WHERE id = @id`,
    ).run({
      id: candidate.id,
      status: event.status,
      reward: event.reward,
      signal: event.signal,
      testAcc: event.testAccuracy ?? null,
      params: event.params ?? null,
      seconds: event.seconds,
      error: event.error ?? null,
      cached: event.cached ? 1 : 0,
      cachedFrom,
      now,
    });

    if (isFinished(candidate.status)) {
      // A repeated candidate_finished: counting it again would double the aggregates.
      this.recomputeAggregates(runId);
    } else {
      const run = this.stmt(`SELECT evaluations, cache_hits, best_signal FROM runs WHERE id = ?`).get(runId) as {
        evaluations: number;
        cache_hits: number;
        best_signal: number | null;
      };
      // The engine's rule: the highest signal, the first on ties.
      const better = Number.isFinite(event.signal) && (run.best_signal === null || event.signal > run.best_signal);
      this.stmt(
        `UPDATE runs SET evaluations = ?, cache_hits = ?,
           best_index = CASE WHEN ? THEN ? ELSE best_index END,
           best_signal = CASE WHEN ? THEN ? ELSE best_signal END,
           best_test_acc = CASE WHEN ? THEN ? ELSE best_test_acc END
         WHERE id = ?`,
      ).run(
        Math.max(run.evaluations, event.index + 1),
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

    if (model) {
      const w = model.weightData;
      this.stmt(`INSERT OR REPLACE INTO models (candidate_id, topology, weight_specs, weights, created_at) VALUES (?, ?, ?, ?, ?)`).run(
        candidate.id,
        JSON.stringify(model.topology ?? null),
        JSON.stringify(model.weightSpecs ?? null),
        Buffer.from(w.buffer, w.byteOffset, w.byteLength),
        now,
      );
    }
  }

  /** The earliest fresh result for the same architecture under the same settings (this run only when they are unknown). */
  private cacheSource(runId: string, settingsKey: string | null, selfId: number, hash: string): number | null {
    const scope = settingsKey === null ? `c.run_id = ?` : `c.run_id IN (SELECT id FROM runs WHERE settings_key = ?)`;
    const row = this.stmt(
      `SELECT c.id FROM candidates c WHERE c.arch_hash = ? AND c.cached = 0 AND c.status IN ${FINISHED_SQL} AND c.id <> ? AND ${scope}
       ORDER BY c.finished_at, c.id LIMIT 1`,
    ).get(hash, selfId, settingsKey ?? runId) as { id: number } | undefined;
    return row?.id ?? null;
  }

  private saveCheckpoint(runId: string, evaluations: number, state: unknown, now: number): void {
    this.stmt(`INSERT OR REPLACE INTO checkpoints (run_id, evaluations, state, created_at) VALUES (?, ?, ?, ?)`).run(
      runId,
      evaluations,
      JSON.stringify(state ?? null),
      now,
    );
  }

  /** Recomputes a run's aggregates from its finished candidates (after deletions or replays). */
  private recomputeAggregates(runId: string): void {
    const totals = this.stmt(
      `SELECT coalesce(max(idx) + 1, 0) AS evaluations, coalesce(sum(cached), 0) AS cache_hits FROM candidates WHERE run_id = ? AND status IN ${FINISHED_SQL}`,
    ).get(runId) as { evaluations: number; cache_hits: number };
    const best = this.stmt(
      `SELECT idx, valid_acc, test_acc FROM candidates WHERE run_id = ? AND status IN ${FINISHED_SQL} AND valid_acc IS NOT NULL
       ORDER BY valid_acc DESC, idx ASC LIMIT 1`,
    ).get(runId) as { idx: number; valid_acc: number; test_acc: number | null } | undefined;
    this.stmt(`UPDATE runs SET evaluations = ?, cache_hits = ?, best_index = ?, best_signal = ?, best_test_acc = ? WHERE id = ?`).run(
      totals.evaluations,
      totals.cache_hits,
      best?.idx ?? null,
      best?.valid_acc ?? null,
      best?.test_acc ?? null,
      runId,
    );
  }
}

// ---- mapping ----

function isFinished(status: CandidateStatus): boolean {
  return (FINISHED as readonly string[]).includes(status);
}

function toRunSummary(row: RunRaw): RunSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    statusReason: row.status_reason,
    strategy: row.strategy,
    evaluator: row.evaluator,
    dataset: row.dataset,
    mode: row.mode,
    budget: row.budget,
    evaluations: row.evaluations,
    cacheHits: row.cache_hits,
    bestIndex: row.best_index,
    bestSignal: row.best_signal,
    bestTestAcc: row.best_test_acc,
    bestLabel: row.best_label,
    backend: row.backend,
    device: row.device,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

function toCandidateRow(row: CandidateRaw): CandidateRow {
  return {
    runId: row.run_id,
    index: row.idx,
    status: row.status,
    hash: row.arch_hash,
    label: row.label,
    params: row.params,
    reward: row.reward,
    validAcc: row.valid_acc,
    bestValidAcc: row.best_valid_acc,
    validLoss: row.valid_loss,
    trainAcc: row.train_acc,
    trainLoss: row.train_loss,
    testAcc: row.test_acc,
    seconds: row.seconds,
    error: row.error,
    cached: row.cached === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/** SQLite keeps NaN as NULL; epoch metrics are numbers, so NULL reads back as NaN. */
function toEpoch(row: EpochRaw): EpochMetrics {
  const n = (v: number | null): number => v ?? Number.NaN;
  return {
    epoch: row.epoch,
    trainLoss: n(row.train_loss),
    trainAccuracy: n(row.train_acc),
    validLoss: n(row.valid_loss),
    validAccuracy: n(row.valid_acc),
    seconds: n(row.seconds),
    imagesPerSecond: n(row.images_per_second),
  };
}

function toActionSetRow(row: ActionSetRaw): ActionSetRow {
  return {
    id: row.id,
    name: row.name,
    spec: JSON.parse(row.spec) as ActionSet,
    builtin: row.builtin === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function pageLimit(limit: number | undefined): number {
  return limit === undefined ? DEFAULT_PAGE : Math.max(0, Math.floor(limit));
}

function pageOffset(offset: number | undefined): number {
  return offset === undefined ? 0 : Math.max(0, Math.floor(offset));
}

function constraint(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}
