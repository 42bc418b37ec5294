/**
 * The webgpu backend against the cpu backend: the training loss's gradients for every layer type of
 * the catalog (through the product's builder, on tiny inputs: lavapipe runs this in CI), our own
 * kernels on their edge cases, and optimizer steps (our fused update against tfjs's optimizers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArchitecture } from '../../src/shared/architecture';
import type { LayerSpecInput } from '../../src/shared/layers';
import { TrainingConfigSchema, type OptimizerName } from '../../src/shared/training';
import { initBackend } from '../../src/engine/backends';
import { activationGradKernels } from '../../src/engine/backends/webgpu-kernels/activation-grads';
import { conv2DBackpropFilterKernel } from '../../src/engine/backends/webgpu-kernels/conv2d-filter-grad';
import { crossEntropyKernels } from '../../src/engine/backends/webgpu-kernels/cross-entropy';
import { maxPoolGradKernel } from '../../src/engine/backends/webgpu-kernels/max-pool-grad';
import { optimizerUpdateKernel } from '../../src/engine/backends/webgpu-kernels/optimizer-update';
import { buildModel } from '../../src/engine/model/builder';
import { tf } from '../../src/engine/tf';
import { createOptimizer } from '../../src/engine/train/optimizer';
import { createTrainingStep, lossAndAccuracy } from '../../src/engine/train/trainer';
import { randomArray, relativeError, sizeOf } from './gradient-check';
import { webgpuSkipReason } from './webgpu-support';

const skip = await webgpuSkipReason();
const TOLERANCE = 1e-4;
const BATCH = 3;
const CLASSES = 3;
const worst: Record<string, number> = {};

function record(key: string, error: number): void {
  worst[key] = Math.max(worst[key] ?? 0, error);
}

/** Loss and the gradient of every trainable weight, on `backend`, for a freshly built (seeded) network. */
async function lossGradients(backend: string, layers: LayerSpecInput[], inputShape: [number, number, number], seed: number) {
  await tf.setBackend(backend);
  const { model } = buildModel(parseArchitecture(layers), inputShape, CLASSES, { seed });
  try {
    const x = tf.tensor4d(randomArray(BATCH * sizeOf(inputShape), seed), [BATCH, ...inputShape]);
    const labels = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % CLASSES), 'int32');
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let correct: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = lossAndAccuracy(model.apply(x, { training: true }) as tf.Tensor2D, labels, CLASSES);
      correct = out.correct;
      return out.loss;
    }, variables);
    const result = {
      loss: (await value.data())[0],
      correct: (await correct!.data())[0],
      grads: await Promise.all(model.trainableWeights.map(async (w, i) => ({ name: w.originalName.replace(/_?\d+\//, '/'), values: await grads[variables[i].name].data() }))),
    };
    tf.dispose([x, labels, value, correct, ...Object.values(grads)]);
    return result;
  } finally {
    model.dispose();
  }
}

const conv = (extra: Partial<LayerSpecInput> = {}) => ({ type: 'conv2d', filters: 3, kernel: 3, ...extra }) as LayerSpecInput;

/** [name, layers, input shape]: every layer type, with the options that take different kernels. */
const LAYER_CASES: Array<[string, LayerSpecInput[], [number, number, number]]> = [
  ['conv2d 3×3 same', [conv({ filters: 4 })], [6, 6, 2]],
  ['conv2d 3×3 valid stride 2, tanh', [conv({ stride: 2, padding: 'valid', activation: 'tanh' })], [7, 7, 2]],
  ['conv2d 5×5 same stride 2, elu', [conv({ kernel: 5, stride: 2, activation: 'elu' })], [9, 7, 3]],
  ['conv2d 1×1, linear', [conv({ kernel: 1, filters: 5, activation: 'linear' })], [4, 4, 3]],
  ['depthwiseConv2d', [{ type: 'depthwiseConv2d', kernel: 3, depthMultiplier: 2 }], [6, 6, 3]],
  ['depthwiseConv2d valid stride 2', [{ type: 'depthwiseConv2d', kernel: 3, stride: 2, padding: 'valid', activation: 'sigmoid' }], [7, 7, 2]],
  ['separableConv2d', [{ type: 'separableConv2d', filters: 4, kernel: 3, depthMultiplier: 2, activation: 'swish' }], [6, 6, 3]],
  ['maxPool 2×2', [conv(), { type: 'maxPool', size: 2 }], [6, 6, 2]],
  ['maxPool 2×2 on an odd size', [conv(), { type: 'maxPool', size: 2 }], [7, 7, 1]],
  ['maxPool 2×2 same on an odd size', [conv(), { type: 'maxPool', size: 2, padding: 'same' }], [7, 5, 1]],
  ['maxPool 3×3 stride 2 (overlapping)', [conv(), { type: 'maxPool', size: 3, stride: 2 }], [7, 7, 1]],
  ['maxPool 2×2 stride 3 (gaps)', [conv(), { type: 'maxPool', size: 2, stride: 3 }], [8, 8, 1]],
  ['avgPool 2×2', [conv(), { type: 'avgPool', size: 2 }], [6, 6, 2]],
  ['avgPool 3×3 stride 1 same', [conv(), { type: 'avgPool', size: 3, stride: 1, padding: 'same' }], [5, 5, 1]],
  ['globalAvgPool', [conv(), { type: 'globalAvgPool' }], [5, 5, 2]],
  ['batchNorm (training mode)', [conv(), { type: 'batchNorm' }], [5, 5, 2]],
  ['dense, gelu', [{ type: 'dense', units: 6, activation: 'gelu' }], [3, 3, 2]],
  ['flatten + dense, relu', [{ type: 'flatten' }, { type: 'dense', units: 5 }], [3, 3, 2]],
  ['dropout 0.5 (seeded, training mode)', [{ type: 'dense', units: 8 }, { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 4 }], [3, 3, 1]],
  ['dropout 0', [{ type: 'dense', units: 8 }, { type: 'dropout', rate: 0 }], [3, 3, 1]],
  ...(['relu', 'elu', 'gelu', 'tanh', 'sigmoid', 'swish', 'linear'] as const).map(
    (activation) => [`activation ${activation}`, [conv({ activation: 'linear' }), { type: 'activation', activation }], [4, 4, 1]] as [string, LayerSpecInput[], [number, number, number]],
  ),
];

describe.skipIf(skip !== undefined)('webgpu matches the cpu backend', () => {
  beforeAll(async () => {
    await initBackend('webgpu');
    // The kernels of ours these cases exercise are the ones registered (not tfjs-webgpu's).
    for (const kernel of [conv2DBackpropFilterKernel, maxPoolGradKernel, optimizerUpdateKernel, ...crossEntropyKernels, ...activationGradKernels]) {
      expect(tf.getKernel(kernel.kernelName, 'webgpu')?.kernelFunc, kernel.kernelName).toBe(kernel.kernelFunc);
    }
  });

  afterAll(() => {
    console.info(`webgpu vs cpu, worst relative error: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
  });

  it.each(LAYER_CASES.map(([name, layers, shape], i) => [name, layers, shape, i] as const))('%s: loss and every weight gradient', async (name, layers, shape, i) => {
    const cpu = await lossGradients('cpu', layers, shape, 10 + i);
    await tf.setBackend('webgpu');
    const tensorsBefore = tf.memory().numTensors;
    const gpu = await lossGradients('webgpu', layers, shape, 10 + i);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(gpu.loss).toBeCloseTo(cpu.loss, 4);
    expect(gpu.correct).toBe(cpu.correct);
    expect(gpu.grads.map((g) => g.name)).toEqual(cpu.grads.map((g) => g.name));
    for (const [k, { name: weight, values }] of cpu.grads.entries()) {
      const error = relativeError(values, gpu.grads[k].values);
      record(name.split(/[ ,(]/)[0], error);
      expect(error, `${name}: gradient of ${weight}`).toBeLessThan(TOLERANCE);
    }
  });

  type Shape4 = [number, number, number, number];
  /** Our Conv2DBackpropFilter: one slice and several (split along batch × pixels), strides, paddings. */
  const FILTER_CASES: Array<[Shape4, Shape4, number | [number, number], 'same' | 'valid' | number]> = [
    [[1, 7, 7, 1], [3, 3, 1, 4], 1, 'same'],
    [[2, 9, 5, 3], [5, 5, 3, 8], 2, 'same'],
    [[3, 7, 7, 8], [1, 1, 8, 2], 2, 'valid'],
    [[2, 7, 9, 5], [3, 3, 5, 7], [2, 1], 'same'],
    [[2, 9, 7, 3], [3, 3, 3, 2], 2, 1],
    [[6, 12, 12, 4], [3, 3, 4, 70], 1, 'same'], // 864 reduction steps: several slices, ragged tiles
  ];
  it.each(FILTER_CASES.map((c, i) => [i, ...c] as const))('Conv2DBackpropFilter case %i', async (i, xShape, wShape, strides, pad) => {
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(randomArray(sizeOf(xShape), i), xShape);
      const w = tf.tensor4d(randomArray(sizeOf(wShape), i + 1), wShape);
      const out = tf.conv2d(x, w, strides, pad);
      const r = tf.tensor(randomArray(sizeOf(out.shape), i + 2), out.shape);
      const dw = tf.grad((b: tf.Tensor) => tf.conv2d(x, b as tf.Tensor4D, strides, pad).mul(r).sum())(w);
      const values = await dw.data();
      tf.dispose([x, w, out, r, dw]);
      return values;
    };
    const error = relativeError(await grads('cpu'), await grads('webgpu'));
    record('Conv2DBackpropFilter', error);
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('the loss, its gradient and the correct count over more rows than a workgroup, with ties', async () => {
    const rows = 600;
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const logits = tf.tensor2d(randomArray(rows * 10, 9), [rows, 10]);
      // Rows of equal probabilities: the first maximum counts, as tf.argMax has it.
      const probs = tf.concat([tf.softmax(logits.slice([0, 0], [rows - 8, 10])), tf.fill([8, 10], 0.1)]) as tf.Tensor2D;
      const labels = tf.tensor1d(Array.from({ length: rows }, (_, i) => (i * 7) % 10), 'int32');
      let correct: tf.Scalar | undefined;
      const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => {
        const out = lossAndAccuracy(p as tf.Tensor2D, labels, 10);
        correct = out.correct;
        return out.loss;
      })(probs);
      const result = { loss: (await value.data())[0], correct: (await correct!.data())[0], grad: await grad.data() };
      tf.dispose([logits, probs, labels, value, correct, grad]);
      return result;
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    expect(gpu.correct).toBe(cpu.correct);
    expect(gpu.loss).toBeCloseTo(cpu.loss, 5);
    expect(relativeError(cpu.grad, gpu.grad)).toBeLessThan(TOLERANCE);
  });

  it.each(['sgd', 'momentum', 'adam', 'rmsprop'] as const)('three %s steps leave the same weights (fused update vs tfjs)', async (optimizerName: OptimizerName) => {
    const layers: LayerSpecInput[] = [conv({ filters: 4 }), { type: 'maxPool', size: 2 }, { type: 'dense', units: 5 }];
    const shape: [number, number, number] = [6, 6, 2];
    const train = async (backend: string) => {
      await tf.setBackend(backend);
      const config = TrainingConfigSchema.parse({ optimizer: optimizerName, learningRate: 0.01, weightDecay: 1e-3 });
      const { model } = buildModel(parseArchitecture(layers), shape, CLASSES, { seed: 3 });
      const optimizer = createOptimizer(config.optimizer, config.learningRate);
      const step = createTrainingStep(model, config, CLASSES, optimizer);
      const x = tf.tensor4d(randomArray(4 * sizeOf(shape), 5), [4, ...shape]);
      const labels = tf.tensor1d([0, 1, 2, 0], 'int32');
      for (let s = 0; s < 3; s++) tf.dispose(Object.values(step(x, labels)));
      const weights = await Promise.all(model.getWeights().map((w) => w.data()));
      tf.dispose([x, labels]);
      optimizer.dispose();
      model.dispose();
      return weights;
    };
    const cpu = await train('cpu');
    const gpu = await train('webgpu');
    for (const [k, values] of cpu.entries()) {
      const error = relativeError(values, gpu[k]);
      record(`${optimizerName} weights`, error);
      expect(error, `weight ${k}`).toBeLessThan(TOLERANCE);
    }
  });
});
