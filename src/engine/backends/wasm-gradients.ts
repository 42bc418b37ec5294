/**
 * The three convolution-gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks
 * (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input), written as composites of
 * kernels it has, so conv nets can train on the wasm backend; plus a faster Conv2DBackpropInput.
 * Every heavy step is one of wasm's XNNPACK convolutions, so gradients run at forward-pass speed.
 *
 * The composites call the wasm backend's own kernel functions on TensorInfos (the way tfjs's own
 * composite kernels do) instead of tf ops: nothing is taped or tracked by the engine, every
 * intermediate is released with backend.disposeData (refcounted, so Reshape's shared buffers are
 * safe), and the TensorInfo we return is owned by the caller.
 *
 * Notation, NHWC, stride s, padding top/left pT/pL, x̂ = x zero-padded:
 *   forward       y[b,i,j,o]  = Σ_{p,q,c} x̂[b, i·s+p, j·s+q, c] · w[p,q,c,o]
 *   depthwise     y[b,i,j,cM+m] = Σ_{p,q} x̂[b, i·s+p, j·s+q, c] · w[p,q,c,m]
 */
import { tf } from '../tf';

type TensorInfo = tf.TensorInfo;
type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** The slice of the BackendWasm API the composites need. */
interface WasmBackendLike {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

function asWasmBackend(backend: unknown): WasmBackendLike {
  const candidate = backend as Partial<WasmBackendLike> | null;
  if (candidate == null || typeof candidate.disposeData !== 'function') {
    throw new Error('wasm gradient kernels: the backend passed in is not the wasm backend');
  }
  return candidate as WasmBackendLike;
}

/** Runs one kernel of the wasm backend directly; the caller owns (and must free) the result. */
class KernelRunner {
  private readonly live: TensorInfo[] = [];

