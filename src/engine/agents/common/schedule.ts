/**
 * Values that change over training: SB3's Schedule (a function of the progress remaining, 1 → 0),
 * and MetaQNN's staged epsilon (a value per stage of so many episodes).
 */
import { z } from 'zod';

/** A constant, or linear from `initial` (progress remaining 1) to `final` (progress remaining 0). */
export const ScheduleSchema = z.union([z.number(), z.object({ kind: z.literal('linear'), initial: z.number(), final: z.number().optional() })]);
export type Schedule = z.infer<typeof ScheduleSchema>;

export function scheduleValue(s: Schedule, progressRemaining: number): number {
  if (typeof s === 'number') return s;
  const final = s.final ?? 0;
  return final + (s.initial - final) * progressRemaining;
}

/** MetaQNN's exploration: epsilon `epsilon` for the next `episodes` episodes, stage after stage. */
export const ExplorationStageSchema = z.object({ epsilon: z.number().min(0).max(1), episodes: z.int().positive() });
export type ExplorationStage = z.infer<typeof ExplorationStageSchema>;

/** The value of the stage that episode `episodes` (0-based) falls in; the last stage's after them all. */
export function stagedValue(stages: readonly ExplorationStage[], episodes: number): number {
  let end = 0;
  for (const stage of stages) {
    end += stage.episodes;
    if (episodes < end) return stage.epsilon;
  }
  return stages[stages.length - 1].epsilon;
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
