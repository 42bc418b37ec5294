/**
 * The Tune view's forms as plain data, and what they become as API parameters: each problem named by
 * its field, before anything is sent. No React: unit-tested in test/renderer/tune-model.test.ts.
 */
import { ArchitectureError, parseArchitecture } from '../../../../shared/architecture';
import { DATASET_NAMES, type DatasetName } from '../../../../shared/run-config';
import { OPTIMIZERS, type OptimizerName } from '../../../../shared/training';
import type { BaselineSchedule, TuneModelInput } from '../../../../shared/tuning-api';
import { MAX_PARALLEL_EPISODES } from '../../../../shared/tuning';

export interface TrainingForm {
  dataset: DatasetName;
  dataDir: string;
  subset: string;
  epochs: string;
  batchSize: string;
  decisionsPerEpoch: string;
  learningRate: string;
  optimizer: OptimizerName;
}

export const DEFAULT_TRAINING: TrainingForm = {
  dataset: 'fashion-mnist',
  dataDir: '',
  subset: '2000',
  epochs: '5',
  batchSize: '64',
  decisionsPerEpoch: '1',
  learningRate: '0.001',
  optimizer: 'adam',
};

export type ModelSource = { kind: 'json'; text: string } | { kind: 'candidate'; runId: string; index: string };

export interface ApplyForm {
  controller: string;
  model: ModelSource;
  training: TrainingForm;
  baselines: BaselineSchedule[];
  seeds: string;
  fineTune: string;
}

export interface LearnForm {
  name: string;
  /** The networks: listed as JSON, or sampled from a saved action set. */
  source: 'json' | 'sample';
  /** One architecture, or a JSON list of them ({name, layers} each). */
  models: string;
  actionSetId: string;
  count: string;
  training: TrainingForm;
  episodes: string;
  seed: string;
  /** 004's train_frequency_min/max: the controller updates after this many decisions, adapted to its progress. */
  trainFrequencyMin: string;
  trainFrequencyMax: string;
  parallelEpisodes: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const problem = (text: string): Parsed<never> => ({ ok: false, problem: text });

function int(text: string, field: string, min: number, max: number): Parsed<number> {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) return problem(`${field}: a whole number from ${min} to ${max}, not "${text}"`);
  return ok(value);
}

export function trainingParams(form: TrainingForm): Parsed<Record<string, unknown>> {
  if (!DATASET_NAMES.includes(form.dataset)) return problem(`dataset: one of ${DATASET_NAMES.join(', ')}`);
  const epochs = int(form.epochs, 'epochs', 1, 200);
  if (!epochs.ok) return epochs;
  const batchSize = int(form.batchSize, 'batch size', 1, 4096);
  if (!batchSize.ok) return batchSize;
  const decisions = int(form.decisionsPerEpoch, 'decisions per epoch', 1, 100);
  if (!decisions.ok) return decisions;
  let subset: number | undefined;
  if (form.subset.trim() !== '') {
    const parsed = int(form.subset, 'subset', 10, 10_000_000);
    if (!parsed.ok) return parsed;
    subset = parsed.value;
  }
  const learningRate = Number(form.learningRate);
  if (!(learningRate > 0 && learningRate <= 1)) return problem(`initial learning rate: a number above 0, at most 1, not "${form.learningRate}"`);
  if (!OPTIMIZERS.includes(form.optimizer)) return problem(`optimizer: one of ${OPTIMIZERS.join(', ')}`);
  if ((form.dataset === 'cifar10' || form.dataset === 'folder') && form.dataDir.trim() === '') return problem(`data directory: the ${form.dataset} dataset needs one`);
  return ok({
    dataset: form.dataset,
    ...(form.dataDir.trim() ? { dataDir: form.dataDir.trim() } : {}),
    ...(subset === undefined ? {} : { subset }),
    epochs: epochs.value,
    batchSize: batchSize.value,
    decisionsPerEpoch: decisions.value,
    initial: { learningRate, optimizer: form.optimizer, dropout: 0, weightDecay: 0 },
  });
}

/**
 * Architectures from JSON text: one ({name?, layers} or a bare layer list) or a list of them. Each
 * is checked as a network file is (the first bad layer named); unnamed ones are called after their place.
 */
