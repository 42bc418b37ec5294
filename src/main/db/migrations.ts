/**
 * The history schema, as numbered migrations. `PRAGMA user_version` holds the number of the last one
 * applied; each runs in its own transaction together with the version bump, so a crash leaves the
 * database at a whole version. Never edit a migration that has shipped: add the next one.
 */
import type Database from 'better-sqlite3';
import { CANDIDATE_STATUSES, RUN_STATUSES } from '../../shared/run-config';

/** `PRAGMA application_id` of geNNerator histories ("gNNr" in ASCII), so foreign SQLite files are refused. */
export const APPLICATION_ID = 0x674e4e72;

export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

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
          status          TEXT NOT NULL CHECK (status IN (${sqlList(CANDIDATE_STATUSES)})),
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
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Applies the migrations after the database's version, up to `target`, each in its own transaction. */
export function migrate(db: Database.Database, target = LATEST_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      // Both pragmas write the database header, so they commit or roll back with the migration.
      db.pragma(`user_version = ${migration.version}`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    })();
  }
}
