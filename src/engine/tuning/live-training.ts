/**
 * A tfjs model trained batch by batch on PreparedData with hyperparameters that change while it
 * runs (the Trainee the training-control environment steers). It reuses the trainer's step
 * (createTrainingStep: forward, cross-entropy + L2, backward, update), its optimizers and its
 * evaluation. apply():
 * - learning rate: the optimizer's own rate from the next step on (tfjs's learningRate field or
 *   SGD's kept scalar; the fused webgpu optimizer's rate), its state kept;
 * - optimizer: a switch disposes the old optimizer and starts the new one with fresh state (moments
 *   and velocities are not carried over: Adam's and RMSprop's have different meanings);
 * - dropout: the rate of every Dropout layer of the model (read by the layer at each training call);
 * - weight decay: the L2 term of the next step (the step reads it each time).
 * Nothing is rebuilt: the weights train on.
 */
import type { Hyperparameters } from '../../shared/tuning';
import { batchesPerRead, checkDevice } from '../backends/device';
import type { PreparedData } from '../data/types';
import { createRng, type Rng } from '../random';
import { tf } from '../tf';
import { createOptimizer, type TrainingOptimizer } from '../train/optimizer';
import { createTrainingStep, evaluateModel, letEventsThrough, lossAndAccuracy, readQueued, type Evaluation, type QueuedBatch, type TrainingStep } from '../train/trainer';
import { clampHyperparameters } from './hyperparameters';
import type { Trainee, TraineeBatches, TrainOptions } from './training-control-env';

export interface LiveTrainingOptions {
  batchSize: number;
  /** Seeds the batch order (the model's initial weights and dropout masks are the builder's). */
  seed: number;
  initial: Hyperparameters;
  /** Batches queued before their losses are read back (default: the backend's). */
  batchesPerRead?: number;
}

type DropoutLayer = tf.layers.Layer & { rate: number };

export class LiveTraining implements Trainee {
  readonly batchesPerEpoch: number;
  private optimizer: TrainingOptimizer;
  private step: TrainingStep;
  /** Read by the training step at every batch. */
  private readonly decay = { weightDecay: 0 };
  private current: Hyperparameters;
  private readonly rng: Rng;
  private readonly order: number[];
  /** Position in the current epoch's order. */
  private cursor = 0;
  private readonly sampleSize: number;
  private readonly pixels: Float32Array;
  private readonly labels: Int32Array;
  private readonly dropouts: DropoutLayer[];
  private readonly perRead: number;
  private disposed = false;
  /** Batches trained so far, over all epochs. */
  trainedBatches = 0;

  constructor(
    readonly model: tf.LayersModel,
    readonly data: PreparedData,
    readonly options: LiveTrainingOptions,
  ) {
    const { train } = data;
    if (train.count === 0) throw new Error('LiveTraining: the training split is empty');
    this.batchesPerEpoch = Math.ceil(train.count / options.batchSize);
    this.sampleSize = train.x.length / train.count;
    this.pixels = new Float32Array(options.batchSize * this.sampleSize);
    this.labels = new Int32Array(options.batchSize);
    this.rng = createRng(options.seed);
    this.order = Array.from({ length: train.count }, (_, i) => i);
    this.perRead = Math.max(1, options.batchesPerRead ?? batchesPerRead());
    this.dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout') as DropoutLayer[];
    this.current = clampHyperparameters(options.initial);
    this.optimizer = createOptimizer(this.current.optimizer, this.current.learningRate);
    this.step = createTrainingStep(model, this.decay, data.dataset.numClasses, this.optimizer);
    this.applyDropoutAndDecay();
  }

  get hyperparameters(): Hyperparameters {
    return { ...this.current };
  }

  /** The optimizer's rate as the next step will use it (for checks on the running model). */
  get optimizerLearningRate(): number {
    return this.optimizer.learningRate;
  }

  /** Each Dropout layer's rate, in model order. */
  get dropoutRates(): number[] {
    return this.dropouts.map((l) => l.rate);
  }

  /** The decay term the next step uses. */
  get weightDecayInForce(): number {
    return this.decay.weightDecay;
  }

  apply(h: Hyperparameters): Hyperparameters {
    const next = clampHyperparameters(h);
    if (next.optimizer !== this.current.optimizer) {
      this.optimizer.dispose();
      this.optimizer = createOptimizer(next.optimizer, next.learningRate);
      this.step = createTrainingStep(this.model, this.decay, this.data.dataset.numClasses, this.optimizer);
    } else if (next.learningRate !== this.optimizer.learningRate) this.optimizer.setLearningRate(next.learningRate);
    this.current = next;
    this.applyDropoutAndDecay();
    return this.hyperparameters;
  }

