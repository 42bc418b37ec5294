/**
 * DQN's loss on a minibatch of replayed transitions (SB3's DQN.train): the 1-step TD target
 * r + γ·(1 − done)·max_a' Q_target(s', a') over the next state's valid actions (Double DQN: the
 * online network's argmax, valued by the target), the Huber loss (smooth L1, β = 1) against
 * Q(s, a), and its gradients w.r.t. the online network, by hand.
 */
import { backwardMlp, forwardMlp, forwardMlpCached, zeroGrads, type DenseLayer, type LayerGrad } from '../nn/mlp';
import type { ReplayBuffer } from './replay-buffer';

export interface TdLoss {
  /** Mean Huber loss over the batch. */
  loss: number;
  /** Mean Q(s, a) of the batch's actions. */
  meanQ: number;
  grads: LayerGrad[];
}

/** The valid action with the highest value in row `row` of q (all actions when none is valid); ties: the first. */
export function argmaxValid(q: Float32Array, row: number, nActions: number, mask: Uint8Array | null, maskOffset = row * nActions): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let a = 0; a < nActions; a++) {
    if (mask && !mask[maskOffset + a]) continue;
    const v = q[row * nActions + a];
    if (best < 0 || v > bestValue) {
      best = a;
      bestValue = v;
    }
  }
  return best < 0 ? argmaxValid(q, row, nActions, null) : best;
}

/** The batch's observations and its TD targets r + γ·(1 − done)·Q_target(s', a*). */
function targets(online: readonly DenseLayer[], target: readonly DenseLayer[], replay: ReplayBuffer, idx: Int32Array, settings: TdSettings): { obs: Float32Array; y: Float64Array } {
  const n = idx.length;
  const { obsDim, nActions } = replay;
  const obs = new Float32Array(n * obsDim);
  const nextObs = new Float32Array(n * obsDim);
  const masks = replay.nextMasks ? new Uint8Array(n * nActions) : null;
  for (let r = 0; r < n; r++) {
    const i = idx[r];
    obs.set(replay.obs.subarray(i * obsDim, (i + 1) * obsDim), r * obsDim);
    nextObs.set(replay.nextObs.subarray(i * obsDim, (i + 1) * obsDim), r * obsDim);
    if (masks) masks.set(replay.nextMasks!.subarray(i * nActions, (i + 1) * nActions), r * nActions);
  }
  const nextTarget = forwardMlp(target, nextObs, n, 'relu');
  const nextOnline = settings.doubleQ ? forwardMlp(online, nextObs, n, 'relu') : nextTarget;
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const i = idx[r];
    const next = nextTarget[r * nActions + argmaxValid(nextOnline, r, nActions, masks)];
    y[r] = replay.rewards[i] + (1 - replay.dones[i]) * settings.gamma * next;
  }
  return { obs, y };
}

export interface TdSettings {
  gamma: number;
  doubleQ: boolean;
}

const huber = (diff: number) => (Math.abs(diff) < 1 ? 0.5 * diff * diff : Math.abs(diff) - 0.5);

/** Each transition's Huber loss, without gradients (what selective backprop ranks). */
export function tdLosses(online: readonly DenseLayer[], target: readonly DenseLayer[], replay: ReplayBuffer, idx: Int32Array, settings: TdSettings): Float64Array {
  const { obs, y } = targets(online, target, replay, idx, settings);
  const q = forwardMlp(online, obs, idx.length, 'relu');
  return y.map((yr, r) => huber(q[r * replay.nActions + replay.actions[idx[r]]] - yr));
}

export function tdLoss(online: readonly DenseLayer[], target: readonly DenseLayer[], replay: ReplayBuffer, idx: Int32Array, settings: TdSettings): TdLoss {
  const n = idx.length;
  const { nActions } = replay;
  const { obs, y } = targets(online, target, replay, idx, settings);
  const acts = forwardMlpCached(online, obs, n, 'relu');
  const q = acts[acts.length - 1];
  const dOut = new Float32Array(n * nActions);
  let loss = 0;
  let sumQ = 0;
  for (let r = 0; r < n; r++) {
    const col = r * nActions + replay.actions[idx[r]];
    const diff = q[col] - y[r];
    loss += huber(diff);
    dOut[col] = Math.max(-1, Math.min(1, diff)) / n;
    sumQ += q[col];
  }
  const grads = zeroGrads(online);
  backwardMlp(online, acts, dOut, n, grads, 'relu');
  return { loss: loss / n, meanQ: sumQ / n, grads };
}
