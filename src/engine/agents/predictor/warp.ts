/**
 * Copula warping of the targets (as HEBO): each signal is replaced by the normal quantile of its
 * rank, then standardised. Accuracies of networks are heavily skewed (a few failed or degenerate
 * candidates near chance, most near the top), and a Gaussian process on the raw values spends its
 * fit on the tail; on NAS-Bench-201 the rank warp raised the surrogate's recall of the top cells.
 * The warp is monotone, so the best candidate stays the best, and it is inverted piecewise
 * linearly to report predictions in signal units.
 */
import { normalQuantile } from './normal';

export class CopulaWarp {
  /** The warped, standardised value of each fitted signal (same order). */
  readonly latent: Float64Array;
  /** Distinct (latent, signal) knots, ascending: the inverse map. */
  private readonly knots: { z: number[]; y: number[] };

  constructor(signals: readonly number[]) {
    const n = signals.length;
    if (n === 0) throw new Error('CopulaWarp needs at least one signal');
    if (!signals.every(Number.isFinite)) throw new Error('CopulaWarp: signals must be finite');
    const order = signals.map((_, i) => i).sort((a, b) => signals[a] - signals[b] || a - b);
    const warped = new Float64Array(n);
    // Equal signals share their mid-rank, so they warp to the same value.
    for (let start = 0; start < n; ) {
      let end = start + 1;
      while (end < n && signals[order[end]] === signals[order[start]]) end++;
      const u = ((start + end - 1) / 2 + 0.5) / n;
      for (let k = start; k < end; k++) warped[order[k]] = normalQuantile(u);
      start = end;
    }
    let mean = 0;
    for (const w of warped) mean += w;
    mean /= n;
    let variance = 0;
    for (const w of warped) variance += (w - mean) ** 2;
    const std = Math.sqrt(variance / n) || 1;
    this.latent = warped.map((w) => (w - mean) / std);
    const z: number[] = [];
    const y: number[] = [];
    for (const i of order) {
      if (y.length > 0 && y[y.length - 1] === signals[i]) continue;
      z.push(this.latent[i]);
      y.push(signals[i]);
    }
    this.knots = { z, y };
  }

  /**
   * The signal a latent value stands for: interpolated between knots, extrapolated beyond them
   * with the mean slope of the outermost tenth of the knots (at least one segment).
   */
  toSignal(latent: number): number {
    const { z, y } = this.knots;
    const last = z.length - 1;
    if (last === 0) return y[0];
    const reach = Math.max(1, Math.round(last / 10));
    if (latent <= z[0]) return y[0] + ((y[reach] - y[0]) / (z[reach] - z[0])) * (latent - z[0]);
    if (latent >= z[last]) return y[last] + ((y[last] - y[last - reach]) / (z[last] - z[last - reach])) * (latent - z[last]);
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (z[mid] <= latent) lo = mid;
      else hi = mid;
    }
    return y[lo] + ((y[hi] - y[lo]) / (z[hi] - z[lo])) * (latent - z[lo]);
  }
}
