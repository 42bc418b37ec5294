import { beforeAll, describe, expect, it } from 'vitest';
import { SearchEventSchema, type SearchEvent } from '../../../src/shared/events';
import { TrainingConfigSchema } from '../../../src/shared/training';
import type { SearchAgent } from '../../../src/engine/agents/agent';
import { RegularizedEvolution } from '../../../src/engine/agents/evolution';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import { initBackend } from '../../../src/engine/backends';
import { makeSyntheticDataset, prepareData } from '../../../src/engine/data';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { TrainingEvaluator } from '../../../src/engine/evaluators/training';
import { InlinePool } from '../../../src/engine/pool/inline-pool';
import { nb201Search } from '../../../src/engine/search/nb201-search';
import type { SearchLoopCheckpoint, SearchLoopOptions } from '../../../src/engine/search/search-loop';
import { ControlledEvaluator, FakeEvaluator } from '../../support/fake-evaluator';
import { nb201DataDir } from '../../support/nb201';
import { pauseAt } from '../../support/pause';
import { loopOver, poolOf, ScriptedAgent, slotMask, space } from '../../support/tiny-search';

const DATA = nb201DataDir();
const table = DATA ? loadNb201(DATA) : undefined;
const proposals = (into: number[][]) => (e: SearchEvent) => e.type === 'candidate_proposed' && into.push(e.action);
const evolutionSearch = (seed: number, budget: number, options: Pick<SearchLoopOptions, 'onEvent'> = {}) =>
  nb201Search(table!, 'cifar10', (space) => new RegularizedEvolution(space.nvec, { seed }), { budget, ...options });

describe.skipIf(!DATA)('the search loop on NAS-Bench-201', () => {
  it('reports every candidate in order with valid events and keeps the best signal', async () => {
    const events: SearchEvent[] = [];
    const summary = await evolutionSearch(1, 30, { onEvent: (e) => events.push(e) }).run();
    for (const event of events) expect(SearchEventSchema.parse(event)).toEqual(event);
    expect(events[0].type).toBe('run_started');
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', status: 'completed', evaluations: 30 });
    const finished = events.filter((e) => e.type === 'candidate_finished');
    expect(finished.map((e) => e.index)).toEqual([...Array(30).keys()]);
    expect(summary.best?.evaluation.signal).toBe(Math.max(...finished.map((e) => e.signal)));
    expect(summary.cacheHits).toBe(finished.filter((e) => e.cached).length);
    expect(finished.every((e) => e.agentSeconds !== undefined && e.agentSeconds >= 0)).toBe(true);
  });

  it('the same seed gives the same sequence of candidates', async () => {
    const sequence = async (seed: number) => {
      const actions: number[][] = [];
      await evolutionSearch(seed, 40, { onEvent: proposals(actions) }).run();
      return actions;
    };
    expect(await sequence(9)).toEqual(await sequence(9));
    expect(await sequence(9)).not.toEqual(await sequence(10));
  });

  it('cancelled midway, then resumed from its checkpoint, proposes exactly what an uninterrupted run does', async () => {
    const whole: number[][] = [];
    const wholeSummary = await evolutionSearch(4, 50, { onEvent: proposals(whole) }).run();
    const parts: number[][] = [];
    const abort = new AbortController();
    const first = evolutionSearch(4, 50, {
      onEvent: (e) => {
        proposals(parts)(e);
        if (e.type === 'candidate_finished' && e.index === 22) abort.abort();
      },
    });
    expect(await first.run(abort.signal)).toMatchObject({ status: 'cancelled', evaluations: 23 });
    const checkpoint = JSON.parse(JSON.stringify(first.loop.checkpoint())) as SearchLoopCheckpoint;
    const resumed = nb201Search(table!, 'cifar10', () => RegularizedEvolution.restore(checkpoint.agent), { budget: 50, onEvent: proposals(parts), resumeFrom: checkpoint });
    const summary = await resumed.run();
    expect(summary.evaluations).toBe(50);
    expect(parts).toEqual(whole);
    expect(summary.best?.evaluation.signal).toBe(wholeSummary.best?.evaluation.signal);
  });

  it('honours a wall-clock budget', async () => {
    const loop = loopOver(new RandomSearch([5, 5, 5, 5, 5, 5], 0), new InlinePool(new ControlledEvaluator()), { budget: { evaluations: 100, seconds: 0 } });
    expect((await loop.run()).evaluations).toBe(0);
  });
});

