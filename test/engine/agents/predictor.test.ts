import { describe, expect, it } from 'vitest';
import { acquisitionValue } from '../../../src/engine/agents/predictor/acquisition';
import { CategoricalGp, fitHyperparameters, slotMatrix, FIT_DEFAULTS } from '../../../src/engine/agents/predictor/gp';
import { cholesky, inverseFromCholesky, solveLower, solveLowerTransposed } from '../../../src/engine/agents/predictor/linalg';
import { normalCdf, normalQuantile } from '../../../src/engine/agents/predictor/normal';
import { Predictor } from '../../../src/engine/agents/predictor/predictor';
import { CopulaWarp } from '../../../src/engine/agents/predictor/warp';
import { createRng } from '../../../src/engine/random';

/** A toy benchmark on 4 slots of 5 choices: slots 0 and 1 matter, 2 and 3 do not. */
const toy = (a: readonly number[]) => 0.9 - 0.05 * Math.abs(a[0] - 3) - 0.08 * (a[1] === 0 ? 1 : 0) + 0.001 * a[2];
const draws = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: 4 }, () => rng.int(5)));
};

describe('linear algebra', () => {
  it('factors, solves and inverts a positive-definite matrix', () => {
    const a = Float64Array.of(4, 2, 0.6, 2, 5, 1, 0.6, 1, 3);
    const l = cholesky(a, 3)!;
    const x = solveLowerTransposed(l, 3, solveLower(l, 3, [1, 2, 3]));
    const back = [0, 1, 2].map((i) => a[i * 3] * x[0] + a[i * 3 + 1] * x[1] + a[i * 3 + 2] * x[2]);
    back.forEach((v, i) => expect(v).toBeCloseTo(i + 1, 12));
    const inv = inverseFromCholesky(l, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(a[i * 3] * inv[j] + a[i * 3 + 1] * inv[3 + j] + a[i * 3 + 2] * inv[6 + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    expect(cholesky(Float64Array.of(1, 2, 2, 1), 2)).toBeNull();
  });
});

describe('normal distribution', () => {
  it('has the quantile as the inverse of the distribution function', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    for (const p of [1e-6, 0.01, 0.2, 0.7, 0.99]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });
});

describe('CopulaWarp', () => {
  it('is monotone, gives equal signals equal values, standardises, and inverts at the data', () => {
    const signals = [0.1, 0.93, 0.9, 0.91, 0.91, 0.5, 0.92, 0.1];
    const warp = new CopulaWarp(signals);
    for (let i = 0; i < signals.length; i++)
      for (let j = 0; j < signals.length; j++) {
        if (signals[i] < signals[j]) expect(warp.latent[i]).toBeLessThan(warp.latent[j]);
        if (signals[i] === signals[j]) expect(warp.latent[i]).toBe(warp.latent[j]);
      }
    const mean = warp.latent.reduce((a, b) => a + b, 0) / signals.length;
    expect(mean).toBeCloseTo(0, 12);
    expect(warp.latent.reduce((a, b) => a + (b - mean) ** 2, 0) / signals.length).toBeCloseTo(1, 12);
    signals.forEach((s, i) => expect(warp.toSignal(warp.latent[i])).toBeCloseTo(s, 12));
    // Monotone in between and beyond the data too.
    let previous = -Infinity;
    for (let z = -4; z <= 4; z += 0.05) {
      const s = warp.toSignal(z);
      expect(s).toBeGreaterThanOrEqual(previous);
      previous = s;
    }
  });
});

describe('CategoricalGp', () => {
  const x = slotMatrix(draws(30, 1), 4);
  const y = Float64Array.from(draws(30, 1), (a) => (toy(a) - 0.8) * 10);
  const hp = { slotWeights: [0.5, 0.5, 0.5, 0.5], noise: 1e-6 };

  it('interpolates its data when noise is small', () => {
    const gp = new CategoricalGp(x, y, hp);
    const { mean, std } = gp.posterior(x);
    y.forEach((v, i) => expect(mean[i]).toBeCloseTo(v, 3));
    for (const s of std) expect(s).toBeLessThan(0.01);
  });

  it('is more certain near its data than far from it', () => {
    const gp = new CategoricalGp(slotMatrix([[0, 0, 0, 0]], 4), Float64Array.of(1), hp);
    const { std } = gp.posterior(slotMatrix([[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 1], [4, 4, 4, 4]], 4));
    expect(std[0]).toBeLessThan(std[1]);
    expect(std[1]).toBeLessThan(std[2]);
    expect(std[2]).toBeLessThan(std[3]);
  });

  it('ML-II raises the marginal likelihood and weighs the slots that matter', () => {
    const actions = draws(60, 2);
    const x60 = slotMatrix(actions, 4);
    const y60 = new CopulaWarp(actions.map(toy)).latent;
    const start = new CategoricalGp(x60, y60, { slotWeights: new Array(4).fill(FIT_DEFAULTS.priorWeight), noise: FIT_DEFAULTS.initialNoise });
    const fitted = fitHyperparameters(x60, y60);
    expect(new CategoricalGp(x60, y60, fitted).logMarginalLikelihood).toBeGreaterThan(start.logMarginalLikelihood + 1);
    const [w0, w1, w2, w3] = fitted.slotWeights;
    expect(Math.min(w0, w1)).toBeGreaterThan(Math.max(w2, w3));
    // Deterministic: the same data give the same fit.
    expect(fitHyperparameters(x60, y60)).toEqual(fitted);
  });
});

describe('Predictor', () => {
  it('predicts signals in signal units, better where it has seen data', () => {
    const actions = draws(80, 3);
    const p = new Predictor(4);
    const fit = p.fit(actions, actions.map(toy));
    expect(fit).toMatchObject({ trainSize: 80, refitted: true });
    const unseen = draws(200, 4).filter((a) => !actions.some((b) => b.join() === a.join()));
    const predictions = p.predict(unseen);
    const error = predictions.reduce((s, q, i) => s + Math.abs(q.mean - toy(unseen[i])), 0) / unseen.length;
    expect(error).toBeLessThan(0.02);
    const known = p.predict(actions.slice(0, 10));
    const meanStd = (qs: { std: number }[]) => qs.reduce((s, q) => s + q.std, 0) / qs.length;
    expect(meanStd(known)).toBeLessThan(meanStd(predictions));
  });

  it('refits every refitEvery results, keeps its hyperparameters in between, and caps its training set', () => {
    const actions = draws(30, 5);
    const signals = actions.map(toy);
    const p = new Predictor(4, { refitEvery: 5, maxTrain: 20, steps: 5 });
    expect(p.fit(actions.slice(0, 10), signals.slice(0, 10)).refitted).toBe(true);
    const state = p.state();
    expect(p.fit(actions.slice(0, 14), signals.slice(0, 14)).refitted).toBe(false);
    expect(p.state()).toEqual(state);
    const capped = p.fit(actions, signals);
    expect(capped).toMatchObject({ refitted: true, trainSize: 20 });
    // The best result is always among those kept.
    const best = signals.indexOf(Math.max(...signals));
    expect(p.predict([actions[best]])[0].mean).toBeCloseTo(signals[best], 2);
  });
});

describe('acquisitions', () => {
  it('UCB adds κ standard deviations; EI is positive, grows with the mean and the std', () => {
    expect(acquisitionValue({ kind: 'ucb', kappa: 2 }, 1, 0.5, 0)).toBe(2);
    const ei = (m: number, s: number) => acquisitionValue({ kind: 'ei', kappa: 0 }, m, s, 1);
    expect(ei(0, 0.1)).toBeGreaterThan(0);
    expect(ei(0.5, 0.3)).toBeGreaterThan(ei(0.2, 0.3));
    expect(ei(0.5, 0.6)).toBeGreaterThan(ei(0.5, 0.3));
    expect(ei(1, 1)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 6);
  });
});
