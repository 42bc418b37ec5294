/**
 * The training-control reward (004's reward normalisation). The raw reward of an interval is the
 * change of validation accuracy over it. The controller sees it divided by the running standard
 * deviation of all raw rewards so far (Welford), clipped to ±REWARD_CLIP: centring it as well would
 * make each step's reward depend on how fast the other tasks happened to learn, so the running
 * mean is kept for the threshold (did an intervention pay off?) rather than subtracted.
 * The last interval adds a terminal term: the final validation accuracy. A NaN/inf loss ends the
 * episode with DIVERGENCE_PENALTY instead. No tfjs here.
 */
import { z } from 'zod';

export const REWARD_CLIP = 5;
/** The reward of the interval whose loss became NaN or infinite (the episode ends there). */
export const DIVERGENCE_PENALTY = -REWARD_CLIP;
/** Below this many raw rewards the scale is 1/DEFAULT_STD (a first interval of +0.3 gives 3). */
const MIN_COUNT = 2;
const DEFAULT_STD = 0.1;
const MIN_STD = 1e-3;

export const RunningStatsSchema = z.strictObject({ count: z.int().min(0), mean: z.number(), m2: z.number().min(0) });
export type RunningStatsState = z.output<typeof RunningStatsSchema>;

/** Welford's running mean and variance. */
export class RunningStats {
  count = 0;
  mean = 0;
  private m2 = 0;

  constructor(state?: RunningStatsState) {
    if (state) ({ count: this.count, mean: this.mean, m2: this.m2 } = state);
  }

  push(x: number): void {
    if (!Number.isFinite(x)) return;
    this.count += 1;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
  }

  /** The population standard deviation (0 below two values). */
  get std(): number {
    return this.count < 2 ? 0 : Math.sqrt(this.m2 / this.count);
  }

  state(): RunningStatsState {
    return { count: this.count, mean: this.mean, m2: this.m2 };
  }
}

/** Progress bins for "the running mean at this stage of training" (early intervals gain more than late ones). */
export const PROGRESS_BINS = 10;

export const RewardNormalizerSchema = z.strictObject({ all: RunningStatsSchema, bins: z.array(RunningStatsSchema).length(PROGRESS_BINS) });
export type RewardNormalizerState = z.output<typeof RewardNormalizerSchema>;

export class RewardNormalizer {
  readonly all: RunningStats;
  /** Raw rewards by the progress at which their interval started. */
  readonly bins: RunningStats[];

  constructor(state?: RewardNormalizerState) {
    this.all = new RunningStats(state?.all);
    this.bins = Array.from({ length: PROGRESS_BINS }, (_, i) => new RunningStats(state?.bins[i]));
  }

  static binOf(progress: number): number {
    return Math.min(PROGRESS_BINS - 1, Math.max(0, Math.floor(progress * PROGRESS_BINS)));
  }

  /** Adds a raw reward (the interval started at `progress`) and returns it normalised. */
  push(raw: number, progress: number): number {
    this.all.push(raw);
    this.bins[RewardNormalizer.binOf(progress)].push(raw);
    return this.normalize(raw);
  }

  normalize(raw: number): number {
    const std = this.all.count < MIN_COUNT ? DEFAULT_STD : Math.max(MIN_STD, this.all.std);
    return Math.max(-REWARD_CLIP, Math.min(REWARD_CLIP, raw / std));
  }

  /** The running mean of raw rewards of intervals that started at about this progress (the overall mean while the bin is empty). */
  meanAt(progress: number): number {
    const bin = this.bins[RewardNormalizer.binOf(progress)];
    return bin.count > 0 ? bin.mean : this.all.mean;
  }

  state(): RewardNormalizerState {
    return { all: this.all.state(), bins: this.bins.map((b) => b.state()) };
  }
}
