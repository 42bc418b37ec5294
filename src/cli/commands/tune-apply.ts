/**
 * What `tune apply` does (001's tune_model): one network trained with a controller steering it, then
 * the same network with each baseline schedule from the same seeds and for the same epochs; the
 * schedule the controller followed, a comparison table, and optionally the steered model exported.
 * Every schedule's outcome is recorded in a tuning session as it finishes. Loads TensorFlow.js (tune.ts
 * loads this lazily).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Architecture } from '../../shared/architecture';
import type { ScheduleName, TuningTask } from '../../shared/tuning';
import type { HistoryStore } from '../../main/db/history-store';
import { writeLayersModel } from '../../engine/model/artifact';
import { applyController, BASELINE_SCHEDULES, Controller, type ApplyResult } from '../../engine/tuning';
import { startBackend } from '../engine-setup';
import { CliError, EXIT } from '../errors';
import { openHistory, resolveRun } from '../history';
import { readArchitecture } from '../options';
import { createOutput, percent, snakeCaseKeys, type Output } from '../output';
import type { TuneApplyOptions } from './tune';
import { checkTasks, dataLoader, taskFields, tasksOf } from './tune-tasks';
import { comparisonTable, rate, scheduleLines, scheduleStats } from './tune-text';

export async function runTuneApply(options: TuneApplyOptions): Promise<void> {
  const output = createOutput(Boolean(options.json));
  const baselines = parseBaselines(options.baselines);
  const seeds = parseSeeds(options.seeds);
  const store = openHistory(options);
  try {
    await apply(store, options, { baselines, seeds }, output);
  } finally {
    store.close();
  }
}

/** `--baselines constant,cosine`: known names, each once; `none` for the controller alone. */
export function parseBaselines(text: string): ScheduleName[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === 'none') return [];
  const unknown = names.find((n) => !(BASELINE_SCHEDULES as readonly string[]).includes(n));
  if (unknown !== undefined || names.length === 0) {
    throw new CliError(`--baselines: ${unknown === undefined ? 'no schedule given' : `unknown schedule "${unknown}"`}`, `use some of ${BASELINE_SCHEDULES.join(', ')}, or none`);
  }
  return [...new Set(names)] as ScheduleName[];
}

/** `--seeds 0,1,2`: whole numbers ≥ 0, each once. */
export function parseSeeds(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const bad = parts.find((p) => !/^\d+$/.test(p) || !Number.isSafeInteger(Number(p)));
  if (bad !== undefined) throw new CliError(`--seeds: "${bad}" is not a whole number ≥ 0`, 'e.g. --seeds 0,1,2');
  return [...new Set(parts.map(Number))];
}

async function apply(store: HistoryStore, options: TuneApplyOptions, plan: { baselines: ScheduleName[]; seeds: number[] }, output: Output): Promise<void> {
  const saved = store.controllerCheckpoint(options.controller);
  if (!saved) throw new CliError(`there is no controller named "${options.controller.trim()}" in the history`, 'see `tune list`, or learn one with `tune learn`');
  const name = store.getController(options.controller)!.name;
  if (saved.checkpoint === null) throw new CliError(`controller "${name}" has not finished a learning episode yet: there is nothing to apply`, `learn it first: \`tune learn --name ${name} --resume\``);
  const task = taskOf(store, options);
  await checkTasks([task], options.seed);

  await startBackend(options.backend, output);
  let controller: Controller;
  try {
    controller = Controller.restore(saved.checkpoint);
  } catch (error) {
    throw new CliError(`controller "${name}": ${(error as Error).message}`, 'learn it again under another name', EXIT.failed);
  }
  const planned = plan.seeds.flatMap((seed) => (['controller', ...plan.baselines] as ScheduleName[]).map((schedule) => ({ schedule, seed })));
  const sessionId = store.createTuneSession({ controller: name, task, schedules: planned, ownerPid: process.pid });
  output.event('session', { id: sessionId, controller: name, network: task.name, schedules: planned });
  output.line(`session     #${sessionId}: controller ${name} on ${task.name}, ${task.epochs} epochs, seeds ${plan.seeds.join(', ')}, baselines ${plan.baselines.join(', ') || 'none'}`);

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let result: ApplyResult;
  try {
    result = await applyController({
      task,
      controller,
      fineTuneEpisodes: options.fineTune,
      baselines: plan.baselines,
      seeds: plan.seeds,
      loadData: dataLoader(options.seed),
      signal: abort.signal,
      onFineTune: ({ episode, outcome }) => {
        output.event('fine_tune', { episode, return: outcome.return, valid_acc: outcome.finalValidAccuracy, seconds: outcome.seconds });
        output.line(`fine-tune   ${episode}/${options.fineTune}  return ${outcome.return.toFixed(3)}  val ${percent(outcome.finalValidAccuracy)}  ${outcome.seconds.toFixed(1)} s`);
      },
      onSchedule: ({ schedule, seed, outcome }) => {
        store.recordTuneSchedule(sessionId, { schedule, seed, outcome });
        const interventions = outcome.decisions.filter((d) => d.intervened).length;
        output.event('schedule', { schedule, seed, status: outcome.status, test_acc: outcome.testAccuracy ?? null, valid_acc: outcome.finalValidAccuracy, interventions, seconds: outcome.seconds });
        output.line(
          `${schedule.padEnd(13)} seed ${seed}  ${outcome.status === 'completed' ? '' : `${outcome.status}  `}test ${percent(outcome.testAccuracy)}  val ${percent(outcome.finalValidAccuracy)}  ` +
            `lr at the end ${rate(outcome.epochs.at(-1)?.hyperparameters.learningRate ?? task.initial.learningRate)}${schedule === 'controller' ? `  ${interventions} intervention(s)` : ''}  ${outcome.seconds.toFixed(1)} s`,
        );
      },
    });
  } catch (error) {
    process.off('SIGINT', onSigint);
    store.finishTuneSession(sessionId, 'failed', (error as Error).message);
    throw new CliError(`tuning session #${sessionId} failed: ${(error as Error).message}`, 'what finished before is kept: see `tune show`', EXIT.failed);
  }
  process.off('SIGINT', onSigint);
  if (result.status === 'cancelled') {
    store.finishTuneSession(sessionId, 'stopped', 'stopped by Ctrl-C');
    throw new CliError(`tuning session #${sessionId} stopped: ${result.runs.length} of ${planned.length} schedules trained`, `they are kept: see \`tune show ${name}\``, EXIT.interrupted);
  }
  store.finishTuneSession(sessionId, 'completed');

  const steered = result.runs.find((r) => r.schedule === 'controller');
  const stats = scheduleStats(store.getTuneSession(sessionId)!.schedules);
  if (steered) {
    const lines = scheduleLines(task.initial, steered.outcome.decisions);
    output.line('');
    output.line(`schedule the controller followed (seed ${steered.seed}): ${lines.length === 0 ? 'no intervention' : `${lines.length} intervention(s)`}`);
    for (const line of lines) output.line(line);
  }
  output.line('');
  output.line(comparisonTable(stats));

  const files = options.export ? exportSteered(options.export, task, result) : undefined;
  if (files) {
    output.line('');
    output.line(`exported the controller-steered model (seed ${plan.seeds[0]}):`);
    for (const file of files) output.line(`  ${file}`);
  }
  output.event('summary', {
    session: sessionId,
    controller: name,
    network: task.name,
    status: 'completed',
    results: stats.map((s) => snakeCaseKeys(s)),
    schedule: steered ? steered.outcome.decisions.map((d) => snakeCaseKeys(d)) : [],
    ...(files ? { files } : {}),
  });
}

