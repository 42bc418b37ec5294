/**
 * From `tune` options to tuning tasks (one network on one dataset, trained for some epochs), checked
 * before anything trains, and the data each task trains on, loaded once per dataset. Loads TensorFlow.js
 * (through engine-setup), so only `learn` and `apply` load it.
 */
import { basename } from 'node:path';
import type { Architecture } from '../../shared/architecture';
import type { LayerSpec } from '../../shared/layers';
import { TuningTaskSchema, type TuningTask } from '../../shared/tuning';
import type { PreparedData } from '../../engine/data/types';
import { architectureDropout } from '../../engine/tuning';
import { checkTrainInput, loadPreparedData } from '../engine-setup';
import { CliError } from '../errors';
import { readArchitecture } from '../options';
import { dataOptionsOf, type DataOptions } from '../setup';
import { initialHyperparameters, type TuneTaskOptions } from './tune';

/** A task's fields other than its network, from the options; the initial dropout is absent when each network starts at its own. */
export type TaskFields = Omit<TuningTask, 'name' | 'layers' | 'initial'> & { initial: Omit<TuningTask['initial'], 'dropout'> & { dropout?: number } };

/** Where an option of a task comes from, for errors. */
const OPTION_OF_FIELD: Record<string, string> = {
  subset: '--subset',
  epochs: '--epochs',
  batchSize: '--batch-size',
  decisionsPerEpoch: '--decisions-per-epoch',
  initial: '--lr/--dropout/--weight-decay',
  layers: '--arch',
  name: '--arch',
};

export function taskFields(options: TuneTaskOptions): { fields: TaskFields; data: DataOptions } {
  const data = dataOptionsOf(options);
  const fields: TaskFields = {
    dataset: data.dataset,
    ...(data.dataDir === undefined ? {} : { dataDir: data.dataDir }),
    ...(data.image === undefined ? {} : { image: data.image }),
    ...(data.subset === undefined ? {} : { subset: data.subset }),
    epochs: options.epochs,
    batchSize: options.batchSize,
    decisionsPerEpoch: options.decisionsPerEpoch,
    initial: initialHyperparameters(options),
  };
  if (options.epochs * options.decisionsPerEpoch < 2) {
    throw new CliError('--epochs 1 with one decision per epoch leaves the controller no decision point (it decides between intervals)', 'use --epochs 2 or more, or --decisions-per-epoch 2 or more');
  }
  // Checked now, with a stand-in network, so that a bad option is refused before any file is read.
  parseTask({ ...fields, name: 'check', layers: [{ type: 'dense', units: 1 }], initial: { ...fields.initial, dropout: fields.initial.dropout ?? 0 } });
  return { fields, data };
}

/** A task parsed, or refused naming the option (exit 2). */
export function parseTask(task: unknown): TuningTask {
  const parsed = TuningTaskSchema.safeParse(task);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  throw new CliError(`${OPTION_OF_FIELD[field] ?? 'the options'}: ${issue?.message ?? 'invalid task'}`, 'see `tune --help`');
}

/** The network's label: its own name, the file's name, or its position. */
function taskName(architecture: Architecture, source: string, index: number): string {
  if (architecture.name) return architecture.name;
  if (!/^\s*[[{]/.test(source)) return basename(source).replace(/\.json$/i, '');
  return `network ${index + 1}`;
}

/** One task per network; equal labels get " (2)", " (3)", … so that each curve point names its network. */
export function tasksOf(networks: { architecture: Architecture; source: string }[], fields: TaskFields): TuningTask[] {
  const seen = new Map<string, number>();
  return networks.map(({ architecture, source }, i) => {
    const base = taskName(architecture, source, i);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return withNetwork(fields, n === 1 ? base : `${base} (${n})`, architecture.layers);
  });
}

/** A task of `layers` with the options' fields; the network's own dropout unless --dropout was given. */
export function withNetwork(fields: TaskFields, name: string, layers: readonly LayerSpec[]): TuningTask {
  return parseTask({ ...fields, name, layers, initial: { ...fields.initial, dropout: fields.initial.dropout ?? architectureDropout(layers) } });
}

export function archTasks(sources: readonly string[], fields: TaskFields): TuningTask[] {
  return tasksOf(sources.map((source) => ({ architecture: readArchitecture(source), source })), fields);
}

/** Everything `train` checks before it trains, for each task: data files, subset, the network against the input. */
export async function checkTasks(tasks: readonly TuningTask[], seed: number): Promise<void> {
  for (const task of tasks) {
    try {
      await checkTrainInput(dataOf(task, seed), { layers: task.layers });
    } catch (error) {
      if (error instanceof CliError && tasks.length > 1 && !error.message.startsWith('--')) {
        throw new CliError(`${task.name}: ${error.message}`, error.hint, error.exitCode, error.details);
      }
      throw error;
    }
  }
}

export function dataOf(task: Pick<TuningTask, 'dataset' | 'dataDir' | 'image' | 'subset'>, seed: number): DataOptions {
  return { dataset: task.dataset, dataDir: task.dataDir, image: task.image, subset: task.subset, seed };
}

/** Loads each dataset (with its subset and split) once, however many tasks train on it. */
export function dataLoader(seed: number): (task: TuningTask) => Promise<PreparedData> {
  const loaded = new Map<string, Promise<PreparedData>>();
  return (task) => {
    const options = dataOf(task, seed);
    const key = JSON.stringify(options);
    let data = loaded.get(key);
    if (!data) {
      data = loadPreparedData(options);
      loaded.set(key, data);
    }
    return data;
  };
}
