/**
 * Proximal Policy Optimization with Stable-Baselines3's semantics (ppo.py, on_policy_algorithm.py)
 * and sb3-contrib's MaskablePPO invalid-action masking. See /work/shared/DESIGN.md.
 *
 * The networks are small (64-64 MLPs), so forward passes, backpropagation and Adam run in plain
 * JS on Float32Arrays: measured on the 2-core machine, a tfjs backend spent most of each minibatch
 * in per-op overhead (cpu ≈ 540 steps/s, wasm ≈ 630 steps/s on CartPole with the zoo settings,
 * against ≥ 1000 needed). No tensors are allocated, results do not depend on the tf backend, and
 * everything random (initialisation, sampling, minibatch order) comes from one seeded Rng, so a
 * seed reproduces a run exactly.
 */
import { createRng, type Rng } from '../../random';
import { actionNvec, type Space } from '../../envs/spaces';
import { isPromiseLike, type Env, type StepResult } from '../../envs/types';
import { RolloutBuffer, type RolloutSnapshot } from './buffer';
import { backwardMlp, forwardMlp, forwardMlpCached, initMlp, zeroGrads, type LayerGrad } from './mlp';

/** A constant, or linear from `initial` (progress remaining 1) to `final` (progress remaining 0). */
export type Schedule = number | { kind: 'linear'; initial: number; final?: number };

export function scheduleValue(s: Schedule, progressRemaining: number): number {
  if (typeof s === 'number') return s;
  const final = s.final ?? 0;
  return final + (s.initial - final) * progressRemaining;
}

export interface PPOConfig {
  learningRate: Schedule;
  nSteps: number;
  batchSize: number;
  nEpochs: number;
  gamma: number;
  gaeLambda: number;
  clipRange: Schedule;
  clipRangeVf: Schedule | null;
  normalizeAdvantage: boolean;
  entCoef: number;
  vfCoef: number;
  maxGradNorm: number;
  targetKl: number | null;
  seed: number;
  netArch: { pi: number[]; vf: number[] };
  /** MaskablePPO: read env.actionMasks() every step (when the env has it). */
  useMasking: boolean;
  adamEps: number;
}

export const PPO_DEFAULTS: PPOConfig = {
  learningRate: 3e-4,
  nSteps: 2048,
  batchSize: 64,
  nEpochs: 10,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipRange: 0.2,
  clipRangeVf: null,
  normalizeAdvantage: true,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  seed: 0,
  netArch: { pi: [64, 64], vf: [64, 64] },
  useMasking: true,
  adamEps: 1e-5,
};

export interface PPODiagnostics {
  numTimesteps: number;
  nUpdates: number;
  iteration: number;
  policyGradientLoss: number;
  valueLoss: number;
  entropyLoss: number;
  approxKl: number;
  clipFraction: number;
  loss: number;
  explainedVariance: number;
  learningRate: number;
  clipRange: number;
  /** Global gradient norm before clipping, mean over minibatches. */
  gradNorm: number;
  /** Epochs actually run (target_kl may stop early). */
  epochs: number;
  stepsPerS: number;
  epRewMean: number | null;
  epLenMean: number | null;
}

/**
 * Everything PPO needs to continue exactly, mid-rollout included (given envs in the state they were
 * in when it was taken). JSON-serialisable.
 */
export interface PPOCheckpoint {
  format: 'gennerator-ppo';
  version: 2;
  config: PPOConfig;
  obsDim: number;
  nvec: number[];
  numTimesteps: number;
  nUpdates: number;
  iteration: number;
  rngState: number;
  params: Record<string, number[]>;
  adam: { step: number; m: Record<string, number[]>; v: Record<string, number[]> };
  episodeInfo: { r: number; l: number }[];
  /** The transitions of the rollout in progress (pos 0 right after an update). */
  rollout: RolloutSnapshot;
  /** The flat observations the next step acts on; null before the first step (learn resets the envs then). */
  lastObs: number[] | null;
  lastEpisodeStarts: number[];
  /** Return and length so far of each env's current episode. */
  episodeReturns: number[];
  episodeLengths: number[];
}

export interface LearnOptions {
  resetNumTimesteps?: boolean;
  /** Called after every update; returning false stops learning. */
  onUpdate?: (d: PPODiagnostics) => void | boolean | Promise<void | boolean>;
  /**
   * Called after every vectorised env step, once its transition is in the buffer (SB3's
   * callback.on_step): a checkpoint taken here continues exactly. Returning false stops learn at
   * once, without training on the partial rollout (a later learn completes it).
   */
  onStep?: () => boolean | void | Promise<boolean | void>;
}

