import { describe, expect, it } from 'vitest';
import { GuidedPpoAgent, type GuidedPpoSettings } from '../../../src/engine/agents/guided/guided-ppo';
import type { PendingCandidate } from '../../../src/engine/agents/agent';
import { ActionGrammar, parseActionSet, type ActionSetInput } from '../../../src/shared/action-set';
import { ActionSetSpace, type CandidateSpace } from '../../../src/engine/search/space';

/** NAS-Bench-201's shape without its table: 6 slots of 5 choices, all allowed. */
const cellSpace: CandidateSpace = {
  nvec: [5, 5, 5, 5, 5, 5],
  constrained: false,
  slotMask: () => [true, true, true, true, true],
  isComplete: (prefix) => prefix.length >= 6,
  complete: (prefix) => [...prefix],
  describe: (action) => ({ label: action.join(''), hash: action.join(''), architecture: {} }),
  prefixFeatureSize: 12,
  prefixFeatures: (prefix) => {
    const f = new Float32Array(12);
    prefix.forEach((op, s) => ((f[s] = op / 4), (f[6 + s] = 1)));
    return f;
  },
};
/** A smooth toy signal on cells: slot s wants op s % 5; the optimum is [0, 1, 2, 3, 4, 0] at 1. */
const cellSignal = (a: readonly number[]) => 1 - a.reduce((s, op, slot) => s + 0.04 * Math.abs(op - (slot % 5)), 0);

/** Networks with masks: dense layers of 4 widths and a pool, up to 4 layers, ending on a dense one. */
const NETS: ActionSetInput = {
  name: 'nets',
  maxLayers: 4,
  nodes: [{ id: 'fc', layer: { type: 'dense', units: [8, 16, 32, 64] } }, { id: 'pool', layer: { type: 'maxPool' } }],
  edges: [{ from: 'input', to: 'pool' }, { from: 'input', to: 'fc' }, { from: 'pool', to: 'fc' }, { from: 'fc', to: 'fc' }, { from: 'fc', to: 'output' }],
};
const netSpace = new ActionSetSpace(new ActionGrammar(parseActionSet(NETS), [8, 8, 1]));
/** Deeper and wider is better. */
const netSignal = (a: readonly number[]) => a.reduce((s, v) => s + (v >= 1 && v <= 4 ? v : 0), 0) / 16;

/** Small settings, so that a run of a few dozen candidates takes seconds. */
const FAST: GuidedPpoSettings = { imaginedSteps: 128, proposalSamples: 200, predictor: { steps: 20, refitEvery: 4 }, ppo: { nSteps: 64 } };

interface Trace {
  actions: number[][];
  predictions: ({ mean: number; std: number } | undefined)[];
}

/** Asks for candidates from…to−1, telling the oldest pending one whenever `parallel` are pending. */
async function drive(agent: GuidedPpoAgent, signal: (a: readonly number[]) => number, from: number, to: number, parallel = 1, pending: PendingCandidate[] = []): Promise<Trace> {
  const trace: Trace = { actions: [], predictions: [] };
  for (let index = from; index < to; index++) {
    const proposal = await agent.ask(index, pending);
    trace.actions.push(proposal.action);
    trace.predictions.push(proposal.prediction);
    pending.push({ index, action: proposal.action });
    while (pending.length >= parallel) {
      const done = pending.shift()!;
      await agent.tell(done.index, { action: done.action, status: 'completed', signal: signal(done.action), reward: 0 });
    }
  }
  return trace;
}

const valid = (space: CandidateSpace, action: readonly number[]) => action.every((v, s) => space.slotMask(action.slice(0, s))[v]);

