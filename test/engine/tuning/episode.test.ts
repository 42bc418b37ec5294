import { beforeAll, describe, expect, it } from 'vitest';
import { TuningTaskSchema, type TuningTask, type TuningTaskInput } from '../../../src/shared/tuning';
import { initBackend } from '../../../src/engine/backends';
import { makeSyntheticDataset, prepareData, type PreparedData } from '../../../src/engine/data';
import { Controller, OBSERVATION_SIZE, runEpisode, scheduleRate } from '../../../src/engine/tuning';

let data: PreparedData;
beforeAll(async () => {
  await initBackend('wasm');
  data = prepareData(makeSyntheticDataset({ seed: 3 }), { seed: 3 });
});

const task = (overrides: Partial<TuningTaskInput> = {}): TuningTask =>
  TuningTaskSchema.parse({ name: 'mlp', layers: [{ type: 'flatten' }, { type: 'dense', units: 16 }], dataset: 'synthetic', epochs: 2, batchSize: 64, decisionsPerEpoch: 2, ...overrides });

describe('runEpisode', () => {
  it('trains a baseline schedule for the task epochs, reporting each epoch, with test accuracy', async () => {
    const epochs: number[] = [];
    const fast = task({
      layers: [{ type: 'conv2d', filters: 8 }, { type: 'maxPool' }, { type: 'conv2d', filters: 8, stride: 2 }, { type: 'dense', units: 16 }],
      epochs: 4,
      batchSize: 32,
      initial: { learningRate: 3e-3, optimizer: 'adam', dropout: 0, weightDecay: 0 },
    });
    const outcome = await runEpisode({ task: fast, data, steering: { kind: 'schedule', schedule: 'constant' }, seed: 1, evaluateTest: true, onEpoch: (e) => void epochs.push(e.epoch) });
    expect(outcome.status).toBe('completed');
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(outcome.decisions).toEqual([]);
    expect(outcome.testAccuracy).toBeGreaterThan(0.9);
    expect(outcome.finalValidAccuracy).toBe(outcome.epochs[3].validAccuracy);
    expect(outcome.epochs.every((e) => e.hyperparameters.learningRate === 3e-3)).toBe(true);
  });

  it('follows step decay: ×0.1 at half the batches, ×0.01 at three quarters', async () => {
    const outcome = await runEpisode({ task: task({ epochs: 4 }), data, steering: { kind: 'schedule', schedule: 'step' }, seed: 1 });
    expect(outcome.epochs.map((e) => e.hyperparameters.learningRate)).toEqual([1e-3, 1e-3, 1e-4, 1e-5].map((r, i) => expect.closeTo(r, 12 + i)));
    const batches = Math.ceil(data.train.count / 64);
    expect(scheduleRate('step', 1, (2 * batches) / (4 * batches))).toBeCloseTo(0.1, 12);
  });

  it('lets a learning controller decide at every decision point but the last', async () => {
    const controller = Controller.create({ episodes: 4, seed: 2 });
    const outcome = await runEpisode({ task: task(), data, steering: { kind: 'controller', controller, learn: true }, seed: 1 });
    expect(outcome.status).toBe('completed');
    expect(outcome.decisions.map((d) => d.step)).toEqual([0, 1, 2]);
    for (const d of outcome.decisions) {
      expect(d.interveneProbability).toBeGreaterThan(0);
      expect(d.interveneProbability).toBeLessThan(1);
      expect(d.threshold).toBe(0.5);
      expect(d.intervened).toBe(d.change !== undefined);
    }
    // Mid-epoch 1, end of epoch 1, mid-epoch 2.
    expect(outcome.decisions.map((d) => [d.epoch, d.progress])).toEqual([[1, 0.25], [1, 0.5], [2, 0.75]]);
    expect(controller.decisions).toBe(3);
    expect(controller.episodes).toBe(1);
    expect(Number.isFinite(outcome.return)).toBe(true);
  });

  it('round-trips a controller checkpoint through JSON: the same decisions from then on', async () => {
    const controller = Controller.create({ episodes: 4, seed: 5, trainFrequencyMin: 2, trainFrequencyMax: 4 });
    await runEpisode({ task: task(), data, steering: { kind: 'controller', controller, learn: true }, seed: 1 });
    const saved = JSON.parse(JSON.stringify(controller.checkpoint()));
    const restored = Controller.restore(saved);
    expect(restored.checkpoint()).toEqual(controller.checkpoint());
    const obs = new Float32Array(OBSERVATION_SIZE).fill(0.3);
    const a = controller.decide(obs, { learn: true, progress: 0.5 });
    const b = restored.decide(obs, { learn: true, progress: 0.5 });
    expect(b.acted?.action).toEqual(a.acted?.action);
    expect(b.probability).toBe(a.probability);
  });

  it('refuses a bad checkpoint with a message naming the field', () => {
    expect(() => Controller.restore({ format: 'gennerator-controller', version: 1 })).toThrow(/invalid controller checkpoint.*settings/s);
    const ckpt = Controller.create({ episodes: 1 }).checkpoint();
    expect(() => Controller.restore({ ...ckpt, ppo: { ...(ckpt.ppo as object), obsDim: 3 } })).toThrow(/invalid controller checkpoint: ppo/);
  });
});
