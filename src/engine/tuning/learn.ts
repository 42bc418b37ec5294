/**
 * Learning a controller: episodes over a set of tasks, cycled in a seeded order (a fresh shuffle of
 * the tasks every round), one checkpoint per finished episode, so a learn that is killed resumes at
 * the last finished episode: restore the controller from that checkpoint and pass its episodesDone.
 * With `parallel` (the worker pool, parallel-episodes.ts) episodes run in batches of
 * parallelEpisodes: every episode of a batch starts from the controller as the batch starts, and the
 * controller learns from them in episode order; each is recorded (onEpisode) as it is learned from.
 */
import type { ControllerSettings, EpisodeJob, EpisodeOutcome, TuningTask } from '../../shared/tuning';
import type { PreparedData } from '../data/types';
import { createRng } from '../random';
import type { Controller, ControllerCheckpoint } from './controller';
import { runEpisode } from './episode';
import type { EpisodeRunner } from './parallel-episodes';

export interface LearnArgs {
  controller: Controller;
  tasks: readonly TuningTask[];
  /** Its `episodes` is the total to reach, those done included. */
  settings: Pick<ControllerSettings, 'episodes' | 'seed'>;
  /** Episodes already learned (a resumed learn); the task order continues where it was. */
  episodesDone: number;
  loadData: (task: TuningTask) => Promise<PreparedData>;
  signal?: AbortSignal;
  /** Runs batches of `episodes` episodes at once (more than 1); without it episodes run here one by one. */
  parallel?: { episodes: number; run: EpisodeRunner };
  onEpisode?: (e: { episode: number; task: TuningTask; outcome: EpisodeOutcome; checkpoint: ControllerCheckpoint }) => void | Promise<void>;
}

/** The task of learning episode `episode` (0-based): round r = ⌊episode / tasks⌋ visits every task once, in a shuffle seeded by (seed, r). */
export function taskOrder(taskCount: number, seed: number, episode: number): number {
  const round = Math.floor(episode / taskCount);
  const order = Array.from({ length: taskCount }, (_, i) => i);
  createRng(seed * 7919 + round).shuffle(order);
  return order[episode % taskCount];
}

/** The seed of learning episode `episode` (0-based): its initial weights, batch order and the controller's draws. */
export function episodeSeed(seed: number, episode: number): number {
  return seed * 100_003 + episode;
}

/** Learns until settings.episodes are done or the signal aborts; returns the episodes done. */
export async function learnController(args: LearnArgs): Promise<{ episodesDone: number; status: 'completed' | 'cancelled' }> {
  const { controller, tasks, settings } = args;
  if (tasks.length === 0) throw new Error('learnController: no tasks to learn from');
  let done = args.episodesDone;
  const batchSize = args.parallel && args.parallel.episodes > 1 ? args.parallel.episodes : 1;
  while (done < settings.episodes) {
    if (args.signal?.aborted) return { episodesDone: done, status: 'cancelled' };
    if (batchSize > 1) {
      const count = Math.min(batchSize, settings.episodes - done);
      // JSON by construction (its PPO part is typed unknown only because PPO validates it itself).
      const checkpoint = controller.checkpoint() as EpisodeJob['checkpoint'];
      const batch = Array.from({ length: count }, (_, i) => ({
        episode: done + i + 1,
        job: { task: tasks[taskOrder(tasks.length, settings.seed, done + i)], seed: episodeSeed(settings.seed, done + i), checkpoint },
      }));
      let rollouts;
      try {
        rollouts = await args.parallel!.run(batch, args.signal);
      } catch (error) {
        if (args.signal?.aborted) return { episodesDone: done, status: 'cancelled' };
        throw error;
      }
      for (const [i, rollout] of rollouts.entries()) {
        controller.learnFrom(rollout);
        done += 1;
        await args.onEpisode?.({ episode: done, task: batch[i].job.task, outcome: rollout.outcome, checkpoint: controller.checkpoint() });
      }
      continue;
    }
    const task = tasks[taskOrder(tasks.length, settings.seed, done)];
    const data = await args.loadData(task);
    const outcome = await runEpisode({ task, data, steering: { kind: 'controller', controller, learn: true }, seed: episodeSeed(settings.seed, done), signal: args.signal });
    if (outcome.status === 'cancelled') return { episodesDone: done, status: 'cancelled' };
    done += 1;
    await args.onEpisode?.({ episode: done, task, outcome, checkpoint: controller.checkpoint() });
  }
  return { episodesDone: done, status: 'completed' };
}
