/**
 * DQN's settings: Stable-Baselines3's DQN arguments and defaults (dqn.py, SB3 2.x), plus Double DQN,
 * invalid-action masking and MetaQNN's staged exploration, with a schema for checkpoints.
 */
import { z } from 'zod';
import { ExplorationStageSchema, ScheduleSchema, stagedValue } from '../common/schedule';

export const DQNConfigSchema = z.object({
  learningRate: ScheduleSchema,
  bufferSize: z.int().positive(),
  /** Steps of uniformly random actions before the first gradient step. */
  learningStarts: z.int().nonnegative(),
  batchSize: z.int().positive(),
  /** Target network update coefficient: 1 copies (hard), less averages (Polyak). */
  tau: z.number().gt(0).max(1),
  gamma: z.number().min(0).max(1),
  /** Train after every trainFreq steps, or episodes (trainFreqUnit). */
  trainFreq: z.int().positive(),
  trainFreqUnit: z.enum(['step', 'episode']),
  /** Gradient steps per training; −1: as many as env steps in the rollout. */
  gradientSteps: z.int().min(-1),
  /** Env steps between target network updates. */
  targetUpdateInterval: z.int().positive(),
  /** Linear epsilon: from initial to final over this fraction of the total timesteps. */
  explorationFraction: z.number().min(0).max(1),
  explorationInitialEps: z.number().min(0).max(1),
  explorationFinalEps: z.number().min(0).max(1),
  /** MetaQNN's staged epsilon by episodes, in place of the linear one when set; the last stage's holds after. */
  explorationStages: z.array(ExplorationStageSchema).min(1).nullable(),
  maxGradNorm: z.number().positive(),
  /** Double DQN (van Hasselt et al. 2016): the online network picks the next action, the target values it. */
  doubleQ: z.boolean(),
  netArch: z.array(z.int().positive()),
  /** Honour the env's actionMasks() in action choice and in the bootstrap's max (when it has them). */
  useMasking: z.boolean(),
  /**
   * Selective backprop's beta (null: off; the original design tried it on DQN): each gradient step
   * ranks sampled transitions by their TD loss and trains on a full batch of those kept.
   */
  selectiveBackprop: z.number().min(0).max(100).nullable(),
  /** torch.optim.Adam's default (SB3's DQN passes no optimizer kwargs). */
  adamEps: z.number().positive(),
  seed: z.number(),
});
export type DQNConfig = z.infer<typeof DQNConfigSchema>;

export const DQN_DEFAULTS: DQNConfig = {
  learningRate: 1e-4,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 32,
  tau: 1,
  gamma: 0.99,
  trainFreq: 4,
  trainFreqUnit: 'step',
  gradientSteps: 1,
  targetUpdateInterval: 10_000,
  explorationFraction: 0.1,
  explorationInitialEps: 1,
  explorationFinalEps: 0.05,
  explorationStages: null,
  maxGradNorm: 10,
  doubleQ: false,
  netArch: [64, 64],
  useMasking: true,
  selectiveBackprop: null,
  adamEps: 1e-8,
  seed: 0,
};

/**
 * Epsilon after `numTimesteps` of `totalTimesteps` and `episodes` finished episodes: SB3's
 * get_linear_fn over the progress, constant at the final value past the fraction; or the stage
 * the episode count is in.
 */
export function explorationRate(config: DQNConfig, numTimesteps: number, totalTimesteps: number, episodes: number): number {
  if (config.explorationStages) return stagedValue(config.explorationStages, episodes);
  const { explorationInitialEps: start, explorationFinalEps: final, explorationFraction: fraction } = config;
  const progress = totalTimesteps > 0 ? numTimesteps / totalTimesteps : 0;
  if (progress > fraction) return final;
  return start + (progress * (final - start)) / fraction;
}