const HUGE_NEG = -1e8;
const BETA1 = 0.9;
const BETA2 = 0.999;

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

type AnyEnv = Env<Space, Space>;

export class PPO {
  readonly config: PPOConfig;
  readonly envs: AnyEnv[];
  readonly nEnvs: number;
  readonly obsDim: number;
  readonly nvec: number[];
  readonly actDim: number;
  readonly masking: boolean;
  /** The env's masks of later slots depend on earlier choices (Env.slotMask): sample slot by slot. */
  readonly conditionalMasks: boolean;
  numTimesteps = 0;
  nUpdates = 0;
  iteration = 0;
  readonly buffer: RolloutBuffer;
  private rng: Rng;
  private readonly names: string[];
  private readonly adamM: LayerGrad[];
  private readonly adamV: LayerGrad[];
  private adamStep = 0;
  private readonly pi: ReturnType<typeof initMlp>;
  private readonly vf: ReturnType<typeof initMlp>;
  private lastObs: Float32Array | null = null;
  private lastEpisodeStarts: Float32Array;
  private episodeReturns: Float64Array;
  private episodeLengths: Int32Array;
  private epInfo: { r: number; l: number }[] = [];
  private totalTimesteps = 0;
  private disposed = false;

  constructor(envs: AnyEnv | AnyEnv[], config: Partial<PPOConfig> = {}) {
    this.config = { ...PPO_DEFAULTS, ...config, netArch: { ...PPO_DEFAULTS.netArch, ...config.netArch } };
    this.envs = Array.isArray(envs) ? envs : [envs];
    if (this.envs.length === 0) throw new Error('PPO needs at least one env');
    this.nEnvs = this.envs.length;
    const env0 = this.envs[0];
    this.obsDim = env0.observationSpace.flatDim;
    this.nvec = actionNvec(env0.actionSpace);
    this.actDim = this.nvec.reduce((a, b) => a + b, 0);
    for (const e of this.envs)
      if (e.observationSpace.flatDim !== this.obsDim || actionNvec(e.actionSpace).join() !== this.nvec.join()) throw new Error('PPO: all envs must share their spaces');
    this.conditionalMasks = this.config.useMasking && typeof env0.slotMask === 'function';
    this.masking = this.conditionalMasks || (this.config.useMasking && typeof env0.actionMasks === 'function');
    const bufSize = this.config.nSteps * this.nEnvs;
    if (bufSize < 2 && this.config.normalizeAdvantage) throw new Error('PPO: n_steps * n_envs must be > 1 with advantage normalisation');
    this.rng = createRng(this.config.seed);
    this.pi = initMlp(this.obsDim, this.config.netArch.pi, this.actDim, 0.01, this.rng);
    this.vf = initMlp(this.obsDim, this.config.netArch.vf, 1, 1, this.rng);
    this.names = [...this.pi.map((_, i) => `pi_${i}`), ...this.vf.map((_, i) => `vf_${i}`)];
    this.adamM = zeroGrads([...this.pi, ...this.vf]);
    this.adamV = zeroGrads([...this.pi, ...this.vf]);
    this.buffer = new RolloutBuffer(this.config.nSteps, this.nEnvs, this.obsDim, this.nvec.length, this.actDim, this.masking);
    this.lastEpisodeStarts = new Float32Array(this.nEnvs);
    this.episodeReturns = new Float64Array(this.nEnvs);
    this.episodeLengths = new Int32Array(this.nEnvs);
  }

  // ------------------------------------------------------------------------------------------
  // Acting

  /** Raw (unmasked) logits [n × sum(nvec)] and values [n] for n flat observations. */
  forward(obs: Float32Array, n: number): { logits: Float32Array; values: Float32Array } {
    return { logits: forwardMlp(this.pi, obs, n), values: forwardMlp(this.vf, obs, n) };
  }

  /** V(obs) for n flat observations. */
  predictValues(obs: Float32Array, n: number): Float32Array {
    return forwardMlp(this.vf, obs, n);
  }

