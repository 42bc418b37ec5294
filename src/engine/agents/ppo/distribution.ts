/**
 * The MultiDiscrete categorical distribution with invalid-action masking (sb3-contrib's
 * MaskableMultiCategoricalDistribution): a row of logits holds one categorical per slot, slot s
 * taking nvec[s] consecutive entries; a mask (1 = valid, same layout) replaces the logits of
 * invalid actions by MASKED_LOGIT, so they get probability 0 and no gradient. Acting (batch and
 * slot by slot) and the loss share this one implementation. Sums run in float64; the log-prob of
 * a sampled row is stored as float32, as the rollout buffer keeps it.
 */
import type { Rng } from '../../random';

/** sb3-contrib's masked logit (-1e8): exp() of it minus any valid logit underflows to 0. */
export const MASKED_LOGIT = -1e8;

/** One row's masked log-softmax (float64 scratch, reused from row to row). */
export interface LogSoftmaxRow {
  /** log π(j) per entry of the row. */
  logp: Float64Array;
  /** π(j) per entry of the row (0 where masked). */
  probs: Float64Array;
  /** Entropy of each slot. */
  entropy: Float64Array;
}

export class MaskableMultiCategorical {
  /** Logits per row: Σ nvec. */
  readonly dim: number;
  readonly slots: number;
  /** Where each slot's entries start in a row. */
  private readonly offsets: number[];

  constructor(readonly nvec: readonly number[]) {
    this.slots = nvec.length;
    this.offsets = [];
    let off = 0;
    for (const k of nvec) {
      this.offsets.push(off);
      off += k;
    }
    this.dim = off;
  }

  /**
   * Samples every slot of n rows (one rng draw per slot, row by row, slot by slot) into actions
   * [n × slots] and returns each row's log-probability. masks: n × dim, or null for none.
   */
  sample(logits: Float32Array, masks: Uint8Array | null, n: number, rng: Rng, actions: Int32Array): Float32Array {
    const logps = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      let total = 0;
      for (let s = 0; s < this.slots; s++) {
        const [chosen, logp] = this.sampleSlot(logits, masks, r * this.dim, s, rng);
        actions[r * this.slots + s] = chosen;
        total += logp;
      }
      logps[r] = total;
    }
    return logps;
  }

  /**
   * Samples slot s of the row starting at `base` of logits and masks (which may be a row alone,
   * base 0: later slots' masks need not be known yet). Returns the action and its log-probability.
   */
  sampleSlot(logits: Float32Array, masks: Uint8Array | null, base: number, s: number, rng: Rng): [number, number] {
    const off = base + this.offsets[s];
    const k = this.nvec[s];
    const { max, sum } = normaliser(logits, masks, off, k);
    const u = rng.next() * sum;
    let acc = 0;
    let chosen = -1;
    for (let j = 0; j < k; j++) {
      const p = Math.exp(maskedLogit(logits, masks, off + j) - max);
      if (p === 0) continue;
      acc += p;
      chosen = j;
      if (u < acc) break;
    }
    return [chosen, maskedLogit(logits, masks, off + chosen) - (max + Math.log(sum))];
  }

  /** π over slot s's values, of the row starting at `base` (masked entries 0). */
  slotProbabilities(logits: Float32Array, masks: Uint8Array | null, base: number, s: number): number[] {
    const off = base + this.offsets[s];
    const { max, sum } = normaliser(logits, masks, off, this.nvec[s]);
    return Array.from({ length: this.nvec[s] }, (_, j) => Math.exp(maskedLogit(logits, masks, off + j) - max) / sum);
  }

  /** The most likely action of every slot of n rows (the first on ties), into actions [n × slots]. */
  mode(logits: Float32Array, masks: Uint8Array | null, n: number, actions: Int32Array): void {
    for (let r = 0; r < n; r++)
      for (let s = 0; s < this.slots; s++) {
        const off = r * this.dim + this.offsets[s];
        let best = -Infinity;
        let chosen = 0;
        for (let j = 0; j < this.nvec[s]; j++) {
          const l = maskedLogit(logits, masks, off + j);
          if (l > best) {
            best = l;
            chosen = j;
          }
        }
        actions[r * this.slots + s] = chosen;
      }
  }

  newRow(): LogSoftmaxRow {
    return { logp: new Float64Array(this.dim), probs: new Float64Array(this.dim), entropy: new Float64Array(this.slots) };
  }

  /** The masked log-softmax of one row (logits and masks: views of dim entries) into out. */
  logSoftmax(logits: Float32Array, masks: Uint8Array | null, out: LogSoftmaxRow): void {
    for (let s = 0; s < this.slots; s++) {
      const off = this.offsets[s];
      const k = this.nvec[s];
      const { max, sum } = normaliser(logits, masks, off, k);
      const logZ = max + Math.log(sum);
      let h = 0;
      for (let j = off; j < off + k; j++) {
        const lp = maskedLogit(logits, masks, j) - logZ;
        const p = Math.exp(lp);
        out.logp[j] = lp;
        out.probs[j] = p;
        if (p > 0) h -= p * lp;
      }
      out.entropy[s] = h;
    }
  }

  /** log π(actions) of a row: the sum over slots (actions: a view of slots entries). */
  logProb(row: LogSoftmaxRow, actions: Int32Array): number {
    let logp = 0;
    for (let s = 0; s < this.slots; s++) logp += row.logp[this.offsets[s] + actions[s]];
    return logp;
  }

  /**
   * Writes into dLogits (a view of dim entries) the gradient w.r.t. the row's logits of
   * dLogProb · log π(actions) − (entCoef / n) · Σ_s H_s, i.e. a loss term's ∂/∂log π plus the row's
   * share of −entCoef · mean(H) over n rows. Masked entries get 0.
   */
  logitGradient(row: LogSoftmaxRow, actions: Int32Array, dLogProb: number, entCoef: number, n: number, dLogits: Float32Array): void {
    for (let s = 0; s < this.slots; s++) {
      const off = this.offsets[s];
      for (let j = 0; j < this.nvec[s]; j++) {
        const p = row.probs[off + j];
        if (p === 0) continue; // masked (or numerically impossible) logits get no gradient
        let g = dLogProb * ((j === actions[s] ? 1 : 0) - p);
        // ∂H/∂z_j = −p_j (log p_j + H)
        if (entCoef !== 0) g += (entCoef * p * (row.logp[off + j] + row.entropy[s])) / n;
        dLogits[off + j] = g;
      }
    }
  }
}

function maskedLogit(logits: Float32Array, masks: Uint8Array | null, i: number): number {
  return masks && !masks[i] ? MASKED_LOGIT : logits[i];
}

/** The largest masked logit of logits[off, off + k) and Σ exp(l − max) over them. */
function normaliser(logits: Float32Array, masks: Uint8Array | null, off: number, k: number): { max: number; sum: number } {
  let max = -Infinity;
  for (let j = off; j < off + k; j++) {
    const l = maskedLogit(logits, masks, j);
    if (l > max) max = l;
  }
  let sum = 0;
  for (let j = off; j < off + k; j++) sum += Math.exp(maskedLogit(logits, masks, j) - max);
  return { max, sum };
}
