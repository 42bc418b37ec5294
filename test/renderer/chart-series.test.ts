import { describe, expect, it } from 'vitest';
import { smooth } from '../../src/renderer/src/components/chart-series';

describe('smoothing a chart series', () => {
  it("is TensorBoard's debiased moving average: the first value stays, later ones weigh the past", () => {
    const out = smooth([1, 0, 1], 0.5);
    expect(out[0]).toBe(1);
    // (0.5·0.5·1 + 0.5·0) / (1 − 0.25) = 1/3
    expect(out[1]).toBeCloseTo(1 / 3, 12);
    // (0.25·1 … ): last = 0.5·0.25 + 0.5·1 = 0.625; / (1 − 0.125) = 0.714286
    expect(out[2]).toBeCloseTo(0.625 / 0.875, 12);
  });

  it('keeps gaps as gaps without breaking the average, and weight 0 changes nothing', () => {
    expect(smooth([2, null, Number.NaN, 2], 0.9)).toEqual([2, null, null, 2]);
    expect(smooth([3, null, 5], 0)).toEqual([3, null, 5]);
    const constant = smooth(new Array(50).fill(0.7), 0.8);
    for (const v of constant) expect(v).toBeCloseTo(0.7, 12);
  });
});
