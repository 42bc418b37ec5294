/**
 * The baseline schedules a controller is compared with, at equal epochs, all starting from the
 * task's initial hyperparameters: constant; cosine decay to 0 over the episode (per batch);
 * step decay (×0.1 at 50 % and again at 75 % of the batches); best-constant, the constant rate of a
 * small grid with the best validation accuracy (bestConstantRate: the test split is never looked at).
 */
import type { TuningTask } from '../../shared/tuning';
import type { PreparedData } from '../data/types';
import { runEpisode } from './episode';
import { DEFAULT_RATE_GRID } from './schedules';

export interface BestConstantArgs {
  task: TuningTask;
  data: PreparedData;
  grid?: readonly number[];
  seed: number;
  signal?: AbortSignal;
}

/**
 * Trains the task at each rate of the grid (constant schedule, same seed) and returns the rate with
 * the best final validation accuracy (the first of equals), with every rate's figure.
 */
export async function bestConstantRate(args: BestConstantArgs): Promise<{ learningRate: number; validAccuracy: Record<string, number> }> {
  const grid = args.grid ?? DEFAULT_RATE_GRID;
  if (grid.length === 0) throw new Error('bestConstantRate: the grid is empty');
  const byRate: Record<string, number> = {};
  let best = { learningRate: grid[0], accuracy: -1 };
  for (const learningRate of grid) {
    if (!(learningRate > 0)) throw new Error(`bestConstantRate: a learning rate must be > 0, got ${learningRate}`);
    const outcome = await runEpisode({ task: args.task, data: args.data, steering: { kind: 'schedule', schedule: 'best-constant', learningRate }, seed: args.seed, signal: args.signal });
    if (outcome.status === 'cancelled') throw new Error('bestConstantRate: cancelled');
    const accuracy = outcome.status === 'diverged' ? 0 : outcome.finalValidAccuracy;
    byRate[String(learningRate)] = accuracy;
    if (accuracy > best.accuracy) best = { learningRate, accuracy };
  }
  return { learningRate: best.learningRate, validAccuracy: byRate };
}
