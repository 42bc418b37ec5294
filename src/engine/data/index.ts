/** Datasets for the engine: loaders, preparation (subset + validation split) and the shared types. */
import { loadCifar10 } from './cifar10';
import { loadFashionMnist } from './fashion-mnist';
import { makeSyntheticDataset } from './synthetic';
import type { Dataset } from './types';

export type DatasetSpec =
  | { name: 'fashion-mnist'; dir?: string }
  | { name: 'cifar10'; dir: string }
  | { name: 'synthetic'; trainSamples?: number; testSamples?: number; seed?: number };

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

export { DatasetError } from './types';
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
