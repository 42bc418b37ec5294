import { beforeAll, describe, expect, it } from 'vitest';
import { architectureHash, parseArchitecture } from '../../../src/shared/architecture';
import { TrainingConfigSchema } from '../../../src/shared/training';
import { initBackend } from '../../../src/engine/backends';
import { makeSyntheticDataset, prepareData } from '../../../src/engine/data';
import { TrainingEvaluator } from '../../../src/engine/evaluators/training';

const job = (layers: unknown[], index = 0) => ({ index, action: [], hash: architectureHash(parseArchitecture(layers).layers), architecture: { layers } });

describe('TrainingEvaluator', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('trains a candidate, measures it on the test set, returns its weights, and fails an unbuildable one with the reason', async () => {
    const data = prepareData(makeSyntheticDataset({ seed: 3 }), { seed: 3 });
    const evaluator = new TrainingEvaluator(data, TrainingConfigSchema.parse({ epochs: 2, batchSize: 32, learningRate: 3e-3 }), { evaluateTest: true, captureModels: true });
    const epochs: number[] = [];
    const first = await evaluator.evaluate(job([{ type: 'flatten' }, { type: 'dense', units: 16 }]), { onEpoch: (m) => void epochs.push(m.epoch) });
    expect(first).toMatchObject({ status: 'completed', cached: false });
    expect(epochs).toEqual([1, 2]);
    expect(first.epochs).toHaveLength(2);
    expect(first.signal).toBeGreaterThan(0.8);
    expect(first.testAccuracy).toBeGreaterThan(0.8);
    expect(first.model?.weightData.byteLength).toBe(4 * first.params!);
    const failed = await evaluator.evaluate(job([{ type: 'flatten' }, { type: 'maxPool' }]));
    expect(failed).toMatchObject({ status: 'failed', signal: 0 });
    expect(failed.error).toMatch(/layer 2 maxPool/);
    const malformed = await evaluator.evaluate({ index: 2, action: [], hash: 'x', architecture: { layers: [{ type: 'dense', units: -3 }] } });
    expect(malformed).toMatchObject({ status: 'failed', hash: 'x' });
    expect(malformed.error).toMatch(/^layer 1 \(dense\): units/);
  });

  it('a cancelled candidate stops between batches with an AbortError', async () => {
    const data = prepareData(makeSyntheticDataset({ seed: 3 }), { seed: 3 });
    const evaluator = new TrainingEvaluator(data, TrainingConfigSchema.parse({ epochs: 5, batchSize: 8 }));
    const abort = new AbortController();
    const training = evaluator.evaluate(job([{ type: 'flatten' }, { type: 'dense', units: 16 }]), { signal: abort.signal, onEpoch: () => abort.abort() });
    await expect(training).rejects.toMatchObject({ name: 'AbortError' });
  });
});
