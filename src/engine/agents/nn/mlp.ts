/**
 * The agents' MLPs as plain Float32Arrays: orthogonal initialisation (as torch.nn.init.orthogonal_,
 * SB3's actor-critic) or PyTorch's default nn.Linear initialisation (SB3's Q-networks), forward
 * passes with tanh or ReLU hidden layers and backpropagation with register-blocked matrix products.
 * Weights are row-major [in, out] (x · W + b).
 */
import type { Rng } from '../../random';

export interface DenseLayer {
  inDim: number;
  outDim: number;
  /** [inDim × outDim] row-major. */
  w: Float32Array;
  b: Float32Array;
}

/** A (rows × cols) matrix with orthonormal rows or columns, scaled by gain. */
export function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  // Columns of a tall n × m Gaussian matrix, orthonormalised by modified Gram–Schmidt: the Q of a
  // QR decomposition with a positive diagonal in R (the sign fix torch applies).
  const q: Float64Array[] = [];
  for (let j = 0; j < m; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[k][i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= dot * q[k][i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i] /= norm;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
  return out;
}

/** Hidden layers with gain √2, the output layer with `outGain`; zero biases. */
export function initMlp(inDim: number, hidden: readonly number[], outDim: number, outGain: number, rng: Rng): DenseLayer[] {
  const dims = [inDim, ...hidden, outDim];
  const layers: DenseLayer[] = [];
  for (let l = 0; l < dims.length - 1; l++) {
    const gain = l === dims.length - 2 ? outGain : Math.SQRT2;
    layers.push({ inDim: dims[l], outDim: dims[l + 1], w: orthogonal(dims[l], dims[l + 1], gain, rng), b: new Float32Array(dims[l + 1]) });
  }
  return layers;
}

/**
 * PyTorch's default nn.Linear initialisation (kaiming_uniform_ with a = √5): weights and biases
 * uniform in ±1/√fan_in, each layer's weights drawn before its biases.
 */
export function initMlpTorchDefault(inDim: number, hidden: readonly number[], outDim: number, rng: Rng): DenseLayer[] {
  const dims = [inDim, ...hidden, outDim];
  return dims.slice(0, -1).map((fanIn, l) => {
    const bound = 1 / Math.sqrt(fanIn);
    const uniform = (size: number) => Float32Array.from({ length: size }, () => bound * (2 * rng.next() - 1));
    const w = uniform(fanIn * dims[l + 1]);
    return { inDim: fanIn, outDim: dims[l + 1], w, b: uniform(dims[l + 1]) };
  });
}

/** The hidden layers' nonlinearity: tanh (SB3's actor-critic) or ReLU (its Q-networks). */
export type Activation = 'tanh' | 'relu';

/** out[n × m] = a[n × k] · w[k × m] + b, register-blocked (4 columns at a time). */
export function matmulBias(a: Float32Array, w: Float32Array, b: Float32Array, out: Float32Array, n: number, k: number, m: number): void {
  const m4 = m - (m % 4);
  for (let r = 0; r < n; r++) {
    const ra = r * k;
    const ro = r * m;
    let c = 0;
    for (; c < m4; c += 4) {
      let s0 = b[c];
      let s1 = b[c + 1];
      let s2 = b[c + 2];
      let s3 = b[c + 3];
      for (let j = 0, wo = c; j < k; j++, wo += m) {
        const av = a[ra + j];
        s0 += av * w[wo];
        s1 += av * w[wo + 1];
        s2 += av * w[wo + 2];
        s3 += av * w[wo + 3];
      }
      out[ro + c] = s0;
      out[ro + c + 1] = s1;
      out[ro + c + 2] = s2;
      out[ro + c + 3] = s3;
    }
    for (; c < m; c++) {
      let s0 = b[c];
      for (let j = 0, wo = c; j < k; j++, wo += m) s0 += a[ra + j] * w[wo];
      out[ro + c] = s0;
    }
  }
}

/** g[k × m] += a[n × k]ᵀ · d[n × m]. */
export function matmulTNAcc(a: Float32Array, d: Float32Array, g: Float32Array, n: number, k: number, m: number): void {
  const m4 = m - (m % 4);
  for (let j = 0; j < k; j++) {
    const go = j * m;
    let c = 0;
    for (; c < m4; c += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let r = 0, ai = j, di = c; r < n; r++, ai += k, di += m) {
        const av = a[ai];
        s0 += av * d[di];
        s1 += av * d[di + 1];
        s2 += av * d[di + 2];
        s3 += av * d[di + 3];
      }
      g[go + c] += s0;
      g[go + c + 1] += s1;
      g[go + c + 2] += s2;
      g[go + c + 3] += s3;
    }
    for (; c < m; c++) {
      let s0 = 0;
      for (let r = 0, ai = j, di = c; r < n; r++, ai += k, di += m) s0 += a[ai] * d[di];
      g[go + c] += s0;
    }
  }
}

