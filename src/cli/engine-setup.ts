/** What `train` does before training: the backend, then the data. Loads TensorFlow.js. */
import type { BackendChoice, BackendReport } from '../shared/backend';
import { initBackend } from '../engine/backends';
import { DatasetError } from '../engine/data';
import type { PreparedData } from '../engine/data/types';
import { loadData } from '../engine/run/prepare-run';
import { CliError, EXIT } from './errors';
import type { Output } from './output';
import { CIFAR_DATA_DIR_HINT, type DataOptions } from './setup';

export async function startBackend(choice: BackendChoice, output: Output): Promise<BackendReport> {
  const backend = await initBackend(choice).catch((error: Error) => {
    throw new CliError(error.message, 'run `npm run -s cli -- backends` to see what loads here', EXIT.failed);
  });
  output.event('backend', { name: backend.name, device: backend.device });
  output.line(`backend  ${backend.name}: ${backend.device}`);
  return backend;
}

/** CIFAR-10 has no default location: say so before anything starts. */
function requireDataDir(options: Pick<DataOptions, 'dataset' | 'dataDir'>): void {
  if (options.dataset === 'cifar10' && !options.dataDir) throw new CliError('--dataset cifar10 needs --data-dir', CIFAR_DATA_DIR_HINT);
}

export async function loadPreparedData(options: DataOptions): Promise<PreparedData> {
  requireDataDir(options);
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
