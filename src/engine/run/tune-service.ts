/**
 * The engine process's side of the second mode: a controller learning over its tasks
 * (learnController), or steering one network against baseline schedules (applyController). Every
 * finished learning episode goes to main with the controller's checkpoint after it; every finished
 * schedule with its outcome; the controller's decisions and the epochs of the training under way as
 * they happen. Main writes the rows; a `stop` cancels the episode in flight and what finished stays.
 */
import type { BackendChoice } from '../../shared/backend';
import type { EngineToMain, MainToEngineParsed } from '../../shared/engine-messages';
import { initBackend } from '../backends';
import { applyController, Controller, learnController, poolEpisodeRunner, startEpisodeWorkers } from '../tuning';
import { taskDataLoader } from '../tuning/task-data';

export type TuneStart = Extract<MainToEngineParsed, { type: 'tune_learn' | 'tune_apply' }>;

/** Runs one learn or apply to its end (or until `signal` aborts); the caller reports a thrown error. */
export async function runTuneJob(start: TuneStart, post: (message: EngineToMain) => void, signal: AbortSignal): Promise<'completed' | 'stopped'> {
  const backend = (process.env.GENNERATOR_BACKEND as BackendChoice | undefined) ?? 'auto';
  await initBackend(backend);
  if (start.type === 'tune_learn') {
    const controller = start.checkpoint === undefined || start.checkpoint === null ? Controller.create(start.settings) : Controller.restore(start.checkpoint);
    const parallel = start.settings.parallelEpisodes;
    const workers = parallel > 1 ? await startEpisodeWorkers(parallel, backend) : undefined;
    try {
      const result = await learnController({
        controller,
        tasks: start.tasks,
        settings: start.settings,
        episodesDone: start.episodesDone,
        loadData: taskDataLoader(start.settings.seed),
        signal,
        onEpisode: ({ episode, task, outcome, checkpoint }) => post({ type: 'tune_episode', episode, task: task.name, outcome, checkpoint: checkpoint as never }),
        ...(workers ? { parallel: { episodes: parallel, run: poolEpisodeRunner(workers) } } : {}),
      });
      return result.status === 'completed' ? 'completed' : 'stopped';
    } finally {
      await workers?.close();
    }
  }
  const controller = Controller.restore(start.checkpoint);
  const firstSeed = start.seeds[0];
  const result = await applyController({
    task: start.task,
    controller,
    fineTuneEpisodes: start.fineTuneEpisodes,
    baselines: start.baselines,
    seeds: start.seeds,
    loadData: taskDataLoader(0),
    signal,
    onSchedule: ({ schedule, seed, outcome }) => post({ type: 'tune_schedule', schedule, seed, outcome }),
    onDecision: (decision, seed) => post({ type: 'tune_decision', track: { schedule: 'controller', seed }, decision }),
    onEpoch: (epoch, seed, schedule) => post({ type: 'tune_epoch', track: { schedule, seed }, epoch }),
    // A fine-tuning episode reports when it ends: its epochs show as the controller's episode `episode`.
    onFineTune: ({ episode, outcome }) => {
      for (const epoch of outcome.epochs) post({ type: 'tune_epoch', track: { schedule: 'controller', seed: firstSeed, episode, task: start.task.name }, epoch });
    },
  });
  return result.status === 'completed' ? 'completed' : 'stopped';
}
