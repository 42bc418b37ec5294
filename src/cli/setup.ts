/** What every training command shares: its options, then the backend, then the data. */
import { Option, type Command } from 'commander';
import { DATASET_NAMES } from '../shared/run-config';
import { BACKEND_NAMES, type BackendChoice, type BackendReport } from '../shared/backend';
import { OPTIMIZERS, TrainingConfigSchema, type OptimizerName, type TrainingConfig, type TrainingConfigInput } from '../shared/training';
import { initBackend } from '../engine/backends';
import { DatasetError } from '../engine/data';
import { loadData } from '../engine/run/prepare-run';
import type { PreparedData } from '../engine/data/types';
import { CliError } from './errors';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './options';
import type { Output } from './output';


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

export interface TrainingOptions extends DataOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  weightDecay: number;
  backend: BackendChoice;
  json?: boolean;
}

/** The dataset, training and backend options of `train` and `search`. */
export function withTrainingOptions(command: Command, defaults: { epochs: number }): Command {
  return command
    .addOption(new Option('--dataset <name>', 'dataset to train on').choices(DATASET_NAMES).default('fashion-mnist'))
    .option('--data-dir <dir>', 'directory holding the dataset files (required for cifar10)')
    .option('--epochs <n>', 'training epochs', positiveInt, defaults.epochs)
    .option('--subset <n>', 'train on at most n samples of the training set', positiveInt)
    .option('--batch-size <n>', 'batch size', positiveInt, 64)
    .option('--lr <x>', 'learning rate', positiveNumber, 1e-3)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('adam'))
    .option('--weight-decay <x>', 'L2 weight decay on kernels', nonNegativeNumber, 0)
    .option('--seed <n>', 'seed of the data split, initial weights, batch order and search strategy', nonNegativeInt, 0)
    .addOption(
      new Option('--backend <name>', 'tfjs backend (or env GENNERATOR_BACKEND)')
        .choices(['auto', ...BACKEND_NAMES])
        .default(process.env.GENNERATOR_BACKEND ?? 'auto'),
    )
    .option('--json', 'one JSON object per line; the last is the summary');
}

/** The training options as config fields, unparsed (`search` parses them within its run config). */
export function trainingFields(options: TrainingOptions): TrainingConfigInput {
  return {
    epochs: options.epochs,
    batchSize: options.batchSize,
    optimizer: options.optimizer,
    learningRate: options.lr,
    weightDecay: options.weightDecay,
    seed: options.seed,
  };
}

export function trainingConfigFrom(options: TrainingOptions): TrainingConfig {
  return TrainingConfigSchema.parse(trainingFields(options));
}

export const CIFAR_DATA_DIR_HINT = 'point it at the directory with data_batch_1.bin … test_batch.bin';

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
      throw new CliError(error.message, 'check --dataset and --data-dir (see README.md, Datasets)', 1);
    }
    if (error instanceof RangeError) throw new CliError(error.message, 'check --subset');
    throw error;
  }
}
