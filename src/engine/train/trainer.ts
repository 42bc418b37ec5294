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
import { LossSelector } from './selective-backprop';

export interface BatchProgress {
  epoch: number;
  /** 1-based batch within the epoch. */
  batch: number;
  batches: number;
  loss: number;
}

export interface TrainHooks {
  signal?: AbortSignal;
  /** After each epoch; 'prune' stops training there (status `pruned`, the epochs so far kept). */
  onEpoch?: (metrics: EpochMetrics) => void | 'prune';
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

/**
 * The step the trainer runs on every batch: forward, cross-entropy (+ L2), backward, update.
 * `config.weightDecay` is read at every step, so a caller that changes it (the tuning controller's
 * LiveTraining) changes the decay term of the next step.
 */
export function createTrainingStep(model: tf.LayersModel, config: Pick<TrainingConfig, 'weightDecay'>, numClasses: number, optimizer: TrainingOptimizer): TrainingStep {
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

export interface QueuedBatch {
  batch: number;
  size: number;
  loss: tf.Scalar;
  correct: tf.Scalar;
}

/** Reads the queued batches' losses and correct counts in one transfer, oldest first, and frees them. */
export async function readQueued(queued: QueuedBatch[]): Promise<Array<{ batch: number; size: number; loss: number; correct: number }>> {
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
  const perRead = Math.max(1, options.batchesPerRead ?? batchesPerRead());
  const rng = createRng(config.seed);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const batchPixels = new Float32Array(config.batchSize * sampleSize);
  const batchLabels = new Int32Array(config.batchSize);
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  const step = createTrainingStep(model, config, numClasses, optimizer);
  const queued: QueuedBatch[] = [];
  const epochs: EpochMetrics[] = [];
  const selective = config.selectiveBackprop;
  // Selection draws from a stream of its own, so the batch order is the same with it on or off.
  const selector = selective ? new LossSelector(selective.beta) : undefined;
  const selectionRng = createRng(config.seed + 0x5b);
  /** Per-sample losses of the last fresh forward pass (stale selective backprop). */
  const staleLosses = new Float64Array(train.count);

  /** Queues one optimizer step on the samples `indices[from…from + size)` as batch `batch`. */
  const enqueue = (indices: ArrayLike<number>, from: number, size: number, batch: number): void => {
    for (let i = 0; i < size; i++) {
      const sample = indices[from + i];
      batchPixels.set(train.x.subarray(sample * sampleSize, (sample + 1) * sampleSize), i * sampleSize);
      batchLabels[i] = train.y[sample];
    }
    const x = tf.tensor4d(batchPixels.subarray(0, size * sampleSize), [size, ...shape]);
    const labels = tf.tensor1d(batchLabels.subarray(0, size), 'int32');
    try {
      queued.push({ batch, size, ...step(x, labels) });
    } finally {
      tf.dispose([x, labels]);
    }
  };

  /** Reads the queued steps back, reports them and adds them to `sums`; how training ends, if it must. */
  const settle = async (epoch: number, batches: number, sums?: Sums): Promise<Stop | undefined> => {
    const read = await readQueued(queued);
    await checkDevice();
    for (const { batch, size, loss, correct } of read) {
      if (!Number.isFinite(loss)) return { status: 'diverged', epochs, divergence: { epoch, batch, loss } };
      if (options.signal?.aborted) return { status: 'cancelled', epochs };
      if (sums) {
        sums.loss += loss * size;
        sums.correct += correct;
      }
      options.onBatch?.({ epoch, batch, batches, loss });
    }
    return undefined;
  };

  /**
   * Trains on `samples[0…count)` in batches, in order (the plain epoch, and a stale selective one);
   * the sums of the steps' losses and correct counts, or where it diverged or was cancelled.
   */
  const trainOn = async (samples: ArrayLike<number>, count: number, epoch: number): Promise<Sums | Stop> => {
    const sums = { loss: 0, correct: 0 };
    const batches = Math.ceil(count / config.batchSize);
    for (let b = 0; b < batches; b++) {
      if (options.signal?.aborted) return { status: 'cancelled', epochs };
      const start = b * config.batchSize;
      enqueue(samples, start, Math.min(config.batchSize, count - start), b + 1);
      if (queued.length >= perRead || b === batches - 1) {
        const stop = await settle(epoch, batches, sums);
        if (stop) return stop;
      }
      await letEventsThrough();
    }
    return sums;
  };

  /**
   * A fresh selective-backprop epoch (the paper's loop): forward a batch of the shuffled samples,
   * keep each by its loss, and take a step whenever a full batch is kept (the rest at the end).
   * The sums are the forward pass's, over every sample; `kept` counts those backpropagated.
   * Selection needs each forward pass's losses at once, so steps are read back one by one.
   */
  const selectiveEpoch = async (selector: LossSelector, epoch: number): Promise<(Sums & { kept: number }) | Stop> => {
    const sums = { loss: 0, correct: 0, kept: 0 };
    const queue: number[] = [];
    const expected = Math.ceil(train.count / (selector.beta + 1) / config.batchSize);
    let batch = 0;
    const flush = async (size: number): Promise<Stop | undefined> => {
      batch += 1;
      enqueue(queue, 0, size, batch);
      queue.splice(0, size);
      sums.kept += size;
      const stop = await settle(epoch, Math.max(expected, batch));
      await letEventsThrough();
      return stop;
    };
    for (let start = 0; start < train.count; start += config.batchSize) {
      if (options.signal?.aborted) return { status: 'cancelled', epochs };
      const size = Math.min(config.batchSize, train.count - start);
      const forward = await forwardLosses(model, train, order, start, size, shape, numClasses);
      sums.loss += forward.losses.reduce((a, v) => a + v, 0);
      sums.correct += forward.correct;
      for (let i = 0; i < size; i++) {
        const sample = order[start + i];
        staleLosses[sample] = forward.losses[i];
        if (selector.keep(forward.losses[i], selectionRng)) queue.push(sample);
      }
      while (queue.length >= config.batchSize) {
        const stop = await flush(config.batchSize);
        if (stop) return stop;
      }
    }
    if (queue.length > 0) {
      const stop = await flush(queue.length);
      if (stop) return stop;
    }
    return sums;
  };

  try {
    await checkDevice(); // an error left by earlier work is not this candidate's
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const started = performance.now();
      rng.shuffle(order);
      let outcome: (Sums & { kept?: number }) | Stop;
      /** How many samples the sums cover. */
      let measured = train.count;
      if (!selector || !selective) outcome = await trainOn(order, train.count, epoch);
      else if ((epoch - 1) % selective.staleEpochs === 0) outcome = await selectiveEpoch(selector, epoch);
      else {
        // Stale: selected by the losses of the last forward pass; the sums are the steps'.
        const kept = order.filter((sample) => selector.keep(staleLosses[sample], selectionRng));
        const steps = await trainOn(kept, kept.length, epoch);
        outcome = 'status' in steps ? steps : { ...steps, kept: kept.length };
        measured = Math.max(1, kept.length);
      }
      if ('status' in outcome) return outcome;
      const trainSeconds = (performance.now() - started) / 1000;
      const validation = await evaluateModel(model, data.validation, shape, numClasses);
      await checkDevice();
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: outcome.loss / measured,
        trainAccuracy: outcome.correct / measured,
        validLoss: validation.loss,
        validAccuracy: validation.accuracy,
        seconds: (performance.now() - started) / 1000,
        imagesPerSecond: train.count / trainSeconds,
        ...(outcome.kept === undefined ? {} : { backpropShare: outcome.kept / train.count }),
      };
      if (!Number.isFinite(metrics.validLoss)) {
        return { status: 'diverged', epochs, divergence: { epoch, batch: Math.ceil(train.count / config.batchSize), loss: metrics.validLoss } };
      }
      epochs.push(metrics);
      if (options.onEpoch?.(metrics) === 'prune' && epoch < config.epochs) return { status: 'pruned', epochs };
    }
    return { status: 'completed', epochs };
  } finally {
    tf.dispose(queued.flatMap((q) => [q.loss, q.correct]));
    optimizer.dispose();
  }
}

