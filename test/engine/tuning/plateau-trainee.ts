/**
 * A simulated training curve with a planted rule, behind the same Trainee interface as LiveTraining:
 * validation accuracy climbs towards a ceiling that depends on the learning rate (lower rate,
 * higher ceiling) at a speed proportional to the rate. At Adam 1e-3 it plateaus at 0.8 within a
 * few epochs; lowering the rate ×0.1 once there lifts it towards 0.9, while lowering it before the
 * plateau slows the climb so much that the episode ends lower than the constant schedule. Rates
 * above 2e-2 diverge (NaN loss). Optimizer, dropout and weight decay change nothing. Each seed
 * draws its own speed (×0.6…1.4), so the plateau comes at a different epoch.
 */
import { createRng } from '../../../src/engine/random';
import { clampHyperparameters } from '../../../src/engine/tuning';
import type { Trainee, TraineeBatches, TrainOptions } from '../../../src/engine/tuning';
import type { Hyperparameters } from '../../../src/shared/tuning';

export class PlateauTrainee implements Trainee {
  readonly batchesPerEpoch = 10;
  accuracy = 0.1;
  private current: Hyperparameters;
  private readonly speed: number;
  private trained = 0;

  constructor(seed: number, initial: Hyperparameters = { learningRate: 1e-3, optimizer: 'adam', dropout: 0, weightDecay: 0 }) {
    this.current = clampHyperparameters(initial);
    this.speed = 0.6 + 0.8 * createRng(seed).next();
  }

  get hyperparameters(): Hyperparameters {
    return { ...this.current };
  }

  apply(h: Hyperparameters): Hyperparameters {
    this.current = clampHyperparameters(h);
    return this.hyperparameters;
  }

  async train(batches: number, options: TrainOptions): Promise<TraineeBatches> {
    const losses: number[] = [];
    for (let b = 0; b < batches; b++) {
      if (options.signal?.aborted) return { losses, status: 'cancelled' };
      if (options.learningRateAt) this.current = clampHyperparameters({ ...this.current, learningRate: options.learningRateAt(this.trained) });
      const lr = this.current.learningRate;
      this.trained += 1;
      if (lr > 2e-2) {
        losses.push(Number.NaN);
        return { losses, status: 'diverged' };
      }
      const ceiling = Math.min(0.97, 0.9 - 0.1 * Math.log10(lr / 1e-4));
      const rate = Math.min(0.5, 0.1 * this.speed * (lr / 1e-3));
      this.accuracy += rate * (ceiling - this.accuracy);
      losses.push(this.loss());
    }
    return { losses, status: 'ok' };
  }

  private loss(): number {
    return 2.3 * (1 - this.accuracy);
  }

  async validate(): Promise<{ loss: number; accuracy: number }> {
    return { loss: this.loss(), accuracy: this.accuracy };
  }

  async gradientNorm(): Promise<number> {
    return 1 - this.accuracy;
  }
}
