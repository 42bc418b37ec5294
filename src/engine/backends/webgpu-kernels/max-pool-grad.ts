/**
 * MaxPoolGrad for webgpu in one pass where pooling windows do not overlap (stride ≥ window, the
 * catalog's default). One thread per window and channel finds the window's first maximum
 * (row-major, padding skipped, as the cpu backend does) and writes the whole tile of dx around it:
 * dy at the maximum, zeros elsewhere, including the rows and columns between windows or past the
 * last one, so every element of dx is written exactly once. x and dy are read once, dx written
 * once. tfjs-webgpu 4.22 instead writes every window's argmax to an int32 tensor and reads it back
 * per pixel in a second dispatch. Overlapping windows keep tfjs's kernel.
 */
import { tf } from '../../tf';
import { asWebGpuBackend } from '../webgpu-device';
import { FlatProgram, type KernelArgs, int32Uniforms } from './program';
import { stockKernel } from './stock-kernels';

type Shape4 = [number, number, number, number];

class MaxPoolGradProgram extends FlatProgram {
  variableNames = ['x', 'dy'];
  shaderKey = 'gennMaxPoolGrad';
  override uniforms = 'H : i32, W : i32, C : i32, OH : i32, OW : i32, KH : i32, KW : i32, strideH : i32, strideW : i32, padTop : i32, padLeft : i32, windows : i32,';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.windows) { return; }
        let c = index % uniforms.C;
        let window = index / uniforms.C;
        let j = window % uniforms.OW;
        let bi = window / uniforms.OW;
        let i = bi % uniforms.OH;
        let b = bi / uniforms.OH;
        let top = i * uniforms.strideH - uniforms.padTop;
        let left = j * uniforms.strideW - uniforms.padLeft;
        var best = -uniforms.INFINITY;
        var bestH = -1;
        var bestW = -1;
        for (var r = max(top, 0); r < min(top + uniforms.KH, uniforms.H); r++) {
          for (var s = max(left, 0); s < min(left + uniforms.KW, uniforms.W); s++) {
            let value = x[((b * uniforms.H + r) * uniforms.W + s) * uniforms.C + c];
            if (value > best) {
              best = value;
              bestH = r;
              bestW = s;
            }
          }
        }
        let grad = dy[index];
        // This window's tile of dx: from its top-left to the next window's, the edges to the borders.
        let rowStart = select(max(top, 0), 0, i == 0);
        let rowEnd = select(min(top + uniforms.strideH, uniforms.H), uniforms.H, i == uniforms.OH - 1);
        let colStart = select(max(left, 0), 0, j == 0);
        let colEnd = select(min(left + uniforms.strideW, uniforms.W), uniforms.W, j == uniforms.OW - 1);
        for (var r = rowStart; r < rowEnd; r++) {
          for (var s = colStart; s < colEnd; s++) {
            result[((b * uniforms.H + r) * uniforms.W + s) * uniforms.C + c] = select(0.0, grad, r == bestH && s == bestW);
          }
        }
      }`;
  }
}

function maxPoolGrad(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const overlapping = info.strideHeight < info.filterHeight || info.strideWidth < info.filterWidth;
  if (overlapping) {
    const stock = stockKernel(tf.MaxPoolGrad);
    if (stock === undefined) throw new Error("MaxPoolGrad on webgpu: overlapping windows need tfjs-webgpu's kernel, which was not registered");
    return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
  }
  const gpu = asWebGpuBackend(backend);
  const [, h, w, c] = input.shape as Shape4;
  const windows = tf.util.sizeFromShape(dy.shape);
  const uniforms = int32Uniforms(h, w, c, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, windows);
  return gpu.runWebGPUProgram(new MaxPoolGradProgram(input.shape as Shape4, windows), [input, dy], 'float32', uniforms);
}

export const maxPoolGradKernel: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'webgpu',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
