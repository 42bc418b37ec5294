/** How a candidate is trained, and what each epoch reports. Shared: run configs and events carry these. */
import { z } from 'zod';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const TrainingConfigSchema = z.strictObject({
  epochs: z.int().min(1).max(1000).default(3),
  batchSize: z.int().min(1).max(4096).default(64),
  optimizer: z.enum(OPTIMIZERS).default('adam'),
  learningRate: z.number().gt(0).max(10).default(1e-3),
  /** L2 penalty on kernels: loss + weightDecay/2 · Σ‖W‖² (biases and batch-norm excluded). */
  weightDecay: z.number().min(0).max(1).default(0),
  /** Seeds weight init, dropout and batch order. */
  seed: z.int().min(0).default(0),
  /**
   * Selective backprop (absent: off): forward every sample, backpropagate each with probability
   * CDF(loss)^beta over recent losses, in full batches of kept samples. staleEpochs n > 1 forwards
   * only every n-th epoch and selects by those losses in between.
   */
  selectiveBackprop: z.strictObject({ beta: z.number().min(0).max(100), staleEpochs: z.int().min(1).max(100).default(1) }).optional(),
});
export type TrainingConfig = z.output<typeof TrainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof TrainingConfigSchema>;

export interface EpochMetrics {
  /** 1-based. */
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validLoss: number;
  validAccuracy: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
  /** Training throughput (validation excluded). */
  imagesPerSecond: number;
  /** With selective backprop: the share of the epoch's samples backpropagated. */
  backpropShare?: number;
}

/** `pruned`: stopped after an epoch because the epoch hook asked to (early stopping). */
export type TrainingStatus = 'completed' | 'diverged' | 'cancelled' | 'pruned';

export interface TrainingResult {
  status: TrainingStatus;
  /** Completed epochs only. */
  epochs: EpochMetrics[];
  /** Where the loss became NaN or infinite, when status is 'diverged'. */
  divergence?: { epoch: number; batch: number; loss: number };
}

/**
 * The original design's guard for rewards: a NaN or infinite metric counts as `ceiling` (100),
 * so a diverged network is scored as the worst possible loss rather than poisoning the average.
 */
export function clampMetric(value: number, ceiling = 100): number {
  return Number.isFinite(value) ? Math.min(value, ceiling) : ceiling;
}
