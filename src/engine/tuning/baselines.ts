/**
 * The baseline schedules a controller is compared with, at equal epochs, all starting from the
 * task's initial hyperparameters: constant; cosine decay to 0 over the episode (per batch);
 * step decay (×0.1 at 50 % and again at 75 % of the batches); best-constant, the constant rate of a
 * small grid with the best validation accuracy (bestConstantRate: the test split is never looked at).
 */
import type { EpisodeOutcome, TuningTask } from '../../shared/tuning';
import type { PreparedData } from '../data/types';
import { runEpisode } from './episode';
import { DEFAULT_RATE_GRID } from './schedules';

export interface BestConstantArgs {
  task: TuningTask;
  data: PreparedData;
  grid?: readonly number[];
  seed: number;
  signal?: AbortSignal;
  /** Measure each grid run's test accuracy too (never used to choose), so the chosen run is the baseline's result. */
  evaluateTest?: boolean;
}

export interface BestConstant {
  learningRate: number;
  /** Final validation accuracy by rate (0 for a diverged run). */
  validAccuracy: Record<string, number>;
  /** The chosen rate's run (same task, seed and epochs as the other schedules). */
  outcome: EpisodeOutcome;
  /** Wall time of the whole grid: what the best-constant baseline costs. */
  seconds: number;
}

/**
 * Trains the task at each rate of the grid (constant schedule, same seed) and picks the rate with
 * the best final validation accuracy (the first of equals); the test split is never looked at to choose.
 */
export async function bestConstantRate(args: BestConstantArgs): Promise<BestConstant> {
  const grid = args.grid ?? DEFAULT_RATE_GRID;
  if (grid.length === 0) throw new Error('bestConstantRate: the grid is empty');
  const started = performance.now();
  const byRate: Record<string, number> = {};
  let best: { learningRate: number; accuracy: number; outcome: EpisodeOutcome } | undefined;
  for (const learningRate of grid) {
    if (!(learningRate > 0)) throw new Error(`bestConstantRate: a learning rate must be > 0, got ${learningRate}`);
    const outcome = await runEpisode({
      task: args.task,
      data: args.data,
      steering: { kind: 'schedule', schedule: 'best-constant', learningRate },
      seed: args.seed,
      signal: args.signal,
      evaluateTest: args.evaluateTest,
    });
    if (outcome.status === 'cancelled') throw new Error('bestConstantRate: cancelled');
    const accuracy = outcome.status === 'diverged' ? 0 : outcome.finalValidAccuracy;
    byRate[String(learningRate)] = accuracy;
    if (!best || accuracy > best.accuracy) best = { learningRate, accuracy, outcome };
  }
  return { learningRate: best!.learningRate, validAccuracy: byRate, outcome: best!.outcome, seconds: (performance.now() - started) / 1000 };
}