  /**
   * Picks actions for n rows of logits (masks: n × actDim, 1 = valid). Writes actions (n × slots)
   * and returns the summed log-probabilities.
   */
  private selectActions(logits: Float32Array, n: number, masks: Uint8Array | null, deterministic: boolean, actions: Int32Array): Float32Array {
    const logps = new Float32Array(n);
    const slots = this.nvec.length;
    for (let r = 0; r < n; r++) {
      let off = r * this.actDim;
      let total = 0;
      for (let s = 0; s < slots; s++) {
        const k = this.nvec[s];
        let max = -Infinity;
        for (let j = 0; j < k; j++) {
          const l = masks && !masks[off + j] ? HUGE_NEG : logits[off + j];
          if (l > max) max = l;
        }
        let sum = 0;
        for (let j = 0; j < k; j++) {
          const l = masks && !masks[off + j] ? HUGE_NEG : logits[off + j];
          sum += Math.exp(l - max);
        }
        const logZ = max + Math.log(sum);
        let chosen = 0;
        if (deterministic) {
          let best = -Infinity;
          for (let j = 0; j < k; j++) {
            const l = masks && !masks[off + j] ? HUGE_NEG : logits[off + j];
            if (l > best) {
              best = l;
              chosen = j;
            }
          }
        } else {
          const u = this.rng.next() * sum;
          let acc = 0;
          chosen = -1;
          for (let j = 0; j < k; j++) {
            const l = masks && !masks[off + j] ? HUGE_NEG : logits[off + j];
            const p = Math.exp(l - max);
            if (p === 0) continue;
            acc += p;
            chosen = j;
            if (u < acc) break;
          }
        }
        const lc = masks && !masks[off + chosen] ? HUGE_NEG : logits[off + chosen];
        total += lc - logZ;
        actions[r * slots + s] = chosen;
        off += k;
      }
      logps[r] = total;
    }
    return logps;
  }

  /**
   * The action for one observation (already in the env's observation form), optionally masked.
   * Deterministic (argmax) by default, as SB3's predict in evaluation.
   */
  predict(obs: unknown, options: { actionMasks?: boolean[] | null; deterministic?: boolean } = {}, space: Space = this.envs[0].observationSpace): number | number[] {
    const flat = new Float32Array(this.obsDim);
    (space as { flattenInto(x: unknown, out: Float32Array, o: number): number }).flattenInto(obs, flat, 0);
    const logits = forwardMlp(this.pi, flat, 1);
    const masks = options.actionMasks ? Uint8Array.from(options.actionMasks, (b) => (b ? 1 : 0)) : null;
    if (masks && masks.length !== this.actDim) throw new Error(`predict: masks need ${this.actDim} entries`);
    const actions = new Int32Array(this.nvec.length);
    this.selectActions(logits, 1, masks, options.deterministic ?? true, actions);
    return this.envs[0].actionSpace.kind === 'discrete' ? actions[0] : Array.from(actions);
  }

  /**
   * Sampling for envs with slotMask: each slot's mask is asked for with the slots chosen so far,
   * written into `masks` (stored in the buffer, so training re-applies exactly these), then sampled.
   */
  private selectActionsSlotBySlot(logits: Float32Array, masks: Uint8Array, actions: Int32Array): Float32Array {
    const slots = this.nvec.length;
    const logps = new Float32Array(this.nEnvs);
    for (let i = 0; i < this.nEnvs; i++) {
      const env = this.envs[i] as AnyEnv & { slotMask(prefix: readonly number[]): boolean[] };
      const prefix: number[] = [];
      let off = 0;
      for (let s = 0; s < slots; s++) {
        const k = this.nvec[s];
        const mask = env.slotMask(prefix);
        if (mask.length !== k) throw new Error(`slotMask: expected ${k} entries for slot ${s}, got ${mask.length}`);
        for (let j = 0; j < k; j++) masks[i * this.actDim + off + j] = mask[j] ? 1 : 0;
        // Sample this slot alone: a one-slot view of the row (later slots' masks are not known yet).
        const row = logits.subarray(i * this.actDim, (i + 1) * this.actDim);
        const rowMasks = masks.subarray(i * this.actDim, (i + 1) * this.actDim);
        const [chosen, logp] = this.sampleSlot(row, rowMasks, off, k);
        logps[i] += logp;
        prefix.push(chosen);
        off += k;
      }
      actions.set(prefix, i * slots);
    }
    return logps;
  }

