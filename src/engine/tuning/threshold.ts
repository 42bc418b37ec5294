/**
 * 004's intervention threshold: the controller intervenes only when its probability of intervening
 * exceeds the threshold. The threshold adapts to how interventions paid off: after each one, the raw
 * reward of the interval it started is compared with the running mean of raw rewards of intervals
 * at the same stage of training (RewardNormalizer.meanAt); above it the threshold moves down by
 * `step`, otherwise up, within [min, max]. No tfjs here.
 *
 * While a controller learns, an exploration margin lowers the bar it must clear (gate =
 * threshold − margin): the margin starts at EXPLORATION_MARGIN and falls linearly to 0 over the
 * first half of its learning episodes. Without it an untrained policy (P(intervene) ≈ 0.5) facing a
 * threshold of 0.5 would be refused about half of its interventions from the start, and a threshold
 * pushed up by early random interventions (most of which hurt) would refuse them for good: PPO then
 * never sees an intervention to learn from and the controller stays passive.
 */
import { z } from 'zod';

export const THRESHOLD_STEP = 0.02;
export const EXPLORATION_MARGIN = 0.5;

export const ThresholdStateSchema = z.strictObject({
  value: z.number().min(0).max(1),
  min: z.number().min(0).max(1),
  max: z.number().min(0).max(1),
  /** Interventions judged, and how many paid off. */
  judged: z.int().min(0),
  paidOff: z.int().min(0),
});
export type ThresholdState = z.output<typeof ThresholdStateSchema>;

export class InterventionThreshold {
  value: number;
  readonly min: number;
  readonly max: number;
  judged = 0;
  paidOff = 0;

  constructor(
    bounds: { initial: number; min: number; max: number },
    readonly step = THRESHOLD_STEP,
  ) {
    if (!(bounds.min <= bounds.max)) throw new Error(`threshold bounds: min ${bounds.min} is above max ${bounds.max}`);
    this.min = bounds.min;
    this.max = bounds.max;
    this.value = Math.min(bounds.max, Math.max(bounds.min, bounds.initial));
  }

  static restore(state: ThresholdState): InterventionThreshold {
    const t = new InterventionThreshold({ initial: state.value, min: state.min, max: state.max });
    t.judged = state.judged;
    t.paidOff = state.paidOff;
    return t;
  }

  /** Whether a probability of intervening clears the threshold lowered by `margin` (exploration). */
  allows(probability: number, margin = 0): boolean {
    return probability > this.value - margin;
  }

  /**
   * Judges one intervention: `raw` is the raw reward of the interval after it, `expected` the running
   * mean at that stage. Returns whether it paid off; the threshold moves accordingly.
   */
  judge(raw: number, expected: number): boolean {
    const paid = Number.isFinite(raw) && raw > expected;
    this.judged += 1;
    if (paid) this.paidOff += 1;
    this.value = Math.min(this.max, Math.max(this.min, this.value + (paid ? -this.step : this.step)));
    return paid;
  }

  state(): ThresholdState {
    return { value: this.value, min: this.min, max: this.max, judged: this.judged, paidOff: this.paidOff };
  }
}

/** The exploration margin after `episodesDone` of `episodes` learning episodes. */
export function explorationMargin(episodesDone: number, episodes: number): number {
  const span = Math.max(1, Math.ceil(episodes / 2));
  return EXPLORATION_MARGIN * Math.max(0, 1 - episodesDone / span);
}
