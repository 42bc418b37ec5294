/**
 * What a running search reports, in order: run_started, then per candidate candidate_proposed,
 * epoch_done…, candidate_finished; agent_updated after each agent update (the first may come
 * before any candidate, when the agent warm-starts from earlier runs); run_finished last.
 * The history store persists them and the live view draws them; they cross process boundaries,
 * so each has a runtime validator.
 */
import { z } from 'zod';

/** A metric that may be NaN (a diverged loss, or a figure not measured): JSON carries NaN as null. */
const maybeNaN = z.number().or(z.null().transform(() => Number.NaN));

export const EpochMetricsSchema = z.strictObject({
  epoch: z.int().min(1),
  trainLoss: maybeNaN,
  /** NaN where it is not measured (a controller-steered training measures losses only). */
  trainAccuracy: maybeNaN,
  validLoss: maybeNaN,
  validAccuracy: z.number(),
  seconds: z.number(),
  imagesPerSecond: z.number(),
  backpropShare: z.number().min(0).max(1).optional(),
});

/** How a candidate's evaluation ended; `pruned`: stopped early by the run's pruner (early stopping). */
export const CandidateStatusSchema = z.enum(['completed', 'diverged', 'failed', 'pruned']);

/**
 * Whether a finished candidate can be the run's best: a pruned one stopped before the last epoch,
 * so its signal does not compare with fully trained ones (and it has no trained model to keep).
 */
export function competesForBest(status: string): boolean {
  return status !== 'pruned';
}

/** How a candidate scored: what a candidate_finished event reports, and a checkpoint's best candidate keeps. */
export const CandidateEvaluationSchema = z.strictObject({
  status: CandidateStatusSchema,
  signal: z.number(),
  reward: z.number(),
  cached: z.boolean(),
  params: z.number().optional(),
  testAccuracy: z.number().optional(),
  error: z.string().optional(),
  /** Epochs trained: all of them when completed, the epoch it reached when pruned (absent without training). */
  epochsReached: z.int().min(0).optional(),
});

/** What a candidate's reward is made of (the reward is their sum): see src/engine/search/reward.ts. */
export const RewardPartsSchema = z.strictObject({
  /** The validation accuracy, or the improvement of the losses. */
  metric: z.number(),
  /** The bonus for a network that was built (negative when it could not be). */
  build: z.number(),
  /** The depth penalty (≤ 0). */
  depth: z.number(),
  /** The size penalty (≤ 0). */
  params: z.number(),
});
export type RewardParts = z.output<typeof RewardPartsSchema>;

/**
 * The agent's policy after an update, slot by slot: for each slot of a candidate, the probability
 * of each of its values, along the policy's most likely candidate (each slot given the most likely
 * values of the slots before it, under the space's masks).
 */
export const PolicySnapshotSchema = z.array(z.array(z.number().min(0).max(1)).max(1000)).max(100);
export type PolicySnapshot = z.output<typeof PolicySnapshotSchema>;

export const SearchEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('run_started'),
    runId: z.string(),
    strategy: z.string(),
    evaluator: z.string(),
    budget: z.int().min(1),
    /** Evaluations already done when resuming. */
    evaluations: z.int().min(0),
  }),
  z.strictObject({
    type: z.literal('candidate_proposed'),
    index: z.int().min(0),
    action: z.array(z.int().min(0)),
    /** Human-readable architecture, e.g. "conv2d 16 5×5 → maxPool 2×2". */
    label: z.string(),
    hash: z.string(),
    /** The candidate itself ({layers} for trained networks, {nb201} for benchmark cells). */
    architecture: z.json(),
    /** The signal the agent's predictor expected, when it has one (mean and standard deviation). */
    prediction: z.strictObject({ mean: z.number(), std: z.number().min(0) }).optional(),
  }),
  z.strictObject({ type: z.literal('epoch_done'), index: z.int().min(0), metrics: EpochMetricsSchema }),
  z.strictObject({
    type: z.literal('candidate_finished'),
    index: z.int().min(0),
    ...CandidateEvaluationSchema.shape,
    /** Wall time from proposal to result. */
    seconds: z.number(),
    /** Of which the agent spent this long proposing the candidate and learning from it. */
    agentSeconds: z.number().min(0).optional(),
    /** The reward's parts (they add up to `reward`). */
    rewardParts: RewardPartsSchema.optional(),
  }),
  z.strictObject({
    type: z.literal('agent_updated'),
    /** 1-based count of agent updates in the run: an update repeated after a resume has the same one. */
    iteration: z.int().min(1),
    /** Candidates evaluated when the update was made. */
    evaluations: z.int().min(0),
    diagnostics: z.record(z.string(), z.number()),
    /** The policy after the update, for agents that have one over the slots (PPO). */
    policy: PolicySnapshotSchema.optional(),
  }),
  z.strictObject({
    type: z.literal('run_finished'),
    status: z.enum(['completed', 'cancelled']),
    evaluations: z.int().min(0),
    cacheHits: z.int().min(0),
    bestIndex: z.int().min(0).optional(),
    /** Completed because the run's time budget ran out before its candidate budget. */
    timeBudgetSpent: z.literal(true).optional(),
  }),
]);
export type SearchEvent = z.output<typeof SearchEventSchema>;
export type SearchEventType = SearchEvent['type'];

/** Why a run ended, in words, when there is more to say than its status (the history keeps it as the run's reason). */
export function runFinishedReason(event: Extract<SearchEvent, { type: 'run_finished' }>): string | undefined {
  return event.timeBudgetSpent ? `its time budget ran out after ${event.evaluations} candidate${event.evaluations === 1 ? '' : 's'}` : undefined;
}
