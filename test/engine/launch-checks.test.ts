/**
 * The checks a run passes before it is recorded (src/engine/run/launch-checks.ts), on files the
 * tests write: each refusal names its field, what is wrong and the fix; good files pass, and only
 * the headers and sizes are read.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readdir } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { launchProblems } from '../../src/engine/run/launch-checks';
import { NB201_HEADER } from '../../src/engine/evaluators/nb201';
import { parseRunConfig, type RunConfigInput } from '../../src/shared/run-config';
import { writeImageFolder } from '../support/image-folder';
import { nb201DataDir } from '../support/nb201';
import { cifarRecord, idxImages, idxLabels, withTempDir } from './data/helpers';

const mlp = { name: 'mlp', nodes: [{ id: 'd', layer: { type: 'dense', units: 8 } }] };
const training = (overrides: Partial<RunConfigInput>) => parseRunConfig({ evaluator: 'training', strategy: 'random', budget: 2, seed: 0, actionSet: mlp, ...overrides });
const nb201 = (nb201Dir?: string) => parseRunConfig({ evaluator: 'nb201', strategy: 'random', budget: 2, seed: 0, ...(nb201Dir ? { nb201Dir } : {}) });

/** A Fashion-MNIST directory of a few images (only the headers are ever read by the checks). */
async function writeFashion(dir: string, options: { trainLabels?: number; side?: number; truncated?: boolean } = {}): Promise<void> {
  const side = options.side ?? 28;
  const images = idxImages(3, side, side, () => 1);
  await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), options.truncated ? gzipSync(images).subarray(0, 8) : gzipSync(images));
  await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabels(Array.from({ length: options.trainLabels ?? 3 }, () => 1))));
  await writeFile(join(dir, 't10k-images-idx3-ubyte'), idxImages(2, side, side, () => 1));
  await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idxLabels([0, 1]));
}

describe('launch checks', () => {
  it('pass a run on the synthetic dataset, and on good Fashion-MNIST files', async () => {
    expect(await launchProblems(training({ dataset: 'synthetic' }))).toEqual([]);
    await withTempDir(async (dir) => {
      await writeFashion(dir);
      expect(await launchProblems(training({ dataset: 'fashion-mnist', dataDir: dir }))).toEqual([]);
    });
  });

  it('refuse a missing Fashion-MNIST directory at dataDir, with the fix', async () => {
    const [problem, ...rest] = await launchProblems(training({ dataset: 'fashion-mnist', dataDir: '/nonexistent' }));
    expect(rest).toEqual([]);
    expect(problem).toEqual({
      field: 'dataDir',
      message: expect.stringMatching(/^\/nonexistent: directory not found/),
      fix: expect.stringMatching(/train-images-idx3-ubyte\(\.gz\).*or none for \/usr\/share\/datasets\/fashion-mnist/),
    });
  });

  it.each([
    ['a missing file', async (dir: string) => writeFile(join(dir, 'x'), ''), /train-images-idx3-ubyte\.gz: not found/],
    ['labels that disagree with the images', (dir: string) => writeFashion(dir, { trainLabels: 2 }), /has 2 labels but .*has 3 images/],
    ['images of another size', (dir: string) => writeFashion(dir, { side: 32 }), /expected 28×28 images, found 32×32/],
    ['a gzip stream cut in its header', (dir: string) => writeFashion(dir, { truncated: true }), /train-images-idx3-ubyte\.gz: (truncated|not a valid gzip)/],
  ])('refuse a malformed Fashion-MNIST directory: %s', async (_what, write, message) => {
    await withTempDir(async (dir) => {
      await write(dir);
      expect(await launchProblems(training({ dataset: 'fashion-mnist', dataDir: dir }))).toEqual([{ field: 'dataDir', message: expect.stringMatching(message), fix: expect.any(String) }]);
    });
  });

  it('refuse CIFAR-10 batches that are missing or cut short, from their sizes', async () => {
    await withTempDir(async (dir) => {
      const record = cifarRecord(1, () => 0);
      for (let b = 1; b <= 5; b++) await writeFile(join(dir, `data_batch_${b}.bin`), record);
      const config = training({ dataset: 'cifar10', dataDir: dir });
      expect(await launchProblems(config)).toEqual([{ field: 'dataDir', message: expect.stringMatching(/test_batch\.bin: not found/), fix: expect.stringMatching(/CIFAR-10 binary version/) }]);
      await writeFile(join(dir, 'test_batch.bin'), record.subarray(0, 100));
      expect(await launchProblems(config)).toEqual([expect.objectContaining({ message: expect.stringMatching(/test_batch\.bin: truncated\/corrupt: size 100/) })]);
      await writeFile(join(dir, 'test_batch.bin'), record);
      expect(await launchProblems(config)).toEqual([]);
    });
  });

  it('refuse a missing or malformed NAS-Bench-201 directory at nb201Dir', async () => {
    expect(await launchProblems(nb201('/nonexistent'))).toEqual([
      { field: 'nb201Dir', message: expect.stringMatching(/^\/nonexistent: NAS-Bench-201 data directory not found/), fix: expect.stringMatching(/nb201_12ep\.csv and nb201_200ep\.csv/) },
    ]);
    await withTempDir(async (dir) => {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'nb201_200ep.csv'), `${NB201_HEADER}\n|bad|\n`);
      await writeFile(join(dir, 'nb201_12ep.csv'), `${NB201_HEADER}\n`);
      expect(await launchProblems(nb201(dir))).toEqual([expect.objectContaining({ field: 'nb201Dir', message: expect.stringMatching(/nb201_200ep\.csv:2: truncated: 1 rows after the header, expected 15625/) })]);
    });
  });

  it.skipIf(!nb201DataDir())('pass the bundled NAS-Bench-201 tables', async () => {
    expect(await launchProblems(nb201())).toEqual([]);
  });
});

