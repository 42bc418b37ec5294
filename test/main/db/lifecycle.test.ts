import { afterEach, describe, expect, it, vi } from 'vitest';
import { HistoryStoreError } from '../../../src/main/db/history-store';
import { createRun, openStore, proposed, recordCandidate, rowCounts } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

describe('run lifecycle', () => {
  it('stamps terminal statuses and interrupts the candidates still training', () => {
    const store = openStore();
    const runId = createRun(store);
    store.markRunning(runId, 4242);
    recordCandidate(store, runId, 0, { signal: 0.5 });
    store.recordEvent(runId, proposed(1));
    store.setRunStatus(runId, 'paused');
    expect(store.getRun(runId)).toMatchObject({ status: 'paused', ownerPid: 4242, finishedAt: null });
    expect(store.getCandidate(runId, 1)?.status).toBe('running');

    store.setRunStatus(runId, 'failed', 'the engine crashed');
    expect(store.getRun(runId)).toMatchObject({ status: 'failed', statusReason: 'the engine crashed', ownerPid: null });
    expect(store.getRun(runId)?.finishedAt).toBeTypeOf('number');
    expect(store.getCandidate(runId, 0)?.status).toBe('completed');
    expect(store.getCandidate(runId, 1)?.status).toBe('interrupted');

    // Resuming: running again clears the finish and the reason.
    store.markRunning(runId, 99);
    expect(store.getRun(runId)).toMatchObject({ status: 'running', statusReason: null, finishedAt: null, ownerPid: 99 });
  });

  it('maps run_finished cancelled to stopped', () => {
    const store = openStore();
    const runId = createRun(store);
    store.recordEvent(runId, proposed(0));
    store.recordEvent(runId, { type: 'run_finished', status: 'cancelled', evaluations: 0, cacheHits: 0 });
    expect(store.getRun(runId)?.status).toBe('stopped');
    expect(store.getCandidate(runId, 0)?.status).toBe('interrupted');
  });

  it('renames, sets the budget, and refuses unknown runs and bad values', () => {
    const store = openStore();
    const runId = createRun(store);
    store.renameRun(runId, '  wide nets  ');
    store.setBudget(runId, 50);
    expect(store.getRun(runId)).toMatchObject({ name: 'wide nets', budget: 50 });
    store.renameRun(runId, '');
    expect(store.getRun(runId)?.name).toBeNull();
    expect(() => store.setBudget(runId, 0)).toThrow(HistoryStoreError);
    expect(() => store.setRunStatus('missing', 'stopped')).toThrow(/no run missing/);
    expect(() => store.heartbeat('missing')).toThrow(HistoryStoreError);
    expect(() => store.createRun({ id: runId, config: store.getRun(runId)!.config, ownerPid: 1 })).toThrow(/already exists/);
  });

  it('deletes a run with everything recorded for it', () => {
    const store = openStore();
    const keep = createRun(store);
    recordCandidate(store, keep, 0, { signal: 0.5, epochs: [0.5] });
    const runId = createRun(store);
    recordCandidate(store, runId, 0, { signal: 0.5, epochs: [0.4, 0.5] });
    store.recordEvent(runId, proposed(1));
    store.recordEvent(runId, { type: 'agent_updated', iteration: 1, evaluations: 1, diagnostics: {} }, { checkpoint: { s: 1 } });
    store.recordEvent(runId, { type: 'candidate_finished', index: 1, status: 'completed', signal: 0.6, reward: 0.6, cached: false, seconds: 1 }, {
      model: { topology: {}, weightSpecs: [], weightData: new Uint8Array(3) },
    });
    store.recordExport({ runId, index: 1, kind: 'tfjs', path: '/tmp/model' });
    expect(store.deleteRun(runId)).toBe(true);
    expect(store.deleteRun(runId)).toBe(false);
    expect(rowCounts(store.path)).toMatchObject({ runs: 1, candidates: 1, epochs: 1, agent_updates: 0, checkpoints: 0, models: 0, exports: 0 });
  });
});

