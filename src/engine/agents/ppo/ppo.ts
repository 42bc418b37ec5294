/**
 * Proximal Policy Optimization with Stable-Baselines3's semantics (ppo.py, on_policy_algorithm.py)
 * and sb3-contrib's MaskablePPO invalid-action masking (see README, The agent).
 *
 * The networks are small (64-64 MLPs), so forward passes, backpropagation and Adam run in plain
 * JS on Float32Arrays: measured on the 2-core machine, a tfjs backend spent most of each minibatch
 * in per-op overhead (cpu ≈ 540 steps/s, wasm ≈ 630 steps/s on CartPole with the zoo settings,
 * against ≥ 1000 needed). No tensors are allocated, results do not depend on the tf backend, and
 * everything random (initialisation, sampling, minibatch order) comes from one seeded Rng, so a
 * seed reproduces a run exactly.
 */
import { createRng, type Rng } from '../../random';
import { flattenObservation, type Space } from '../../envs/spaces';
import { isPromiseLike } from '../../envs/types';
import { RolloutBuffer } from './buffer';
import { decodeCheckpoint, encodeCheckpoint, paramNames, parseCheckpoint, type PPOCheckpoint, type PPOShape } from './checkpoint';
import { scheduleValue } from '../common/schedule';
import { PPO_DEFAULTS, type PPOConfig } from './config';
import { explainedVariance } from '../common/evaluation';
import { minibatchLoss, type MinibatchLoss } from './loss';
import { runEpochs, type MinibatchStep } from './epochs';
import { EpisodeStats } from '../common/episodes';
import type { LayerGrad } from '../nn/mlp';
import { Adam, clipByGlobalNorm } from '../nn/optimizer';
import { ActorCriticPolicy, type SlotMaskFn } from './policy';
import type { ActedStep, LearnOptions, PPODiagnostics, PPOSpec } from './types';
import { VecEnv } from './vec-env';

export type { ActedStep, LearnOptions, PPODiagnostics, PPOSpec } from './types';

export class PPO {
  readonly config: PPOConfig;
  readonly envs: PPOSpec[];
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
  private readonly vec: VecEnv;
  private rng: Rng;
  private readonly policy: ActorCriticPolicy;
  private readonly adam: Adam;
  private lastObs: Float32Array | null = null;
  private lastEpisodeStarts: Float32Array;
  private episodes: EpisodeStats;
  private totalTimesteps = 0;

  constructor(envs: PPOSpec | PPOSpec[], config: Partial<PPOConfig> = {}) {
    this.config = { ...PPO_DEFAULTS, ...config, netArch: { ...PPO_DEFAULTS.netArch, ...config.netArch } };
    this.vec = new VecEnv(envs);
    ({ specs: this.envs, n: this.nEnvs, obsDim: this.obsDim, nvec: this.nvec, actDim: this.actDim } = this.vec);
    const env0 = this.envs[0];
    this.conditionalMasks = this.config.useMasking && typeof env0.slotMask === 'function';
    this.masking = this.conditionalMasks || (this.config.useMasking && typeof env0.actionMasks === 'function');
    const bufSize = this.config.nSteps * this.nEnvs;
    if (bufSize < 2 && this.config.normalizeAdvantage) throw new Error('PPO: n_steps * n_envs must be > 1 with advantage normalisation');
    this.rng = createRng(this.config.seed);
    this.policy = new ActorCriticPolicy(this.obsDim, this.nvec, this.config.netArch, this.rng);
    this.adam = new Adam(this.parameters(), this.config.adamEps);
    this.buffer = new RolloutBuffer(this.config.nSteps, this.nEnvs, this.obsDim, this.nvec.length, this.actDim, this.masking);
    this.lastEpisodeStarts = new Float32Array(this.nEnvs);
    this.episodes = new EpisodeStats(this.nEnvs);
  }

  // ------------------------------------------------------------------------------------------
  // Acting

  /** Raw (unmasked) logits [n × sum(nvec)] and values [n] for n flat observations. */
  forward(obs: Float32Array, n: number): { logits: Float32Array; values: Float32Array } {
    return this.policy.forward(obs, n);
  }

  /**
   * π over the values of action slot `slot` for one observation, under `mask` (one entry per value;
   * null: none). Slots are independent given the observation, so this is the policy's own marginal.
   */
  slotProbabilities(obs: Float32Array, slot: number, mask: readonly boolean[] | null): number[] {
    return this.policy.slotProbabilities(obs, slot, mask);
  }

