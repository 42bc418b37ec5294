/**
 * What the controller sees at a decision point: a fixed-length Float32 vector, every feature scaled
 * to roughly [−1, 1] (most to [0, 1]). The order is OBSERVATION_FEATURES'; a controller's checkpoint
 * only fits observations of this length. No tfjs here.
 */
import { OPTIMIZERS } from '../../shared/training';
import type { Hyperparameters } from '../../shared/tuning';

export const OBSERVATION_FEATURES = [
  /** ln(mean train loss over the interval) / 3, clipped to ±1 (loss 1 → 0, e^3 ≈ 20 → 1). */
  'trainLoss',
  /** (mean loss of the interval's second half − first half) / first half, clipped to ±1: < 0 while it falls. */
  'trainLossSlope',
  /** ln(validation loss) / 3, clipped to ±1. */
  'validLoss',
  /** Validation accuracy, 0…1. */
  'validAccuracy',
  /** Relative change of the validation loss since the last decision point, clipped to ±1. */
  'validLossChange',
  /** Change of validation accuracy since the last decision point × 10, clipped to ±1. */
  'validAccuracyChange',
  /** Fraction of the episode's batches done. */
  'progress',
  /** (log10 learning rate + 3) / 2: 1e-3 → 0, 1e-5 → −1, 1e-1 → 1. */
  'logLearningRate',
  ...OPTIMIZERS.map((o) => `optimizer:${o}` as const),
  /** Dropout / 0.7. */
  'dropout',
  /** 0 when off, else (log10 decay + 6) / 4: 1e-6 → 0, 1e-2 → 1. */
  'weightDecay',
  /** log10(global gradient norm) / 2, clipped to ±1. */
  'gradientNorm',
  /** Decision points since the last intervention (or the start) / decision points of the episode. */
  'sinceIntervention',
  /** Decision points since validation accuracy last reached a new best / decision points of the episode: a plateau's length. */
  'sinceBest',
] as const;

export const OBSERVATION_SIZE = OBSERVATION_FEATURES.length;

const clip = (x: number, limit = 1) => (Number.isFinite(x) ? Math.max(-limit, Math.min(limit, x)) : x > 0 ? limit : -limit);
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export interface ObservationInput {
  /** The interval's batch losses, in order. */
  trainLosses: readonly number[];
  validLoss: number;
  validAccuracy: number;
  previous: { validLoss: number; validAccuracy: number } | undefined;
  progress: number;
  hyperparameters: Hyperparameters;
  gradientNorm: number;
  sinceIntervention: number;
  sinceBest: number;
  /** Decision points in the episode (the two "since" counts are divided by it). */
  decisions: number;
}

export function observe(input: ObservationInput): Float32Array {
  const losses = input.trainLosses;
  const half = Math.max(1, Math.floor(losses.length / 2));
  const first = mean(losses.slice(0, half));
  const second = losses.length > 1 ? mean(losses.slice(half)) : first;
  const h = input.hyperparameters;
  const prev = input.previous;
  const span = Math.max(1, input.decisions);
  const values = [
    clip(Math.log(Math.max(1e-8, mean(losses))) / 3),
    first > 0 ? clip((second - first) / first) : 0,
    clip(Math.log(Math.max(1e-8, input.validLoss)) / 3),
    input.validAccuracy,
    prev && prev.validLoss > 0 ? clip((input.validLoss - prev.validLoss) / prev.validLoss) : 0,
    prev ? clip((input.validAccuracy - prev.validAccuracy) * 10) : 0,
    input.progress,
    clip((Math.log10(h.learningRate) + 3) / 2, 2),
    ...OPTIMIZERS.map((o) => (o === h.optimizer ? 1 : 0)),
    h.dropout / 0.7,
    h.weightDecay > 0 ? clip((Math.log10(h.weightDecay) + 6) / 4, 2) : 0,
    input.gradientNorm > 0 ? clip(Math.log10(input.gradientNorm) / 2) : -1,
    Math.min(1, input.sinceIntervention / span),
    Math.min(1, input.sinceBest / span),
  ];
  return Float32Array.from(values);
}
