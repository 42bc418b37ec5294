/**
 * The checks a run passes before it exists, in one place for the launcher (through the API) and
 * the CLI: what RunConfigSchema cannot know without the file system. RunConfigSchema has already
 * refused what the config alone shows (an action set that allows no network for the dataset's
 * input, a subset smaller than the number of classes…); here the dataset's files and the
 * NAS-Bench-201 tables are looked at, and the Redis a run queues its candidates on is asked for a
 * PING. A refused launch records no run.
 *
 * A folder dataset is decoded here (with sharp, into its cache): only decoding finds an unreadable
 * image, and the run then reads the folder from the cache.
 *
 * File system and sharp only: the main process calls this and must not load TensorFlow.js.
 */
import { CIFAR10_SUBDIR, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES } from '../data/cifar10';
import { checkDatasetFiles, datasetSpecOf, DatasetError, FOLDER_LAYOUT } from '../data';
import { DEFAULT_FASHION_MNIST_DIR } from '../data/fashion-mnist';
import { loadNb201, NB201_DIR_ENV, NB201_FILES, Nb201DataError } from '../evaluators/nb201';
import { subsetProblem, type LaunchProblem, type RunConfig } from '../../shared/run-config';
import { redisProblem } from '../pool/redis-queue';

const REDIS_FIX = 'start redis-server there (reachable from this machine), or check the URL: host, port, password, rediss:// for TLS';

const DATA_DIR_FIX: Record<RunConfig['dataset'], string> = {
  'fashion-mnist': `give a directory with train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz), or none for ${DEFAULT_FASHION_MNIST_DIR}`,
  cifar10: `give the directory of the CIFAR-10 binary version (${CIFAR10_TRAIN_FILES[0]} … ${CIFAR10_TEST_FILE}, or its ${CIFAR10_SUBDIR}/)`,
  synthetic: 'the synthetic dataset needs no directory',
  folder: `give ${FOLDER_LAYOUT} (at least two), every image readable`,
};
/** How to fix a dataset's directory the checks refused. */
export function dataDirFix(dataset: RunConfig['dataset']): string {
  return DATA_DIR_FIX[dataset];
}

const NB201_DIR_FIX = `give the directory with ${NB201_FILES.short} and ${NB201_FILES.final}, or none for the bundled tables (or set ${NB201_DIR_ENV})`;

/** Every reason the run cannot start, each naming its field and the fix; empty when it can. */
export async function launchProblems(config: RunConfig): Promise<LaunchProblem[]> {
  if (config.evaluator === 'nb201') {
    try {
      // Parsed and validated in full (a tenth of a second), and kept for the next launch.
      loadNb201(config.nb201Dir);
      return [];
    } catch (error) {
      if (error instanceof Nb201DataError) return [{ field: 'nb201Dir', message: error.message, fix: NB201_DIR_FIX }];
      throw error;
    }
  }
  const problems: LaunchProblem[] = [];
  try {
    const { numClasses } = await checkDatasetFiles(datasetSpecOf(config));
    // The schema has checked a built-in dataset's subset; a folder's classes are known only now.
    const tooSmall = config.subset !== undefined && subsetProblem(config.subset, numClasses, config.dataDir ?? config.dataset);
    if (tooSmall) problems.push({ field: 'subset', message: tooSmall, fix: `use a subset of at least ${numClasses} images, or none for all of them` });
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    problems.push({ field: 'dataDir', message: error.message, fix: dataDirFix(config.dataset) });
  }
  const redis = config.redis && (await redisProblem(config.redis.url));
  if (redis) problems.push({ field: 'redis', message: redis, fix: REDIS_FIX });
  return problems;
}