describe('a time budget', () => {
  /** A clock the test moves by hand (milliseconds). */
  const manualClock = (start: number) => {
    const clock = { now: start, read: () => clock.now };
    return clock;
  };

  it('stops proposing once spent, lets the candidates in flight finish, and completes saying why', async () => {
    const evaluator = new ControlledEvaluator();
    const clock = manualClock(5_000);
    const events: SearchEvent[] = [];
    const checkpoints: SearchLoopCheckpoint[] = [];
    const running = loopOver(new ScriptedAgent(), poolOf(evaluator, 2), {
      budget: { evaluations: 8, seconds: 10 },
      clock: clock.read,
      onEvent: (e, extras) => {
        events.push(e);
        if (extras) checkpoints.push(extras.checkpoint);
      },
    }).run();
    await evaluator.whenStarted(2);
    clock.now += 4_000;
    evaluator.finish(0, 0.5);
    await evaluator.whenStarted(3);
    clock.now += 7_000; // 11 s: spent, with candidates 1 and 2 in flight
    evaluator.finish(1, 0.6);
    evaluator.finish(2, 0.7);
    expect(await running).toMatchObject({ status: 'completed', evaluations: 3 });
    expect(evaluator.started.map((j) => j.index)).toEqual([0, 1, 2]);
    expect(checkpoints.map((c) => c.elapsedSeconds)).toEqual([4, 11, 11]);
    expect(events.at(-1)).toEqual({ type: 'run_finished', status: 'completed', evaluations: 3, cacheHits: 0, bestIndex: 2, timeBudgetSpent: true });
    for (const event of events) expect(SearchEventSchema.parse(event)).toEqual(event);
  });

  it('is not spent by a run that meets its candidate budget first, and checkpoints carry no time without one', async () => {
    const withTime: SearchEvent[] = [];
    await loopOver(new ScriptedAgent(), new InlinePool(new FakeEvaluator([12, 12, 1])), { budget: { evaluations: 3, seconds: 3600 }, onEvent: (e) => withTime.push(e) }).run();
    expect(withTime.at(-1)).not.toHaveProperty('timeBudgetSpent');
    const checkpoints: SearchLoopCheckpoint[] = [];
    await loopOver(new ScriptedAgent(), new InlinePool(new FakeEvaluator([12, 12, 1])), { budget: { evaluations: 3 }, onEvent: (_e, extras) => extras && checkpoints.push(extras.checkpoint) }).run();
    expect(checkpoints.every((c) => !('elapsedSeconds' in c))).toBe(true);
  });

  it('resumed, gets only the time left: the same candidates as the run that was never stopped', async () => {
    const first = new ControlledEvaluator();
    const clock = manualClock(0);
    const abort = new AbortController();
    let checkpoint: SearchLoopCheckpoint | undefined;
    const stopped = loopOver(new ScriptedAgent(), poolOf(first, 2), {
      budget: { evaluations: 8, seconds: 10 },
      clock: clock.read,
      onEvent: (_e, extras) => extras && (checkpoint = JSON.parse(JSON.stringify(extras.checkpoint))),
    }).run(abort.signal);
    await first.whenStarted(2);
    clock.now = 4_000;
    first.finish(0, 0.5);
    await first.whenStarted(3);
    clock.now = 6_000;
    abort.abort(); // a crash after 6 s: main keeps the checkpoint of 4 s, with candidate 1 in flight
    await stopped;
    expect(checkpoint).toMatchObject({ elapsedSeconds: 4, nextIndex: 2, pending: [{ index: 1 }] });

    // The new session starts on another clock: 6 of the 10 seconds are left.
    const second = new ControlledEvaluator();
    clock.now = 50_000;
    const resumed = loopOver(new ScriptedAgent((checkpoint!.agent as { next: number }).next), poolOf(second, 2), {
      budget: { evaluations: 8, seconds: 10 },
      clock: clock.read,
      resumeFrom: checkpoint,
    }).run();
    await second.whenStarted(2);
    expect(second.started.map((j) => j.index)).toEqual([1, 2]);
    clock.now = 55_000; // 9 s in all
    second.finish(1, 0.1);
    await second.whenStarted(3);
    clock.now = 56_000; // 10 s: spent
    second.finish(2, 0.1);
    second.finish(3, 0.1);
    expect(await resumed).toMatchObject({ status: 'completed', evaluations: 4 });
    expect(second.started.map((j) => j.index)).toEqual([1, 2, 3]);
  });
});

