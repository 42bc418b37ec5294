/**
 * Selective backprop (Jiang et al. 2019, "Accelerating Deep Learning by Focusing on the Biggest
 * Losers"; the original design's LazyNetwork): every sample is forwarded, and kept for
 * backpropagation with probability CDF(loss)^β, where CDF is the share of the last `window` losses
 * at or below it. β = 0 keeps everything; on average a share 1/(β + 1) is kept.
 */
import type { Rng } from '../random';

export class LossSelector {
  private readonly recent: Float64Array;
  private size = 0;
  private next = 0;

  constructor(
    readonly beta: number,
    readonly window = 1024,
  ) {
    if (!(beta >= 0)) throw new Error(`selective backprop: beta must be ≥ 0, got ${beta}`);
    this.recent = new Float64Array(window);
  }

  /** The share of recent losses at or below `loss`, this one included. */
  percentile(loss: number): number {
    let atOrBelow = 0;
    for (let i = 0; i < this.size; i++) if (this.recent[i] <= loss) atOrBelow++;
    return atOrBelow / this.size;
  }

  /** Records a sample's loss and decides, drawing from `rng`, whether it is backpropagated. A loss that is not finite always is (so divergence shows). */
  keep(loss: number, rng: Rng): boolean {
    if (!Number.isFinite(loss)) return true;
    this.remember(loss);
    return rng.next() < this.percentile(loss) ** this.beta;
  }

  /** The recent losses, oldest first (for checkpoints). */
  snapshot(): number[] {
    const start = this.size < this.window ? 0 : this.next;
    return Array.from({ length: this.size }, (_, i) => this.recent[(start + i) % this.window]);
  }

  /** Puts back a snapshot(). */
  restore(losses: readonly number[]): void {
    this.size = 0;
    this.next = 0;
    for (const loss of losses.slice(-this.window)) this.remember(loss);
  }

  private remember(loss: number): void {
    this.recent[this.next] = loss;
    this.next = (this.next + 1) % this.window;
    this.size = Math.min(this.size + 1, this.window);
  }
}
