/**
 * The training loop: a hand-written loop rather than model.fit, so that every batch can be
 * cancelled, checked for a NaN loss, and reported — and so that the hyperparameter agent can later
 * change the optimizer between batches.
 */
import type { EpochMetrics, OptimizerName, TrainingConfig, TrainingResult } from '../../shared/training';
import type { PreparedData, Split } from '../data/types';
import { createRng } from '../random';
import { tf } from '../tf';
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
  onBatch?: (progress: BatchProgress) => void;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
}

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, 0.9);
    case 'adam':
      return tf.train.adam(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}

/** Trains `model` in place on `data.train`, validating on `data.validation` after each epoch. */
export async function trainModel(
  model: tf.LayersModel,
  data: PreparedData,
  config: TrainingConfig,
  hooks: TrainHooks = {},
): Promise<TrainingResult> {
  const { train } = data;
  const sampleSize = train.x.length / train.count;
  const shape = data.dataset.inputShape;
  const numClasses = data.dataset.numClasses;
  const rng = createRng(config.seed);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const batchPixels = new Float32Array(config.batchSize * sampleSize);
  const batchLabels = new Int32Array(config.batchSize);
  // Only this model's weights: minimize() would otherwise scan every variable in the process.
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = variables.filter((v, i) => /kernel$/.test(model.trainableWeights[i].originalName));
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  const epochs: EpochMetrics[] = [];
  const selective = config.selectiveBackprop;
  // Selection draws from a stream of its own, so the batch order is the same with it on or off.
  const selector = selective ? new LossSelector(selective.beta) : undefined;
  const selectionRng = createRng(config.seed + 0x5b);
  /** Per-sample losses of the last fresh forward pass (stale selective backprop). */
  const staleLosses = new Float64Array(train.count);

  /** One optimizer step on the samples `indices[from…from + size)`; its mean loss and correct count. */
  const step = async (indices: ArrayLike<number>, from: number, size: number): Promise<{ loss: number; correct: number }> => {
    for (let i = 0; i < size; i++) {
      const sample = indices[from + i];
      batchPixels.set(train.x.subarray(sample * sampleSize, (sample + 1) * sampleSize), i * sampleSize);
      batchLabels[i] = train.y[sample];
    }
    const x = tf.tensor4d(batchPixels.subarray(0, size * sampleSize), [size, ...shape]);
    const labels = tf.tensor1d(batchLabels.subarray(0, size), 'int32');
    let batchCorrect: tf.Scalar | undefined;
    const loss = optimizer.minimize(() => {
      const probs = model.apply(x, { training: true }) as tf.Tensor2D;
      batchCorrect = tf.keep(countCorrect(probs, labels));
      const dataLoss = crossEntropy(probs, labels, numClasses);
      if (config.weightDecay === 0 || kernels.length === 0) return dataLoss;
      const penalty = tf.addN(kernels.map((k) => tf.sum(tf.square(k))));
      return tf.add(dataLoss, tf.mul(penalty, config.weightDecay / 2)) as tf.Scalar;
    }, true, variables) as tf.Scalar;
    const [lossValue] = await loss.data();
    const [correctValue] = batchCorrect ? await batchCorrect.data() : [0];
    tf.dispose([x, labels, loss, batchCorrect]);
    return { loss: lossValue, correct: correctValue };
  };

  /**
   * Trains on `samples[0…count)` in batches, in order (the plain epoch, and a stale selective one);
   * the sums of the steps' losses and correct counts, or where it diverged or was cancelled.
   */
  const trainOn = async (samples: ArrayLike<number>, count: number, epoch: number): Promise<Sums | Stop> => {
    const sums = { loss: 0, correct: 0 };
    const batches = Math.ceil(count / config.batchSize);
    for (let b = 0; b < batches; b++) {
      if (hooks.signal?.aborted) return { status: 'cancelled', epochs };
      const start = b * config.batchSize;
      const size = Math.min(config.batchSize, count - start);
      const result = await step(samples, start, size);
      if (!Number.isFinite(result.loss)) return { status: 'diverged', epochs, divergence: { epoch, batch: b + 1, loss: result.loss } };
      sums.loss += result.loss * size;
      sums.correct += result.correct;
      hooks.onBatch?.({ epoch, batch: b + 1, batches, loss: result.loss });
      // Let abort signals and messages through between batches (a batch is synchronous on wasm/cpu).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return sums;
  };

  /**
   * A fresh selective-backprop epoch (the paper's loop): forward a batch of the shuffled samples,
   * keep each by its loss, and take a step whenever a full batch is kept (the rest at the end).
   * The sums are the forward pass's, over every sample; `kept` counts those backpropagated.
   */
  const selectiveEpoch = async (selector: LossSelector, epoch: number): Promise<(Sums & { kept: number }) | Stop> => {
    const sums = { loss: 0, correct: 0, kept: 0 };
    const queue: number[] = [];
    const expected = Math.ceil(train.count / (selector.beta + 1) / config.batchSize);
    let batch = 0;
    const flush = async (size: number): Promise<Stop | undefined> => {
      const result = await step(queue, 0, size);
      batch += 1;
      if (!Number.isFinite(result.loss)) return { status: 'diverged', epochs, divergence: { epoch, batch, loss: result.loss } };
      queue.splice(0, size);
      hooks.onBatch?.({ epoch, batch, batches: Math.max(expected, batch), loss: result.loss });
      await new Promise<void>((resolve) => setImmediate(resolve));
      return undefined;
    };
    for (let start = 0; start < train.count; start += config.batchSize) {
      if (hooks.signal?.aborted) return { status: 'cancelled', epochs };
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
        sums.kept += config.batchSize;
        const stop = await flush(config.batchSize);
        if (stop) return stop;
      }
    }
    if (queue.length > 0) {
      sums.kept += queue.length;
      const stop = await flush(queue.length);
      if (stop) return stop;
    }
    return sums;
  };

  try {
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
      if (hooks.onEpoch?.(metrics) === 'prune' && epoch < config.epochs) return { status: 'pruned', epochs };
    }
    return { status: 'completed', epochs };
  } finally {
    disposeOptimizer(optimizer);
  }
}

