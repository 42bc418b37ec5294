import { beforeAll, describe, expect, it } from 'vitest';
import { parseArchitecture } from '../../src/shared/architecture';
import { TrainingConfigSchema } from '../../src/shared/training';
import { initBackend } from '../../src/engine/backends';
import { makeSyntheticDataset, prepareData, type PreparedData } from '../../src/engine/data';
import { createRng } from '../../src/engine/random';
import { LossSelector } from '../../src/engine/train/selective-backprop';
import { trainCandidate } from '../../src/engine/train/candidate';

describe('LossSelector (CDF(loss)^β over recent losses)', () => {
  it('keeps a share 1/(β + 1) on average, the biggest losses most often', () => {
    for (const beta of [0, 1, 2, 3]) {
      const selector = new LossSelector(beta, 256);
      const draws = createRng(beta);
      const rng = createRng(10 + beta);
      let kept = 0;
      let keptLow = 0;
      let keptHigh = 0;
      for (let i = 0; i < 20_000; i++) {
        const loss = rng.next();
        if (!selector.keep(loss, draws)) continue;
        kept++;
        if (loss < 0.25) keptLow++;
        if (loss > 0.75) keptHigh++;
      }
      expect(kept / 20_000).toBeCloseTo(1 / (beta + 1), 1);
      if (beta > 0) expect(keptHigh).toBeGreaterThan(3 * keptLow);
    }
  });

  it('ranks a loss among the window, itself included, and always keeps a loss that is not finite', () => {
    const rng = createRng(0);
    const selector = new LossSelector(1, 4);
    for (const loss of [1, 2, 3, 4]) selector.keep(loss, rng);
    expect(selector.percentile(2.5)).toBe(0.5);
    selector.keep(10, rng); // the window drops 1
    expect(selector.percentile(2)).toBe(0.25);
    expect(selector.keep(Number.NaN, rng)).toBe(true);
    expect(selector.snapshot()).toEqual([2, 3, 4, 10]);
    const restored = new LossSelector(1, 4);
    restored.restore([0, ...selector.snapshot()]);
    expect(restored.snapshot()).toEqual([2, 3, 4, 10]);
    expect(() => new LossSelector(-1)).toThrow('beta must be ≥ 0');
  });
});

describe('training with selective backprop', () => {
  let data: PreparedData;
  beforeAll(async () => {
    await initBackend('wasm');
    data = prepareData(makeSyntheticDataset({ seed: 1 }), { seed: 1 });
  });
  const MLP = parseArchitecture([{ type: 'flatten' }, { type: 'dense', units: 32 }]);
  const train = (selectiveBackprop?: { beta: number; staleEpochs?: number }) =>
    trainCandidate(MLP, data, TrainingConfigSchema.parse({ epochs: 3, batchSize: 32, learningRate: 3e-3, selectiveBackprop }), { evaluateTest: true });

  it('backpropagates a share of the samples, reports it, and still learns', async () => {
    // Losses fall during training, so the window's older, higher losses push the share below 1/(β + 1).
    const result = await train({ beta: 1 });
    if (result.status === 'failed') throw new Error(result.error);
    expect(result.status).toBe('completed');
    for (const m of result.training.epochs) expect(m.backpropShare).toBeGreaterThan(0.25);
    for (const m of result.training.epochs) expect(m.backpropShare).toBeLessThan(0.6);
    expect(result.test?.accuracy).toBeGreaterThan(0.85);
    // Off, nothing changes: no share is reported.
    const plain = await train();
    if (plain.status === 'failed') throw new Error(plain.error);
    expect(plain.training.epochs.every((m) => m.backpropShare === undefined)).toBe(true);
  });

  it('stale mode selects by the losses of the last forward pass', async () => {
    const result = await train({ beta: 1, staleEpochs: 2 });
    if (result.status === 'failed') throw new Error(result.error);
    expect(result.training.epochs.map((m) => m.backpropShare! > 0.1 && m.backpropShare! < 0.7)).toEqual([true, true, true]);
    expect(result.test?.accuracy).toBeGreaterThan(0.6);
  });
});
