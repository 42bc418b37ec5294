/**
 * The actor-critic (SB3's ActorCriticPolicy with separate networks): a policy MLP whose output
 * row holds one categorical per slot, a value MLP, and the masked categorical distribution that
 * turns logits into actions. Sampling draws from the caller's RNG, so one seed reproduces a run.
 */
import type { Rng } from '../../random';
import { MaskableMultiCategorical } from './distribution';
import { forwardMlp, initMlp, type DenseLayer } from '../nn/mlp';

/** The masks of slot `prefix.length` given the slots chosen before it. */
export type SlotMaskFn = (prefix: readonly number[]) => boolean[];

export class ActorCriticPolicy {
  readonly pi: DenseLayer[];
  readonly vf: DenseLayer[];
  readonly dist: MaskableMultiCategorical;

  /** Orthogonal init with SB3's gains: √2 hidden, 0.01 policy head, 1 value head (policy first, from `rng`). */
  constructor(
    readonly obsDim: number,
    readonly nvec: readonly number[],
    netArch: { pi: number[]; vf: number[] },
    rng: Rng,
  ) {
    this.dist = new MaskableMultiCategorical(nvec);
    this.pi = initMlp(obsDim, netArch.pi, this.dist.dim, 0.01, rng);
    this.vf = initMlp(obsDim, netArch.vf, 1, 1, rng);
  }

  /** Entries of a logits row: Σ nvec. */
  get actDim(): number {
    return this.dist.dim;
  }

  /** Raw (unmasked) logits [n × Σ nvec] and values [n] for n flat observations. */
  forward(obs: Float32Array, n: number): { logits: Float32Array; values: Float32Array } {
    return { logits: forwardMlp(this.pi, obs, n), values: forwardMlp(this.vf, obs, n) };
  }

  /** V(obs) for n flat observations. */
  values(obs: Float32Array, n: number): Float32Array {
    return forwardMlp(this.vf, obs, n);
  }

  /** The policy's logits alone. */
  logits(obs: Float32Array, n: number): Float32Array {
    return forwardMlp(this.pi, obs, n);
  }

  /**
   * π over the values of action slot `slot` for one observation, under `mask` (one entry per value;
   * null: none). Slots are independent given the observation, so this is the policy's own marginal.
   */
  slotProbabilities(obs: Float32Array, slot: number, mask: readonly boolean[] | null): number[] {
    const logits = this.logits(obs, 1);
    let masks: Uint8Array | null = null;
    if (mask) {
      masks = new Uint8Array(this.actDim);
      const offset = this.dist.nvec.slice(0, slot).reduce((a, b) => a + b, 0);
      mask.forEach((ok, j) => (masks![offset + j] = ok ? 1 : 0));
    }
    return this.dist.slotProbabilities(logits, masks, 0, slot);
  }

  /**
   * Sampling under masks that depend on the earlier slots (one slotMask per row): each slot's mask
   * is asked for with the slots chosen so far, written into `masks` (stored in the buffer, so
   * training re-applies exactly these), then sampled. Returns each row's log-probability.
   */
  sampleSlotBySlot(slotMasks: readonly SlotMaskFn[], logits: Float32Array, masks: Uint8Array, actions: Int32Array, rng: Rng): Float32Array {
    const { nvec, actDim } = this;
    const logps = new Float32Array(slotMasks.length);
    slotMasks.forEach((slotMask, i) => {
      const prefix: number[] = [];
      let off = i * actDim;
      for (let s = 0; s < nvec.length; s++) {
        const mask = slotMask(prefix);
        if (mask.length !== nvec[s]) throw new Error(`slotMask: expected ${nvec[s]} entries for slot ${s}, got ${mask.length}`);
        for (let j = 0; j < nvec[s]; j++) masks[off + j] = mask[j] ? 1 : 0;
        const [chosen, logp] = this.dist.sampleSlot(logits, masks, i * actDim, s, rng);
        logps[i] += logp;
        prefix.push(chosen);
        off += nvec[s];
      }
      actions.set(prefix, i * nvec.length);
    });
    return logps;
  }

  /** The live parameter arrays (policy layers then value layers; w then b). */
  parameters(): Float32Array[] {
    return [...this.pi, ...this.vf].flatMap((l) => [l.w, l.b]);
  }
}