  /** V(obs) for n flat observations. */
  predictValues(obs: Float32Array, n: number): Float32Array {
    return this.policy.values(obs, n);
  }

  /**
   * The action for one observation (already in the env's observation form), optionally masked.
   * Deterministic (argmax) by default, as SB3's predict in evaluation.
   */
  predict(obs: unknown, options: { actionMasks?: boolean[] | null; deterministic?: boolean } = {}, space: Space = this.envs[0].observationSpace): number | number[] {
    const flat = new Float32Array(this.obsDim);
    flattenObservation(space, obs, flat, 0);
    const logits = this.policy.logits(flat, 1);
    const masks = options.actionMasks ? Uint8Array.from(options.actionMasks, (b) => (b ? 1 : 0)) : null;
    if (masks && masks.length !== this.actDim) throw new Error(`predict: masks need ${this.actDim} entries`);
    const actions = new Int32Array(this.nvec.length);
    if (options.deterministic ?? true) this.policy.dist.mode(logits, masks, 1, actions);
    else this.policy.dist.sample(logits, masks, 1, this.rng, actions);
    return this.envs[0].actionSpace.kind === 'discrete' ? actions[0] : Array.from(actions);
  }

  private resetEnvs(): void {
    this.lastObs = this.vec.reset(this.config.seed);
    this.lastEpisodeStarts.fill(1);
    this.episodes.restart();
  }

