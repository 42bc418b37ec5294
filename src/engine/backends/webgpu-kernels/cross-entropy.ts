/**
 * The trainer's loss and accuracy on webgpu in three dispatches instead of about seventeen: the
 * loss −mean(log(p[label] + 1e-7)) and the count of rows whose first maximum is the label, each
 * reduced by one workgroup, and the loss's gradient with respect to the probabilities,
 * −dy / (B · (p[label] + 1e-7)) at the label and 0 elsewhere, in one flat pass. The same
 * arithmetic as the trainer's tf-op version (trainer.ts), which the other backends run.
 */
import { tf } from '../../tf';
import { asWebGpuBackend } from '../webgpu-device';
import { FlatProgram, type WebGpuProgram, type KernelArgs, int32Uniforms } from './program';

export const CROSS_ENTROPY_KERNEL = 'GennCrossEntropy';
export const CROSS_ENTROPY_GRAD_KERNEL = 'GennCrossEntropyGrad';
/** Added to the label's probability before the log, as the trainer does. */
export const LOG_EPSILON = 1e-7;
const REDUCE_THREADS = 256;

/** One workgroup walks the rows: `loss` sums log(p[label] + ε), `correct` counts argmax = label. */
class RowReduceProgram implements WebGpuProgram {
  variableNames = ['probs', 'labels'];
  outputShape: number[] = [];
  shaderKey: string;
  dispatchLayout = { x: [] as number[], y: [0] };
  dispatch: [number, number, number] = [1, 1, 1];
  workgroupSize: [number, number, number] = [REDUCE_THREADS, 1, 1];
  uniforms = 'rows : i32, classes : i32,';

  constructor(private readonly quantity: 'loss' | 'correct') {
    this.shaderKey = `gennCrossEntropy_${quantity}`;
  }

  getUserCode(): string {
    const perRow =
      this.quantity === 'loss'
        ? `sum += log(probs[i * uniforms.classes + label] + ${LOG_EPSILON});`
        : `var best = 0;
           for (var k = 1; k < uniforms.classes; k++) {
             if (probs[i * uniforms.classes + k] > probs[i * uniforms.classes + best]) { best = k; }
           }
           sum += select(0.0, 1.0, best == label);`;
    const finish = this.quantity === 'loss' ? '-partial[0] / f32(uniforms.rows)' : 'partial[0]';
    return `
      var<workgroup> partial : array<f32, ${REDUCE_THREADS}>;
      fn main() {
        let lid = i32(localIndex);
        var sum = 0.0;
        for (var i = lid; i < uniforms.rows; i += ${REDUCE_THREADS}) {
          let label = i32(labels[i]);
          ${perRow}
        }
        partial[lid] = sum;
        workgroupBarrier();
        for (var stride = ${REDUCE_THREADS / 2}; stride > 0; stride /= 2) {
          if (lid < stride) { partial[lid] += partial[lid + stride]; }
          workgroupBarrier();
        }
        if (lid == 0) { result[0] = ${finish}; }
      }`;
  }
}

class CrossEntropyGradProgram extends FlatProgram {
  variableNames = ['probs', 'labels', 'dy'];
  shaderKey = 'gennCrossEntropyGrad';
  override uniforms = 'classes : i32,';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let row = index / uniforms.classes;
        let label = i32(labels[row]);
        var grad = 0.0;
        if (index % uniforms.classes == label) {
          let rows = f32(uniforms.size / uniforms.classes);
          grad = -dy[0] / (rows * (probs[index] + ${LOG_EPSILON}));
        }
        result[index] = grad;
      }`;
  }
}

function crossEntropy({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const gpu = asWebGpuBackend(backend);
  const { probs, labels } = inputs as { probs: tf.TensorInfo; labels: tf.TensorInfo };
  const [rows, classes] = probs.shape;
  const uniforms = int32Uniforms(rows, classes);
  return (['loss', 'correct'] as const).map((quantity) => gpu.runWebGPUProgram(new RowReduceProgram(quantity), [probs, labels], 'float32', uniforms));
}

function crossEntropyGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const gpu = asWebGpuBackend(backend);
  const { probs, labels, dy } = inputs as { probs: tf.TensorInfo; labels: tf.TensorInfo; dy: tf.TensorInfo };
  return gpu.runWebGPUProgram(new CrossEntropyGradProgram(probs.shape), [probs, labels, dy], 'float32', int32Uniforms(probs.shape[1]));
}

export const crossEntropyKernels: tf.KernelConfig[] = [
  { kernelName: CROSS_ENTROPY_KERNEL, backendName: 'webgpu', kernelFunc: crossEntropy as unknown as tf.KernelFunc },
  { kernelName: CROSS_ENTROPY_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: crossEntropyGrad as unknown as tf.KernelFunc },
];

/** Whether the current backend has the fused loss (webgpu with our kernels). */
export function hasFusedCrossEntropy(): boolean {
  return tf.getKernel(CROSS_ENTROPY_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * The mean cross-entropy of `probs` [B, K] against int32 `labels` [B] (differentiable with respect
 * to `probs`), and the number of correct rows (a kept tensor the caller disposes).
 */
export function fusedCrossEntropy(probs: tf.Tensor2D, labels: tf.Tensor1D): { loss: tf.Scalar; correct: tf.Scalar } {
  let correct: tf.Scalar | undefined;
  const withGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [p, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [loss, count] = tf.engine().runKernel(CROSS_ENTROPY_KERNEL, { probs: p, labels }) as tf.Scalar[];
    correct = tf.keep(count);
    save([p]);
    return {
      value: loss,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => tf.engine().runKernel(CROSS_ENTROPY_GRAD_KERNEL, { probs: saved[0], labels, dy }) as tf.Tensor,
    };
  });
  const loss = withGradient(probs) as tf.Scalar;
  if (correct === undefined) throw new Error(`${CROSS_ENTROPY_KERNEL} produced no count`);
  return { loss, correct };
}
