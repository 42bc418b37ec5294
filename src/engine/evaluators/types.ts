/**
 * How a proposed candidate is scored: by training it, or by looking it up in a benchmark table.
 * A job is plain JSON, so it can be evaluated in this process, in a worker process or on another
 * machine; the outcome comes back the same way.
 */
import type { EpochMetrics } from '../../shared/training';
import type { EpisodeJob, EpisodeRollout } from '../../shared/tuning';
import type { ModelArtifact } from '../model/artifact';

/** `pruned`: stopped early by the run's pruner (its onEpoch verdict), with the epochs it reached. */
export type OutcomeStatus = 'completed' | 'diverged' | 'failed' | 'pruned';

export interface CandidateOutcome {
  status: OutcomeStatus;
  /**
   * The search signal: validation accuracy in [0, 1] after the last epoch trained (for a pruned
   * candidate, the epoch it was stopped at; 0 for a failed or diverged candidate).
   */
  signal: number;
  /** Per-epoch metrics (empty when the network could not be built; cut short when pruned). */
  epochs: EpochMetrics[];
  params?: number;
  testAccuracy?: number;
  error?: string;
  /** Architecture hash; the replay cache's key together with the evaluator's settings. */
  hash: string;
  /** True when the result came from the replay cache rather than a new evaluation. */
  cached: boolean;
  /** The trained weights, for a completed training when the job asked for them. */
  model?: ModelArtifact;
  /** A learning episode's steps and outcome, when the job was one (parallel learning, src/engine/tuning/parallel-episodes.ts). */
  rollout?: EpisodeRollout;
}

/** One candidate to evaluate, as the search loop hands it out. */
export interface EvaluationJob {
  /** The candidate's index in its run: results are matched to jobs by it. */
  index: number;
  /** The whole-candidate vector. */
  action: number[];
  hash: string;
  /** {layers} for trained networks, {nb201} for benchmark cells. */
  architecture: unknown;
  /** Set when the job is a learning episode of the second mode rather than a candidate. */
  episode?: EpisodeJob;
}

export interface EvaluationHooks {
  signal?: AbortSignal;
  /**
   * After each epoch. 'prune' asks the evaluator to stop the candidate there (early stopping);
   * where the verdict travels between processes it may arrive an epoch late.
   */
  onEpoch?: (metrics: EpochMetrics) => void | 'prune';
}

export interface CandidateEvaluator {
  /** Identifies the settings (dataset fingerprint, training config): equal keys give comparable results. */
  readonly settingsKey: string;
  /** Number of epochs each candidate trains for (0 for table lookups). */
  readonly epochs: number;
  evaluate(job: EvaluationJob, hooks?: EvaluationHooks): Promise<CandidateOutcome>;
}

export class CandidateCancelled extends DOMException {
  constructor() {
    super('candidate evaluation was cancelled', 'AbortError');
  }
}
