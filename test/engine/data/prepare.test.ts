import { describe, expect, it } from 'vitest';
import { allocate, datasetFingerprint, prepareData } from '../../../src/engine/data/prepare';
import { makeSyntheticDataset } from '../../../src/engine/data/synthetic';
import type { Dataset, PreparedData, Split } from '../../../src/engine/data/types';

/**
 * A dataset whose 2-pixel images are [original index, label], so each sample can be traced
 * (Float32 holds these integers exactly). `perClass[c]` samples of class c, in interleaved order.
 */
function traceable(perClass: number[], source = 'test:traceable'): Dataset {
  const labels: number[] = [];
  const left = [...perClass];
  while (left.some((n) => n > 0)) left.forEach((n, c) => n > 0 && (labels.push(c), left[c]--));
  const split = (ys: number[], offset: number): Split => {
    const x = new Float32Array(ys.length * 2);
    ys.forEach((label, i) => {
      x[2 * i] = offset + i;
      x[2 * i + 1] = label;
    });
    return { x, y: Uint8Array.from(ys), count: ys.length };
  };
  return {
    name: 'synthetic',
    inputShape: [1, 2, 1],
    numClasses: perClass.length,
    classNames: perClass.map((_, c) => `c${c}`),
    source,
    train: split(labels, 0),
    test: split([0, 1, 2], 1_000_000),
  };
}

const ids = (s: Split): number[] => Array.from({ length: s.count }, (_, i) => s.x[2 * i]);
const histogram = (s: Split, k: number): number[] => {
  const h = new Array<number>(k).fill(0);
  for (const label of s.y) h[label]++;
  return h;
};

/** Every class within ±1 of its exact proportional share of `count`. */
function expectStratified(part: Split, count: number, perClass: number[]): void {
  const total = perClass.reduce((a, b) => a + b, 0);
  histogram(part, perClass.length).forEach((n, c) => {
    expect(Math.abs(n - (count * perClass[c]) / total), `class ${c}: ${n}`).toBeLessThanOrEqual(1);
  });
}

function expectConsistent(p: PreparedData): void {
  // Labels travel with their images.
  for (const s of [p.train, p.validation]) {
    for (let i = 0; i < s.count; i++) expect(s.x[2 * i + 1]).toBe(s.y[i]);
  }
}

