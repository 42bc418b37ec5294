/** Hyperparameter changes reach the running model (real tfjs on wasm), and a NaN loss ends an episode with a penalty. */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArchitecture } from '../../../src/shared/architecture';
import { TuningTaskSchema, type Hyperparameters } from '../../../src/shared/tuning';
import { initBackend } from '../../../src/engine/backends';
import { makeSyntheticDataset, prepareData, type PreparedData } from '../../../src/engine/data';
import { buildModel } from '../../../src/engine/model/builder';
import { tf } from '../../../src/engine/tf';
import { Controller, DIVERGENCE_PENALTY, LiveTraining, runEpisode } from '../../../src/engine/tuning';

let data: PreparedData;
beforeAll(async () => {
  await initBackend('wasm');
  data = prepareData(makeSyntheticDataset({ seed: 4 }), { seed: 4 });
});

const ARCH = parseArchitecture([{ type: 'flatten' }, { type: 'dense', units: 16 }, { type: 'dropout', rate: 0.2 }]);
const start: Hyperparameters = { learningRate: 1e-3, optimizer: 'sgd', dropout: 0.2, weightDecay: 0 };

function live(initial = start) {
  const { model } = buildModel(ARCH, data.dataset.inputShape, data.dataset.numClasses, { seed: 7 });
  return new LiveTraining(model, data, { batchSize: 32, seed: 7, initial });
}
const kernel = (t: LiveTraining) => t.model.layers.find((l) => l.name.startsWith('dense'))!.getWeights()[0].dataSync().slice() as Float32Array;
const change = (before: Float32Array, after: Float32Array) => Math.sqrt(before.reduce((s, v, i) => s + (after[i] - v) ** 2, 0));

describe('LiveTraining', () => {
  it("sets the optimizer's learning rate: one SGD step moves the weights ×10 as far after lr ×10", async () => {
    const [a, b] = [live(), live()];
    b.apply({ ...start, learningRate: 1e-2 });
    expect(b.optimizerLearningRate).toBe(1e-2);
    const [wa, wb] = [kernel(a), kernel(b)];
    expect(wb).toEqual(wa);
    // Dropout off for this check, so both steps see the same activations.
    for (const t of [a, b]) t.apply({ ...t.hyperparameters, dropout: 0 });
    await a.train(1, {});
    await b.train(1, {});
    expect(change(wb, kernel(b)) / change(wa, kernel(a))).toBeCloseTo(10, 3);
    for (const t of [a, b]) {
      t.dispose();
      t.model.dispose();
    }
  });

  it("changes Adam's rate in place and switches optimizers with fresh state, releasing the old one's tensors", async () => {
    const t = live({ ...start, optimizer: 'adam' });
    await t.train(2, {});
    t.apply({ ...t.hyperparameters, learningRate: 3e-3 });
    expect(t.optimizerLearningRate).toBe(3e-3);
    const before = tf.memory().numTensors;
    t.apply({ ...t.hyperparameters, optimizer: 'momentum' });
    // Adam's two moment slots per variable are gone; momentum has not made its one yet.
    expect(tf.memory().numTensors).toBeLessThan(before);
    expect(t.hyperparameters).toMatchObject({ optimizer: 'momentum', learningRate: 3e-3 });
    expect(t.optimizerLearningRate).toBe(3e-3);
    const result = await t.train(3, {});
    expect(result.status).toBe('ok');
    expect(result.losses.every(Number.isFinite)).toBe(true);
    t.dispose();
    t.model.dispose();
  });

  it("sets every Dropout layer's rate on the running model", async () => {
    const t = live();
    expect(t.dropoutRates).toEqual([0.2]);
    t.apply({ ...start, dropout: 0.6 });
    expect(t.dropoutRates).toEqual([0.6]);
    const layer = t.model.layers.find((l) => l.getClassName() === 'Dropout')!;
    const zeros = tf.tidy(() => tf.sum(tf.equal(layer.apply(tf.ones([200, 50]), { training: true }) as tf.Tensor, 0)).dataSync()[0]);
    expect(zeros / 10_000).toBeGreaterThan(0.55);
    expect(zeros / 10_000).toBeLessThan(0.65);
    t.dispose();
    t.model.dispose();
  });

  it('adds the weight-decay term to the next step: its loss grows by decay/2 · Σ‖kernel‖²', async () => {
    const [a, b] = [live({ ...start, dropout: 0 }), live({ ...start, dropout: 0 })];
    b.apply({ ...b.hyperparameters, weightDecay: 1e-2 });
    expect(b.weightDecayInForce).toBe(1e-2);
    const squares = b.model.trainableWeights
      .filter((w) => /kernel$/.test(w.originalName))
      .reduce((sum, w) => sum + (w.read().dataSync() as Float32Array).reduce((s, v) => s + v * v, 0), 0);
    const [la, lb] = [(await a.train(1, {})).losses[0], (await b.train(1, {})).losses[0]];
    expect(lb - la).toBeCloseTo((1e-2 / 2) * squares, 4);
    for (const t of [a, b]) {
      t.dispose();
      t.model.dispose();
    }
  });
});

describe('a NaN loss', () => {
  it('ends the episode as diverged with the penalty, and the next episode runs', async () => {
    const poisoned: PreparedData = { ...data, train: { ...data.train, x: data.train.x.slice() } };
    poisoned.train.x.fill(Number.NaN);
    const task = TuningTaskSchema.parse({ name: 'mlp', layers: ARCH.layers, dataset: 'synthetic', epochs: 2, batchSize: 32, decisionsPerEpoch: 2 });
    const controller = Controller.create({ episodes: 2 });
    const diverged = await runEpisode({ task, data: poisoned, steering: { kind: 'controller', controller, learn: true }, seed: 0 });
    expect(diverged).toMatchObject({ status: 'diverged', return: DIVERGENCE_PENALTY, decisions: [], epochs: [] });
    const next = await runEpisode({ task, data, steering: { kind: 'controller', controller, learn: true }, seed: 0 });
    expect(next.status).toBe('completed');
    expect(next.decisions).toHaveLength(3);
  });
});
