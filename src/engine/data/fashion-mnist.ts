/** Fashion-MNIST from IDX files, as Debian's dataset-fashion-mnist package installs them. */
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readIdxImages, readIdxLabels, type IdxImages, type IdxLabels } from './idx';
import { DatasetError, type Dataset, type Split } from './types';

export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const SIDE = 28;
const HINT = `provided by the Debian package ${FASHION_MNIST_PACKAGE} (apt-get install ${FASHION_MNIST_PACKAGE})`;

export async function loadFashionMnist(dir: string = DEFAULT_FASHION_MNIST_DIR): Promise<Dataset> {
  const root = resolve(dir);
  await checkDirectory(root);
  const [trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile] = await Promise.all([
    findFile(root, 'train-images-idx3-ubyte'),
    findFile(root, 'train-labels-idx1-ubyte'),
    findFile(root, 't10k-images-idx3-ubyte'),
    findFile(root, 't10k-labels-idx1-ubyte'),
  ]);
  // All four in parallel: gunzip is the bulk of the time and runs on the thread pool.
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdxImages(trainImagesFile),
    readIdxLabels(trainLabelsFile),
    readIdxImages(testImagesFile),
    readIdxLabels(testLabelsFile),
  ]);
  return {
    name: 'fashion-mnist',
    inputShape: [SIDE, SIDE, 1],
    numClasses: FASHION_MNIST_CLASSES.length,
    classNames: [...FASHION_MNIST_CLASSES],
    source: root,
    train: toSplit(trainImages, trainImagesFile, trainLabels, trainLabelsFile),
    test: toSplit(testImages, testImagesFile, testLabels, testLabelsFile),
  };
}

async function checkDirectory(root: string): Promise<void> {
  try {
    const info = await stat(root);
    if (!info.isDirectory()) throw new DatasetError(root, `not a directory; Fashion-MNIST is ${HINT}`);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(root, `directory not found; Fashion-MNIST is ${HINT}`);
  }
}

/** Prefers the .gz name (what Debian ships), falls back to the uncompressed one. */
async function findFile(root: string, base: string): Promise<string> {
  const candidates = [join(root, `${base}.gz`), join(root, base)];
  for (const file of candidates) {
    try {
      await access(file);
      return file;
    } catch {
      // try the next name
    }
  }
  throw new DatasetError(candidates[0], `not found (nor ${candidates[1]}); ${HINT}`);
}

/** Fashion-MNIST pixel values, precomputed: a table lookup beats a division per pixel. */
const SCALE = new Float32Array(256).map((_, i) => i / 255);

function toSplit(images: IdxImages, imagesFile: string, labels: IdxLabels, labelsFile: string): Split {
  if (images.rows !== SIDE || images.cols !== SIDE) {
    throw new DatasetError(imagesFile, `expected ${SIDE}×${SIDE} images, found ${images.rows}×${images.cols}`);
  }
  if (images.count !== labels.count) {
    throw new DatasetError(
      labelsFile,
      `has ${labels.count} labels but ${imagesFile} has ${images.count} images`,
    );
  }
  const y = Uint8Array.from(labels.labels);
  for (let i = 0; i < y.length; i++) {
    if (y[i] >= FASHION_MNIST_CLASSES.length) {
      throw new DatasetError(labelsFile, `label ${y[i]} at index ${i} is out of range 0…${FASHION_MNIST_CLASSES.length - 1}`);
    }
  }
  const src = images.pixels;
  const x = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) x[i] = SCALE[src[i]];
  return { x, y, count: images.count };
}
