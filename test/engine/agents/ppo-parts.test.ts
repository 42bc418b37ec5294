import { describe, expect, it } from 'vitest';
import { Adam, MaskableMultiCategorical, PPO } from '../../../src/engine/agents/ppo';
import { IdentityEnvMultiDiscrete } from '../../../src/engine/envs/identity';
import { createRng } from '../../../src/engine/random';

describe('MaskableMultiCategorical', () => {
  const dist = new MaskableMultiCategorical([3, 2]);
  const logits = Float32Array.of(0.5, -1, 2, 0.3, 0.1);
  const masks = Uint8Array.of(1, 1, 0, 1, 1);

  it('never picks a masked action; the mode is the most likely valid one', () => {
    const rng = createRng(1);
    const actions = new Int32Array(2);
    for (let t = 0; t < 200; t++) {
      dist.sample(logits, masks, 1, rng, actions);
      expect(actions[0]).not.toBe(2);
    }
    dist.mode(logits, masks, 1, actions);
    expect(Array.from(actions)).toEqual([0, 0]);
    dist.mode(logits, null, 1, actions);
    expect(Array.from(actions)).toEqual([2, 0]);
  });

  it('acting and the loss agree on log-probabilities; probabilities sum to 1 per slot; entropy as defined', () => {
    const rng = createRng(2);
    const actions = new Int32Array(2);
    const [logp] = dist.sample(logits, masks, 1, rng, actions);
    const row = dist.newRow();
    dist.logSoftmax(logits, masks, row);
    expect(dist.logProb(row, actions)).toBeCloseTo(logp, 6);
    expect(row.probs[2]).toBe(0);
    expect(row.probs[0] + row.probs[1]).toBeCloseTo(1, 12);
    expect(row.probs[3] + row.probs[4]).toBeCloseTo(1, 12);
    const h = -(row.probs[0] * row.logp[0] + row.probs[1] * row.logp[1]);
    expect(row.entropy[0]).toBeCloseTo(h, 12);
  });

  it('sampling slot by slot draws what sampling the whole row draws', () => {
    const whole = new Int32Array(2);
    dist.sample(logits, masks, 1, createRng(3), whole);
    const rng = createRng(3);
    const bySlot = [0, 1].map((s) => dist.sampleSlot(logits, masks, 0, s, rng)[0]);
    expect(bySlot).toEqual(Array.from(whole));
  });
});

describe('Adam', () => {
  it('first step moves each parameter by lr against the sign of its gradient (bias-corrected)', () => {
    const p = Float32Array.of(1, -2, 0.5);
    const adam = new Adam([p], 1e-8);
    adam.update([Float32Array.of(0.3, -4, 0)], 0.1);
    expect(adam.step).toBe(1);
    expect(p[0]).toBeCloseTo(0.9, 6);
    expect(p[1]).toBeCloseTo(-1.9, 6);
    expect(p[2]).toBe(0.5);
  });
});

describe('PPO checkpoint validation', () => {
  const make = () => new PPO(new IdentityEnvMultiDiscrete(2, { seed: 0 }), { nSteps: 8, batchSize: 8, seed: 0 });

  it('names the bad field of a malformed checkpoint', async () => {
    const ppo = make();
    await ppo.learn(12);
    const good = JSON.parse(JSON.stringify(ppo.checkpoint()));
    const withBadValue = structuredClone(good);
    withBadValue.params.pi_0_w[3] = 'x';
    expect(() => make().load(withBadValue)).toThrow(/params\.pi_0_w\[3\]/);
    const wrongVersion = { ...good, version: 1 };
    expect(() => PPO.fromCheckpoint(new IdentityEnvMultiDiscrete(2), wrongVersion)).toThrow(/version/);
    const shortTensor = structuredClone(good);
    shortTensor.adam.m.vf_2_b = [];
    expect(() => make().load(shortTensor)).toThrow('adam.m.vf_2_b has 0 values, expected 1');
    const otherSpaces = new PPO(new IdentityEnvMultiDiscrete(3), { nSteps: 8, batchSize: 8 });
    expect(() => otherSpaces.load(good)).toThrow(/spaces/);
  });

  it('a malformed checkpoint leaves the agent as it was', async () => {
    const ppo = make();
    await ppo.learn(8);
    const before = JSON.stringify(ppo.checkpoint());
    const other = make();
    let steps = 0;
    await other.learn(24, { onStep: () => ++steps < 20 }); // stops mid-rollout
    const bad = JSON.parse(JSON.stringify(other.checkpoint()));
    bad.episodeLengths = [];
    expect(() => ppo.load(bad)).toThrow('episodeLengths has 0 values, expected 1');
    expect(JSON.stringify(ppo.checkpoint())).toBe(before);
    const badRollout = JSON.parse(JSON.stringify(other.checkpoint()));
    badRollout.rollout.actions.pop();
    expect(() => ppo.load(badRollout)).toThrow(/rollout snapshot: actions has \d+ values/);
    expect(JSON.stringify(ppo.checkpoint())).toBe(before);
  });
});
