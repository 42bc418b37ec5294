/**
 * The training-control environment: an episode is the training of one network for `epochs`
 * epochs, cut into intervals of batches/decisionsPerEpoch batches (epoch ends are always interval
 * ends). The first interval trains with the task's initial hyperparameters (reset); after each
 * interval but the last there is a decision point (step): the controller's change, if any, applies
 * to the running model, the next interval trains, and the step returns what the controller sees
 * next (observation.ts) and the normalised reward of that interval (reward.ts), plus the terminal
 * term after the last one. A NaN/inf loss (training or validation) ends the episode with
 * DIVERGENCE_PENALTY and status 'diverged'; an aborted signal ends it with status 'cancelled'.
 *
 * What trains is a Trainee: LiveTraining (a tfjs model), or anything with the same interface (the
 * tests' simulated training curve), so the controller and the episode loop never know which.
 */
import type { ControlChange, Hyperparameters, TuneEpoch } from '../../shared/tuning';
import { applyChange } from './hyperparameters';
import { OBSERVATION_SIZE, observe } from './observation';
import { DIVERGENCE_PENALTY, type RewardNormalizer } from './reward';

export interface TraineeBatches {
  /** The interval's batch losses, in order (up to the one that diverged). */
  losses: number[];
  status: 'ok' | 'diverged' | 'cancelled';
}

export interface TrainOptions {
  signal?: AbortSignal;
  /** Sets the learning rate before each batch (baseline schedules); `batch` counts the batches trained before it. */
  learningRateAt?: (batch: number) => number;
}

/** Something that trains batch by batch with hyperparameters that change while it runs. */
export interface Trainee {
  readonly batchesPerEpoch: number;
  /** In force now. */
  readonly hyperparameters: Hyperparameters;
  /** Applies new hyperparameters from the next batch on (clamped to the bounds); returns what is in force. */
  apply(h: Hyperparameters): Hyperparameters;
  /** Trains the next `batches` batches (epochs roll over by themselves). */
  train(batches: number, options: TrainOptions): Promise<TraineeBatches>;
  validate(): Promise<{ loss: number; accuracy: number }>;
  /** The global gradient norm of the training loss on a batch of training data, now. */
  gradientNorm(): Promise<number>;
}

export interface ControlEnvOptions {
  epochs: number;
  decisionsPerEpoch: number;
  normalizer: RewardNormalizer;
  signal?: AbortSignal;
  /** A baseline schedule: the learning rate at each fraction of the episode's batches (0 ≤ progress < 1). */
  learningRateAt?: (progress: number) => number;
  /** Measure the gradient norm at decision points (the observation needs it; schedules do not). Default true. */
  measureGradients?: boolean;
}

/** What a decision point shows. */
export interface ControlState {
  obs: Float32Array;
  /** No decision follows: the episode is over. */
  done: boolean;
  status: 'running' | 'completed' | 'diverged' | 'cancelled';
  /** Fraction of the episode's batches done. */
  progress: number;
  /** The epoch this decision point falls in (1-based): at an epoch's end, that epoch. */
  epoch: number;
  hyperparameters: Hyperparameters;
  validAccuracy: number;
}

export interface ControlTransition extends ControlState {
  /** Normalised reward of the interval just trained, terminal term or penalty included. */
  reward: number;
  /** The validation accuracy change over it (NaN when it diverged). */
  rawReward: number;
}

export class TrainingControlEnv {
  /** Batch counts at which intervals end (the last is the episode's end). */
  readonly boundaries: number[];
  readonly totalBatches: number;
  readonly epochs: TuneEpoch[] = [];
  private index = 0;
  private done = false;
  private previous: { validLoss: number; validAccuracy: number } | undefined;
  private best = -Infinity;
  private sinceBest = 0;
  private sinceIntervention = 0;
  private epochLosses: number[] = [];
  private epochStarted = performance.now();
  private status: ControlState['status'] = 'running';

  constructor(
    readonly trainee: Trainee,
    readonly options: ControlEnvOptions,
  ) {
    const per = trainee.batchesPerEpoch;
    const k = Math.max(1, Math.min(options.decisionsPerEpoch, per));
    this.boundaries = [];
    for (let e = 0; e < options.epochs; e++) for (let i = 1; i <= k; i++) this.boundaries.push(e * per + Math.round((per * i) / k));
    this.totalBatches = options.epochs * per;
  }

  /** Decision points in an episode: one after every interval but the last. */
  get decisions(): number {
    return this.boundaries.length - 1;
  }

  get batchesDone(): number {
    return this.index === 0 ? 0 : this.boundaries[this.index - 1];
  }

