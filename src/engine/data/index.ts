/** Datasets for the engine: loaders, preparation (subset + validation split) and the shared types. */
import { folderImage, type FolderImage } from '../../shared/run-config';
import { CIFAR10_CLASSES, checkCifar10, loadCifar10 } from './cifar10';
import { checkFashionMnist, FASHION_MNIST_CLASSES, loadFashionMnist } from './fashion-mnist';
import { checkImageFolder, loadImageFolder } from './folder';
import { makeSyntheticDataset, SYNTHETIC_DEFAULTS } from './synthetic';
import { DatasetError, type Dataset, type DatasetName } from './types';

export type DatasetSpec =
  | { name: 'fashion-mnist'; dir?: string }
  | { name: 'cifar10'; dir: string }
  | { name: 'synthetic'; trainSamples?: number; testSamples?: number; seed?: number }
  | { name: 'folder'; dir: string; image: FolderImage; cacheDir?: string };

/** The dataset a run config names (`train` and `search` share it). */
export function datasetSpecOf(config: { dataset: DatasetName; dataDir?: string; image?: FolderImage; seed: number }): DatasetSpec {
  if (config.dataset === 'cifar10' || config.dataset === 'folder') {
    if (!config.dataDir) throw new DatasetError('(no data directory)', `the ${config.dataset} dataset needs a data directory`);
    return config.dataset === 'cifar10' ? { name: 'cifar10', dir: config.dataDir } : { name: 'folder', dir: config.dataDir, image: folderImage(config) };
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
    case 'folder':
      return (await loadImageFolder(spec)).dataset;
    default: {
      // Specs may come from JSON (CLI, IPC): name the bad value instead of returning undefined.
      const unknown: never = spec;
      throw new Error(`unknown dataset ${JSON.stringify((unknown as { name?: unknown }).name)}`);
    }
  }
}

/**
 * Checks a dataset's files and says how many classes it has; throws the DatasetError loading would.
 * Built-in datasets are checked by their headers and sizes; a folder is decoded (into its cache,
 * so the run then finds it there), since only decoding finds an unreadable image.
 */
export async function checkDatasetFiles(spec: DatasetSpec): Promise<{ numClasses: number }> {
  switch (spec.name) {
    case 'fashion-mnist':
      await checkFashionMnist(spec.dir);
      return { numClasses: FASHION_MNIST_CLASSES.length };
    case 'cifar10':
      await checkCifar10(spec.dir);
      return { numClasses: CIFAR10_CLASSES.length };
    case 'synthetic':
      return { numClasses: SYNTHETIC_DEFAULTS.numClasses };
    case 'folder':
      return checkImageFolder(spec);
  }
}

export { DatasetError };
export type { Dataset, DatasetName, ImageShape, PreparedData, PrepareOptions, Split } from './types';
export { DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, FASHION_MNIST_PACKAGE, loadFashionMnist } from './fashion-mnist';
export { CIFAR10_CLASSES, loadCifar10, parseCifar10Batch } from './cifar10';
export { SYNTHETIC_DEFAULTS, makeSyntheticDataset, syntheticTemplates, type SyntheticOptions } from './synthetic';
export { FOLDER_LAYOUT, loadImageFolder, scanImageFolder, UnreadableImagesError } from './folder';
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
