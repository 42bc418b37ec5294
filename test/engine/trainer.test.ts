import { beforeAll, describe, expect, it } from 'vitest';
import { parseArchitecture } from '../../src/shared/architecture';
import { TrainingConfigSchema, clampMetric, type TrainingConfigInput } from '../../src/shared/training';
import { initBackend } from '../../src/engine/backends';
import { makeSyntheticDataset, prepareData, type PreparedData } from '../../src/engine/data';
import { buildModel } from '../../src/engine/model/builder';
import { trainCandidate } from '../../src/engine/train/candidate';
import { trainModel } from '../../src/engine/train/trainer';
import { tf } from '../../src/engine/tf';

let data: PreparedData;
beforeAll(async () => {
  await initBackend('wasm');
  data = prepareData(makeSyntheticDataset({ seed: 1 }), { seed: 1 });
});

const MLP = parseArchitecture([{ type: 'flatten' }, { type: 'dense', units: 32 }]);
const CNN = parseArchitecture([{ type: 'conv2d', filters: 8 }, { type: 'maxPool' }, { type: 'conv2d', filters: 8, stride: 2 }, { type: 'dense', units: 16 }]);
const config = (overrides: TrainingConfigInput = {}) => TrainingConfigSchema.parse({ epochs: 3, batchSize: 32, ...overrides });

describe('trainModel', () => {
  it('learns the synthetic data, reporting every epoch', async () => {
    const reported: number[] = [];
    const result = await trainCandidate(CNN, data, config({ epochs: 4, learningRate: 3e-3 }), {
      evaluateTest: true,
      onEpoch: (m) => void reported.push(m.epoch),
    });
    if (result.status === 'failed') throw new Error(result.error);
    expect(result.status).toBe('completed');
    expect(reported).toEqual([1, 2, 3, 4]);
    const [first, last] = [result.training.epochs[0], result.training.epochs[3]];
    expect(last.trainLoss).toBeLessThan(first.trainLoss);
    expect(last.validAccuracy).toBeGreaterThan(0.9);
    expect(result.test?.accuracy).toBeGreaterThan(0.9);
    for (const m of result.training.epochs) {
      expect(m.seconds).toBeGreaterThan(0);
      expect(m.imagesPerSecond).toBeGreaterThan(0);
      expect(m.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.trainAccuracy).toBeLessThanOrEqual(1);
    }
  });

  it('is deterministic for a seed', async () => {
    const run = async (seed: number) => {
      const r = await trainCandidate(MLP, data, config({ epochs: 2, seed }));
      return r.status === 'failed' ? [] : r.training.epochs.map((m) => [m.trainLoss, m.validAccuracy]);
    };
    expect(await run(5)).toEqual(await run(5));
    expect(await run(5)).not.toEqual(await run(6));
  });

  it('stops a candidate whose loss becomes NaN and marks it diverged', async () => {
    const poisoned: PreparedData = { ...data, train: { ...data.train, x: data.train.x.slice() } };
    poisoned.train.x.fill(Number.NaN, 0, poisoned.train.x.length / 2);
    const result = await trainCandidate(MLP, poisoned, config());
    expect(result.status).toBe('diverged');
    if (result.status !== 'diverged') return;
    expect(result.training.epochs).toEqual([]);
    expect(result.training.divergence).toMatchObject({ epoch: 1, batch: 1 });
    expect(Number.isNaN(result.training.divergence?.loss)).toBe(true);
    expect(clampMetric(Number.NaN)).toBe(100);
    expect(clampMetric(Number.POSITIVE_INFINITY)).toBe(100);
    expect(clampMetric(0.25)).toBe(0.25);
  });

  it('can be cancelled between batches', async () => {
    const abort = new AbortController();
    let batchesSeen = 0;
    const result = await trainCandidate(MLP, data, config({ epochs: 50 }), {
      signal: abort.signal,
      onBatch: () => {
        batchesSeen++;
        if (batchesSeen === 3) abort.abort();
      },
    });
    expect(result.status).toBe('cancelled');
    expect(batchesSeen).toBe(3);
  });

  it('stops after the epoch whose hook says prune, keeping the epochs so far, testing nothing and capturing no model', async () => {
    const captured: unknown[] = [];
    const pruned = await trainCandidate(MLP, data, config({ epochs: 5 }), {
      evaluateTest: true,
      onEpoch: (m) => (m.epoch === 2 ? 'prune' : undefined),
      onTrained: (model) => void captured.push(model),
    });
    expect(pruned.status).toBe('pruned');
    if (pruned.status !== 'pruned') return;
    expect(pruned.training.epochs.map((m) => m.epoch)).toEqual([1, 2]);
    expect(pruned.test).toBeUndefined();
    expect(captured).toEqual([]);
    // Asked at the last epoch, there is nothing left to stop: the candidate completes.
    const last = await trainCandidate(MLP, data, config({ epochs: 2 }), { onEpoch: (m) => (m.epoch === 2 ? 'prune' : undefined) });
    expect(last.status).toBe('completed');
  });

  it('weight decay shrinks the kernels', async () => {
    const kernelNorm = async (weightDecay: number) => {
      const { model } = buildModel(MLP, data.dataset.inputShape, data.dataset.numClasses, { seed: 1 });
      await trainModel(model, data, config({ epochs: 2, weightDecay, optimizer: 'sgd', learningRate: 0.1 }));
      const norm = tf.tidy(() => tf.addN(model.getWeights().filter((_, i) => i % 2 === 0).map((w) => tf.sum(tf.square(w)))).dataSync()[0]);
      model.dispose();
      return norm;
    };
    expect(await kernelNorm(0.05)).toBeLessThan((await kernelNorm(0)) * 0.8);
  });

  it.each(['sgd', 'momentum', 'adam', 'rmsprop'] as const)('trains with %s', async (optimizer) => {
    const result = await trainCandidate(MLP, data, config({ epochs: 2, optimizer, learningRate: optimizer === 'sgd' ? 0.1 : 0.005 }));
    expect(result.status).toBe('completed');
    if (result.status === 'completed') expect(result.training.epochs[1].validAccuracy).toBeGreaterThan(0.5);
  });

  it('leaks no tensors over 20 candidates: trained, diverged, cancelled and unbuildable', async () => {
    const small = prepareData(makeSyntheticDataset({ seed: 2, trainSamples: 64, testSamples: 16 }), { seed: 2 });
    const unbuildable = parseArchitecture([{ type: 'flatten' }, { type: 'conv2d', filters: 4 }]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const abort = new AbortController();
      if (i % 5 === 3) abort.abort();
      const arch = i % 5 === 4 ? unbuildable : i % 2 ? CNN : MLP;
      const result = await trainCandidate(arch, small, config({ epochs: 1, seed: i, optimizer: i % 3 ? 'adam' : 'momentum', weightDecay: i % 2 ? 1e-3 : 0 }), {
        signal: abort.signal,
        evaluateTest: true,
      });
      expect(result.status).toBe(i % 5 === 4 ? 'failed' : i % 5 === 3 ? 'cancelled' : 'completed');
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
