/**
 * Exact resumption: a run stopped after any candidate and continued, from the checkpoint sent with
 * that candidate_finished (through JSON, into fresh objects), proposes, scores and updates exactly
 * as the uninterrupted run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import { SearchEventSchema, type SearchEvent } from '../../../src/shared/events';
import { RegularizedEvolution } from '../../../src/engine/agents/evolution';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { NasEnv, type NasMode } from '../../../src/engine/envs/nas';
import { Nb201Env } from '../../../src/engine/envs/nb201';
import { createRng } from '../../../src/engine/random';
import { PpoSearch, type PpoSearchCheckpoint } from '../../../src/engine/search/ppo-search';
import { EnvProblem } from '../../../src/engine/search/problems';
import { SearchRun, type SearchCheckpoint, type SearchSummary } from '../../../src/engine/search/search-run';
import type { EvaluationHooks } from '../../../src/engine/evaluators/types';
import type { LayerSpec } from '../../../src/shared/layers';
import { FakeEvaluator } from '../../support/fake-evaluator';
import { nb201DataDir } from '../../support/nb201';

/** Stops training when the search is cancelled, as the training evaluator does. */
class CancellableEvaluator extends FakeEvaluator {
  override async evaluate(layers: LayerSpec[], hooks?: EvaluationHooks) {
    if (hooks?.signal?.aborted) throw new Error('cancelled in training');
    return super.evaluate(layers);
  }
}

const DATA = nb201DataDir();

type OnEvent = (event: SearchEvent, checkpoint?: unknown) => void;
interface Search {
  run(signal?: AbortSignal): Promise<SearchSummary>;
  checkpoint(): unknown;
}
interface Scenario {
  /** Candidates in the whole run. */
  n: number;
  /** A fresh search; resumeFrom is a checkpoint parsed back from JSON. */
  make(onEvent: OnEvent, resumeFrom?: unknown): Search;
}

interface Trace {
  candidates: { index: number; hash: string; action: number[]; reward: number; signal: number; cached: boolean }[];
  updates: { iteration: number; evaluations: number; diagnostics: Record<string, number> }[];
  /** JSON of the checkpoint sent with each candidate_finished, by index. */
  checkpoints: Map<number, string>;
}

function recorder(trace: Trace, after?: (index: number) => void): OnEvent {
  const proposed = new Map<number, { hash: string; action: number[] }>();
  return (e, checkpoint) => {
    expect(SearchEventSchema.parse(e)).toEqual(e);
    expect(checkpoint !== undefined, e.type).toBe(e.type === 'candidate_finished');
    if (e.type === 'candidate_proposed') proposed.set(e.index, { hash: e.hash, action: e.action });
    if (e.type === 'agent_updated') {
      // Speed is the only thing allowed to differ.
      const { stepsPerS: _speed, ...diagnostics } = e.diagnostics;
      trace.updates.push({ iteration: e.iteration, evaluations: e.evaluations, diagnostics });
    }
    if (e.type !== 'candidate_finished') return;
    const p = proposed.get(e.index);
    if (!p) throw new Error(`candidate ${e.index} finished without a proposal`);
    trace.candidates.push({ index: e.index, ...p, reward: e.reward, signal: e.signal, cached: e.cached });
    expect((checkpoint as { evaluations: number }).evaluations).toBe(e.index + 1);
    trace.checkpoints.set(e.index, JSON.stringify(checkpoint));
    after?.(e.index);
  };
}

const emptyTrace = (): Trace => ({ candidates: [], updates: [], checkpoints: new Map() });
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
    const summary = await scenario.make(recorder(rest), JSON.parse(saved)).run();
    expect(summary.status).toBe('completed');
    expect([...part.candidates, ...rest.candidates], `stopped after ${k}`).toEqual(whole.candidates);
    expect([...part.updates, ...rest.updates], `stopped after ${k}`).toEqual(whole.updates);
    expect(bestOf(summary)).toEqual(bestOf(wholeSummary));
  }
}

/** Candidates whose checkpoint holds a full rollout: stopping there leaves PPO's update to the resumed run. */
function atRolloutEnd(whole: Trace): number[] {
  const ks: number[] = [];
  for (const [index, json] of whole.checkpoints) {
    const { ppo } = JSON.parse(json) as PpoSearchCheckpoint;
    if (ppo.rollout.pos === ppo.config.nSteps) ks.push(index + 1);
  }
  return ks;
}

describe.skipIf(!DATA)('resuming on NAS-Bench-201', () => {
  const table = DATA ? loadNb201() : undefined;
  const nb201 = () => new Nb201Env(table!, 'cifar10');
  const askTell = (n: number, strategy: (resume?: SearchCheckpoint) => RandomSearch | RegularizedEvolution): Scenario => ({
    n,
    make: (onEvent, resumeFrom) => {
      const resume = resumeFrom as SearchCheckpoint | undefined;
      return new SearchRun(strategy(resume), new EnvProblem(nb201(), 'nb201'), { runId: 'r', budget: { evaluations: n }, onEvent, resumeFrom: resume });
    },
  });

  it('random search', async () => {
    const scenario = askTell(30, (resume) => (resume ? RandomSearch.restore(resume.strategy) : new RandomSearch([5, 5, 5, 5, 5, 5], 3)));
    await expectExactResume(scenario, () => stopPoints(30, [], 1));
  });

  it('regularized evolution (the env checkpoint keeps cache hits)', async () => {
    const scenario = askTell(60, (resume) =>
      resume ? RegularizedEvolution.restore(resume.strategy) : new RegularizedEvolution([5, 5, 5, 5, 5, 5], { population: 5, sampleSize: 3, seed: 2 }),
    );
    await expectExactResume(scenario, (whole) => {
      // Mutations repeat cells: stopped between a cell's first evaluation and its repeat, the
      // resumed run must still see the repeat as a cache hit.
      const repeat = whole.candidates.find((c) => c.cached);
      expect(repeat).toBeDefined();
      const first = whole.candidates.find((c) => c.hash === repeat!.hash)!;
      return stopPoints(60, [5, 6, first.index + 1], 2);
    });
  });

  it('PPO', async () => {
    const n = 35;
    const scenario: Scenario = {
      n,
      make: (onEvent, resumeFrom) =>
        new PpoSearch(nb201(), { runId: 'r', evaluator: 'nb201', budget: { evaluations: n }, ppo: { seed: 5 }, onEvent, resumeFrom: resumeFrom as PpoSearchCheckpoint | undefined }),
    };
    await expectExactResume(scenario, (whole) => {
      expect(whole.updates.map((u) => u.evaluations)).toEqual([10, 20, 30]);
      expect(atRolloutEnd(whole)).toEqual([10, 20, 30]);
      return stopPoints(n, [10, 20], 3);
    });
  });
});

