/** SB3's train() loop: n_epochs over shuffled minibatches, with its logged means. */
import type { Rng } from '../../random';
import type { MinibatchLoss } from './loss';
import type { PPODiagnostics } from './types';

/** One minibatch's loss, the gradient norm before clipping, and whether the step was applied (not stopped by target_kl). */
export type MinibatchStep = MinibatchLoss & { gradNorm: number; applied: boolean };

/** What train() reports of its epochs (the means are over minibatches; gradNorm's over the applied ones). */
export type EpochsResult = Pick<PPODiagnostics, 'policyGradientLoss' | 'valueLoss' | 'entropyLoss' | 'approxKl' | 'clipFraction' | 'loss' | 'gradNorm' | 'epochs'>;

/** Runs `step` on minibatches of `batch` rows of 0..size-1, reshuffled each epoch, for up to nEpochs epochs. */
export function runEpochs(nEpochs: number, size: number, batch: number, rng: Rng, step: (idx: Int32Array) => MinibatchStep): EpochsResult {
  const sums = { pg: 0, vl: 0, ent: 0, clipFrac: 0, norm: 0, n: 0, applied: 0 };
  const kls: number[] = [];
  let lastLoss = 0;
  let epochs = 0;
  let stop = false;
  for (let epoch = 0; epoch < nEpochs && !stop; epoch++) {
    const perm = rng.shuffle(Int32Array.from({ length: size }, (_, i) => i));
    for (let start = 0; start < size; start += batch) {
      const s = step(perm.subarray(start, Math.min(size, start + batch)));
      // As SB3, the minibatch that trips target_kl still counts in the logged means.
      kls.push(s.approxKl);
      sums.pg += s.pg;
      sums.vl += s.vl;
      sums.ent += s.entLoss;
      sums.clipFrac += s.clipFrac;
      sums.n += 1;
      lastLoss = s.loss;
      if (!s.applied) {
        stop = true;
        break;
      }
      sums.norm += s.gradNorm;
      sums.applied += 1;
    }
    epochs += 1;
  }
  const n = Math.max(1, sums.n);
  return {
    policyGradientLoss: sums.pg / n,
    valueLoss: sums.vl / n,
    entropyLoss: sums.ent / n,
    approxKl: kls.reduce((a, b) => a + b, 0) / Math.max(1, kls.length),
    clipFraction: sums.clipFrac / n,
    loss: lastLoss,
    gradNorm: sums.norm / Math.max(1, sums.applied),
    epochs,
  };
}
