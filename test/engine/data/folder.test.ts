/**
 * A folder of the user's images as a dataset, on folders the tests write with sharp: decoded to the
 * chosen size and channels, cached (and decoded again when the folder changes), split the same way
 * every time, and every unreadable file named.
 */
import { readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { datasetSpecOf, loadDataset, loadImageFolder, prepareData, UnreadableImagesError } from '../../../src/engine/data';
import { testImages } from '../../../src/engine/data/folder';
import { classPixels, writeImageFolder } from '../../support/image-folder';
import { datasetError, withTempDir } from './helpers';

/** A folder and a cache directory beside it. */
async function withFolder<T>(body: (folder: string, cacheDir: string) => Promise<T>, options?: Parameters<typeof writeImageFolder>[1]): Promise<T> {
  return withTempDir(async (dir) => {
    const folder = join(dir, 'images');
    await writeImageFolder(folder, options);
    return body(folder, join(dir, 'cache'));
  });
}

describe('folder dataset', () => {
  it('decodes PNG and JPEG files to the chosen size, grayscale or RGB, one class per subfolder', async () => {
    await withFolder(async (folder, cacheDir) => {
      const rgb = (await loadImageFolder({ dir: folder, image: { size: 8, channels: 3 }, cacheDir })).dataset;
      expect(rgb.name).toBe('folder');
      expect(rgb.inputShape).toEqual([8, 8, 3]);
      expect(rgb.classNames).toEqual(['circle', 'square', 'triangle']);
      expect(rgb.numClasses).toBe(3);
      expect(rgb.train.count + rgb.test.count).toBe(36);
      expect(rgb.train.x.length).toBe(rgb.train.count * 8 * 8 * 3);
      expect(Math.min(...rgb.train.x)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...rgb.train.x)).toBeLessThanOrEqual(1);

      const gray = (await loadImageFolder({ dir: folder, image: { size: 5, channels: 1 }, cacheDir })).dataset;
      expect(gray.inputShape).toEqual([5, 5, 1]);
      expect(gray.train.x.length).toBe(gray.train.count * 25);
    });
  });

  it('keeps the colours of each class: a red class decodes red in RGB; in grayscale a green class is brighter than a blue one', async () => {
    await withFolder(
      async (folder, cacheDir) => {
        const mean = (split: { x: Float32Array; y: Uint8Array; count: number }, label: number, channels: number, channel: number) => {
          let sum = 0;
          let n = 0;
          const size = split.x.length / split.count;
          for (let i = 0; i < split.count; i++) {
            if (split.y[i] !== label) continue;
            for (let p = channel; p < size; p += channels) (sum += split.x[i * size + p]), n++;
          }
          return sum / n;
        };
        const rgb = (await loadImageFolder({ dir: folder, image: { size: 4, channels: 3 }, cacheDir })).dataset;
        // Class 0 ("circle") is red on stripes: red well above green and blue.
        expect(mean(rgb.train, 0, 3, 0)).toBeGreaterThan(2 * mean(rgb.train, 0, 3, 1));
        const gray = (await loadImageFolder({ dir: folder, image: { size: 4, channels: 1 }, cacheDir })).dataset;
        // Green (40, 200, 60) is much lighter than blue (50, 70, 230) to the eye, as grayscale must keep it.
        expect(mean(gray.train, 1, 1, 0)).toBeGreaterThan(mean(gray.train, 2, 1, 0) + 0.15);
      },
      { mixFormats: false },
    );
  });

  it('resizes: a 20×20 image of stripes two pixels wide averages to even rows at 10×10', async () => {
    await withTempDir(async (dir) => {
      for (const name of ['a', 'b']) {
        await writeImageFolder(join(dir, 'f'), { classes: [name], perClass: 1, mixFormats: false });
      }
      const { dataset } = await loadImageFolder({ dir: join(dir, 'f'), image: { size: 10, channels: 1 }, cacheDir: join(dir, 'cache') });
      // Class "a" (index 0) has horizontal stripes: every row of the 10×10 image is one shade.
      const row = (r: number) => Array.from(dataset.train.x.subarray(r * 10, r * 10 + 10));
      for (let r = 0; r < 10; r++) expect(Math.max(...row(r)) - Math.min(...row(r))).toBeLessThan(0.1);
      const expected = await sharp(classPixels(0, 0, 20), { raw: { width: 20, height: 20, channels: 3 } }).resize(10, 10, { fit: 'fill' }).grayscale().raw().toBuffer();
      expect(dataset.train.x[0]).toBeCloseTo(expected[0] / 255, 2);
    });
  });

  it('caches the decoded folder, and decodes it again when a file changes, is added or removed', async () => {
    await withFolder(async (folder, cacheDir) => {
      const image = { size: 6, channels: 1 as const };
      const first = await loadImageFolder({ dir: folder, image, cacheDir });
      expect(first.cached).toBe(false);
      expect(await readdir(cacheDir)).toEqual([first.cacheFile.split('/').at(-1)]);
      const second = await loadImageFolder({ dir: folder, image, cacheDir });
      expect(second.cached).toBe(true);
      expect(second.cacheFile).toBe(first.cacheFile);
      expect(second.dataset.train.x).toEqual(first.dataset.train.x);
      expect(second.dataset.source).toBe(first.dataset.source);

      // Other options: another cache file.
      const rgb = await loadImageFolder({ dir: folder, image: { size: 6, channels: 3 }, cacheDir });
      expect(rgb.cached).toBe(false);
      expect(rgb.cacheFile).not.toBe(first.cacheFile);

      // A file written again (another time stamp): decoded again; the same pixels are the same dataset.
      const file = join(folder, 'circle', 'circle-000.png');
      const later = new Date(Date.now() + 60_000);
      await utimes(file, later, later);
      const touched = await loadImageFolder({ dir: folder, image, cacheDir });
      expect(touched.cached).toBe(false);
      expect(touched.dataset.source).toBe(first.dataset.source);
      // Other pixels: another dataset (a run's settings key, and so the cross-run cache, follow it).
      await writeFile(file, await sharp(classPixels(2, 5, 20), { raw: { width: 20, height: 20, channels: 3 } }).png().toBuffer());
      const changed = await loadImageFolder({ dir: folder, image, cacheDir });
      expect(changed.cached).toBe(false);
      expect(changed.dataset.source).not.toBe(first.dataset.source);

      await rm(join(folder, 'square', 'square-003.jpg'));
      const removed = await loadImageFolder({ dir: folder, image, cacheDir });
      expect(removed.cached).toBe(false);
      expect(removed.dataset.train.count + removed.dataset.test.count).toBe(35);
      expect(removed.dataset.source).not.toBe(changed.dataset.source);
    });
  });

  it('reads a damaged cache file as a miss and writes it again', async () => {
    await withFolder(async (folder, cacheDir) => {
      const image = { size: 6, channels: 1 as const };
      const first = await loadImageFolder({ dir: folder, image, cacheDir });
      await writeFile(first.cacheFile, 'not pixels');
      const again = await loadImageFolder({ dir: folder, image, cacheDir });
      expect(again.cached).toBe(false);
      expect(again.dataset.train.x).toEqual(first.dataset.train.x);
      expect((await loadImageFolder({ dir: folder, image, cacheDir })).cached).toBe(true);
    });
  });

  it('splits the same way every time: a test set by path in every class, a validation set by seed', async () => {
    await withFolder(
      async (folder, cacheDir) => {
        const spec = { name: 'folder' as const, dir: folder, image: { size: 4, channels: 1 as const }, cacheDir };
        const a = await loadDataset(spec);
        const b = await loadDataset(spec);
        expect(a.test.count).toBe(6); // a tenth of each class of 20, at least one
        expect(Array.from(a.test.y).sort()).toEqual([0, 0, 1, 1, 2, 2]);
        expect(b.test.x).toEqual(a.test.x);
        expect(b.train.y).toEqual(a.train.y);

        const split = (seed: number) => prepareData(a, { seed });
        expect(split(3).validation.y).toEqual(split(3).validation.y);
        expect(split(3).validation.x).toEqual(split(3).validation.x);
        expect(split(3).validation.count).toBe(5);
        expect(split(4).validation.x).not.toEqual(split(3).validation.x);
      },
      { perClass: 20 },
    );
    // The test set is chosen by the files' paths: the same names, the same test set, wherever the folder is.
    const names = Array.from({ length: 30 }, (_, i) => `cat/${i}.png`);
    expect([...testImages(names)]).toEqual([...testImages([...names].reverse())]);
    expect(testImages(names).size).toBe(3);
    expect(testImages(names.slice(0, 4)).size).toBe(0);
  });

  it('names every unreadable file, and refuses the folder rather than skipping them', async () => {
    await withFolder(async (folder, cacheDir) => {
      await writeFile(join(folder, 'circle', 'broken.png'), 'this is not a PNG');
      const jpeg = await sharp(classPixels(1, 0, 20), { raw: { width: 20, height: 20, channels: 3 } }).jpeg().toBuffer();
      await writeFile(join(folder, 'square', 'cut.jpg'), jpeg.subarray(0, jpeg.length / 2));
      const error = await datasetError(loadImageFolder({ dir: folder, image: { size: 8, channels: 1 }, cacheDir }));
      expect(error).toBeInstanceOf(UnreadableImagesError);
      expect((error as UnreadableImagesError).images.map((i) => i.path)).toEqual(['circle/broken.png', 'square/cut.jpg']);
      expect(error.file).toBe(join(folder, 'circle', 'broken.png'));
      expect(error.message).toMatch(/circle\/broken\.png: unreadable image \(.+\); also unreadable: square\/cut\.jpg; fix or remove them$/);
      expect(error.message).not.toContain('\n');
      // Nothing half-decoded is cached.
      await expect(readdir(cacheDir)).rejects.toThrow();
    });
  });

  it('refuses a missing folder, a file, and a folder of fewer than two classes; ignores other files and empty subfolders', async () => {
    await withTempDir(async (dir) => {
      expect((await datasetError(loadImageFolder({ dir: join(dir, 'nope'), image: { size: 8, channels: 1 } }))).message).toMatch(/nope: directory not found$/);
      await writeFile(join(dir, 'file.png'), '');
      expect((await datasetError(loadImageFolder({ dir: join(dir, 'file.png'), image: { size: 8, channels: 1 } }))).message).toMatch(/not a directory/);
      await writeImageFolder(join(dir, 'one'), { classes: ['only'], perClass: 2 });
      expect((await datasetError(loadImageFolder({ dir: join(dir, 'one'), image: { size: 8, channels: 1 } }))).message).toMatch(/only one class \(only\): a folder dataset needs at least two classes/);

      await writeImageFolder(join(dir, 'two'), { classes: ['a', 'b'], perClass: 2 });
      await writeFile(join(dir, 'two', 'a', 'notes.txt'), 'not an image');
      await writeFile(join(dir, 'two', 'README'), 'not a class');
      await writeImageFolder(join(dir, 'two', '.hidden'), { classes: ['x'], perClass: 1 });
      await rm(join(dir, 'two', '.hidden', 'x'), { recursive: true });
      const { dataset } = await loadImageFolder({ dir: join(dir, 'two'), image: { size: 4, channels: 1 }, cacheDir: join(dir, 'cache') });
      expect(dataset.classNames).toEqual(['a', 'b']);
      expect(dataset.train.count).toBe(4);
    });
  });

  it('is what a run config with dataset "folder" loads', async () => {
    expect(datasetSpecOf({ dataset: 'folder', dataDir: '/data/pets', image: { size: 16, channels: 1 }, seed: 0 })).toEqual({
      name: 'folder',
      dir: '/data/pets',
      image: { size: 16, channels: 1 },
    });
    expect(datasetSpecOf({ dataset: 'folder', dataDir: '/data/pets', seed: 0 })).toMatchObject({ image: { size: 32, channels: 3 } });
  });
});
