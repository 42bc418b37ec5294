/**
 * Learning a controller: episodes over a set of tasks, cycled in a seeded order (a fresh shuffle of
 * the tasks every round), one checkpoint per finished episode, so a learn that is killed resumes at
 * the last finished episode: restore the controller from that checkpoint and pass its episodesDone.
 * Episodes run one after another here (parallelEpisodes is not used yet).
 */
import type { ControllerSettings, EpisodeOutcome, TuningTask } from '../../shared/tuning';
import type { PreparedData } from '../data/types';
import { createRng } from '../random';
import type { Controller, ControllerCheckpoint } from './controller';
import { runEpisode } from './episode';

export interface LearnArgs {
  controller: Controller;
  tasks: readonly TuningTask[];
  /** Its `episodes` is the total to reach, those done included. */
  settings: Pick<ControllerSettings, 'episodes' | 'seed'>;
  /** Episodes already learned (a resumed learn); the task order continues where it was. */
  episodesDone: number;
  loadData: (task: TuningTask) => Promise<PreparedData>;
  signal?: AbortSignal;
  onEpisode?: (e: { episode: number; task: TuningTask; outcome: EpisodeOutcome; checkpoint: ControllerCheckpoint }) => void | Promise<void>;
}

/** The task of learning episode `episode` (0-based): round r = ⌊episode / tasks⌋ visits every task once, in a shuffle seeded by (seed, r). */
export function taskOrder(taskCount: number, seed: number, episode: number): number {
  const round = Math.floor(episode / taskCount);
  const order = Array.from({ length: taskCount }, (_, i) => i);
  createRng(seed * 7919 + round).shuffle(order);
  return order[episode % taskCount];
}

/** Learns until settings.episodes are done or the signal aborts; returns the episodes done. */
export async function learnController(args: LearnArgs): Promise<{ episodesDone: number; status: 'completed' | 'cancelled' }> {
  const { controller, tasks, settings } = args;
  if (tasks.length === 0) throw new Error('learnController: no tasks to learn from');
  let done = args.episodesDone;
  while (done < settings.episodes) {
    if (args.signal?.aborted) return { episodesDone: done, status: 'cancelled' };
    const task = tasks[taskOrder(tasks.length, settings.seed, done)];
    const data = await args.loadData(task);
    const outcome = await runEpisode({ task, data, steering: { kind: 'controller', controller, learn: true }, seed: settings.seed * 100_003 + done, signal: args.signal });
    if (outcome.status === 'cancelled') return { episodesDone: done, status: 'cancelled' };
    done += 1;
    await args.onEpisode?.({ episode: done, task, outcome, checkpoint: controller.checkpoint() });
  }
  return { episodesDone: done, status: 'completed' };
}