/** out[n × k] = d[n × m] · w[k × m]ᵀ. */
export function matmulNT(d: Float32Array, w: Float32Array, out: Float32Array, n: number, k: number, m: number): void {
  for (let r = 0; r < n; r++) {
    const ro = r * m;
    const oo = r * k;
    for (let j = 0; j < k; j++) {
      const wo = j * m;
      let s0 = 0;
      for (let c = 0; c < m; c++) s0 += d[ro + c] * w[wo + c];
      out[oo + j] = s0;
    }
  }
}

/*
 * ReLU networks: about half of every hidden activation is zero (and one-hot inputs are mostly
 * zero), so their kernels first list a row's (or column's) nonzero entries, then run
 * register-blocked products over those alone: about 1.5× faster here than the dense kernels.
 */

/** Scratch lists of nonzero entries: offsets into the other operand, and values. */
class NonzeroList {
  offsets: Int32Array;
  values: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.offsets = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
  }
  push(offset: number, value: number): void {
    this.offsets[this.length] = offset;
    this.values[this.length++] = value;
  }
}

/** Σ over a list of s += value · v[offset + c], for 4 neighbouring columns c0…c0+3 (or fewer at the edge), into out[o…]. */
function dotColumns(list: NonzeroList, v: Float32Array, c0: number, width: number, init: ArrayLike<number> | null, out: Float32Array, o: number): void {
  const { offsets, values, length } = list;
  if (width === 4) {
    let s0 = init ? init[c0] : 0;
    let s1 = init ? init[c0 + 1] : 0;
    let s2 = init ? init[c0 + 2] : 0;
    let s3 = init ? init[c0 + 3] : 0;
    for (let t = 0; t < length; t++) {
      const x = values[t];
      const vo = offsets[t] + c0;
      s0 += x * v[vo];
      s1 += x * v[vo + 1];
      s2 += x * v[vo + 2];
      s3 += x * v[vo + 3];
    }
    out[o] += s0;
    out[o + 1] += s1;
    out[o + 2] += s2;
    out[o + 3] += s3;
    return;
  }
  for (let c = c0; c < c0 + width; c++) {
    let s0 = init ? init[c] : 0;
    for (let t = 0; t < length; t++) s0 += values[t] * v[offsets[t] + c];
    out[o + c - c0] += s0;
  }
}

/** out[n × m] = a[n × k] · w[k × m] + b over a's nonzero entries (out is overwritten). */
export function matmulBiasSparse(a: Float32Array, w: Float32Array, b: Float32Array, out: Float32Array, n: number, k: number, m: number): void {
  const list = new NonzeroList(k);
  out.fill(0, 0, n * m);
  for (let r = 0; r < n; r++) {
    list.length = 0;
    for (let j = 0, ai = r * k; j < k; j++, ai++) if (a[ai] !== 0) list.push(j * m, a[ai]);
    for (let c = 0; c < m; c += 4) dotColumns(list, w, c, Math.min(4, m - c), b, out, r * m + c);
  }
}

/** g[k × m] += a[n × k]ᵀ · d[n × m] over a's nonzero entries. */
export function matmulTNAccSparse(a: Float32Array, d: Float32Array, g: Float32Array, n: number, k: number, m: number): void {
  const list = new NonzeroList(n);
  for (let j = 0; j < k; j++) {
    list.length = 0;
    for (let r = 0, ai = j; r < n; r++, ai += k) if (a[ai] !== 0) list.push(r * m, a[ai]);
    if (list.length === 0) continue;
    for (let c = 0; c < m; c += 4) dotColumns(list, d, c, Math.min(4, m - c), null, g, j * m + c);
  }
}

