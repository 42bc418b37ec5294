import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import { SearchEventSchema, type SearchEvent } from '../../../src/shared/events';
import type { SearchAgent } from '../../../src/engine/agents/agent';
import { DqnAgent } from '../../../src/engine/agents/dqn-agent';
import { QLearningAgent } from '../../../src/engine/agents/qlearning';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { InlinePool } from '../../../src/engine/pool/inline-pool';
import { nb201Search } from '../../../src/engine/search/nb201-search';
import { computeReward, DEFAULT_REWARD } from '../../../src/engine/search/reward';
import { SearchLoop } from '../../../src/engine/search/search-loop';
import { ActionSetSpace, type CandidateSpace, type Nb201Space } from '../../../src/engine/search/space';
import { FakeEvaluator } from '../../support/fake-evaluator';
import { nb201DataDir } from '../../support/nb201';

const DATA = nb201DataDir();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Two slots of two values, every value allowed; the state is the last value and its depth. */
const tinySpace: CandidateSpace = {
  nvec: [2, 2],
  constrained: false,
  slotMask: () => [true, true],
  isComplete: (prefix) => prefix.length >= 2,
  complete: (prefix) => [...prefix],
  describe: (action) => ({ label: action.join(), hash: action.join(), architecture: {} }),
  prefixFeatureSize: 2,
  prefixFeatures: (prefix) => Float32Array.from([0, 1], (slot) => (slot < prefix.length ? 1 : 0)),
  layerState: (prefix) => `${prefix.length}:${prefix.at(-1) ?? 'start'}`,
};

describe('Q-learning (MetaQNN)', () => {
  it("updates a trajectory backwards: the last choice toward the reward, earlier ones toward the next state's best", async () => {
    const agent = new QLearningAgent({ space: tinySpace, seed: 0, budget: 10, settings: { replaySamples: 1, stages: [{ epsilon: 1, episodes: 10 }] } });
    expect(agent.settings).toMatchObject({ learningRate: 0.01, discount: 1, initialQ: 0.5 });
    const { action } = await agent.ask(0);
    const update = await agent.tell(0, { action, status: 'completed', signal: 1, reward: 1 });
    const q = agent.checkpoint().q;
    // Q(s1, a1) = 0.5 + 0.01·(1 − 0.5); then Q(s0, a0) = 0.5 + 0.01·(max Q(s1, ·) − 0.5), max = 0.505.
    expect(q[`1:${action[0]}`][action[1]]).toBeCloseTo(0.505, 12);
    expect(q['0:start'][action[0]]).toBeCloseTo(0.50005, 12);
    expect(q['0:start'][1 - action[0]]).toBe(0.5);
    expect(update).toMatchObject({ iteration: 1, diagnostics: { replaySize: 1 } });
  });

  it('scales MetaQNN’s epsilon stages to the budget, and is greedy (ties at random) once epsilon is 0', async () => {
    const agent = new QLearningAgent({ space: tinySpace, seed: 1, budget: 2700 });
    expect(agent.settings.stages.map((s) => s.episodes)).toEqual([1500, 100, 100, 100, 150, 150, 150, 150, 150, 150]);
    const greedy = new QLearningAgent({ space: tinySpace, seed: 1, budget: 40, settings: { learningRate: 0.5, stages: [{ epsilon: 1, episodes: 8 }, { epsilon: 0, episodes: 1 }] } });
    const reward = (a: number[]) => (a[0] === 1 && a[1] === 0 ? 1 : 0);
    const asked: number[][] = [];
    for (let i = 0; i < 20; i++) {
      const { action } = await greedy.ask(i);
      asked.push(action);
      await greedy.tell(i, { action, status: 'completed', signal: reward(action), reward: reward(action) });
    }
    expect(asked.slice(8)).toEqual(new Array(12).fill([1, 0]));
  });

  it('refuses a checkpoint for another space', () => {
    const checkpoint = new QLearningAgent({ space: tinySpace, seed: 0, budget: 10 }).checkpoint();
    const wider = { ...tinySpace, nvec: [3, 3] };
    expect(() => new QLearningAgent({ space: wider, seed: 0, budget: 10 }, checkpoint)).toThrow('Q-learning agent checkpoint has 2 choices per slot, the space 3');
    expect(() => new QLearningAgent({ space: tinySpace, seed: 0, budget: 10 }, { ...checkpoint, q: { s: ['x'] } })).toThrow(/^invalid Q-learning agent checkpoint: [\s\S]*→ at q\.s\[0\]/);
  });
});

