import { beforeAll, describe, expect, it } from 'vitest';
import { ArchitectureError, parseArchitecture, type ArchitectureInput } from '../../src/shared/architecture';
import { initBackend } from '../../src/engine/backends';
import { buildModel } from '../../src/engine/model/builder';
import { tf } from '../../src/engine/tf';

beforeAll(async () => {
  await initBackend('wasm');
});

const ARCHITECTURES: Record<string, ArchitectureInput> = {
  'small cnn': [
    { type: 'conv2d', filters: 8, kernel: 3 },
    { type: 'maxPool' },
    { type: 'conv2d', filters: 16, kernel: 5, stride: 2, padding: 'valid', activation: 'gelu' },
    { type: 'dense', units: 32, activation: 'swish' },
    { type: 'dropout', rate: 0.3 },
  ],
  'every layer kind': [
    { type: 'conv2d', filters: 4 },
    { type: 'batchNorm' },
    { type: 'activation', activation: 'elu' },
    { type: 'depthwiseConv2d', kernel: 3, depthMultiplier: 2 },
    { type: 'separableConv2d', filters: 8, stride: 2 },
    { type: 'avgPool', size: 3, stride: 1, padding: 'same' },
    { type: 'maxPool', size: 2 },
    { type: 'globalAvgPool' },
    { type: 'dense', units: 6, activation: 'tanh' },
    { type: 'activation', activation: 'sigmoid' },
  ],
  mlp: [{ type: 'flatten' }, { type: 'dense', units: 20 }, { type: 'batchNorm' }, { type: 'dense', units: 10, activation: 'linear' }],
  'empty body (head only)': [],
};

describe('buildModel', () => {
  it.each(Object.entries(ARCHITECTURES))('%s: tf agrees with shape inference on every layer and the parameter count', (_, layers) => {
    const { model, shapes } = buildModel(parseArchitecture(layers), [12, 12, 3], 7);
    expect(model.countParams()).toBe(shapes.totalParams);
    expect(model.outputs[0].shape).toEqual([null, 7]);
    const probs = tf.tidy(() => (model.predict(tf.ones([2, 12, 12, 3])) as tf.Tensor).arraySync() as number[][]);
    for (const row of probs) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('seeds the initial weights', () => {
    const arch = parseArchitecture(ARCHITECTURES['small cnn']);
    const weights = (seed: number) => {
      const { model } = buildModel(arch, [12, 12, 3], 7, { seed });
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    expect(weights(3)).toEqual(weights(3));
    expect(weights(3)).not.toEqual(weights(4));
  });

  it('rejects an unbuildable network before allocating anything', () => {
    const before = tf.memory().numTensors;
    const arch = parseArchitecture([{ type: 'conv2d', filters: 4, kernel: 5, stride: 2, padding: 'valid' }, { type: 'maxPool', size: 8 }]);
    expect(() => buildModel(arch, [12, 12, 1], 3)).toThrow(ArchitectureError);
    expect(() => buildModel(arch, [12, 12, 1], 3)).toThrow('layer 2 maxPool 8×8: input is 4×4×4');
    expect(tf.memory().numTensors).toBe(before);
  });
});
