/**
 * 004's intervention threshold: an applied controller intervenes only when its probability of
 * intervening exceeds the threshold, which adapts to how interventions paid off. An intervention
 * paid off when the raw reward of the interval it started beat the running mean of raw rewards of
 * intervals at the same stage of training (RewardNormalizer.meanAt). The threshold learns where to
 * cut, as a perceptron learns a bias: when an intervention the threshold would have refused
 * (probability ≤ threshold) paid off, it moves down by `step`; when one it lets through did not pay
 * off, it moves up by `step`; within [min, max]. (Moving it on every intervention alone would drive
 * it to `max` while most interventions of a learning policy fail, and there no intervention would
 * clear it to bring it down again: the controller would be passive for good.)
 *
 * While a controller learns, it samples its decisions from its policy (controller.ts) and every
 * intervention is judged here, so the threshold is calibrated on interventions on both sides of it.
 * No tfjs here.
 */
import { z } from 'zod';

export const THRESHOLD_STEP = 0.01;

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

  /** Whether a probability of intervening clears the threshold. */
  allows(probability: number): boolean {
    return probability > this.value;
  }

  /**
   * Judges one intervention taken with P(intervene) = `probability`: `raw` is the raw reward of the
   * interval after it, `expected` the running mean at that stage. Returns whether it paid off.
   */
  judge(raw: number, expected: number, probability: number): boolean {
    const paid = Number.isFinite(raw) && raw > expected;
    this.judged += 1;
    if (paid) this.paidOff += 1;
    const allowed = this.allows(probability);
    if (paid && !allowed) this.value = Math.max(this.min, this.value - this.step);
    else if (!paid && allowed) this.value = Math.min(this.max, this.value + this.step);
    return paid;
  }

  state(): ThresholdState {
    return { value: this.value, min: this.min, max: this.max, judged: this.judged, paidOff: this.paidOff };
  }
}
