/**
 * Deep Q-Network with Stable-Baselines3's semantics (dqn.py, off_policy_algorithm.py, one env):
 * epsilon-greedy collection (uniformly random actions for the first learning_starts steps), a
 * replay buffer, training every train_freq steps or episodes with gradient_steps Huber-loss steps
 * (Adam, gradients clipped to max_grad_norm), and a target network updated every
 * target_update_interval env steps with coefficient tau. Beyond SB3: Double DQN, invalid-action
 * masks (honoured by random and greedy choices and by the bootstrap's max) and MetaQNN's staged
 * epsilon. Deviation: epsilon starts at the schedule's first value, not SB3's 0.0 before the first step.
 *
 * As PPO, it runs in plain JS on Float32Arrays from one seeded Rng, so a seed reproduces a run, and
 * it can be driven by an env (learn) or step by step by an owner that steps episodes itself (act
 * and record: the NAS search).
 */
import { createRng, type Rng } from '../../random';
import { Discrete, flattenObservation, type Space } from '../../envs/spaces';
import { isPromiseLike, type Env, type StepResult } from '../../envs/types';
import { EpisodeStats } from '../common/episodes';
import { scheduleValue } from '../common/schedule';
import { forwardMlp, initMlpTorchDefault, type DenseLayer } from '../nn/mlp';
import { Adam, clipByGlobalNorm } from '../nn/optimizer';
import { TargetNetwork } from '../nn/target-network';
import { decodeCheckpoint, encodeCheckpoint, parseCheckpoint, type DQNCheckpoint } from './checkpoint';
import { DQN_DEFAULTS, explorationRate, type DQNConfig } from './config';
import { ReplayBuffer } from './replay-buffer';
import { argmaxValid, tdLoss, tdLosses } from './td-loss';
import { LossSelector } from '../../train/selective-backprop';

export interface DQNDiagnostics {
  numTimesteps: number;
  /** Gradient steps so far. */
  nUpdates: number;
  /** Trainings so far (one per collected rollout past learning_starts). */
  iteration: number;
  episodes: number;
  /** Mean TD (Huber) loss over this training's gradient steps. */
  loss: number;
  /** Mean Q(s, a) of the replayed actions over this training's batches. */
  meanQ: number;
  explorationRate: number;
  learningRate: number;
  /** Global gradient norm before clipping, mean over the gradient steps. */
  gradNorm: number;
  /** With selective backprop: the share of the transitions ranked that were trained on. */
  backpropShare?: number;
  stepsPerS: number;
  epRewMean: number | null;
  epLenMean: number | null;
}

/** What DQN needs of an environment to act and train: its spaces and (optionally) masks. */
export type DQNSpec = Pick<Env<Space, Space>, 'observationSpace' | 'actionSpace' | 'actionMasks'>;

/** One step of experience, as the owner of the episode saw it. */
export interface StepRecord {
  obs: Float32Array;
  action: number;
  reward: number;
  nextObs: Float32Array;
  terminated: boolean;
  truncated: boolean;
  /** The valid actions in nextObs (ignored without masking). */
  nextMask?: readonly boolean[] | Uint8Array | null;
}

export interface DQNLearnOptions {
  resetNumTimesteps?: boolean;
  /** Called after every training; returning false stops learning. */
  onUpdate?: (d: DQNDiagnostics) => void | boolean | Promise<void | boolean>;
  /** Called after every env step, once it is recorded (and trained on): a checkpoint here continues exactly; false stops. */
  onStep?: () => boolean | void | Promise<boolean | void>;
}

const toMask = (m: readonly boolean[] | Uint8Array): Uint8Array => (m instanceof Uint8Array ? m : Uint8Array.from(m, (b) => (b ? 1 : 0)));

export class DQN {
  readonly config: DQNConfig;
  readonly obsDim: number;
  readonly nActions: number;
  readonly masking: boolean;
  numTimesteps = 0;
  /** Horizon of the linear schedules (learn sets it; an owner stepping episodes may too). */
  totalTimesteps = 0;
  nUpdates = 0;
  iteration = 0;
  episodes = 0;
  explorationRate: number;
  readonly qNet: DenseLayer[];
  readonly target: TargetNetwork;
  readonly replay: ReplayBuffer;
  private rng: Rng;
  private readonly adam: Adam;
  private readonly episodeStats = new EpisodeStats(1);
  private rolloutSteps = 0;
  private rolloutEpisodes = 0;
  private lastObs: Float32Array | null = null;
  private lastMask: Uint8Array | null = null;
  private speedMark = { time: performance.now(), steps: 0 };
  private readonly selector: LossSelector | null;

