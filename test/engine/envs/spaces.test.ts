import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/engine/random';
import { Box, Dict, Discrete, MultiDiscrete, spaceFromJSON } from '../../../src/engine/envs/spaces';
import { IdentityEnv, IdentityEnvMultiDiscrete, InvalidActionEnvDiscrete } from '../../../src/engine/envs/identity';

describe('spaces', () => {
  it('Discrete samples, contains and flattens one-hot', () => {
    const s = new Discrete(5);
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const x = s.sample(rng);
      expect(s.contains(x)).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(5);
    expect(s.contains(5)).toBe(false);
    expect(s.contains(-1)).toBe(false);
    expect(s.contains(1.5)).toBe(false);
    expect(Array.from(s.flatten(2))).toEqual([0, 0, 1, 0, 0]);
    expect(s.flatDim).toBe(5);
  });

  it('MultiDiscrete flattens to concatenated one-hots', () => {
    const s = new MultiDiscrete([3, 2, 4]);
    expect(s.flatDim).toBe(9);
    expect(Array.from(s.flatten([2, 0, 3]))).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 1]);
    const rng = createRng(2);
    for (let i = 0; i < 100; i++) expect(s.contains(s.sample(rng))).toBe(true);
    expect(s.contains([3, 0, 0])).toBe(false);
    expect(s.contains([0, 0])).toBe(false);
  });

  it('Box samples within bounds and flattens raw values', () => {
    const s = new Box(-1, 2, [2, 3]);
    expect(s.flatDim).toBe(6);
    const rng = createRng(3);
    for (let i = 0; i < 100; i++) expect(s.contains(s.sample(rng))).toBe(true);
    expect(s.contains([0, 0, 0, 0, 0, 3])).toBe(false);
    expect(s.contains([0, 0, 0])).toBe(false);
    const x = Float32Array.from([1, 2, -1, 0, 0.5, 1.5]);
    expect(Array.from(s.flatten(x))).toEqual(Array.from(x));
    const unbounded = new Box([-Infinity, 0], [Infinity, Infinity]);
    for (let i = 0; i < 50; i++) expect(unbounded.contains(unbounded.sample(rng))).toBe(true);
  });

  it('Dict uses sorted key order for sample, flatten and JSON', () => {
    const s = new Dict({ b: new Discrete(3), a: new Box(0, 1, [2]), c: new MultiDiscrete([2, 2]) });
    expect(s.keys).toEqual(['a', 'b', 'c']);
    expect(s.flatDim).toBe(2 + 3 + 4);
    const x = { c: [1, 0], a: Float32Array.from([0.25, 0.75]), b: 1 };
    expect(s.contains(x)).toBe(true);
    expect(Array.from(s.flatten(x))).toEqual([0.25, 0.75, 0, 1, 0, 0, 1, 1, 0]);
    expect(s.contains({ a: Float32Array.from([0, 0]), b: 3, c: [0, 0] })).toBe(false);
    expect(s.contains({ a: Float32Array.from([0, 0]), b: 0 })).toBe(false);
    const rng = createRng(4);
    for (let i = 0; i < 50; i++) expect(s.contains(s.sample(rng))).toBe(true);
    expect(Object.keys(s.sample(rng))).toEqual(['a', 'b', 'c']);
    const round = spaceFromJSON(JSON.parse(JSON.stringify(s.toJSON())));
    expect(round.flatDim).toBe(s.flatDim);
    expect(Array.from(round.flatten(x as never))).toEqual(Array.from(s.flatten(x)));
  });
});

describe('identity envs', () => {
  it('IdentityEnv rewards repeating the state, episodes of 100 steps', () => {
    const env = new IdentityEnv(4, { seed: 0 });
    let { obs } = env.reset(0);
    let total = 0;
    for (let t = 0; t < 100; t++) {
      const r = env.step(obs);
      total += r.reward;
      expect(r.terminated).toBe(t === 99);
      obs = r.obs;
    }
    expect(total).toBe(100);
    env.reset();
    const wrong = (env.state + 1) % 4;
    expect(env.step(wrong).reward).toBe(0);
  });

  it('IdentityEnvMultiDiscrete(4) is MultiDiscrete([4, 4]) and needs both slots right', () => {
    const env = new IdentityEnvMultiDiscrete(4);
    expect(env.actionSpace.nvec).toEqual([4, 4]);
    expect(env.observationSpace.flatDim).toBe(8);
    const { obs } = env.reset(3);
    expect(env.step([...obs]).reward).toBe(1);
    const s = env.state;
    expect(env.step([s[0], (s[1] + 1) % 4]).reward).toBe(0);
  });

  it('InvalidActionEnvDiscrete masks 55 of 70 actions, never the correct one', () => {
    const env = new InvalidActionEnvDiscrete(70, 55, { seed: 1 });
    env.reset(1);
    for (let t = 0; t < 300; t++) {
      const masks = env.actionMasks();
      expect(masks.length).toBe(70);
      expect(masks.filter(Boolean).length).toBe(15);
      expect(masks[env.state]).toBe(true);
      const r = env.step(env.state);
      expect(r.reward).toBe(1);
      if (r.terminated) env.reset();
    }
  });
});
