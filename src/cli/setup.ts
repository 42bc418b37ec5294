/** Steps every training command starts with: the backend, then the data. */
import type { BackendChoice, BackendReport } from '../shared/backend';
import { initBackend } from '../engine/backends';
import { DatasetError, loadDataset, prepareData, type DatasetSpec } from '../engine/data';
import type { PreparedData } from '../engine/data/types';
import { CliError } from './errors';
import type { Output } from './output';

export const DATASET_NAMES = ['fashion-mnist', 'cifar10', 'synthetic'] as const;

export async function startBackend(choice: BackendChoice, output: Output): Promise<BackendReport> {
  const backend = await initBackend(choice).catch((error: Error) => {
    throw new CliError(error.message, 'run `npm run -s cli -- backends` to see what loads here', 1);
  });
  output.event('backend', { name: backend.name, device: backend.device });
  output.line(`backend  ${backend.name}: ${backend.device}`);
  return backend;
}

export interface DataOptions {
  dataset: (typeof DATASET_NAMES)[number];
  dataDir?: string;
  subset?: number;
  seed: number;
}

export async function loadPreparedData(options: DataOptions): Promise<PreparedData> {
  let spec: DatasetSpec;
  if (options.dataset === 'cifar10') {
    if (!options.dataDir) {
      throw new CliError('--dataset cifar10 needs --data-dir', 'point it at the directory with data_batch_1.bin … test_batch.bin');
    }
    spec = { name: 'cifar10', dir: options.dataDir };
  } else if (options.dataset === 'fashion-mnist') {
    spec = { name: 'fashion-mnist', dir: options.dataDir };
  } else {
    spec = { name: 'synthetic', seed: options.seed };
  }
  try {
    const dataset = await loadDataset(spec);
    return prepareData(dataset, { subset: options.subset, seed: options.seed });
  } catch (error) {
    if (error instanceof DatasetError) {
      throw new CliError(error.message, 'check --dataset and --data-dir (see README.md, Datasets)', 1);
    }
    if (error instanceof RangeError) throw new CliError(error.message, 'check --subset');
    throw error;
  }
}