  private applyDropoutAndDecay(): void {
    for (const layer of this.dropouts) layer.rate = this.current.dropout;
    this.decay.weightDecay = this.current.weightDecay;
  }

  private setRate(learningRate: number): void {
    const lr = clampHyperparameters({ ...this.current, learningRate }).learningRate;
    if (lr !== this.optimizer.learningRate) this.optimizer.setLearningRate(lr);
    this.current = { ...this.current, learningRate: lr };
  }

  async train(batches: number, options: TrainOptions = {}): Promise<TraineeBatches> {
    if (this.disposed) throw new Error('LiveTraining: already disposed');
    const { train } = this.data;
    const shape = this.data.dataset.inputShape;
    const { batchSize } = this.options;
    const losses: number[] = [];
    const queued: QueuedBatch[] = [];
    let trained = this.trainedBatches;
    try {
      await checkDevice();
      for (let b = 0; b < batches; b++) {
        if (options.signal?.aborted) return { losses, status: 'cancelled' };
        if (this.cursor === 0) this.rng.shuffle(this.order);
        const size = Math.min(batchSize, train.count - this.cursor);
        for (let i = 0; i < size; i++) {
          const sample = this.order[this.cursor + i];
          this.pixels.set(train.x.subarray(sample * this.sampleSize, (sample + 1) * this.sampleSize), i * this.sampleSize);
          this.labels[i] = train.y[sample];
        }
        this.cursor = this.cursor + size >= train.count ? 0 : this.cursor + size;
        if (options.learningRateAt) this.setRate(options.learningRateAt(trained));
        const x = tf.tensor4d(this.pixels.subarray(0, size * this.sampleSize), [size, ...shape]);
        const y = tf.tensor1d(this.labels.subarray(0, size), 'int32');
        try {
          queued.push({ batch: b, size, ...this.step(x, y) });
        } finally {
          tf.dispose([x, y]);
        }
        trained += 1;
        this.trainedBatches = trained;
        if (queued.length >= this.perRead || b === batches - 1) {
          const read = await readQueued(queued);
          await checkDevice();
          for (const { loss } of read) {
            losses.push(loss);
            if (!Number.isFinite(loss)) return { losses, status: 'diverged' };
          }
        }
        await letEventsThrough();
      }
      return { losses, status: 'ok' };
    } finally {
      tf.dispose(queued.flatMap((q) => [q.loss, q.correct]));
    }
  }

  validate(): Promise<Evaluation> {
    return evaluateModel(this.model, this.data.validation, this.data.dataset.inputShape, this.data.dataset.numClasses);
  }

  test(): Promise<Evaluation> {
    return evaluateModel(this.model, this.data.test, this.data.dataset.inputShape, this.data.dataset.numClasses);
  }

  /**
   * √Σ‖∂L/∂w‖² of the data loss (+ the decay term) over this model's trainable weights, on the first
   * batch of the training split in training mode; nothing is updated.
   */
  async gradientNorm(): Promise<number> {
    const { train, dataset } = this.data;
    const size = Math.min(this.options.batchSize, train.count);
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const kernels = variables.filter((_, i) => /kernel$/.test(this.model.trainableWeights[i].originalName));
    const norm = tf.tidy(() => {
      const x = tf.tensor4d(train.x.subarray(0, size * this.sampleSize), [size, ...dataset.inputShape]);
      const y = tf.tensor1d(train.y.subarray(0, size), 'int32');
      const { grads, value } = tf.variableGrads(() => {
        const probs = this.model.apply(x, { training: true }) as tf.Tensor2D;
        const { loss, correct } = lossAndAccuracy(probs, y, dataset.numClasses);
        correct.dispose();
        if (this.decay.weightDecay === 0 || kernels.length === 0) return loss;
        return tf.add(loss, tf.mul(tf.addN(kernels.map((k) => tf.sum(tf.square(k)))), this.decay.weightDecay / 2)) as tf.Scalar;
      }, variables);
      value.dispose();
      const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
      return squares.length ? tf.sqrt(tf.addN(squares)) : tf.scalar(0);
    });
    const value = (await norm.data())[0];
    norm.dispose();
    return value;
  }

  /** Frees the optimizer's state (the model is the caller's). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.optimizer.dispose();
  }
}
