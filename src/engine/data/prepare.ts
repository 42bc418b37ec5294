/**
 * Turns a Dataset into what a trainer sees: an optional stratified subset of the training set, then
 * a stratified validation split. Everything is drawn from one seeded RNG, so a seed names a split.
 */
import { createRng } from '../random';
import type { Dataset, PreparedData, PrepareOptions, Split } from './types';

export const DEFAULT_VALIDATION_FRACTION = 0.1;

/** Options with defaults filled in and a no-op subset (≥ train.count) dropped. */
export interface ResolvedPrepareOptions {
  subset: number | undefined;
  validationFraction: number;
  seed: number;
}

export function resolvePrepareOptions(dataset: Dataset, options: PrepareOptions = {}): ResolvedPrepareOptions {
  const { subset, validationFraction = DEFAULT_VALIDATION_FRACTION, seed = 0 } = options;
  if (subset !== undefined && (!Number.isInteger(subset) || subset < dataset.numClasses)) {
    throw new RangeError(
      `subset must be an integer ≥ the number of classes (${dataset.numClasses}) so every class can be present, got ${subset}`,
    );
  }
  if (!(Number.isFinite(validationFraction) && validationFraction > 0 && validationFraction < 1)) {
    throw new RangeError(`validationFraction must be strictly between 0 and 1, got ${validationFraction}`);
  }
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return {
    subset: subset !== undefined && subset < dataset.train.count ? subset : undefined,
    validationFraction,
    seed,
  };
}

export function prepareData(dataset: Dataset, options: PrepareOptions = {}): PreparedData {
  const { subset, validationFraction, seed } = resolvePrepareOptions(dataset, options);
  const { train, numClasses } = dataset;
  if (train.count < 2) {
    throw new RangeError(`a training set of ${train.count} sample(s) cannot be split into train and validation`);
  }
  const rng = createRng(seed);

  // Per-class index lists, each shuffled: taking a prefix of each is a stratified random draw.
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < train.count; i++) {
    const label = train.y[i];
    if (label >= numClasses) throw new RangeError(`training label ${label} at index ${i} is not below numClasses ${numClasses}`);
    byClass[label].push(i);
  }
  for (const list of byClass) rng.shuffle(list);

  let pool = byClass;
  if (subset !== undefined) {
    const take = allocate(subset, pool.map((l) => l.length), pool.map((l) => l.length));
    pool = pool.map((list, c) => list.slice(0, take[c]));
  }

  const sizes = pool.map((l) => l.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  // Training keeps at least one sample of every class it has; validation gets the rest of its share.
  const caps = sizes.map((n) => Math.max(0, n - 1));
  const maxValidation = caps.reduce((a, b) => a + b, 0);
  const validationCount = Math.min(maxValidation, Math.max(1, Math.round(total * validationFraction)));
  if (validationCount < 1) {
    throw new RangeError('no class has two samples, so no validation split is possible');
  }
  const held = allocate(validationCount, sizes, caps);

  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  pool.forEach((list, c) => {
    for (let k = 0; k < list.length; k++) (k < held[c] ? valIdx : trainIdx).push(list[k]);
  });
  // Mixed order, so a trainer that does not shuffle still never sees one class at a time.
  rng.shuffle(trainIdx);
  rng.shuffle(valIdx);

  return {
    dataset,
    train: gather(train, trainIdx),
    validation: gather(train, valIdx),
    test: dataset.test,
  };
}

/**
 * Splits `total` over classes in proportion to `sizes` (largest remainder, so each class is within
 * 1 of its exact share), never more than `caps[c]`, then moves single samples so every class that
 * can have one gets at least one when the total allows.
 */
export function allocate(total: number, sizes: number[], caps: number[]): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  const target = sizes.map((s) => (sum === 0 ? 0 : (total * s) / sum));
  const alloc = target.map((t, c) => Math.min(Math.floor(t), caps[c]));
  let left = total - alloc.reduce((a, b) => a + b, 0);
  while (left > 0) {
    let best = -1;
    for (let c = 0; c < alloc.length; c++) {
      if (alloc[c] < caps[c] && (best < 0 || target[c] - alloc[c] > target[best] - alloc[best])) best = c;
    }
    if (best < 0) break; // every class is at its cap
    alloc[best]++;
    left--;
  }
  const empty = alloc
    .map((a, c) => c)
    .filter((c) => alloc[c] === 0 && caps[c] > 0)
    .sort((a, b) => target[b] - target[a] || a - b);
  for (const c of empty) {
    let donor = -1;
    for (let d = 0; d < alloc.length; d++) {
      if (alloc[d] >= 2 && (donor < 0 || alloc[d] - target[d] > alloc[donor] - target[donor])) donor = d;
    }
    if (donor < 0) break;
    alloc[donor]--;
    alloc[c]++;
  }
  return alloc;
}

function gather(split: Split, indices: number[]): Split {
  const size = split.count === 0 ? 0 : split.x.length / split.count;
  const x = new Float32Array(indices.length * size);
  const y = new Uint8Array(indices.length);
  indices.forEach((src, n) => {
    x.set(split.x.subarray(src * size, (src + 1) * size), n * size);
    y[n] = split.y[src];
  });
  return { x, y, count: indices.length };
}

/** Bump when the subset/split algorithm changes, so cached results keyed on old splits go stale. */
const SPLIT_VERSION = 1;

/**
 * A short stable identifier for cache keys: dataset identity and counts plus the effective options.
 * fingerprint(dataset, opts) equals fingerprint(prepareData(dataset, opts), opts), so a cache can be
 * checked before preparing. Prepared data given without options is identified by its split counts
 * and a hash of its labels instead, so two different splits never share a key.
 */
export function datasetFingerprint(data: PreparedData | Dataset, options?: PrepareOptions): string {
  const dataset = 'dataset' in data ? data.dataset : data;
  const parts: string[] = [
    dataset.name,
    dataset.source,
    dataset.inputShape.join('x'),
    `classes=${dataset.numClasses}`,
    `train=${dataset.train.count}`,
    `test=${dataset.test.count}`,
  ];
  if (options !== undefined) {
    const o = resolvePrepareOptions(dataset, options);
    parts.push(`split=v${SPLIT_VERSION}`, `subset=${o.subset ?? 'all'}`, `val=${o.validationFraction}`, `seed=${o.seed}`);
  } else if ('dataset' in data) {
    parts.push(
      `split=${data.train.count}/${data.validation.count}/${data.test.count}`,
      `labels=${hashBytes(data.train.y)}${hashBytes(data.validation.y)}`,
    );
  }
  const text = parts.join('|');
  return `${dataset.name}-${dataset.train.count}-${hashString(text, 0x811c9dc5)}${hashString(text, 0x050c5d1f)}`;
}

/** FNV-1a, 32 bits, as 8 hex digits; two seeds give 64 bits, plenty for cache keys. */
function hashString(text: string, seed: number): string {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function hashBytes(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
