import { describe, expect, it } from 'vitest';
import { HistoryStoreError } from '../../../src/main/db/history-store';
import { createRun, epoch, finished, openStore, proposed, query, recordCandidate, rowCounts } from './helpers';

describe('recordEvent', () => {
  it('turns a full event sequence into the right rows and aggregates', () => {
    const store = openStore();
    const runId = createRun(store, { budget: 3, name: 'first' });
    expect(store.getRun(runId)).toMatchObject({ status: 'created', budget: 3, name: 'first', strategy: 'random', evaluator: 'nb201', dataset: 'cifar10' });

    store.markRunning(runId, process.pid);
    store.recordEvent(runId, { type: 'run_started', runId, strategy: 'random', evaluator: 'nb201', budget: 4, evaluations: 0 });
    store.recordEvent(runId, proposed(0));
    store.recordEvent(runId, { type: 'epoch_done', index: 0, metrics: epoch(1, 0.5) });
    const live = store.getCandidate(runId, 0);
    expect(live).toMatchObject({ status: 'running', validAcc: 0.5, bestValidAcc: 0.5, trainLoss: 1 });

    store.recordEvent(runId, { type: 'epoch_done', index: 0, metrics: epoch(2, 0.7, 0.4) });
    store.recordEvent(runId, { type: 'epoch_done', index: 0, metrics: epoch(3, 0.6, 0.3) });
    const model = { topology: { layers: ['dense'] }, weightSpecs: [{ name: 'w', shape: [2, 2] }], weightData: new Uint8Array([1, 2, 3, 4, 250]) };
    store.recordEvent(runId, finished(0, { signal: 0.6, reward: 0.61, testAccuracy: 0.58, params: 1234 }), {
      checkpoint: { step: 1 },
      model,
    });
    recordCandidate(store, runId, 1, { signal: 0.8, epochs: [0.8], testAccuracy: 0.75 });
    recordCandidate(store, runId, 2, { signal: 0.8, epochs: [0.8] }); // a tie: the first keeps best
    recordCandidate(store, runId, 3, { signal: 0, status: 'failed', error: 'out of memory', epochs: [] });
    store.recordEvent(runId, { type: 'agent_updated', iteration: 1, evaluations: 4, diagnostics: { loss: 0.5, entropy: 1.2 } }, { checkpoint: { step: 4 } });
    store.recordEvent(runId, { type: 'run_finished', status: 'completed', evaluations: 4, cacheHits: 0, bestIndex: 1 });

    const run = store.getRun(runId);
    expect(run).toMatchObject({
      status: 'completed',
      budget: 4,
      evaluations: 4,
      cacheHits: 0,
      bestIndex: 1,
      bestSignal: 0.8,
      bestTestAcc: 0.75,
      bestLabel: 'net h1',
      ownerPid: null,
      settingsKey: 'settings-A',
      backend: 'cpu',
    });
    expect(run?.startedAt).toBeTypeOf('number');
    expect(run?.finishedAt).toBeTypeOf('number');

    const first = store.getCandidate(runId, 0);
    expect(first).toMatchObject({
      status: 'completed',
      validAcc: 0.6,
      bestValidAcc: 0.7,
      reward: 0.61,
      testAcc: 0.58,
      params: 1234,
      trainLoss: 0.3,
      trainAcc: 0.65,
      validLoss: 0.3 * 1.1,
      cached: false,
      hasModel: true,
      action: [0, 1, 0],
      architecture: { layers: [{ type: 'dense', units: 8 }] },
    });
    expect(first?.epochs.map((e) => e.validAccuracy)).toEqual([0.5, 0.7, 0.6]);
    expect(first?.cachedFrom).toBeUndefined();
    expect(store.getCandidate(runId, 3)).toMatchObject({ status: 'failed', error: 'out of memory', trainLoss: null, epochs: [] });

    const stored = store.getModel(runId, 0);
    expect(stored?.topology).toEqual(model.topology);
    expect(stored?.weightSpecs).toEqual(model.weightSpecs);
    expect(Array.from(stored?.weightData ?? [])).toEqual([1, 2, 3, 4, 250]);
    expect(store.getModel(runId, 1)).toBeUndefined();

    expect(store.latestCheckpoint(runId)).toMatchObject({ evaluations: 4, state: { step: 4 } });
    expect(store.agentUpdates(runId)).toMatchObject([{ iteration: 1, evaluations: 4, diagnostics: { loss: 0.5, entropy: 1.2 } }]);
    expect(store.runSeries(runId)).toEqual([
      { index: 0, reward: 0.61, signal: 0.6, bestSoFar: 0.6 },
      { index: 1, reward: 0.8, signal: 0.8, bestSoFar: 0.8 },
      { index: 2, reward: 0.8, signal: 0.8, bestSoFar: 0.8 },
      { index: 3, reward: 0, signal: 0, bestSoFar: 0.8 },
    ]);
    expect(rowCounts(store.path)).toMatchObject({ runs: 1, candidates: 4, epochs: 5, agent_updates: 1, checkpoints: 1, models: 1 });
  });

  it('keeps a diverged epoch (NaN loss) and reads it back as NaN', () => {
    const store = openStore();
    const runId = createRun(store);
    store.recordEvent(runId, proposed(0));
    store.recordEvent(runId, { type: 'epoch_done', index: 0, metrics: { ...epoch(1, 0.1), trainLoss: Number.NaN, validLoss: Number.POSITIVE_INFINITY } });
    store.recordEvent(runId, finished(0, { signal: 0, status: 'diverged' }));
    const candidate = store.getCandidate(runId, 0);
    expect(candidate?.status).toBe('diverged');
    expect(candidate?.epochs[0].trainLoss).toBeNaN();
    expect(candidate?.epochs[0].validLoss).toBe(Number.POSITIVE_INFINITY);
    expect(candidate?.trainLoss).toBeNull();
  });

  it('resolves cached_from to the earliest fresh result with the same settings, across runs', () => {
    const store = openStore();
    const other = createRun(store, {}, 'settings-B');
    recordCandidate(store, other, 0, { hash: 'x', signal: 0.9 }); // different settings: never a source
    const a = createRun(store);
    recordCandidate(store, a, 0, { hash: 'x', signal: 0.5 });
    recordCandidate(store, a, 1, { hash: 'x', signal: 0.5, cached: true });
    const b = createRun(store);
    recordCandidate(store, b, 0, { hash: 'x', signal: 0.5, cached: true });
    recordCandidate(store, b, 1, { hash: 'y', signal: 0.4, cached: true }); // nothing to point at

    expect(store.getCandidate(a, 1)?.cachedFrom).toEqual({ runId: a, index: 0 });
    expect(store.getCandidate(b, 0)?.cachedFrom).toEqual({ runId: a, index: 0 });
    expect(store.getCandidate(b, 1)?.cachedFrom).toBeUndefined();
    expect(store.getRun(b)).toMatchObject({ cacheHits: 2, evaluations: 2 });

    // Deleting the source run leaves the cached rows, without a source.
    store.deleteRun(a);
    const orphan = store.getCandidate(b, 0);
    expect(orphan?.cached).toBe(true);
    expect(orphan?.cachedFrom).toBeUndefined();
  });

  it('replaces a re-proposed index (an interrupted attempt) with its epochs and model', () => {
    const store = openStore();
    const runId = createRun(store);
    recordCandidate(store, runId, 0, { signal: 0.9, epochs: [0.9] });
    store.recordEvent(runId, proposed(1, 'old'));
    store.recordEvent(runId, { type: 'epoch_done', index: 1, metrics: epoch(1, 0.3) });
    store.recordEvent(runId, { type: 'epoch_done', index: 1, metrics: epoch(2, 0.4) });
    store.setRunStatus(runId, 'interrupted', 'power cut');
    expect(store.getCandidate(runId, 1)?.status).toBe('interrupted');

    store.recordEvent(runId, proposed(1, 'new'));
    const fresh = store.getCandidate(runId, 1);
    expect(fresh).toMatchObject({ status: 'running', hash: 'new', label: 'net new', validAcc: null, epochs: [] });
    store.recordEvent(runId, { type: 'epoch_done', index: 1, metrics: epoch(1, 0.6) });
    store.recordEvent(runId, finished(1, { hash: 'new', signal: 0.6 }), {
      model: { topology: {}, weightSpecs: [], weightData: new Uint8Array(8) },
    });
    expect(rowCounts(store.path)).toMatchObject({ candidates: 2, epochs: 2, models: 1 });

    // A finished index proposed again (a replay without prepareResume) must not keep counting it:
    // evaluations counts finished candidates, whatever their indices.
    store.recordEvent(runId, proposed(0, 'again'));
    expect(store.getRun(runId)).toMatchObject({ evaluations: 1, bestIndex: 1, bestSignal: 0.6 });
    expect(rowCounts(store.path)).toMatchObject({ candidates: 2, epochs: 1, models: 1 });
  });

  it('counts a repeated candidate_finished once', () => {
    const store = openStore();
    const runId = createRun(store);
    recordCandidate(store, runId, 0, { signal: 0.5, cached: true });
    store.recordEvent(runId, finished(0, { signal: 0.5, cached: true }));
    expect(store.getRun(runId)).toMatchObject({ evaluations: 1, cacheHits: 1, bestIndex: 0 });
  });

  it('refuses events for an unknown run or candidate and writes nothing', () => {
    const store = openStore();
    const runId = createRun(store);
    recordCandidate(store, runId, 0, { signal: 0.5, epochs: [0.5] });
    const before = rowCounts(store.path);
    const runBefore = query(store.path, 'SELECT * FROM runs');
    const candidatesBefore = query(store.path, 'SELECT * FROM candidates');

    const model = { topology: {}, weightSpecs: [], weightData: new Uint8Array(4) };
    const attempts: Array<[string, Parameters<typeof store.recordEvent>[1], RegExp]> = [
      ['nope', proposed(0), /no run nope/],
      ['nope', { type: 'agent_updated', iteration: 1, evaluations: 1, diagnostics: {} }, /no run nope/],
      ['nope', { type: 'run_finished', status: 'completed', evaluations: 0, cacheHits: 0 }, /no run nope/],
      [runId, { type: 'epoch_done', index: 7, metrics: epoch(1, 0.5) }, /candidate 7 .*never proposed/],
      [runId, finished(7, { signal: 0.9 }), /candidate 7 .*never proposed/],
    ];
    for (const [id, event, message] of attempts) {
      expect(() => store.recordEvent(id, event, event.type === 'candidate_finished' ? { checkpoint: { x: 1 }, model } : {})).toThrow(HistoryStoreError);
      expect(() => store.recordEvent(id, event)).toThrow(message);
    }
    expect(() => store.recordEvent(runId, proposed(1), { checkpoint: {} })).toThrow(/checkpoint can only/);

    expect(rowCounts(store.path)).toEqual(before);
    expect(query(store.path, 'SELECT * FROM runs')).toEqual(runBefore);
    expect(query(store.path, 'SELECT * FROM candidates')).toEqual(candidatesBefore);
  });

  it('leaves an integrity_check-clean database after a mixed workload', () => {
    const store = openStore();
    const ids: string[] = [];
    for (let r = 0; r < 4; r++) {
      const runId = createRun(store, { budget: 30 });
      ids.push(runId);
      store.markRunning(runId, process.pid);
      for (let i = 0; i < 25; i++) {
        recordCandidate(store, runId, i, { hash: `h${i % 7}`, signal: (i * 37 % 100) / 100, epochs: [0.1, 0.2], cached: r > 0 && i % 7 === i });
        if (i % 5 === 4) store.recordEvent(runId, { type: 'agent_updated', iteration: (i + 1) / 5, evaluations: i + 1, diagnostics: { kl: i } }, { checkpoint: { i } });
      }
    }
    store.recordEvent(ids[1], proposed(25));
    store.setRunStatus(ids[1], 'interrupted');
    store.prepareResume(ids[1]);
    store.deleteRun(ids[2]);
    store.recordExport({ runId: ids[0], index: 3, kind: 'tfjs', path: '/tmp/x' });
    const db = query<{ integrity_check: string }>(store.path, 'PRAGMA integrity_check');
    expect(db).toEqual([{ integrity_check: 'ok' }]);
    expect(query(store.path, 'PRAGMA foreign_key_check')).toEqual([]);
  });
});
