/**
 * Conv2DBackpropFilter for webgpu as one tiled matrix product with an implicit im2col, split along
 * the reduction.
 *
 * dW[p,q,c,o] = Σ_{b,i,j} x̂[b, i·s+p−pT, j·s+q−pL, c] · dy[b,i,j,o]: with r = (p·KW+q)·C+c and
 * k = (b·OH+i)·OW+j, that is dW[r,o] = Σ_k A[r,k]·dy[k,o], a product of an R×K by a K×O matrix
 * where R = KH·KW·C and O are small (hundreds) and K = B·OH·OW is huge (batch × output pixels).
 * tfjs-webgpu 4.22 computes each of the R·O outputs in one thread that loops over all of K: a few
 * thousand threads for a whole GPU (97 of 145 ms of a training step on an H200). Here each
 * workgroup computes a TR×TO tile of dW over one slice of K, staging both operands in workgroup
 * memory (A gathered from x on the fly, never materialised), and a second pass sums the slices.
 */
import { tf } from '../../tf';
import { asWebGpuBackend } from '../webgpu-device';
import { FlatProgram, type WebGpuProgram, type KernelArgs, int32Uniforms } from './program';

type Shape4 = [number, number, number, number];
const TK = 16;
/** Aim for about this many workgroups in the first pass, so any GPU has enough to schedule. */
const TARGET_WORKGROUPS = 1024;
/** …but never slices shorter than this many reduction steps. */
const MIN_SLICE = 256;
/** …and never a partial-sum buffer larger than this. */
const MAX_PARTIAL_BYTES = 64 * 2 ** 20;

const tileSize = (n: number) => (n >= 64 ? 64 : n >= 32 ? 32 : 16);