describe('pausing', () => {
  it('awaits beforeAsk before each candidate: nothing is proposed while it holds, and the run goes on as if never paused', async () => {
    const whole: number[][] = [];
    const run = (onEvent: (e: SearchEvent) => void, beforeAsk?: () => Promise<void>) =>
      loopOver(new RandomSearch(space.nvec, 2, undefined, slotMask), new InlinePool(new FakeEvaluator([12, 12, 1])), { onEvent, beforeAsk });
    await run(proposals(whole)).run();

    const pause = pauseAt(4);
    const paused: number[][] = [];
    const running = run(proposals(paused), pause.beforeAsk).run();
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
    const onEvent = (e: SearchEvent) => events.push(e);
    const running = loopOver(new RandomSearch(space.nvec, 2, undefined, slotMask), new InlinePool(new FakeEvaluator([12, 12, 1])), { onEvent, beforeAsk: pause.beforeAsk }).run(abort.signal);
    await pause.held;
    abort.abort();
    pause.release();
    expect(await running).toMatchObject({ status: 'cancelled', evaluations: 3 });
    expect(events.filter((e) => e.type === 'candidate_proposed')).toHaveLength(3);
  });

  it('while paused, candidates already in flight are still told', async () => {
    const pause = pauseAt(3);
    const evaluator = new ControlledEvaluator();
    const finished: number[] = [];
    const running = loopOver(new ScriptedAgent(), poolOf(evaluator, 2), {
      budget: { evaluations: 4 },
      beforeAsk: pause.beforeAsk,
      onEvent: (e) => e.type === 'candidate_finished' && finished.push(e.index),
    }).run();
    await evaluator.whenStarted(2);
    evaluator.finish(1, 0.3);
    await pause.held; // the third ask waits…
    evaluator.finish(0, 0.4); // …while candidate 0 is still told
    await expect.poll(() => finished).toEqual([1, 0]);
    expect(evaluator.started).toHaveLength(2);
    pause.release();
    await evaluator.whenStarted(4);
    evaluator.finish(2, 0.1);
    evaluator.finish(3, 0.2);
    expect(await running).toMatchObject({ status: 'completed', evaluations: 4 });
  });
});

