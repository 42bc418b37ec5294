/**
 * What `tune learn` does: a controller learns over its networks, one short training (episode) after
 * another, each finished episode recorded with the controller's checkpoint in one transaction, so
 * Ctrl-C or a kill loses at most the episode in flight and `--resume` continues from there. Loads
 * TensorFlow.js (tune.ts loads this lazily).
 */
import { parseActionSet } from '../../shared/action-set';
import { ControllerSettingsSchema, MAX_PARALLEL_EPISODES, type ControllerSettings, type TuningTask } from '../../shared/tuning';
import { HistoryStoreError } from '../../main/db/history-store';
import type { HistoryStore } from '../../main/db/history-store';
import { Controller, learnController, poolEpisodeRunner, sampleTasks, startEpisodeWorkers } from '../../engine/tuning';
import type { ProcessPool } from '../../engine/pool/process-pool';
import { startBackend } from '../engine-setup';
import { CliError, EXIT } from '../errors';
import { openHistory } from '../history';
import { createOutput, percent, type Output } from '../output';
import { readActionSet } from './search';
import type { TuneLearnOptions } from './tune';
import { archTasks, checkTasks, dataLoader, taskFields, withNetwork } from './tune-tasks';

export async function runTuneLearn(options: TuneLearnOptions): Promise<void> {
  const output = createOutput(Boolean(options.json));
  const store = openHistory(options);
  try {
    await learn(store, options, output);
  } finally {
    store.close();
  }
}

/** What a learn continues from, or starts with. */
interface Plan {
  name: string;
  settings: ControllerSettings;
  tasks: TuningTask[];
  episodesDone: number;
  checkpoint: unknown;
}

async function learn(store: HistoryStore, options: TuneLearnOptions, output: Output): Promise<void> {
  const plan = options.resume ? resumePlan(store, options) : newPlan(store, options);
  await checkTasks(plan.tasks, plan.settings.seed);
  if (plan.episodesDone >= plan.settings.episodes) {
    throw new CliError(`controller "${plan.name}" has learned ${plan.episodesDone} of ${plan.settings.episodes} episodes already`, 'pass a larger --episodes to learn more');
  }

  await startBackend(options.backend, output);
  // Restored before anything is recorded: a broken checkpoint leaves the controller as it was.
  let controller: Controller;
  try {
    controller = plan.checkpoint === null ? Controller.create(plan.settings) : Controller.restore(plan.checkpoint);
  } catch (error) {
    throw new CliError(`controller "${plan.name}": ${(error as Error).message}`, 'delete it with `tune delete` and learn it again', EXIT.failed);
  }
  // Started before the controller is marked learning: workers that cannot start leave it as it was.
  const workers = await episodeWorkers(plan.settings.parallelEpisodes, options, output);
  try {
    if (options.resume) store.resumeController(plan.name, { ownerPid: process.pid, episodes: plan.settings.episodes });
    else store.createController({ name: plan.name, settings: plan.settings, tasks: plan.tasks, ownerPid: process.pid });
  } catch (error) {
    await workers?.close();
    if (error instanceof HistoryStoreError) throw new CliError(error.message, 'see `tune list`');
    throw error;
  }

  output.event('controller', { name: plan.name, episodes: plan.settings.episodes, episodes_done: plan.episodesDone, networks: plan.tasks.map((t) => t.name) });
  output.line(`controller  ${plan.name}: ${options.resume ? `continues at episode ${plan.episodesDone + 1}` : 'new'}, ${plan.settings.episodes} episodes on ${plan.tasks.length} network(s): ${plan.tasks.map((t) => t.name).join(', ')}`);

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let done = plan.episodesDone;
  try {
    await learnController({
      controller,
      tasks: plan.tasks,
      settings: plan.settings,
      episodesDone: plan.episodesDone,
      loadData: dataLoader(plan.settings.seed),
      signal: abort.signal,
      ...(workers ? { parallel: { episodes: workers.size, run: poolEpisodeRunner(workers) } } : {}),
      onEpisode: ({ episode, task, outcome, checkpoint }) => {
        store.recordControllerEpisode(plan.name, { episode, task: task.name, outcome, checkpoint });
        done = episode;
        const interventions = outcome.decisions.filter((d) => d.intervened).length;
        const threshold = outcome.decisions.at(-1)?.threshold;
        output.event('episode', {
          episode,
          task: task.name,
          status: outcome.status,
          return: outcome.return,
          valid_acc: outcome.finalValidAccuracy,
          interventions,
          threshold: threshold ?? null,
          seconds: outcome.seconds,
        });
        output.line(
          `episode ${episode}/${plan.settings.episodes}  ${task.name}  ${outcome.status === 'diverged' ? 'diverged  ' : ''}return ${outcome.return.toFixed(3)}  ` +
            `val ${percent(outcome.finalValidAccuracy)}  interventions ${interventions}  threshold ${threshold === undefined ? '—' : threshold.toFixed(2)}  ${outcome.seconds.toFixed(1)} s`,
        );
      },
    });
  } catch (error) {
    process.off('SIGINT', onSigint);
    await workers?.close();
    store.setControllerStatus(plan.name, 'failed', (error as Error).message);
    throw new CliError(`controller "${plan.name}" failed at episode ${done + 1}: ${(error as Error).message}`, `continue from episode ${done + 1} with \`tune learn --name ${quoted(plan.name)} --resume\``, EXIT.failed);
  }
  process.off('SIGINT', onSigint);
  await workers?.close();

  const summary = store.getController(plan.name)!;
  if (abort.signal.aborted && done < plan.settings.episodes) {
    store.setControllerStatus(plan.name, 'stopped', `stopped by Ctrl-C after ${done} episodes`);
    output.event('summary', { name: plan.name, status: 'stopped', episodes_done: done });
    throw new CliError(`stopped after ${done} of ${plan.settings.episodes} episodes`, `continue with \`tune learn --name ${quoted(plan.name)} --resume\``, EXIT.interrupted);
  }
  store.setControllerStatus(plan.name, 'ready');
  const last = summary.curve.at(-1);
  output.event('summary', { name: plan.name, status: 'ready', episodes_done: done, curve: summary.curve.map((p) => ({ episode: p.episode, task: p.task, return: p.return, valid_acc: p.finalValidAccuracy, interventions: p.interventions })) });
  output.line(`ready       ${plan.name}: ${done} episodes${last ? `, last return ${last.return.toFixed(3)}, val ${percent(last.finalValidAccuracy)}` : ''}`);
}

