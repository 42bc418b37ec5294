import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import { SearchEventSchema, type SearchEvent } from '../../../src/shared/events';
import { PpoAgent, type PpoMode } from '../../../src/engine/agents/ppo-agent';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { InlinePool } from '../../../src/engine/pool/inline-pool';
import { nb201Search } from '../../../src/engine/search/nb201-search';
import { computeReward, DEFAULT_REWARD } from '../../../src/engine/search/reward';
import { SearchLoop, type SearchLoopCheckpoint } from '../../../src/engine/search/search-loop';
import { ActionSetSpace } from '../../../src/engine/search/space';
import { FakeEvaluator } from '../../support/fake-evaluator';
import { nb201DataDir } from '../../support/nb201';

const DATA = nb201DataDir();
const ppoSearch = (seed: number, evaluations: number, onEvent?: (e: SearchEvent) => void, resumeFrom?: SearchLoopCheckpoint) =>
  nb201Search(loadNb201(DATA), 'cifar10', (space) => new PpoAgent({ space, mode: 'full', seed }, resumeFrom?.agent), { budget: evaluations, onEvent, resumeFrom });

describe.skipIf(!DATA)('PPO on NAS-Bench-201', () => {
  it('evaluates exactly the budget, updates every 10 candidates, and reports valid events', async () => {
    const events: SearchEvent[] = [];
    const summary = await ppoSearch(0, 100, (e) => events.push(e)).run();
    expect(summary).toMatchObject({ status: 'completed', evaluations: 100 });
    for (const e of events) expect(SearchEventSchema.parse(e)).toEqual(e);
    const finished = events.filter((e) => e.type === 'candidate_finished');
    expect(finished.map((e) => e.index)).toEqual([...Array(100).keys()]);
    const updates = events.filter((e) => e.type === 'agent_updated');
    expect(updates.map((e) => e.evaluations)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(updates[0].diagnostics).toHaveProperty('approxKl');
    expect(summary.best?.evaluation.signal).toBe(Math.max(...finished.map((e) => e.signal)));
  });

  it('reports its policy after each update: 6 edges × 5 operations that sum to 1 and move as it learns', async () => {
    const updates: Array<Extract<SearchEvent, { type: 'agent_updated' }>> = [];
    await ppoSearch(0, 100, (e) => e.type === 'agent_updated' && updates.push(e)).run();
    for (const { policy } of updates) {
      expect(policy).toHaveLength(6);
      for (const slot of policy!) {
        expect(slot).toHaveLength(5);
        expect(slot.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      }
    }
    const spread = (policy: number[][]) => Math.max(...policy.map((slot) => Math.max(...slot) - Math.min(...slot)));
    // Orthogonal init with gain 0.01 starts near uniform; 100 rewards make it prefer some operations.
    expect(spread(updates.at(-1)!.policy!)).toBeGreaterThan(spread(updates[0].policy!));
  });

  it('the same seed gives the same sequence of candidates', async () => {
    const actions = async (seed: number) => {
      const seen: number[][] = [];
      await ppoSearch(seed, 100, (e) => e.type === 'candidate_proposed' && seen.push(e.action)).run();
      return seen;
    };
    expect(await actions(3)).toEqual(await actions(3));
    expect(await actions(3)).not.toEqual(await actions(4));
  });

  it('learns: over 20 seeds, the last 25 candidates score higher than the first 25', async () => {
    let first = 0;
    let last = 0;
    for (let seed = 0; seed < 20; seed++) {
      const signals: number[] = [];
      await ppoSearch(seed, 100, (e) => e.type === 'candidate_finished' && signals.push(e.signal)).run();
      first += signals.slice(0, 25).reduce((a, b) => a + b, 0) / 25 / 20;
      last += signals.slice(75).reduce((a, b) => a + b, 0) / 25 / 20;
    }
    expect(last).toBeGreaterThan(first + 0.02);
  });
});

describe('PPO over an action set', () => {
  const grammar = new ActionGrammar(parseActionSet(JSON.parse(readFileSync('resources/action-sets/metaqnn.json', 'utf8'))), [28, 28, 1]);
  const space = new ActionSetSpace(grammar);
  const search = (mode: PpoMode, evaluator: FakeEvaluator, onEvent: (e: SearchEvent) => void, checkpoint?: unknown) =>
    new SearchLoop(new PpoAgent({ space, mode, seed: 2 }, checkpoint), space, {
      runId: 'r',
      evaluator: 'training',
      budget: { evaluations: 60 },
      pool: new InlinePool(evaluator),
      reward: (action, outcome, previous) => computeReward(outcome, previous, space.layers(action).length, DEFAULT_REWARD),
      onEvent,
    });

  it.each(['full', 'layerwise'] as const)('%s mode: follows the masks, so every proposed network builds', async (mode) => {
    const evaluator = new FakeEvaluator();
    const events: SearchEvent[] = [];
    const summary = await search(mode, evaluator, (e) => events.push(e)).run();
    expect(summary.evaluations).toBe(60);
    const finished = events.filter((e) => e.type === 'candidate_finished');
    expect(finished.map((e) => e.status)).toEqual(new Array(60).fill('completed'));
    expect(evaluator.calls).toBe(60 - summary.cacheHits);
    // The reward's parts add up to it: the accuracy and the build bonus of a network that was built.
    for (const e of finished) {
      const parts = e.rewardParts!;
      expect(parts).toMatchObject({ metric: e.signal, build: 1 });
      expect(parts.metric + parts.build + parts.depth + parts.params).toBeCloseTo(e.reward, 12);
    }
    // The policy follows the masks: after the most likely network ends (value 0), later slots are certain.
    const { policy } = events.filter((e) => e.type === 'agent_updated').at(-1)!;
    expect(policy).toHaveLength(space.nvec.length);
    const ended = policy!.findIndex((slot) => slot.indexOf(Math.max(...slot)) === 0);
    if (ended >= 0) for (const slot of policy!.slice(ended + 1)) expect(slot[0]).toBe(1);
  });

  it('layer-wise: learns toward deeper networks when depth is what pays', async () => {
    const depths: number[] = [];
    await search('layerwise', new FakeEvaluator(), (e) => {
      if (e.type === 'candidate_proposed') depths.push((e.architecture as { layers: unknown[] }).layers.length);
    }).run();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(depths.slice(40))).toBeGreaterThan(mean(depths.slice(0, 20)));
  });

  it('refuses a checkpoint of the other mode, and one that is not a PPO agent checkpoint', () => {
    const full = new PpoAgent({ space, mode: 'full', seed: 1 });
    expect(() => new PpoAgent({ space, mode: 'layerwise', seed: 1 }, full.checkpoint())).toThrow('PPO agent checkpoint is for full mode, not layerwise');
    expect(() => new PpoAgent({ space, mode: 'full', seed: 1 }, { kind: 'ppo', mode: 'full', pending: { 3: [{ obs: [], action: [1], logProb: 'x' }] } })).toThrow(
      /^invalid PPO agent checkpoint: [\s\S]*→ at pending\.3\[0\]\.logProb/,
    );
  });
});
