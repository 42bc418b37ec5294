import { beforeAll, describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import type { SearchEvent } from '../../../src/shared/events';
import { SearchEventSchema } from '../../../src/shared/events';
import { TrainingConfigSchema } from '../../../src/shared/training';
import { initBackend } from '../../../src/engine/backends';
import { makeSyntheticDataset, prepareData } from '../../../src/engine/data';
import { RegularizedEvolution } from '../../../src/engine/agents/evolution';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { TrainingEvaluator } from '../../../src/engine/evaluators/training';
import { NasEnv } from '../../../src/engine/envs/nas';
import { EnvProblem } from '../../../src/engine/search/problems';
import { Nb201Env } from '../../../src/engine/envs/nb201';
import { SearchRun, type SearchCheckpoint } from '../../../src/engine/search/search-run';
import { pauseAt } from '../../support/pause';

const nb201 = () => new EnvProblem(new Nb201Env(loadNb201(), 'cifar10'), 'nb201');

describe('SearchRun on NAS-Bench-201', () => {
  it('reports every candidate in order with valid events and keeps the best signal', async () => {
    const events: SearchEvent[] = [];
    const summary = await new SearchRun(new RegularizedEvolution([5, 5, 5, 5, 5, 5], { seed: 1 }), nb201(), { runId: 'r', budget: { evaluations: 30 }, onEvent: (e) => events.push(e) }).run();
    for (const event of events) expect(SearchEventSchema.parse(event)).toEqual(event);
    expect(events[0].type).toBe('run_started');
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', status: 'completed', evaluations: 30 });
    const finished = events.filter((e) => e.type === 'candidate_finished');
    expect(finished.map((e) => e.index)).toEqual([...Array(30).keys()]);
    const bestSignal = Math.max(...finished.map((e) => e.signal));
    expect(summary.best?.evaluation.signal).toBe(bestSignal);
    expect(summary.cacheHits).toBe(finished.filter((e) => e.cached).length);
  });

  it('the same seed gives the same sequence of candidates', async () => {
    const sequence = async (seed: number) => {
      const actions: number[][] = [];
      await new SearchRun(new RegularizedEvolution([5, 5, 5, 5, 5, 5], { seed }), nb201(), {
        runId: 'r',
        budget: { evaluations: 40 },
        onEvent: (e) => e.type === 'candidate_proposed' && actions.push(e.action),
      }).run();
      return actions;
    };
    expect(await sequence(9)).toEqual(await sequence(9));
    expect(await sequence(9)).not.toEqual(await sequence(10));
  });

  it('cancelled midway, then resumed from its checkpoint, proposes exactly what an uninterrupted run does', async () => {
    const proposals = (into: number[][]) => (e: SearchEvent) => e.type === 'candidate_proposed' && into.push(e.action);
    const whole: number[][] = [];
    const wholeSummary = await new SearchRun(new RegularizedEvolution([5, 5, 5, 5, 5, 5], { seed: 4 }), nb201(), { runId: 'a', budget: { evaluations: 50 }, onEvent: proposals(whole) }).run();

    const parts: number[][] = [];
    const abort = new AbortController();
    const first = new SearchRun(new RegularizedEvolution([5, 5, 5, 5, 5, 5], { seed: 4 }), nb201(), {
      runId: 'b',
      budget: { evaluations: 50 },
      onEvent: (e) => {
        proposals(parts)(e);
        if (e.type === 'candidate_finished' && e.index === 22) abort.abort();
      },
    });
    const stopped = await first.run(abort.signal);
    expect(stopped).toMatchObject({ status: 'cancelled', evaluations: 23 });
    const checkpoint = JSON.parse(JSON.stringify(first.checkpoint())) as SearchCheckpoint;
    const resumed = new SearchRun(RegularizedEvolution.restore(checkpoint.strategy), nb201(), { runId: 'b', budget: { evaluations: 50 }, onEvent: proposals(parts), resumeFrom: checkpoint });
    const summary = await resumed.run();
    expect(summary.evaluations).toBe(50);
    expect(parts).toEqual(whole);
    expect(summary.best?.evaluation.signal).toBe(wholeSummary.best?.evaluation.signal);
  });

  it('awaits beforeStep before each candidate: nothing is proposed while it holds, and the run goes on as if never paused', async () => {
    const run = (onEvent: (e: SearchEvent) => void, beforeStep?: () => Promise<void>) =>
      new SearchRun(new RandomSearch([5, 5, 5, 5, 5, 5], 2), nb201(), { runId: 'r', budget: { evaluations: 8 }, onEvent, beforeStep });
    const proposals = (into: number[][]) => (e: SearchEvent) => e.type === 'candidate_proposed' && into.push(e.action);
    const whole: number[][] = [];
    await run(proposals(whole)).run();

    const pause = pauseAt(4);
    const paused: number[][] = [];
    const running = run(proposals(paused), pause.beforeStep).run();
    await pause.held;
    expect(paused).toEqual(whole.slice(0, 3));
    pause.release();
    expect(await running).toMatchObject({ status: 'completed', evaluations: 8 });
    expect(paused).toEqual(whole);
    expect(pause.calls()).toBe(8);
  });

  it('stopped while paused, evaluates nothing more', async () => {
    const pause = pauseAt(4);
    const abort = new AbortController();
    const events: SearchEvent[] = [];
    const running = new SearchRun(new RandomSearch([5, 5, 5, 5, 5, 5], 2), nb201(), { runId: 'r', budget: { evaluations: 8 }, onEvent: (e) => events.push(e), beforeStep: pause.beforeStep }).run(abort.signal);
    await pause.held;
    abort.abort();
    pause.release();
    expect(await running).toMatchObject({ status: 'cancelled', evaluations: 3 });
    expect(events.filter((e) => e.type === 'candidate_proposed')).toHaveLength(3);
  });

  it('honours a wall-clock budget', async () => {
    const summary = await new SearchRun(new RandomSearch([5, 5, 5, 5, 5, 5], 0), nb201(), { runId: 'r', budget: { evaluations: 100, seconds: 0 } }).run();
    expect(summary.evaluations).toBe(0);
  });
});

describe('SearchRun training candidates', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('streams epochs, counts cache hits, and with masks never proposes a broken network', async () => {
    const data = prepareData(makeSyntheticDataset({ seed: 5, trainSamples: 128, testSamples: 32 }), { seed: 5 });
    const set = parseActionSet({
      name: 'tiny',
      maxLayers: 2,
      nodes: [{ id: 'pool', layer: { type: 'maxPool', size: [2, 4] } }, { id: 'fc', layer: { type: 'dense', units: 8 } }],
    });
    const grammar = new ActionGrammar(set, data.dataset.inputShape);
    const evaluator = new TrainingEvaluator(data, TrainingConfigSchema.parse({ epochs: 2, batchSize: 32 }), { evaluateTest: true });
    const problem = new EnvProblem(new NasEnv({ grammar, evaluator, mode: 'full' }), 'training');
    const events: SearchEvent[] = [];
    const summary = await new SearchRun(new RandomSearch(problem.nvec, 3, undefined, problem.slotMask), problem, { runId: 'r', budget: { evaluations: 25 }, onEvent: (e) => events.push(e) }).run();
    const finished = events.filter((e) => e.type === 'candidate_finished');
    expect(finished.every((e) => e.status === 'completed')).toBe(true);
    expect(events.filter((e) => e.type === 'epoch_done')).toHaveLength(2 * finished.filter((e) => !e.cached).length);
    // 25 draws from at most 1 + 3 + 3·3 = 13 networks repeat: the repeats are not trained again.
    expect(summary.cacheHits).toBe(25 - evaluator.distinctEvaluated);
    expect(summary.cacheHits).toBeGreaterThan(5);
    expect(summary.best?.evaluation.testAccuracy).toBeGreaterThan(0);
  });
});
