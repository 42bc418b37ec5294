/** How a proposed network is scored: by training it, or by looking it up in a benchmark table. */
import type { LayerSpec } from '../../shared/layers';
import type { EpochMetrics } from '../../shared/training';

export type OutcomeStatus = 'completed' | 'diverged' | 'failed';

export interface CandidateOutcome {
  status: OutcomeStatus;
  /** The search signal: validation accuracy in [0, 1] (0 for a failed or diverged candidate). */
  signal: number;
  /** Per-epoch metrics (empty when the network could not be built). */
  epochs: EpochMetrics[];
  params?: number;
  testAccuracy?: number;
  error?: string;
  /** Architecture hash; the replay dictionary's key together with the evaluator's settings. */
  hash: string;
  /** True when the result came from the replay dictionary rather than a new training run. */
  cached: boolean;
}

export interface EvaluationHooks {
  signal?: AbortSignal;
  onEpoch?: (metrics: EpochMetrics) => void;
}

export interface CandidateEvaluator {
  /** Identifies the settings (dataset fingerprint, training config): equal keys give comparable results. */
  readonly settingsKey: string;
  /** Number of epochs each candidate reports (the observation's metric-curve length). */
  readonly epochs: number;
  readonly inputShape: readonly [number, number, number];
  evaluate(layers: LayerSpec[], hooks?: EvaluationHooks): Promise<CandidateOutcome>;
}