describe('markOrphanedRuns', () => {
  it('interrupts active runs whose process is gone, missing or silent, and nothing else', () => {
    const store = openStore();
    const alive = createRun(store);
    store.markRunning(alive, 100);
    const gone = createRun(store);
    store.markRunning(gone, 1234);
    store.recordEvent(gone, proposed(0));
    const paused = createRun(store);
    store.markRunning(paused, 100);
    store.setRunStatus(paused, 'paused');
    const done = createRun(store);
    store.markRunning(done, 1234);
    store.setRunStatus(done, 'completed');
    const ownerless = createRun(store);
    store.setRunStatus(ownerless, 'stopped');
    store.setRunStatus(ownerless, 'created'); // an active run with no owner recorded

    const isAlive = (pid: number): boolean => pid === 100;
    expect(store.markOrphanedRuns(isAlive).sort()).toEqual([gone, ownerless].sort());
    expect(store.getRun(gone)).toMatchObject({
      status: 'interrupted',
      statusReason: 'geNNerator stopped while the run was running (process 1234 is gone)',
      ownerPid: null,
    });
    expect(store.getCandidate(gone, 0)?.status).toBe('interrupted');
    expect(store.getRun(ownerless)?.statusReason).toMatch(/while the run was starting \(no process owned it\)/);
    expect(store.getRun(alive)?.status).toBe('running');
    expect(store.getRun(paused)?.status).toBe('paused');
    expect(store.getRun(done)?.status).toBe('completed');
    expect(store.markOrphanedRuns(isAlive)).toEqual([]);

    // A live pid whose heartbeat stopped (a reused pid, a hung process) counts as gone too.
    store.heartbeat(alive);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000);
    expect(store.markOrphanedRuns(isAlive)).toEqual([]);
    vi.setSystemTime(Date.now() + 120_000);
    expect(store.markOrphanedRuns(isAlive).sort()).toEqual([alive, paused].sort());
    expect(store.getRun(paused)?.statusReason).toMatch(/while the run was paused \(process 100 gave no sign of life/);
  });
});

describe('prepareResume', () => {
  it('keeps what the checkpoint covers and recomputes the aggregates', () => {
    const store = openStore();
    const runId = createRun(store, { budget: 10 });
    store.markRunning(runId, 1);
    const signals = [0.3, 0.5, 0.4, 0.9, 0.2];
    signals.forEach((signal, i) => {
      store.recordEvent(runId, proposed(i, i === 1 ? 'h0' : `h${i}`));
      store.recordEvent(runId, { type: 'candidate_finished', index: i, status: 'completed', signal, reward: signal, cached: i === 1, seconds: 1 }, i === 2 ? { checkpoint: { at: 3 } } : {});
      if (i === 1) store.recordEvent(runId, { type: 'agent_updated', iteration: 1, evaluations: 2, diagnostics: {} });
      if (i === 4) store.recordEvent(runId, { type: 'agent_updated', iteration: 2, evaluations: 5, diagnostics: {} });
    });
    store.recordEvent(runId, proposed(5));
    store.setBudget(runId, 20);
    store.setRunStatus(runId, 'interrupted');
    expect(store.getRun(runId)).toMatchObject({ evaluations: 5, bestIndex: 3, bestSignal: 0.9, cacheHits: 1 });

    const plan = store.prepareResume(runId);
    expect(plan).toEqual({ config: store.getRun(runId)?.config, budget: 20, checkpoint: { evaluations: 3, state: { at: 3 } } });
    expect(plan.config.budget).toBe(10);
    expect(store.listCandidates(runId).rows.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(store.getRun(runId)).toMatchObject({ evaluations: 3, bestIndex: 1, bestSignal: 0.5, cacheHits: 1 });
    expect(store.agentUpdates(runId).map((u) => u.iteration)).toEqual([1]);
  });

  it('starts over without a checkpoint', () => {
    const store = openStore();
    const runId = createRun(store);
    recordCandidate(store, runId, 0, { signal: 0.5, epochs: [0.5] });
    const plan = store.prepareResume(runId);
    expect(plan.checkpoint).toBeUndefined();
    expect(store.getRun(runId)).toMatchObject({ evaluations: 0, cacheHits: 0, bestIndex: null, bestSignal: null, bestTestAcc: null });
    expect(rowCounts(store.path)).toMatchObject({ candidates: 0, epochs: 0 });
    expect(() => store.prepareResume('missing')).toThrow(HistoryStoreError);
  });
});

describe('prepareResume with candidates finished out of order (several workers)', () => {
  it('keeps the candidates the checkpoint covers, whatever their indices, and drops the rest', () => {
    const store = openStore();
    const runId = createRun(store, { budget: 10 });
    store.markRunning(runId, 1);
    for (const i of [0, 1, 2, 3]) store.recordEvent(runId, proposed(i));
    const finish = (i: number, checkpoint?: unknown) =>
      store.recordEvent(runId, { type: 'candidate_finished', index: i, status: 'completed', signal: i / 10, reward: 0, cached: false, seconds: 1 }, checkpoint ? { checkpoint } : {});
    finish(2, { after: [2] });
    finish(0, { after: [2, 0] });
    finish(3); // finished, but the engine died before its checkpoint was written
    store.setRunStatus(runId, 'interrupted');
    const plan = store.prepareResume(runId);
    expect(plan.checkpoint).toEqual({ evaluations: 2, state: { after: [2, 0] } });
    expect(store.listCandidates(runId).rows.map((c) => c.index)).toEqual([0, 2]);
    expect(store.getRun(runId)).toMatchObject({ evaluations: 2, bestIndex: 2 });
  });
});
