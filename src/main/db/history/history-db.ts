/**
 * What every area of the history store shares: one connection, its prepared statements (compiled
 * once per SQL text), transactions, and the run and status checks most writes begin with.
 */
import type Database from 'better-sqlite3';
import { HistoryStoreError } from '../errors';
import type { CandidateStatus } from '../../../shared/run-config';

/**
 * Finished and evaluated to the end: what may be a run's best, or be reused by the replay cache. A
 * pruned candidate stopped early (the engine's rule: competesForBest in shared/events).
 */
const FULLY_EVALUATED = ['completed', 'diverged', 'failed'] as const;
export const FULLY_EVALUATED_SQL = sqlList(FULLY_EVALUATED);
/** Candidate statuses that carry a result (and count as evaluations). */
const FINISHED = [...FULLY_EVALUATED, 'pruned'] as const;
export const FINISHED_SQL = sqlList(FINISHED);

/** Constant strings as an SQL list: `('a', 'b')`. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map((v) => `'${v}'`).join(', ')})`;
}

export function isFinished(status: CandidateStatus): boolean {
  return (FINISHED as readonly string[]).includes(status);
}

export class HistoryDb {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly connection: Database.Database) {}

  get file(): string {
    return this.connection.name;
  }

  close(): void {
    if (this.connection.open) this.connection.close();
  }

  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `work` in one transaction: all of its writes land, or none. It takes the write lock as it
   * begins (BEGIN IMMEDIATE), so that another process writing the same file (two CLI searches) makes
   * it wait for busy_timeout; a deferred transaction that reads first and then writes would fail at
   * once with "database is locked" when the other process wrote in between.
   */
  transaction<T>(work: () => T): T {
    return this.connection.transaction(work).immediate();
  }

  /** The run's settings key; throws when there is no such run. */
  requireRun(runId: string): { settings_key: string | null } {
    const row = this.stmt(`SELECT settings_key FROM runs WHERE id = ?`).get(runId) as { settings_key: string | null } | undefined;
    if (!row) throw noSuchRun(runId);
    return row;
  }

  /** Stamps a run as changed (the history list shows the latest change). */
  touchRun(runId: string, now: number): void {
    this.stmt(`UPDATE runs SET updated_at = ? WHERE id = ?`).run(now, runId);
  }

  /** Runs an UPDATE of one run's row; throws when it changed nothing (there is no such run). */
  updateRun(runId: string, sql: string, ...params: unknown[]): void {
    if (this.stmt(sql).run(...params).changes === 0) throw noSuchRun(runId);
  }
}

function noSuchRun(runId: string): HistoryStoreError {
  return new HistoryStoreError(`there is no run ${runId} in the history`);
}

/** The SQLite error code of a failed statement (SQLITE_CONSTRAINT_UNIQUE, …). */
export function sqliteCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}
