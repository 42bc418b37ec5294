import { describe, expect, it } from 'vitest';
import { backwardMlp, forwardMlp, forwardMlpCached, initMlpTorchDefault, zeroGrads, type DenseLayer } from '../../../src/engine/agents/nn/mlp';
import { TargetNetwork } from '../../../src/engine/agents/nn/target-network';
import { createRng } from '../../../src/engine/random';

/** A 1 → 2 → 1 network with the given weights. */
const net = (w0: number[], b0: number[], w1: number[], b1: number[]): DenseLayer[] => [
  { inDim: 1, outDim: 2, w: Float32Array.from(w0), b: Float32Array.from(b0) },
  { inDim: 2, outDim: 1, w: Float32Array.from(w1), b: Float32Array.from(b1) },
];

describe('target network', () => {
  it('hard updates copy the online weights, and the copy is independent of them', () => {
    const online = net([1, 2], [3, 4], [5, 6], [7]);
    const target = new TargetNetwork(online, { tau: 1 });
    expect(target.parameters().map((p) => Array.from(p))).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    online[0].w[0] = 10;
    online[1].b[0] = -1;
    expect(target.layers[0].w[0]).toBe(1);
    target.update();
    expect(target.layers[0].w[0]).toBe(10);
    expect(target.layers[1].b[0]).toBe(-1);
  });

  it('soft updates mix in tau of the online weights (Polyak)', () => {
    const online = net([1, 2], [0, 0], [0, 0], [0]);
    const target = new TargetNetwork(online, { tau: 0.1 });
    online[0].w.set([11, -8]);
    online[1].b[0] = 100;
    target.update(); // (1 − 0.1)·[1, 2] + 0.1·[11, −8] = [2, 1]; bias 0.9·0 + 0.1·100 = 10
    expect(Array.from(target.layers[0].w)).toEqual([2, 1].map(Math.fround));
    expect(target.layers[1].b[0]).toBeCloseTo(10, 5);
    target.update(); // 0.9·[2, 1] + 0.1·[11, −8] = [2.9, 0.1]; bias 0.9·10 + 10 = 19
    expect(target.layers[0].w[0]).toBeCloseTo(2.9, 5);
    expect(target.layers[0].w[1]).toBeCloseTo(0.1, 5);
    expect(target.layers[1].b[0]).toBeCloseTo(19, 4);
    target.copy(); // a hard update on demand, whatever tau is
    expect(Array.from(target.layers[0].w)).toEqual([11, -8]);
  });

  it('updates on every interval-th step', () => {
    const online = net([0, 0], [0, 0], [0, 0], [0]);
    const target = new TargetNetwork(online, { tau: 0.5, interval: 3 });
    const updated: boolean[] = [];
    for (let t = 1; t <= 7; t++) {
      online[1].b[0] = t;
      updated.push(target.step());
    }
    expect(updated).toEqual([false, false, true, false, false, true, false]);
    // Updated at steps 3 (0.5·0 + 0.5·3 = 1.5) and 6 (0.5·1.5 + 0.5·6 = 3.75).
    expect(target.layers[1].b[0]).toBe(3.75);
    expect(target.calls).toBe(7);
    expect(() => new TargetNetwork(online, { tau: 0 })).toThrow('tau must be in (0, 1]');
    expect(() => new TargetNetwork(online, { interval: 0 })).toThrow('interval must be a positive integer');
  });
});

describe('MLP with ReLU and PyTorch initialisation', () => {
  it('initialises uniformly within ±1/√fan_in', () => {
    const layers = initMlpTorchDefault(16, [64], 3, createRng(1));
    for (const { inDim, w, b } of layers) {
      const bound = 1 / Math.sqrt(inDim);
      for (const v of [...w, ...b]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
      // Spread over the range, not bunched (variance of U(−a, a) is a²/3).
      const variance = w.reduce((a, v) => a + v * v, 0) / w.length;
      expect(variance).toBeGreaterThan((0.8 * bound * bound) / 3);
      expect(variance).toBeLessThan((1.2 * bound * bound) / 3);
    }
  });

  it('ReLU forward and its gradients match finite differences', () => {
    const layers = initMlpTorchDefault(3, [5, 4], 2, createRng(2));
    const n = 4;
    const x = Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i + 1));
    const dOut = Float32Array.from({ length: n * 2 }, (_, i) => Math.cos(i));
    const f = () => forwardMlp(layers, x, n, 'relu').reduce((a, v, i) => a + v * dOut[i], 0);
    const acts = forwardMlpCached(layers, x, n, 'relu');
    for (const h of acts.slice(1, -1)) expect(Math.min(...h)).toBe(0);
    const grads = zeroGrads(layers);
    backwardMlp(layers, acts, dOut, n, grads, 'relu');
    layers.forEach((layer, l) =>
      [layer.w, layer.b].forEach((p, k) => {
        const g = k === 0 ? grads[l].w : grads[l].b;
        for (let i = 0; i < p.length; i++) {
          const orig = p[i];
          p[i] = orig + 1e-3;
          const up = f();
          p[i] = orig - 1e-3;
          const down = f();
          p[i] = orig;
          expect(g[i]).toBeCloseTo((up - down) / 2e-3, 2);
        }
      }),
    );
  });
});
