/**
 * Exact resumption: a run stopped after any candidate and continued, from the checkpoint sent with
 * that candidate_finished (through JSON, into fresh objects), proposes, scores and updates exactly
 * as the uninterrupted run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import type { CachedOutcome } from '../../../src/shared/engine-messages';
import { SearchEventSchema, type SearchEvent } from '../../../src/shared/events';
import type { EpochMetrics } from '../../../src/shared/training';
import type { SearchAgent } from '../../../src/engine/agents/agent';
import { RegularizedEvolution } from '../../../src/engine/agents/evolution';
import { PpoAgent, type PpoMode } from '../../../src/engine/agents/ppo-agent';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { InlinePool } from '../../../src/engine/pool/inline-pool';
import { createRng } from '../../../src/engine/random';
import { nb201Search } from '../../../src/engine/search/nb201-search';
import { ReplayCache } from '../../../src/engine/search/replay-cache';
import { computeReward, DEFAULT_REWARD } from '../../../src/engine/search/reward';
import { SearchLoop, type SearchLoopCheckpoint } from '../../../src/engine/search/search-loop';
import { ActionSetSpace, type Nb201Space } from '../../../src/engine/search/space';
import type { SearchSummary } from '../../../src/engine/search/tally';
import { FakeEvaluator } from '../../support/fake-evaluator';
import { nb201DataDir } from '../../support/nb201';

const DATA = nb201DataDir();

type OnEvent = (event: SearchEvent, extras?: { checkpoint: SearchLoopCheckpoint }) => void;
interface Search {
  run(signal?: AbortSignal): Promise<SearchSummary>;
  checkpoint(): unknown;
}
interface Scenario {
  /** Candidates in the whole run. */
  n: number;
  /** A fresh search; resumeFrom is a checkpoint parsed back from JSON, cache what main sends it then. */
  make(onEvent: OnEvent, resumeFrom?: SearchLoopCheckpoint, cache?: ReplayCache): Search;
}

interface Trace {
  candidates: { index: number; hash: string; action: number[]; reward: number; signal: number; cached: boolean }[];
  updates: { iteration: number; evaluations: number; diagnostics: Record<string, number> }[];
  /** JSON of the checkpoint sent with each candidate_finished, by index. */
  checkpoints: Map<number, string>;
  /** What main keeps of each freshly evaluated candidate, and sends back to a resumed run. */
  outcomes: CachedOutcome[];
}

/** The replay cache a resumed run gets from main: the outcomes recorded before it stopped. */
function cacheFrom(trace: Trace): ReplayCache {
  const cache = new ReplayCache();
  cache.preload(trace.outcomes);
  return cache;
}

function recorder(trace: Trace, after?: (index: number) => void): OnEvent {
  const proposed = new Map<number, { hash: string; action: number[] }>();
  const epochs = new Map<number, EpochMetrics[]>();
  return (e, extras) => {
    const checkpoint = extras?.checkpoint;
    expect(SearchEventSchema.parse(e)).toEqual(e);
    expect(checkpoint !== undefined, e.type).toBe(e.type === 'candidate_finished');
    if (e.type === 'candidate_proposed') proposed.set(e.index, { hash: e.hash, action: e.action });
    if (e.type === 'epoch_done') epochs.set(e.index, [...(epochs.get(e.index) ?? []), e.metrics]);
    if (e.type === 'agent_updated') {
      // Speed is the only thing allowed to differ.
      const { stepsPerS: _speed, ...diagnostics } = e.diagnostics;
      trace.updates.push({ iteration: e.iteration, evaluations: e.evaluations, diagnostics });
    }
    if (e.type !== 'candidate_finished') return;
    const p = proposed.get(e.index);
    if (!p) throw new Error(`candidate ${e.index} finished without a proposal`);
    trace.candidates.push({ index: e.index, ...p, reward: e.reward, signal: e.signal, cached: e.cached });
    const { status, signal, params, testAccuracy, error } = e;
    if (!e.cached) trace.outcomes.push({ hash: p.hash, status, signal, params, testAccuracy, error, epochs: epochs.get(e.index) ?? [] });
    expect(checkpoint?.evaluations).toBe(e.index + 1);
    trace.checkpoints.set(e.index, JSON.stringify(checkpoint));
    after?.(e.index);
  };
}