/** Worker processes for parallel episodes (none for one at a time); a pool that cannot start fails the learn before any episode. */
async function episodeWorkers(size: number, options: TuneLearnOptions, output: Output): Promise<ProcessPool | undefined> {
  if (size <= 1) return undefined;
  output.line(`workers     ${size} processes, one learning episode each at a time`);
  try {
    return await startEpisodeWorkers(size, options.backend);
  } catch (error) {
    throw new CliError(`--parallel-episodes ${size}: the worker processes could not start: ${(error as Error).message}`, 'try --parallel-episodes 1', EXIT.failed);
  }
}

function parallelEpisodes(options: TuneLearnOptions): number | undefined {
  if (options.parallelEpisodes !== undefined && options.parallelEpisodes > MAX_PARALLEL_EPISODES) throw new CliError(`--parallel-episodes: at most ${MAX_PARALLEL_EPISODES} episodes at once, got ${options.parallelEpisodes}`, 'about one episode per CPU core is usually best');
  return options.parallelEpisodes;
}

function quoted(name: string): string {
  return /^[\w.-]+$/.test(name) ? name : `"${name}"`;
}

function resumePlan(store: HistoryStore, options: TuneLearnOptions): Plan {
  if (options.arch || options.actionSet || options.sample !== undefined) {
    throw new CliError('--resume continues on the controller\'s own networks', 'leave out --arch, --action-set and --sample');
  }
  const controller = store.getController(options.name);
  if (!controller) throw new CliError(`there is no controller named "${options.name.trim()}" in the history`, 'leave out --resume to learn a new one; see `tune list`');
  if (controller.status === 'learning') {
    throw new CliError(`controller "${controller.name}" is learning in another process`, 'stop it first (Ctrl-C in its terminal)');
  }
  const point = store.controllerCheckpoint(controller.name)!;
  const settings = { ...point.settings, episodes: options.episodes ?? point.settings.episodes, parallelEpisodes: parallelEpisodes(options) ?? point.settings.parallelEpisodes };
  return { name: controller.name, settings, tasks: point.tasks, episodesDone: point.episodesDone, checkpoint: point.checkpoint };
}

function newPlan(store: HistoryStore, options: TuneLearnOptions): Plan {
  const name = options.name.trim();
  if (!name) throw new CliError('--name: a controller needs a name');
  const existing = store.getController(name);
  if (existing) throw new CliError(`a controller named "${existing.name}" already exists`, `continue it with --resume, or choose another --name`);
  if (options.episodes === undefined) throw new CliError('--episodes: how many learning episodes?', 'e.g. --episodes 20');
  const settings = ControllerSettingsSchema.parse({ episodes: options.episodes, seed: options.seed, parallelEpisodes: parallelEpisodes(options) });
  const { fields } = taskFields(options);
  let tasks: TuningTask[];
  if (options.arch && (options.actionSet || options.sample !== undefined)) throw new CliError('--arch and --action-set: give the networks one way', 'a list of --arch files, or --action-set FILE --sample K');
  if (options.arch) tasks = archTasks(options.arch, fields);
  else if (options.actionSet) {
    if (options.sample === undefined) throw new CliError('--action-set needs --sample K: how many networks to sample from it');
    const actionSet = parseActionSet(readActionSet(options.actionSet));
    tasks = sampleTasks({ actionSet, count: options.sample, ...fields, seed: options.seed }).map((t) => withNetwork(fields, t.name, t.layers));
  } else throw new CliError('no networks to learn on', 'pass --arch FILE… or --action-set FILE --sample K');
  return { name, settings, tasks, episodesDone: 0, checkpoint: null };
}
