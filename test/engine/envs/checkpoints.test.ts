/**
 * Checkpoints come back from outside the engine (main stores them and sends one to resume a run):
 * every part is checked when it is restored, and a bad one is refused with the part and the field.
 */
import { describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet } from '../../../src/shared/action-set';
import { parseRunConfig } from '../../../src/shared/run-config';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { NasEnv } from '../../../src/engine/envs/nas';
import { Nb201Env } from '../../../src/engine/envs/nb201';
import { prepareRun } from '../../../src/engine/run/prepare-run';
import { parsePpoSearchCheckpoint } from '../../../src/engine/search/ppo-search';
import { parseSearchCheckpoint } from '../../../src/engine/search/search-run';
import { FakeEvaluator } from '../../support/fake-evaluator';

const grammar = new ActionGrammar(parseActionSet({ name: 'dense', maxLayers: 3, nodes: [{ id: 'fc', layer: { type: 'dense', units: [8, 16] } }] }), [28, 28, 1]);
const nasEnv = (mode: 'full' | 'layerwise' = 'full') => new NasEnv({ grammar, evaluator: new FakeEvaluator(), mode, memoryLen: 4 });

type NasJson = { memory: Array<{ actions: number[]; outcome: Record<string, unknown> }>; evaluations: number; prefix: number[] };

/** A valid NAS checkpoint, after two networks and half of a third. */
async function nasCheckpoint(): Promise<NasJson> {
  const env = nasEnv('layerwise');
  env.reset();
  for (const action of [1, 2, 0, 2, 0, 1]) await env.step(action);
  return JSON.parse(JSON.stringify(env.checkpoint())) as NasJson;
}

describe('NasEnv.restore', () => {
  it('restores a checkpoint that came through JSON exactly, and one from before prefixes were saved', async () => {
    const checkpoint = await nasCheckpoint();
    expect(checkpoint).toMatchObject({ evaluations: 2, prefix: [1] });
    const env = nasEnv('layerwise');
    env.restore(checkpoint);
    expect(env.checkpoint()).toEqual(checkpoint);
    const { prefix: _prefix, ...older } = checkpoint;
    env.restore(older);
    expect(env.checkpoint()).toEqual({ ...checkpoint, prefix: [] });
  });

  it.each([
    ['a missing count', (c: NasJson) => ({ ...c, evaluations: undefined }), /→ at evaluations/],
    ['an action this action set does not have', (c: NasJson) => ({ ...c, memory: [{ ...c.memory[0], actions: [7, 0, 0] }] }), /→ at memory\[0\]\.actions\[0\]/],
    ['a network of another depth', (c: NasJson) => ({ ...c, memory: [{ ...c.memory[0], actions: [1, 0] }] }), /→ at memory\[0\]\.actions/],
    ['an outcome without its status', (c: NasJson) => ({ ...c, memory: [{ ...c.memory[0], outcome: { ...c.memory[0].outcome, status: 'great' } }] }), /→ at memory\[0\]\.outcome\.status/],
    ['a partial network as long as a whole one', (c: NasJson) => ({ ...c, prefix: [1, 1, 1] }), /→ at prefix/],
  ])('refuses %s, naming the field', async (_what, corrupt, field) => {
    const env = nasEnv();
    const before = env.checkpoint();
    const corrupted = corrupt(await nasCheckpoint());
    expect(() => env.restore(corrupted)).toThrow(/^invalid NAS environment checkpoint: /);
    expect(() => env.restore(corrupted)).toThrow(field);
    expect(env.checkpoint()).toEqual(before);
  });
});

describe('Nb201Env.restore', () => {
  it('restores its memory and the cells it has seen, and refuses a cell index beyond the table', async () => {
    const table = loadNb201();
    const env = new Nb201Env(table, 'cifar10', 2);
    await env.step([1, 2, 3, 4, 0, 1]);
    const checkpoint = JSON.parse(JSON.stringify(env.checkpoint())) as { memory: unknown[]; seen: number[] };
    const restored = new Nb201Env(table, 'cifar10', 2);
    restored.restore(checkpoint);
    expect(restored.checkpoint()).toEqual(checkpoint);
    expect(() => restored.restore({ ...checkpoint, seen: [15_625] })).toThrow(/^invalid NAS-Bench-201 environment checkpoint: [\s\S]*→ at seen\[0\]/);
    expect(() => restored.restore({ seen: [] })).toThrow(/→ at memory/);
  });
});

describe('search checkpoints', () => {
  const counts = { evaluations: 3, cacheHits: 0 };
  it('check their counts and best candidate, and leave each part to its own restore', () => {
    expect(parseSearchCheckpoint({ ...counts, strategy: { kind: 'random' } })).toEqual({ ...counts, strategy: { kind: 'random' } });
    expect(() => parseSearchCheckpoint({ ...counts, evaluations: -1, strategy: {} })).toThrow(/^invalid search checkpoint: [\s\S]*→ at evaluations/);
    expect(() => parseSearchCheckpoint({ ...counts, strategy: {}, best: { index: 0, action: [1], label: 'x', hash: 'h', architecture: {}, evaluation: { status: 'completed', signal: 'high' } } })).toThrow(
      /→ at best\.evaluation\.signal/,
    );
    expect(() => parsePpoSearchCheckpoint({ ...counts, env: {} })).toThrow(/^invalid PPO search checkpoint: [\s\S]*→ at ppo/);
  });

  it('a run resumed from a bad checkpoint is refused before anything loads', async () => {
    const config = parseRunConfig({ evaluator: 'nb201', strategy: 'evolution', budget: 5, seed: 0 });
    await expect(prepareRun({ runId: 'r', config, budget: 5, checkpoint: { ...counts, cacheHits: 'none', strategy: {} } })).rejects.toThrow(/invalid search checkpoint: [\s\S]*→ at cacheHits/);
  });
});