const emptyTrace = (): Trace => ({ candidates: [], updates: [], checkpoints: new Map(), outcomes: [] });
const bestOf = (s: SearchSummary) => ({ evaluations: s.evaluations, cacheHits: s.cacheHits, index: s.best?.index, hash: s.best?.hash });

/** Candidate counts to stop after: 1, n − 1, `extra`, and a few drawn at random. */
function stopPoints(n: number, extra: number[], seed: number): number[] {
  const rng = createRng(seed);
  const drawn = Array.from({ length: 3 }, () => 2 + rng.int(n - 3));
  return [...new Set([1, n - 1, ...extra, ...drawn])].sort((a, b) => a - b);
}

async function expectExactResume(scenario: Scenario, ks: (whole: Trace) => number[]): Promise<void> {
  const whole = emptyTrace();
  const wholeSummary = await scenario.make(recorder(whole)).run();
  expect(wholeSummary).toMatchObject({ status: 'completed', evaluations: scenario.n });
  expect(whole.candidates.map((c) => c.index)).toEqual([...Array(scenario.n).keys()]);

  for (const k of ks(whole)) {
    const part = emptyTrace();
    const abort = new AbortController();
    const first = scenario.make(recorder(part, (index) => index === k - 1 && abort.abort()));
    expect(await first.run(abort.signal)).toMatchObject({ status: 'cancelled', evaluations: k });
    const saved = part.checkpoints.get(k - 1)!;
    // The checkpoint sent with the candidate is the uninterrupted run's, and what the stopped search holds.
    // (Compared as JSON text: deep equality of large checkpoints is slow.)
    expect(saved === whole.checkpoints.get(k - 1)).toBe(true);
    expect(JSON.stringify(first.checkpoint()) === saved).toBe(true);

    const rest = emptyTrace();
    const summary = await scenario.make(recorder(rest), JSON.parse(saved) as SearchLoopCheckpoint, cacheFrom(part)).run();
    expect(summary.status).toBe('completed');
    expect([...part.candidates, ...rest.candidates], `stopped after ${k}`).toEqual(whole.candidates);
    expect([...part.updates, ...rest.updates], `stopped after ${k}`).toEqual(whole.updates);
    expect(bestOf(summary)).toEqual(bestOf(wholeSummary));
  }
}

/** The candidates after which the agent updated: a resumed run must not update twice, nor skip one. */
const afterUpdates = (whole: Trace) => whole.updates.map((u) => u.evaluations);

describe.skipIf(!DATA)('resuming on NAS-Bench-201', () => {
  const table = DATA ? loadNb201() : undefined;
  const scenario = (n: number, agent: (space: Nb201Space, resume?: SearchLoopCheckpoint) => SearchAgent): Scenario => ({
    n,
    make: (onEvent, resumeFrom, cache) => nb201Search(table!, 'cifar10', (space) => agent(space, resumeFrom), { budget: n, onEvent, resumeFrom, cache }).loop,
  });

  it('random search', async () => {
    await expectExactResume(
      scenario(30, (space, resume) => (resume ? RandomSearch.restore(resume.agent) : new RandomSearch(space.nvec, 3))),
      () => stopPoints(30, [], 1),
    );
  });

  it('regularized evolution (cache hits stay cache hits)', async () => {
    const evolution = scenario(60, (space, resume) =>
      resume ? RegularizedEvolution.restore(resume.agent) : new RegularizedEvolution(space.nvec, { population: 5, sampleSize: 3, seed: 2 }),
    );
    await expectExactResume(evolution, (whole) => {
      // Mutations repeat cells: stopped between a cell's first evaluation and its repeat, the
      // resumed run must still see the repeat as a cache hit (main sends the run's own outcomes).
      const repeat = whole.candidates.find((c) => c.cached);
      expect(repeat).toBeDefined();
      const first = whole.candidates.find((c) => c.hash === repeat!.hash)!;
      return stopPoints(60, [5, 6, first.index + 1], 2);
    });
  });

  it('PPO', async () => {
    const n = 35;
    await expectExactResume(
      scenario(n, (space, resume) => new PpoAgent({ space, mode: 'full', seed: 5 }, resume?.agent)),
      (whole) => {
        expect(afterUpdates(whole)).toEqual([10, 20, 30]);
        return stopPoints(n, [10, 20], 3);
      },
    );
  });
});

