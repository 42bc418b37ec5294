import { describe, expect, it } from 'vitest';
import { tf } from '../../../src/engine/tf';
import { Box, Discrete } from '../../../src/engine/envs/spaces';
import type { Env, StepResult } from '../../../src/engine/envs/types';
import { IdentityEnvMultiDiscrete, InvalidActionEnvDiscrete } from '../../../src/engine/envs/identity';
import { CartPoleEnv } from '../../../src/engine/envs/cartpole';
import { PPO, clipByGlobalNorm, computeGae, evaluatePolicy, explainedVariance, orthogonal, scheduleValue, type PPOCheckpoint, type PPODiagnostics } from '../../../src/engine/agents/ppo';
import { createRng } from '../../../src/engine/random';

/** obs = [t / 10]; reward t + 1; truncated (not terminated) after 3 steps; async step. */
class CountingEnv implements Env<Box, Discrete> {
  readonly observationSpace = new Box(0, 10, [1]);
  readonly actionSpace = new Discrete(2);
  t = 0;
  reset(): { obs: Float32Array; info: Record<string, unknown> } {
    this.t = 0;
    return { obs: Float32Array.of(0), info: {} };
  }
  async step(): Promise<StepResult<Float32Array>> {
    this.t += 1;
    return { obs: Float32Array.of(this.t / 10), reward: this.t, terminated: false, truncated: this.t >= 3, info: {} };
  }
  render(): unknown {
    return { t: this.t };
  }
}

/**
 * Deterministic and restorable (its state is t): 3 actions, one masked each step; reward 1 for the
 * right one. Phase 0 episodes are truncated after 3 steps (bootstrap), phase 1 ones terminate after 4.
 */
class ClockEnv implements Env<Box, Discrete> {
  readonly observationSpace = new Box(0, 1, [2]);
  readonly actionSpace = new Discrete(3);
  t = 0;
  /** Throw at the next step (a cancelled evaluation). */
  failNext = false;
  constructor(readonly phase: 0 | 1) {}
  private obs(): Float32Array {
    return Float32Array.of(this.t / 4, this.phase);
  }
  reset(): { obs: Float32Array; info: Record<string, unknown> } {
    this.t = 0;
    return { obs: this.obs(), info: {} };
  }
  actionMasks(): boolean[] {
    return [0, 1, 2].map((a) => a !== (this.t + 2) % 3);
  }
  async step(action: number): Promise<StepResult<Float32Array>> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('cancelled');
    }
    const reward = action === (this.t + this.phase) % 3 ? 1 : 0;
    this.t += 1;
    const end = this.t >= 3 + this.phase;
    return { obs: this.obs(), reward, terminated: end && this.phase === 1, truncated: end && this.phase === 0, info: {} };
  }
  render(): unknown {
    return { t: this.t };
  }
}