/** The network to tune: an architecture file (or inline JSON), or a candidate of a past run. */
function taskOf(store: HistoryStore, options: TuneApplyOptions): TuningTask {
  const { fields } = taskFields(options);
  if (options.arch !== undefined && options.run !== undefined) throw new CliError('--arch and --run: give the network one way', 'an architecture file, or --run ID --candidate I');
  if (options.arch !== undefined) {
    if (options.candidate !== undefined) throw new CliError('--candidate needs --run', 'or leave it out with --arch');
    return tasksOf([{ architecture: readArchitecture(options.arch), source: options.arch }], fields)[0];
  }
  if (options.run === undefined) throw new CliError('no network to tune', 'pass --arch FILE, or --run ID --candidate I');
  if (options.candidate === undefined) throw new CliError('--run needs --candidate I: which of its networks', 'see `runs show <run>`');
  const runId = resolveRun(store, options.run);
  const candidate = store.getCandidate(runId, options.candidate);
  if (!candidate) throw new CliError(`run ${runId.slice(0, 8)} has no candidate ${options.candidate}`, 'see `runs show <run>`');
  const layers = (candidate.architecture as Architecture | null)?.layers;
  if (!Array.isArray(layers)) throw new CliError(`candidate ${options.candidate} of run ${runId.slice(0, 8)} is not a trained network (a NAS-Bench-201 cell?)`, 'pass --arch FILE');
  return tasksOf([{ architecture: { name: `${runId.slice(0, 8)}#${options.candidate}`, layers }, source: options.run }], fields)[0];
}

/** Writes the steered model (layers format), its architecture and the schedule it followed. */
function exportSteered(dir: string, task: TuningTask, result: ApplyResult): string[] {
  const steered = result.runs.find((r) => r.schedule === 'controller');
  if (!result.model || !steered) throw new CliError('the controller-steered training did not complete: there is no model to export', 'try other --seeds or --lr', EXIT.failed);
  const out = resolve(dir);
  try {
    const files = writeLayersModel(out, result.model);
    const architecture = join(out, 'architecture.json');
    writeFileSync(architecture, `${JSON.stringify({ name: task.name, layers: task.layers }, null, 2)}\n`);
    const schedule = join(out, 'schedule.json');
    const { decisions, epochs, testAccuracy, finalValidAccuracy } = steered.outcome;
    writeFileSync(schedule, `${JSON.stringify({ seed: steered.seed, initial: task.initial, decisions, epochs, validAccuracy: finalValidAccuracy, testAccuracy }, null, 2)}\n`);
    return [...files, architecture, schedule];
  } catch (error) {
    throw new CliError(`cannot write to ${out}: ${(error as Error).message}`, 'pass another --export directory', EXIT.failed);
  }
}
