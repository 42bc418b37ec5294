/** In-memory datasets: plain typed arrays, so loading never allocates tensors (no leaks, no backend needed). */
import type { DatasetName } from '../../shared/run-config';

/** Height, width, channels. */
export type ImageShape = [number, number, number];

export interface Split {
  /** count × H × W × C pixels scaled to [0, 1], row-major (NHWC). */
  x: Float32Array;
  /** count class labels, 0 … numClasses − 1. */
  y: Uint8Array;
  count: number;
}

export interface Dataset {
  name: DatasetName;
  inputShape: ImageShape;
  numClasses: number;
  classNames: string[];
  /** Where the data came from (directory or "synthetic:<seed>"); part of the dataset's fingerprint. */
  source: string;
  train: Split;
  test: Split;
}

/** The run config's names, one list for both (the engine loads each one it names). */
export type { DatasetName };

/** What the trainer sees: the test split is only touched for final reporting. */
export interface PreparedData {
  dataset: Dataset;
  train: Split;
  validation: Split;
  test: Split;
}

export interface PrepareOptions {
  /** Train on at most this many samples of the training set (stratified, seeded); before the validation split. */
  subset?: number;
  /** Fraction of the (subset) training set held out for validation. Default 0.1. */
  validationFraction?: number;
  /** Seed for the subset and the split. Default 0. */
  seed?: number;
}

/** A dataset file that is missing, truncated or not in the expected format. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
  }
}