class FilterGradTilesProgram implements WebGpuProgram {
  variableNames = ['x', 'dy'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms = 'R : i32, O : i32, K : i32, sliceTiles : i32, C : i32, KW : i32, OH : i32, OW : i32, H : i32, W : i32, strideH : i32, strideW : i32, padTop : i32, padLeft : i32,';

  constructor(
    splits: number,
    r: number,
    o: number,
    private readonly tileR: number,
    private readonly tileO: number,
  ) {
    this.outputShape = [splits, r, o];
    this.workgroupSize = [tileO / 4, tileR / 4, 1];
    this.dispatch = [Math.ceil(o / tileO), Math.ceil(r / tileR), splits];
    this.shaderKey = `gennConv2DFilterGrad_${tileR}_${tileO}`;
  }

  getUserCode(): string {
    const { tileR: TR, tileO: TO } = this;
    const threads = (TR / 4) * (TO / 4);
    return `
      var<workgroup> tileA : array<f32, ${TK * TR}>;
      var<workgroup> tileB : array<f32, ${TK * TO}>;

      fn main() {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let lid = i32(localIndex);
        let rBase = i32(workgroupId.y) * ${TR};
        let oBase = i32(workgroupId.x) * ${TO};
        let split = i32(workgroupId.z);
        let kStart = split * uniforms.sliceTiles * ${TK};
        let kEnd = min(kStart + uniforms.sliceTiles * ${TK}, uniforms.K);
        // Each thread always loads the same row r of A and column o of dy (the thread count is a
        // multiple of both tile sizes), so the filter coordinates are decomposed once, here.
        let rr = lid % ${TR};
        let r = rBase + rr;
        let c = r % uniforms.C;
        let pq = r / uniforms.C;
        let q = pq % uniforms.KW - uniforms.padLeft;
        let p = pq / uniforms.KW - uniforms.padTop;
        let rValid = r < uniforms.R;
        let oo = lid % ${TO};
        let o = oBase + oo;
        let oValid = o < uniforms.O;
        var acc : array<array<f32, 4>, 4>;
        for (var t = 0; t < uniforms.sliceTiles; t++) {
          let k0 = kStart + t * ${TK};
          for (var kk = lid / ${TR}; kk < ${TK}; kk += ${threads / TR}) {
            let k = k0 + kk;
            var v = 0.0;
            if (k < kEnd && rValid) {
              let j = k % uniforms.OW;
              let bi = k / uniforms.OW;
              let i = bi % uniforms.OH;
              let b = bi / uniforms.OH;
              let h = i * uniforms.strideH + p;
              let w = j * uniforms.strideW + q;
              if (h >= 0 && h < uniforms.H && w >= 0 && w < uniforms.W) {
                v = x[((b * uniforms.H + h) * uniforms.W + w) * uniforms.C + c];
              }
            }
            tileA[kk * ${TR} + rr] = v;
          }
          for (var kk = lid / ${TO}; kk < ${TK}; kk += ${threads / TO}) {
            let k = k0 + kk;
            var v = 0.0;
            if (k < kEnd && oValid) {
              v = dy[k * uniforms.O + o];
            }
            tileB[kk * ${TO} + oo] = v;
          }
          workgroupBarrier();
          for (var kk = 0; kk < ${TK}; kk++) {
            let a = vec4<f32>(tileA[kk * ${TR} + ty * 4], tileA[kk * ${TR} + ty * 4 + 1], tileA[kk * ${TR} + ty * 4 + 2], tileA[kk * ${TR} + ty * 4 + 3]);
            let bv = vec4<f32>(tileB[kk * ${TO} + tx * 4], tileB[kk * ${TO} + tx * 4 + 1], tileB[kk * ${TO} + tx * 4 + 2], tileB[kk * ${TO} + tx * 4 + 3]);
            for (var m = 0; m < 4; m++) {
              acc[m][0] += a[m] * bv[0];
              acc[m][1] += a[m] * bv[1];
              acc[m][2] += a[m] * bv[2];
              acc[m][3] += a[m] * bv[3];
            }
          }
          workgroupBarrier();
        }
        for (var m = 0; m < 4; m++) {
          let r = rBase + ty * 4 + m;
          for (var n = 0; n < 4; n++) {
            let o = oBase + tx * 4 + n;
            if (r < uniforms.R && o < uniforms.O) {
              result[(split * uniforms.R + r) * uniforms.O + o] = acc[m][n];
            }
          }
        }
      }`;
  }
}

/** Sums the per-slice partial products: dW[e] = Σ_s partial[s, e]. */
class SumSlicesProgram extends FlatProgram {
  variableNames = ['partial'];
  shaderKey = 'gennSumSlices';
  override uniforms = 'splits : i32,';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var sum = 0.0;
          for (var s = 0; s < uniforms.splits; s++) {
            sum += partial[s * uniforms.size + index];
          }
          result[index] = sum;
        }
      }`;
  }
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const gpu = asWebGpuBackend(backend);
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on webgpu: only NHWC, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape, strides, 1, pad as 'valid' | 'same' | number, dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const [, h, w, c] = x.shape as Shape4;
  const { filterHeight: kh, filterWidth: kw, outChannels: o, outHeight: oh, outWidth: ow } = info;
  const r = kh * kw * c;
  const k = (x.shape[0] as number) * oh * ow;
  const tileR = tileSize(r);
  const tileO = tileSize(o);
  const tiles = Math.ceil(r / tileR) * Math.ceil(o / tileO);
  const maxSplits = Math.max(1, Math.min(Math.ceil(k / MIN_SLICE), Math.floor(MAX_PARTIAL_BYTES / (4 * r * o)), 65535));
  const wanted = Math.max(1, Math.min(maxSplits, Math.round(TARGET_WORKGROUPS / tiles)));
  const sliceTiles = Math.ceil(k / wanted / TK);
  const splits = Math.ceil(k / (sliceTiles * TK));
  const uniforms = int32Uniforms(r, o, k, sliceTiles, c, kw, oh, ow, h, w, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left);
  const tilesProgram = new FilterGradTilesProgram(splits, r, o, tileR, tileO);
  const partial = gpu.runWebGPUProgram(tilesProgram, [x, dy], 'float32', uniforms);
  // One slice is already the result: hand its buffer over under the filter's shape (as Reshape does).
  if (splits === 1) return { dataId: partial.dataId, shape: filterShape, dtype: 'float32' };
  try {
    return gpu.runWebGPUProgram(new SumSlicesProgram(filterShape), [partial], 'float32', int32Uniforms(splits));
  } finally {
    gpu.disposeData(partial.dataId);
  }
}

export const conv2DBackpropFilterKernel: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'webgpu',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
