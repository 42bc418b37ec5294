/**
 * What a run warm-starts from: the results of the other runs under the same settings key over the
 * same search space, one per architecture (the earliest), evaluated to the end, in finishing order.
 */
import { describe, expect, it } from 'vitest';
import type { RunConfigInput } from '../../../src/shared/run-config';
import { createRun, makeConfig, openStore, recordCandidate } from './helpers';

const dense = { name: 'dense', nodes: [{ id: 'd', layer: { type: 'dense', units: [8, 16] } }] };
const training = (actionSet: unknown): Partial<RunConfigInput> => ({ evaluator: 'training', strategy: 'ppo', predictor: 'gp', actionSet: actionSet as RunConfigInput['actionSet'] });

describe('warm-start results', () => {
  it('come from runs with the same settings key and search space, one per architecture, never pruned', () => {
    const store = openStore();
    const first = createRun(store, training(dense), 'K');
    recordCandidate(store, first, 0, { hash: 'a', signal: 0.5 });
    recordCandidate(store, first, 1, { hash: 'b', signal: 0.9, status: 'pruned', epochs: [0.9] });
    recordCandidate(store, first, 2, { hash: 'c', signal: 0, status: 'failed', error: 'too big' });
    // The same layers under another name, drawn elsewhere: the same space.
    const renamed = { ...dense, name: 'renamed', nodes: dense.nodes.map((n) => ({ ...n, position: { x: 1, y: 2 } })) };
    const second = createRun(store, training(renamed), 'K');
    recordCandidate(store, second, 0, { hash: 'a', signal: 0.5, cached: true });
    recordCandidate(store, second, 1, { hash: 'd', signal: 0.6 });
    // Another space under the same settings, and the same space under other settings.
    const otherSpace = createRun(store, training({ ...dense, maxLayers: 2 }), 'K');
    recordCandidate(store, otherSpace, 0, { hash: 'e', signal: 0.8 });
    const otherSettings = createRun(store, training(dense), 'K2');
    recordCandidate(store, otherSettings, 0, { hash: 'f', signal: 0.7 });

    const runId = createRun(store, { ...training(dense), warmStart: true }, 'K');
    const { results, summary } = store.warmStartResults(runId, 'K', makeConfig({ ...training(dense), warmStart: true }));
    // recordCandidate's actions are [index % 3, 1, 0]: a, c from the first run, d from the second.
    expect(results).toEqual([
      { action: [0, 1, 0], signal: 0.5 },
      { action: [2, 1, 0], signal: 0 },
      { action: [1, 1, 0], signal: 0.6 },
    ]);
    expect(summary).toEqual({ evaluations: 3, runs: 2 });
  });

  it('leave out the run itself, and find nothing in an empty history', () => {
    const store = openStore();
    const runId = createRun(store, {}, 'nb201|cifar10');
    recordCandidate(store, runId, 0, { hash: 'a', signal: 0.5 });
    expect(store.warmStartResults(runId, 'nb201|cifar10', makeConfig())).toEqual({ results: [], summary: { evaluations: 0, runs: 0 } });
  });

  it('are recorded with the run, for the history to show', () => {
    const store = openStore();
    const runId = createRun(store);
    expect(store.getRun(runId)?.warmStart).toBeNull();
    store.recordWarmStart(runId, { evaluations: 12, runs: 2 });
    expect(store.getRun(runId)?.warmStart).toEqual({ evaluations: 12, runs: 2 });
  });
});
