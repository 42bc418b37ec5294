import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  loadFashionMnist,
} from '../../../src/engine/data/fashion-mnist';
import { loadDataset } from '../../../src/engine/data/index';
import type { Dataset } from '../../../src/engine/data/types';
import { idxImages, idxLabels, withTempDir, datasetError } from './helpers';

// Deliberately not skipped when the data is absent: CI installs the package, and a silent skip
// would hide a broken loader.
describe('Fashion-MNIST (real data from the Debian package)', () => {
  let data: Dataset;
  beforeAll(async () => {
    if (!existsSync(DEFAULT_FASHION_MNIST_DIR)) {
      throw new Error(
        `${DEFAULT_FASHION_MNIST_DIR} is missing: install it with \`apt-get install dataset-fashion-mnist\``,
      );
    }
    data = await loadFashionMnist();
  });

  it('has the published counts, shape and class names', () => {
    expect(data.name).toBe('fashion-mnist');
    expect(data.inputShape).toEqual([28, 28, 1]);
    expect(data.numClasses).toBe(10);
    expect(data.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(data.classNames[0]).toBe('T-shirt/top');
    expect(data.classNames[9]).toBe('Ankle boot');
    expect(data.source).toBe(DEFAULT_FASHION_MNIST_DIR);
    expect(data.train.count).toBe(60000);
    expect(data.test.count).toBe(10000);
    expect(data.train.x.length).toBe(60000 * 784);
    expect(data.test.x.length).toBe(10000 * 784);
    expect(data.train.y.length).toBe(60000);
    expect(data.test.y.length).toBe(10000);
  });

  it('is balanced: 6000 train and 1000 test images per class', () => {
    const histogram = (y: Uint8Array): number[] => {
      const h = new Array<number>(10).fill(0);
      for (const label of y) h[label]++;
      return h;
    };
    expect(histogram(data.train.y)).toEqual(new Array(10).fill(6000));
    expect(histogram(data.test.y)).toEqual(new Array(10).fill(1000));
  });

  it('has pixels in [0, 1], using the whole range', () => {
    for (const x of [data.train.x, data.test.x]) {
      let min = Infinity;
      let max = -Infinity;
      for (const v of x) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
    }
  });

  it('loads through loadDataset too', async () => {
    const d = await loadDataset({ name: 'fashion-mnist' });
    expect(d.train.count).toBe(60000);
    expect(d.train.y).toEqual(data.train.y);
  });
});

describe('Fashion-MNIST loader on generated files', () => {
  const names = {
    trainImages: 'train-images-idx3-ubyte',
    trainLabels: 'train-labels-idx1-ubyte',
    testImages: 't10k-images-idx3-ubyte',
    testLabels: 't10k-labels-idx1-ubyte',
  };
  const pixel = (n: number, i: number): number => (i === 0 ? 255 : (n + i) % 256);

  async function writeSmall(dir: string, gz: boolean, trainLabels = [0, 9, 4]): Promise<void> {
    const put = (name: string, bytes: Buffer): Promise<void> =>
      writeFile(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
    await put(names.trainImages, idxImages(3, 28, 28, pixel));
    await put(names.trainLabels, idxLabels(trainLabels));
    await put(names.testImages, idxImages(2, 28, 28, pixel));
    await put(names.testLabels, idxLabels([5, 1]));
  }

  it.each([
    ['uncompressed', false],
    ['gzipped', true],
  ])('reads %s file names and scales pixels by 1/255', async (_kind, gz) => {
    await withTempDir(async (dir) => {
      await writeSmall(dir, gz);
      const d = await loadFashionMnist(dir);
      expect(d.train.count).toBe(3);
      expect(d.test.count).toBe(2);
      expect(Array.from(d.train.y)).toEqual([0, 9, 4]);
      expect(Array.from(d.test.y)).toEqual([5, 1]);
      expect(d.train.x[0]).toBe(1);
      expect(d.train.x[784 * 2 + 10]).toBe(Math.fround(12 / 255));
      expect(d.source).toBe(dir);
    });
  });

  it('rejects image and label counts that disagree', async () => {
    await withTempDir(async (dir) => {
      await writeSmall(dir, false, [0, 1]);
      const err = await datasetError(loadFashionMnist(dir));
      expect(err.file).toBe(join(dir, names.trainLabels));
      expect(err.problem).toMatch(/2 labels but .*train-images-idx3-ubyte has 3 images/);
    });
  });

  it('rejects labels outside 0…9', async () => {
    await withTempDir(async (dir) => {
      await writeSmall(dir, true, [0, 10, 1]);
      const err = await datasetError(loadFashionMnist(dir));
      expect(err.file).toBe(join(dir, `${names.trainLabels}.gz`));
      expect(err.problem).toMatch(/label 10 at index 1/);
    });
  });

  it('names a missing file and the package that provides it', async () => {
    await withTempDir(async (dir) => {
      await writeSmall(dir, true);
      await rm(join(dir, `${names.testLabels}.gz`));
      const err = await datasetError(loadFashionMnist(dir));
      expect(err.file).toBe(join(dir, `${names.testLabels}.gz`));
      expect(err.problem).toMatch(/not found/);
      expect(err.problem).toContain(join(dir, names.testLabels));
      expect(err.problem).toContain('dataset-fashion-mnist');
    });
  });

  it('names a missing directory and the package that provides it', async () => {
    await withTempDir(async (dir) => {
      const missing = join(dir, 'not-here');
      const err = await datasetError(loadFashionMnist(missing));
      expect(err.file).toBe(missing);
      expect(err.message).toContain(missing);
      expect(err.problem).toContain('apt-get install dataset-fashion-mnist');
    });
  });
});
