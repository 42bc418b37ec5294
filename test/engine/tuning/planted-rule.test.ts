/**
 * The planted rule (plateau-trainee.ts): only lowering the learning rate once accuracy has
 * plateaued helps. A controller learns it from scratch in 300 short simulated episodes, then,
 * applied deterministically to unseen seeds (plateaus at other epochs), it must beat the constant
 * schedule, intervene only after the plateau, and intervene by lowering the rate.
 */
import { describe, expect, it } from 'vitest';
import { Controller, driveEpisode, type Steering } from '../../../src/engine/tuning';
import { PlateauTrainee } from './plateau-trainee';

const run = (seed: number, steering: Steering) => driveEpisode({ trainee: new PlateauTrainee(seed), epochs: 10, decisionsPerEpoch: 1, steering });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('a controller on a planted rule', () => {
  it('learns to lower the learning rate after the plateau and beats the constant schedule', async () => {
    const episodes = 300;
    const controller = Controller.create({ episodes, seed: 0 });
    for (let e = 0; e < episodes; e++) await run(e, { kind: 'controller', controller, learn: true });
    expect(controller.episodes).toBe(episodes);
    expect(controller.updates).toBeGreaterThan(10);

    const steered: number[] = [];
    const constant: number[] = [];
    const firstInterventions: number[] = [];
    const factors: number[] = [];
    for (let seed = 10_000; seed < 10_020; seed++) {
      const outcome = await run(seed, { kind: 'controller', controller, learn: false });
      expect(outcome.status).toBe('completed');
      steered.push(outcome.finalValidAccuracy);
      constant.push((await run(seed, { kind: 'schedule', schedule: 'constant' })).finalValidAccuracy);
      const interventions = outcome.decisions.filter((d) => d.intervened);
      if (interventions.length) firstInterventions.push(interventions[0].step);
      factors.push(...interventions.map((d) => d.change!.lrFactor));
    }
    expect(mean(constant)).toBeCloseTo(0.8, 2);
    expect(mean(steered)).toBeGreaterThan(mean(constant) + 0.015);
    // It intervenes on most seeds, never in the first two epochs (before any plateau), and only to lower the rate.
    expect(firstInterventions.length).toBeGreaterThanOrEqual(15);
    expect(Math.min(...firstInterventions)).toBeGreaterThanOrEqual(2);
    expect(factors.every((f) => f < 1)).toBe(true);
  }, 120_000);
});
