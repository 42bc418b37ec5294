import { describe, expect, it } from 'vitest';
import { CartPoleEnv } from '../../../src/engine/envs/cartpole';

/** gymnasium's CartPoleEnv.step equations, written out independently of the implementation. */
function handStep(s: number[], action: number): number[] {
  const [x, xDot, theta, thetaDot] = s;
  const g = 9.8;
  const mc = 1.0;
  const mp = 0.1;
  const total = mc + mp;
  const len = 0.5;
  const pml = mp * len;
  const f = action === 1 ? 10 : -10;
  const tau = 0.02;
  const temp = (f + pml * thetaDot ** 2 * Math.sin(theta)) / total;
  const thetaAcc = (g * Math.sin(theta) - Math.cos(theta) * temp) / (len * (4 / 3 - (mp * Math.cos(theta) ** 2) / total));
  const xAcc = temp - (pml * thetaAcc * Math.cos(theta)) / total;
  return [x + tau * xDot, xDot + tau * xAcc, theta + tau * thetaDot, thetaDot + tau * thetaAcc];
}

describe('CartPole-v1', () => {
  it('follows gymnasium’s Euler dynamics (hand-computed trajectory)', () => {
    const env = new CartPoleEnv();
    env.reset(0);
    const start = [0.01, -0.02, 0.03, 0.04];
    env.setState(start);
    // First step by hand, literally: action 1, force +10.
    const temp0 = (10 + 0.05 * 0.04 ** 2 * Math.sin(0.03)) / 1.1;
    const thAcc0 = (9.8 * Math.sin(0.03) - Math.cos(0.03) * temp0) / (0.5 * (4 / 3 - (0.1 * Math.cos(0.03) ** 2) / 1.1));
    const xAcc0 = temp0 - (0.05 * thAcc0 * Math.cos(0.03)) / 1.1;
    const s1 = [0.01 + 0.02 * -0.02, -0.02 + 0.02 * xAcc0, 0.03 + 0.02 * 0.04, 0.04 + 0.02 * thAcc0];
    let r = env.step(1);
    env.state.forEach((v, i) => expect(Math.abs(v - s1[i])).toBeLessThan(1e-9));
    expect(r.reward).toBe(1);
    expect(r.terminated).toBe(false);
    expect(r.truncated).toBe(false);
    expect(r.obs).toBeInstanceOf(Float32Array);
    r.obs.forEach((v, i) => expect(v).toBe(Math.fround(s1[i])));
    let s = s1;
    for (const a of [0, 1]) {
      s = handStep(s, a);
      r = env.step(a);
      env.state.forEach((v, i) => expect(Math.abs(v - s[i])).toBeLessThan(1e-9));
    }
    // Sanity-check magnitudes: pushing right accelerates the cart right and the pole left.
    expect(s1[1]).toBeGreaterThan(-0.02);
    expect(s1[3]).toBeLessThan(0.04);
  });

  it('resets uniformly within ±0.05, reproducibly per seed', () => {
    const a = new CartPoleEnv();
    const b = new CartPoleEnv();
    const o1 = a.reset(42).obs;
    const o2 = b.reset(42).obs;
    expect(Array.from(o1)).toEqual(Array.from(o2));
    for (let i = 0; i < 200; i++) {
      const { obs } = a.reset();
      for (const v of obs) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    }
    expect(a.observationSpace.contains(o1)).toBe(true);
    expect(a.actionSpace.n).toBe(2);
  });

  it('terminates beyond 12° with reward 1 on the terminating step', () => {
    const env = new CartPoleEnv();
    env.reset(0);
    env.setState([0, 0, 0.2094, 2]);
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1);
    // Stepping after termination gives 0 (gymnasium warns and returns 0).
    expect(env.step(1).reward).toBe(0);
    env.reset(1);
    env.setState([2.39, 1, 0, 0]);
    expect(env.step(1).terminated).toBe(true);
  });

  it('truncates at 500 steps (TimeLimit)', () => {
    const env = new CartPoleEnv();
    env.reset(0);
    let steps = 0;
    let last = { terminated: false, truncated: false };
    // Keep the pole up by hand-crafted control; reset the state when it drifts so only the time limit ends it.
    for (; steps < 600; ) {
      const [x, , theta, thetaDot] = env.state;
      const action = theta + 0.5 * thetaDot + 0.01 * x > 0 ? 1 : 0;
      const r = env.step(action);
      steps++;
      last = r;
      if (r.terminated || r.truncated) break;
    }
    expect(last.terminated).toBe(false);
    expect(last.truncated).toBe(true);
    expect(steps).toBe(500);
    expect(env.render().elapsedSteps).toBe(500);
  });
});
