/** The baseline schedules' learning rates (see baselines.ts). No tfjs here. */
import type { ScheduleName } from '../../shared/tuning';

export type BaselineSchedule = Exclude<ScheduleName, 'controller'>;
export const BASELINE_SCHEDULES: readonly BaselineSchedule[] = ['constant', 'cosine', 'step', 'best-constant'];
export const DEFAULT_RATE_GRID = [3e-4, 1e-3, 3e-3, 1e-2] as const;

/** The learning rate at `progress` (0 ≤ progress < 1) of the episode under a schedule starting at `rate`. */
export function scheduleRate(schedule: BaselineSchedule, rate: number, progress: number): number {
  switch (schedule) {
    case 'constant':
    case 'best-constant':
      return rate;
    case 'cosine':
      return (rate * (1 + Math.cos(Math.PI * progress))) / 2;
    case 'step':
      return rate * (progress >= 0.75 ? 0.01 : progress >= 0.5 ? 0.1 : 1);
  }
}