  constructor(
    readonly env: DQNSpec,
    config: Partial<DQNConfig> = {},
  ) {
    this.config = { ...DQN_DEFAULTS, ...config };
    if (!(env.actionSpace instanceof Discrete)) throw new Error(`DQN needs a Discrete action space, got ${env.actionSpace.kind}`);
    this.obsDim = env.observationSpace.flatDim;
    this.nActions = env.actionSpace.n;
    this.masking = this.config.useMasking && typeof env.actionMasks === 'function';
    this.rng = createRng(this.config.seed);
    this.qNet = initMlpTorchDefault(this.obsDim, this.config.netArch, this.nActions, this.rng);
    this.target = new TargetNetwork(this.qNet, { tau: this.config.tau, interval: this.config.targetUpdateInterval });
    this.adam = new Adam(this.parameters(), this.config.adamEps);
    this.replay = new ReplayBuffer(this.config.bufferSize, this.obsDim, this.nActions, this.masking);
    this.explorationRate = explorationRate(this.config, 0, 0, 0);
    this.selector = this.config.selectiveBackprop === null ? null : new LossSelector(this.config.selectiveBackprop);
  }

  /** Q-values [n × nActions] of n flat observations. */
  qValues(obs: Float32Array, n: number): Float32Array {
    return forwardMlp(this.qNet, obs, n, 'relu');
  }

  /** The online network's parameter arrays (w then b, layer by layer), live. */
  parameters(): Float32Array[] {
    return this.qNet.flatMap((l) => [l.w, l.b]);
  }

  // ------------------------------------------------------------------------------------------
  // Acting

  /**
   * The action for one flat observation while collecting: uniformly random among the valid ones
   * during learning_starts and with probability epsilon, greedy otherwise (SB3's _sample_action).
   */
  act(obs: Float32Array, mask: readonly boolean[] | Uint8Array | null = null): number {
    const valid = this.masking && mask ? toMask(mask) : null;
    if (this.numTimesteps < this.config.learningStarts || this.rng.next() < this.explorationRate) return this.randomAction(valid);
    return argmaxValid(this.qValues(obs, 1), 0, this.nActions, valid, 0);
  }

  /** Greedy (or, not deterministic, epsilon-greedy) action for an observation in its space's form: evaluatePolicy's interface. */
  predict(obs: unknown, options: { actionMasks?: boolean[] | null; deterministic?: boolean } = {}, space: Space = this.env.observationSpace): number {
    const flat = new Float32Array(this.obsDim);
    flattenObservation(space, obs, flat, 0);
    const valid = this.masking && options.actionMasks ? toMask(options.actionMasks) : null;
    if (!(options.deterministic ?? true) && this.rng.next() < this.explorationRate) return this.randomAction(valid);
    return argmaxValid(this.qValues(flat, 1), 0, this.nActions, valid, 0);
  }

  private randomAction(valid: Uint8Array | null): number {
    if (!valid) return this.rng.int(this.nActions);
    const count = valid.reduce((a, v) => a + v, 0);
    if (count === 0) return this.rng.int(this.nActions);
    let k = this.rng.int(count);
    for (let a = 0; a < this.nActions; a++) if (valid[a] && k-- === 0) return a;
    throw new Error('unreachable');
  }

  // ------------------------------------------------------------------------------------------
  // Collecting and training

  /**
   * Stores one step (SB3's _store_transition and _on_step: the target network's clock and epsilon
   * move on) and, when it completes the rollout (train_freq), trains past learning_starts and
   * returns the training's diagnostics.
   */
  record(step: StepRecord): DQNDiagnostics | undefined {
    const done = step.terminated || step.truncated;
    const nextMask = this.masking && !step.terminated && step.nextMask ? toMask(step.nextMask) : null;
    this.replay.add({ obs: step.obs, action: step.action, reward: step.reward, nextObs: step.nextObs, done: step.terminated, nextMask });
    this.numTimesteps += 1;
    this.rolloutSteps += 1;
    this.episodeStats.step(0, step.reward, done);
    this.target.step();
    if (done) {
      this.episodes += 1;
      this.rolloutEpisodes += 1;
    }
    this.explorationRate = explorationRate(this.config, this.numTimesteps, this.totalTimesteps, this.episodes);
    const { trainFreq, trainFreqUnit } = this.config;
    if ((trainFreqUnit === 'step' ? this.rolloutSteps : this.rolloutEpisodes) < trainFreq) return undefined;
    const collected = this.rolloutSteps;
    this.rolloutSteps = 0;
    this.rolloutEpisodes = 0;
    if (this.numTimesteps <= this.config.learningStarts) return undefined;
    const gradientSteps = this.config.gradientSteps >= 0 ? this.config.gradientSteps : collected;
    return gradientSteps > 0 ? this.train(gradientSteps) : undefined;
  }

