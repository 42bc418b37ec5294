/** The environment's reward and the threshold on scripted trajectories (a scripted trainee, no tfjs). */
import { describe, expect, it } from 'vitest';
import type { Hyperparameters } from '../../../src/shared/tuning';
import {
  DIVERGENCE_PENALTY,
  InterventionThreshold,
  REWARD_CLIP,
  RewardNormalizer,
  RunningStats,
  TrainingControlEnv,
  OBSERVATION_FEATURES,
  OBSERVATION_SIZE,
  applyChange,
  clampHyperparameters,
  type Trainee,
  type TraineeBatches,
} from '../../../src/engine/tuning';

/** Replays a script: the validation accuracy after each interval, and the interval where the loss becomes NaN. */
class ScriptedTrainee implements Trainee {
  readonly batchesPerEpoch = 4;
  hyperparameters: Hyperparameters = { learningRate: 1e-3, optimizer: 'adam', dropout: 0, weightDecay: 0 };
  applied: Hyperparameters[] = [];
  private interval = 0;
  constructor(
    private readonly accuracies: number[],
    private readonly nanAt = -1,
  ) {}
  apply(h: Hyperparameters) {
    this.hyperparameters = clampHyperparameters(h);
    this.applied.push(this.hyperparameters);
    return this.hyperparameters;
  }
  async train(batches: number): Promise<TraineeBatches> {
    const i = this.interval++;
    if (i === this.nanAt) return { losses: [0.5, Number.NaN], status: 'diverged' };
    return { losses: Array.from({ length: batches }, (_, b) => 1 - this.accuracies[i] + 0.01 * (batches - b)), status: 'ok' };
  }
  async validate() {
    return { loss: 1 - this.accuracies[this.interval - 1], accuracy: this.accuracies[this.interval - 1] };
  }
  async gradientNorm() {
    return 10;
  }
}

describe('the training-control reward', () => {
  it('is the change of validation accuracy over each interval, over the running std, plus the final accuracy at the end', async () => {
    const accuracies = [0.5, 0.6, 0.65, 0.66];
    const normalizer = new RewardNormalizer();
    const env = new TrainingControlEnv(new ScriptedTrainee(accuracies), { epochs: 2, decisionsPerEpoch: 2, normalizer });
    expect(env.boundaries).toEqual([2, 4, 6, 8]);
    expect(env.decisions).toBe(3);
    const first = await env.reset();
    expect(first).toMatchObject({ done: false, progress: 0.25, epoch: 1, validAccuracy: 0.5 });
    const rewards: number[] = [];
    const raws: number[] = [];
    let t = await env.step(null);
    const stats = new RunningStats();
    for (;;) {
      rewards.push(t.reward);
      raws.push(t.rawReward);
      if (t.done) break;
      t = await env.step(null);
    }
    expect(raws.map((r) => Number(r.toFixed(6)))).toEqual([0.1, 0.05, 0.01]);
    // The first raw reward is scaled by 1/0.1 (too few values for a std); later ones by the running std.
    expect(rewards[0]).toBeCloseTo(1, 6);
    stats.push(0.1);
    stats.push(0.05);
    expect(rewards[1]).toBeCloseTo(0.05 / stats.std, 6);
    stats.push(0.01);
    expect(rewards[2]).toBeCloseTo(0.01 / stats.std + 0.66, 6);
    expect(t).toMatchObject({ done: true, status: 'completed', progress: 1 });
    expect(env.epochs.map((e) => [e.epoch, e.validAccuracy])).toEqual([
      [1, 0.6],
      [2, 0.66],
    ]);
    expect(normalizer.all.count).toBe(3);
  });

  it('clips a normalised reward to ±REWARD_CLIP', () => {
    const n = new RewardNormalizer();
    for (let i = 0; i < 100; i++) n.push(0.001, i / 100);
    expect(n.push(0.5, 0.3)).toBe(REWARD_CLIP);
    expect(n.normalize(-0.5)).toBe(-REWARD_CLIP);
  });

  it('ends the episode with the divergence penalty when the loss becomes NaN', async () => {
    const trainee = new ScriptedTrainee([0.5, 0.6, 0.7, 0.8], 2);
    const env = new TrainingControlEnv(trainee, { epochs: 2, decisionsPerEpoch: 2, normalizer: new RewardNormalizer() });
    await env.reset();
    await env.step(null);
    const t = await env.step({ lrFactor: 10, optimizer: 'keep', dropoutDelta: 0, weightDecayFactor: 1 });
    expect(t).toMatchObject({ done: true, status: 'diverged', reward: DIVERGENCE_PENALTY });
    expect(env.outcome).toBe('diverged');
    expect(env.epochs.map((e) => e.epoch)).toEqual([1]);
    await expect(env.step(null)).rejects.toThrow(/after the episode ended/);
  });

  it('observes a fixed-length vector: learning rate, optimizer, steps since the intervention', async () => {
    const trainee = new ScriptedTrainee([0.5, 0.6, 0.6, 0.6]);
    const env = new TrainingControlEnv(trainee, { epochs: 2, decisionsPerEpoch: 2, normalizer: new RewardNormalizer() });
    const at = (name: (typeof OBSERVATION_FEATURES)[number]) => OBSERVATION_FEATURES.indexOf(name);
    const s0 = await env.reset();
    expect(s0.obs.length).toBe(OBSERVATION_SIZE);
    expect(s0.obs[at('logLearningRate')]).toBeCloseTo(0, 6);
    expect(s0.obs[at('optimizer:adam')]).toBe(1);
    const s1 = await env.step({ lrFactor: 0.1, optimizer: 'momentum', dropoutDelta: 0.1, weightDecayFactor: 10 });
    expect(trainee.applied).toEqual([{ learningRate: 1e-4, optimizer: 'momentum', dropout: 0.1, weightDecay: 1e-5 }]);
    expect(s1.obs[at('logLearningRate')]).toBeCloseTo(-0.5, 6);
    expect(s1.obs[at('optimizer:momentum')]).toBe(1);
    expect(s1.obs[at('optimizer:adam')]).toBe(0);
    // One decision point (of 3) since the intervention, then two.
    expect(s1.obs[at('sinceIntervention')]).toBeCloseTo(1 / 3, 6);
    const s2 = await env.step(null);
    expect(s2.obs[at('sinceIntervention')]).toBeCloseTo(2 / 3, 6);
    expect(s2.obs[at('sinceBest')]).toBeCloseTo(1 / 3, 6);
  });

  it('keeps changes within the bounds', () => {
    const h: Hyperparameters = { learningRate: 0.5, optimizer: 'adam', dropout: 0.7, weightDecay: 1e-2 };
    expect(applyChange(h, { lrFactor: 10, optimizer: 'keep', dropoutDelta: 0.1, weightDecayFactor: 10 })).toEqual({ learningRate: 1, optimizer: 'adam', dropout: 0.7, weightDecay: 1e-2 });
    expect(applyChange({ ...h, learningRate: 2e-5, dropout: 0 }, { lrFactor: 0.1, optimizer: 'rmsprop', dropoutDelta: -0.1, weightDecayFactor: 0 })).toEqual({
      learningRate: 1e-5,
      optimizer: 'rmsprop',
      dropout: 0,
      weightDecay: 0,
    });
  });
});

