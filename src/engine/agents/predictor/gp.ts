/**
 * A Gaussian process on categorical slot vectors, with the product ("Hamming ARD") kernel
 * k(a, b) = exp(−Σ_s w_s·[a_s ≠ b_s]): candidates that differ in few, unimportant slots are
 * correlated. w_s is slot s's weight (an inverse lengthscale): a slot that matters gets a large
 * weight. Targets are standardised by the caller, so the signal variance is 1; the noise variance
 * is fitted with the weights by maximising the log marginal likelihood (ML-II) under a weak
 * log-normal prior on the weights, by Adam from a fixed start: deterministic given the data.
 */
import { cholesky, inverseFromCholesky, logDetFromCholesky, solveLower, solveLowerTransposed } from './linalg';

export interface GpHyperparameters {
  /** One per slot: how much differing in that slot decorrelates two candidates. */
  slotWeights: number[];
  /** Observation noise variance (targets have unit variance). */
  noise: number;
}

/** Candidates as rows of `slots` choices, row-major. */
export interface SlotMatrix {
  data: Int32Array;
  rows: number;
  slots: number;
}

export function slotMatrix(actions: readonly (readonly number[])[], slots: number): SlotMatrix {
  const data = new Int32Array(actions.length * slots);
  actions.forEach((a, i) => {
    if (a.length !== slots) throw new Error(`expected ${slots} slots, got ${JSON.stringify(a)}`);
    data.set(a, i * slots);
  });
  return { data, rows: actions.length, slots };
}

function kernel(weights: Float64Array, a: Int32Array, ai: number, b: Int32Array, bi: number, slots: number): number {
  let s = 0;
  for (let k = 0; k < slots; k++) if (a[ai + k] !== b[bi + k]) s += weights[k];
  return Math.exp(-s);
}

function gramMatrix(x: SlotMatrix, weights: Float64Array): Float64Array {
  const { data, rows: n, slots } = x;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    k[i * n + i] = 1;
    for (let j = 0; j < i; j++) k[i * n + j] = k[j * n + i] = kernel(weights, data, i * slots, data, j * slots, slots);
  }
  return k;
}

/** Cholesky of K + (noise + jitter)·I, the jitter raised until it succeeds. */
function factor(gram: Float64Array, n: number, noise: number): { l: Float64Array; jitter: number } {
  for (let jitter = 1e-6; jitter <= 1; jitter *= 10) {
    const a = Float64Array.from(gram);
    for (let i = 0; i < n; i++) a[i * n + i] += noise + jitter;
    const l = cholesky(a, n);
    if (l) return { l, jitter };
  }
  throw new Error('Gaussian process: the kernel matrix is not positive definite');
}

const LOG_2PI = Math.log(2 * Math.PI);

/** A Gaussian process conditioned on data. */
export class CategoricalGp {
  readonly n: number;
  private readonly weights: Float64Array;
  private readonly l: Float64Array;
  private readonly alpha: Float64Array;
  readonly logMarginalLikelihood: number;

  constructor(
    readonly x: SlotMatrix,
    readonly y: Float64Array,
    readonly hyperparameters: GpHyperparameters,
  ) {
    if (y.length !== x.rows) throw new Error(`Gaussian process: ${x.rows} candidates but ${y.length} targets`);
    if (hyperparameters.slotWeights.length !== x.slots) throw new Error(`Gaussian process: ${x.slots} slots but ${hyperparameters.slotWeights.length} weights`);
    this.n = x.rows;
    this.weights = Float64Array.from(hyperparameters.slotWeights);
    ({ l: this.l } = factor(gramMatrix(x, this.weights), this.n, hyperparameters.noise));
    this.alpha = solveLowerTransposed(this.l, this.n, solveLower(this.l, this.n, y));
    let fit = 0;
    for (let i = 0; i < this.n; i++) fit += y[i] * this.alpha[i];
    this.logMarginalLikelihood = -0.5 * fit - 0.5 * logDetFromCholesky(this.l, this.n) - 0.5 * this.n * LOG_2PI;
  }

