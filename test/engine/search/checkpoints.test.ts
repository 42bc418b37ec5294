/**
 * Checkpoints come back from outside the engine (main stores them and sends one to resume a run):
 * every part is checked when it is restored, and a bad one is refused with the part and the field.
 */
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../../src/shared/run-config';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import { prepareRun } from '../../../src/engine/run/prepare-run';
import { parseSearchLoopCheckpoint } from '../../../src/engine/search/search-loop';

const counts = { evaluations: 3, cacheHits: 0, pending: [], nextIndex: 3 };

describe('search loop checkpoints', () => {
  it('check their counts, pending candidates and best candidate, and leave the agent part to its own restore', () => {
    expect(parseSearchLoopCheckpoint({ ...counts, agent: { kind: 'random' } })).toEqual({ ...counts, agent: { kind: 'random' } });
    expect(() => parseSearchLoopCheckpoint({ ...counts, evaluations: -1, agent: {} })).toThrow(/^invalid search checkpoint: [\s\S]*→ at evaluations/);
    expect(() => parseSearchLoopCheckpoint({ ...counts, pending: [{ index: 2, action: [1.5] }], agent: {} })).toThrow(/→ at pending\[0\]\.action\[0\]/);
    expect(() =>
      parseSearchLoopCheckpoint({ ...counts, agent: {}, best: { index: 0, action: [1], label: 'x', hash: 'h', architecture: {}, evaluation: { status: 'completed', signal: 'high' } } }),
    ).toThrow(/→ at best\.evaluation\.signal/);
  });

  it('keep NaN losses, which JSON writes as null', () => {
    const parsed = parseSearchLoopCheckpoint(JSON.parse(JSON.stringify({ ...counts, agent: {}, previous: { train: Number.NaN, valid: 0.5 } })));
    expect(parsed.previous).toEqual({ train: Number.NaN, valid: 0.5 });
  });

  it('an agent refuses a checkpoint of another kind, naming the field', () => {
    expect(() => RandomSearch.restore({ kind: 'evolution' })).toThrow(/kind/);
  });

  it('a run resumed from a bad checkpoint is refused before anything loads', async () => {
    const config = parseRunConfig({ evaluator: 'nb201', strategy: 'evolution', budget: 5, seed: 0 });
    await expect(prepareRun({ runId: 'r', config, budget: 5, checkpoint: { ...counts, cacheHits: 'none', agent: {} } })).rejects.toThrow(
      /invalid search checkpoint: [\s\S]*→ at cacheHits/,
    );
  });
});
