import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, loadCifar10 } from '../../../src/engine/data/cifar10';
import { cifarRecord, withTempDir, datasetError } from './helpers';

const TRAIN_PER_BATCH = 20;
const TEST_COUNT = 10;

/** Pixel byte of global record n (train records first, then test) at (row, col, channel). */
const value = (n: number, row: number, col: number, ch: number): number => (n * 13 + row * 7 + col * 3 + ch * 85) % 256;
const label = (n: number): number => (n * 3) % 10;

/** Writes 5 train batches and a test batch in the exact binary format; record n = the global index. */
async function writeCifar(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const batch = (first: number, count: number): Buffer =>
    Buffer.concat(Array.from({ length: count }, (_, k) => cifarRecord(label(first + k), (r, c, ch) => value(first + k, r, c, ch))));
  for (let b = 0; b < 5; b++) await writeFile(join(dir, `data_batch_${b + 1}.bin`), batch(b * TRAIN_PER_BATCH, TRAIN_PER_BATCH));
  await writeFile(join(dir, 'test_batch.bin'), batch(5 * TRAIN_PER_BATCH, TEST_COUNT));
}

describe('CIFAR-10 binary loader', () => {
  it('converts planar records to NHWC floats in [0, 1] with the right labels', async () => {
    await withTempDir(async (dir) => {
      await writeCifar(dir);
      const d = await loadCifar10(dir);
      expect(d.name).toBe('cifar10');
      expect(d.inputShape).toEqual([32, 32, 3]);
      expect(d.numClasses).toBe(10);
      expect(d.classNames).toEqual(CIFAR10_CLASSES);
      expect(d.classNames[0]).toBe('airplane');
      expect(d.classNames[9]).toBe('truck');
      expect(d.train.count).toBe(100);
      expect(d.test.count).toBe(10);
      expect(d.train.x.length).toBe(100 * 32 * 32 * 3);
      expect(d.test.x.length).toBe(10 * 32 * 32 * 3);
      expect(Array.from(d.train.y)).toEqual(Array.from({ length: 100 }, (_, n) => label(n)));
      expect(Array.from(d.test.y)).toEqual(Array.from({ length: 10 }, (_, n) => label(100 + n)));

      // One known pixel: record 47 (batch 3, record 7), row 5, col 17.
      const n = 47;
      const at = ((n * 32 + 5) * 32 + 17) * 3;
      for (let ch = 0; ch < 3; ch++) expect(d.train.x[at + ch]).toBeCloseTo(value(n, 5, 17, ch) / 255, 6);

      // And every pixel, train and test.
      let mismatches = 0;
      for (const [split, first] of [
        [d.train, 0],
        [d.test, 100],
      ] as const) {
        for (let k = 0; k < split.count; k++) {
          for (let r = 0; r < 32; r++) {
            for (let c = 0; c < 32; c++) {
              for (let ch = 0; ch < 3; ch++) {
                const got = split.x[((k * 32 + r) * 32 + c) * 3 + ch];
                if (Math.abs(got - value(first + k, r, c, ch) / 255) > 1e-6) mismatches++;
              }
            }
          }
        }
      }
      expect(mismatches).toBe(0);
    });
  });

  it('places a single distinctive pixel at its NHWC index', async () => {
    await withTempDir(async (dir) => {
      await writeCifar(dir);
      // Overwrite test record 4: all zero except (row 30, col 2) = R 255, G 128, B 1.
      const records = Array.from({ length: TEST_COUNT }, (_, k) =>
        k === 4
          ? cifarRecord(9, (r, c, ch) => (r === 30 && c === 2 ? [255, 128, 1][ch] : 0))
          : cifarRecord(0, () => 0),
      );
      await writeFile(join(dir, 'test_batch.bin'), Buffer.concat(records));
      const d = await loadCifar10(dir);
      const base = 4 * 32 * 32 * 3;
      const hot = base + (30 * 32 + 2) * 3;
      expect([d.test.x[hot], d.test.x[hot + 1], d.test.x[hot + 2]]).toEqual([1, 128 / 255, 1 / 255].map(Math.fround));
      let nonZero = 0;
      for (let i = 0; i < d.test.x.length; i++) if (d.test.x[i] !== 0) nonZero++;
      expect(nonZero).toBe(3);
      expect(d.test.y[4]).toBe(9);
    });
  });

  it('accepts the files inside cifar-10-batches-bin', async () => {
    await withTempDir(async (dir) => {
      await writeCifar(join(dir, 'cifar-10-batches-bin'));
      const d = await loadCifar10(dir);
      expect(d.train.count).toBe(100);
      expect(d.source).toBe(join(dir, 'cifar-10-batches-bin'));
    });
  });

  it('rejects a truncated batch, naming the file and its size', async () => {
    await withTempDir(async (dir) => {
      await writeCifar(dir);
      const file = join(dir, 'data_batch_3.bin');
      await writeFile(file, Buffer.alloc(3073 * 2 - 5));
      const err = await datasetError(loadCifar10(dir));
      expect(err.file).toBe(file);
      expect(err.problem).toBe('truncated/corrupt: size 6141 is not a multiple of 3073');
    });
  });

  it('rejects an out-of-range label', async () => {
    await withTempDir(async (dir) => {
      await writeCifar(dir);
      const file = join(dir, 'test_batch.bin');
      await writeFile(file, Buffer.concat([cifarRecord(1, () => 0), cifarRecord(12, () => 0)]));
      const err = await datasetError(loadCifar10(dir));
      expect(err.file).toBe(file);
      expect(err.problem).toMatch(/label 12 of record 1 is out of range/);
    });
  });

  it('names a missing batch file and a missing directory', async () => {
    await withTempDir(async (dir) => {
      await writeCifar(dir);
      await rm(join(dir, 'test_batch.bin'));
      const err = await datasetError(loadCifar10(dir));
      expect(err.file).toBe(join(dir, 'test_batch.bin'));
      expect(err.problem).toBe('not found');

      const empty = join(dir, 'empty');
      await mkdir(empty);
      const noBatches = await datasetError(loadCifar10(empty));
      expect(noBatches.file).toBe(join(empty, 'data_batch_1.bin'));
      expect(noBatches.problem).toMatch(/not found/);

      const missing = join(dir, 'does-not-exist');
      const noDir = await datasetError(loadCifar10(missing));
      expect(noDir.file).toBe(missing);
      expect(noDir.problem).toMatch(/directory not found/);
    });
  });
});
