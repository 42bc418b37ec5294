import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import { SearchEventSchema, type SearchEvent } from '../../../src/shared/events';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { NasEnv } from '../../../src/engine/envs/nas';
import { Nb201Env } from '../../../src/engine/envs/nb201';
import { PpoSearch, type PpoSearchCheckpoint } from '../../../src/engine/search/ppo-search';
import { FakeEvaluator } from '../../support/fake-evaluator';
import { pauseAt } from '../../support/pause';

const table = loadNb201();
const nb201Search = (seed: number, onEvent?: (e: SearchEvent) => void, resumeFrom?: PpoSearchCheckpoint, evaluations = 100, beforeStep?: () => Promise<void>) =>
  new PpoSearch(new Nb201Env(table, 'cifar10'), { runId: 'r', evaluator: 'nb201', budget: { evaluations }, ppo: { seed }, onEvent, resumeFrom, beforeStep });

describe('PpoSearch on NAS-Bench-201', () => {
  it('evaluates exactly the budget, updates every 10 candidates, and reports valid events', async () => {
    const events: SearchEvent[] = [];
    const summary = await nb201Search(0, (e) => events.push(e)).run();
    expect(summary).toMatchObject({ status: 'completed', evaluations: 100 });
    for (const e of events) expect(SearchEventSchema.parse(e)).toEqual(e);
    const finished = events.filter((e) => e.type === 'candidate_finished');
    expect(finished.map((e) => e.index)).toEqual([...Array(100).keys()]);
    expect(events.filter((e) => e.type === 'agent_updated')).toHaveLength(9); // the 10th rollout ends at the budget
    expect(summary.best?.evaluation.signal).toBe(Math.max(...finished.map((e) => e.signal)));
  });

  it('the same seed gives the same sequence of candidates', async () => {
    const actions = async (seed: number) => {
      const seen: number[][] = [];
      await nb201Search(seed, (e) => e.type === 'candidate_proposed' && seen.push(e.action)).run();
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
      await nb201Search(seed, (e) => e.type === 'candidate_finished' && signals.push(e.signal)).run();
      first += signals.slice(0, 25).reduce((a, b) => a + b, 0) / 25 / 20;
      last += signals.slice(75).reduce((a, b) => a + b, 0) / 25 / 20;
    }
    expect(last).toBeGreaterThan(first + 0.02);
  });

  it('cancelled, then resumed from its checkpoint, meets the budget with every candidate once', async () => {
    const abort = new AbortController();
    const indices: number[] = [];
    const first = nb201Search(1, (e) => {
      if (e.type !== 'candidate_finished') return;
      indices.push(e.index);
      if (e.index === 36) abort.abort();
    });
    expect(await first.run(abort.signal)).toMatchObject({ status: 'cancelled', evaluations: 37 });
    const checkpoint = JSON.parse(JSON.stringify(first.checkpoint())) as PpoSearchCheckpoint;
    const resumed = nb201Search(1, (e) => e.type === 'candidate_finished' && indices.push(e.index), checkpoint);
    expect(await resumed.run()).toMatchObject({ status: 'completed', evaluations: 100 });
    expect(indices).toEqual([...Array(100).keys()]);
  });

  it('awaits beforeStep before each step: nothing is proposed while it holds, and the run goes on as if never paused', async () => {
    const proposals = (into: number[][]) => (e: SearchEvent) => e.type === 'candidate_proposed' && into.push(e.action);
    const whole: number[][] = [];
    await nb201Search(5, proposals(whole), undefined, 15).run();

    const pause = pauseAt(4);
    const paused: number[][] = [];
    const running = nb201Search(5, proposals(paused), undefined, 15, pause.beforeStep).run();
    await pause.held;
    expect(paused).toEqual(whole.slice(0, 3));
    pause.release();
    expect(await running).toMatchObject({ status: 'completed', evaluations: 15 });
    expect(paused).toEqual(whole);
  });

  it('stopped while paused, evaluates nothing more, and resumes from its checkpoint with every candidate once', async () => {
    const pause = pauseAt(4);
    const abort = new AbortController();
    const indices: number[] = [];
    const onEvent = (e: SearchEvent) => e.type === 'candidate_finished' && indices.push(e.index);
    const first = nb201Search(6, onEvent, undefined, 15, pause.beforeStep);
    const running = first.run(abort.signal);
    await pause.held;
    abort.abort();
    pause.release();
    expect(await running).toMatchObject({ status: 'cancelled', evaluations: 3 });
    expect(indices).toEqual([0, 1, 2]);
    const checkpoint = JSON.parse(JSON.stringify(first.checkpoint())) as PpoSearchCheckpoint;
    expect(await nb201Search(6, onEvent, checkpoint, 15).run()).toMatchObject({ status: 'completed', evaluations: 15 });
    expect(indices).toEqual([...Array(15).keys()]);
  });
});

describe('PpoSearch over an action set', () => {
  const grammar = new ActionGrammar(parseActionSet(JSON.parse(readFileSync('resources/action-sets/metaqnn.json', 'utf8'))), [28, 28, 1]);

  it.each(['full', 'layerwise'] as const)('%s mode: follows the masks, so every proposed network builds', async (mode) => {
    const evaluator = new FakeEvaluator();
    const events: SearchEvent[] = [];
    const env = new NasEnv({ grammar, evaluator, mode });
    const summary = await new PpoSearch(env, { runId: 'r', evaluator: 'training', budget: { evaluations: 60 }, ppo: { seed: 2 }, onEvent: (e) => events.push(e) }).run();
    expect(summary.evaluations).toBe(60);
    const statuses = events.filter((e) => e.type === 'candidate_finished').map((e) => e.status);
    expect(statuses).toEqual(new Array(60).fill('completed'));
    expect(evaluator.calls).toBe(60);
  });
});
