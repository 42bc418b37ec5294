/**
 * Applying a controller to a task (001's tune_model): optional fine-tuning episodes of the
 * controller on the task, then for each seed the controller's run (not learning, test accuracy
 * measured) and each baseline at the same epochs from the same seed. best-constant's rate is
 * chosen per seed by validation accuracy (bestConstantRate), and its run is the chosen grid run (its
 * epochs are not reported through onEpoch).
 */
import type { EpisodeOutcome, ScheduleName, TuneDecision, TuneEpoch, TuningTask } from '../../shared/tuning';
import type { PreparedData } from '../data/types';
import type { ModelArtifact } from '../model/artifact';
import { bestConstantRate } from './baselines';
import type { Controller } from './controller';
import { runEpisode } from './episode';
import type { BaselineSchedule } from './schedules';

export interface ApplyArgs {
  task: TuningTask;
  controller: Controller;
  /** Learning episodes on the task first (the controller in memory changes; the caller decides whether to save it). */
  fineTuneEpisodes: number;
  /** Schedules to train besides the controller's ('controller' in it is ignored). */
  baselines: readonly ScheduleName[];
  seeds: readonly number[];
  loadData: (task: TuningTask) => Promise<PreparedData>;
  signal?: AbortSignal;
  rateGrid?: readonly number[];
  onSchedule?: (s: { schedule: ScheduleName; seed: number; outcome: EpisodeOutcome }) => void | Promise<void>;
  /** The controller's runs' decisions and epochs (with the seed they belong to). */
  onDecision?: (d: TuneDecision, seed: number) => void;
  onEpoch?: (e: TuneEpoch, seed: number, schedule: ScheduleName) => void;
  onFineTune?: (e: { episode: number; outcome: EpisodeOutcome }) => void;
}

export interface ApplyResult {
  status: 'completed' | 'cancelled';
  /** best-constant's entry carries its chosen rate and the wall time of its whole grid. */
  runs: { schedule: ScheduleName; seed: number; outcome: EpisodeOutcome; learningRate?: number; gridSeconds?: number }[];
  /** The controller's trained model of the first seed (absent if that run did not complete). */
  model?: ModelArtifact;
  fineTuned: number;
}

export async function applyController(args: ApplyArgs): Promise<ApplyResult> {
  const { task, controller, signal } = args;
  if (args.seeds.length === 0) throw new Error('applyController: no seeds');
  const data = await args.loadData(task);
  const runs: ApplyResult['runs'] = [];
  let fineTuned = 0;
  for (let e = 0; e < args.fineTuneEpisodes; e++) {
    if (signal?.aborted) return { status: 'cancelled', runs, fineTuned };
    const outcome = await runEpisode({ task, data, steering: { kind: 'controller', controller, learn: true }, seed: 1_000_003 + e, signal });
    if (outcome.status === 'cancelled') return { status: 'cancelled', runs, fineTuned };
    fineTuned += 1;
    args.onFineTune?.({ episode: fineTuned, outcome });
  }
  let model: ModelArtifact | undefined;
  const baselines = [...new Set(args.baselines)].filter((s): s is BaselineSchedule => s !== 'controller');
  for (const [i, seed] of args.seeds.entries()) {
    const common = { task, data, seed, signal, evaluateTest: true };
    const outcome = await runEpisode({
      ...common,
      steering: { kind: 'controller', controller, learn: false },
      onDecision: (d) => args.onDecision?.(d, seed),
      onEpoch: (ep) => args.onEpoch?.(ep, seed, 'controller'),
      onTrained: i === 0 ? (m) => void (model = m) : undefined,
    });
    if (outcome.status === 'cancelled') return { status: 'cancelled', runs, model, fineTuned };
    runs.push({ schedule: 'controller', seed, outcome });
    await args.onSchedule?.({ schedule: 'controller', seed, outcome });
    for (const schedule of baselines) {
      let result: EpisodeOutcome;
      let extra: { learningRate?: number; gridSeconds?: number } = {};
      if (schedule === 'best-constant') {
        // The chosen grid run is the baseline's run (same task, seed and epochs), its test accuracy measured alongside.
        try {
          const best = await bestConstantRate({ task, data, seed, signal, grid: args.rateGrid, evaluateTest: true });
          result = best.outcome;
          extra = { learningRate: best.learningRate, gridSeconds: best.seconds };
        } catch (error) {
          if (signal?.aborted) return { status: 'cancelled', runs, model, fineTuned };
          throw error;
        }
      } else {
        result = await runEpisode({ ...common, steering: { kind: 'schedule', schedule }, onEpoch: (ep) => args.onEpoch?.(ep, seed, schedule) });
        if (result.status === 'cancelled') return { status: 'cancelled', runs, model, fineTuned };
      }
      runs.push({ schedule, seed, outcome: result, ...extra });
      await args.onSchedule?.({ schedule, seed, outcome: result });
    }
  }
  return { status: 'completed', runs, model, fineTuned };
}
