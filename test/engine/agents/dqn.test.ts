import { describe, expect, it } from 'vitest';
import { DQN, ReplayBuffer, explorationRate, scaleStages, tdLoss, DQN_DEFAULTS, METAQNN_STAGES, type DQNCheckpoint, type DQNDiagnostics } from '../../../src/engine/agents/dqn';
import { evaluatePolicy } from '../../../src/engine/agents/common/evaluation';
import { Box, Discrete } from '../../../src/engine/envs/spaces';
import type { Env, StepResult } from '../../../src/engine/envs/types';
import { IdentityEnv, InvalidActionEnvDiscrete } from '../../../src/engine/envs/identity';

/**
 * Deterministic and restorable (its state is t): 3 actions, one masked each step, reward 1 for the
 * right one; episodes are truncated after 3 steps (bootstrap), or terminate there in phase 1.
 */
class ClockEnv implements Env<Box, Discrete> {
  readonly observationSpace = new Box(0, 1, [1]);
  readonly actionSpace = new Discrete(3);
  t = 0;
  failNext = false;
  constructor(readonly terminates = false) {}
  reset(): { obs: Float32Array; info: Record<string, unknown> } {
    this.t = 0;
    return { obs: Float32Array.of(0), info: {} };
  }
  actionMasks(): boolean[] {
    return [0, 1, 2].map((a) => a !== (this.t + 2) % 3);
  }
  async step(action: number): Promise<StepResult<Float32Array>> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('cancelled');
    }
    const reward = action === this.t % 3 ? 1 : 0;
    this.t += 1;
    const end = this.t >= 3;
    return { obs: Float32Array.of(this.t / 4), reward, terminated: end && this.terminates, truncated: end && !this.terminates, info: {} };
  }
  render(): unknown {
    return { t: this.t };
  }
}

describe('DQN building blocks', () => {
  it('has SB3 2.x defaults', () => {
    expect(DQN_DEFAULTS).toMatchObject({ learningRate: 1e-4, bufferSize: 1_000_000, learningStarts: 100, batchSize: 32, tau: 1, gamma: 0.99, trainFreq: 4 });
    expect(DQN_DEFAULTS).toMatchObject({ gradientSteps: 1, targetUpdateInterval: 10_000, explorationFraction: 0.1, explorationInitialEps: 1, explorationFinalEps: 0.05, maxGradNorm: 10 });
  });

  it('epsilon: linear over the exploration fraction (get_linear_fn), or staged by episodes', () => {
    const linear = { ...DQN_DEFAULTS, explorationFraction: 0.2, explorationInitialEps: 1, explorationFinalEps: 0.1 };
    expect(explorationRate(linear, 0, 1000, 0)).toBe(1);
    expect(explorationRate(linear, 100, 1000, 0)).toBeCloseTo(0.55, 12);
    expect(explorationRate(linear, 200, 1000, 0)).toBeCloseTo(0.1, 12);
    expect(explorationRate(linear, 900, 1000, 0)).toBe(0.1);
    const staged = { ...DQN_DEFAULTS, explorationStages: [{ epsilon: 1, episodes: 3 }, { epsilon: 0.5, episodes: 2 }, { epsilon: 0.1, episodes: 1 }] };
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((e) => explorationRate(staged, 0, 0, e))).toEqual([1, 1, 1, 0.5, 0.5, 0.1, 0.1, 0.1]);
    // MetaQNN's 2,700-model schedule on a budget of 100: shares kept, every stage at least one episode.
    const scaled = scaleStages(METAQNN_STAGES, 100);
    expect(scaled.reduce((a, s) => a + s.episodes, 0)).toBe(100);
    expect(scaled[0]).toEqual({ epsilon: 1, episodes: 56 });
    expect(scaled.every((s) => s.episodes >= 1)).toBe(true);
  });

  it('the TD target maxes over the next state’s valid actions, and Double DQN values the online argmax with the target', () => {
    // No hidden layer, zero weights: Q(s', ·) is the bias. Online biases [0, 5, 1], target biases [3, 10, 2].
    const layer = (b: number[]) => [{ inDim: 1, outDim: 3, w: new Float32Array(3), b: Float32Array.from(b) }];
    const replay = new ReplayBuffer(10, 1, 3, true);
    const add = (nextMask: number[], done = false) => replay.add({ obs: Float32Array.of(0), action: 0, reward: 1, nextObs: Float32Array.of(0), done, nextMask: Uint8Array.from(nextMask) });
    add([1, 1, 1]);
    add([1, 0, 1]); // action 1 is invalid in s'
    add([1, 0, 1], true);
    const online = layer([0, 5, 1]);
    const target = layer([3, 10, 2]);
    const loss = (i: number, doubleQ: boolean) => tdLoss(online, target, replay, Int32Array.of(i), { gamma: 0.5, doubleQ });
    // Q(s, 0) = 0; Huber(0 − y) with |y| > 1 is |y| − 0.5.
    expect(loss(0, false).loss).toBeCloseTo(1 + 0.5 * 10 - 0.5, 6); // max over all: 10
    expect(loss(1, false).loss).toBeCloseTo(1 + 0.5 * 3 - 0.5, 6); // max over valid {0, 2}: 3
    expect(loss(2, false).loss).toBeCloseTo(0.5, 6); // done: y = r = 1
    expect(loss(0, true).loss).toBeCloseTo(1 + 0.5 * 10 - 0.5, 6); // online argmax 1 → target 10
    expect(loss(1, true).loss).toBeCloseTo(1 + 0.5 * 2 - 0.5, 6); // online argmax over {0, 2} is 2 → target 2
    // The gradient of the Huber loss is clipped to ±1 per sample: −1 on Q(s, 0)'s bias.
    expect(Array.from(loss(1, false).grads[0].b)).toEqual([-1, 0, 0]);
  });

  it('updates the target network every target_update_interval env steps, hard or soft', async () => {
    const run = async (tau: number) => {
      const dqn = new DQN(new ClockEnv(), { learningStarts: 0, trainFreq: 1, batchSize: 4, learningRate: 0.05, targetUpdateInterval: 4, tau, seed: 1 });
      const before = dqn.target.parameters().map((p) => Float32Array.from(p));
      const online: Float32Array[][] = [];
      const target: Float32Array[][] = [];
      await dqn.learn(8, {
        onStep: () => {
          online.push(dqn.parameters().map((p) => Float32Array.from(p)));
          target.push(dqn.target.parameters().map((p) => Float32Array.from(p)));
        },
      });
      return { before, online, target };
    };
    const hard = await run(1);
    // Steps 1–3 leave the target at its start; step 4 copies the online weights as they were then
    // (the update comes before that step's training), and step 8 again.
    for (const t of [0, 1, 2]) expect(hard.target[t]).toEqual(hard.before);
    expect(hard.target[3]).toEqual(hard.online[2]);
    expect(hard.target[6]).toEqual(hard.online[2]);
    expect(hard.online[3]).not.toEqual(hard.online[2]);
    expect(hard.target[7]).toEqual(hard.online[6]);
    const soft = await run(0.25);
    const mixed = soft.before.map((p, k) => p.map((v, i) => 0.75 * v + 0.25 * soft.online[2][k][i]));
    soft.target[3].forEach((p, k) => p.forEach((v, i) => expect(v).toBeCloseTo(mixed[k][i], 6)));
  });
});