describe('several candidates in flight', () => {
  it('keeps as many in flight as the pool has workers, tells results as they arrive, and checkpoints what is pending', async () => {
    const evaluator = new ControlledEvaluator();
    const agent = new ScriptedAgent();
    const events: SearchEvent[] = [];
    const checkpoints: SearchLoopCheckpoint[] = [];
    const running = loopOver(agent, poolOf(evaluator, 3), {
      budget: { evaluations: 5 },
      onEvent: (e, extras) => {
        events.push(e);
        if (extras) checkpoints.push(JSON.parse(JSON.stringify(extras.checkpoint)));
      },
    }).run();
    await evaluator.whenStarted(3);
    expect(agent.pendingAtAsk).toEqual([[], [0], [0, 1]]);
    evaluator.finish(2, 0.9);
    await evaluator.whenStarted(4);
    expect(agent.pendingAtAsk[3]).toEqual([0, 1]);
    expect(checkpoints[0]).toMatchObject({ evaluations: 1, nextIndex: 3, pending: [{ index: 0 }, { index: 1 }] });
    evaluator.finish(0, 0.2);
    await evaluator.whenStarted(5);
    evaluator.finish(4, 0.1);
    evaluator.finish(1, 0.3);
    evaluator.finish(3, 0.4);
    const summary = await running;
    expect(summary).toMatchObject({ status: 'completed', evaluations: 5, best: { index: 2 } });
    expect(events.filter((e) => e.type === 'candidate_finished').map((e) => e.index)).toEqual([2, 0, 4, 1, 3]);
    expect(checkpoints.at(-1)).toMatchObject({ evaluations: 5, nextIndex: 5, pending: [] });
  });

  it('resumed, evaluates the candidates that were in flight again without asking for them, then asks for the rest', async () => {
    const first = new ControlledEvaluator();
    const abort = new AbortController();
    let checkpoint: SearchLoopCheckpoint | undefined;
    const stopped = loopOver(new ScriptedAgent(), poolOf(first, 3), {
      budget: { evaluations: 6 },
      onEvent: (_e, extras) => extras && (checkpoint = JSON.parse(JSON.stringify(extras.checkpoint))),
    }).run(abort.signal);
    await first.whenStarted(3);
    first.finish(1, 0.5);
    await first.whenStarted(4);
    abort.abort();
    expect(await stopped).toMatchObject({ status: 'cancelled', evaluations: 1 });
    expect(checkpoint!.pending.map((p) => p.index)).toEqual([0, 2]);

    const second = new ControlledEvaluator();
    const restored = new ScriptedAgent((checkpoint!.agent as { next: number }).next);
    const resumed = loopOver(restored, poolOf(second, 3), { budget: { evaluations: 6 }, resumeFrom: checkpoint }).run();
    await second.whenStarted(3);
    expect(second.started.map((j) => j.index)).toEqual([0, 2, 3]);
    expect(second.started.slice(0, 2).map((j) => j.action)).toEqual(checkpoint!.pending.map((p) => p.action));
    // Candidate 3 is the one the stopped run had asked for: the restored agent asks it again.
    expect(second.started[2].action).toEqual(first.started[3].action);
    for (const index of [0, 2, 3]) second.finish(index, 0.1);
    await second.whenStarted(5);
    for (const index of [4, 5]) second.finish(index, 0.1);
    expect(await resumed).toMatchObject({ status: 'completed', evaluations: 6 });
  });

  it('a duplicate of an architecture in flight waits for it and is reported cached', async () => {
    const evaluator = new ControlledEvaluator();
    const same: SearchAgent = { name: 'same', ask: async () => ({ action: [1, 0] }), tell: async () => undefined, checkpoint: () => ({}) };
    const finished: Array<Extract<SearchEvent, { type: 'candidate_finished' }>> = [];
    const running = loopOver(same, poolOf(evaluator, 2), { budget: { evaluations: 3 }, onEvent: (e) => e.type === 'candidate_finished' && finished.push(e) }).run();
    await evaluator.whenStarted(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(evaluator.started).toHaveLength(1);
    evaluator.finish(0, 0.7);
    expect(await running).toMatchObject({ evaluations: 3, cacheHits: 2 });
    expect(finished.map((e) => [e.index, e.signal, e.cached])).toEqual([
      [0, 0.7, false],
      [1, 0.7, true],
      [2, 0.7, true],
    ]);
  });

  it('an evaluation that fails for good fails the run with its error, and cancels the others', async () => {
    const evaluator = new ControlledEvaluator();
    const running = loopOver(new ScriptedAgent(), poolOf(evaluator, 3), { budget: { evaluations: 5 } }).run();
    await evaluator.whenStarted(3);
    evaluator.fail(1, new Error('worker 2 crashed three times'));
    await expect(running).rejects.toThrow('worker 2 crashed three times');
  });

  it('refuses a candidate the action set does not allow, naming the slot', async () => {
    const broken: SearchAgent = { name: 'broken', ask: async () => ({ action: [0, 1] }), tell: async () => undefined, checkpoint: () => ({}) };
    await expect(loopOver(broken, new InlinePool(new ControlledEvaluator())).run()).rejects.toThrow('agent broken proposed [0,1]: value 1 is not allowed in slot 2');
  });
});

describe('training candidates', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('streams epochs, counts cache hits, and with masks never proposes a broken network', async () => {
    const data = prepareData(makeSyntheticDataset({ seed: 5, trainSamples: 128, testSamples: 32 }), { seed: 5 });
    const evaluator = new TrainingEvaluator(data, TrainingConfigSchema.parse({ epochs: 2, batchSize: 32 }), { evaluateTest: true });
    const events: SearchEvent[] = [];
    const summary = await loopOver(new RandomSearch(space.nvec, 3, undefined, slotMask), new InlinePool(evaluator), {
      budget: { evaluations: 25 },
      onEvent: (e) => events.push(e),
    }).run();
    const finished = events.filter((e) => e.type === 'candidate_finished');
    expect(finished.every((e) => e.status === 'completed')).toBe(true);
    const trained = finished.filter((e) => !e.cached).length;
    expect(events.filter((e) => e.type === 'epoch_done')).toHaveLength(2 * trained);
    // 25 draws from at most 1 + 3 + 3·3 = 13 networks repeat: the repeats are not trained again.
    expect(new Set(events.flatMap((e) => (e.type === 'candidate_proposed' ? [e.hash] : []))).size).toBe(trained);
    expect(summary.cacheHits).toBe(25 - trained);
    expect(summary.cacheHits).toBeGreaterThan(5);
    expect(summary.best?.evaluation.testAccuracy).toBeGreaterThan(0);
  });
});