interface Sums {
  loss: number;
  correct: number;
}
/** How an epoch that did not finish ends the training: cancelled or diverged. */
type Stop = TrainingResult;

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

/** tfjs 4.22's MomentumOptimizer.dispose() skips its SGD parent's, leaking the learning-rate scalar. */
function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  if (optimizer instanceof tf.MomentumOptimizer) {
    const leaked = (optimizer as unknown as { c?: tf.Tensor }).c;
    if (leaked && !leaked.isDisposed) leaked.dispose();
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
      return [tf.mul(crossEntropy(probs, labels, numClasses), size), countCorrect(probs, labels)];
    });
    lossSum += (await batchLoss.data())[0];
    correct += (await batchCorrect.data())[0];
    tf.dispose([batchLoss, batchCorrect]);
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count };
}

/**
 * Mean −log p(true class). Not tf.metrics.categoricalCrossentropy: its clipping turns a NaN
 * probability into a finite loss, which would hide a diverged network.
 */
function crossEntropy(probs: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): tf.Scalar {
  const picked = tf.sum(tf.mul(tf.oneHot(labels, numClasses), probs), 1);
  return tf.neg(tf.mean(tf.log(tf.add(picked, 1e-7)))) as tf.Scalar;
}

/** −log p(true class) per sample. */
function sampleLosses(probs: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): tf.Tensor1D {
  const picked = tf.sum(tf.mul(tf.oneHot(labels, numClasses), probs), 1);
  return tf.neg(tf.log(tf.add(picked, 1e-7))) as tf.Tensor1D;
}

function countCorrect(probs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), labels), 'float32'));
}
