/** What the analysis views read from the history: reward parts, the policy per update, finished candidates, a filter by index. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createRun, finished, openStore, proposed, recordCandidate } from './helpers';

describe('the history for the analysis views', () => {
  it('keeps each candidate\'s reward parts and the policy after each update, and reads them back', () => {
    const store = openStore();
    const runId = createRun(store, { budget: 3 });
    store.recordEvent(runId, proposed(0));
    const rewardParts = { metric: 0.6, build: 1, depth: -0.1, params: -0.02 };
    store.recordEvent(runId, { ...finished(0, { signal: 0.6, reward: 1.48, params: 2000 }), rewardParts } as never);
    recordCandidate(store, runId, 1, { signal: 0.7, epochs: [0.7] });
    store.recordEvent(runId, proposed(2)); // still running: not analysed
    const policy = [
      [0.5, 0.5],
      [0.9, 0.1],
    ];
    store.recordEvent(runId, { type: 'agent_updated', iteration: 1, evaluations: 2, diagnostics: { entropy: 1 }, policy });
    store.recordEvent(runId, { type: 'agent_updated', iteration: 2, evaluations: 2, diagnostics: { entropy: 1 } });

    expect(store.getCandidate(runId, 0)?.rewardParts).toEqual(rewardParts);
    expect(store.getCandidate(runId, 1)?.rewardParts).toBeNull();
    expect(store.agentUpdates(runId).map((u) => u.policy)).toEqual([policy, null]);
    const analysis = store.runAnalysis(runId);
    expect(analysis.map((c) => c.index)).toEqual([0, 1]);
    expect(analysis[0]).toMatchObject({ status: 'completed', signal: 0.6, reward: 1.48, rewardParts, params: 2000, cached: false, architecture: { layers: [{ type: 'dense', units: 8 }] } });
  });

  it('reads a damaged reward parts or policy column as absent rather than passing it on', () => {
    const store = openStore();
    const runId = createRun(store, { budget: 2 });
    recordCandidate(store, runId, 0, { signal: 0.5, epochs: [0.5] });
    store.recordEvent(runId, { type: 'agent_updated', iteration: 1, evaluations: 1, diagnostics: {}, policy: [[1]] });
    store.close();
    const db = new Database(store.path);
    db.exec(`UPDATE candidates SET reward_parts = '{"metric":"high"}'; UPDATE agent_updates SET policy = '[[2]]'`);
    db.close();
    const reopened = openStore(store.path);
    expect(reopened.getCandidate(runId, 0)?.rewardParts).toBeNull();
    expect(reopened.agentUpdates(runId)[0].policy).toBeNull();
  });

  it('lists only the candidates asked for, sorted and paged as usual', () => {
    const store = openStore();
    const runId = createRun(store, { budget: 6 });
    for (let i = 0; i < 6; i++) recordCandidate(store, runId, i, { signal: i / 10, epochs: [i / 10] });
    const page = store.listCandidates(runId, { indices: [1, 3, 4], sortBy: 'validAcc', order: 'desc', limit: 2 });
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.index)).toEqual([4, 3]);
    expect(store.listCandidates(runId, { indices: [] }).total).toBe(0);
  });
});
