/**
 * The options `train` and `search` share, and the training config they make. TensorFlow-free (every
 * command's registration loads this); the backend and the data are engine-setup.ts.
 */
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_FOLDER_IMAGE, type DatasetName, type FolderImage } from '../shared/run-config';
import { BACKEND_NAMES, type BackendChoice } from '../shared/backend';
import { OPTIMIZERS, TrainingConfigSchema, type OptimizerName, type TrainingConfig, type TrainingConfigInput } from '../shared/training';
import { CliError } from './errors';
import { datasetArgument, FOLDER_PREFIX, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './options';

/** The data a command trains on, as the run config names it. */
export interface DataOptions {
  dataset: DatasetName;
  dataDir?: string;
  /** A folder dataset's decoding. */
  image?: FolderImage;
  subset?: number;
  seed: number;
}

/** The data options as typed: `--dataset` may be `folder:PATH`, with `--image-size` and `--channels`. */
export interface DataArguments {
  dataset: string;
  dataDir?: string;
  imageSize?: number;
  channels?: '1' | '3';
  subset?: number;
  seed: number;
}

export interface TrainingOptions extends DataArguments {
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  weightDecay: number;
  selectiveBackprop?: number;
  selectiveBackpropStale: number;
  backend: BackendChoice;
  json?: boolean;
}

/** The dataset, training and backend options of `train` and `search`. */
export function withTrainingOptions(command: Command, defaults: { epochs: number }): Command {
  return command
    .option('--dataset <name>', 'dataset to train on: fashion-mnist, cifar10, synthetic, or folder:PATH (your images, one subfolder per class)', datasetArgument, 'fashion-mnist')
    .option('--data-dir <dir>', 'directory holding the dataset files (required for cifar10)')
    .option('--image-size <px>', `with --dataset folder:PATH: resize the images to px × px (default ${DEFAULT_FOLDER_IMAGE.size})`, positiveInt)
    .addOption(new Option('--channels <n>', `with --dataset folder:PATH: 1 (grayscale) or 3 (RGB) (default ${DEFAULT_FOLDER_IMAGE.channels})`).choices(['1', '3']))
    .option('--epochs <n>', 'training epochs', positiveInt, defaults.epochs)
    .option('--subset <n>', 'train on at most n samples of the training set', positiveInt)
    .option('--batch-size <n>', 'batch size', positiveInt, 64)
    .option('--lr <x>', 'learning rate', positiveNumber, 1e-3)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('adam'))
    .option('--weight-decay <x>', 'L2 weight decay on kernels', nonNegativeNumber, 0)
    .option('--selective-backprop <beta>', 'backpropagate each sample with probability CDF(loss)^beta (about 1/(beta + 1) of them)', nonNegativeNumber)
    .option('--selective-backprop-stale <n>', 'with --selective-backprop: forward every sample only every n-th epoch', positiveInt, 1)
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
    ...(options.selectiveBackprop === undefined ? {} : { selectiveBackprop: { beta: options.selectiveBackprop, staleEpochs: options.selectiveBackpropStale } }),
  };
}

export function trainingConfigFrom(options: TrainingOptions): TrainingConfig {
  return TrainingConfigSchema.parse(trainingFields(options));
}

/** The dataset, its directory and a folder's decoding, from the options; conflicting options are refused (exit 2). */
export function dataOptionsOf(options: DataArguments): DataOptions {
  const { subset, seed } = options;
  if (!options.dataset.startsWith(FOLDER_PREFIX)) {
    if (options.imageSize !== undefined || options.channels !== undefined) {
      throw new CliError(`--${options.imageSize === undefined ? 'channels' : 'image-size'}: applies to --dataset folder:PATH only`, `${options.dataset} has its own image size`);
    }
    return { dataset: options.dataset as DatasetName, dataDir: options.dataDir, subset, seed };
  }
  if (options.dataDir !== undefined) throw new CliError('--data-dir: a folder dataset names its folder in --dataset folder:PATH', 'leave out --data-dir');
  const image: FolderImage = {
    size: options.imageSize ?? DEFAULT_FOLDER_IMAGE.size,
    channels: options.channels === undefined ? DEFAULT_FOLDER_IMAGE.channels : options.channels === '1' ? 1 : 3,
  };
  // Absolute, so the run (and its workers) find the folder wherever they start.
  return { dataset: 'folder', dataDir: resolve(options.dataset.slice(FOLDER_PREFIX.length)), image, subset, seed };
}

/** The option that names the dataset's files: `--dataset` for a folder (folder:PATH), `--data-dir` otherwise. */
export function dataOptionName(options: Pick<DataOptions, 'dataset' | 'dataDir'>): string {
  if (options.dataset === 'folder') return '--dataset';
  return options.dataDir ? '--data-dir' : '--data-dir (default)';
}

export const CIFAR_DATA_DIR_HINT = 'point it at the directory with data_batch_1.bin … test_batch.bin';
