/**
 * Writing the engine's search events: each event, with the checkpoint and model that come with it,
 * in one transaction, so the file never holds half an event and the run's aggregates always agree
 * with its candidate rows.
 */
import { runFinishedReason, type SearchEvent } from '../../../shared/events';
import type { RecordExtras, StoredModel } from '../../../shared/history';
import type { CandidateStatus } from '../../../shared/run-config';
import { HistoryStoreError } from '../errors';
import { isFinished, type HistoryDb } from './history-db';
import { cacheSource } from './replay-cache';
import { countFinishedCandidate, recomputeAggregates } from './run-aggregates';
import { applyRunStatus } from './run-lifecycle';
import { saveCheckpoint, saveModel } from './saved-state';

type EventOf<T extends SearchEvent['type']> = Extract<SearchEvent, { type: T }>;

/**
 * Writes one search event, and the checkpoint and model that come with it, in one transaction.
 * An event for an unknown run, or about a candidate never proposed, throws and writes nothing.
 */
export function recordEvent(db: HistoryDb, runId: string, event: SearchEvent, extras: RecordExtras = {}): void {
  if (extras.checkpoint !== undefined && event.type !== 'candidate_finished' && event.type !== 'agent_updated') {
    throw new HistoryStoreError(`a checkpoint can only be recorded with candidate_finished or agent_updated, not ${event.type}`);
  }
  if (extras.model !== undefined && event.type !== 'candidate_finished') {
    throw new HistoryStoreError(`a model can only be recorded with candidate_finished, not ${event.type}`);
  }
  db.transaction(() => {
    const now = Date.now();
    const run = db.requireRun(runId);
    switch (event.type) {
      case 'run_started':
        db.stmt(
          `UPDATE runs SET status = 'running', status_reason = NULL, started_at = coalesce(started_at, ?), budget = ?,
             finished_at = NULL, heartbeat_at = ?, updated_at = ? WHERE id = ?`,
        ).run(now, event.budget, now, now, runId);
        return;
      case 'candidate_proposed':
        proposeCandidate(db, runId, event, now);
        break;
      case 'epoch_done':
        recordEpoch(db, runId, event, now);
        break;
      case 'candidate_finished':
        finishCandidate(db, runId, run.settings_key, event, now, extras.model);
        if (extras.checkpoint !== undefined) saveCheckpoint(db, runId, finishedCount(db, runId), extras.checkpoint, now);
        break;
      case 'agent_updated':
        db.stmt(`INSERT OR REPLACE INTO agent_updates (run_id, iteration, evaluations, diagnostics, policy, created_at) VALUES (?, ?, ?, ?, ?, ?)`).run(
          runId,
          event.iteration,
          event.evaluations,
          JSON.stringify(event.diagnostics),
          event.policy ? JSON.stringify(event.policy) : null,
          now,
        );
        if (extras.checkpoint !== undefined) saveCheckpoint(db, runId, event.evaluations, extras.checkpoint, now);
        break;
      case 'run_finished':
        applyRunStatus(db, runId, event.status === 'completed' ? 'completed' : 'stopped', runFinishedReason(event) ?? null, now);
        return;
    }
    db.touchRun(runId, now);
  });
}

/** Candidates of the run finished so far (what a checkpoint sent with the latest one covers). */
function finishedCount(db: HistoryDb, runId: string): number {
  return (db.stmt(`SELECT evaluations FROM runs WHERE id = ?`).get(runId) as { evaluations: number }).evaluations;
}

function requireCandidate(db: HistoryDb, runId: string, index: number, event: string): { id: number; status: CandidateStatus; arch_hash: string } {
  const row = db.stmt(`SELECT id, status, arch_hash FROM candidates WHERE run_id = ? AND idx = ?`).get(runId, index) as
    | { id: number; status: CandidateStatus; arch_hash: string }
    | undefined;
  if (!row) throw new HistoryStoreError(`${event} for candidate ${index} of run ${runId}, which was never proposed`);
  return row;
}