  /** gradientSteps Huber-loss steps on replayed minibatches (SB3's DQN.train). */
  train(gradientSteps: number): DQNDiagnostics {
    const { batchSize, gamma, doubleQ, maxGradNorm } = this.config;
    const progressRemaining = this.totalTimesteps > 0 ? 1 - this.numTimesteps / this.totalTimesteps : 1;
    const lr = scheduleValue(this.config.learningRate, progressRemaining);
    let loss = 0;
    let meanQ = 0;
    let gradNorm = 0;
    let ranked = 0;
    for (let g = 0; g < gradientSteps; g++) {
      const batch = this.selector ? this.selectBatch(this.selector, (n) => (ranked += n)) : this.replay.sampleIndices(batchSize, this.rng);
      const step = tdLoss(this.qNet, this.target.layers, this.replay, batch, { gamma, doubleQ });
      const flat = step.grads.flatMap((l) => [l.w, l.b]);
      gradNorm += clipByGlobalNorm(flat, maxGradNorm);
      this.adam.update(flat, lr);
      loss += step.loss;
      meanQ += step.meanQ;
    }
    this.nUpdates += gradientSteps;
    this.iteration += 1;
    const now = performance.now();
    const stepsPerS = ((this.numTimesteps - this.speedMark.steps) * 1000) / Math.max(now - this.speedMark.time, 1e-6);
    this.speedMark = { time: now, steps: this.numTimesteps };
    return {
      numTimesteps: this.numTimesteps,
      nUpdates: this.nUpdates,
      iteration: this.iteration,
      episodes: this.episodes,
      loss: loss / gradientSteps,
      meanQ: meanQ / gradientSteps,
      explorationRate: this.explorationRate,
      learningRate: lr,
      gradNorm: gradNorm / gradientSteps,
      ...(this.selector ? { backpropShare: (gradientSteps * batchSize) / ranked } : {}),
      stepsPerS,
      epRewMean: this.episodeStats.meanReturn(),
      epLenMean: this.episodeStats.meanLength(),
    };
  }

  /**
   * Selective backprop's batch: sampled transitions ranked by their TD loss, each kept with
   * probability CDF(loss)^β, until a batch is full (after 100 rounds, the last round's fill it).
   */
  private selectBatch(selector: LossSelector, countRanked: (n: number) => void): Int32Array {
    const { batchSize, gamma, doubleQ } = this.config;
    const kept: number[] = [];
    for (let round = 0; kept.length < batchSize; round++) {
      const candidates = this.replay.sampleIndices(batchSize, this.rng);
      countRanked(batchSize);
      const losses = tdLosses(this.qNet, this.target.layers, this.replay, candidates, { gamma, doubleQ });
      candidates.forEach((i, r) => {
        if (kept.length < batchSize && (round >= 100 || selector.keep(losses[r], this.rng))) kept.push(i);
      });
    }
    return Int32Array.from(kept);
  }

  /** The env learn() steps: a whole Env, not just its spaces. */
  private steppedEnv(): Env<Space, Space> {
    if (typeof (this.env as Partial<Env>).step !== 'function') throw new Error('learn() needs an environment to step; this DQN was given only spaces (use act() and record())');
    return this.env as Env<Space, Space>;
  }

  private observe(obs: unknown): { obs: Float32Array; mask: Uint8Array | null } {
    const flat = new Float32Array(this.obsDim);
    flattenObservation(this.env.observationSpace, obs, flat, 0);
    return { obs: flat, mask: this.masking ? toMask(this.env.actionMasks!()) : null };
  }

