/**
 * The history schema, as numbered migrations. `PRAGMA user_version` holds the number of the last one
 * applied; each runs in its own transaction together with the version bump, so a crash leaves the
 * database at a whole version. Never edit a migration that has shipped: add the next one.
 */
import type Database from 'better-sqlite3';
import { RUN_STATUSES } from '../../shared/run-config';
import { CONTROLLER_STATUSES, SCHEDULES } from '../../shared/tuning';

/** `PRAGMA application_id` of geNNerator histories ("gNNr" in ASCII), so foreign SQLite files are refused. */
export const APPLICATION_ID = 0x674e4e72;

export interface Migration {
  version: number;
  description: string;
  /**
   * It rebuilds a table others reference (SQLite's way to change a constraint): foreign keys are
   * off while it runs, so dropping the old table does not cascade into its children, and are
   * checked before it commits.
   */
  rebuildsTables?: boolean;
  up(db: Database.Database): void;
}

const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

/** Candidate statuses each schema allows: a shipped migration's list never changes. */
const CANDIDATE_STATUSES_V1 = ['running', 'completed', 'diverged', 'failed', 'interrupted'] as const;
const CANDIDATE_STATUSES_V4 = [...CANDIDATE_STATUSES_V1, 'pruned'] as const;
/** Tuning session statuses of migration 9 (TuneSessionSummary's). */
const TUNE_SESSION_STATUSES_V9 = ['running', 'completed', 'failed', 'stopped'] as const;
/** Episode outcomes (EpisodeOutcome.status) of migration 9. */
const EPISODE_STATUSES_V9 = ['completed', 'diverged', 'cancelled'] as const;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tables',
    up(db) {
      db.exec(`
        CREATE TABLE action_sets (
          id          INTEGER PRIMARY KEY,
          name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
          spec        TEXT NOT NULL,
          builtin     INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
          created_at  INTEGER NOT NULL,
          updated_at  INTEGER NOT NULL
        );

        CREATE TABLE runs (
          id             TEXT PRIMARY KEY,
          name           TEXT,
          status         TEXT NOT NULL CHECK (status IN (${sqlList(RUN_STATUSES)})),
          status_reason  TEXT,
          config         TEXT NOT NULL,
          strategy       TEXT NOT NULL,
          evaluator      TEXT NOT NULL,
          dataset        TEXT,
          mode           TEXT,
          seed           INTEGER,
          budget         INTEGER NOT NULL,
          backend        TEXT,
          device         TEXT,
          settings_key   TEXT,
          owner_pid      INTEGER,
          heartbeat_at   INTEGER,
          created_at     INTEGER NOT NULL,
          started_at     INTEGER,
          updated_at     INTEGER NOT NULL,
          finished_at    INTEGER,
          evaluations    INTEGER NOT NULL DEFAULT 0,
          cache_hits     INTEGER NOT NULL DEFAULT 0,
          best_index     INTEGER,
          best_signal    REAL,
          best_test_acc  REAL
        );

        -- Metric columns are nullable: SQLite stores NaN (a diverged loss) as NULL.
        CREATE TABLE candidates (
          id              INTEGER PRIMARY KEY,
          run_id          TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          idx             INTEGER NOT NULL,
          status          TEXT NOT NULL CHECK (status IN (${sqlList(CANDIDATE_STATUSES_V1)})),
          arch_hash       TEXT NOT NULL,
          architecture    TEXT,
          label           TEXT NOT NULL,
          action          TEXT NOT NULL,
          params          INTEGER,
          reward          REAL,
          valid_acc       REAL,
          best_valid_acc  REAL,
          valid_loss      REAL,
          train_acc       REAL,
          train_loss      REAL,
          test_acc        REAL,
          seconds         REAL,
          error           TEXT,
          cached          INTEGER NOT NULL DEFAULT 0 CHECK (cached IN (0, 1)),
          cached_from     INTEGER REFERENCES candidates(id) ON DELETE SET NULL,
          created_at      INTEGER NOT NULL,
          updated_at      INTEGER NOT NULL,
          finished_at     INTEGER,
          UNIQUE (run_id, idx)
        );

        CREATE TABLE epochs (
          candidate_id       INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
          epoch              INTEGER NOT NULL,
          train_loss         REAL,
          train_acc          REAL,
          valid_loss         REAL,
          valid_acc          REAL,
          seconds            REAL,
          images_per_second  REAL,
          PRIMARY KEY (candidate_id, epoch)
        ) WITHOUT ROWID;

        CREATE TABLE agent_updates (
          run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          iteration    INTEGER NOT NULL,
          evaluations  INTEGER NOT NULL,
          diagnostics  TEXT NOT NULL,
          created_at   INTEGER NOT NULL,
          PRIMARY KEY (run_id, iteration)
        ) WITHOUT ROWID;

        -- Only the latest checkpoint of a run is kept: resuming needs no other.
        CREATE TABLE checkpoints (
          run_id       TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
          evaluations  INTEGER NOT NULL,
          state        TEXT NOT NULL,
          created_at   INTEGER NOT NULL
        );

        CREATE TABLE models (
          candidate_id  INTEGER PRIMARY KEY REFERENCES candidates(id) ON DELETE CASCADE,
          topology      TEXT NOT NULL,
          weight_specs  TEXT NOT NULL,
          weights       BLOB NOT NULL,
          created_at    INTEGER NOT NULL
        );

        CREATE TABLE exports (
          id          INTEGER PRIMARY KEY,
          run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          idx         INTEGER NOT NULL,
          kind        TEXT NOT NULL,
          path        TEXT NOT NULL,
          created_at  INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: 'query indexes',
    up(db) {
      db.exec(`
        -- The history list, newest first: scanned backwards, (created_at, rowid) gives the order
        -- listRuns asks for without a sort.
        CREATE INDEX runs_created ON runs (created_at);
        CREATE INDEX runs_status_created ON runs (status, created_at);
        -- Replay dictionary and cached_from lookups.
        CREATE INDEX runs_settings_key ON runs (settings_key);
        CREATE INDEX candidates_hash ON candidates (arch_hash, cached, status);
        -- Without it, every candidate delete scans the table for ON DELETE SET NULL.
        CREATE INDEX candidates_cached_from ON candidates (cached_from) WHERE cached_from IS NOT NULL;
        -- The candidate table's common sorts within a run.
        CREATE INDEX candidates_run_valid_acc ON candidates (run_id, valid_acc);
        CREATE INDEX candidates_run_reward ON candidates (run_id, reward);
        CREATE INDEX exports_run ON exports (run_id);
      `);
    },
  },
  {
    version: 3,
    description: 'candidates finish in any order; the agent\'s time and prediction per candidate',
    up(db) {
      db.exec(`
        -- The run's finished count when the candidate finished (1, 2, …): with several workers,
        -- candidates finish out of index order, and a checkpoint covers those up to its count.
        ALTER TABLE candidates ADD COLUMN finish_order INTEGER;
        UPDATE candidates SET finish_order = idx + 1 WHERE status IN ('completed', 'diverged', 'failed');
        -- Seconds the agent spent proposing the candidate and learning from it.
        ALTER TABLE candidates ADD COLUMN agent_seconds REAL;
        -- What the agent's predictor expected of the candidate's signal.
        ALTER TABLE candidates ADD COLUMN prediction_mean REAL;
        ALTER TABLE candidates ADD COLUMN prediction_std REAL;
      `);
    },
  },
  {
    version: 4,
    description: 'early stopping: a candidate may be pruned, and records the epochs it reached',
    rebuildsTables: true,
    up(db) {
      // The status CHECK of migration 1 refuses 'pruned', and SQLite cannot alter a CHECK: the
      // table is rebuilt as https://sqlite.org/lang_altertable.html#otheralter describes.
      const columns = `id, run_id, idx, status, arch_hash, architecture, label, action, params, reward, valid_acc, best_valid_acc,
        valid_loss, train_acc, train_loss, test_acc, seconds, error, cached, cached_from, created_at, updated_at, finished_at,
        finish_order, agent_seconds, prediction_mean, prediction_std`;
      db.exec(`
        CREATE TABLE candidates_v4 (
          id              INTEGER PRIMARY KEY,
          run_id          TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          idx             INTEGER NOT NULL,
          status          TEXT NOT NULL CHECK (status IN (${sqlList(CANDIDATE_STATUSES_V4)})),
          arch_hash       TEXT NOT NULL,
          architecture    TEXT,
          label           TEXT NOT NULL,
          action          TEXT NOT NULL,
          params          INTEGER,
          reward          REAL,
          valid_acc       REAL,
          best_valid_acc  REAL,
          valid_loss      REAL,
          train_acc       REAL,
          train_loss      REAL,
          test_acc        REAL,
          seconds         REAL,
          error           TEXT,
          cached          INTEGER NOT NULL DEFAULT 0 CHECK (cached IN (0, 1)),
          cached_from     INTEGER REFERENCES candidates(id) ON DELETE SET NULL,
          created_at      INTEGER NOT NULL,
          updated_at      INTEGER NOT NULL,
          finished_at     INTEGER,
          finish_order    INTEGER,
          agent_seconds   REAL,
          prediction_mean REAL,
          prediction_std  REAL,
          -- Epochs trained: all of them when completed, the epoch it was stopped at when pruned.
          epochs_reached  INTEGER,
          UNIQUE (run_id, idx)
        );
        -- Candidates finished before pruning existed trained every epoch they have.
        INSERT INTO candidates_v4 (${columns}, epochs_reached)
          SELECT ${columns}, CASE WHEN status = 'running' THEN NULL ELSE (SELECT max(epoch) FROM epochs e WHERE e.candidate_id = candidates.id) END
          FROM candidates;
        DROP TABLE candidates;
        ALTER TABLE candidates_v4 RENAME TO candidates;
        -- Migration 2's indexes went with the old table.
        CREATE INDEX candidates_hash ON candidates (arch_hash, cached, status);
        CREATE INDEX candidates_cached_from ON candidates (cached_from) WHERE cached_from IS NOT NULL;
        CREATE INDEX candidates_run_valid_acc ON candidates (run_id, valid_acc);
        CREATE INDEX candidates_run_reward ON candidates (run_id, reward);
      `);
    },
  },
  {
    version: 5,
    description: 'selective backprop: the share of each epoch\'s samples backpropagated',
    up(db) {
      db.exec(`
        -- NULL when the candidate trained on every sample.
        ALTER TABLE epochs ADD COLUMN backprop_share REAL;
      `);
    },
  },
  {
    version: 6,
    description: 'a failed run records when it failed: while setting up (resuming cannot help) or while searching',
    up(db) {
      db.exec(`
        -- NULL unless the run failed (and for runs that failed before this was recorded).
        ALTER TABLE runs ADD COLUMN failed_during TEXT CHECK (failed_during IN ('setup', 'search'));
      `);
    },
  },
  {
    version: 7,
    description: 'the agent made visible: each candidate\'s reward parts, the policy after each agent update',
    up(db) {
      db.exec(`
        -- JSON {metric, build, depth, params}, which add up to reward; NULL before they were recorded.
        ALTER TABLE candidates ADD COLUMN reward_parts TEXT;
        -- JSON: per slot, the probability of each value (PPO); NULL for agents without one.
        ALTER TABLE agent_updates ADD COLUMN policy TEXT;
      `);
    },
  },
  {
    version: 8,
    description: 'warm start: how many earlier results a run began from',
    up(db) {
      db.exec(`
        -- NULL when the run did not warm-start; set when main answers the engine's request.
        ALTER TABLE runs ADD COLUMN warm_start_evaluations INTEGER;
        ALTER TABLE runs ADD COLUMN warm_start_runs INTEGER;
      `);
    },
  },
  {
    version: 9,
    description: 'the second mode: controllers that steer training, their learning episodes, tuning sessions and their schedules',
    up(db) {
      db.exec(`
        -- A controller: a PPO agent that steers hyperparameters while a network trains. settings and
        -- tasks are JSON (ControllerSettings, TuningTask[]); checkpoint is the Controller's JSON state
        -- after its last finished episode (NULL before the first), written in the same transaction as
        -- that episode's row, so a killed learn resumes at episodes_done.
        CREATE TABLE controllers (
          id             INTEGER PRIMARY KEY,
          name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
          status         TEXT NOT NULL CHECK (status IN (${sqlList(CONTROLLER_STATUSES)})),
          settings       TEXT NOT NULL,
          tasks          TEXT NOT NULL,
          checkpoint     TEXT,
          episodes_done  INTEGER NOT NULL DEFAULT 0,
          owner_pid      INTEGER,
          error          TEXT,
          created_at     INTEGER NOT NULL,
          updated_at     INTEGER NOT NULL
        );

        -- One row per finished learning episode (1, 2, …): the controller's learning curve, and what
        -- the episode did (decisions and epochs as JSON: TuneDecision[], TuneEpoch[]).
        CREATE TABLE controller_episodes (
          controller_id        INTEGER NOT NULL REFERENCES controllers(id) ON DELETE CASCADE,
          episode              INTEGER NOT NULL,
          task                 TEXT NOT NULL,
          status               TEXT NOT NULL CHECK (status IN (${sqlList(EPISODE_STATUSES_V9)})),
          return               REAL,
          final_valid_acc      REAL,
          interventions        INTEGER NOT NULL,
          threshold            REAL,
          seconds              REAL,
          decisions            TEXT NOT NULL,
          epochs               TEXT NOT NULL,
          created_at           INTEGER NOT NULL,
          PRIMARY KEY (controller_id, episode)
        ) WITHOUT ROWID;

        -- A controller applied to one task (tune apply): the controller's schedule and the baselines'.
        CREATE TABLE tune_sessions (
          id               INTEGER PRIMARY KEY,
          controller_id    INTEGER NOT NULL REFERENCES controllers(id) ON DELETE CASCADE,
          task             TEXT NOT NULL,
          status           TEXT NOT NULL CHECK (status IN (${sqlList(TUNE_SESSION_STATUSES_V9)})),
          error            TEXT,
          owner_pid        INTEGER,
          created_at       INTEGER NOT NULL,
          updated_at       INTEGER NOT NULL,
          finished_at      INTEGER
        );
        CREATE INDEX tune_sessions_controller ON tune_sessions (controller_id, created_at);

        -- One schedule of a session per seed, planned when the session starts: outcome is the
        -- EpisodeOutcome JSON once it is trained (NULL until then).
        CREATE TABLE tune_schedules (
          session_id   INTEGER NOT NULL REFERENCES tune_sessions(id) ON DELETE CASCADE,
          schedule     TEXT NOT NULL CHECK (schedule IN (${sqlList(SCHEDULES)})),
          seed         INTEGER NOT NULL,
          -- The order the schedules were planned in (the controller's first).
          position     INTEGER NOT NULL,
          outcome      TEXT,
          created_at   INTEGER NOT NULL,
          PRIMARY KEY (session_id, schedule, seed)
        ) WITHOUT ROWID;
      `);
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Applies the migrations after the database's version, up to `target`, each in its own transaction.
 * Each transaction takes the write lock as it begins and reads the version again under it, so two
 * processes opening a new history at once (two CLI searches) apply each migration once.
 */
export function migrate(db: Database.Database, target = LATEST_VERSION): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  for (const migration of MIGRATIONS) {
    if (migration.version <= version() || migration.version > target) continue;
    // A no-op inside a transaction, so switched around it.
    const foreignKeys = migration.rebuildsTables === true && db.pragma('foreign_keys', { simple: true }) === 1;
    if (foreignKeys) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        if (migration.version <= version()) return; // another process applied it meanwhile
        migration.up(db);
        if (migration.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${migration.version} would leave ${broken.length} broken foreign key(s)`);
        }
        // Both pragmas write the database header, so they commit or roll back with the migration.
        db.pragma(`user_version = ${migration.version}`);
        db.pragma(`application_id = ${APPLICATION_ID}`);
      }).immediate();
    } finally {
      if (foreignKeys) db.pragma('foreign_keys = ON');
    }
  }
}
