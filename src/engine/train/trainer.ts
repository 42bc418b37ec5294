/**
 * The training loop: a hand-written loop rather than model.fit, so that every batch can be
 * cancelled, checked for a NaN loss, and reported — and so that the hyperparameter agent can later
 * change the optimizer between batches.
 */
import type { EpochMetrics, OptimizerName, TrainingConfig, TrainingResult } from '../../shared/training';
import type { PreparedData, Split } from '../data/types';
import { createRng } from '../random';
import { tf } from '../tf';

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
  const batches = Math.ceil(train.count / config.batchSize);
  const rng = createRng(config.seed);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const batchPixels = new Float32Array(config.batchSize * sampleSize);
  const batchLabels = new Int32Array(config.batchSize);
  // Only this model's weights: minimize() would otherwise scan every variable in the process.
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = variables.filter((v, i) => /kernel$/.test(model.trainableWeights[i].originalName));
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  const epochs: EpochMetrics[] = [];

  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const started = performance.now();
      rng.shuffle(order);
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < batches; b++) {
        if (hooks.signal?.aborted) return { status: 'cancelled', epochs };
        const start = b * config.batchSize;
        const size = Math.min(config.batchSize, train.count - start);
        for (let i = 0; i < size; i++) {
          const sample = order[start + i];
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
        if (!Number.isFinite(lossValue)) {
          return { status: 'diverged', epochs, divergence: { epoch, batch: b + 1, loss: lossValue } };
        }
        lossSum += lossValue * size;
        correct += correctValue;
        hooks.onBatch?.({ epoch, batch: b + 1, batches, loss: lossValue });
        // Let abort signals and messages through between batches (a batch is synchronous on wasm/cpu).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const trainSeconds = (performance.now() - started) / 1000;
      const validation = await evaluateModel(model, data.validation, shape, numClasses);
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
      if (hooks.onEpoch?.(metrics) === 'prune' && epoch < config.epochs) return { status: 'pruned', epochs };
    }
    return { status: 'completed', epochs };
  } finally {
    disposeOptimizer(optimizer);
  }
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

function countCorrect(probs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), labels), 'float32'));
}
