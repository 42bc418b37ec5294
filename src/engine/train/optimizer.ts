/**
 * The optimizers the trainer steps with. On most backends these are tfjs's own. On webgpu, where
 * tfjs's Adam costs about fifteen small kernel dispatches per variable per step, the update of each
 * variable (and its moment slots) is one fused kernel (see backends/webgpu-kernels), with the same
 * arithmetic as tfjs's optimizers.
 */
import type { OptimizerName } from '../../shared/training';
import { OPTIMIZER_UPDATE_KERNEL, type OptimizerUpdateAttrs } from '../backends/webgpu-kernels/optimizer-update';
import { tf } from '../tf';

export interface TrainingOptimizer {
  /** Computes the gradients of `loss` for `variables`, applies them, and returns the loss (the caller disposes it). */
  minimize(loss: () => tf.Scalar, variables: tf.Variable[]): tf.Scalar;
  /** The rate the next step uses. */
  readonly learningRate: number;
  /** Changes the rate from the next step on, keeping the optimizer's state (moments, velocity). */
  setLearningRate(learningRate: number): void;
  dispose(): void;
}

/** tfjs's defaults, which the fused update reproduces. */
const ADAM = { beta1: 0.9, beta2: 0.999 };
const MOMENTUM = 0.9;
const RMSPROP = { decay: 0.9, momentum: 0 };

export function createOptimizer(name: OptimizerName, learningRate: number): TrainingOptimizer {
  if (tf.getKernel(OPTIMIZER_UPDATE_KERNEL, tf.getBackend()) !== undefined) return new FusedOptimizer(name, learningRate);
  return new TfjsOptimizer(tfjsOptimizer(name, learningRate));
}

function tfjsOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, MOMENTUM);
    case 'adam':
      return tf.train.adam(learningRate, ADAM.beta1, ADAM.beta2);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, RMSPROP.decay, RMSPROP.momentum);
  }
}

class TfjsOptimizer implements TrainingOptimizer {
  constructor(private readonly optimizer: tf.Optimizer) {}

  get learningRate(): number {
    return (this.optimizer as unknown as { learningRate: number }).learningRate;
  }

  /**
   * SGD and momentum keep the rate as a kept scalar (setLearningRate replaces it); Adam and RMSprop
   * read their `learningRate` field at every step.
   */
  setLearningRate(learningRate: number): void {
    // Not `instanceof tf.SGDOptimizer`: tfjs's optimizers answer instanceof by their fields, so Adam passes it.
    const sgd = this.optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
    if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(learningRate);
    else sgd.learningRate = learningRate;
  }

  minimize(loss: () => tf.Scalar, variables: tf.Variable[]): tf.Scalar {
    return this.optimizer.minimize(loss, true, variables) as tf.Scalar;
  }

  /** tfjs 4.22's MomentumOptimizer.dispose() skips its SGD parent's, leaking the learning-rate scalar. */
  dispose(): void {
    this.optimizer.dispose();
    if (this.optimizer instanceof tf.MomentumOptimizer) {
      const leaked = (this.optimizer as unknown as { c?: tf.Tensor }).c;
      if (leaked && !leaked.isDisposed) leaked.dispose();
    }
  }
}

/** Per-variable state: the slots each optimizer keeps (Adam: m and v; momentum: the velocity…). */
interface Slots {
  first?: tf.Tensor;
  second?: tf.Tensor;
}

class FusedOptimizer implements TrainingOptimizer {
  private readonly slots = new Map<number, Slots>();
  private step = 0;
  private readonly epsilon = tf.backend().epsilon();

  constructor(
    private readonly name: OptimizerName,
    public learningRate: number,
  ) {}

  /** Read by attrs() at every update. */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  minimize(loss: () => tf.Scalar, variables: tf.Variable[]): tf.Scalar {
    const { value, grads } = tf.variableGrads(loss, variables);
    this.step++;
    try {
      for (const variable of variables) {
        const gradient = grads[variable.name];
        if (gradient !== undefined) this.update(variable, gradient);
      }
    } finally {
      tf.dispose(Object.values(grads));
    }
    return value;
  }

  private update(variable: tf.Variable, gradient: tf.Tensor): void {
    let slots = this.slots.get(variable.id);
    if (slots === undefined) {
      const count = this.name === 'adam' || this.name === 'rmsprop' ? 2 : this.name === 'momentum' ? 1 : 0;
      slots = { first: count >= 1 ? tf.zerosLike(variable) : undefined, second: count >= 2 ? tf.zerosLike(variable) : undefined };
      this.slots.set(variable.id, slots);
    }
    // The update writes in place, so the variable must not share its buffer (tfjs shares buffers
    // between a tensor and its clones or a variable and the tensor last assigned to it).
    if (tf.backend().refCount(variable.dataId) > 1) variable.assign(tf.tidy(() => tf.mul(variable, 1)));
    const inputs: tf.NamedTensorMap = { variable, gradient };
    if (slots.first) inputs.first = slots.first;
    if (slots.second) inputs.second = slots.second;
    tf.engine().runKernel(OPTIMIZER_UPDATE_KERNEL, inputs, this.attrs() as unknown as tf.NamedAttrMap);
  }

  private attrs(): OptimizerUpdateAttrs {
    const learningRate = this.learningRate;
    switch (this.name) {
      case 'sgd':
        return { rule: 'sgd', learningRate };
      case 'momentum':
        return { rule: 'momentum', learningRate, momentum: MOMENTUM };
      case 'adam':
        return { rule: 'adam', learningRate, ...ADAM, epsilon: this.epsilon, step: this.step };
      case 'rmsprop':
        return { rule: 'rmsprop', learningRate, ...RMSPROP, epsilon: this.epsilon };
    }
  }

  dispose(): void {
    for (const slots of this.slots.values()) tf.dispose([slots.first, slots.second].filter((t): t is tf.Tensor => t !== undefined));
    this.slots.clear();
  }
}