describe('GuidedPpoAgent', () => {
  for (const mode of ['full', 'layerwise'] as const) {
    it(`${mode}: continues exactly after checkpoint → JSON → restore, with candidates pending`, async () => {
      const settings = { ...FAST, mode, seed: 3 };
      const whole = await drive(new GuidedPpoAgent(netSpace, settings), netSignal, 0, 24, 2);
      const first = new GuidedPpoAgent(netSpace, settings);
      const pending: PendingCandidate[] = [];
      const before = await drive(first, netSignal, 0, 13, 2, pending);
      // The loop checkpoints after a tell: here with one candidate still pending.
      expect(pending).toHaveLength(1);
      const resumed = GuidedPpoAgent.restore(netSpace, JSON.parse(JSON.stringify(first.checkpoint())));
      const after = await drive(resumed, netSignal, 13, 24, 2, pending);
      expect([...before.actions, ...after.actions]).toEqual(whole.actions);
      expect([...before.predictions, ...after.predictions]).toEqual(whole.predictions);
    });

    it(`${mode}: proposes only what the masks allow, and never a candidate evaluated or pending`, async () => {
      const agent = new GuidedPpoAgent(netSpace, { ...FAST, mode, seed: 1 });
      const { actions } = await drive(agent, netSignal, 0, 30, 3);
      for (const a of actions) expect(valid(netSpace, a)).toBe(true);
      expect(new Set(actions.map((a) => a.join())).size).toBe(actions.length);
    });
  }

  it('guides its search: it finds a better cell than uniform proposals do, and predicts it', async () => {
    const best = (actions: number[][]) => Math.max(...actions.map(cellSignal));
    const guided = new GuidedPpoAgent(cellSpace, { ...FAST, seed: 2 });
    const trace = await drive(guided, cellSignal, 0, 40);
    const uniform = await drive(new GuidedPpoAgent(cellSpace, { ...FAST, seed: 2, initialCandidates: 40 }), cellSignal, 0, 40);
    expect(best(trace.actions)).toBeGreaterThan(best(uniform.actions) + 0.05);
    expect(best(trace.actions)).toBeGreaterThanOrEqual(0.96);
    // Uniform until 5 results, then every proposal comes with the predictor's view of it.
    expect(trace.predictions.slice(0, 5).every((p) => p === undefined)).toBe(true);
    const late = trace.predictions.slice(20).map((p, i) => Math.abs(p!.mean - cellSignal(trace.actions[20 + i])));
    expect(late.reduce((a, b) => a + b, 0) / late.length).toBeLessThan(0.05);
  });

  it('reports its updates: the predictor fit, PPO on the imagined rewards, and its time', async () => {
    const agent = new GuidedPpoAgent(cellSpace, { ...FAST, seed: 4 });
    const updates = [];
    for (let index = 0; index < 6; index++) {
      const { action } = await agent.ask(index, []);
      updates.push(await agent.tell(index, { action, status: 'completed', signal: cellSignal(action), reward: 0 }));
    }
    expect(updates.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(updates[4]?.iteration).toBe(1);
    expect(updates[5]?.iteration).toBe(2);
    expect(Object.keys(updates[5]!.diagnostics).sort()).toEqual(
      ['approxKl', 'askSeconds', 'entropy', 'imaginedReward', 'logMarginalLikelihood', 'noise', 'refitted', 'slotWeightMean', 'trainSize', 'updateSeconds'].sort(),
    );
    expect(updates[5]!.diagnostics.trainSize).toBe(6);
  });

  it('learns from a warm start: guided from the first proposal, never proposing a known candidate', async () => {
    const known = [[0, 1, 2, 3, 4, 1], [0, 1, 2, 3, 3, 0], [4, 4, 4, 4, 4, 4], [2, 2, 2, 2, 2, 2], [0, 0, 0, 0, 0, 0], [0, 1, 2, 3, 4, 4]];
    const agent = new GuidedPpoAgent(cellSpace, { ...FAST, seed: 5 });
    const update = await agent.warmStart(known.map((action) => ({ action, signal: cellSignal(action) })));
    expect(update?.diagnostics.trainSize).toBe(6);
    const { actions, predictions } = await drive(agent, cellSignal, 0, 3);
    expect(predictions.every((p) => p !== undefined)).toBe(true);
    for (const a of actions) expect(known.map((k) => k.join())).not.toContain(a.join());
    expect(Math.max(...actions.map(cellSignal))).toBeGreaterThan(0.9);
    // The warm results are part of the checkpoint, so a restored agent still knows them.
    expect(GuidedPpoAgent.restore(cellSpace, agent.checkpoint()).checkpoint().results.filter((r) => r.warm)).toHaveLength(6);
  });

  it('with the uniform proposer (the predictor alone) never trains PPO', async () => {
    const agent = new GuidedPpoAgent(cellSpace, { ...FAST, proposer: 'uniform', seed: 6 });
    expect(agent.name).toBe('predictor-uniform');
    const before = JSON.stringify((agent.checkpoint().ppo as { params: unknown }).params);
    const { actions } = await drive(agent, cellSignal, 0, 12);
    expect(JSON.stringify((agent.checkpoint().ppo as { params: unknown }).params)).toBe(before);
    expect(new Set(actions.map((a) => a.join())).size).toBe(12);
  });

  it('rejects a checkpoint for another space', () => {
    const checkpoint = new GuidedPpoAgent(cellSpace, FAST).checkpoint();
    expect(() => GuidedPpoAgent.restore(netSpace, checkpoint)).toThrow(/nvec/);
    expect(() => GuidedPpoAgent.restore(cellSpace, { kind: 'ppo-guided' })).toThrow();
  });
});
