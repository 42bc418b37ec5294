/** What `train` does before training: its input checked, then the backend, then the data. Loads TensorFlow.js. */
import type { Architecture } from '../shared/architecture';
import { ArchitectureError } from '../shared/architecture';
import type { BackendChoice, BackendReport } from '../shared/backend';
import { configInput, runConfigProblems, subsetProblem } from '../shared/run-config';
import { inferShapes } from '../shared/shapes';
import { initBackend } from '../engine/backends';
import { checkDatasetFiles, datasetSpecOf, DatasetError } from '../engine/data';
import type { PreparedData } from '../engine/data/types';
import { loadData } from '../engine/run/run-data';
import { CliError, EXIT } from './errors';
import type { Output } from './output';
import { CIFAR_DATA_DIR_HINT, dataOptionName, type DataOptions } from './setup';

export async function startBackend(choice: BackendChoice, output: Output): Promise<BackendReport> {
  const backend = await initBackend(choice).catch((error: Error) => {
    throw new CliError(error.message, 'run `npm run -s cli -- backends` to see what loads here', EXIT.failed);
  });
  output.event('backend', { name: backend.name, device: backend.device });
  output.line(`backend  ${backend.name}: ${backend.device}`);
  return backend;
}

/**
 * What can be known wrong before any backend loads, by the rules a search's launch checks use: no
 * data directory for CIFAR-10, a subset smaller than the classes, missing or malformed data files
 * (a folder's unreadable images), and a network that does not fit the dataset's input (its shapes).
 * Exit 2, nothing trained.
 */
export async function checkTrainInput(options: DataOptions, architecture: Architecture): Promise<void> {
  if (options.dataset === 'cifar10' && !options.dataDir) throw new CliError('--dataset cifar10 needs --data-dir', CIFAR_DATA_DIR_HINT);
  const subset = runConfigProblems({ evaluator: 'training', dataset: options.dataset, subset: options.subset }).find((p) => p.field === 'subset');
  if (subset) throw new CliError(`--subset: ${subset.message}`);
  let numClasses: number;
  try {
    ({ numClasses } = await checkDatasetFiles(datasetSpecOf(options)));
  } catch (error) {
    if (error instanceof DatasetError) throw new CliError(`${dataOptionName(options)}: ${error.message}`, 'check --dataset and --data-dir (see README.md, Datasets)');
    throw error;
  }
  const tooSmall = options.subset !== undefined && subsetProblem(options.subset, numClasses, options.dataDir ?? options.dataset);
  if (tooSmall) throw new CliError(`--subset: ${tooSmall}`);
  const input = configInput(options)!;
  try {
    inferShapes(architecture, input.inputShape, numClasses);
  } catch (error) {
    if (error instanceof ArchitectureError) throw new CliError(`${error.message} (input ${input.inputShape.join('×')})`, 'change or remove that layer');
    throw error;
  }
}

export async function loadPreparedData(options: DataOptions): Promise<PreparedData> {
  try {
    return await loadData(options);
  } catch (error) {
    if (error instanceof DatasetError) {
      throw new CliError(error.message, 'check --dataset and --data-dir (see README.md, Datasets)');
    }
    if (error instanceof RangeError) throw new CliError(error.message, 'check --subset');
    throw error;
  }
}

