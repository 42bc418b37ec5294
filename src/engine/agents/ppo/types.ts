/** The types PPO's callers use: its diagnostics, learn's options, what it needs of an env, an acted step. */
import type { Space } from '../../envs/spaces';
import type { Env } from '../../envs/types';

export interface PPODiagnostics {
  numTimesteps: number;
  nUpdates: number;
  iteration: number;
  policyGradientLoss: number;
  valueLoss: number;
  entropyLoss: number;
  approxKl: number;
  clipFraction: number;
  loss: number;
  explainedVariance: number;
  learningRate: number;
  clipRange: number;
  /** Global gradient norm before clipping, mean over minibatches. */
  gradNorm: number;
  /** Epochs actually run (target_kl may stop early). */
  epochs: number;
  stepsPerS: number;
  epRewMean: number | null;
  epLenMean: number | null;
}

export interface LearnOptions {
  resetNumTimesteps?: boolean;
  /** Called after every update; returning false stops learning. */
  onUpdate?: (d: PPODiagnostics) => void | boolean | Promise<void | boolean>;
  /**
   * Called after every vectorised env step, once its transition is in the buffer (SB3's
   * callback.on_step): a checkpoint taken here continues exactly. Returning false stops learn at
   * once, without training on the partial rollout (a later learn completes it).
   */
  onStep?: () => boolean | void | Promise<boolean | void>;
}

export type AnyEnv = Env<Space, Space>;

/**
 * What PPO needs of an environment to act and train: its spaces and masks. An Env is one; an agent
 * that steps its episodes itself (the NAS search) passes just this and uses act() and record().
 */
export type PPOSpec = Pick<AnyEnv, 'observationSpace' | 'actionSpace' | 'actionMasks' | 'slotMask'>;

/** A step taken with act(), to be recorded once its reward is known. */
export interface ActedStep {
  obs: Float32Array;
  /** One value per slot (Discrete: one). */
  action: number[];
  logProb: number;
  value: number;
  /** The masks acted under (stored, so training re-applies them); null without masking. */
  masks: Uint8Array | null;
}
