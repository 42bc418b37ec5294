/**
 * The training loop: a hand-written loop rather than model.fit, so that every batch can be
 * cancelled, checked for a NaN loss, and reported — and so that the hyperparameter agent can later
 * change the optimizer between batches.
 *
 * On a GPU the loop queues several batches before it reads their losses back (batchesPerRead): a
 * read waits for the GPU to drain, and reading every batch leaves it idle while JavaScript records
 * the next one. Each batch's loss is still kept and reported, only later.
 */
import type { EpochMetrics, TrainingConfig, TrainingResult } from '../../shared/training';
import { batchesPerRead, checkDevice } from '../backends/device';
import { fusedCrossEntropy, hasFusedCrossEntropy, LOG_EPSILON } from '../backends/webgpu-kernels/cross-entropy';
import type { PreparedData, Split } from '../data/types';
import { createRng } from '../random';
import { tf } from '../tf';
import { createOptimizer, type TrainingOptimizer } from './optimizer';

export interface BatchProgress {
  epoch: number;
  /** 1-based batch within the epoch. */
  batch: number;
  batches: number;
  loss: number;
}

export interface TrainHooks {
  signal?: AbortSignal;
  onEpoch?: (metrics: EpochMetrics) => void;
  /** Called for every batch in order; on a GPU several at a time, when their losses are read back. */
  onBatch?: (progress: BatchProgress) => void;
}

export interface TrainOptions extends TrainHooks {
  /**
   * Batches to queue before reading their losses back (default: the backend's batchesPerRead: 1 on
   * CPU backends, more on a GPU). A NaN loss is caught at the next read, up to this many − 1
   * batches after the one that produced it, which is still the batch reported.
   */
  batchesPerRead?: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
}

/** One training step: the loss and the number of correct predictions, as tensors the caller disposes. */
export type TrainingStep = (x: tf.Tensor4D, labels: tf.Tensor1D) => { loss: tf.Scalar; correct: tf.Scalar };

/** The step the trainer runs on every batch: forward, cross-entropy (+ L2), backward, update. */
export function createTrainingStep(model: tf.LayersModel, config: TrainingConfig, numClasses: number, optimizer: TrainingOptimizer): TrainingStep {
  // Only this model's weights: minimize() would otherwise scan every variable in the process.
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = variables.filter((v, i) => /kernel$/.test(model.trainableWeights[i].originalName));
  return (x, labels) => {
    let correct: tf.Scalar | undefined;
    let loss: tf.Scalar;
    try {
      loss = optimizer.minimize(() => {
        const probs = model.apply(x, { training: true }) as tf.Tensor2D;
        const { loss: dataLoss, correct: count } = lossAndAccuracy(probs, labels, numClasses);
        correct = count;
        if (config.weightDecay === 0 || kernels.length === 0) return dataLoss;
        const penalty = tf.addN(kernels.map((k) => tf.sum(tf.square(k))));
        return tf.add(dataLoss, tf.mul(penalty, config.weightDecay / 2)) as tf.Scalar;
      }, variables);
    } catch (error) {
      tf.dispose(correct);
      releaseAbandonedTape();
      throw error;
    }
    if (correct === undefined) throw new Error('the training step computed no accuracy');
    return { loss, correct };
  };
}

/**
 * When a kernel throws during a forward pass (a network too big for the GPU), tfjs leaves the
 * gradient tape of that pass behind, with the activations it kept for the backward pass; the next
 * pass would drop the tape without freeing them. Free them now.
 */
function releaseAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: Array<{ saved?: tf.Tensor[] }> | null } }).state;
  if (state.gradientDepth !== 0 || state.activeTape == null) return;
  for (const node of state.activeTape) for (const tensor of node.saved ?? []) tensor.dispose();
  state.activeTape = null;
}

interface QueuedBatch {
  batch: number;
  size: number;
  loss: tf.Scalar;
  correct: tf.Scalar;
}

/** Reads the queued batches' losses and correct counts in one transfer, oldest first, and frees them. */
async function readQueued(queued: QueuedBatch[]): Promise<Array<{ batch: number; size: number; loss: number; correct: number }>> {
  const batches = queued.splice(0);
  if (batches.length === 0) return [];
  const scalars = batches.flatMap((q) => [q.loss, q.correct]);
  try {
    const packed = tf.tidy(() => tf.stack(scalars));
    const values = await packed.data();
    packed.dispose();
    return batches.map(({ batch, size }, i) => ({ batch, size, loss: values[2 * i], correct: values[2 * i + 1] }));
  } finally {
    tf.dispose(scalars);
  }
}

