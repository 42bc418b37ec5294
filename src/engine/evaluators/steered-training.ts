/**
 * Scores a network by training it with a controller steering its hyperparameters (`search
 * --controller`): each candidate is one episode of the controller applied (not learning), starting
 * from the run's training settings (its learning rate, optimizer and weight decay, the network's own
 * dropout) for the same epochs. The controller is restored once per evaluator from the checkpoint the
 * run was given; applying does not change it, so every candidate meets the same controller.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { architectureHash, ArchitectureError, parseArchitecture, type Architecture } from '../../shared/architecture';
import type { DatasetName } from '../../shared/run-config';
import { inferShapes } from '../../shared/shapes';
import type { EpochMetrics, TrainingConfig } from '../../shared/training';
import type { TuneEpoch, TuningTask } from '../../shared/tuning';
import { GpuMemoryError } from '../backends/webgpu-device';
import type { PreparedData } from '../data/types';
import type { ModelArtifact } from '../model/artifact';
import { architectureDropout, Controller, runEpisode } from '../tuning';
import { trainingSettingsKey, type TrainingEvaluatorOptions } from './training';
import { CandidateCancelled, type CandidateEvaluator, type CandidateOutcome, type EvaluationHooks, type EvaluationJob } from './types';

/** The controller a run was given: its name (for messages) and its checkpoint. */
export interface RunController {
  name: string;
  checkpoint: unknown;
}

/** Restores the run's controller; the error names the controller and what is wrong with its checkpoint. */
export function restoreRunController(controller: RunController): Controller {
  try {
    return Controller.restore(controller.checkpoint);
  } catch (error) {
    throw new Error(`controller "${controller.name}": ${(error as Error).message}`);
  }
}

/** Results under a controller compare only with results under the same controller state. */
export function steeredSettingsKey(data: PreparedData, config: TrainingConfig, checkpoint: unknown): string {
  const state = bytesToHex(sha256(utf8ToBytes(JSON.stringify(checkpoint)))).slice(0, 16);
  return `${trainingSettingsKey(data, config)}|controller:${state}`;
}

export class SteeredTrainingEvaluator implements CandidateEvaluator {
  readonly settingsKey: string;
  private readonly controller: Controller;

  constructor(
    private readonly data: PreparedData,
    private readonly dataset: DatasetName,
    private readonly config: TrainingConfig,
    run: RunController,
    private readonly options: TrainingEvaluatorOptions = {},
  ) {
    this.controller = restoreRunController(run);
    this.settingsKey = steeredSettingsKey(data, config, run.checkpoint);
  }

  get epochs(): number {
    return this.config.epochs;
  }

  async evaluate(job: EvaluationJob, hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    let architecture: Architecture;
    let params: number;
    const { inputShape, numClasses } = this.data.dataset;
    try {
      architecture = parseArchitecture(job.architecture);
      params = inferShapes(architecture, inputShape, numClasses).totalParams;
    } catch (error) {
      if (!(error instanceof ArchitectureError)) throw error;
      return { status: 'failed', signal: 0, epochs: [], error: error.message, hash: job.hash, cached: false };
    }
    const hash = architectureHash(architecture);
    const task: TuningTask = {
      name: architecture.name ?? hash,
      layers: architecture.layers,
      dataset: this.dataset,
      epochs: this.config.epochs,
      batchSize: this.config.batchSize,
      decisionsPerEpoch: 1,
      initial: { learningRate: this.config.learningRate, optimizer: this.config.optimizer, dropout: architectureDropout(architecture.layers), weightDecay: this.config.weightDecay },
    };
    const epochs: EpochMetrics[] = [];
    let model: ModelArtifact | undefined;
    let outcome;
    try {
      outcome = await runEpisode({
        task,
        data: this.data,
        steering: { kind: 'controller', controller: this.controller, learn: false },
        seed: this.config.seed,
        signal: hooks.signal,
        evaluateTest: this.options.evaluateTest,
        onEpoch: (e) => {
          const metrics = epochMetrics(e, this.data.train.count);
          epochs.push(metrics);
          hooks.onEpoch?.(metrics);
        },
        onTrained: this.options.captureModels ? (m) => void (model = m) : undefined,
      });
    } catch (error) {
      // A network too big for the GPU fails as a candidate; the search goes on with the next.
      if (error instanceof GpuMemoryError) return { status: 'failed', signal: 0, epochs, error: error.message, hash, cached: false };
      throw error;
    }
    if (outcome.status === 'cancelled') throw new CandidateCancelled();
    const diverged = outcome.status === 'diverged';
    const interventions = outcome.decisions.filter((d) => d.intervened).length;
    return {
      status: outcome.status,
      signal: diverged ? 0 : outcome.finalValidAccuracy,
      epochs,
      params,
      testAccuracy: outcome.testAccuracy,
      error: diverged ? `loss became non-finite under controller steering (${interventions} intervention(s))` : undefined,
      hash,
      cached: false,
      model,
    };
  }
}

/** A steered epoch as the search records epochs: the training accuracy is not measured (NaN). */
function epochMetrics(e: TuneEpoch, trainCount: number): EpochMetrics {
  return {
    epoch: e.epoch,
    trainLoss: e.trainLoss ?? Number.NaN,
    trainAccuracy: Number.NaN,
    validLoss: e.validLoss ?? Number.NaN,
    validAccuracy: e.validAccuracy,
    seconds: e.seconds,
    imagesPerSecond: e.seconds > 0 ? trainCount / e.seconds : 0,
  };
}