  /**
   * Fills the buffer up to n_steps × n_envs transitions (SB3's collect_rollouts), continuing a
   * rollout restored from a checkpoint (with none left to do when it was full). Returns false when
   * onStep stopped it; the buffer then keeps the partial rollout and no returns are computed.
   */
  async collectRollouts(onStep?: LearnOptions['onStep']): Promise<boolean> {
    if (this.lastObs === null) this.resetEnvs();
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
      if (masks && !this.conditionalMasks) this.vec.readMasks(masks);
      const { logits, values } = this.forward(obs, nEnvs);
      // A step that throws (a cancelled search) leaves no draws behind: with one env the agent is then
      // exactly as before the step, so a checkpoint of it still continues exactly.
      const rngState = this.rng.state();
      let logps: Float32Array;
      let results;
      try {
        logps = this.conditionalMasks
          ? this.policy.sampleSlotBySlot(
              this.envs.map((env): SlotMaskFn => (prefix) => env.slotMask!(prefix)),
              logits,
              masks as Uint8Array,
              actions,
              this.rng,
            )
          : this.policy.dist.sample(logits, masks, nEnvs, this.rng, actions);
        results = await this.vec.step(actions);
      } catch (error) {
        this.rng = createRng(this.config.seed, rngState);
        throw error;
      }
      const newObs = new Float32Array(nEnvs * obsDim);
      for (let i = 0; i < nEnvs; i++) {
        const env = this.vec.stepped()[i];
        const res = results[i];
        let reward = res.reward;
        const done = res.terminated || res.truncated;
        this.episodes.step(i, res.reward, done);
        dones[i] = done ? 1 : 0;
        if (done) {
          if (res.truncated && !res.terminated) {
            // Bootstrap from the final observation (SB3: reward += γ·V(terminal_observation)).
            this.vec.flatten(i, res.obs, finalObs, 0);
            reward += gamma * this.policy.values(finalObs, 1)[0];
          }
          const { obs: o } = env.reset();
          this.vec.flatten(i, o, newObs, i);
        } else this.vec.flatten(i, res.obs, newObs, i);
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
    const lastValues = this.policy.values(this.lastObs!, nEnvs);
    buf.computeReturnsAndAdvantage(lastValues, this.lastEpisodeStarts, gamma, this.config.gaeLambda);
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // Episodes stepped outside learn()

  /** Draws from here on with a fresh RNG seeded by `seed` (a copy of an agent that acts apart from it must not repeat its draws). */
  reseed(seed: number): void {
    this.rng = createRng(seed);
  }

  /**
   * Samples an action for one flat observation, as collect_rollouts would (the same draws): under
   * the masks of `slotMask` slot by slot, or of a flat mask, or none. Record it once its reward is known.
   */
  act(obs: Float32Array, masks: { slotMask?: SlotMaskFn; actionMask?: boolean[] } = {}): ActedStep {
    if (obs.length !== this.obsDim) throw new Error(`act: expected an observation of ${this.obsDim} values, got ${obs.length}`);
    const { logits, values } = this.forward(obs, 1);
    const actions = new Int32Array(this.nvec.length);
    let stepMasks: Uint8Array | null = null;
    let logProb: number;
    if (this.masking && masks.slotMask) {
      stepMasks = new Uint8Array(this.actDim);
      logProb = this.policy.sampleSlotBySlot([masks.slotMask], logits, stepMasks, actions, this.rng)[0];
    } else {
      if (this.masking && masks.actionMask) {
        if (masks.actionMask.length !== this.actDim) throw new Error(`act: masks need ${this.actDim} entries`);
        stepMasks = Uint8Array.from(masks.actionMask, (b) => (b ? 1 : 0));
      } else if (this.masking) stepMasks = new Uint8Array(this.actDim).fill(1);
      logProb = this.policy.dist.sample(logits, stepMasks, 1, this.rng, actions)[0];
    }
    return { obs, action: Array.from(actions), logProb, value: values[0], masks: stepMasks };
  }

  /**
   * Stores a step taken with act() and its reward (SB3's buffer.add); once the rollout is full,
   * trains on it, bootstrapping from V(nextObs) unless the step ended its episode, and returns the
   * update's diagnostics. `episodeStart`: the step is its episode's first.
   */
  record(step: ActedStep, reward: number, episodeStart: boolean, done: boolean, nextObs: Float32Array): PPODiagnostics | undefined {
    if (this.nEnvs !== 1) throw new Error('record: PPO steps one episode at a time here (one env)');
    this.buffer.add({
      obs: step.obs,
      actions: Int32Array.from(step.action),
      rewards: [reward],
      episodeStarts: [episodeStart ? 1 : 0],
      values: [step.value],
      logProbs: [step.logProb],
      masks: step.masks,
    });
    this.numTimesteps += 1;
    this.episodes.step(0, reward, done);
    this.lastObs = Float32Array.from(nextObs);
    this.lastEpisodeStarts = Float32Array.of(done ? 1 : 0);
    if (!this.buffer.full) return undefined;
    this.buffer.computeReturnsAndAdvantage(this.predictValues(this.lastObs, 1), this.lastEpisodeStarts, this.config.gamma, this.config.gaeLambda);
    return this.update(performance.now(), this.numTimesteps - this.buffer.pos);
  }

  /**
   * Trains on the steps record()ed so far without waiting for a full rollout (a caller that adapts
   * its own update frequency: the tuning controller), bootstrapping from the last recorded step as
   * record() does. Undefined (nothing trained) with fewer than 2 steps stored.
   */
  updateNow(): PPODiagnostics | undefined {
    if (this.buffer.pos < 2 || this.lastObs === null) return undefined;
    this.buffer.computeReturnsAndAdvantage(this.predictValues(this.lastObs, 1), this.lastEpisodeStarts, this.config.gamma, this.config.gaeLambda);
    return this.update(performance.now(), this.numTimesteps - this.buffer.pos);
  }

  // ------------------------------------------------------------------------------------------
  // Training

  /**
   * One gradient step on a minibatch (SB3's inner loop of train()): not applied when the
   * minibatch's approximate KL trips target_kl (checked before the optimiser step, as SB3).
   */
  private trainStep(idx: Int32Array, clip: number, clipVf: number | null, lr: number): MinibatchStep {
    const { stats, grads } = this.lossAndGradients(idx, clip, clipVf);
    const { targetKl, maxGradNorm } = this.config;
    if (targetKl !== null && stats.approxKl > 1.5 * targetKl) return { ...stats, gradNorm: 0, applied: false };
    const flat = grads.flatMap((g) => [g.w, g.b]);
    const gradNorm = clipByGlobalNorm(flat, maxGradNorm);
    this.adam.update(flat, lr);
    return { ...stats, gradNorm, applied: true };
  }

  /**
   * The PPO loss on the buffer rows idx and its gradients (one per layer, policy layers first),
   * without changing anything. Public for tests and diagnostics.
   */
  lossAndGradients(idx: Int32Array, clip: number, clipVf: number | null): { stats: MinibatchLoss; grads: LayerGrad[] } {
    const { entCoef, vfCoef, normalizeAdvantage } = this.config;
    return minibatchLoss(this.policy, this.buffer, idx, { clip, clipVf, entCoef, vfCoef, normalizeAdvantage });
  }

  /** The live parameter arrays (policy layers then value layers; w then b). */
  parameters(): Float32Array[] {
    return this.policy.parameters();
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
    const { gradNorm, epochs, ...losses } = runEpochs(this.config.nEpochs, size, this.config.batchSize, this.rng, (idx) => this.trainStep(idx, clip, clipVf, lr));
    this.nUpdates += epochs;
    const explained = explainedVariance(this.buffer.values.subarray(0, size), this.buffer.returns.subarray(0, size));
    return { nUpdates: this.nUpdates, ...losses, explainedVariance: explained, learningRate: lr, clipRange: clip, gradNorm, epochs };
  }

  /** Collect-then-train until totalTimesteps (SB3's learn). Returns the per-update diagnostics. */
  async learn(totalTimesteps: number, options: LearnOptions = {}): Promise<PPODiagnostics[]> {
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
      const diag = this.update(start, startSteps);
      history.push(diag);
      if (options.onUpdate && (await options.onUpdate(diag)) === false) break;
    }
    return history;
  }

  /** Trains on the full rollout (returns computed), empties it, and reports; `since`/`sinceSteps` time steps/s. */
  private update(since: number, sinceSteps: number): PPODiagnostics {
    this.iteration += 1;
    const d = this.train();
    // Emptied now, so a checkpoint holds only transitions not yet trained on.
    this.buffer.reset();
    const elapsed = (performance.now() - since) / 1000;
    return {
      ...d,
      numTimesteps: this.numTimesteps,
      iteration: this.iteration,
      stepsPerS: (this.numTimesteps - sinceSteps) / Math.max(elapsed, 1e-9),
      epRewMean: this.episodes.meanReturn(),
      epLenMean: this.episodes.meanLength(),
    };
  }

  /** Returns of the last (up to) 100 finished training episodes. */
  episodeReturns100(): number[] {
    return this.episodes.finished.map((e) => e.r);
  }

  // ------------------------------------------------------------------------------------------
  // Checkpoints

  private shape(): PPOShape {
    return { obsDim: this.obsDim, nvec: this.nvec, nEnvs: this.nEnvs, paramNames: paramNames(this.policy.pi.length, this.policy.vf.length), params: this.parameters() };
  }

  /** Everything needed to continue exactly (given the same envs): JSON-serialisable. */
  checkpoint(): PPOCheckpoint {
    return encodeCheckpoint(this.config, this.shape(), {
      numTimesteps: this.numTimesteps,
      nUpdates: this.nUpdates,
      iteration: this.iteration,
      rngState: this.rng.state(),
      params: this.parameters(),
      adam: this.adam,
      episodeInfo: this.episodes.finished,
      rollout: this.buffer.snapshot(),
      lastObs: this.lastObs,
      lastEpisodeStarts: this.lastEpisodeStarts,
      episodeReturns: this.episodes.returns,
      episodeLengths: this.episodes.lengths,
    });
  }

  /**
   * Restores weights, Adam state, counters, the RNG and the rollout in progress from a checkpoint()
   * (or its JSON, validated here). The next learn steps the envs from the checkpoint's last
   * observations without resetting them, so they must be in the state they were in when it was
   * taken (restore them first); only a checkpoint taken before any step has none, and then learn
   * resets the envs as usual.
   */
  load(checkpoint: unknown): void {
    this.restore(parseCheckpoint(checkpoint));
  }

  private restore(ckpt: PPOCheckpoint): void {
    const s = decodeCheckpoint(ckpt, this.shape());
    this.buffer.restore(s.rollout); // the last check: nothing has changed if it throws
    this.parameters().forEach((p, k) => p.set(s.params[k]));
    this.adam.load(s.adam);
    this.numTimesteps = s.numTimesteps;
    this.nUpdates = s.nUpdates;
    this.iteration = s.iteration;
    this.rng = createRng(ckpt.config.seed, s.rngState);
    this.episodes.finished = s.episodeInfo;
    this.lastEpisodeStarts = s.lastEpisodeStarts;
    this.episodes.returns = s.episodeReturns;
    this.episodes.lengths = s.episodeLengths;
    this.lastObs = s.lastObs;
  }

  static fromCheckpoint(envs: PPOSpec | PPOSpec[], checkpoint: unknown): PPO {
    const ckpt = parseCheckpoint(checkpoint);
    const ppo = new PPO(envs, ckpt.config);
    ppo.restore(ckpt);
    return ppo;
  }
}