export function parseModelsText(text: string, defaultName = 'model'): Parsed<Array<Extract<TuneModelInput, { kind: 'layers' }>>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return problem(`architecture JSON: ${(error as Error).message}`);
  }
  const many = Array.isArray(json) && json.length > 0 && json.every((item) => typeof item === 'object' && item !== null && 'layers' in item);
  const items = many ? (json as unknown[]) : [json];
  const models: Array<Extract<TuneModelInput, { kind: 'layers' }>> = [];
  for (const [i, item] of items.entries()) {
    const where = many ? `architecture ${i + 1}` : 'architecture';
    try {
      const architecture = parseArchitecture(item);
      if (architecture.layers.length === 0) return problem(`${where}: no layers`);
      models.push({ kind: 'layers', name: architecture.name?.trim() || (many ? `${defaultName} ${i + 1}` : defaultName), layers: architecture.layers });
    } catch (error) {
      if (error instanceof ArchitectureError) return problem(`${where}: ${error.message}`);
      throw error;
    }
  }
  return ok(models);
}

export function parseSeeds(text: string): Parsed<number[]> {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return problem('seeds: at least one, e.g. 0 or 0,1,2');
  const seeds: number[] = [];
  for (const part of parts) {
    const seed = int(part, 'seeds', 0, 2 ** 31 - 1);
    if (!seed.ok) return seed;
    if (seeds.includes(seed.value)) return problem(`seeds: ${seed.value} is given twice`);
    seeds.push(seed.value);
  }
  return ok(seeds);
}

export function applyParams(form: ApplyForm): Parsed<Record<string, unknown>> {
  if (!form.controller) return problem('controller: choose one (or learn one first)');
  let model: TuneModelInput;
  if (form.model.kind === 'json') {
    const parsed = parseModelsText(form.model.text);
    if (!parsed.ok) return parsed;
    if (parsed.value.length !== 1) return problem('architecture: one network to tune, not a list');
    model = parsed.value[0];
  } else {
    if (!form.model.runId) return problem('run: choose the run whose candidate to tune');
    const index = int(form.model.index, 'candidate', 0, 1_000_000);
    if (!index.ok) return index;
    model = { kind: 'candidate', runId: form.model.runId, index: index.value };
  }
  const training = trainingParams(form.training);
  if (!training.ok) return training;
  const seeds = parseSeeds(form.seeds);
  if (!seeds.ok) return seeds;
  const fineTune = int(form.fineTune, 'fine-tuning episodes', 0, 100);
  if (!fineTune.ok) return fineTune;
  return ok({ controller: form.controller, model, training: training.value, baselines: form.baselines, seeds: seeds.value, fineTuneEpisodes: fineTune.value });
}

export function learnParams(form: LearnForm): Parsed<Record<string, unknown>> {
  if (form.name.trim() === '') return problem('name: a controller needs a name');
  let networks: Record<string, unknown>;
  if (form.source === 'json') {
    const models = parseModelsText(form.models, 'network');
    if (!models.ok) return models;
    networks = { models: models.value };
  } else {
    const actionSetId = Number(form.actionSetId);
    if (!form.actionSetId || !Number.isInteger(actionSetId)) return problem('action set: choose the set to sample networks from');
    const count = int(form.count, 'networks to sample', 1, 50);
    if (!count.ok) return count;
    networks = { sample: { actionSetId, count: count.value } };
  }
  const training = trainingParams(form.training);
  if (!training.ok) return training;
  const episodes = int(form.episodes, 'episodes', 1, 100_000);
  if (!episodes.ok) return episodes;
  const seed = int(form.seed, 'seed', 0, 2 ** 31 - 1);
  if (!seed.ok) return seed;
  const min = int(form.trainFrequencyMin, 'update after at least', 2, 10_000);
  if (!min.ok) return min;
  const max = int(form.trainFrequencyMax, 'update after at most', 2, 10_000);
  if (!max.ok) return max;
  if (min.value > max.value) return problem(`update frequency: at least ${min.value} is above at most ${max.value}`);
  const parallel = int(form.parallelEpisodes, 'episodes at once', 1, MAX_PARALLEL_EPISODES);
  if (!parallel.ok) return parallel;
  const settings = { episodes: episodes.value, seed: seed.value, trainFrequencyMin: min.value, trainFrequencyMax: max.value, parallelEpisodes: parallel.value };
  return ok({ name: form.name.trim(), ...networks, training: training.value, settings });
}

/** A small network for the forms' first text: two dense layers, good on any dataset. */
export const EXAMPLE_ARCHITECTURE = JSON.stringify(
  {
    name: 'mlp 128-64',
    layers: [
      { type: 'flatten' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dropout', rate: 0.1 },
      { type: 'dense', units: 64, activation: 'relu' },
    ],
  },
  null,
  2,
);