describe('DQN learning (SB3 tests)', () => {
  it('IdentityEnv(4): mean reward ≥ 90 after 1200 steps (test_identity.py settings)', async () => {
    for (const seed of [0, 1, 2]) {
      const dqn = new DQN(new IdentityEnv(4, { seed }), { gamma: 0.4, learningRate: 0.002, learningStarts: 0, seed });
      await dqn.learn(1200);
      expect((await evaluatePolicy(dqn, new IdentityEnv(4, { seed: 100 + seed }), 20)).mean).toBeGreaterThanOrEqual(90);
    }
  });

  it('masked InvalidActionEnvDiscrete(20, 15) reaches ≥ 90 in 3000 steps; without masks it stays far lower', async () => {
    const run = async (useMasking: boolean) => {
      const dqn = new DQN(new InvalidActionEnvDiscrete(20, 15, { seed: 0 }), { gamma: 0.4, learningRate: 0.002, learningStarts: 0, seed: 0, useMasking });
      await dqn.learn(3000);
      return (await evaluatePolicy(dqn, new InvalidActionEnvDiscrete(20, 15, { seed: 100 }), 20, { useMasks: useMasking })).mean;
    };
    expect(await run(true)).toBeGreaterThanOrEqual(90);
    expect(await run(false)).toBeLessThan(80);
  });

  it('masked actions are never taken, random or greedy', async () => {
    const env = new ClockEnv();
    const chosen: boolean[] = [];
    const step = env.step.bind(env);
    env.step = (action: number) => {
      chosen.push(env.actionMasks()[action]);
      return step(action);
    };
    await new DQN(env, { learningStarts: 20, trainFreq: 1, batchSize: 8, explorationFraction: 0.5, seed: 3 }).learn(200);
    expect(chosen.length).toBe(200);
    expect(chosen.every(Boolean)).toBe(true);
  });
});