/**
 * Cancelled while candidate k is evaluated, the search's own checkpoint resumes exactly: candidate k
 * is proposed again. For ask/tell it is the one sent with candidate k − 1; PPO's may be later (an
 * update, layerwise steps of candidate k), since PPO keeps everything up to the cancelled step.
 */
async function expectExactAfterCancelledEvaluation(scenario: Scenario, ks: number[], askTell = false): Promise<void> {
  const whole = emptyTrace();
  await scenario.make(recorder(whole)).run();
  for (const k of ks) {
    const part = emptyTrace();
    const abort = new AbortController();
    const record = recorder(part);
    const first = scenario.make((e, c) => {
      if (e.type === 'candidate_proposed' && e.index === k) abort.abort();
      else record(e, c);
    });
    expect(await first.run(abort.signal)).toMatchObject({ status: 'cancelled', evaluations: k });
    const saved = JSON.stringify(first.checkpoint());
    if (askTell) expect(saved === whole.checkpoints.get(k - 1)).toBe(true);
    const rest = emptyTrace();
    await scenario.make(recorder(rest), JSON.parse(saved)).run();
    expect([...part.candidates, ...rest.candidates], `cancelled in ${k}`).toEqual(whole.candidates);
    expect([...part.updates, ...rest.updates], `cancelled in ${k}`).toEqual(whole.updates);
  }
}

describe('resuming after a cancelled evaluation', () => {
  const grammar = new ActionGrammar(parseActionSet(JSON.parse(readFileSync('resources/action-sets/metaqnn.json', 'utf8'))), [28, 28, 1]);
  const env = (mode: NasMode) => new NasEnv({ grammar, evaluator: new CancellableEvaluator(), mode });
  const n = 14;

  it('evolution', async () => {
    const scenario: Scenario = {
      n,
      make: (onEvent, resumeFrom) => {
        const resume = resumeFrom as SearchCheckpoint | undefined;
        const problem = new EnvProblem(env('full'), 'training');
        const strategy = resume
          ? RegularizedEvolution.restore(resume.strategy, problem.slotMask)
          : new RegularizedEvolution(problem.nvec, { population: 4, seed: 1, slotMask: problem.slotMask });
        return new SearchRun(strategy, problem, { runId: 'r', budget: { evaluations: n }, onEvent, resumeFrom: resume });
      },
    };
    await expectExactAfterCancelledEvaluation(scenario, [3, 7], true);
  });

  it.each(['full', 'layerwise'] as const)('PPO, %s mode', async (mode) => {
    const scenario: Scenario = {
      n,
      make: (onEvent, resumeFrom) =>
        new PpoSearch(env(mode), {
          runId: 'r',
          evaluator: 'training',
          budget: { evaluations: n },
          ppo: { seed: 6, nSteps: 4, batchSize: 4 },
          onEvent,
          resumeFrom: resumeFrom as PpoSearchCheckpoint | undefined,
        }),
    };
    // 4: the rollout is full, so PPO updates before it proposes candidate 4.
    await expectExactAfterCancelledEvaluation(scenario, [4, 9]);
  });
});

describe('resuming PPO over an action set', () => {
  const grammar = new ActionGrammar(parseActionSet(JSON.parse(readFileSync('resources/action-sets/metaqnn.json', 'utf8'))), [28, 28, 1]);
  const scenario = (mode: NasMode, n: number): Scenario => ({
    n,
    make: (onEvent, resumeFrom) =>
      new PpoSearch(new NasEnv({ grammar, evaluator: new FakeEvaluator(), mode }), {
        runId: 'r',
        evaluator: 'training',
        budget: { evaluations: n },
        ppo: { seed: 4, nSteps: 4, batchSize: 4 },
        onEvent,
        resumeFrom: resumeFrom as PpoSearchCheckpoint | undefined,
      }),
  });

  it('full mode', async () => {
    await expectExactResume(scenario('full', 30), (whole) => {
      expect(whole.updates).toHaveLength(7);
      return stopPoints(30, [4, 8, 9], 4);
    });
  });

  it('layerwise mode (candidates of several steps)', async () => {
    await expectExactResume(scenario('layerwise', 30), (whole) => {
      expect(whole.updates.length).toBeGreaterThan(7);
      const boundaries = atRolloutEnd(whole);
      expect(boundaries.length).toBeGreaterThan(0);
      // Also a candidate whose checkpoint holds part of a rollout.
      return stopPoints(30, [boundaries[0], boundaries.at(-1)!], 5);
    });
  });
});
