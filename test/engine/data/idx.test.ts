import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdxImages, readIdxImages, readIdxLabels } from '../../../src/engine/data/idx';
import { DatasetError } from '../../../src/engine/data/types';
import { idxImages, idxLabels, withTempDir } from './helpers';

/** Awaits a rejection and checks it is a DatasetError about `file` whose problem matches. */
async function expectDatasetError(promise: Promise<unknown>, file: string, problem: RegExp | string): Promise<DatasetError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  const de = err as DatasetError;
  expect(de.file).toBe(file);
  if (typeof problem === 'string') expect(de.problem).toBe(problem);
  else expect(de.problem).toMatch(problem);
  expect(de.message).toContain(file);
  return de;
}

const pixel = (n: number, i: number): number => (n * 31 + i * 7) % 256;

describe('IDX files', () => {
  it.each([
    ['raw', false],
    ['gzipped', true],
  ])('round-trips %s images and labels', async (_kind, gz) => {
    await withTempDir(async (dir) => {
      const images = idxImages(5, 3, 4, pixel);
      const labels = idxLabels([0, 9, 3, 3, 7]);
      const imagesFile = join(dir, 'images');
      const labelsFile = join(dir, 'labels');
      await writeFile(imagesFile, gz ? gzipSync(images) : images);
      await writeFile(labelsFile, gz ? gzipSync(labels) : labels);

      const img = await readIdxImages(imagesFile);
      expect([img.count, img.rows, img.cols]).toEqual([5, 3, 4]);
      expect(img.pixels.length).toBe(60);
      expect(Array.from(img.pixels)).toEqual(Array.from({ length: 60 }, (_, k) => pixel(Math.floor(k / 12), k % 12)));

      const lab = await readIdxLabels(labelsFile);
      expect(lab.count).toBe(5);
      expect(Array.from(lab.labels)).toEqual([0, 9, 3, 3, 7]);
    });
  });

  it('detects gzip by content, not by file name', async () => {
    await withTempDir(async (dir) => {
      const rawNamedGz = join(dir, 'a.gz');
      const gzNamedRaw = join(dir, 'b');
      await writeFile(rawNamedGz, idxLabels([1, 2]));
      await writeFile(gzNamedRaw, gzipSync(idxLabels([3, 4])));
      expect(Array.from((await readIdxLabels(rawNamedGz)).labels)).toEqual([1, 2]);
      expect(Array.from((await readIdxLabels(gzNamedRaw)).labels)).toEqual([3, 4]);
    });
  });

  it('reports truncated image data with the expected and found byte counts', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'train-images-idx3-ubyte');
      // A header promising 60000 28×28 images followed by far too little data.
      await writeFile(file, idxImages(60000, 28, 28, () => 0).subarray(0, 1000));
      await expectDatasetError(
        readIdxImages(file),
        file,
        'truncated: expected 47040016 bytes of image data (60000×28×28), found 1000',
      );
    });
  });

  it('reports truncated label data, also inside a gzip stream', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'labels.gz');
      await writeFile(file, gzipSync(idxLabels([1, 2, 3, 4, 5]).subarray(0, 10)));
      await expectDatasetError(readIdxLabels(file), file, 'truncated: expected 13 bytes of label data (5 labels), found 10');
    });
  });

  it('reports a header that is itself cut short', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'short');
      await writeFile(file, Buffer.from([0, 0, 8]));
      await expectDatasetError(readIdxImages(file), file, /^truncated: expected at least 16 header bytes, found 3$/);
    });
  });

  it('reports trailing bytes as corrupt', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'long');
      await writeFile(file, Buffer.concat([idxImages(2, 2, 2, pixel), Buffer.from([1, 2, 3])]));
      await expectDatasetError(readIdxImages(file), file, /^corrupt: expected 24 bytes of image data \(2×2×2\), found 27/);
    });
  });

  it('reports the wrong magic, e.g. a label file where images were expected', async () => {
    await withTempDir(async (dir) => {
      const labelsFile = join(dir, 'labels');
      const imagesFile = join(dir, 'images');
      await writeFile(labelsFile, idxLabels([1, 2, 3]));
      await writeFile(imagesFile, idxImages(1, 2, 2, pixel));
      await expectDatasetError(readIdxImages(labelsFile), labelsFile, 'wrong magic 0x00000801, expected 0x00000803 (an image file)');
      await expectDatasetError(readIdxLabels(imagesFile), imagesFile, 'wrong magic 0x00000803, expected 0x00000801 (a label file)');
    });
  });

  it('reports a missing file', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'nope.gz');
      await expectDatasetError(readIdxImages(file), file, 'not found');
    });
  });

  it('reports garbage after the gzip magic, and a cut gzip stream', async () => {
    await withTempDir(async (dir) => {
      const garbage = join(dir, 'garbage.gz');
      await writeFile(garbage, Buffer.from([0x1f, 0x8b, 0x00, 0x42, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11]));
      await expectDatasetError(readIdxImages(garbage), garbage, /^not a valid gzip stream: .+/);

      const cut = join(dir, 'cut.gz');
      const whole = gzipSync(idxImages(10, 8, 8, pixel));
      await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
      await expectDatasetError(readIdxImages(cut), cut, /^not a valid gzip stream: .+/);
    });
  });

  it('parses from memory with the given file name in errors', () => {
    expect(() => parseIdxImages(new Uint8Array(2), 'mem')).toThrow(DatasetError);
    expect(() => parseIdxImages(new Uint8Array(2), 'mem')).toThrow(/^mem: truncated/);
  });
});