describe('prepareData', () => {
  const balanced = [100, 100, 100, 100, 100, 100, 100, 100, 100, 100];
  const skewed = [500, 300, 150, 40, 10];

  it('holds out 10% for validation by default, stratified, disjoint, test untouched', () => {
    const d = traceable(balanced);
    const p = prepareData(d);
    expect(p.train.count).toBe(900);
    expect(p.validation.count).toBe(100);
    expect(histogram(p.validation, 10)).toEqual(new Array(10).fill(10));
    expect(histogram(p.train, 10)).toEqual(new Array(10).fill(90));
    const trainIds = new Set(ids(p.train));
    expect(ids(p.validation).filter((i) => trainIds.has(i))).toEqual([]);
    expect([...trainIds, ...ids(p.validation)].sort((a, b) => a - b)).toEqual(ids(d.train));
    expect(p.test).toBe(d.test);
    expect(p.dataset).toBe(d);
    expectConsistent(p);
  });

  it('stratifies skewed classes within ±1 per class', () => {
    const d = traceable(skewed);
    for (const validationFraction of [0.1, 0.2, 0.33]) {
      const p = prepareData(d, { validationFraction, seed: 3 });
      const v = Math.round(1000 * validationFraction);
      expect(p.validation.count).toBe(v);
      expect(p.train.count).toBe(1000 - v);
      expectStratified(p.validation, v, skewed);
      expectStratified(p.train, 1000 - v, skewed);
      expectConsistent(p);
    }
  });

  it('takes a stratified subset of the training set before splitting', () => {
    const d = traceable(skewed);
    const p = prepareData(d, { subset: 200, seed: 1 });
    expect(p.train.count + p.validation.count).toBe(200);
    expect(p.validation.count).toBe(20);
    const subset = { ...p.train, y: Uint8Array.from([...p.train.y, ...p.validation.y]), count: 200 };
    expectStratified(subset, 200, skewed);
    expectStratified(p.validation, 20, skewed);
    const trainIds = new Set(ids(p.train));
    expect(ids(p.validation).some((i) => trainIds.has(i))).toBe(false);
    expect(p.test).toBe(d.test);
    expectConsistent(p);
  });

  it('keeps every class in the subset and in validation when possible', () => {
    const d = traceable([900, 60, 30, 7, 3]);
    const p = prepareData(d, { validationFraction: 0.05 });
    // The 3-sample class's share of 50 is 0.15, but it still gets one validation sample.
    expect(histogram(p.validation, 5).every((n) => n >= 1)).toBe(true);
    expect(histogram(p.train, 5).every((n) => n >= 1)).toBe(true);
    expect(p.validation.count).toBe(50);

    const small = prepareData(d, { subset: 20 });
    expect(histogram(small.train, 5).map((n, c) => n + histogram(small.validation, 5)[c]).every((n) => n >= 1)).toBe(true);
    expect(small.train.count + small.validation.count).toBe(20);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const d = makeSyntheticDataset({ trainSamples: 400, seed: 5 });
    const a = prepareData(d, { seed: 7, subset: 300 });
    const b = prepareData(d, { seed: 7, subset: 300 });
    const c = prepareData(d, { seed: 8, subset: 300 });
    expect(b.train.x).toEqual(a.train.x);
    expect(b.train.y).toEqual(a.train.y);
    expect(b.validation.x).toEqual(a.validation.x);
    expect(b.validation.y).toEqual(a.validation.y);
    expect(c.validation.x).not.toEqual(a.validation.x);
    expect(c.train.x).not.toEqual(a.train.x);

    const t = traceable(balanced);
    const v1 = ids(prepareData(t, { seed: 1 }).validation).sort((x, y) => x - y);
    const v2 = ids(prepareData(t, { seed: 2 }).validation).sort((x, y) => x - y);
    expect(v1).not.toEqual(v2);
  });

  it('treats a subset at least as large as the training set as no subset', () => {
    const d = traceable(balanced);
    expect(ids(prepareData(d, { subset: 1000, seed: 4 }).train)).toEqual(ids(prepareData(d, { seed: 4 }).train));
    expect(ids(prepareData(d, { subset: 5000, seed: 4 }).train)).toEqual(ids(prepareData(d, { seed: 4 }).train));
  });

  it('validates its options with clear errors', () => {
    const d = traceable(balanced);
    expect(() => prepareData(d, { subset: 9 })).toThrow(/subset must be an integer ≥ the number of classes \(10\).*got 9/);
    expect(() => prepareData(d, { subset: 50.5 })).toThrow(/subset/);
    for (const validationFraction of [0, 1, -0.1, 1.5, Number.NaN]) {
      expect(() => prepareData(d, { validationFraction })).toThrow(/validationFraction must be strictly between 0 and 1/);
    }
    expect(() => prepareData(d, { seed: Number.NaN })).toThrow(/seed/);
  });
});

describe('allocate', () => {
  it('is proportional within 1, respects caps, and fills empty classes from the largest surplus', () => {
    expect(allocate(10, [50, 30, 20], [50, 30, 20])).toEqual([5, 3, 2]);
    expect(allocate(7, [1, 1, 1], [1, 1, 1])).toEqual([1, 1, 1]);
    expect(allocate(5, [96, 2, 2], [95, 1, 1])).toEqual([3, 1, 1]);
  });
});

describe('datasetFingerprint', () => {
  const d = makeSyntheticDataset({ seed: 1 });

  it('is short, stable and names the dataset', () => {
    const f = datasetFingerprint(d, { seed: 1 });
    expect(f).toBe(datasetFingerprint(makeSyntheticDataset({ seed: 1 }), { seed: 1 }));
    expect(f).toMatch(/^synthetic-512-[0-9a-f]{16}$/);
  });

  it('changes with the source, the counts and every option', () => {
    const base = datasetFingerprint(d, {});
    const others = [
      datasetFingerprint(makeSyntheticDataset({ seed: 2 }), {}),
      datasetFingerprint(makeSyntheticDataset({ seed: 1, testSamples: 64 }), {}),
      datasetFingerprint(d, { seed: 1 }),
      datasetFingerprint(d, { subset: 100 }),
      datasetFingerprint(d, { validationFraction: 0.2 }),
      datasetFingerprint(d),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('normalises defaults and no-op subsets', () => {
    expect(datasetFingerprint(d, {})).toBe(datasetFingerprint(d, { seed: 0, validationFraction: 0.1 }));
    expect(datasetFingerprint(d, {})).toBe(datasetFingerprint(d, { subset: 10_000 }));
  });

  it('matches between a dataset and data prepared from it with the same options', () => {
    const options = { subset: 200, seed: 3 };
    expect(datasetFingerprint(prepareData(d, options), options)).toBe(datasetFingerprint(d, options));
  });

  it('tells prepared splits apart even without options', () => {
    const a = datasetFingerprint(prepareData(d, { seed: 1 }));
    expect(a).toBe(datasetFingerprint(prepareData(d, { seed: 1 })));
    expect(a).not.toBe(datasetFingerprint(prepareData(d, { seed: 2 })));
  });
});