describe.skipIf(!DATA)('value-based agents on NAS-Bench-201 (six steps a candidate)', () => {
  const table = DATA ? loadNb201(DATA) : undefined;
  const search = (agent: (space: Nb201Space) => SearchAgent, onEvent?: (e: SearchEvent) => void) => nb201Search(table!, 'cifar10', agent, { budget: 60, onEvent }).run();

  it.each([
    ['dqn', (seed: number) => (space: Nb201Space) => new DqnAgent({ space, seed, budget: 60 })],
    ['qlearning', (seed: number) => (space: Nb201Space) => new QLearningAgent({ space, seed, budget: 60 })],
  ] as const)('%s: evaluates the budget with valid events, reports its updates, and repeats for a seed', async (name, agent) => {
    const events: SearchEvent[] = [];
    const summary = await search(agent(1), (e) => events.push(e));
    expect(summary).toMatchObject({ status: 'completed', evaluations: 60 });
    for (const e of events) expect(SearchEventSchema.parse(e)).toEqual(e);
    const updates = events.filter((e) => e.type === 'agent_updated');
    // DQN trains after every candidate once 60 steps (10 candidates) are in its replay buffer.
    expect(updates.map((e) => e.evaluations)).toEqual(name === 'dqn' ? [...Array(50).keys()].map((i) => i + 11) : [...Array(60).keys()].map((i) => i + 1));
    expect(Object.keys(updates[0].diagnostics)).toEqual(expect.arrayContaining(name === 'dqn' ? ['loss', 'meanQ', 'explorationRate'] : ['epsilon', 'replaySize']));
    const proposed = async (seed: number) => {
      const seen: number[][] = [];
      await search(agent(seed), (e) => e.type === 'candidate_proposed' && seen.push(e.action));
      return seen;
    };
    expect(await proposed(1)).toEqual(events.filter((e) => e.type === 'candidate_proposed').map((e) => e.action));
    expect(await proposed(2)).not.toEqual(await proposed(1));
  });
});

describe('value-based agents over an action set', () => {
  const grammar = new ActionGrammar(parseActionSet(JSON.parse(readFileSync('resources/action-sets/metaqnn.json', 'utf8'))), [28, 28, 1]);
  const space = new ActionSetSpace(grammar);
  const run = async (agent: SearchAgent, budget: number) => {
    const evaluator = new FakeEvaluator();
    const depths: number[] = [];
    const statuses: string[] = [];
    const loop = new SearchLoop(agent, space, {
      runId: 'r',
      evaluator: 'training',
      budget: { evaluations: budget },
      pool: new InlinePool(evaluator),
      reward: (action, outcome, previous) => computeReward(outcome, previous, space.layers(action).length, DEFAULT_REWARD),
      onEvent: (e) => {
        if (e.type === 'candidate_proposed') depths.push((e.architecture as { layers: unknown[] }).layers.length);
        if (e.type === 'candidate_finished') statuses.push(e.status);
      },
    });
    await loop.run();
    return { depths, statuses };
  };

  it.each([
    ['dqn', () => new DqnAgent({ space, seed: 2, budget: 80 })],
    // MetaQNN's α = 0.01 moves Q too little in 80 candidates (its runs took thousands); 0.1 does.
    ['qlearning', () => new QLearningAgent({ space, seed: 2, budget: 80, settings: { learningRate: 0.1 } })],
  ] as const)('%s follows the masks (every network builds) and learns toward deeper networks when depth is what pays', async (_name, agent) => {
    const { depths, statuses } = await run(agent(), 80);
    expect(statuses).toEqual(new Array(80).fill('completed'));
    expect(mean(depths.slice(60))).toBeGreaterThan(mean(depths.slice(0, 20)));
  });

  it('MetaQNN states: the layer just added, its depth and the feature map’s size bin', () => {
    expect(space.layerState([])).toBe('0:start:8');
    const conv = grammar.mask([]).findIndex((ok, a) => ok && a > 0 && grammar.layers([a])[0].type === 'conv2d');
    expect(space.layerState([conv])).toMatch(new RegExp(`^1:${conv}:(8|4|1)$`));
  });
});
