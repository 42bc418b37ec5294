/** How long a run actually ran: its candidates' spans, not pauses, nor the time the app was closed. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRun, epoch, finished, openStore, proposed } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

const T0 = Date.UTC(2026, 0, 1);

describe('the time a run ran', () => {
  it('adds up its candidates, leaving out a pause and the hours the app was closed', () => {
    vi.useFakeTimers();
    const store = openStore();
    vi.setSystemTime(T0);
    const runId = createRun(store);
    store.markRunning(runId, process.pid);
    // Candidate 0: 10 s.
    store.recordEvent(runId, proposed(0));
    vi.setSystemTime(T0 + 10_000);
    store.recordEvent(runId, finished(0, { signal: 0.5 }));
    // Paused for an hour, then candidate 1: 20 s.
    store.setRunStatus(runId, 'paused');
    vi.setSystemTime(T0 + 3_610_000);
    store.setRunStatus(runId, 'running');
    store.recordEvent(runId, proposed(1));
    vi.setSystemTime(T0 + 3_630_000);
    store.recordEvent(runId, finished(1, { signal: 0.6 }));
    // Candidate 2 trains two epochs of 0.5 s; the app closes; a day later the run is found orphaned.
    store.recordEvent(runId, proposed(2));
    store.recordEvent(runId, { type: 'epoch_done', index: 2, metrics: epoch(1, 0.4) });
    store.recordEvent(runId, { type: 'epoch_done', index: 2, metrics: epoch(2, 0.5) });
    vi.setSystemTime(T0 + 3_630_000 + 86_400_000);
    store.markOrphanedRuns(() => false);

    const run = store.getRun(runId)!;
    expect(run.status).toBe('interrupted');
    expect(run.runMs).toBe(10_000 + 20_000 + 1_000);
    expect(store.listRuns().find((r) => r.id === runId)?.runMs).toBe(31_000);
  });

  it('counts the candidates of parallel workers once where they overlap', () => {
    vi.useFakeTimers();
    const store = openStore();
    vi.setSystemTime(T0);
    const runId = createRun(store, { workers: 2 });
    store.markRunning(runId, process.pid);
    store.recordEvent(runId, proposed(0)); // 0–10 s
    vi.setSystemTime(T0 + 4_000);
    store.recordEvent(runId, proposed(1)); // 4–12 s
    vi.setSystemTime(T0 + 10_000);
    store.recordEvent(runId, finished(0, { signal: 0.5 }));
    vi.setSystemTime(T0 + 12_000);
    store.recordEvent(runId, finished(1, { signal: 0.5 }));
    vi.setSystemTime(T0 + 20_000);
    store.recordEvent(runId, proposed(2)); // 20–25 s, after a gap
    vi.setSystemTime(T0 + 25_000);
    store.recordEvent(runId, finished(2, { signal: 0.5 }));
    expect(store.getRun(runId)!.runMs).toBe(12_000 + 5_000);
  });

  it('counts a candidate in training up to now while the run runs', () => {
    const store = openStore();
    const runId = createRun(store);
    store.markRunning(runId, process.pid);
    const before = Date.now();
    store.recordEvent(runId, proposed(0));
    const run = store.getRun(runId)!;
    expect(run.measuredAt).toBeGreaterThanOrEqual(before);
    expect(run.runMs).toBeGreaterThanOrEqual(0);
    expect(run.runMs).toBeLessThanOrEqual(run.measuredAt - before + 1);
  });
});
