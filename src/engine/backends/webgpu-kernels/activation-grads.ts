/**
 * The gradients of ReLU and softmax on webgpu as one dispatch each. tfjs computes them from ops:
 * ReLU's as dy · step(x) (two dispatches per layer), softmax's as dy·y − y·Σ(dy·y) (four). The
 * gradient registry is global, so the gradient functions are wrapped: on a backend with our kernel
 * they call it, anywhere else tfjs's own function runs unchanged.
 */
import { tf } from '../../tf';
import { asWebGpuBackend } from '../webgpu-device';
import { FlatProgram, type KernelArgs, int32Uniforms } from './program';

export const RELU_GRAD_KERNEL = 'GennReluGrad';
export const SOFTMAX_GRAD_KERNEL = 'GennSoftmaxGrad';

/** dx = dy where x > 0, 0 where x ≤ 0, NaN where x is NaN (as tfjs's step). */
class ReluGradProgram extends FlatProgram {
  variableNames = ['dy', 'x'];
  shaderKey = 'gennReluGrad';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let value = x[index];
        var grad = select(0.0, dy[index], value > 0.0);
        if (isnan(value)) { grad = uniforms.NAN; }
        result[index] = grad;
      }`;
  }
}

/** Per row of the last axis: dx_k = y_k · (dy_k − Σ_j dy_j · y_j). */
class SoftmaxGradProgram extends FlatProgram {
  variableNames = ['dy', 'y'];
  shaderKey = 'gennSoftmaxGrad';
  override uniforms = 'rows : i32, classes : i32,';

  getUserCode(): string {
    return `
      fn main(row : i32) {
        if (row >= uniforms.rows) { return; }
        let base = row * uniforms.classes;
        var dot = 0.0;
        for (var k = 0; k < uniforms.classes; k++) { dot += dy[base + k] * y[base + k]; }
        for (var k = 0; k < uniforms.classes; k++) { result[base + k] = dy[base + k] * y[base + k] - dot * y[base + k]; }
      }`;
  }
}

function reluGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  return asWebGpuBackend(backend).runWebGPUProgram(new ReluGradProgram(x.shape), [dy, x], 'float32');
}

function softmaxGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { dy, y } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  const classes = y.shape[y.shape.length - 1];
  const rows = tf.util.sizeFromShape(y.shape) / classes;
  return asWebGpuBackend(backend).runWebGPUProgram(new SoftmaxGradProgram(y.shape, rows), [dy, y], 'float32', int32Uniforms(rows, classes));
}

export const activationGradKernels: tf.KernelConfig[] = [
  { kernelName: RELU_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: reluGrad as unknown as tf.KernelFunc },
  { kernelName: SOFTMAX_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: softmaxGrad as unknown as tf.KernelFunc },
];

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;
let wrapped = false;

/** Wraps tfjs's Relu and Softmax gradients (once per process). */
export function wrapActivationGradients(): void {
  if (wrapped) return;
  const relu = tf.getGradient(tf.Relu);
  const softmax = tf.getGradient(tf.Softmax);
  if (relu === undefined || softmax === undefined) throw new Error('tfjs has no Relu or Softmax gradient to wrap');
  tf.registerGradient({
    ...relu,
    gradFunc: (dy, saved, attrs) => {
      if (!hasKernel(RELU_GRAD_KERNEL) || Array.isArray(dy) || dy.dtype !== 'float32' || saved[0].dtype !== 'float32') return relu.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x: saved[0] }) as tf.Tensor };
    },
  });
  tf.registerGradient({
    ...softmax,
    gradFunc: (dy, saved, attrs) => {
      const y = saved[0];
      const lastAxis = (attrs as { dim?: number }).dim === -1 || (attrs as { dim?: number }).dim === y.rank - 1;
      if (!hasKernel(SOFTMAX_GRAD_KERNEL) || Array.isArray(dy) || !lastAxis) return softmax.gradFunc(dy, saved, attrs);
      return { logits: () => tf.engine().runKernel(SOFTMAX_GRAD_KERNEL, { dy, y }) as tf.Tensor };
    },
  });
  wrapped = true;
}
