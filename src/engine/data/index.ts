/** Datasets for the engine: loaders, preparation (subset + validation split) and the shared types. */
import { checkCifar10, loadCifar10 } from './cifar10';
import { checkFashionMnist, loadFashionMnist } from './fashion-mnist';
import { makeSyntheticDataset } from './synthetic';
import { DatasetError, type Dataset, type DatasetName } from './types';

export type DatasetSpec =
  | { name: 'fashion-mnist'; dir?: string }
  | { name: 'cifar10'; dir: string }
  | { name: 'synthetic'; trainSamples?: number; testSamples?: number; seed?: number };

/** The dataset a run config names (`train` and `search` share it). */
export function datasetSpecOf(config: { dataset: DatasetName; dataDir?: string; seed: number }): DatasetSpec {
  if (config.dataset === 'cifar10') {
    if (!config.dataDir) throw new DatasetError('(no data directory)', 'the cifar10 dataset needs a data directory');
    return { name: 'cifar10', dir: config.dataDir };
  }
  if (config.dataset === 'fashion-mnist') return { name: 'fashion-mnist', dir: config.dataDir };
  return { name: 'synthetic', seed: config.seed };
}

export async function loadDataset(spec: DatasetSpec): Promise<Dataset> {
  switch (spec.name) {
    case 'fashion-mnist':
      return loadFashionMnist(spec.dir);
    case 'cifar10':
      return loadCifar10(spec.dir);
    case 'synthetic':
      return makeSyntheticDataset({ trainSamples: spec.trainSamples, testSamples: spec.testSamples, seed: spec.seed });
    default: {
      // Specs may come from JSON (CLI, IPC): name the bad value instead of returning undefined.
      const unknown: never = spec;
      throw new Error(`unknown dataset ${JSON.stringify((unknown as { name?: unknown }).name)}`);
    }
  }
}

/** Checks a dataset's files without loading them (headers and sizes); throws the DatasetError loading would. */
export async function checkDatasetFiles(spec: DatasetSpec): Promise<void> {
  if (spec.name === 'fashion-mnist') await checkFashionMnist(spec.dir);
  else if (spec.name === 'cifar10') await checkCifar10(spec.dir);
}

export { DatasetError };
export type { Dataset, DatasetName, ImageShape, PreparedData, PrepareOptions, Split } from './types';
export { DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, FASHION_MNIST_PACKAGE, loadFashionMnist } from './fashion-mnist';
export { CIFAR10_CLASSES, loadCifar10, parseCifar10Batch } from './cifar10';
export { SYNTHETIC_DEFAULTS, makeSyntheticDataset, syntheticTemplates, type SyntheticOptions } from './synthetic';
export { DEFAULT_VALIDATION_FRACTION, datasetFingerprint, prepareData } from './prepare';
export {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  parseIdxImages,
  parseIdxLabels,
  readIdxImages,
  readIdxLabels,
  type IdxImages,
  type IdxLabels,
} from './idx';
