/** What a user would check in a run's history after crashes: the fault tests' verdict. */
import Database from 'better-sqlite3';
import { expect } from 'vitest';

/**
 * The database is sound, nothing is left running, every candidate index up to `budget` appears
 * exactly once, each completed (trained) one has exactly `epochs` epochs, and the run is completed.
 */
export function expectCleanHistory(dbPath: string, runId: string, budget: number, epochs: number): void {
  const db = new Database(dbPath, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT count(*) AS n FROM runs WHERE status IN ('running', 'created', 'paused')").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM candidates WHERE status IN ('running', 'interrupted')").get()).toEqual({ n: 0 });
    const rows = db.prepare('SELECT id, idx, status, cached FROM candidates WHERE run_id = ? ORDER BY idx').all(runId) as Array<{ id: number; idx: number; status: string; cached: number }>;
    expect(rows.map((r) => r.idx)).toEqual(Array.from({ length: budget }, (_, i) => i));
    // A candidate trained again after a kill replaced its half-trained attempt: exactly `epochs` rows each.
    for (const row of rows.filter((r) => r.status === 'completed' && !r.cached)) {
      expect(db.prepare('SELECT count(*) AS n FROM epochs WHERE candidate_id = ?').get(row.id)).toEqual({ n: epochs });
    }
    expect(db.prepare('SELECT status, evaluations, budget FROM runs WHERE id = ?').get(runId)).toEqual({ status: 'completed', evaluations: budget, budget });
  } finally {
    db.close();
  }
}
