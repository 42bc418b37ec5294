/**
 * PPO's minibatch loss (SB3's train(): clipped surrogate, entropy bonus, optionally clipped value
 * loss) and its gradients w.r.t. the policy and value MLPs, derived by hand (no autograd here).
 */
import type { RolloutBuffer } from './buffer';
import type { MaskableMultiCategorical } from './distribution';
import { backwardMlp, forwardMlpCached, zeroGrads, type DenseLayer, type LayerGrad } from './mlp';

/** The PPO loss of a minibatch, term by term. */
export interface MinibatchLoss {
  pg: number;
  vl: number;
  entLoss: number;
  approxKl: number;
  clipFrac: number;
  loss: number;
}

export interface LossSettings {
  /** Ratio clip range (this update's value of the schedule). */
  clip: number;
  /** Value clip range around the rollout's values; null: unclipped. */
  clipVf: number | null;
  entCoef: number;
  vfCoef: number;
  normalizeAdvantage: boolean;
}

/** The loss on the buffer rows idx and its gradients (one per layer, policy layers first). */
export function minibatchLoss(
  nets: { pi: readonly DenseLayer[]; vf: readonly DenseLayer[]; dist: MaskableMultiCategorical },
  buf: RolloutBuffer,
  idx: Int32Array,
  settings: LossSettings,
): { stats: MinibatchLoss; grads: LayerGrad[] } {
  const n = idx.length;
  const { pi, vf, dist } = nets;
  const { obsDim } = buf;
  const { dim: actDim, slots } = dist;
  const { clip, clipVf, entCoef, vfCoef } = settings;
  const obs = new Float32Array(n * obsDim);
  const adv = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const i = idx[r];
    obs.set(buf.obs.subarray(i * obsDim, (i + 1) * obsDim), r * obsDim);
    adv[r] = buf.advantages[i];
  }
  if (settings.normalizeAdvantage && n > 1) {
    let mean = 0;
    for (let r = 0; r < n; r++) mean += adv[r];
    mean /= n;
    let ss = 0;
    for (let r = 0; r < n; r++) ss += (adv[r] - mean) ** 2;
    const std = Math.sqrt(ss / (n - 1)); // unbiased, as torch.std
    for (let r = 0; r < n; r++) adv[r] = (adv[r] - mean) / (std + 1e-8);
  }
  const piActs = forwardMlpCached(pi, obs, n);
  const vfActs = forwardMlpCached(vf, obs, n);
  const logits = piActs[piActs.length - 1];
  const values = vfActs[vfActs.length - 1];
  const dLogits = new Float32Array(n * actDim);
  const dValues = new Float32Array(n);
  const row = dist.newRow();
  let pgSum = 0;
  let vlSum = 0;
  let entSum = 0;
  let klSum = 0;
  let clipCount = 0;
  for (let r = 0; r < n; r++) {
    const i = idx[r];
    const taken = buf.actions.subarray(i * slots, (i + 1) * slots);
    const masks = buf.masks ? buf.masks.subarray(i * actDim, (i + 1) * actDim) : null;
    dist.logSoftmax(logits.subarray(r * actDim, (r + 1) * actDim), masks, row);
    for (let s = 0; s < slots; s++) entSum += row.entropy[s];
    const logRatio = dist.logProb(row, taken) - buf.logProbs[i];
    const ratio = Math.exp(logRatio);
    const a = adv[r];
    const clipped = Math.min(Math.max(ratio, 1 - clip), 1 + clip);
    const s1 = a * ratio;
    const s2 = a * clipped;
    pgSum += -Math.min(s1, s2);
    klSum += ratio - 1 - logRatio;
    if (Math.abs(ratio - 1) > clip) clipCount += 1;
    // ∂pg/∂logp: the gradient flows through whichever surrogate is the minimum.
    const gradThrough = s1 <= s2 || (ratio > 1 - clip && ratio < 1 + clip);
    const dLogp = gradThrough ? (-a * ratio) / n : 0;
    // Through log π to the logits, plus the entropy term entCoef · entropy_loss (= −mean H).
    dist.logitGradient(row, taken, dLogp, entCoef, n, dLogits.subarray(r * actDim, (r + 1) * actDim));
    // Value loss (optionally clipped around the rollout's values, as SB3's clip_range_vf).
    const v = values[r];
    const oldV = buf.values[i];
    let vPred = v;
    let dvPred = 1;
    if (clipVf !== null) {
      const d = v - oldV;
      if (d > clipVf || d < -clipVf) dvPred = 0;
      vPred = oldV + Math.min(Math.max(d, -clipVf), clipVf);
    }
    const err = vPred - buf.returns[i];
    vlSum += err * err;
    dValues[r] = (vfCoef * 2 * err * dvPred) / n;
  }
  const pg = pgSum / n;
  const vl = vlSum / n;
  const entLoss = -entSum / n;
  const approxKl = klSum / n;
  const clipFrac = clipCount / n;
  const loss = pg + entCoef * entLoss + vfCoef * vl;
  const gPi = zeroGrads(pi);
  const gVf = zeroGrads(vf);
  backwardMlp(pi, piActs, dLogits, n, gPi);
  backwardMlp(vf, vfActs, dValues, n, gVf);
  return { stats: { pg, vl, entLoss, approxKl, clipFrac, loss }, grads: [...gPi, ...gVf] };
}
