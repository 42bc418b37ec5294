/**
 * The wasm composites for the convolution gradients (src/engine/backends/wasm-gradients.ts) against
 * the cpu backend's reference kernels, and a small CNN that trains on wasm without leaking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backends';
import { createRng } from '../../src/engine/random';
import { tf } from '../../src/engine/tf';
import { randomArray, relativeError, sizeOf } from './gradient-check';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number;
type Strides = number | [number, number];

interface Case {
  x: Shape4;
  /** conv2d: [KH, KW, C, O]; depthwise: [KH, KW, C, M]. */
  w: Shape4;
  strides: Strides;
  pad: Pad;
}

const TOLERANCE = 1e-4;
const worst: Record<string, number> = {};

/**
 * Gradients of Σ conv(x, w) ⊙ r with respect to x and w, on `backend`: r is a fixed random
 * tensor, so dy = r reaches the gradient kernels unchanged.
 */
async function gradients(backend: string, kind: 'conv2d' | 'depthwise', c: Case, seed: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(sizeOf(c.x), seed), c.x);
    const w = tf.tensor4d(randomArray(sizeOf(c.w), seed + 1), c.w);
    const forward = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      kind === 'conv2d' ? tf.conv2d(a, b, c.strides, c.pad) : tf.depthwiseConv2d(a, b, c.strides, c.pad);
    const outShape = forward(x, w).shape;
    const r = tf.tensor(randomArray(sizeOf(outShape), seed + 2), outShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => forward(a as tf.Tensor4D, b as tf.Tensor4D).mul(r).sum())([x, w]);
    return [dx.dataSync() as Float32Array, dw.dataSync() as Float32Array];
  });
}

async function compare(kind: 'conv2d' | 'depthwise', c: Case, seed: number): Promise<void> {
  const [cpuDx, cpuDw] = await gradients('cpu', kind, c, seed);
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const [wasmDx, wasmDw] = await gradients('wasm', kind, c, seed);
  expect(tf.memory().numTensors).toBe(before);
  const errors = { input: relativeError(cpuDx, wasmDx), filter: relativeError(cpuDw, wasmDw) };
  for (const [which, error] of Object.entries(errors)) {
    const key = `${kind} ${which}`;
    worst[key] = Math.max(worst[key] ?? 0, error);
    expect(error, `${key} gradient, ${JSON.stringify(c)}`).toBeLessThan(TOLERANCE);
  }
}

beforeAll(async () => {
  const report = await initBackend('wasm');
  expect(report.name).toBe('wasm');
  // wasm's own kernel set lacks these three; initBackend registers the composites.
  for (const kernel of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
    expect(tf.getKernel(kernel, 'wasm'), kernel).toBeDefined();
  }
});

afterAll(() => {
  // The figures the report quotes: worst relative error seen per gradient.
  console.info(`wasm vs cpu, worst relative error: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
});

const CONV_CASES: Case[] = [
  { x: [1, 7, 7, 1], w: [3, 3, 1, 4], strides: 1, pad: 'same' },
  { x: [2, 9, 5, 3], w: [5, 5, 3, 8], strides: 2, pad: 'same' },
  { x: [3, 7, 7, 8], w: [1, 1, 8, 2], strides: 2, pad: 'valid' },
  { x: [2, 9, 5, 4], w: [3, 3, 4, 6], strides: 1, pad: 'valid' },
  { x: [1, 8, 6, 2], w: [5, 3, 2, 3], strides: 2, pad: 'valid' },
  { x: [2, 7, 9, 5], w: [3, 3, 5, 7], strides: [2, 1], pad: 'same' },
  { x: [2, 9, 7, 3], w: [3, 3, 3, 2], strides: 2, pad: 1 },
  { x: [1, 5, 5, 2], w: [3, 3, 2, 2], strides: 2, pad: 3 }, // padding wider than the kernel
];

const DEPTHWISE_CASES: Case[] = [
  { x: [1, 7, 7, 1], w: [3, 3, 1, 1], strides: 1, pad: 'same' },
  { x: [2, 9, 5, 3], w: [5, 5, 3, 2], strides: 2, pad: 'same' },
  { x: [3, 7, 7, 8], w: [3, 3, 8, 1], strides: 2, pad: 'valid' },
  { x: [2, 9, 5, 4], w: [1, 1, 4, 3], strides: 1, pad: 'valid' },
  { x: [1, 8, 6, 2], w: [5, 3, 2, 2], strides: 2, pad: 'valid' },
  { x: [2, 9, 7, 3], w: [3, 3, 3, 2], strides: 2, pad: 1 },
];

describe('wasm convolution gradients match the cpu backend', () => {
  it.each(CONV_CASES.map((c, i) => [i, c] as const))('conv2d case %i: input and filter gradients', async (i, c) => {
    await compare('conv2d', c, 100 + i * 10);
  });

  it.each(DEPTHWISE_CASES.map((c, i) => [i, c] as const))('depthwiseConv2d case %i: input and filter gradients', async (i, c) => {
    await compare('depthwise', c, 500 + i * 10);
  });
});

describe('a small CNN trains on wasm', () => {
  it('loss decreases over a few optimizer steps and every tensor is released', async () => {
    await tf.setBackend('wasm');
    const start = tf.memory().numTensors;
    const rng = createRng(7);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' }),
        tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 1, padding: 'same', activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3 }), // logits: softmaxCrossEntropy applies the softmax
      ],
    });
    const optimizer = tf.train.adam(0.01);
    const x = tf.tensor4d(Float32Array.from({ length: 12 * 9 * 9 * 2 }, () => rng.normal()), [12, 9, 9, 2]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 12 }, (_, i) => i % 3), 'int32'), 3));
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.predict(x) as tf.Tensor), true);
      losses.push((await loss!.data())[0]);
      loss!.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.9);

    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
