import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet, type ActionSetInput } from '../../../src/shared/action-set';
import { parseArchitecture } from '../../../src/shared/architecture';
import { TrainingConfigSchema } from '../../../src/shared/training';
import { initBackend } from '../../../src/engine/backends';
import { makeSyntheticDataset, prepareData } from '../../../src/engine/data';
import { TrainingEvaluator } from '../../../src/engine/evaluators/training';
import type { CandidateOutcome } from '../../../src/engine/evaluators/types';
import { computeReward, DEFAULT_REWARD, NasEnv } from '../../../src/engine/envs/nas';
import { createRng } from '../../../src/engine/random';
import { FakeEvaluator } from '../../support/fake-evaluator';

const DENSE_SET: ActionSetInput = {
  name: 'dense',
  maxLayers: 3,
  nodes: [{ id: 'fc', layer: { type: 'dense', units: [8, 16] } }, { id: 'pool', layer: { type: 'maxPool' } }],
  edges: [{ from: 'input', to: 'pool' }, { from: 'input', to: 'fc' }, { from: 'pool', to: 'fc' }, { from: 'fc', to: 'fc' }, { from: 'fc', to: 'output' }],
};
/** Observations are float32. */
const f32 = (values: number[]) => values.map(Math.fround);
const grammarOf = (set: ActionSetInput, shape: [number, number, number] = [28, 28, 1]) => new ActionGrammar(parseActionSet(set), shape);

describe('NasEnv full mode', () => {
  it('proposes a whole network per step and remembers it, newest last', async () => {
    const evaluator = new FakeEvaluator();
    const env = new NasEnv({ grammar: grammarOf(DENSE_SET), evaluator, mode: 'full', memoryLen: 4 });
    expect(env.actionSpace.toJSON()).toEqual({ kind: 'multi-discrete', nvec: [4, 4, 4] });
    const { obs } = env.reset();
    expect(Object.keys(obs).sort()).toEqual(['architectures', 'metrics']);
    expect(obs.architectures.every((v) => v === 0)).toBe(true);
    // pool → dense 16 → end
    const step = await env.step([3, 2, 0]);
    expect(step.terminated).toBe(true);
    expect(step.reward).toBeCloseTo(0.2 + 1); // accuracy + build success
    expect(Array.from(step.obs.architectures.slice(9, 12))).toEqual(f32([1, 2 / 3, 0])); // last row
    expect(step.obs.metrics[3 * 4 * 2 + 1 * 2 + 1]).toBeCloseTo(0.75); // newest row, valid loss, epoch 2
    expect(env.observationSpace.contains(step.obs)).toBe(true);
  });

  it('gives the build-failure penalty without training a network that breaks the action set', async () => {
    const evaluator = new FakeEvaluator();
    const env = new NasEnv({ grammar: grammarOf(DENSE_SET), evaluator, mode: 'full' });
    env.reset();
    const step = await env.step([3, 0, 0]); // pool cannot end the network
    expect(step.reward).toBe(-1);
    expect(evaluator.calls).toBe(0);
    expect((step.info.outcome as CandidateOutcome).error).toMatch(/slot 2: ending here is not allowed by action set "dense" after maxPool 2×2/);
  });

  it('slot masks depend on the earlier slots; after "none" only "none"', () => {
    const env = new NasEnv({ grammar: grammarOf(DENSE_SET), evaluator: new FakeEvaluator(), mode: 'full' });
    expect(new NasEnv({ grammar: grammarOf(DENSE_SET), evaluator: new FakeEvaluator(), mode: 'layerwise' }).slotMask).toBeUndefined();
    expect(env.slotMask?.([])).toEqual([false, true, true, true]);
    expect(env.slotMask?.([3])).toEqual([false, true, true, false]);
    expect(env.slotMask?.([1, 0])).toEqual([true, false, false, false]);
  });
});

