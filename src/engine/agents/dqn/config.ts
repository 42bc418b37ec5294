/**
 * DQN's settings: Stable-Baselines3's DQN arguments and defaults (dqn.py, SB3 2.x), plus Double DQN,
 * invalid-action masking and MetaQNN's staged exploration, with a schema for checkpoints.
 */
import { z } from 'zod';
import { ScheduleSchema } from '../common/schedule';

/** MetaQNN's exploration: epsilon `epsilon` for the next `episodes` episodes, stage after stage. */
export const ExplorationStageSchema = z.object({ epsilon: z.number().min(0).max(1), episodes: z.int().positive() });
export type ExplorationStage = z.infer<typeof ExplorationStageSchema>;

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
  adamEps: 1e-8,
  seed: 0,
};

/**
 * Epsilon after `numTimesteps` of `totalTimesteps` and `episodes` finished episodes: SB3's
 * get_linear_fn over the progress, constant at the final value past the fraction; or the stage
 * the episode count is in.
 */
export function explorationRate(config: DQNConfig, numTimesteps: number, totalTimesteps: number, episodes: number): number {
  if (config.explorationStages) {
    let end = 0;
    for (const stage of config.explorationStages) {
      end += stage.episodes;
      if (episodes < end) return stage.epsilon;
    }
    return config.explorationStages[config.explorationStages.length - 1].epsilon;
  }
  const { explorationInitialEps: start, explorationFinalEps: final, explorationFraction: fraction } = config;
  const progress = totalTimesteps > 0 ? numTimesteps / totalTimesteps : 0;
  if (progress > fraction) return final;
  return start + (progress * (final - start)) / fraction;
}

/** MetaQNN's CIFAR-10 schedule (Baker et al. 2017, table 2): models trained at each epsilon. */
export const METAQNN_STAGES: readonly ExplorationStage[] = [
  { epsilon: 1, episodes: 1500 },
  { epsilon: 0.9, episodes: 100 },
  { epsilon: 0.8, episodes: 100 },
  { epsilon: 0.7, episodes: 100 },
  { epsilon: 0.6, episodes: 150 },
  { epsilon: 0.5, episodes: 150 },
  { epsilon: 0.4, episodes: 150 },
  { epsilon: 0.3, episodes: 150 },
  { epsilon: 0.2, episodes: 150 },
  { epsilon: 0.1, episodes: 150 },
];

/** A staged schedule's shape over a budget of `episodes`: each stage keeps its share (at least 1 episode). */
export function scaleStages(stages: readonly ExplorationStage[], episodes: number): ExplorationStage[] {
  const total = stages.reduce((a, s) => a + s.episodes, 0);
  let done = 0;
  let scaledDone = 0;
  return stages.map((s) => {
    done += s.episodes;
    const end = Math.max(scaledDone + 1, Math.round((done / total) * episodes));
    const scaled = { epsilon: s.epsilon, episodes: end - scaledDone };
    scaledDone = end;
    return scaled;
  });
}
