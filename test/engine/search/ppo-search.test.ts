import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import { SearchEventSchema, type SearchEvent } from '../../../src/shared/events';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { NasEnv } from '../../../src/engine/envs/nas';
import { Nb201Env } from '../../../src/engine/envs/nb201';
import { PpoSearch, type PpoSearchCheckpoint } from '../../../src/engine/search/ppo-search';
import { FakeEvaluator } from '../../support/fake-evaluator';

const table = loadNb201();
const nb201Search = (seed: number, onEvent?: (e: SearchEvent) => void, resumeFrom?: PpoSearchCheckpoint, evaluations = 100) =>
  new PpoSearch(new Nb201Env(table, 'cifar10'), { runId: 'r', evaluator: 'nb201', budget: { evaluations }, ppo: { seed }, onEvent, resumeFrom });

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