  /** Posterior mean and standard deviation of the latent function at each row of xs. */
  posterior(xs: SlotMatrix): { mean: Float64Array; std: Float64Array } {
    const { n, x } = this;
    if (xs.slots !== x.slots) throw new Error(`Gaussian process: expected ${x.slots} slots, got ${xs.slots}`);
    const mean = new Float64Array(xs.rows);
    const std = new Float64Array(xs.rows);
    const k = new Float64Array(n);
    for (let r = 0; r < xs.rows; r++) {
      let m = 0;
      for (let j = 0; j < n; j++) {
        k[j] = kernel(this.weights, xs.data, r * xs.slots, x.data, j * x.slots, x.slots);
        m += k[j] * this.alpha[j];
      }
      const v = solveLower(this.l, n, k);
      let explained = 0;
      for (let j = 0; j < n; j++) explained += v[j] * v[j];
      mean[r] = m;
      std[r] = Math.sqrt(Math.max(1e-12, 1 - explained));
    }
    return { mean, std };
  }

  /** This process conditioned on more observations as well (e.g. fantasies for pending candidates). */
  withObservations(more: SlotMatrix, targets: Float64Array): CategoricalGp {
    const data = new Int32Array((this.n + more.rows) * this.x.slots);
    data.set(this.x.data);
    data.set(more.data, this.x.data.length);
    const y = new Float64Array(this.n + more.rows);
    y.set(this.y);
    y.set(targets, this.n);
    return new CategoricalGp({ data, rows: this.n + more.rows, slots: this.x.slots }, y, this.hyperparameters);
  }
}

export interface FitOptions {
  /** Where every fit starts, and the prior's centre: each slot's weight. */
  priorWeight: number;
  /** Precision of the Gaussian prior on log(weight). */
  priorPrecision: number;
  initialNoise: number;
  steps: number;
  learningRate: number;
}

export const FIT_DEFAULTS: FitOptions = { priorWeight: 0.3, priorPrecision: 0.5, initialNoise: 1e-2, steps: 60, learningRate: 0.05 };

/** log-hyperparameters stay within [e⁻⁷, e³]. */
const LOG_MIN = -7;
const LOG_MAX = 3;

/**
 * ML-II: the hyperparameters maximising log p(y | θ) + log prior(θ) by Adam on θ = log(weights,
 * noise), from the prior's centre. ∂ log p/∂θ_j = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ_j), with
 * ∂K/∂log w_s = −w_s·[a_s ≠ b_s]·K and ∂K/∂log noise = noise·I.
 */
export function fitHyperparameters(x: SlotMatrix, y: Float64Array, options: Partial<FitOptions> = {}): GpHyperparameters {
  const o = { ...FIT_DEFAULTS, ...options };
  const { rows: n, slots, data } = x;
  const theta0 = Math.log(o.priorWeight);
  const theta = new Float64Array(slots + 1).fill(theta0);
  theta[slots] = Math.log(o.initialNoise);
  const m = new Float64Array(slots + 1);
  const v = new Float64Array(slots + 1);
  const grad = new Float64Array(slots + 1);
  const weights = new Float64Array(slots);
  for (let t = 1; t <= o.steps; t++) {
    for (let s = 0; s < slots; s++) weights[s] = Math.exp(theta[s]);
    const noise = Math.exp(theta[slots]);
    const gram = gramMatrix(x, weights);
    const { l } = factor(gram, n, noise);
    const alpha = solveLowerTransposed(l, n, solveLower(l, n, y));
    const inv = inverseFromCholesky(l, n);
    grad.fill(0);
    let trace = 0;
    for (let i = 0; i < n; i++) {
      trace += alpha[i] * alpha[i] - inv[i * n + i];
      for (let j = 0; j < i; j++) {
        // Both (i, j) and (j, i): A is symmetric.
        const term = 2 * (alpha[i] * alpha[j] - inv[i * n + j]) * gram[i * n + j];
        for (let s = 0; s < slots; s++) if (data[i * slots + s] !== data[j * slots + s]) grad[s] += term;
      }
    }
    for (let s = 0; s < slots; s++) grad[s] = -0.5 * weights[s] * grad[s] - o.priorPrecision * (theta[s] - theta0);
    grad[slots] = 0.5 * trace * noise;
    for (let j = 0; j <= slots; j++) {
      m[j] = 0.9 * m[j] + 0.1 * grad[j];
      v[j] = 0.999 * v[j] + 0.001 * grad[j] * grad[j];
      const step = (o.learningRate * (m[j] / (1 - 0.9 ** t))) / (Math.sqrt(v[j] / (1 - 0.999 ** t)) + 1e-8);
      theta[j] = Math.min(LOG_MAX, Math.max(LOG_MIN, theta[j] + step));
    }
  }
  return { slotWeights: Array.from(theta.subarray(0, slots), Math.exp), noise: Math.exp(theta[slots]) };
}