interface Sums {
  loss: number;
  correct: number;
}
/** How an epoch that did not finish ends the training: cancelled or diverged. */
type Stop = TrainingResult;

/** Lets abort signals and messages through between batches (a batch is synchronous on wasm/cpu). */
export function letEventsThrough(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** Selective backprop's forward pass over `order[start…start + size)`: each sample's loss (inference mode) and the correct count. */
async function forwardLosses(
  model: tf.LayersModel,
  split: Split,
  order: readonly number[],
  start: number,
  size: number,
  shape: readonly [number, number, number],
  numClasses: number,
): Promise<{ losses: Float32Array; correct: number }> {
  const sampleSize = split.x.length / split.count;
  const pixels = new Float32Array(size * sampleSize);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const sample = order[start + i];
    pixels.set(split.x.subarray(sample * sampleSize, (sample + 1) * sampleSize), i * sampleSize);
    labels[i] = split.y[sample];
  }
  const [perSample, hits] = tf.tidy(() => {
    const probs = model.predict(tf.tensor4d(pixels, [size, ...shape])) as tf.Tensor2D;
    const y = tf.tensor1d(labels, 'int32');
    return [sampleLosses(probs, y, numClasses), countCorrect(probs, y)];
  });
  const losses = (await perSample.data()) as Float32Array;
  const correct = (await hits.data())[0];
  tf.dispose([perSample, hits]);
  return { losses, correct };
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

/** −log p(true class) per sample. */
function sampleLosses(probs: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): tf.Tensor1D {
  const picked = tf.sum(tf.mul(tf.oneHot(labels, numClasses), probs), 1);
  return tf.neg(tf.log(tf.add(picked, LOG_EPSILON))) as tf.Tensor1D;
}

function countCorrect(probs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), labels), 'float32'));
}
