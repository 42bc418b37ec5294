import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/engine/data/index';
import { makeSyntheticDataset, syntheticTemplates } from '../../../src/engine/data/synthetic';
import type { Dataset, ImageShape, Split } from '../../../src/engine/data/types';

const sizeOf = (d: Dataset): number => d.inputShape[0] * d.inputShape[1] * d.inputShape[2];

function nearest(split: Split, n: number, size: number, centres: Float32Array[]): number {
  let best = -1;
  let bestDistance = Infinity;
  centres.forEach((centre, c) => {
    let s = 0;
    for (let i = 0; i < size; i++) s += (split.x[n * size + i] - centre[i]) ** 2;
    if (s < bestDistance) {
      bestDistance = s;
      best = c;
    }
  });
  return best;
}

/** Nearest-centroid accuracy on test, with centroids = per-class means of the training images. */
function nearestCentroidAccuracy(d: Dataset): number {
  const size = sizeOf(d);
  const centres = Array.from({ length: d.numClasses }, () => new Float32Array(size));
  const counts = new Array<number>(d.numClasses).fill(0);
  for (let n = 0; n < d.train.count; n++) {
    const c = d.train.y[n];
    counts[c]++;
    for (let i = 0; i < size; i++) centres[c][i] += d.train.x[n * size + i];
  }
  centres.forEach((centre, c) => centre.forEach((v, i) => (centre[i] = v / counts[c])));
  let correct = 0;
  for (let n = 0; n < d.test.count; n++) if (nearest(d.test, n, size, centres) === d.test.y[n]) correct++;
  return correct / d.test.count;
}

describe('makeSyntheticDataset', () => {
  it('has the documented defaults', () => {
    const d = makeSyntheticDataset();
    expect(d.name).toBe('synthetic');
    expect(d.inputShape).toEqual([12, 12, 1]);
    expect(d.numClasses).toBe(4);
    expect(d.classNames).toHaveLength(4);
    expect(d.train.count).toBe(512);
    expect(d.test.count).toBe(128);
    expect(d.train.x.length).toBe(512 * 144);
    expect(d.test.x.length).toBe(128 * 144);
    expect(d.source).toBe('synthetic:0:512x12x12x1');
  });

  it('has balanced classes and pixels in [0, 1]', () => {
    const d = makeSyntheticDataset({ seed: 3 });
    const h = new Array<number>(4).fill(0);
    for (const y of d.train.y) h[y]++;
    expect(h).toEqual([128, 128, 128, 128]);
    for (const x of [d.train.x, d.test.x]) {
      expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = makeSyntheticDataset({ seed: 11 });
    const b = makeSyntheticDataset({ seed: 11 });
    const c = makeSyntheticDataset({ seed: 12 });
    expect(b.train.x).toEqual(a.train.x);
    expect(b.train.y).toEqual(a.train.y);
    expect(b.test.x).toEqual(a.test.x);
    expect(c.train.x).not.toEqual(a.train.x);
    expect(c.source).not.toBe(a.source);
  });

  it.each([0, 1, 2, 3, 42])('is separable: nearest centroid > 0.9 on test (seed %i)', (seed) => {
    expect(nearestCentroidAccuracy(makeSyntheticDataset({ seed }))).toBeGreaterThan(0.9);
  });

  it('is separable by its own templates, with other shapes and class counts too', () => {
    const cases: { shape: ImageShape; numClasses: number }[] = [
      { shape: [12, 12, 1], numClasses: 4 },
      { shape: [8, 8, 3], numClasses: 10 },
      { shape: [28, 28, 1], numClasses: 10 },
    ];
    for (const { shape, numClasses } of cases) {
      const d = makeSyntheticDataset({ shape, numClasses, seed: 9 });
      expect(d.inputShape).toEqual(shape);
      const templates = syntheticTemplates({ shape, numClasses, seed: 9 });
      let correct = 0;
      for (let n = 0; n < d.test.count; n++) if (nearest(d.test, n, sizeOf(d), templates) === d.test.y[n]) correct++;
      expect(correct / d.test.count).toBeGreaterThan(0.9);
      expect(nearestCentroidAccuracy(d)).toBeGreaterThan(0.9);
    }
  });

  it('is not trivial: samples of a class differ (noise and shift)', () => {
    const d = makeSyntheticDataset({ seed: 4 });
    const size = sizeOf(d);
    const ofClass0 = Array.from(d.train.y.keys()).filter((n) => d.train.y[n] === 0);
    const first = d.train.x.subarray(ofClass0[0] * size, (ofClass0[0] + 1) * size);
    const second = d.train.x.subarray(ofClass0[1] * size, (ofClass0[1] + 1) * size);
    expect(second).not.toEqual(first);
  });

  it('gets harder with more noise, and records non-default noise in its source', () => {
    const noisy = makeSyntheticDataset({ seed: 0, noise: 2 });
    expect(noisy.source).toBe('synthetic:0:512x12x12x1:noise=2');
    expect(nearestCentroidAccuracy(noisy)).toBeLessThan(nearestCentroidAccuracy(makeSyntheticDataset({ seed: 0 })));
  });

  it('rejects nonsensical options', () => {
    expect(() => makeSyntheticDataset({ trainSamples: 0 })).toThrow(/trainSamples/);
    expect(() => makeSyntheticDataset({ numClasses: 1 })).toThrow(/numClasses/);
    expect(() => makeSyntheticDataset({ numClasses: 300 })).toThrow(/numClasses/);
    expect(() => makeSyntheticDataset({ shape: [12, 0, 1] })).toThrow(/shape\[1\]/);
    expect(() => makeSyntheticDataset({ noise: -1 })).toThrow(/noise/);
  });

  it('loads through loadDataset', async () => {
    const d = await loadDataset({ name: 'synthetic', trainSamples: 64, testSamples: 16, seed: 2 });
    expect(d.train.count).toBe(64);
    expect(d.test.count).toBe(16);
    expect(d.source).toBe('synthetic:2:64x12x12x1');
    expect(d.train.x).toEqual(makeSyntheticDataset({ trainSamples: 64, testSamples: 16, seed: 2 }).train.x);
  });
});
