/**
 * What an RL agent is paid for a candidate (the original design's reward): the metric — the
 * validation accuracy, or the improvement of the final losses over the previous candidate's — plus
 * a bonus when the network was built, minus penalties per layer and per million parameters.
 */
import { clampMetric } from '../../shared/training';
import type { CandidateOutcome } from '../evaluators/types';

export interface RewardConfig {
  /** accuracy: the candidate's validation accuracy; improvement: the drop of its final train and
   *  validation losses against the previous candidate's (losses clamped at 100, NaN/inf → 100). */
  kind: 'accuracy' | 'improvement';
  /** Added when the network was built (the original design's NN_CREATE_SUCCESS_REWARD). */
  buildSuccess: number;
  /** Added when it could not be built. */
  buildFailure: number;
  /** Subtracted per layer. */
  depthPenalty: number;
  /** Subtracted per million parameters. */
  paramPenalty: number;
}

export const DEFAULT_REWARD: RewardConfig = { kind: 'accuracy', buildSuccess: 1, buildFailure: -1, depthPenalty: 0, paramPenalty: 0 };

/** NAS-Bench-201 pays the signal alone: every cell builds, and depth is fixed. */
export const SIGNAL_REWARD: RewardConfig = { kind: 'accuracy', buildSuccess: 0, buildFailure: 0, depthPenalty: 0, paramPenalty: 0 };

/** What the improvement reward remembers of a candidate: its final losses (NaN when it has none). */
export interface FinalLosses {
  train: number;
  valid: number;
}

export interface Reward {
  total: number;
  parts: { metric: number; build: number; depth: number; params: number };
}

export function finalLosses(outcome: CandidateOutcome): FinalLosses {
  const last = outcome.status === 'completed' ? outcome.epochs.at(-1) : undefined;
  return { train: last?.trainLoss ?? Number.NaN, valid: last?.validLoss ?? Number.NaN };
}

/** `previous`: the final losses of the candidate told before this one (none for the first). */
export function computeReward(outcome: CandidateOutcome, previous: FinalLosses | undefined, depth: number, config: RewardConfig): Reward {
  const built = outcome.status !== 'failed';
  let metric = 0;
  if (config.kind === 'accuracy') metric = outcome.signal;
  else if (previous) {
    const now = finalLosses(outcome);
    metric = clampMetric(previous.train) - clampMetric(now.train) + (clampMetric(previous.valid) - clampMetric(now.valid));
  }
  const parts = {
    metric,
    build: built ? config.buildSuccess : config.buildFailure,
    depth: -config.depthPenalty * depth,
    params: -config.paramPenalty * ((outcome.params ?? 0) / 1e6),
  };
  return { total: parts.metric + parts.build + parts.depth + parts.params, parts };
}
