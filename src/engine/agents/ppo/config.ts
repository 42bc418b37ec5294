/** PPO's settings (Stable-Baselines3's PPO arguments and defaults), with a schema for checkpoints. */
import { z } from 'zod';

/** A constant, or linear from `initial` (progress remaining 1) to `final` (progress remaining 0). */
export const ScheduleSchema = z.union([z.number(), z.object({ kind: z.literal('linear'), initial: z.number(), final: z.number().optional() })]);
export type Schedule = z.infer<typeof ScheduleSchema>;

export function scheduleValue(s: Schedule, progressRemaining: number): number {
  if (typeof s === 'number') return s;
  const final = s.final ?? 0;
  return final + (s.initial - final) * progressRemaining;
}

const layerSizes = z.array(z.int().positive());

export const PPOConfigSchema = z.object({
  learningRate: ScheduleSchema,
  nSteps: z.int().positive(),
  batchSize: z.int().positive(),
  nEpochs: z.int().nonnegative(),
  gamma: z.number(),
  gaeLambda: z.number(),
  clipRange: ScheduleSchema,
  clipRangeVf: ScheduleSchema.nullable(),
  normalizeAdvantage: z.boolean(),
  entCoef: z.number(),
  vfCoef: z.number(),
  maxGradNorm: z.number(),
  targetKl: z.number().nullable(),
  seed: z.number(),
  netArch: z.object({ pi: layerSizes, vf: layerSizes }),
  /** MaskablePPO: read env.actionMasks() every step (when the env has it). */
  useMasking: z.boolean(),
  adamEps: z.number(),
});
export type PPOConfig = z.infer<typeof PPOConfigSchema>;

export const PPO_DEFAULTS: PPOConfig = {
  learningRate: 3e-4,
  nSteps: 2048,
  batchSize: 64,
  nEpochs: 10,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipRange: 0.2,
  clipRangeVf: null,
  normalizeAdvantage: true,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  seed: 0,
  netArch: { pi: [64, 64], vf: [64, 64] },
  useMasking: true,
  adamEps: 1e-5,
};