/** Trains `model` in place on `data.train`, validating on `data.validation` after each epoch. */
export async function trainModel(
  model: tf.LayersModel,
  data: PreparedData,
  config: TrainingConfig,
  options: TrainOptions = {},
): Promise<TrainingResult> {
  const { train } = data;
  const sampleSize = train.x.length / train.count;
  const shape = data.dataset.inputShape;
  const numClasses = data.dataset.numClasses;
  const batches = Math.ceil(train.count / config.batchSize);
  const perRead = Math.max(1, options.batchesPerRead ?? batchesPerRead());
  const rng = createRng(config.seed);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const batchPixels = new Float32Array(config.batchSize * sampleSize);
  const batchLabels = new Int32Array(config.batchSize);
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  const step = createTrainingStep(model, config, numClasses, optimizer);
  const queued: QueuedBatch[] = [];
  const epochs: EpochMetrics[] = [];

  try {
    await checkDevice(); // an error left by earlier work is not this candidate's
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const started = performance.now();
      rng.shuffle(order);
      let lossSum = 0;
      let correct = 0;
      /** Reads and reports the queued batches; the result to end training with, if it must end. */
      const settle = async (): Promise<TrainingResult | undefined> => {
        const read = await readQueued(queued);
        await checkDevice();
        for (const { batch, size, loss, correct: batchCorrect } of read) {
          if (!Number.isFinite(loss)) return { status: 'diverged', epochs, divergence: { epoch, batch, loss } };
          if (options.signal?.aborted) return { status: 'cancelled', epochs };
          lossSum += loss * size;
          correct += batchCorrect;
          options.onBatch?.({ epoch, batch, batches, loss });
        }
        return undefined;
      };
      for (let b = 0; b < batches; b++) {
        if (options.signal?.aborted) return { status: 'cancelled', epochs };
        const start = b * config.batchSize;
        const size = Math.min(config.batchSize, train.count - start);
        for (let i = 0; i < size; i++) {
          const sample = order[start + i];
          batchPixels.set(train.x.subarray(sample * sampleSize, (sample + 1) * sampleSize), i * sampleSize);
          batchLabels[i] = train.y[sample];
        }
        const x = tf.tensor4d(batchPixels.subarray(0, size * sampleSize), [size, ...shape]);
        const labels = tf.tensor1d(batchLabels.subarray(0, size), 'int32');
        try {
          queued.push({ batch: b + 1, size, ...step(x, labels) });
        } finally {
          tf.dispose([x, labels]);
        }
        if (queued.length >= perRead || b === batches - 1) {
          const stop = await settle();
          if (stop) return stop;
        }
        // Let abort signals and messages through between batches (a batch is synchronous on wasm/cpu).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const trainSeconds = (performance.now() - started) / 1000;
      const validation = await evaluateModel(model, data.validation, shape, numClasses);
      await checkDevice();
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: lossSum / train.count,
        trainAccuracy: correct / train.count,
        validLoss: validation.loss,
        validAccuracy: validation.accuracy,
        seconds: (performance.now() - started) / 1000,
        imagesPerSecond: train.count / trainSeconds,
      };
      if (!Number.isFinite(metrics.validLoss)) {
        return { status: 'diverged', epochs, divergence: { epoch, batch: batches, loss: metrics.validLoss } };
      }
      epochs.push(metrics);
      options.onEpoch?.(metrics);
    }
    return { status: 'completed', epochs };
  } finally {
    tf.dispose(queued.flatMap((q) => [q.loss, q.correct]));
    optimizer.dispose();
  }
}

/** Mean loss and accuracy over a whole split, in inference mode. */
export async function evaluateModel(
  model: tf.LayersModel,
  split: Split,
  shape: readonly [number, number, number],
  numClasses: number,
  batchSize = 500,
): Promise<Evaluation> {
  const sampleSize = split.x.length / split.count;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const [batchLoss, batchCorrect] = tf.tidy(() => {
      const x = tf.tensor4d(split.x.subarray(start * sampleSize, (start + size) * sampleSize), [size, ...shape]);
      const labels = tf.tensor1d(split.y.subarray(start, start + size), 'int32');
      const probs = model.predict(x) as tf.Tensor2D;
      const { loss, correct: count } = lossAndAccuracy(probs, labels, numClasses);
      return [tf.mul(loss, size), count];
    });
    lossSum += (await batchLoss.data())[0];
    correct += (await batchCorrect.data())[0];
    tf.dispose([batchLoss, batchCorrect]);
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count };
}

/**
 * The training loss (crossEntropy) and the number of correct predictions (a kept tensor the caller
 * disposes); on webgpu as fused kernels with the same arithmetic.
 */
export function lossAndAccuracy(probs: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): { loss: tf.Scalar; correct: tf.Scalar } {
  if (hasFusedCrossEntropy()) return fusedCrossEntropy(probs, labels);
  return { loss: crossEntropy(probs, labels, numClasses), correct: tf.keep(countCorrect(probs, labels)) };
}

/**
 * Mean −log p(true class). Not tf.metrics.categoricalCrossentropy: its clipping turns a NaN
 * probability into a finite loss, which would hide a diverged network.
 */
export function crossEntropy(probs: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): tf.Scalar {
  const picked = tf.sum(tf.mul(tf.oneHot(labels, numClasses), probs), 1);
  return tf.neg(tf.mean(tf.log(tf.add(picked, LOG_EPSILON)))) as tf.Scalar;
}

function countCorrect(probs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), labels), 'float32'));
}