  /** Trains the first interval with the trainee's hyperparameters as they are; the first decision point. */
  async reset(): Promise<ControlState> {
    if (this.index !== 0) throw new Error('TrainingControlEnv.reset: an episode runs once; make a new environment');
    const { state } = await this.trainInterval();
    return state;
  }

  /** Applies `change` (null: none) and trains the next interval. */
  async step(change: ControlChange | null): Promise<ControlTransition> {
    if (this.index === 0) throw new Error('TrainingControlEnv.step before reset');
    if (this.done) throw new Error('TrainingControlEnv.step after the episode ended');
    if (change) {
      this.trainee.apply(applyChange(this.trainee.hyperparameters, change));
      this.sinceIntervention = 0;
    }
    const before = this.previous?.validAccuracy ?? 0;
    const startedAt = this.batchesDone / this.totalBatches;
    const { state } = await this.trainInterval();
    if (state.status === 'diverged') return { ...state, reward: DIVERGENCE_PENALTY, rawReward: Number.NaN };
    if (state.status === 'cancelled') return { ...state, reward: 0, rawReward: 0 };
    const rawReward = state.validAccuracy - before;
    let reward = this.options.normalizer.push(rawReward, startedAt);
    if (state.done) reward += state.validAccuracy;
    return { ...state, reward, rawReward };
  }

  private async trainInterval(): Promise<{ state: ControlState }> {
    const { trainee, options } = this;
    const from = this.batchesDone;
    const to = this.boundaries[this.index];
    const schedule = options.learningRateAt;
    const result = await trainee.train(to - from, {
      signal: options.signal,
      learningRateAt: schedule ? (batch) => schedule(batch / this.totalBatches) : undefined,
    });
    this.epochLosses.push(...result.losses);
    this.index += 1;
    if (result.status !== 'ok') return { state: this.end(result.status) };
    const validation = await trainee.validate();
    if (!Number.isFinite(validation.loss)) return { state: this.end('diverged') };
    if (options.signal?.aborted) return { state: this.end('cancelled') };
    const per = trainee.batchesPerEpoch;
    if (to % per === 0) {
      const losses = this.epochLosses;
      this.epochs.push({
        epoch: to / per,
        trainLoss: losses.length ? losses.reduce((a, b) => a + b, 0) / losses.length : null,
        validLoss: validation.loss,
        validAccuracy: validation.accuracy,
        hyperparameters: { ...trainee.hyperparameters },
        seconds: (performance.now() - this.epochStarted) / 1000,
      });
      this.epochLosses = [];
      this.epochStarted = performance.now();
    }
    if (validation.accuracy > this.best) {
      this.best = validation.accuracy;
      this.sinceBest = 0;
    } else this.sinceBest += 1;
    if (this.index > 1) this.sinceIntervention += 1;
    const done = this.index >= this.boundaries.length;
    const gradientNorm = !done && (options.measureGradients ?? true) ? await trainee.gradientNorm() : 0;
    const progress = to / this.totalBatches;
    const obs = observe({
      trainLosses: result.losses,
      validLoss: validation.loss,
      validAccuracy: validation.accuracy,
      previous: this.previous,
      progress,
      hyperparameters: trainee.hyperparameters,
      gradientNorm,
      sinceIntervention: this.sinceIntervention,
      sinceBest: this.sinceBest,
      decisions: this.decisions,
    });
    this.previous = { validLoss: validation.loss, validAccuracy: validation.accuracy };
    if (done) {
      this.done = true;
      this.status = 'completed';
    }
    return { state: { obs, done, status: done ? 'completed' : 'running', progress, epoch: Math.ceil(to / per), hyperparameters: { ...trainee.hyperparameters }, validAccuracy: validation.accuracy } };
  }

  private end(status: 'diverged' | 'cancelled'): ControlState {
    this.done = true;
    this.status = status;
    const progress = this.batchesDone / this.totalBatches;
    return {
      obs: new Float32Array(OBSERVATION_SIZE),
      done: true,
      status,
      progress,
      epoch: Math.max(1, Math.ceil(this.batchesDone / this.trainee.batchesPerEpoch)),
      hyperparameters: { ...this.trainee.hyperparameters },
      validAccuracy: this.previous?.validAccuracy ?? 0,
    };
  }

  /** How the episode stands: running until it completes, diverges or is cancelled. */
  get outcome(): ControlState['status'] {
    return this.status;
  }

  /** The validation accuracy at the last interval's end (0 before any). */
  get validAccuracy(): number {
    return this.previous?.validAccuracy ?? 0;
  }
}