describe('DQN checkpoints', () => {
  const config = { learningStarts: 5, trainFreq: 3, gradientSteps: 2, batchSize: 4, targetUpdateInterval: 4, tau: 0.5, learningRate: 0.01, explorationFraction: 0.5, doubleQ: true, seed: 2 };
  const total = 30;
  const withoutSpeed = (h: DQNDiagnostics[]) => h.map(({ stepsPerS: _speed, ...d }) => d);
  const envAt = (t: number) => {
    const env = new ClockEnv(true);
    env.t = t;
    return env;
  };
  const whole = (async () => {
    const dqn = new DQN(envAt(0), config);
    const history = await dqn.learn(total);
    return { history: withoutSpeed(history), final: dqn.checkpoint() };
  })();

  it('the same seed gives the same run; another seed another', async () => {
    // Rollouts of 3 steps, trained on from step 6 (past learning_starts 5): 9 trainings of 2 steps.
    expect((await whole).history.map((d) => d.nUpdates)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18]);
    const again = new DQN(envAt(0), config);
    expect(withoutSpeed(await again.learn(total))).toEqual((await whole).history);
    const other = new DQN(envAt(0), { ...config, seed: 3 });
    await other.learn(total);
    expect(other.checkpoint().params).not.toEqual((await whole).final.params);
  });

  // 3, 6: a rollout just trained; 29: one step before the end.
  it.each([1, 3, 5, 6, 11, 29])('stopped by onStep after step %i, then restored from JSON, continues exactly', async (k) => {
    const env = envAt(0);
    const dqn = new DQN(env, config);
    let steps = 0;
    let saved = '';
    let envT = 0;
    const before = await dqn.learn(total, {
      onStep: () => {
        if (++steps < k) return;
        saved = JSON.stringify(dqn.checkpoint());
        envT = env.t;
        return false;
      },
    });
    const ckpt = JSON.parse(saved) as DQNCheckpoint;
    expect(ckpt.replay.actions.length).toBe(k);
    const resumed = DQN.fromCheckpoint(envAt(envT), ckpt);
    const after = await resumed.learn(total - resumed.numTimesteps, { resetNumTimesteps: false });
    const w = await whole;
    expect(withoutSpeed([...before, ...after])).toEqual(w.history);
    expect(resumed.checkpoint()).toEqual(w.final);
  });

  it('a step that throws leaves the agent as it was before it', async () => {
    const env = envAt(0);
    const dqn = new DQN(env, config);
    let steps = 0;
    let before: DQNCheckpoint | undefined;
    const history: DQNDiagnostics[] = [];
    const onStep = () => {
      if (++steps !== 8) return;
      before = dqn.checkpoint();
      env.failNext = true;
    };
    await expect(dqn.learn(total, { onUpdate: (d) => void history.push(d), onStep })).rejects.toThrow('cancelled');
    expect(dqn.checkpoint()).toEqual(before);
    history.push(...(await dqn.learn(total - dqn.numTimesteps, { resetNumTimesteps: false })));
    expect(withoutSpeed(history)).toEqual((await whole).history);
  });

  it('with selective backprop: trains on a share of the ranked transitions, and resumes exactly', async () => {
    const selective = { ...config, selectiveBackprop: 1 };
    const all = await new DQN(envAt(0), selective).learn(total);
    for (const d of all) expect(d.backpropShare).toBeGreaterThan(0.2);
    for (const d of all) expect(d.backpropShare).toBeLessThanOrEqual(1);
    const env = envAt(0);
    const dqn = new DQN(env, selective);
    let steps = 0;
    let saved = '';
    let envT = 0;
    const before = await dqn.learn(total, {
      onStep: () => {
        if (++steps < 17) return;
        saved = JSON.stringify(dqn.checkpoint());
        envT = env.t;
        return false;
      },
    });
    expect((JSON.parse(saved) as DQNCheckpoint).selectorLosses.length).toBeGreaterThan(0);
    const resumed = DQN.fromCheckpoint(envAt(envT), JSON.parse(saved));
    const after = await resumed.learn(total - resumed.numTimesteps, { resetNumTimesteps: false });
    expect(withoutSpeed([...before, ...after])).toEqual(withoutSpeed(all));
  });

  it('IdentityEnv(4) still learns with selective backprop on its updates', async () => {
    const dqn = new DQN(new IdentityEnv(4, { seed: 0 }), { gamma: 0.4, learningRate: 0.002, learningStarts: 0, seed: 0, selectiveBackprop: 1 });
    await dqn.learn(1200);
    expect((await evaluatePolicy(dqn, new IdentityEnv(4, { seed: 100 }), 20)).mean).toBeGreaterThanOrEqual(90);
  });

  it('refuses checkpoints that do not fit', () => {
    const ckpt = new DQN(envAt(0), config).checkpoint();
    const other = new DQN(new IdentityEnv(3), config);
    expect(() => other.load(ckpt)).toThrow('DQN checkpoint: spaces (obsDim 1, 3 actions) do not match the env (obsDim 3, 3 actions)');
    expect(() => DQN.fromCheckpoint(envAt(0), { ...ckpt, rngState: 'x' })).toThrow(/^invalid DQN checkpoint: [\s\S]*rngState/);
    expect(() => DQN.fromCheckpoint(envAt(0), { ...ckpt, replay: { ...ckpt.replay, pos: 2 } })).toThrow('replay buffer: obs has 0 values, expected 2');
  });
});
