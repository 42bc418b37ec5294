import { describe, expect, it } from 'vitest';
import { mean, meanInterval, sampleStd, studentTCdf, studentTQuantile } from '../../src/shared/stats';

describe('statistics for the analysis views', () => {
  it("matches Student's t table at 97.5% (two-sided 95%)", () => {
    const table: Array<[number, number]> = [
      [1, 12.7062],
      [2, 4.3027],
      [3, 3.1824],
      [5, 2.5706],
      [10, 2.2281],
      [30, 2.0423],
      [100, 1.984],
      [1e6, 1.96],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764, 3);
    expect(studentTQuantile(0.95, 9)).toBeCloseTo(1.8331, 3);
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 10); // Cauchy: 1/2 + atan(1)/π
  });

  it('gives the mean and a 95% t interval, none for a single value', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.13809, 5);
    const interval = meanInterval([0.8, 0.82, 0.85, 0.79, 0.81])!;
    // mean 0.814, s = 0.023022, t(0.975, 4) = 2.776445: half width 0.028585
    expect(interval.n).toBe(5);
    expect(interval.mean).toBeCloseTo(0.814, 12);
    expect(interval.low).toBeCloseTo(0.814 - 0.028585, 5);
    expect(interval.high).toBeCloseTo(0.814 + 0.028585, 5);
    expect(meanInterval([0.5])).toEqual({ n: 1, mean: 0.5, low: null, high: null });
    expect(meanInterval([])).toBeUndefined();
    const same = meanInterval([0.7, 0.7, 0.7])!;
    expect(same.high! - same.low!).toBeCloseTo(0, 12); // no spread, no width
  });

  it('refuses what has no quantile', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, 0)).toThrow(RangeError);
  });
});
