/**
 * What a run leaves to continue or export from: its latest checkpoint (and resuming from it), the
 * trained models of its candidates, and the record of exports made.
 */
import type { ExportRow, ResumePlan, StoredCheckpoint, StoredModel } from '../../../shared/history';
import type { RunConfig } from '../../../shared/run-config';
import { FINISHED_SQL, type HistoryDb } from './history-db';
import { recomputeAggregates } from './run-aggregates';

/** Replaces the run's checkpoint with the search state after `evaluations` candidates. */
export function saveCheckpoint(db: HistoryDb, runId: string, evaluations: number, state: unknown, now: number): void {
  db.stmt(`INSERT OR REPLACE INTO checkpoints (run_id, evaluations, state, created_at) VALUES (?, ?, ?, ?)`).run(
    runId,
    evaluations,
    JSON.stringify(state ?? null),
    now,
  );
}

export function latestCheckpoint(db: HistoryDb, runId: string): StoredCheckpoint | undefined {
  const row = db.stmt(`SELECT evaluations, state, created_at FROM checkpoints WHERE run_id = ?`).get(runId) as
    | { evaluations: number; state: string; created_at: number }
    | undefined;
  return row && { evaluations: row.evaluations, state: JSON.parse(row.state) as unknown, createdAt: row.created_at };
}

/**
 * Gets a run ready to continue from its latest checkpoint: candidates the checkpoint does not
 * cover (all, without one) and agent updates made after it are deleted, and the aggregates recomputed.
 */
export function prepareResume(db: HistoryDb, runId: string): ResumePlan {
  return db.transaction((): ResumePlan => {
    db.requireRun(runId);
    const run = db.stmt(`SELECT config, budget FROM runs WHERE id = ?`).get(runId) as { config: string; budget: number };
    const checkpoint = latestCheckpoint(db, runId);
    const kept = checkpoint?.evaluations ?? 0;
    // The checkpoint covers the first `kept` candidates to finish (in whatever index order); the
    // others, finished later or still in flight when the run stopped, are evaluated again under their index.
    db.stmt(`DELETE FROM candidates WHERE run_id = ? AND (status NOT IN ${FINISHED_SQL} OR finish_order > ?)`).run(runId, kept);
    db.stmt(`DELETE FROM agent_updates WHERE run_id = ? AND evaluations > ?`).run(runId, kept);
    recomputeAggregates(db, runId);
    db.touchRun(runId, Date.now());
    const plan: ResumePlan = { config: JSON.parse(run.config) as RunConfig, budget: run.budget };
    if (checkpoint) plan.checkpoint = { evaluations: checkpoint.evaluations, state: checkpoint.state };
    return plan;
  });
}

export function saveModel(db: HistoryDb, candidateId: number, model: StoredModel, now: number): void {
  const w = model.weightData;
  db.stmt(`INSERT OR REPLACE INTO models (candidate_id, topology, weight_specs, weights, created_at) VALUES (?, ?, ?, ?, ?)`).run(
    candidateId,
    JSON.stringify(model.topology ?? null),
    JSON.stringify(model.weightSpecs ?? null),
    Buffer.from(w.buffer, w.byteOffset, w.byteLength),
    now,
  );
}

export function getModel(db: HistoryDb, runId: string, index: number): StoredModel | undefined {
  const row = db
    .stmt(`SELECT m.topology, m.weight_specs, m.weights FROM models m JOIN candidates c ON c.id = m.candidate_id WHERE c.run_id = ? AND c.idx = ?`)
    .get(runId, index) as { topology: string; weight_specs: string; weights: Buffer } | undefined;
  if (!row) return undefined;
  return {
    topology: JSON.parse(row.topology) as unknown,
    weightSpecs: JSON.parse(row.weight_specs) as unknown,
    weightData: new Uint8Array(row.weights.buffer, row.weights.byteOffset, row.weights.byteLength),
  };
}

export function recordExport(db: HistoryDb, { runId, index, kind, path }: { runId: string; index: number; kind: string; path: string }): ExportRow {
  return db.transaction((): ExportRow => {
    db.requireRun(runId);
    const createdAt = Date.now();
    const id = Number(
      db.stmt(`INSERT INTO exports (run_id, idx, kind, path, created_at) VALUES (?, ?, ?, ?, ?)`).run(runId, index, kind, path, createdAt).lastInsertRowid,
    );
    return { id, runId, index, kind, path, createdAt };
  });
}

export function listExports(db: HistoryDb, runId: string): ExportRow[] {
  const rows = db.stmt(`SELECT * FROM exports WHERE run_id = ? ORDER BY created_at, id`).all(runId) as Array<{
    id: number;
    run_id: string;
    idx: number;
    kind: string;
    path: string;
    created_at: number;
  }>;
  return rows.map((r) => ({ id: r.id, runId: r.run_id, index: r.idx, kind: r.kind, path: r.path, createdAt: r.created_at }));
}
