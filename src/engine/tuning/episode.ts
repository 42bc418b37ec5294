/**
 * One episode: a network trained for the task's epochs, steered by a controller or by a baseline
 * schedule (baselines.ts). driveEpisode runs the decision loop on any TrainingControlEnv (a tfjs
 * LiveTraining, or a simulated trainee in tests); runEpisode builds the task's network and trains it.
 *
 * Decisions (TuneDecision): one per decision point of a controller (schedules make none; their
 * rates show in the epochs' hyperparameters), reported when taken; `reward` is the normalised reward of the interval
 * that ended at that decision point (0 for the first, which no decision preceded); the reward
 * earned by the last decision, terminal term included, is in the outcome's `return`. A controller
 * that learns records each decision into PPO once the next interval is trained. A cancelled episode
 * records nothing more, but the steps before it are already in PPO's rollout: a learn that is
 * stopped continues from its last checkpoint (learn.ts), not from the controller in memory.
 */
import { parseArchitecture } from '../../shared/architecture';
import type { EpisodeOutcome, TuneDecision, TuneEpoch, TuningTask } from '../../shared/tuning';
import { releaseDeviceMemory } from '../backends/device';
import type { PreparedData } from '../data/types';
import { captureModel } from '../model/capture';
import type { ModelArtifact } from '../model/artifact';
import { buildModel } from '../model/builder';
import { scheduleRate, type BaselineSchedule } from './schedules';
import { applyChange } from './hyperparameters';
import type { Controller } from './controller';
import { LiveTraining } from './live-training';
import { DIVERGENCE_PENALTY, RewardNormalizer } from './reward';
import { TrainingControlEnv, type Trainee } from './training-control-env';

export type Steering =
  | { kind: 'controller'; controller: Controller; learn: boolean }
  | { kind: 'schedule'; schedule: BaselineSchedule; learningRate?: number };

export interface EpisodeHooks {
  signal?: AbortSignal;
  onDecision?: (decision: TuneDecision) => void;
  onEpoch?: (epoch: TuneEpoch) => void;
}

export interface RunEpisodeArgs extends EpisodeHooks {
  task: TuningTask;
  data: PreparedData;
  steering: Steering;
  /** Seeds the initial weights, dropout masks and batch order: the same seed trains every schedule from the same start. */
  seed: number;
  /** Measure test accuracy after a completed episode. */
  evaluateTest?: boolean;
  /** Receives the trained model (captured) after a completed episode. */
  onTrained?: (model: ModelArtifact) => void | Promise<void>;
}

/** The initial hyperparameters of a steering: the task's, with the best-constant rate where given. */
function startOf(task: TuningTask, steering: Steering) {
  if (steering.kind === 'schedule' && steering.schedule === 'best-constant') {
    if (steering.learningRate === undefined) throw new Error("the best-constant schedule needs its learningRate (from bestConstantRate)");
    return { ...task.initial, learningRate: steering.learningRate };
  }
  return task.initial;
}

export async function runEpisode(args: RunEpisodeArgs): Promise<EpisodeOutcome> {
  const { task, data, steering, seed } = args;
  const started = performance.now();
  const { model } = buildModel(parseArchitecture(task.layers), data.dataset.inputShape, data.dataset.numClasses, { seed });
  const trainee = new LiveTraining(model, data, { batchSize: task.batchSize, seed, initial: startOf(task, steering) });
  try {
    const outcome = await driveEpisode({ trainee, epochs: task.epochs, decisionsPerEpoch: task.decisionsPerEpoch, steering, signal: args.signal, onDecision: args.onDecision, onEpoch: args.onEpoch });
    if (outcome.status === 'completed') {
      if (args.evaluateTest) outcome.testAccuracy = (await trainee.test()).accuracy;
      if (args.onTrained) await args.onTrained(await captureModel(model));
    }
    return { ...outcome, seconds: (performance.now() - started) / 1000 };
  } finally {
    trainee.dispose();
    model.dispose();
    releaseDeviceMemory();
  }
}

export interface DriveArgs extends EpisodeHooks {
  trainee: Trainee;
  epochs: number;
  decisionsPerEpoch: number;
  steering: Steering;
}

/** The decision loop of one episode on `trainee` (started with the hyperparameters it has). */
export async function driveEpisode(args: DriveArgs): Promise<EpisodeOutcome> {
  const { trainee, steering } = args;
  const started = performance.now();
  const controller = steering.kind === 'controller' ? steering.controller : undefined;
  const learn = steering.kind === 'controller' && steering.learn;
  // Applying a controller does not change its statistics; learning does.
  const normalizer = controller ? (learn ? controller.rewards : new RewardNormalizer(controller.rewards.state())) : new RewardNormalizer();
  const startRate = trainee.hyperparameters.learningRate;
  const env = new TrainingControlEnv(trainee, {
    epochs: args.epochs,
    decisionsPerEpoch: args.decisionsPerEpoch,
    normalizer,
    signal: args.signal,
    learningRateAt: steering.kind === 'schedule' && (steering.schedule === 'cosine' || steering.schedule === 'step') ? (p) => scheduleRate(steering.schedule, startRate, p) : undefined,
    measureGradients: controller !== undefined,
  });
  const decisions: TuneDecision[] = [];
  let reported = 0;
  const reportEpochs = () => {
    for (; reported < env.epochs.length; reported++) args.onEpoch?.(env.epochs[reported]);
  };
  let state = await env.reset();
  reportEpochs();
  // Diverged before the first decision: nothing to learn from, but the outcome carries the penalty.
  let total = state.status === 'diverged' ? DIVERGENCE_PENALTY : 0;
  let lastReward = 0;
  while (!state.done) {
    const decision = controller?.decide(state.obs, { learn, progress: state.progress });
    if (decision) {
      const record: TuneDecision = {
        step: decisions.length,
        progress: state.progress,
        epoch: state.epoch,
        interveneProbability: decision.probability,
        threshold: decision.threshold,
        intervened: decision.intervened,
        ...(decision.change ? { change: decision.change } : {}),
        // What the environment applies (LiveTraining clamps the same way).
        hyperparameters: decision.change ? applyChange(state.hyperparameters, decision.change) : state.hyperparameters,
        reward: lastReward,
      };
      decisions.push(record);
      args.onDecision?.(record);
    }
    const next = await env.step(decision?.change ?? null);
    reportEpochs();
    if (next.status === 'cancelled') break;
    total += next.reward;
    lastReward = next.reward;
    if (learn && decision) controller!.record(decision, next, decisions.length === 1);
    state = next;
  }
  const status = env.outcome === 'running' ? 'cancelled' : env.outcome;
  if (learn && status !== 'cancelled') controller!.finishEpisode(total);
  return {
    status,
    epochs: [...env.epochs],
    decisions,
    finalValidAccuracy: env.validAccuracy,
    return: total,
    seconds: (performance.now() - started) / 1000,
  };
}