/**
 * out[n × k] = d[n × m] · w[k × m]ᵀ where a > 0, else 0 (backpropagation into a ReLU whose output
 * is a), over d's nonzero entries.
 */
export function matmulNTReluSparse(d: Float32Array, w: Float32Array, a: Float32Array, out: Float32Array, n: number, k: number, m: number): void {
  const list = new NonzeroList(m);
  out.fill(0, 0, n * k);
  for (let r = 0; r < n; r++) {
    list.length = 0;
    for (let c = 0, di = r * m; c < m; c++, di++) if (d[di] !== 0) list.push(c, d[di]);
    if (list.length === 0) continue;
    const { offsets, values, length } = list;
    for (let j = 0, oi = r * k; j < k; j++, oi++) {
      if (!(a[oi] > 0)) continue;
      const wo = j * m;
      let s0 = 0;
      let s1 = 0;
      let t = 0;
      for (; t + 1 < length; t += 2) {
        s0 += values[t] * w[wo + offsets[t]];
        s1 += values[t + 1] * w[wo + offsets[t + 1]];
      }
      if (t < length) s0 += values[t] * w[wo + offsets[t]];
      out[oi] = s0 + s1;
    }
  }
}

/** `activation` on hidden layers, identity on the last; x is [n × inDim] row-major. */
export function forwardMlp(layers: readonly DenseLayer[], x: Float32Array, n: number, activation: Activation = 'tanh'): Float32Array {
  const acts = forwardMlpCached(layers, x, n, activation);
  return acts[acts.length - 1];
}

/** Forward pass keeping every layer's activations (acts[0] = x, acts[L] = output). */
export function forwardMlpCached(layers: readonly DenseLayer[], x: Float32Array, n: number, activation: Activation = 'tanh'): Float32Array[] {
  const acts: Float32Array[] = [x];
  let h = x;
  for (let l = 0; l < layers.length; l++) {
    const { inDim, outDim, w, b } = layers[l];
    const out = new Float32Array(n * outDim);
    (activation === 'relu' ? matmulBiasSparse : matmulBias)(h, w, b, out, n, inDim, outDim);
    if (l < layers.length - 1) {
      if (activation === 'tanh') for (let i = 0; i < out.length; i++) out[i] = Math.tanh(out[i]);
      else for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
    }
    acts.push(out);
    h = out;
  }
  return acts;
}

export interface LayerGrad {
  w: Float32Array;
  b: Float32Array;
}

export function zeroGrads(layers: readonly DenseLayer[]): LayerGrad[] {
  return layers.map((l) => ({ w: new Float32Array(l.w.length), b: new Float32Array(l.b.length) }));
}

/**
 * Backpropagation through forwardMlpCached's activations. dOut: ∂loss/∂output [n × outDim].
 * Gradients are accumulated into grads.
 */
export function backwardMlp(layers: readonly DenseLayer[], acts: readonly Float32Array[], dOut: Float32Array, n: number, grads: LayerGrad[], activation: Activation = 'tanh'): void {
  let dz = dOut;
  for (let l = layers.length - 1; l >= 0; l--) {
    const { inDim, outDim, w } = layers[l];
    const a = acts[l];
    const gb = grads[l].b;
    for (let r = 0; r < n; r++) {
      const ro = r * outDim;
      for (let c = 0; c < outDim; c++) gb[c] += dz[ro + c];
    }
    if (activation === 'relu') matmulTNAccSparse(a, dz, grads[l].w, n, inDim, outDim);
    else matmulTNAcc(a, dz, grads[l].w, n, inDim, outDim);
    if (l === 0) break;
    const da = new Float32Array(n * inDim);
    // Through the previous layer's activation, from its output a: tanh' = 1 − a², relu' = [a > 0].
    if (activation === 'relu') matmulNTReluSparse(dz, w, a, da, n, inDim, outDim);
    else {
      matmulNT(dz, w, da, n, inDim, outDim);
      for (let i = 0; i < da.length; i++) {
        const av = a[i];
        da[i] *= 1 - av * av;
      }
    }
    dz = da;
  }
}
