/**
 * From what the Tune view sends to a TuningTask the engine can train: the network (layers the page
 * holds, or a past run's candidate looked up in the history), with its dataset's files, subset and
 * the network's shapes checked first, so a bad request is refused with what and where before any
 * controller or session is recorded. File system only: no TensorFlow in main.
 */
import { ArchitectureError, parseArchitecture } from '../../shared/architecture';
import { configInput, subsetProblem } from '../../shared/run-config';
import { inferShapes } from '../../shared/shapes';
import { TuningTaskSchema, type TuningTask } from '../../shared/tuning';
import type { TuneModel, TuneSample, TuneTraining } from '../../shared/tuning-api';
import { checkDatasetFiles, datasetSpecOf, DatasetError } from '../../engine/data';
import { dataDirFix } from '../../engine/run/launch-checks';
// TensorFlow-free modules of the tuning engine (its index loads TensorFlow.js).
import { architectureDropout } from '../../engine/tuning/hyperparameters';
import { sampleTasks } from '../../engine/tuning/tasks';
import type { HistoryStore } from '../db/history-store';

export class TuneRequestError extends Error {
  override name = 'TuneRequestError';
}

/** The network a request names, with a label for lists and charts. */
export function resolveTuneModel(store: HistoryStore, model: TuneModel, where = 'model'): { name: string; layers: TuningTask['layers'] } {
  if (model.kind === 'layers') return { name: model.name, layers: model.layers };
  const candidate = store.getCandidate(model.runId, model.index);
  const run = store.getRun(model.runId);
  if (!candidate || !run) throw new TuneRequestError(`${where}: run ${model.runId.slice(0, 8)} has no candidate ${model.index}`);
  let layers: TuningTask['layers'];
  try {
    layers = parseArchitecture(candidate.architecture).layers;
  } catch (error) {
    if (error instanceof ArchitectureError) throw new TuneRequestError(`${where}: candidate ${model.index} of run ${model.runId.slice(0, 8)} is not a network of layers (a NAS-Bench-201 cell cannot be trained here)`);
    throw error;
  }
  if (layers.length === 0) throw new TuneRequestError(`${where}: candidate ${model.index} of run ${model.runId.slice(0, 8)} has no layers`);
  return { name: `${run.name ?? run.id.slice(0, 8)} #${model.index}`, layers };
}

/**
 * The tasks of a request, each checked against its dataset (files, subset, the network's shapes). Each
 * network starts at its own dropout (its first Dropout layer's rate), as the CLI's tasks do.
 */
export async function tuneTasks(store: HistoryStore, models: TuneModel[], training: TuneTraining): Promise<TuningTask[]> {
  const networks = models.map((model, i) => resolveTuneModel(store, model, models.length > 1 ? `model ${i + 1}` : 'model'));
  return checkedTasks(networks, training);
}

/** `count` networks sampled from a saved action set with the search's grammar (the tasks' names: "<set> #i"). */
export async function sampledTuneTasks(store: HistoryStore, sample: TuneSample, training: TuneTraining, seed: number): Promise<TuningTask[]> {
  const set = store.getActionSet(sample.actionSetId);
  if (!set) throw new TuneRequestError(`sample: there is no action set ${sample.actionSetId} (it may have been deleted)`);
  const input = configInput(training)!;
  let tasks: TuningTask[];
  try {
    tasks = sampleTasks({ actionSet: set.spec, count: sample.count, ...training, seed, inputShape: input.inputShape, namePrefix: set.name });
  } catch (error) {
    throw new TuneRequestError(`sample: action set "${set.name}" on ${input.label} input ${input.inputShape.join('×')}: ${(error as Error).message}`);
  }
  return checkedTasks(tasks, training);
}

async function checkedTasks(networks: ReadonlyArray<{ name: string; layers: TuningTask['layers'] }>, training: TuneTraining): Promise<TuningTask[]> {
  let numClasses: number;
  try {
    ({ numClasses } = await checkDatasetFiles(datasetSpecOf({ ...training, seed: 0 })));
  } catch (error) {
    // The dataset's error names the directory and what is wrong with it; for a folder, how one is laid out.
    if (error instanceof DatasetError) throw new TuneRequestError(`dataset ${training.dataset}: ${error.message}${training.dataset === 'folder' ? ` (${dataDirFix('folder')})` : ''}`);
    throw error;
  }
  const tooSmall = training.subset !== undefined && subsetProblem(training.subset, numClasses, training.dataDir ?? training.dataset);
  if (tooSmall) throw new TuneRequestError(`subset: ${tooSmall}`);
  const input = configInput(training)!;
  return networks.map((network) => {
    try {
      inferShapes({ layers: network.layers }, input.inputShape, numClasses);
    } catch (error) {
      if (error instanceof ArchitectureError) throw new TuneRequestError(`${network.name}: ${error.message} (input ${input.inputShape.join('×')})`);
      throw error;
    }
    return TuningTaskSchema.parse({ ...training, name: network.name, layers: network.layers, initial: { ...training.initial, dropout: architectureDropout(network.layers) } });
  });
}