  constructor(private readonly backend: WasmBackendLike) {}

  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(name, 'wasm');
    if (kernel === undefined) throw new Error(`wasm gradient kernels: wasm has no ${name} kernel`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend as unknown as object });
    if (Array.isArray(out)) throw new Error(`wasm gradient kernels: ${name} returned several tensors`);
    this.live.push(out);
    return out;
  }

  /** Releases every intermediate except `keep`, which is handed to the caller. */
  finish(keep: TensorInfo): TensorInfo {
    for (const info of this.live) {
      if (info !== keep) this.backend.disposeData(info.dataId);
    }
    this.live.length = 0;
    return keep;
  }

  /** Frees everything (error path). */
  abort(): void {
    for (const info of this.live) this.backend.disposeData(info.dataId);
    this.live.length = 0;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /**
   * Zero-pads (positive amounts) and crops (negative amounts) the spatial axes of an NHWC tensor:
   * `top`/`left` are added before, and the result is cut or padded to `height` × `width`.
   */
  fitSpatial(x: TensorInfo, top: number, left: number, height: number, width: number): TensorInfo {
    const [b, h, w, c] = x.shape as Shape4;
    const bottom = height - h - top;
    const right = width - w - left;
    let out = x;
    if (top > 0 || left > 0 || bottom > 0 || right > 0) {
      const paddings = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
      out = this.run('PadV2', { x: out }, { paddings, constantValue: 0 });
    }
    if (top < 0 || left < 0 || bottom < 0 || right < 0) {
      const begin = [0, Math.max(0, -top), Math.max(0, -left), 0];
      out = this.run('Slice', { x: out }, { begin, size: [b, height, width, c] });
    }
    return out;
  }

  /**
   * The input-gradient view of dy [B, OH, OW, K] for a forward pass described by `info` over an
   * H × W input: s−1 zeros between rows/columns (undoing the stride), then KH−1−pT rows on top
   * and KW−1−pL columns on the left, cut or padded to (H+KH−1) × (W+KW−1). A stride-1 'valid'
   * correlation of that with the spatially flipped filter is the input gradient.
   */
  spreadForInputGradient(dy: TensorInfo, info: tf.backend_util.Conv2DInfo, h: number, w: number): TensorInfo {
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
    const [b, oh, ow, depth] = dy.shape as Shape4;
    let up = dy;
    if (sh > 1 || sw > 1) {
      const spread = this.reshape(dy, [b, oh, 1, ow, 1, depth]);
      const zeros = this.run('PadV2', { x: spread }, {
        paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0,
      });
      up = this.reshape(zeros, [b, oh * sh, ow * sw, depth]); // trailing zeros are cut by fitSpatial
    }
    return this.fitSpatial(up, kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left, h + kh - 1, w + kw - 1);
  }
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

function requireUnitDilations(kernel: string, dilations: number | [number, number] | undefined): void {
  const [dh, dw] = pair(dilations ?? 1);
  if (dh !== 1 || dw !== 1) {
    throw new Error(`${kernel} on wasm: dilations > 1 are not supported (tfjs has no such gradient either)`);
  }
}

function requireNHWC(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm: only NHWC is supported, got ${dataFormat}`);
  }
}

function withRunner(backend: unknown, body: (k: KernelRunner) => TensorInfo): TensorInfo {
  const k = new KernelRunner(asWasmBackend(backend));
  try {
    return k.finish(body(k));
  } catch (error) {
    k.abort();
    throw error;
  }
}

/**
 * dW[p,q,c,o] = Σ_{b,i,j} x̂[b, i·s+p, j·s+q, c] · dy[b,i,j,o].
 * Read with c as the batch axis and b as the channel axis, that is a stride-1 'valid' convolution
 * of x̂ᵀ [C, H', W', B] with dyᵀ [OH, OW, B, O] as the filter, dilated by s:
 * out[c,p,q,o] = Σ_{i,j,b} x̂ᵀ[c, p + i·s, q + j·s, b] · dyᵀ[i,j,b,o]. x̂ is cut to exactly the
 * H' = (OH−1)·s + KH rows (and W' columns) the forward pass read, so the output is KH × KW.
 * XNNPACK runs it, which keeps it as fast as the forward convolution.
 */
function conv2DBackpropFilter(backend: unknown, x: TensorInfo, dy: TensorInfo, attrs: tf.Conv2DBackpropFilterAttrs): TensorInfo {
  requireNHWC('Conv2DBackpropFilter', attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad as Pad, attrs.dimRoundingMode as Rounding,
  );
  return withRunner(backend, (k) => {
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
    const xFit = k.fitSpatial(x, info.padInfo.top, info.padInfo.left, (oh - 1) * sh + kh, (ow - 1) * sw + kw);
    const xT = k.transpose(xFit, [3, 1, 2, 0]);
    const dyT = k.transpose(dy, [1, 2, 0, 3]);
    const conv = k.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, sw],
    });
    return k.transpose(conv, [1, 2, 0, 3]);
  });
}

/**
 * dX[b,h,w,c] = Σ_{p,q,o} dy[b,i,j,o] · w[p,q,c,o] over i·s+p = h+pT, j·s+q = w+pL: the stride-1
 * 'valid' convolution of the spread dy (see spreadForInputGradient) with w flipped in space and
 * its channel axes swapped, w'[p,q,o,c] = w[KH−1−p, KW−1−q, c, o].
 * wasm has this kernel, but as a scalar C++ loop: ~10× slower than this XNNPACK convolution on
 * the reference CNN (it was 60% of a training step), hence the override.
 */
function conv2DBackpropInput(backend: unknown, dy: TensorInfo, filter: TensorInfo, attrs: tf.Conv2DBackpropInputAttrs): TensorInfo {
  requireNHWC('Conv2DBackpropInput', attrs.dataFormat);
  const inputShape = attrs.inputShape;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad as Pad, attrs.dimRoundingMode as Rounding,
  );
  return withRunner(backend, (k) => {
    const [, h, w] = inputShape;
    const dyFit = k.spreadForInputGradient(dy, info, h, w);
    const flipped = k.transpose(k.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    return k.run('Conv2D', { x: dyFit, filter: flipped }, {
      strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1],
    });
  });
}

/**
 * dW[p,q,c,m] = Σ_b Σ_{i,j} x̂[b, i·s+p, j·s+q, c] · dy[b,i,j,cM+m].
 * Taking (b, c) together as one channel axis, the inner sum is a depthwise stride-1 'valid'
 * correlation of x̂ᵀ [1, H', W', B·C] with dyᵀ [OH, OW, B·C, M] as the filter, dilated by s
 * (the same trick as conv2DBackpropFilter); summing its [KH, KW, B, C, M] output over b gives dW.
 * Measured against a patches × dy batched product: 4–80× faster and no KH·KW-fold patch copy.
 */
function depthwiseBackpropFilter(
  backend: unknown, x: TensorInfo, dy: TensorInfo, attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs,
): TensorInfo {
  requireUnitDilations('DepthwiseConv2dNativeBackpropFilter', attrs.dilations);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad as Pad, attrs.dimRoundingMode as Rounding, true,
  );
  return withRunner(backend, (k) => {
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
    const [b, , , c] = x.shape as Shape4;
    const m = attrs.filterShape[3];
    const fitH = (oh - 1) * sh + kh;
    const fitW = (ow - 1) * sw + kw;
    const xFit = k.fitSpatial(x, info.padInfo.top, info.padInfo.left, fitH, fitW);
    const xT = k.reshape(k.transpose(xFit, [1, 2, 0, 3]), [1, fitH, fitW, b * c]);
    const dyT = k.reshape(k.transpose(dy, [1, 2, 0, 3]), [oh, ow, b * c, m]);
    const corr = k.run('DepthwiseConv2dNative', { x: xT, filter: dyT }, {
      strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, sw],
    }); // [1, KH, KW, B·C·M]
    if (b === 1) return k.reshape(corr, [kh, kw, c, m]);
    return k.run('Sum', { x: k.reshape(corr, [kh, kw, b, c, m]) }, { axis: [2], keepDims: false });
  });
}

/**
 * dX[b,h,w,c] = Σ_{p,q,m} dy[b,i,j,cM+m] · w[p,q,c,m] over i·s+p = h+pT, j·s+q = w+pL.
 * Insert s−1 zeros between the rows/columns of dy (dy↑), pad it by KH−1−pT on top (and whatever
 * makes the result H tall at the bottom), and it becomes a stride-1 'valid' depthwise correlation
 * with the spatially flipped filter, viewed as [KH, KW, C·M, 1]; the M outputs of each input
 * channel are then summed.
 */
function depthwiseBackpropInput(
  backend: unknown, dy: TensorInfo, filter: TensorInfo, attrs: tf.DepthwiseConv2dNativeBackpropInputAttrs,
): TensorInfo {
  requireUnitDilations('DepthwiseConv2dNativeBackpropInput', attrs.dilations);
  const inputShape = attrs.inputShape;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad as Pad, attrs.dimRoundingMode as Rounding, true,
  );
  return withRunner(backend, (k) => {
    const [b, h, w, c] = inputShape;
    const { filterHeight: kh, filterWidth: kw } = info;
    const m = (filter.shape as Shape4)[3];
    const cm = c * m;
    const dyFit = k.spreadForInputGradient(dy, info, h, w);
    const flipped = k.reshape(k.run('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, cm, 1]);
    const grad = k.run('DepthwiseConv2dNative', { x: dyFit, filter: flipped }, {
      strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1],
    });
    if (m === 1) return grad;
    return k.run('Sum', { x: k.reshape(grad, [b, h, w, c, m]) }, { axis: [4], keepDims: false });
  });
}

function input(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): TensorInfo {
  const info = inputs[name];
  if (info === undefined) throw new Error(`${kernel} on wasm: missing input '${name}'`);
  return info;
}

/** A wasm kernel whose two tensor inputs are named `first` and `second`, in that order. */
function wasmKernel<Attrs>(
  kernelName: string,
  [first, second]: [string, string],
  impl: (backend: unknown, a: TensorInfo, b: TensorInfo, attrs: Attrs) => TensorInfo,
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) =>
      impl(backend, input(inputs, first, kernelName), input(inputs, second, kernelName), attrs as unknown as Attrs),
  };
}

const GRADIENT_KERNELS: tf.KernelConfig[] = [
  wasmKernel(tf.Conv2DBackpropFilter, ['x', 'dy'], conv2DBackpropFilter),
  wasmKernel(tf.Conv2DBackpropInput, ['dy', 'filter'], conv2DBackpropInput),
  wasmKernel(tf.DepthwiseConv2dNativeBackpropFilter, ['x', 'dy'], depthwiseBackpropFilter),
  wasmKernel(tf.DepthwiseConv2dNativeBackpropInput, ['dy', 'filter'], depthwiseBackpropInput),
];

/**
 * Registers the composites for 'wasm', replacing wasm's own slow Conv2DBackpropInput. Call it after
 * @tensorflow/tfjs-backend-wasm is imported (its import registers its kernels, and would replace
 * ours). Idempotent.
 */
export function registerWasmGradients(): void {
  for (const config of GRADIENT_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    // Registering over an existing kernel works but logs a warning: unregister it first.
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