const grammar = new ActionGrammar(parseActionSet(JSON.parse(readFileSync('resources/action-sets/metaqnn.json', 'utf8'))), [28, 28, 1]);
const space = new ActionSetSpace(grammar);
const slotMask = (prefix: readonly number[]) => space.slotMask(prefix);

/** A search over the MetaQNN action set with the fake evaluator (two epochs, signal = depth / 10). */
function actionSetScenario(n: number, agent: (resume?: SearchLoopCheckpoint) => SearchAgent): Scenario {
  return {
    n,
    make: (onEvent, resumeFrom, cache) =>
      new SearchLoop(agent(resumeFrom), space, {
        cache,
        runId: 'r',
        evaluator: 'training',
        budget: { evaluations: n },
        pool: new InlinePool(new FakeEvaluator()),
        reward: (action, outcome, previous) => computeReward(outcome, previous, space.layers(action).length, { ...DEFAULT_REWARD, kind: 'improvement' }),
        onEvent,
        resumeFrom,
      }),
  };
}

const ppo = (mode: PpoMode, seed: number) => (resume?: SearchLoopCheckpoint) => new PpoAgent({ space, mode, seed, ppo: { nSteps: 4, batchSize: 4 } }, resume?.agent);

/**
 * Cancelled while candidate k is evaluated, the search resumes exactly from its own checkpoint
 * (candidate k in flight: evaluated again, not asked for again) and from the last one it sent
 * (what main keeps after a crash: candidate k is asked for again).
 */
async function expectExactAfterCancelledEvaluation(scenario: Scenario, ks: number[]): Promise<void> {
  const whole = emptyTrace();
  await scenario.make(recorder(whole)).run();
  for (const k of ks) {
    const part = emptyTrace();
    const abort = new AbortController();
    const record = recorder(part);
    const first = scenario.make((e, extras) => {
      record(e, extras);
      if (e.type === 'candidate_proposed' && e.index === k) abort.abort();
    });
    expect(await first.run(abort.signal)).toMatchObject({ status: 'cancelled', evaluations: k });
    const live = JSON.parse(JSON.stringify(first.checkpoint())) as SearchLoopCheckpoint;
    expect(live.pending.map((p) => p.index)).toEqual([k]);
    for (const saved of [live, JSON.parse(part.checkpoints.get(k - 1)!) as SearchLoopCheckpoint]) {
      const rest = emptyTrace();
      await scenario.make(recorder(rest), saved, cacheFrom(part)).run();
      expect([...part.candidates, ...rest.candidates], `cancelled in ${k}`).toEqual(whole.candidates);
      expect([...part.updates, ...rest.updates], `cancelled in ${k}`).toEqual(whole.updates);
    }
  }
}

describe('resuming after a cancelled evaluation', () => {
  it('evolution', async () => {
    const scenario = actionSetScenario(14, (resume) =>
      resume ? RegularizedEvolution.restore(resume.agent, slotMask) : new RegularizedEvolution(space.nvec, { population: 4, seed: 1, slotMask }),
    );
    await expectExactAfterCancelledEvaluation(scenario, [3, 7]);
  });

  it.each(['full', 'layerwise'] as const)('PPO, %s mode', async (mode) => {
    // 4: the rollout is full after candidate 3, so PPO has updated before it proposes candidate 4.
    await expectExactAfterCancelledEvaluation(actionSetScenario(14, ppo(mode, 6)), [4, 9]);
  });
});

describe('resuming PPO over an action set', () => {
  it('full mode', async () => {
    await expectExactResume(actionSetScenario(30, ppo('full', 4)), (whole) => {
      expect(whole.updates).toHaveLength(7);
      return stopPoints(30, [4, 8, 9], 4);
    });
  });

  it('layerwise mode (candidates of several steps)', async () => {
    await expectExactResume(actionSetScenario(30, ppo('layerwise', 4)), (whole) => {
      const updates = afterUpdates(whole);
      expect(updates.length).toBeGreaterThan(7);
      return stopPoints(30, [updates[0], updates.at(-1)!], 5);
    });
  });
});