function proposeCandidate(db: HistoryDb, runId: string, event: EventOf<'candidate_proposed'>, now: number): void {
  // A row already there is the attempt an interruption cut short: replacing it (rather than
  // updating) drops its epochs and model through the cascades.
  const previous = db.stmt(`SELECT id, status FROM candidates WHERE run_id = ? AND idx = ?`).get(runId, event.index) as
    | { id: number; status: CandidateStatus }
    | undefined;
  if (previous) db.stmt(`DELETE FROM candidates WHERE id = ?`).run(previous.id);
  db.stmt(
    `INSERT INTO candidates (run_id, idx, status, arch_hash, architecture, label, action, prediction_mean, prediction_std, created_at, updated_at)
     VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    runId,
    event.index,
    event.hash,
    JSON.stringify(event.architecture ?? null),
    event.label,
    JSON.stringify(event.action),
    event.prediction?.mean ?? null,
    event.prediction?.std ?? null,
    now,
    now,
  );
  if (previous && isFinished(previous.status)) recomputeAggregates(db, runId);
}

function recordEpoch(db: HistoryDb, runId: string, event: EventOf<'epoch_done'>, now: number): void {
  const candidate = requireCandidate(db, runId, event.index, 'epoch_done');
  const m = event.metrics;
  db.stmt(
    `INSERT OR REPLACE INTO epochs (candidate_id, epoch, train_loss, train_acc, valid_loss, valid_acc, seconds, images_per_second, backprop_share)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(candidate.id, m.epoch, m.trainLoss, m.trainAccuracy, m.validLoss, m.validAccuracy, m.seconds, m.imagesPerSecond, m.backpropShare ?? null);
  // While training, valid_acc follows the epochs; once finished it holds the signal.
  db.stmt(
    `UPDATE candidates SET train_loss = ?, train_acc = ?, valid_loss = ?,
       valid_acc = CASE WHEN status = 'running' THEN ? ELSE valid_acc END,
       best_valid_acc = (SELECT max(valid_acc) FROM epochs WHERE candidate_id = ?), updated_at = ?
     WHERE id = ?`,
  ).run(m.trainLoss, m.trainAccuracy, m.validLoss, m.validAccuracy, candidate.id, now, candidate.id);
}

function finishCandidate(
  db: HistoryDb,
  runId: string,
  settingsKey: string | null,
  event: EventOf<'candidate_finished'>,
  now: number,
  model: StoredModel | undefined,
): void {
  const candidate = requireCandidate(db, runId, event.index, 'candidate_finished');
  const cachedFrom = event.cached ? cacheSource(db, runId, settingsKey, candidate.id, candidate.arch_hash) : null;
  // Train and valid metrics come from the last epoch (none for a network that could not be built).
  db.stmt(
    `UPDATE candidates SET status = @status, reward = @reward, valid_acc = @signal, test_acc = @testAcc, params = @params,
       seconds = @seconds, agent_seconds = @agentSeconds, error = @error, cached = @cached, cached_from = @cachedFrom, epochs_reached = @epochsReached,
       reward_parts = @rewardParts,
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
    agentSeconds: event.agentSeconds ?? null,
    error: event.error ?? null,
    cached: event.cached ? 1 : 0,
    cachedFrom,
    epochsReached: event.epochsReached ?? null,
    rewardParts: event.rewardParts ? JSON.stringify(event.rewardParts) : null,
    now,
  });
  // A repeated candidate_finished: counting it again would double the aggregates.
  if (isFinished(candidate.status)) recomputeAggregates(db, runId);
  else {
    countFinishedCandidate(db, runId, event);
    db.stmt(`UPDATE candidates SET finish_order = ? WHERE id = ?`).run(finishedCount(db, runId), candidate.id);
  }
  if (model) saveModel(db, candidate.id, model, now);
}
