/**
 * A target network (the original design's "GhostNetwork"): a copy of an online network that a
 * value-based agent bootstraps from, so that its targets do not move with every gradient step. It
 * follows the online weights hard (copied: tau 1) or soft (Polyak averaging, SB3's polyak_update:
 * θ' ← (1 − τ)·θ' + τ·θ), either on demand (update) or every `interval` steps (step, as SB3's DQN
 * counts env steps in _on_step).
 */
import type { DenseLayer } from './mlp';

export interface TargetNetworkOptions {
  /** Share of the online weights mixed in per update: 1 copies them (hard), less averages (soft). */
  tau?: number;
  /** step() updates on every interval-th call. */
  interval?: number;
}

export class TargetNetwork {
  /** The copy's layers (same shapes as the online network's; read them, do not train them). */
  readonly layers: DenseLayer[];
  readonly tau: number;
  readonly interval: number;
  /** Calls to step() so far (SB3's _n_calls): a checkpoint keeps it so updates stay on schedule. */
  calls = 0;

  constructor(
    private readonly online: readonly DenseLayer[],
    options: TargetNetworkOptions = {},
  ) {
    this.tau = options.tau ?? 1;
    this.interval = options.interval ?? 1;
    if (!(this.tau > 0 && this.tau <= 1)) throw new Error(`target network: tau must be in (0, 1], got ${this.tau}`);
    if (!Number.isInteger(this.interval) || this.interval < 1) throw new Error(`target network: interval must be a positive integer, got ${this.interval}`);
    this.layers = online.map((l) => ({ inDim: l.inDim, outDim: l.outDim, w: Float32Array.from(l.w), b: Float32Array.from(l.b) }));
  }

  /** Moves the copy toward the online weights by `tau` (1: an exact copy, whatever the default). */
  update(tau = this.tau): void {
    const online = this.onlineParameters();
    this.parameters().forEach((target, k) => {
      const source = online[k];
      if (tau === 1) target.set(source);
      else for (let i = 0; i < target.length; i++) target[i] = (1 - tau) * target[i] + tau * source[i];
    });
  }

  /** Copies the online weights (a hard update, whatever tau is). */
  copy(): void {
    this.update(1);
  }

  /** Counts one step and updates on every interval-th; returns whether it did. */
  step(): boolean {
    this.calls += 1;
    if (this.calls % this.interval !== 0) return false;
    this.update();
    return true;
  }

  /** The copy's parameter arrays (w then b, layer by layer), live. */
  parameters(): Float32Array[] {
    return this.layers.flatMap((l) => [l.w, l.b]);
  }

  private onlineParameters(): Float32Array[] {
    return this.online.flatMap((l) => [l.w, l.b]);
  }
}
