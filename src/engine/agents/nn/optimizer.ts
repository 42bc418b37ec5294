/** Gradient steps on lists of Float32Array parameters: Adam and global-norm clipping, as PyTorch. */
import type { AdamState } from './named-tensors';

const BETA1 = 0.9;
const BETA2 = 0.999;

/** torch.optim.Adam (no weight decay, no amsgrad) over a fixed list of parameter arrays. */
export class Adam implements AdamState {
  /** Steps taken (for the bias corrections). */
  step = 0;
  /** First and second moment estimates, one array per parameter array. */
  readonly m: Float32Array[];
  readonly v: Float32Array[];

  constructor(
    private readonly params: readonly Float32Array[],
    private readonly eps: number,
  ) {
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
  }

  /** Takes over a checkpoint's step count and moments (same sizes as this optimiser's). */
  load(state: AdamState): void {
    this.step = state.step;
    this.m.forEach((m, k) => m.set(state.m[k]));
    this.v.forEach((v, k) => v.set(state.v[k]));
  }

  /** One step against grads (same order and sizes as the parameters) at learning rate lr. */
  update(grads: readonly Float32Array[], lr: number): void {
    this.step += 1;
    const stepSize = lr / (1 - BETA1 ** this.step);
    const sqrtBc2 = Math.sqrt(1 - BETA2 ** this.step);
    const eps = this.eps;
    this.params.forEach((p, k) => {
      const g = grads[k];
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = BETA1 * m[i] + (1 - BETA1) * gi;
        const vi = BETA2 * v[i] + (1 - BETA2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
      }
    });
  }
}

/**
 * Scales gradients in place so that their global L2 norm is at most maxNorm (PyTorch's
 * clip_grad_norm_: coef = maxNorm / (norm + 1e-6), capped at 1). Returns the norm before clipping.
 */
export function clipByGlobalNorm(grads: Float32Array[], maxNorm: number): number {
  let ss = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) ss += g[i] * g[i];
  const norm = Math.sqrt(ss);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return norm;
}