  /** Samples one categorical slot (logits[off..off+k), masked): the value and its log-probability. */
  private sampleSlot(logits: Float32Array, masks: Uint8Array, off: number, k: number): [number, number] {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, masks[off + j] ? logits[off + j] : HUGE_NEG);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp((masks[off + j] ? logits[off + j] : HUGE_NEG) - max);
    const u = this.rng.next() * sum;
    let acc = 0;
    let chosen = -1;
    for (let j = 0; j < k; j++) {
      const p = Math.exp((masks[off + j] ? logits[off + j] : HUGE_NEG) - max);
      if (p === 0) continue;
      acc += p;
      chosen = j;
      if (u < acc) break;
    }
    return [chosen, (masks[off + chosen] ? logits[off + chosen] : HUGE_NEG) - (max + Math.log(sum))];
  }

  private toEnvAction(actions: Int32Array, env: number): number | number[] {
    const slots = this.nvec.length;
    if (this.envs[env].actionSpace.kind === 'discrete') return actions[env * slots];
    return Array.from(actions.subarray(env * slots, (env + 1) * slots));
  }

  private flattenObs(env: number, obs: unknown, out: Float32Array, row: number): void {
    (this.envs[env].observationSpace as { flattenInto(x: unknown, out: Float32Array, o: number): number }).flattenInto(obs, out, row * this.obsDim);
  }

  private resetEnvs(seeded: boolean): void {
    this.lastObs = new Float32Array(this.nEnvs * this.obsDim);
    for (let i = 0; i < this.nEnvs; i++) {
      const { obs } = this.envs[i].reset(seeded ? this.config.seed + i : undefined);
      this.flattenObs(i, obs, this.lastObs, i);
    }
    this.lastEpisodeStarts.fill(1);
    this.episodeReturns.fill(0);
    this.episodeLengths.fill(0);
  }

  /**
   * Fills the buffer up to n_steps × n_envs transitions (SB3's collect_rollouts), continuing a
   * rollout restored from a checkpoint (with none left to do when it was full). Returns false when
   * onStep stopped it; the buffer then keeps the partial rollout and no returns are computed.
   */
  async collectRollouts(onStep?: LearnOptions['onStep']): Promise<boolean> {
    if (this.lastObs === null) this.resetEnvs(true);
    const { nEnvs, obsDim, actDim } = this;
    const { gamma } = this.config;
    const buf = this.buffer;
    const actions = new Int32Array(nEnvs * this.nvec.length);
    const masks = this.masking ? new Uint8Array(nEnvs * actDim) : null;
    const rewards = new Float64Array(nEnvs);
    const dones = new Float32Array(nEnvs);
    const finalObs = new Float32Array(obsDim);
    while (!buf.full) {
      const obs = this.lastObs!;
      if (masks && !this.conditionalMasks)
        for (let i = 0; i < nEnvs; i++) {
          const m = this.envs[i].actionMasks!();
          if (m.length !== actDim) throw new Error(`actionMasks: expected ${actDim} entries, got ${m.length}`);
          for (let j = 0; j < actDim; j++) masks[i * actDim + j] = m[j] ? 1 : 0;
        }
      const { logits, values } = this.forward(obs, nEnvs);
      // A step that throws (a cancelled search) leaves no draws behind: with one env the agent is then
      // exactly as before the step, so a checkpoint of it still continues exactly.
      const rngState = this.rng.state();
      let logps: Float32Array;
      const results: StepResult<unknown>[] = [];
      try {
        logps = this.conditionalMasks
          ? this.selectActionsSlotBySlot(logits, masks as Uint8Array, actions)
          : this.selectActions(logits, nEnvs, masks, false, actions);
        for (let i = 0; i < nEnvs; i++) {
          const out = this.envs[i].step(this.toEnvAction(actions, i) as never);
          results.push(isPromiseLike(out) ? await out : out);
        }
      } catch (error) {
        this.rng = createRng(this.config.seed, rngState);
        throw error;
      }
      const newObs = new Float32Array(nEnvs * obsDim);
      for (let i = 0; i < nEnvs; i++) {
        const env = this.envs[i];
        const res = results[i];
        let reward = res.reward;
        this.episodeReturns[i] += res.reward;
        this.episodeLengths[i] += 1;
        const done = res.terminated || res.truncated;
        dones[i] = done ? 1 : 0;
        if (done) {
          if (res.truncated && !res.terminated) {
            // Bootstrap from the final observation (SB3: reward += γ·V(terminal_observation)).
            this.flattenObs(i, res.obs, finalObs, 0);
            reward += gamma * forwardMlp(this.vf, finalObs, 1)[0];
          }
          this.epInfo.push({ r: this.episodeReturns[i], l: this.episodeLengths[i] });
          if (this.epInfo.length > 100) this.epInfo.shift();
          this.episodeReturns[i] = 0;
          this.episodeLengths[i] = 0;
          const { obs: o } = env.reset();
          this.flattenObs(i, o, newObs, i);
        } else this.flattenObs(i, res.obs, newObs, i);
        rewards[i] = reward;
      }
      this.numTimesteps += nEnvs;
      buf.add({ obs, actions, rewards, episodeStarts: this.lastEpisodeStarts, values, logProbs: logps, masks });
      this.lastObs = newObs;
      this.lastEpisodeStarts = Float32Array.from(dones);
      if (onStep) {
        const go = onStep();
        if ((isPromiseLike(go) ? await go : go) === false) return false;
      }
    }
    // lastEpisodeStarts, not this call's dones: a restored full rollout takes no step here.
    const lastValues = forwardMlp(this.vf, this.lastObs!, nEnvs);
    buf.computeReturnsAndAdvantage(lastValues, this.lastEpisodeStarts, gamma, this.config.gaeLambda);
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // Training

  /**
   * One gradient step on a minibatch (SB3's inner loop of train()). Returns
   * [pg, vl, entLoss, approxKl, clipFrac, loss, gradNorm, applied].
   */
  private trainStep(idx: Int32Array, clip: number, clipVf: number | null, lr: number): number[] {
    const { stats, grads } = this.lossAndGradients(idx, clip, clipVf);
    const { pg, vl, entLoss, approxKl, clipFrac, loss } = stats;
    // SB3 checks target_kl before the optimiser step of this minibatch.
    const { targetKl, maxGradNorm } = this.config;
    if (targetKl !== null && approxKl > 1.5 * targetKl) return [pg, vl, entLoss, approxKl, clipFrac, loss, 0, 0];
    const norm = clipByGlobalNorm(grads.flatMap((g) => [g.w, g.b]), maxGradNorm);
    this.adamUpdate(grads, lr);
    return [pg, vl, entLoss, approxKl, clipFrac, loss, norm, 1];
  }

  /**
   * The PPO loss on the buffer rows idx and its gradients (one per layer, policy layers first),
   * without changing anything. Public for tests and diagnostics.
   */
  lossAndGradients(
    idx: Int32Array,
    clip: number,
    clipVf: number | null,
  ): { stats: { pg: number; vl: number; entLoss: number; approxKl: number; clipFrac: number; loss: number }; grads: LayerGrad[] } {
    const n = idx.length;
    const { obsDim, actDim, buffer: buf, nvec } = this;
    const slots = nvec.length;
    const { entCoef, vfCoef } = this.config;
    const obs = new Float32Array(n * obsDim);
    const adv = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const i = idx[r];
      obs.set(buf.obs.subarray(i * obsDim, (i + 1) * obsDim), r * obsDim);
      adv[r] = buf.advantages[i];
    }
    if (this.config.normalizeAdvantage && n > 1) {
      let mean = 0;
      for (let r = 0; r < n; r++) mean += adv[r];
      mean /= n;
      let ss = 0;
      for (let r = 0; r < n; r++) ss += (adv[r] - mean) ** 2;
      const std = Math.sqrt(ss / (n - 1)); // unbiased, as torch.std
      for (let r = 0; r < n; r++) adv[r] = (adv[r] - mean) / (std + 1e-8);
    }
    const piActs = forwardMlpCached(this.pi, obs, n);
    const vfActs = forwardMlpCached(this.vf, obs, n);
    const logits = piActs[piActs.length - 1];
    const values = vfActs[vfActs.length - 1];
    const dLogits = new Float32Array(n * actDim);
    const dValues = new Float32Array(n);
    const probs = new Float64Array(actDim);
    const logps = new Float64Array(actDim);
    let pgSum = 0;
    let vlSum = 0;
    let entSum = 0;
    let klSum = 0;
    let clipCount = 0;
    for (let r = 0; r < n; r++) {
      const i = idx[r];
      const row = r * actDim;
      // Masked log-softmax per slot, log-prob of the taken actions, entropies.
      let logp = 0;
      let off = 0;
      const slotEntropy = new Float64Array(slots);
      for (let s = 0; s < slots; s++) {
        const k = nvec[s];
        let max = -Infinity;
        for (let j = 0; j < k; j++) {
          const valid = !buf.masks || buf.masks[i * actDim + off + j] === 1;
          const l = valid ? logits[row + off + j] : HUGE_NEG;
          logps[off + j] = l;
          if (l > max) max = l;
        }
        let sum = 0;
        for (let j = 0; j < k; j++) sum += Math.exp(logps[off + j] - max);
        const logZ = max + Math.log(sum);
        let h = 0;
        for (let j = 0; j < k; j++) {
          const lp = logps[off + j] - logZ;
          logps[off + j] = lp;
          const p = Math.exp(lp);
          probs[off + j] = p;
          if (p > 0) h -= p * lp;
        }
        slotEntropy[s] = h;
        entSum += h;
        logp += logps[off + buf.actions[i * slots + s]];
        off += k;
      }
      const logRatio = logp - buf.logProbs[i];
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
      off = 0;
      for (let s = 0; s < slots; s++) {
        const k = nvec[s];
        const act = buf.actions[i * slots + s];
        for (let j = 0; j < k; j++) {
          const p = probs[off + j];
          if (p === 0) continue; // masked (or numerically impossible) logits get no gradient
          let g = dLogp * ((j === act ? 1 : 0) - p);
          // entropy_loss = −mean(H), ∂H/∂z_j = −p_j (log p_j + H)
          if (entCoef !== 0) g += (entCoef * p * (logps[off + j] + slotEntropy[s])) / n;
          dLogits[row + off + j] = g;
        }
        off += k;
      }
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
    const gPi = zeroGrads(this.pi);
    const gVf = zeroGrads(this.vf);
    backwardMlp(this.pi, piActs, dLogits, n, gPi);
    backwardMlp(this.vf, vfActs, dValues, n, gVf);
    return { stats: { pg, vl, entLoss, approxKl, clipFrac, loss }, grads: [...gPi, ...gVf] };
  }

  /** The live parameter arrays (policy layers then value layers; w then b). */
  parameters(): Float32Array[] {
    return [...this.pi, ...this.vf].flatMap((l) => [l.w, l.b]);
  }

  /** torch.optim.Adam (no weight decay, no amsgrad), eps from the config (SB3: 1e-5). */
  private adamUpdate(grads: LayerGrad[], lr: number): void {
    this.adamStep += 1;
    const bc1 = 1 - BETA1 ** this.adamStep;
    const bc2 = 1 - BETA2 ** this.adamStep;
    const stepSize = lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    const eps = this.config.adamEps;
    const layers = [...this.pi, ...this.vf];
    const update = (p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array) => {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = BETA1 * m[i] + (1 - BETA1) * gi;
        const vi = BETA2 * v[i] + (1 - BETA2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
      }
    };
    layers.forEach((l, k) => {
      update(l.w, grads[k].w, this.adamM[k].w, this.adamV[k].w);
      update(l.b, grads[k].b, this.adamM[k].b, this.adamV[k].b);
    });
  }

  private progressRemaining(): number {
    // Clamped at 0: the last rollout may overshoot total_timesteps.
    return this.totalTimesteps > 0 ? Math.min(1, Math.max(0, 1 - this.numTimesteps / this.totalTimesteps)) : 1;
  }

  /** SB3's train(): n_epochs over shuffled minibatches of the buffer. */
  train(): Omit<PPODiagnostics, 'stepsPerS' | 'epRewMean' | 'epLenMean' | 'numTimesteps' | 'iteration'> {
    const progress = this.progressRemaining();
    const lr = scheduleValue(this.config.learningRate, progress);
    const clip = scheduleValue(this.config.clipRange, progress);
    const clipVf = this.config.clipRangeVf === null ? null : scheduleValue(this.config.clipRangeVf, progress);
    const size = this.buffer.pos * this.nEnvs;
    const batch = this.config.batchSize;
    const sums = { pg: 0, vl: 0, ent: 0, clipFrac: 0, norm: 0, n: 0, applied: 0 };
    const kls: number[] = [];
    let lastLoss = 0;
    let epochs = 0;
    let stop = false;
    for (let epoch = 0; epoch < this.config.nEpochs && !stop; epoch++) {
      const perm = new Int32Array(size);
      for (let i = 0; i < size; i++) perm[i] = i;
      for (let i = size - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      for (let start = 0; start < size; start += batch) {
        const s = this.trainStep(perm.subarray(start, Math.min(size, start + batch)), clip, clipVf, lr);
        // As SB3, the minibatch that trips target_kl still counts in the logged means.
        kls.push(s[3]);
        sums.pg += s[0];
        sums.vl += s[1];
        sums.ent += s[2];
        sums.clipFrac += s[4];
        sums.n += 1;
        lastLoss = s[5];
        if (s[7] === 0) {
          stop = true;
          break;
        }
        sums.norm += s[6];
        sums.applied += 1;
      }
      this.nUpdates += 1;
      epochs += 1;
    }
    const n = Math.max(1, sums.n);
    return {
      nUpdates: this.nUpdates,
      policyGradientLoss: sums.pg / n,
      valueLoss: sums.vl / n,
      entropyLoss: sums.ent / n,
      approxKl: kls.reduce((a, b) => a + b, 0) / Math.max(1, kls.length),
      clipFraction: sums.clipFrac / n,
      loss: lastLoss,
      explainedVariance: explainedVariance(this.buffer.values.subarray(0, size), this.buffer.returns.subarray(0, size)),
      learningRate: lr,
      clipRange: clip,
      gradNorm: sums.norm / Math.max(1, sums.applied),
      epochs,
    };
  }

  /** Collect-then-train until totalTimesteps (SB3's learn). Returns the per-update diagnostics. */
  async learn(totalTimesteps: number, options: LearnOptions = {}): Promise<PPODiagnostics[]> {
    if (this.disposed) throw new Error('PPO disposed');
    if (options.resetNumTimesteps ?? true) {
      this.numTimesteps = 0;
      this.totalTimesteps = totalTimesteps;
    } else this.totalTimesteps = totalTimesteps + this.numTimesteps;
    const start = performance.now();
    const startSteps = this.numTimesteps;
    const history: PPODiagnostics[] = [];
    // A rollout once begun is always finished and trained on (a restored one included), as it
    // would have been had the run not been interrupted.
    while (this.numTimesteps < this.totalTimesteps || this.buffer.pos > 0) {
      if (!(await this.collectRollouts(options.onStep))) break;
      this.iteration += 1;
      const d = this.train();
      // Emptied now, so a checkpoint holds only transitions not yet trained on.
      this.buffer.reset();
      const elapsed = (performance.now() - start) / 1000;
      const diag: PPODiagnostics = {
        ...d,
        numTimesteps: this.numTimesteps,
        iteration: this.iteration,
        stepsPerS: (this.numTimesteps - startSteps) / Math.max(elapsed, 1e-9),
        epRewMean: this.epInfo.length ? this.epInfo.reduce((a, e) => a + e.r, 0) / this.epInfo.length : null,
        epLenMean: this.epInfo.length ? this.epInfo.reduce((a, e) => a + e.l, 0) / this.epInfo.length : null,
      };
      history.push(diag);
      if (options.onUpdate && (await options.onUpdate(diag)) === false) break;
    }
    return history;
  }

  /** Returns of the last (up to) 100 finished training episodes. */
  episodeReturns100(): number[] {
    return this.epInfo.map((e) => e.r);
  }

  // ------------------------------------------------------------------------------------------
  // Checkpoints

  /** Everything needed to continue exactly (given the same envs): JSON-serialisable. */
  checkpoint(): PPOCheckpoint {
    const params: Record<string, number[]> = {};
    const m: Record<string, number[]> = {};
    const v: Record<string, number[]> = {};
    const layers = [...this.pi, ...this.vf];
    this.names.forEach((name, k) => {
      params[`${name}_w`] = Array.from(layers[k].w);
      params[`${name}_b`] = Array.from(layers[k].b);
      m[`${name}_w`] = Array.from(this.adamM[k].w);
      m[`${name}_b`] = Array.from(this.adamM[k].b);
      v[`${name}_w`] = Array.from(this.adamV[k].w);
      v[`${name}_b`] = Array.from(this.adamV[k].b);
    });
    return {
      format: 'gennerator-ppo',
      version: 2,
      config: JSON.parse(JSON.stringify(this.config)) as PPOConfig,
      obsDim: this.obsDim,
      nvec: [...this.nvec],
      numTimesteps: this.numTimesteps,
      nUpdates: this.nUpdates,
      iteration: this.iteration,
      rngState: this.rng.state(),
      params,
      adam: { step: this.adamStep, m, v },
      episodeInfo: this.epInfo.map((e) => ({ ...e })),
      rollout: this.buffer.snapshot(),
      lastObs: this.lastObs ? Array.from(this.lastObs) : null,
      lastEpisodeStarts: Array.from(this.lastEpisodeStarts),
      episodeReturns: Array.from(this.episodeReturns),
      episodeLengths: Array.from(this.episodeLengths),
    };
  }

  /**
   * Restores weights, Adam state, counters, the RNG and the rollout in progress. The next learn
   * steps the envs from the checkpoint's last observations without resetting them, so they must be
   * in the state they were in when it was taken (restore them first); only a checkpoint taken
   * before any step has none, and then learn resets the envs as usual.
   */
  load(ckpt: PPOCheckpoint): void {
    if (ckpt.format !== 'gennerator-ppo' || ckpt.version !== 2) throw new Error('not a PPO checkpoint (version 2)');
    if (ckpt.obsDim !== this.obsDim || ckpt.nvec.join() !== this.nvec.join()) throw new Error('checkpoint spaces do not match the envs');
    const layers = [...this.pi, ...this.vf];
    const copy = (target: Float32Array, values: number[] | undefined, name: string) => {
      if (!values || values.length !== target.length) throw new Error(`checkpoint: bad tensor ${name}`);
      target.set(values);
    };
    this.names.forEach((name, k) => {
      for (const part of ['w', 'b'] as const) {
        const key = `${name}_${part}`;
        copy(layers[k][part], ckpt.params[key], key);
        copy(this.adamM[k][part], ckpt.adam.m[key], key);
        copy(this.adamV[k][part], ckpt.adam.v[key], key);
      }
    });
    this.adamStep = ckpt.adam.step;
    this.numTimesteps = ckpt.numTimesteps;
    this.nUpdates = ckpt.nUpdates;
    this.iteration = ckpt.iteration;
    this.rng = createRng(ckpt.config.seed, ckpt.rngState);
    this.epInfo = ckpt.episodeInfo.map((e) => ({ ...e }));
    const perEnv = (values: number[], name: string) => {
      if (values.length !== this.nEnvs) throw new Error(`checkpoint: bad ${name}`);
      return values;
    };
    this.lastEpisodeStarts = Float32Array.from(perEnv(ckpt.lastEpisodeStarts, 'lastEpisodeStarts'));
    this.episodeReturns = Float64Array.from(perEnv(ckpt.episodeReturns, 'episodeReturns'));
    this.episodeLengths = Int32Array.from(perEnv(ckpt.episodeLengths, 'episodeLengths'));
    if (ckpt.lastObs === null) {
      if (ckpt.rollout.pos > 0) throw new Error('checkpoint: a rollout without last observations');
      this.lastObs = null;
    } else {
      if (ckpt.lastObs.length !== this.nEnvs * this.obsDim) throw new Error('checkpoint: bad lastObs');
      this.lastObs = Float32Array.from(ckpt.lastObs);
    }
    this.buffer.restore(ckpt.rollout);
  }

  static fromCheckpoint(envs: AnyEnv | AnyEnv[], ckpt: PPOCheckpoint): PPO {
    const ppo = new PPO(envs, ckpt.config);
    ppo.load(ckpt);
    return ppo;
  }

  /** Nothing to free (no tensors); kept for the agent interface. */
  dispose(): void {
    this.disposed = true;
  }
}

/** 1 − Var(y − ŷ)/Var(y) (population variances, as SB3); NaN when Var(y) = 0. */
export function explainedVariance(yPred: ArrayLike<number>, yTrue: ArrayLike<number>): number {
  const n = yTrue.length;
  let mt = 0;
  let md = 0;
  for (let i = 0; i < n; i++) {
    mt += yTrue[i];
    md += yTrue[i] - yPred[i];
  }
  mt /= n;
  md /= n;
  let vt = 0;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    vt += (yTrue[i] - mt) ** 2;
    vd += (yTrue[i] - yPred[i] - md) ** 2;
  }
  return vt === 0 ? NaN : 1 - vd / vt;
}

/** Mean episode return of a policy over nEpisodes (SB3's evaluate_policy; deterministic by default). */
export async function evaluatePolicy(ppo: PPO, env: AnyEnv, nEpisodes: number, options: { deterministic?: boolean; useMasks?: boolean; seed?: number } = {}): Promise<{ mean: number; std: number; returns: number[] }> {
  const returns: number[] = [];
  for (let ep = 0; ep < nEpisodes; ep++) {
    let { obs } = env.reset(ep === 0 ? options.seed : undefined);
    let total = 0;
    for (;;) {
      const masks = options.useMasks !== false && env.actionMasks ? env.actionMasks() : null;
      const action = ppo.predict(obs, { actionMasks: masks, deterministic: options.deterministic ?? true }, env.observationSpace);
      const out = env.step(action as never);
      const res: StepResult<unknown> = isPromiseLike(out) ? await out : out;
      total += res.reward;
      obs = res.obs as typeof obs;
      if (res.terminated || res.truncated) break;
    }
    returns.push(total);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  return { mean, std, returns };
}
