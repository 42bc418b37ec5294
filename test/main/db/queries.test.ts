import { describe, expect, it } from 'vitest';
import { HistoryStoreError } from '../../../src/main/db/history-store';
import type { CandidateSortKey } from '../../../src/shared/history';
import type { SearchEvent } from '../../../src/shared/events';
import { createRun, epoch, finished, makeConfig, openStore, proposed, recordCandidate } from './helpers';

describe('run queries', () => {
  it('lists runs newest first, filtered and paged', () => {
    const store = openStore();
    const ids = [
      createRun(store, { name: 'Conv sweep', strategy: 'ppo' }),
      createRun(store, { evaluator: 'training', dataset: 'fashion-mnist', actionSet: { name: 'a', nodes: [{ id: 'd', layer: { type: 'dense', units: 4 } }] } }),
      createRun(store, { strategy: 'evolution', name: '100%_done' }),
      createRun(store),
    ];
    store.setRunStatus(ids[2], 'completed');
    recordCandidate(store, ids[3], 0, { signal: 0.7, hash: 'best' });

    expect(store.listRuns().map((r) => r.id)).toEqual([...ids].reverse());
    expect(store.listRuns({ limit: 2, offset: 1 }).map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(store.listRuns({ status: 'completed' }).map((r) => r.id)).toEqual([ids[2]]);
    expect(store.listRuns({ status: ['completed', 'created'], limit: 10 })).toHaveLength(4);
    expect(store.listRuns({ text: 'conv' }).map((r) => r.id)).toEqual([ids[0]]);
    expect(store.listRuns({ text: 'fashion' }).map((r) => r.id)).toEqual([ids[1]]);
    expect(store.listRuns({ text: 'evolution' }).map((r) => r.id)).toEqual([ids[2]]);
    expect(store.listRuns({ text: '%_' }).map((r) => r.id)).toEqual([ids[2]]); // LIKE wildcards are literal
    expect(store.listRuns({ text: ids[1].slice(0, 8) }).map((r) => r.id)).toEqual([ids[1]]);

    const latest = store.listRuns({ limit: 1 })[0];
    expect(latest).toMatchObject({ id: ids[3], bestIndex: 0, bestSignal: 0.7, bestLabel: 'net best', evaluations: 1, dataset: 'cifar10', mode: 'full' });
    expect(Object.keys(latest).sort()).toEqual(
      [
        'id', 'name', 'status', 'statusReason', 'failedDuring', 'strategy', 'evaluator', 'dataset', 'mode', 'budget', 'evaluations', 'cacheHits', 'bestIndex',
        'bestSignal', 'bestTestAcc', 'bestLabel', 'backend', 'device', 'createdAt', 'startedAt', 'finishedAt', 'updatedAt', 'runMs', 'measuredAt',
      ].sort(),
    );
    expect(store.getRun('missing')).toBeUndefined();
    expect(store.getRun(ids[1])?.config.dataset).toBe('fashion-mnist');
  });

  it('resolves id prefixes', () => {
    const store = openStore();
    for (const id of ['abc-1', 'abc-2', 'abd-1', 'ab']) store.createRun({ id, config: makeConfig(), ownerPid: 1 });
    expect(store.resolveRunId('abd')).toBe('abd-1');
    expect(store.resolveRunId('ABC-2')).toBe('abc-2');
    expect(store.resolveRunId('ab')).toBe('ab'); // an exact id wins over being a prefix
    expect(() => store.resolveRunId('abc')).toThrow(/"abc" matches more than one run \(abc-1, abc-2\)/);
    expect(() => store.resolveRunId('zz')).toThrow(HistoryStoreError);
    expect(() => store.resolveRunId('')).toThrow(HistoryStoreError);
  });
});

describe('candidate queries', () => {
  function seeded() {
    const store = openStore();
    const runId = createRun(store);
    // index: signal, params
    const specs = [
      { signal: 0.5, params: 300 },
      { signal: 0.9, params: 100 },
      { signal: 0.5, params: 200 },
      { signal: 0.1, params: 100 },
    ];
    specs.forEach((s, i) => recordCandidate(store, runId, i, { ...s, epochs: [s.signal] }));
    store.recordEvent(runId, proposed(4)); // running: no reward, params or test accuracy yet
    store.recordEvent(runId, { type: 'epoch_done', index: 4, metrics: epoch(1, 0.95) });
    return { store, runId };
  }

  it('sorts with nulls last and the index breaking ties', () => {
    const { store, runId } = seeded();
    const order = (sortBy: CandidateSortKey, order: 'asc' | 'desc') => store.listCandidates(runId, { sortBy, order }).rows.map((r) => r.index);
    expect(order('index', 'asc')).toEqual([0, 1, 2, 3, 4]);
    expect(order('index', 'desc')).toEqual([4, 3, 2, 1, 0]);
    expect(order('reward', 'desc')).toEqual([1, 0, 2, 3, 4]);
    expect(order('reward', 'asc')).toEqual([3, 0, 2, 1, 4]);
    expect(order('params', 'asc')).toEqual([1, 3, 2, 0, 4]);
    expect(order('validAcc', 'desc')).toEqual([4, 1, 0, 2, 3]); // the running one shows its latest epoch
    expect(order('testAcc', 'desc')).toEqual([1, 0, 2, 3, 4]);
    expect(order('trainLoss', 'asc')).toHaveLength(5);
    expect(() => store.listCandidates(runId, { sortBy: 'bogus' as CandidateSortKey })).toThrow(HistoryStoreError);
  });

  it('pages and filters by status, reporting the total', () => {
    const { store, runId } = seeded();
    const page = store.listCandidates(runId, { sortBy: 'reward', order: 'desc', limit: 2, offset: 1 });
    expect(page.total).toBe(5);
    expect(page.rows.map((r) => r.index)).toEqual([0, 2]);
    const running = store.listCandidates(runId, { status: 'running' });
    expect(running).toMatchObject({ total: 1, rows: [{ index: 4, status: 'running', reward: null }] });
    expect(store.listCandidates(runId, { status: ['completed'], limit: 0 })).toEqual({ total: 4, rows: [] });
    expect(store.getCandidate(runId, 99)).toBeUndefined();
  });

  it('compares series of several runs', () => {
    const store = openStore();
    const a = createRun(store);
    const b = createRun(store);
    [0.2, 0.6, 0.4].forEach((signal, i) => recordCandidate(store, a, i, { signal }));
    recordCandidate(store, b, 0, { signal: 0.3 });
    store.recordEvent(b, proposed(1));
    expect(store.compareSeries([b, a, 'missing'])).toEqual([
      { runId: b, series: [{ index: 0, reward: 0.3, signal: 0.3, bestSoFar: 0.3 }] },
      {
        runId: a,
        series: [
          { index: 0, reward: 0.2, signal: 0.2, bestSoFar: 0.2 },
          { index: 1, reward: 0.6, signal: 0.6, bestSoFar: 0.6 },
          { index: 2, reward: 0.4, signal: 0.4, bestSoFar: 0.6 },
        ],
      },
      { runId: 'missing', series: [] },
    ]);
    expect(store.compareSeries([])).toEqual([]);
  });

  it('traces one architecture across runs and builds the replay dictionary per settings key', () => {
    const store = openStore();
    const a = createRun(store);
    recordCandidate(store, a, 0, { hash: 'x', signal: 0.5, epochs: [0.4, 0.5], testAccuracy: 0.45, params: 77 });
    recordCandidate(store, a, 1, { hash: 'y', signal: 0, status: 'failed', error: 'too big' });
    recordCandidate(store, a, 2, { hash: 'x', signal: 0.5, cached: true });
    const b = createRun(store);
    recordCandidate(store, b, 0, { hash: 'x', signal: 0.55 }); // a later fresh result: not the replayed one
    recordCandidate(store, b, 1, { hash: 'z', signal: 0.2, cached: true }); // cached without a source
    store.recordEvent(b, proposed(2, 'w')); // unfinished
    const c = createRun(store, {}, 'settings-B');
    recordCandidate(store, c, 0, { hash: 'x', signal: 0.99 });
    store.renameRun(a, 'run A');

    expect(store.architectureHistory('x').map((o) => [o.runId, o.index, o.cached, o.runName, o.settingsKey])).toEqual([
      [a, 0, false, 'run A', 'settings-A'],
      [a, 2, true, 'run A', 'settings-A'],
      [b, 0, false, null, 'settings-A'],
      [c, 0, false, null, 'settings-B'],
    ]);

    const outcomes = store.cachedOutcomes('settings-A');
    expect(outcomes.map((o) => o.hash).sort()).toEqual(['x', 'y']);
    expect(outcomes.find((o) => o.hash === 'x')).toEqual({
      hash: 'x',
      status: 'completed',
      signal: 0.5,
      params: 77,
      testAccuracy: 0.45,
      epochs: [epoch(1, 0.4), epoch(2, 0.5)],
    });
    expect(outcomes.find((o) => o.hash === 'y')).toMatchObject({ status: 'failed', signal: 0, error: 'too big', epochs: [] });
    expect(store.cachedOutcomes('settings-B')).toMatchObject([{ hash: 'x', signal: 0.99 }]);
    expect(store.cachedOutcomes('unknown')).toEqual([]);
  });

  it('reads back what the predictor expected of each candidate: in its row, its detail and the series', () => {
    const store = openStore();
    const runId = createRun(store);
    store.recordEvent(runId, { ...proposed(0), prediction: { mean: 0.61, std: 0.03 } } as SearchEvent);
    store.recordEvent(runId, finished(0, { signal: 0.6 }));
    recordCandidate(store, runId, 1, { signal: 0.7 });
    expect(store.listCandidates(runId).rows.map((r) => [r.predictionMean, r.predictionStd])).toEqual([
      [0.61, 0.03],
      [null, null],
    ]);
    expect(store.getCandidate(runId, 0)).toMatchObject({ predictionMean: 0.61, predictionStd: 0.03 });
    expect(store.runSeries(runId)).toEqual([
      { index: 0, reward: 0.6, signal: 0.6, bestSoFar: 0.6, prediction: { mean: 0.61, std: 0.03 } },
      { index: 1, reward: 0.7, signal: 0.7, bestSoFar: 0.7 },
    ]);
  });

  it('records exports', () => {
    const store = openStore();
    const runId = createRun(store);
    const row = store.recordExport({ runId, index: 3, kind: 'tfjs', path: '/tmp/model.json' });
    expect(row).toMatchObject({ runId, index: 3, kind: 'tfjs', path: '/tmp/model.json' });
    expect(store.listExports(runId)).toEqual([row]);
    expect(() => store.recordExport({ runId: 'missing', index: 0, kind: 'tfjs', path: '/x' })).toThrow(HistoryStoreError);
  });
});