describe('the intervention threshold', () => {
  it('moves down when an intervention it would have refused paid off, up when one it allowed did not, within its bounds', () => {
    const t = new InterventionThreshold({ initial: 0.5, min: 0.45, max: 0.53 }, 0.02);
    expect(t.judge(0.05, 0.01, 0.4)).toBe(true); // refused, paid off → down
    expect(t.value).toBeCloseTo(0.48, 10);
    expect(t.judge(0.05, 0.01, 0.9)).toBe(true); // allowed, paid off → stays
    expect(t.value).toBeCloseTo(0.48, 10);
    expect(t.judge(0.0, 0.01, 0.3)).toBe(false); // refused, did not pay → stays
    expect(t.value).toBeCloseTo(0.48, 10);
    t.judge(-0.1, 0.01, 0.9); // allowed, did not pay → up
    expect(t.value).toBeCloseTo(0.5, 10);
    t.judge(Number.NaN, 0, 0.9); // a diverged interval never pays off
    t.judge(-0.1, 0, 0.9);
    expect(t.value).toBe(0.53);
    for (let i = 0; i < 10; i++) t.judge(1, 0, 0);
    expect(t.value).toBe(0.45);
    expect(t.state()).toMatchObject({ judged: 16, paidOff: 12 });
    expect(t.allows(0.46)).toBe(true);
    expect(t.allows(0.45)).toBe(false);
  });

  it('compares an interval with the running mean at the same stage of training', () => {
    const n = new RewardNormalizer();
    n.push(0.3, 0.05);
    n.push(0.2, 0.08);
    n.push(0.01, 0.85);
    expect(n.meanAt(0.01)).toBeCloseTo(0.25, 10);
    expect(n.meanAt(0.88)).toBeCloseTo(0.01, 10);
    expect(n.meanAt(0.5)).toBeCloseTo(0.17, 10); // an empty bin: the overall mean
  });
});