describe('NasEnv layerwise mode', () => {
  it('appends one layer per step and trains when the network ends', async () => {
    const evaluator = new FakeEvaluator();
    const env = new NasEnv({ grammar: grammarOf(DENSE_SET), evaluator, mode: 'layerwise' });
    expect(env.actionSpace.toJSON()).toEqual({ kind: 'discrete', n: 4 });
    let { obs } = env.reset();
    expect(Array.from(obs.shape)).toEqual(f32([1, 1, Math.log2(2) / 16, 0]));
    expect(env.actionMasks()).toEqual([false, true, true, true]);
    let step = await env.step(3); // maxPool → 14×14×1
    expect(step).toMatchObject({ reward: 0, terminated: false });
    obs = step.obs;
    expect(Array.from(obs.shape)).toEqual(f32([0.5, 0.5, Math.log2(2) / 16, 0]));
    expect(env.actionMasks()).toEqual([false, true, true, false]);
    step = await env.step(1); // dense 8
    expect(Array.from(step.obs.shape)).toEqual(f32([0, 0, Math.log2(9) / 16, 1]));
    expect(evaluator.calls).toBe(0);
    step = await env.step(2); // dense 16 reaches the depth limit: trained now
    expect(step.terminated).toBe(true);
    expect(evaluator.calls).toBe(1);
    expect(step.reward).toBeCloseTo(0.3 + 1);
    expect((env.render() as { memory: Array<{ layers: string[] }> }).memory[0].layers).toEqual(['maxPool 2×2', 'dense 8 relu', 'dense 16 relu']);
  });

  it('never proposes an unbuildable network when the masks are followed, in either mode, on the default sets', async () => {
    for (const file of ['original-design.json', 'metaqnn.json', 'mlp.json']) {
      const grammar = new ActionGrammar(parseActionSet(JSON.parse(readFileSync(`resources/action-sets/${file}`, 'utf8'))), [28, 28, 1]);
      for (const mode of ['full', 'layerwise'] as const) {
        const evaluator = new FakeEvaluator();
        const env = new NasEnv({ grammar, evaluator, mode });
        const rng = createRng(7);
        for (let episode = 0; episode < 40; episode++) {
          env.reset();
          let step;
          if (mode === 'full') {
            const actions: number[] = [];
            for (let slot = 0; slot < grammar.maxLayers; slot++) {
              const allowed = (env.slotMask?.(actions) ?? []).flatMap((ok, a) => (ok ? [a] : []));
              actions.push(allowed[rng.int(allowed.length)]);
            }
            step = await env.step(actions);
          } else {
            do {
              const allowed = env.actionMasks().flatMap((ok, a) => (ok ? [a] : []));
              step = await env.step(allowed[rng.int(allowed.length)]);
            } while (!step.terminated);
          }
          expect((step.info.outcome as CandidateOutcome).status, `${file} ${mode}`).toBe('completed');
        }
        expect(evaluator.calls).toBe(40);
      }
    }
  });
});

describe('rewards', () => {
  const outcome = (trainLoss: number, validLoss: number, status: CandidateOutcome['status'] = 'completed'): CandidateOutcome => ({
    status,
    signal: 0.5,
    epochs: status === 'failed' ? [] : [{ epoch: 1, trainLoss, validLoss, trainAccuracy: 0.5, validAccuracy: 0.5, seconds: 1, imagesPerSecond: 1 }],
    params: 2e6,
    hash: 'h',
    cached: false,
  });

  it('improvement: the drop of train and validation loss against the previous candidate; NaN counts as 100', () => {
    const config = { ...DEFAULT_REWARD, kind: 'improvement' as const };
    expect(computeReward(outcome(0.5, 0.7), outcome(1, 1.2), 3, config).total).toBeCloseTo(0.5 + 0.5 + 1);
    expect(computeReward(outcome(0.5, 0.7), undefined, 3, config).parts.metric).toBe(0);
    const diverged = computeReward(outcome(Number.NaN, Number.NaN, 'diverged'), outcome(1, 1), 3, config);
    expect(diverged.parts.metric).toBeCloseTo(-198);
  });

  it('optional penalties on depth and parameters', () => {
    const config = { ...DEFAULT_REWARD, depthPenalty: 0.01, paramPenalty: 0.1 };
    expect(computeReward(outcome(1, 1), undefined, 4, config).parts).toEqual({ metric: 0.5, build: 1, depth: -0.04, params: -0.2 });
    expect(computeReward(outcome(1, 1, 'failed'), undefined, 4, config).parts.build).toBe(-1);
  });
});

describe('TrainingEvaluator', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('trains a candidate once; the same architecture again is a cache hit', async () => {
    const data = prepareData(makeSyntheticDataset({ seed: 3 }), { seed: 3 });
    const evaluator = new TrainingEvaluator(data, TrainingConfigSchema.parse({ epochs: 2, batchSize: 32, learningRate: 3e-3 }), { evaluateTest: true });
    const layers = parseArchitecture([{ type: 'flatten' }, { type: 'dense', units: 16 }]).layers;
    const first = await evaluator.evaluate(layers);
    expect(first).toMatchObject({ status: 'completed', cached: false });
    expect(first.epochs).toHaveLength(2);
    expect(first.signal).toBeGreaterThan(0.8);
    expect(first.testAccuracy).toBeGreaterThan(0.8);
    // The same network written with another key order and explicit defaults.
    const again = await evaluator.evaluate(parseArchitecture([{ type: 'flatten' }, { units: 16, activation: 'relu', type: 'dense' }]).layers);
    expect(again).toEqual({ ...first, cached: true });
    expect(evaluator.distinctEvaluated).toBe(1);
    const failed = await evaluator.evaluate(parseArchitecture([{ type: 'flatten' }, { type: 'maxPool' }]).layers);
    expect(failed).toMatchObject({ status: 'failed', signal: 0 });
    expect(failed.error).toMatch(/layer 2 maxPool/);
  });
});