  /** Collects and trains until totalTimesteps, finishing a rollout once begun (SB3's learn). Returns the per-training diagnostics. */
  async learn(totalTimesteps: number, options: DQNLearnOptions = {}): Promise<DQNDiagnostics[]> {
    const env = this.steppedEnv();
    if (options.resetNumTimesteps ?? true) {
      this.numTimesteps = 0;
      this.episodes = 0;
      this.totalTimesteps = totalTimesteps;
      this.lastObs = null;
    } else this.totalTimesteps = totalTimesteps + this.numTimesteps;
    this.speedMark = { time: performance.now(), steps: this.numTimesteps };
    const history: DQNDiagnostics[] = [];
    while (this.numTimesteps < this.totalTimesteps || this.rolloutSteps > 0) {
      if (this.lastObs === null) {
        ({ obs: this.lastObs, mask: this.lastMask } = this.observe(env.reset(this.config.seed).obs));
        this.episodeStats.restart();
      }
      // A step that throws (a cancelled evaluation) leaves no draws behind: the agent is as before it.
      const rngState = this.rng.state();
      const obs = this.lastObs;
      let result: StepResult<unknown>;
      let action: number;
      try {
        action = this.act(obs, this.lastMask);
        const out = env.step(action as never);
        result = isPromiseLike(out) ? await out : out;
      } catch (error) {
        this.rng = createRng(this.config.seed, rngState);
        throw error;
      }
      const next = this.observe(result.obs);
      const diagnostics = this.record({ obs, action, reward: result.reward, nextObs: next.obs, terminated: result.terminated, truncated: result.truncated, nextMask: next.mask });
      ({ obs: this.lastObs, mask: this.lastMask } = result.terminated || result.truncated ? this.observe(env.reset().obs) : next);
      if (diagnostics) {
        history.push(diagnostics);
        if (options.onUpdate && (await options.onUpdate(diagnostics)) === false) break;
      }
      if (options.onStep) {
        const go = options.onStep();
        if ((isPromiseLike(go) ? await go : go) === false) break;
      }
    }
    return history;
  }

  /** Returns of the last (up to) 100 finished training episodes. */
  episodeReturns100(): number[] {
    return this.episodeStats.finished.map((e) => e.r);
  }

  // ------------------------------------------------------------------------------------------
  // Checkpoints

  /** Everything needed to continue exactly (given the env in the same state): JSON-serialisable. */
  checkpoint(): DQNCheckpoint {
    return encodeCheckpoint(
      this.config,
      { obsDim: this.obsDim, nActions: this.nActions },
      {
        numTimesteps: this.numTimesteps,
        totalTimesteps: this.totalTimesteps,
        nUpdates: this.nUpdates,
        iteration: this.iteration,
        episodes: this.episodes,
        explorationRate: this.explorationRate,
        targetCalls: this.target.calls,
        rolloutSteps: this.rolloutSteps,
        rolloutEpisodes: this.rolloutEpisodes,
        rngState: this.rng.state(),
        params: this.parameters(),
        target: this.target.parameters(),
        adam: this.adam,
        replay: this.replay.snapshot(),
        lastObs: this.lastObs,
        lastMask: this.lastMask,
        episodeInfo: this.episodeStats.finished,
        episodeReturn: this.episodeStats.returns[0],
        episodeLength: this.episodeStats.lengths[0],
        selectorLosses: this.selector?.snapshot() ?? [],
      },
    );
  }

  /** Restores a checkpoint() (or its JSON, validated here); the env must be in the state it was in then. */
  load(checkpoint: unknown): void {
    const c = parseCheckpoint(checkpoint);
    const s = decodeCheckpoint(c, { obsDim: this.obsDim, nActions: this.nActions, params: this.parameters() });
    this.replay.restore(s.replay); // the last check: nothing has changed if it throws
    this.parameters().forEach((p, k) => p.set(s.params[k]));
    this.target.parameters().forEach((p, k) => p.set(s.target[k]));
    this.target.calls = s.targetCalls;
    this.adam.load(s.adam);
    this.numTimesteps = s.numTimesteps;
    this.totalTimesteps = s.totalTimesteps;
    this.nUpdates = s.nUpdates;
    this.iteration = s.iteration;
    this.episodes = s.episodes;
    this.explorationRate = s.explorationRate;
    this.rolloutSteps = s.rolloutSteps;
    this.rolloutEpisodes = s.rolloutEpisodes;
    this.lastObs = s.lastObs;
    this.lastMask = s.lastMask;
    this.rng = createRng(c.config.seed, s.rngState);
    this.episodeStats.finished = s.episodeInfo;
    this.episodeStats.returns[0] = s.episodeReturn;
    this.episodeStats.lengths[0] = s.episodeLength;
    this.selector?.restore(s.selectorLosses);
  }

  static fromCheckpoint(env: DQNSpec, checkpoint: unknown): DQN {
    const c = parseCheckpoint(checkpoint);
    const dqn = new DQN(env, c.config);
    dqn.load(c);
    return dqn;
  }
}
