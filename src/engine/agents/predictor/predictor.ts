/**
 * A performance predictor for candidates (slot vectors): fit(actions, signals), then predict the
 * signal of any candidate with its uncertainty. A Gaussian process with the categorical ARD kernel
 * (gp.ts) on copula-warped targets (warp.ts); the hyperparameters are refitted by ML-II every
 * `refitEvery` results and kept in between, so the fit is deterministic given the results and the
 * state() it continues from. Plain float64 arrays: it runs beside training without a tf backend.
 *
 * Cost: Cholesky is O(n³) and each ML-II step O(n³) too, so past `maxTrain` results the process is
 * conditioned on the best half of them and the most recent rest.
 */
import { z } from 'zod';
import { CategoricalGp, FIT_DEFAULTS, fitHyperparameters, slotMatrix, type FitOptions, type GpHyperparameters, type SlotMatrix } from './gp';
import { CopulaWarp } from './warp';

export interface PredictorOptions extends FitOptions {
  /** ML-II again once this many results arrived since the last fit (the first fit is at once). */
  refitEvery: number;
  /** At most this many results condition the process. */
  maxTrain: number;
}

export const PREDICTOR_DEFAULTS: PredictorOptions = { ...FIT_DEFAULTS, refitEvery: 5, maxTrain: 400 };

export const PredictorOptionsSchema = z.object({
  priorWeight: z.number().positive(),
  priorPrecision: z.number().nonnegative(),
  initialNoise: z.number().positive(),
  steps: z.int().nonnegative(),
  learningRate: z.number().positive(),
  refitEvery: z.int().positive(),
  maxTrain: z.int().min(2),
});

export const PredictorStateSchema = z.object({
  hyperparameters: z.object({ slotWeights: z.array(z.number().positive()), noise: z.number().positive() }).nullable(),
  /** How many results there were at the last ML-II fit. */
  fittedAt: z.int().nonnegative(),
});
export type PredictorState = z.infer<typeof PredictorStateSchema>;

export interface Prediction {
  mean: number;
  std: number;
}

export interface PredictorFit {
  logMarginalLikelihood: number;
  slotWeightMean: number;
  noise: number;
  trainSize: number;
  /** Whether this fit ran ML-II (else it kept the last hyperparameters). */
  refitted: boolean;
}

/** The fitted model in its latent (warped, standardised) units, where acquisitions are computed. */
export class Surrogate {
  /** The best latent target: what expected improvement improves on. */
  readonly bestLatent: number;

  constructor(
    readonly gp: CategoricalGp,
    readonly warp: CopulaWarp,
  ) {
    this.bestLatent = Math.max(...gp.y);
  }

  latent(actions: readonly (readonly number[])[]): { mean: Float64Array; std: Float64Array } {
    return this.gp.posterior(slotMatrix(actions, this.gp.x.slots));
  }

  latentOf(x: SlotMatrix): { mean: Float64Array; std: Float64Array } {
    return this.gp.posterior(x);
  }

  /** A latent mean ± std in signal units (the std from the warp's slope over ±1 std). */
  toSignal(mean: number, std: number): Prediction {
    return { mean: this.warp.toSignal(mean), std: (this.warp.toSignal(mean + std) - this.warp.toSignal(mean - std)) / 2 };
  }

  /**
   * Kriging believer: the same model, also conditioned on candidates still being evaluated at their
   * predicted means. Its means are unchanged there and its uncertainty shrinks around them, so an
   * acquisition stops favouring near-duplicates of pending candidates.
   */
  withPending(pending: readonly (readonly number[])[]): Surrogate {
    if (pending.length === 0) return this;
    const x = slotMatrix(pending, this.gp.x.slots);
    return new Surrogate(this.gp.withObservations(x, this.gp.posterior(x).mean), this.warp);
  }
}

export class Predictor {
  readonly options: PredictorOptions;
  private hyperparameters: GpHyperparameters | null;
  private fittedAt: number;
  private model?: Surrogate;

  constructor(
    readonly slots: number,
    options: Partial<PredictorOptions> = {},
    state?: PredictorState,
  ) {
    this.options = { ...PREDICTOR_DEFAULTS, ...options };
    this.hyperparameters = state?.hyperparameters ?? null;
    this.fittedAt = state?.fittedAt ?? 0;
    if (this.hyperparameters && this.hyperparameters.slotWeights.length !== slots) throw new Error(`predictor state has ${this.hyperparameters.slotWeights.length} slot weights, expected ${slots}`);
  }

  /** The model of the last fit, if any. */
  get surrogate(): Surrogate | undefined {
    return this.model;
  }

  /** Conditions on every result so far (all of them, in the order they came). */
  fit(actions: readonly (readonly number[])[], signals: readonly number[]): PredictorFit {
    if (actions.length !== signals.length || actions.length === 0) throw new Error(`predictor.fit: ${actions.length} candidates, ${signals.length} signals`);
    const kept = this.trainingSet(signals);
    const warp = new CopulaWarp(kept.map((i) => signals[i]));
    const x = slotMatrix(kept.map((i) => actions[i]), this.slots);
    const refit = !this.hyperparameters || actions.length - this.fittedAt >= this.options.refitEvery;
    if (refit) {
      this.hyperparameters = fitHyperparameters(x, warp.latent, this.options);
      this.fittedAt = actions.length;
    }
    const hp = this.hyperparameters!;
    this.model = new Surrogate(new CategoricalGp(x, warp.latent, hp), warp);
    return {
      logMarginalLikelihood: this.model.gp.logMarginalLikelihood,
      slotWeightMean: hp.slotWeights.reduce((a, b) => a + b, 0) / this.slots,
      noise: hp.noise,
      trainSize: kept.length,
      refitted: refit,
    };
  }

  /** The predicted signal of each candidate, with its standard deviation. */
  predict(actions: readonly (readonly number[])[]): Prediction[] {
    const model = this.model;
    if (!model) throw new Error('predictor.predict before any fit');
    const { mean, std } = model.latent(actions);
    return Array.from(mean, (m, i) => model.toSignal(m, std[i]));
  }

  state(): PredictorState {
    const hp = this.hyperparameters;
    return { hyperparameters: hp ? { slotWeights: [...hp.slotWeights], noise: hp.noise } : null, fittedAt: this.fittedAt };
  }

  /** Indices of the results to condition on: all, or past maxTrain the best half and the most recent. */
  private trainingSet(signals: readonly number[]): number[] {
    const n = signals.length;
    const all = signals.map((_, i) => i);
    if (n <= this.options.maxTrain) return all;
    const best = [...all].sort((a, b) => signals[b] - signals[a] || a - b).slice(0, Math.ceil(this.options.maxTrain / 2));
    const chosen = new Set(best);
    for (let i = n - 1; chosen.size < this.options.maxTrain; i--) chosen.add(i);
    return [...chosen].sort((a, b) => a - b);
  }
}
