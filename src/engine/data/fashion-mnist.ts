/** Fashion-MNIST from IDX files, as Debian's dataset-fashion-mnist package installs them. */
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readIdxHeader, readIdxImages, readIdxLabels, type IdxImages, type IdxLabels } from './idx';
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

interface FashionMnistFiles {
  root: string;
  trainImagesFile: string;
  trainLabelsFile: string;
  testImagesFile: string;
  testLabelsFile: string;
}

/** The directory and its four files (each .gz or not), or a DatasetError naming what is missing. */
async function locateFashionMnist(dir: string): Promise<FashionMnistFiles> {
  const root = resolve(dir);
  await checkDirectory(root);
  const [trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile] = await Promise.all([
    findFile(root, 'train-images-idx3-ubyte'),
    findFile(root, 'train-labels-idx1-ubyte'),
    findFile(root, 't10k-images-idx3-ubyte'),
    findFile(root, 't10k-labels-idx1-ubyte'),
  ]);
  return { root, trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile };
}

/**
 * Whether `dir` holds Fashion-MNIST, from the four files' headers only (a fraction of a second):
 * what a launch checks before any run exists. Throws the DatasetError the loader would.
 */
export async function checkFashionMnist(dir: string = DEFAULT_FASHION_MNIST_DIR): Promise<void> {
  const files = await locateFashionMnist(dir);
  const pairs = [
    [files.trainImagesFile, files.trainLabelsFile],
    [files.testImagesFile, files.testLabelsFile],
  ] as const;
  for (const [imagesFile, labelsFile] of pairs) {
    const [images, labels] = await Promise.all([readIdxHeader(imagesFile, 'images'), readIdxHeader(labelsFile, 'labels')]);
    checkImageSize(images.rows ?? 0, images.cols ?? 0, imagesFile);
    checkCounts(images.count, imagesFile, labels.count, labelsFile);
  }
}

export async function loadFashionMnist(dir: string = DEFAULT_FASHION_MNIST_DIR): Promise<Dataset> {
  const { root, trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile } = await locateFashionMnist(dir);
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

function checkImageSize(rows: number, cols: number, imagesFile: string): void {
  if (rows !== SIDE || cols !== SIDE) throw new DatasetError(imagesFile, `expected ${SIDE}×${SIDE} images, found ${rows}×${cols}`);
}

function checkCounts(images: number, imagesFile: string, labels: number, labelsFile: string): void {
  if (images !== labels) throw new DatasetError(labelsFile, `has ${labels} labels but ${imagesFile} has ${images} images`);
}

/** Fashion-MNIST pixel values, precomputed: a table lookup beats a division per pixel. */
const SCALE = new Float32Array(256).map((_, i) => i / 255);

function toSplit(images: IdxImages, imagesFile: string, labels: IdxLabels, labelsFile: string): Split {
  checkImageSize(images.rows, images.cols, imagesFile);
  checkCounts(images.count, imagesFile, labels.count, labelsFile);
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