describe('launch checks of a folder dataset', () => {
  const folder = (dataDir: string, more: Partial<RunConfigInput> = {}) => training({ dataset: 'folder', dataDir, image: { size: 8, channels: 1 }, ...more });
  /** Decoded folders go to a cache of the test's own. */
  async function withCache(body: (dir: string, cacheDir: string) => Promise<void>): Promise<void> {
    await withTempDir(async (dir) => {
      vi.stubEnv('GENNERATOR_CACHE_DIR', join(dir, 'cache'));
      try {
        await body(dir, join(dir, 'cache'));
      } finally {
        vi.unstubAllEnvs();
      }
    });
  }

  it('pass a good folder, and decode it into the cache for the run', async () => {
    await withCache(async (dir, cacheDir) => {
      await writeImageFolder(join(dir, 'pets'), { classes: ['cat', 'dog'], perClass: 3 });
      expect(await launchProblems(folder(join(dir, 'pets')))).toEqual([]);
      expect(await readdir(cacheDir)).toEqual([expect.stringMatching(/^folder-[0-9a-f]{64}\.bin$/)]);
    });
  });

  it.each([
    ['a missing folder', async () => {}, 'missing', /missing: directory not found$/],
    ['an empty folder', async (dir: string) => mkdir(join(dir, 'empty')), 'empty', /empty: no subfolder with PNG\/JPEG images: a folder dataset needs at least two classes/],
    ['a folder of one class', (dir: string) => writeImageFolder(join(dir, 'one'), { classes: ['cat'], perClass: 2 }), 'one', /one: only one class \(cat\)/],
    [
      'a folder with an unreadable image',
      async (dir: string) => {
        await writeImageFolder(join(dir, 'bad'), { classes: ['cat', 'dog'], perClass: 2 });
        await writeFile(join(dir, 'bad', 'dog', 'x.jpg'), 'not a JPEG');
      },
      'bad',
      /bad\/dog\/x\.jpg: unreadable image \(.+\); fix or remove it$/,
    ],
  ])('refuse %s at dataDir, with the fix', async (_what, write, name, message) => {
    await withCache(async (dir) => {
      await write(dir);
      expect(await launchProblems(folder(join(dir, name)))).toEqual([{ field: 'dataDir', message: expect.stringMatching(message), fix: expect.stringMatching(/one subfolder of PNG\/JPEG images per class \(at least two\)/) }]);
    });
  });

  it('refuse a subset smaller than the number of classes, which only the folder knows', async () => {
    await withCache(async (dir) => {
      await writeImageFolder(join(dir, 'pets'), { classes: ['cat', 'dog', 'fox'], perClass: 3 });
      // The schema cannot know the classes: it lets a subset of 2 through.
      const config = folder(join(dir, 'pets'), { subset: 2 });
      expect(await launchProblems(config)).toEqual([
        { field: 'subset', message: `a subset of 2 is smaller than the 3 classes of ${join(dir, 'pets')}: use at least 3 images, so that every class is in the training set`, fix: expect.stringMatching(/at least 3 images/) },
      ]);
      expect(await launchProblems(folder(join(dir, 'pets'), { subset: 3 }))).toEqual([]);
    });
  });

  it('refuse, in the run config itself, no folder, an action set that allows no network for the chosen size, and image options on another dataset', () => {
    expect(() => training({ dataset: 'folder' })).toThrow(/a folder dataset needs its folder[^]*at dataDir/);
    const conv7 = { name: 'c7', maxLayers: 1, nodes: [{ id: 'c', layer: { type: 'conv2d', filters: 4, kernel: 7, padding: 'valid' } }], edges: [{ from: 'input', to: 'c' }, { from: 'c', to: 'output' }] };
    expect(() => folder('/data', { image: { size: 6, channels: 1 }, actionSet: conv7 })).toThrow(/allows no network for the folder input \(6×6×1\)/);
    expect(folder('/data', { image: { size: 8, channels: 3 }, actionSet: conv7 }).image).toEqual({ size: 8, channels: 3 });
    expect(() => training({ dataset: 'synthetic', image: { size: 8, channels: 1 } })).toThrow(/an image size and channels apply to a folder dataset only[^]*at image/);
    expect(() => folder('/data', { image: { size: 8, channels: 2 as 1 } })).toThrow(/at image\.channels/);
  });
});

describe('what the run config alone refuses (RunConfigSchema, before the files are looked at)', () => {
  it('a subset smaller than the number of classes, at subset', () => {
    expect(() => training({ dataset: 'fashion-mnist', subset: 5 })).toThrow(/a subset of 5 is smaller than the 10 classes of Fashion-MNIST: use at least 10 images/);
    expect(() => training({ dataset: 'synthetic', subset: 3 })).toThrow(/smaller than the 4 classes of synthetic/);
    expect(training({ dataset: 'fashion-mnist', subset: 10 }).subset).toBe(10);
    // NAS-Bench-201 runs use no subset.
    expect(parseRunConfig({ evaluator: 'nb201', strategy: 'random', budget: 2, seed: 0, subset: 5 }).subset).toBe(5);
  });
});
