/**
 * A tiny, learnable image dataset for fast tests: each class is a fixed smooth random template;
 * samples are that template, shifted by up to a pixel, plus gaussian noise. Smooth templates keep
 * a one-pixel shift a small perturbation, so the classes stay separable while still asking a model
 * to generalise a little.
 */
import { createRng, type Rng } from '../random';
import type { Dataset, ImageShape, Split } from './types';

export interface SyntheticOptions {
  trainSamples?: number;
  testSamples?: number;
  shape?: ImageShape;
  numClasses?: number;
  seed?: number;
  /** Standard deviation of the per-pixel gaussian noise. */
  noise?: number;
}

export const SYNTHETIC_DEFAULTS = {
  trainSamples: 512,
  testSamples: 128,
  shape: [12, 12, 1] as ImageShape,
  numClasses: 4,
  seed: 0,
  noise: 0.15,
};

/** Templates are redrawn while two classes are closer than this (RMS over pixels). */
const MIN_TEMPLATE_DISTANCE = 0.2;
const TEMPLATE_TRIES = 50;
const MAX_SHIFT = 1;

export function makeSyntheticDataset(options: SyntheticOptions = {}): Dataset {
  const trainSamples = options.trainSamples ?? SYNTHETIC_DEFAULTS.trainSamples;
  const testSamples = options.testSamples ?? SYNTHETIC_DEFAULTS.testSamples;
  const shape: ImageShape = options.shape ? [...options.shape] : [...SYNTHETIC_DEFAULTS.shape];
  const numClasses = options.numClasses ?? SYNTHETIC_DEFAULTS.numClasses;
  const seed = options.seed ?? SYNTHETIC_DEFAULTS.seed;
  const noise = options.noise ?? SYNTHETIC_DEFAULTS.noise;

  checkInt('trainSamples', trainSamples, 1);
  checkInt('testSamples', testSamples, 1);
  checkInt('numClasses', numClasses, 2, 256); // labels are bytes
  shape.forEach((d, i) => checkInt(`shape[${i}]`, d, 1));
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (!Number.isFinite(noise) || noise < 0) throw new RangeError(`noise must be ≥ 0, got ${noise}`);

  const rng = createRng(seed);
  const templates = drawTemplates(rng, shape, numClasses);
  const train = drawSplit(rng, templates, shape, numClasses, trainSamples, noise);
  const test = drawSplit(rng, templates, shape, numClasses, testSamples, noise);
  // The documented source is synthetic:<seed>:<train>x<shape>; noise is appended only when it is
  // not the default, because it changes the data (test count and classes are in the Dataset itself).
  const noiseTag = noise === SYNTHETIC_DEFAULTS.noise ? '' : `:noise=${noise}`;
  return {
    name: 'synthetic',
    inputShape: shape,
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, c) => `class ${c}`),
    source: `synthetic:${seed}:${trainSamples}x${shape.join('x')}${noiseTag}`,
    train,
    test,
  };
}

/**
 * The class templates, exposed so tests (and sanity checks) can classify by nearest template.
 * Same seed and shape → the same templates makeSyntheticDataset uses.
 */
export function syntheticTemplates(options: Pick<SyntheticOptions, 'shape' | 'numClasses' | 'seed'> = {}): Float32Array[] {
  const shape = options.shape ?? SYNTHETIC_DEFAULTS.shape;
  return drawTemplates(
    createRng(options.seed ?? SYNTHETIC_DEFAULTS.seed),
    shape,
    options.numClasses ?? SYNTHETIC_DEFAULTS.numClasses,
  );
}

function checkInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}…${max}, got ${value}`);
  }
}

function drawTemplates(rng: Rng, shape: ImageShape, numClasses: number): Float32Array[] {
  const templates: Float32Array[] = [];
  for (let c = 0; c < numClasses; c++) {
    // Rejection keeps unlucky seeds from producing two near-identical classes; after the tries we
    // keep the most distant candidate rather than loop forever (tiny images, many classes).
    let best: Float32Array | undefined;
    let bestDistance = -1;
    for (let t = 0; t < TEMPLATE_TRIES && bestDistance < MIN_TEMPLATE_DISTANCE; t++) {
      const candidate = smoothTemplate(rng, shape);
      const distance = templates.reduce((d, other) => Math.min(d, rms(candidate, other)), Infinity);
      if (distance > bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    templates.push(best as Float32Array);
  }
  return templates;
}

/** A coarse uniform-random grid, bilinearly upsampled, stretched to span [0.1, 0.9] per channel. */
function smoothTemplate(rng: Rng, [h, w, ch]: ImageShape): Float32Array {
  const gh = Math.max(2, Math.ceil(h / 4) + 1);
  const gw = Math.max(2, Math.ceil(w / 4) + 1);
  const out = new Float32Array(h * w * ch);
  for (let k = 0; k < ch; k++) {
    const grid = Float64Array.from({ length: gh * gw }, () => rng.next());
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < h; i++) {
      const gy = h === 1 ? 0 : (i / (h - 1)) * (gh - 1);
      const y0 = Math.min(Math.floor(gy), gh - 2);
      const fy = gy - y0;
      for (let j = 0; j < w; j++) {
        const gx = w === 1 ? 0 : (j / (w - 1)) * (gw - 1);
        const x0 = Math.min(Math.floor(gx), gw - 2);
        const fx = gx - x0;
        const v =
          (1 - fy) * ((1 - fx) * grid[y0 * gw + x0] + fx * grid[y0 * gw + x0 + 1]) +
          fy * ((1 - fx) * grid[(y0 + 1) * gw + x0] + fx * grid[(y0 + 1) * gw + x0 + 1]);
        out[(i * w + j) * ch + k] = v;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    const span = hi - lo || 1;
    for (let p = k; p < out.length; p += ch) out[p] = 0.1 + (0.8 * (out[p] - lo)) / span;
  }
  return out;
}

function rms(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

function drawSplit(
  rng: Rng,
  templates: Float32Array[],
  [h, w, ch]: ImageShape,
  numClasses: number,
  count: number,
  noise: number,
): Split {
  // Balanced classes in a shuffled order: every class is present, and no ordering to learn from.
  const labels = rng.shuffle(Array.from({ length: count }, (_, i) => i % numClasses));
  const size = h * w * ch;
  const x = new Float32Array(count * size);
  const y = Uint8Array.from(labels);
  for (let n = 0; n < count; n++) {
    const template = templates[labels[n]];
    const dy = rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    const dx = rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    const base = n * size;
    for (let i = 0; i < h; i++) {
      // Edge pixels are repeated into the gap a shift leaves.
      const si = Math.min(h - 1, Math.max(0, i - dy));
      for (let j = 0; j < w; j++) {
        const sj = Math.min(w - 1, Math.max(0, j - dx));
        for (let k = 0; k < ch; k++) {
          const v = template[(si * w + sj) * ch + k] + noise * rng.normal();
          x[base + (i * w + j) * ch + k] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
      }
    }
  }
  return { x, y, count };
}