describe('PPO building blocks', () => {
  it('GAE matches a hand-computed example (episode boundary and last-step done)', () => {
    // 1 env, 4 steps; an episode starts at step 2; the last step ends an episode.
    const rewards = [1, 2, 3, 4];
    const values = [0.5, 1.0, 1.5, 2.0];
    const episodeStarts = [1, 0, 1, 0];
    const gamma = 0.9;
    const lam = 0.8;
    const { advantages, returns } = computeGae({ rewards, values, episodeStarts, nSteps: 4, nEnvs: 1 }, [10], [1], gamma, lam);
    // step 3: done → δ = 4 − 2 = 2; A3 = 2
    // step 2: next value 2.0, not terminal: δ = 3 + 0.9·2 − 1.5 = 3.3; A2 = 3.3 + 0.72·2 = 4.74
    // step 1: next step starts an episode: δ = 2 − 1 = 1; A1 = 1
    // step 0: δ = 1 + 0.9·1 − 0.5 = 1.4; A0 = 1.4 + 0.72·1 = 2.12
    const expected = [2.12, 1, 4.74, 2];
    expected.forEach((a, i) => {
      expect(advantages[i]).toBeCloseTo(a, 12);
      expect(returns[i]).toBeCloseTo(a + values[i], 12);
    });
    // Not done at the end: bootstrap from lastValues.
    const open = computeGae({ rewards, values, episodeStarts, nSteps: 4, nEnvs: 1 }, [10], [0], gamma, lam);
    expect(open.advantages[3]).toBeCloseTo(4 + 0.9 * 10 - 2, 12);
  });

  it('bootstraps γ·V(final obs) into the reward on truncation and runs GAE on it', async () => {
    const gamma = 0.9;
    const lam = 0.7;
    const ppo = new PPO(new CountingEnv(), { nSteps: 5, batchSize: 5, gamma, gaeLambda: lam, seed: 3 });
    await ppo.collectRollouts();
    const buf = ppo.buffer;
    const v = (x: number) => ppo.predictValues(Float32Array.of(x), 1)[0];
    // Steps: obs 0, .1, .2 (truncates: final obs .3), then obs 0, .1 after the reset.
    const obs = [0, 0.1, 0.2, 0, 0.1];
    expect(Array.from(buf.obs)).toEqual(obs.map(Math.fround));
    expect(Array.from(buf.episodeStarts)).toEqual([1, 0, 0, 1, 0]);
    const rewards = [1, 2, 3 + gamma * v(0.3), 1, 2];
    rewards.forEach((r, i) => expect(buf.rewards[i]).toBeCloseTo(r, 5));
    const values = obs.map(v);
    values.forEach((x, i) => expect(buf.values[i]).toBeCloseTo(x, 6));
    // By hand, backwards; the last step is not done so it bootstraps V(obs .2).
    const adv: number[] = [];
    let last = 0;
    for (let t = 4; t >= 0; t--) {
      const nextNonTerminal = t === 4 ? 1 : 1 - [1, 0, 0, 1, 0][t + 1];
      const nextValue = t === 4 ? v(0.2) : values[t + 1];
      const delta = rewards[t] + gamma * nextValue * nextNonTerminal - values[t];
      last = delta + gamma * lam * nextNonTerminal * last;
      adv[t] = last;
    }
    adv.forEach((a, i) => expect(buf.advantages[i]).toBeCloseTo(a, 5));
  });

  it('clips gradients to a global norm (clip_grad_norm_)', () => {
    const g = [Float32Array.of(3, 0), Float32Array.of(0, 4)]; // norm 5
    const norm = clipByGlobalNorm(g, 0.5);
    expect(norm).toBeCloseTo(5, 6);
    const after = Math.hypot(...g[0], ...g[1]);
    expect(after).toBeCloseTo(0.5, 5);
    expect(g[0][0] / g[1][1]).toBeCloseTo(0.75, 6);
    const small = [Float32Array.of(0.1, 0.2)];
    clipByGlobalNorm(small, 0.5);
    expect(Array.from(small[0])).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  it('initialises orthogonally with the requested gain', () => {
    const rng = createRng(0);
    for (const [rows, cols] of [[8, 4], [4, 8], [6, 6]]) {
      const w = orthogonal(rows, cols, 2, rng);
      const m = Math.min(rows, cols);
      // Gram matrix of the short side equals gain² · I.
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) {
          let dot = 0;
          for (let k = 0; k < Math.max(rows, cols); k++)
            dot += rows >= cols ? w[k * cols + i] * w[k * cols + j] : w[i * cols + k] * w[j * cols + k];
          expect(dot).toBeCloseTo(i === j ? 4 : 0, 4);
        }
    }
  });

  it('schedules and explained variance', () => {
    expect(scheduleValue(0.2, 0.3)).toBe(0.2);
    expect(scheduleValue({ kind: 'linear', initial: 1e-3 }, 0.25)).toBeCloseTo(2.5e-4, 12);
    expect(explainedVariance([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(explainedVariance([2, 2, 2], [1, 2, 3])).toBeCloseTo(0, 12);
  });

  it('analytic gradients match finite differences (masks, entropy, clipped value, clipped ratio)', async () => {
    const env = new InvalidActionEnvDiscrete(6, 3, { seed: 1 });
    const ppo = new PPO(env, { nSteps: 32, batchSize: 32, nEpochs: 1, gamma: 0.5, entCoef: 0.05, clipRangeVf: 0.05, learningRate: 0.01, maxGradNorm: 100, seed: 5 });
    await ppo.learn(32);
    // learn collects a fresh rollout and takes one step on it: the policy moves away from the
    // rollout's, so that the clipped branches are exercised.
    await ppo.learn(32, { resetNumTimesteps: false });
    const idx = Int32Array.from({ length: 32 }, (_, i) => i);
    const f = () => ppo.lossAndGradients(idx, 0.1, 0.05).stats.loss;
    const { grads, stats } = ppo.lossAndGradients(idx, 0.1, 0.05);
    expect(stats.clipFrac).toBeGreaterThan(0);
    expect(stats.clipFrac).toBeLessThan(1);
    const flatGrads = grads.flatMap((g) => [g.w, g.b]);
    const params = ppo.parameters();
    const rng = createRng(9);
    const fdAt = (p: number, i: number, h: number) => {
      const orig = params[p][i];
      params[p][i] = orig + h;
      const up = f();
      params[p][i] = orig - h;
      const down = f();
      params[p][i] = orig;
      return (up - down) / (Math.fround(orig + h) - Math.fround(orig - h));
    };
    let checked = 0;
    let total = 0;
    for (let p = 0; p < params.length; p++) {
      for (let t = 0; t < 6; t++) {
        const i = rng.int(params[p].length);
        total++;
        // The clipped surrogate is piecewise smooth: skip probes whose interval crosses a kink
        // (central differences at h and h/2 disagree).
        const fd = fdAt(p, i, 1e-3);
        const fdHalf = fdAt(p, i, 5e-4);
        if (Math.abs(fd - fdHalf) > 5e-4 + 0.01 * Math.abs(fd)) continue;
        expect(Math.abs(fd - flatGrads[p][i])).toBeLessThan(5e-4 + 0.02 * Math.abs(fd));
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(0.7 * total);
  });
});

describe('PPO learning (SB3 / sb3-contrib tests)', () => {
  it('IdentityEnvMultiDiscrete([4, 4]) reaches a mean reward ≥ 90 after 1200 steps', async () => {
    const env = new IdentityEnvMultiDiscrete(4, { seed: 0 });
    const ppo = new PPO(env, { nSteps: 100, batchSize: 50, gamma: 0.4, learningRate: 3e-3, seed: 0 });
    await ppo.learn(1200);
    const { mean } = await evaluatePolicy(ppo, new IdentityEnvMultiDiscrete(4, { seed: 100 }), 20);
    expect(mean).toBeGreaterThanOrEqual(90);
  });

  it('masked InvalidActionEnvDiscrete(70, 55) reaches ≥ 90; without masks it stays far lower', async () => {
    // sb3-contrib's test_identity: MaskablePPO defaults, gamma 0.4, learn(3000) → 2 rollouts of 2048.
    const run = async (useMasking: boolean) => {
      const ppo = new PPO(new InvalidActionEnvDiscrete(70, 55, { seed: 2 }), { gamma: 0.4, seed: 2, useMasking });
      await ppo.learn(3000);
      return (await evaluatePolicy(ppo, new InvalidActionEnvDiscrete(70, 55, { seed: 102 }), 20, { useMasks: useMasking })).mean;
    };
    const masked = await run(true);
    const unmasked = await run(false);
    expect(masked).toBeGreaterThanOrEqual(90);
    expect(unmasked).toBeLessThan(60);
  });
});

describe('PPO reproducibility and checkpoints', () => {
  const cfg = { nSteps: 32, batchSize: 64, nEpochs: 4, seed: 7 };

  it('same seed → identical weights and diagnostics', async () => {
    const a = new PPO([new CartPoleEnv(), new CartPoleEnv()], cfg);
    const b = new PPO([new CartPoleEnv(), new CartPoleEnv()], cfg);
    const ha = await a.learn(640);
    const hb = await b.learn(640);
    expect(ha.map((d) => d.valueLoss)).toEqual(hb.map((d) => d.valueLoss));
    expect(a.checkpoint().params).toEqual(b.checkpoint().params);
    const c = new PPO([new CartPoleEnv(), new CartPoleEnv()], { ...cfg, seed: 8 });
    await c.learn(640);
    expect(c.checkpoint().params).not.toEqual(a.checkpoint().params);
  });

  it('reports SB3 diagnostics per update and allocates no tensors', async () => {
    const before = tf.memory().numTensors;
    const ppo = new PPO([new CartPoleEnv(), new CartPoleEnv()], { ...cfg, targetKl: 1e-4, learningRate: 1e-2 });
    const hist = await ppo.learn(640);
    expect(hist.length).toBe(10);
    for (const d of hist) {
      for (const k of ['policyGradientLoss', 'valueLoss', 'entropyLoss', 'approxKl', 'clipFraction', 'explainedVariance', 'stepsPerS'] as const)
        expect(Number.isFinite(d[k])).toBe(true);
      expect(d.entropyLoss).toBeLessThan(0);
    }
    // target_kl stops some updates early.
    expect(hist.some((d) => d.epochs < 4)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('save/load round trip (through JSON) reproduces actions and state', async () => {
    const env = new InvalidActionEnvDiscrete(10, 4, { seed: 4 });
    const ppo = new PPO(env, { nSteps: 64, batchSize: 32, seed: 4 });
    await ppo.learn(128);
    const ckpt = JSON.parse(JSON.stringify(ppo.checkpoint())) as PPOCheckpoint;
    const loaded = PPO.fromCheckpoint(new InvalidActionEnvDiscrete(10, 4, { seed: 4 }), ckpt);
    expect(loaded.checkpoint()).toEqual(ppo.checkpoint());
    const probe = new InvalidActionEnvDiscrete(10, 4, { seed: 11 });
    let { obs } = probe.reset(11);
    for (let t = 0; t < 50; t++) {
      const masks = probe.actionMasks();
      const a = ppo.predict(obs, { actionMasks: masks });
      expect(loaded.predict(obs, { actionMasks: masks })).toBe(a);
      expect(masks[a as number]).toBe(true);
      // Stochastic sampling continues the same RNG stream.
      expect(loaded.predict(obs, { actionMasks: masks, deterministic: false })).toBe(ppo.predict(obs, { actionMasks: masks, deterministic: false }));
      obs = probe.step(a as number).obs;
    }
    // Training continues identically from the checkpoint.
    const h1 = await ppo.learn(64, { resetNumTimesteps: false });
    const fresh = PPO.fromCheckpoint(new InvalidActionEnvDiscrete(10, 4, { seed: 4 }), ckpt);
    expect(fresh.numTimesteps).toBe(128);
    const h2 = await fresh.learn(64, { resetNumTimesteps: false });
    expect(h2[0].numTimesteps).toBe(h1[0].numTimesteps);
  });

  describe('stopped by onStep at any step, then restored, continues exactly', () => {
    const config = { nSteps: 6, batchSize: 4, nEpochs: 3, entCoef: 0.01, gamma: 0.9, seed: 1 };
    const total = 60; // 30 vectorised steps, 5 rollouts of 6
    const withoutSpeed = (h: PPODiagnostics[]) => h.map(({ stepsPerS: _speed, ...d }) => d);
    const envs = (ts: number[] = [0, 0]) => {
      const e = [new ClockEnv(0), new ClockEnv(1)];
      e.forEach((env, i) => (env.t = ts[i]));
      return e;
    };
    const whole = (async () => {
      const ppo = new PPO(envs(), config);
      const history = await ppo.learn(total);
      return { history: withoutSpeed(history), final: ppo.checkpoint() };
    })();

    // 6, 12: the buffer is full (the update is left to the resumed learn); 30: the very last step.
    it.each([1, 5, 6, 12, 17, 29, 30])('after step %i', async (k) => {
      const first = envs();
      const ppo = new PPO(first, config);
      let steps = 0;
      let saved = '';
      let envState: number[] = [];
      const before = await ppo.learn(total, {
        onStep: () => {
          if (++steps < k) return;
          saved = JSON.stringify(ppo.checkpoint());
          envState = first.map((e) => e.t);
          return false;
        },
      });
      expect(steps).toBe(k);
      const ckpt = JSON.parse(saved) as PPOCheckpoint;
      expect(ckpt.rollout.pos).toBe(k % 6 === 0 ? 6 : k % 6);
      const resumed = PPO.fromCheckpoint(envs(envState), ckpt);
      const after = await resumed.learn(total - resumed.numTimesteps, { resetNumTimesteps: false });
      const w = await whole;
      expect(withoutSpeed([...before, ...after])).toEqual(w.history);
      expect(resumed.checkpoint()).toEqual(w.final);
    });

    it('a step that throws leaves the agent as it was before it', async () => {
      const e = envs();
      const ppo = new PPO(e, config);
      let steps = 0;
      let before: PPOCheckpoint | undefined;
      const history: PPODiagnostics[] = [];
      const onStep = () => {
        if (++steps !== 8) return;
        before = ppo.checkpoint();
        e[0].failNext = true; // the first env: none has stepped yet
      };
      await expect(ppo.learn(total, { onUpdate: (d) => void history.push(d), onStep })).rejects.toThrow('cancelled');
      expect(ppo.checkpoint()).toEqual(before);
      history.push(...(await ppo.learn(total - ppo.numTimesteps, { resetNumTimesteps: false })));
      expect(withoutSpeed(history)).toEqual((await whole).history);
    });
  });
});
