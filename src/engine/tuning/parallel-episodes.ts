/**
 * Learning episodes run in parallel on the worker pool (ProcessPool, one episode per worker at a
 * time). A batch starts from one checkpoint of the controller: each worker restores a copy, trains
 * its task steered by the copy and sends back the rollout (the copy's steps and the episode's
 * outcome); the controller learns from the rollouts in episode order (Controller.learnFrom).
 *
 * The worker side is an evaluator of its own kind ('controller-episodes'), so episodes get the
 * pool's restarts and cancellation: an episode whose worker dies is run again; one that takes two
 * workers down fails the learn, with every episode before it already recorded.
 */
import type { BackendChoice } from '../../shared/backend';
import type { EpisodeJob, EpisodeRollout } from '../../shared/tuning';
import { wasmThreadsPerWorker } from '../backends/wasm-threads';
import { CandidateCancelled, type CandidateEvaluator, type CandidateOutcome, type EvaluationHooks, type EvaluationJob } from '../evaluators/types';
import { ProcessPool } from '../pool/process-pool';
import type { EvaluationPool } from '../pool/types';
import type { WorkerSpawner } from '../pool/worker-entry';
import { Controller } from './controller';
import { runEpisode } from './episode';
import { taskDataLoader } from './task-data';

/** Runs a batch of learning episodes at once and answers with their rollouts, in the jobs' order. */
export type EpisodeRunner = (batch: { episode: number; job: EpisodeJob }[], signal?: AbortSignal) => Promise<EpisodeRollout[]>;

/** `size` worker processes that run learning episodes (each loads TensorFlow.js and the tasks' data once). */
export function startEpisodeWorkers(size: number, backend: BackendChoice, spawn?: WorkerSpawner): Promise<ProcessPool> {
  return ProcessPool.start({ size, evaluator: { kind: 'controller-episodes' }, backend, wasmThreads: wasmThreadsPerWorker(size), spawn });
}

/** Runs each batch's episodes on `pool`; an episode that failed there fails the batch, naming it. */
export function poolEpisodeRunner(pool: EvaluationPool): EpisodeRunner {
  return (batch, signal) =>
    Promise.all(
      batch.map(async ({ episode, job }) => {
        const outcome = await pool.evaluate({ index: episode, action: [], hash: `episode-${episode}`, architecture: { layers: job.task.layers }, episode: job }, { signal });
        if (!outcome.rollout) {
          throw new Error(`learning episode ${episode} (${job.task.name}) ${outcome.status === 'failed' ? `failed in a worker: ${outcome.error ?? 'no reason given'}` : 'came back without its steps'}`);
        }
        return outcome.rollout;
      }),
    );
}

/** The worker's side: a learning episode per job, by a copy of the job's controller that collects its steps. */
export class ControllerEpisodeEvaluator implements CandidateEvaluator {
  readonly settingsKey = 'controller-episodes';
  readonly epochs = 0;
  /** By the controller's seed, which splits the data (as the learn's own loader does). */
  private readonly loaders = new Map<number, ReturnType<typeof taskDataLoader>>();

  async evaluate(job: EvaluationJob, hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    if (!job.episode) throw new Error(`job ${job.index} is not a learning episode: a controller-episodes worker runs nothing else`);
    const { task, seed, checkpoint } = job.episode;
    const controller = Controller.restore(checkpoint);
    controller.collectSteps(seed);
    const dataSeed = controller.settings.seed;
    if (!this.loaders.has(dataSeed)) this.loaders.set(dataSeed, taskDataLoader(dataSeed));
    const data = await this.loaders.get(dataSeed)!(task);
    const outcome = await runEpisode({ task, data, steering: { kind: 'controller', controller, learn: true }, seed, signal: hooks.signal });
    if (outcome.status === 'cancelled') throw new CandidateCancelled();
    return {
      status: outcome.status,
      signal: outcome.finalValidAccuracy,
      epochs: [],
      hash: job.hash,
      cached: false,
      rollout: { outcome, steps: controller.takeCollected() },
    };
  }
}
