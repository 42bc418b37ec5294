/**
 * The controller's action, decoded: MultiDiscrete indices → a ControlChange → new hyperparameters,
 * clamped to HYPERPARAMETER_BOUNDS. Pure functions, no tfjs.
 */
import {
  CONTROL_ACTION_SIZES,
  DROPOUT_DELTAS,
  HYPERPARAMETER_BOUNDS,
  LR_FACTORS,
  OPTIMIZER_CHOICES,
  WEIGHT_DECAY_FACTORS,
  WEIGHT_DECAY_START,
  type ControlChange,
  type Hyperparameters,
} from '../../shared/tuning';
import type { LayerSpec } from '../../shared/layers';

/** The index of each action slot's "no change" value: lr ×1, keep the optimizer, dropout +0, decay ×1. */
export const NEUTRAL_CHOICES = [LR_FACTORS.indexOf(1), OPTIMIZER_CHOICES.indexOf('keep'), DROPOUT_DELTAS.indexOf(0), WEIGHT_DECAY_FACTORS.indexOf(1)] as const;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Hyperparameters within their bounds (dropout rounded to 2 decimals, so ±0.1 steps stay exact). */
export function clampHyperparameters(h: Hyperparameters): Hyperparameters {
  const { learningRate, dropout, weightDecay } = HYPERPARAMETER_BOUNDS;
  return {
    learningRate: clamp(h.learningRate, learningRate.min, learningRate.max),
    optimizer: h.optimizer,
    dropout: Math.round(clamp(h.dropout, dropout.min, dropout.max) * 100) / 100,
    weightDecay: clamp(h.weightDecay, weightDecay.min, weightDecay.max),
  };
}

/** The change an action's slots 1…4 name (slot 0, intervene or not, is the caller's). */
export function decodeChange(action: readonly number[]): ControlChange {
  if (action.length !== CONTROL_ACTION_SIZES.length) throw new Error(`a control action has ${CONTROL_ACTION_SIZES.length} slots, got ${action.length}`);
  action.forEach((value, slot) => {
    if (!Number.isInteger(value) || value < 0 || value >= CONTROL_ACTION_SIZES[slot]) throw new Error(`control action slot ${slot}: ${value} is not in 0…${CONTROL_ACTION_SIZES[slot] - 1}`);
  });
  return {
    lrFactor: LR_FACTORS[action[1]],
    optimizer: OPTIMIZER_CHOICES[action[2]],
    dropoutDelta: DROPOUT_DELTAS[action[3]],
    weightDecayFactor: WEIGHT_DECAY_FACTORS[action[4]],
  };
}

/** Whether a change changes nothing (an intervention that keeps everything). */
export function isNeutral(change: ControlChange): boolean {
  return change.lrFactor === 1 && change.optimizer === 'keep' && change.dropoutDelta === 0 && change.weightDecayFactor === 1;
}

/**
 * The hyperparameters after `change`, clamped. Weight decay ×10 of zero switches it on at
 * WEIGHT_DECAY_START; ×0 switches it off.
 */
export function applyChange(h: Hyperparameters, change: ControlChange): Hyperparameters {
  const weightDecay = h.weightDecay === 0 && change.weightDecayFactor === 10 ? WEIGHT_DECAY_START : h.weightDecay * change.weightDecayFactor;
  return clampHyperparameters({
    learningRate: h.learningRate * change.lrFactor,
    optimizer: change.optimizer === 'keep' ? h.optimizer : change.optimizer,
    dropout: h.dropout + change.dropoutDelta,
    weightDecay,
  });
}

/**
 * The dropout an architecture starts with: the rate of its first Dropout layer (0 without one).
 * LiveTraining sets every Dropout layer to the hyperparameters' rate, so a task's `initial.dropout`
 * should start here (sampleTasks and the CLI do).
 */
export function architectureDropout(layers: readonly LayerSpec[]): number {
  const first = layers.find((l) => l.type === 'dropout');
  return first && first.type === 'dropout' ? Math.min(first.rate, HYPERPARAMETER_BOUNDS.dropout.max) : 0;
}
