/**
 * The options `train` and `search` share, and the training config they make. TensorFlow-free (every
 * command's registration loads this); the backend and the data are engine-setup.ts.
 */
import { Option, type Command } from 'commander';
import { DATASET_NAMES } from '../shared/run-config';
import { BACKEND_NAMES, type BackendChoice } from '../shared/backend';
import { OPTIMIZERS, TrainingConfigSchema, type OptimizerName, type TrainingConfig, type TrainingConfigInput } from '../shared/training';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './options';


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
