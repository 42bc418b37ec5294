/** The Tune view's pure logic: the time axis of a steered training, the comparison table, the words for a decision, the forms. */
import { describe, expect, it } from 'vitest';
import type { EpisodeOutcome, Hyperparameters, TuneDecision, TuneEpoch, TuneSessionSummary } from '../../src/shared/tuning';
import { applyParams, learnParams, parseModelsText, parseSeeds, trainingParams, DEFAULT_TRAINING } from '../../src/renderer/src/features/tune/forms';
import { alignTimelines, compareSchedules, describeDecision, formatAccuracy, learningCurve, timeline, withBefore } from '../../src/renderer/src/features/tune/model';

const start: Hyperparameters = { learningRate: 1e-3, optimizer: 'adam', dropout: 0, weightDecay: 0 };

const epoch = (n: number, acc: number, h: Hyperparameters = start): TuneEpoch => ({ epoch: n, trainLoss: 1 / n, validLoss: 1.2 / n, validAccuracy: acc, hyperparameters: h, seconds: 1 });
const decision = (step: number, progress: number, change?: TuneDecision['change'], h: Hyperparameters = start): TuneDecision => ({
  step,
  progress,
  epoch: Math.max(1, Math.ceil(progress * 4)),
  interveneProbability: change ? 0.8 : 0.2,
  threshold: 0.5,
  intervened: !!change,
  ...(change ? { change } : {}),
  hyperparameters: h,
  reward: 0,
});

describe('a steered training on the epoch axis', () => {
  const lowered = { ...start, learningRate: 1e-4 };
  const switched = { ...lowered, optimizer: 'momentum' as const, dropout: 0.1 };
  const trace = {
    epochs: [epoch(1, 0.5), epoch(2, 0.6, lowered), epoch(3, 0.7, lowered), epoch(4, 0.72, switched)],
    decisions: [
      decision(0, 0.25),
      decision(1, 0.5, { lrFactor: 0.1, optimizer: 'keep', dropoutDelta: 0, weightDecayFactor: 1 }, lowered),
      decision(2, 0.625, { lrFactor: 1, optimizer: 'momentum', dropoutDelta: 0.1, weightDecayFactor: 1 }, switched),
      decision(3, 0.75, undefined, switched),
    ],
  };

  it('puts epochs and decisions on one axis from 0, the hyperparameters as steps from each decision on, and marks each intervention', () => {
    const line = timeline(trace, 4, start);
    expect(line.x).toEqual([0, 1, 2, 2.5, 3, 4]);
    expect(line.validAccuracy).toEqual([null, 0.5, 0.6, null, 0.7, 0.72]);
    expect(line.learningRate).toEqual([1e-3, 1e-3, 1e-4, 1e-4, 1e-4, 1e-4]);
    expect(line.optimizer).toEqual([2, 2, 2, 1, 1, 1]); // adam, then momentum (OPTIMIZERS order: sgd, momentum, adam, rmsprop)
    expect(line.dropout).toEqual([0, 0, 0, 0.1, 0.1, 0.1]);
    expect(line.interventions).toEqual([2, 2.5]);
  });

  it('lines several schedules up on the union of their x values', () => {
    const a = timeline(trace, 4, start);
    const b = timeline({ epochs: [epoch(1, 0.4), epoch(2, 0.45)], decisions: [] }, 4, start);
    const { x, series } = alignTimelines([{ label: 'controller', line: a }, { label: 'constant', line: b }], 'validAccuracy');
    expect(x).toEqual([0, 1, 2, 2.5, 3, 4]);
    expect(series[1].values).toEqual([null, 0.4, 0.45, null, null, null]);
  });

  it('says what a decision changed, to what, and why it acted', () => {
    expect(describeDecision(trace.decisions[1], 4)).toBe('epoch 2 · lr ×0.1 → 1.0e-4 (P 0.80 > threshold 0.50)');
    expect(describeDecision(trace.decisions[2], 4)).toBe('epoch 2.50 · optimizer → momentum · dropout +0.1 → 0.10 (P 0.80 > threshold 0.50)');
    expect(describeDecision(trace.decisions[0], 4)).toBe('epoch 1 · no change (P 0.20 ≤ threshold 0.50)');
    // A switch to the optimizer in use changes nothing, and is not said.
    expect(describeDecision(trace.decisions[2], 4, switched)).toBe('epoch 2.50 · dropout +0.1 → 0.10 (P 0.80 > threshold 0.50)');
    expect(withBefore(trace.decisions, start).map((d) => d.before.learningRate)).toEqual([1e-3, 1e-3, 1e-4, 1e-4]);
  });
});

describe('the controller against the baselines', () => {
  const outcome = (test: number, interventions = 0): EpisodeOutcome => ({
    status: 'completed',
    epochs: [epoch(1, test - 0.01)],
    decisions: Array.from({ length: interventions }, (_, i) => decision(i, 1, { lrFactor: 0.3, optimizer: 'keep', dropoutDelta: 0, weightDecayFactor: 1 })),
    finalValidAccuracy: test - 0.01,
    testAccuracy: test,
    return: 1,
    seconds: 10,
  });
  const session: Pick<TuneSessionSummary, 'schedules'> = {
    schedules: [
      { schedule: 'constant', seed: 0, outcome: outcome(0.8) },
      { schedule: 'controller', seed: 0, outcome: outcome(0.84, 2) },
      { schedule: 'controller', seed: 1, outcome: outcome(0.86, 1) },
      { schedule: 'constant', seed: 1, outcome: outcome(0.82) },
      { schedule: 'cosine', seed: 0 },
      { schedule: 'cosine', seed: 1 },
    ],
  };

  it('gives each schedule its mean ± sample std of test accuracy over the finished seeds, the controller first, the best marked', () => {
    const rows = compareSchedules(session);
    expect(rows.map((r) => r.schedule)).toEqual(['controller', 'constant', 'cosine']);
    expect(rows[0]).toMatchObject({ done: 2, planned: 2, interventionsMean: 1.5, best: true });
    expect(rows[0].testMean).toBeCloseTo(0.85, 10);
    expect(rows[0].testStd).toBeCloseTo(Math.SQRT2 * 0.01, 10);
    expect(rows[2]).toMatchObject({ done: 0, planned: 2, testMean: null, best: false });
    expect(formatAccuracy(rows[0].testMean, rows[0].testStd)).toBe('85.00% ± 1.41');
    expect(formatAccuracy(rows[2].testMean, rows[2].testStd)).toBe('–');
  });

  it('draws the learning curve one point per episode, an episode without decisions leaving a gap in the threshold', () => {
    const curve = learningCurve([
      { episode: 1, task: 'a', return: 0.5, finalValidAccuracy: 0.6, interventions: 2, threshold: 0.45 },
      { episode: 2, task: 'b', return: 0.7, finalValidAccuracy: 0.65, interventions: 0, threshold: Number.NaN },
    ]);
    expect(curve).toEqual({ x: [1, 2], returns: [0.5, 0.7], validAccuracy: [0.6, 0.65], interventions: [2, 0], threshold: [0.45, null] });
  });
});

describe('the Tune forms', () => {
  it('turn the training fields into a task’s settings, naming a bad field', () => {
    expect(trainingParams({ ...DEFAULT_TRAINING, subset: '', epochs: '3' })).toEqual({
      ok: true,
      value: { dataset: 'fashion-mnist', epochs: 3, batchSize: 64, decisionsPerEpoch: 1, initial: { learningRate: 0.001, optimizer: 'adam', dropout: 0, weightDecay: 0 } },
    });
    expect(trainingParams({ ...DEFAULT_TRAINING, epochs: '0' })).toEqual({ ok: false, problem: 'epochs: a whole number from 1 to 200, not "0"' });
    expect(trainingParams({ ...DEFAULT_TRAINING, dataset: 'cifar10' })).toEqual({ ok: false, problem: 'data directory: the cifar10 dataset needs one' });
  });

  it('read one architecture or a list of them, naming the first bad layer', () => {
    const one = parseModelsText('[{"type":"dense","units":8}]', 'net');
    expect(one).toEqual({ ok: true, value: [{ kind: 'layers', name: 'net', layers: [expect.objectContaining({ type: 'dense', units: 8 })] }] });
    const many = parseModelsText('[{"name":"a","layers":[{"type":"dense","units":8}]},{"layers":[{"type":"dense","units":4}]}]', 'net');
    expect(many.ok && many.value.map((m) => m.name)).toEqual(['a', 'net 2']);
    expect(parseModelsText('[{"name":"a","layers":[{"type":"dense","units":-1}]}]')).toEqual({ ok: false, problem: expect.stringMatching(/^architecture 1: layer 1 \(dense\): units/) });
    expect(parseModelsText('{oops')).toEqual({ ok: false, problem: expect.stringMatching(/^architecture JSON: /) });
  });

  it('read seeds and refuse a repeated one', () => {
    expect(parseSeeds('0, 1,2')).toEqual({ ok: true, value: [0, 1, 2] });
    expect(parseSeeds('1,1')).toEqual({ ok: false, problem: 'seeds: 1 is given twice' });
    expect(parseSeeds('')).toEqual({ ok: false, problem: 'seeds: at least one, e.g. 0 or 0,1,2' });
  });

  it('build the parameters of tuning.apply and tuning.learn', () => {
    const applied = applyParams({ controller: 'c', model: { kind: 'candidate', runId: 'r1', index: '3' }, training: DEFAULT_TRAINING, baselines: ['cosine'], seeds: '0,1', fineTune: '2' });
    expect(applied).toMatchObject({ ok: true, value: { controller: 'c', model: { kind: 'candidate', runId: 'r1', index: 3 }, baselines: ['cosine'], seeds: [0, 1], fineTuneEpisodes: 2 } });
    expect(applyParams({ controller: '', model: { kind: 'json', text: '[]' }, training: DEFAULT_TRAINING, baselines: [], seeds: '0', fineTune: '0' })).toEqual({ ok: false, problem: 'controller: choose one (or learn one first)' });
    const form = { name: ' fm ', source: 'json' as const, models: '[{"type":"dense","units":8}]', actionSetId: '', count: '4', training: DEFAULT_TRAINING, episodes: '4', seed: '1', trainFrequencyMin: '8', trainFrequencyMax: '32', parallelEpisodes: '3' };
    expect(learnParams(form)).toMatchObject({ ok: true, value: { name: 'fm', settings: { episodes: 4, seed: 1, trainFrequencyMin: 8, trainFrequencyMax: 32, parallelEpisodes: 3 }, models: [{ kind: 'layers' }] } });
    expect(learnParams({ ...form, parallelEpisodes: '65' })).toMatchObject({ ok: false, problem: expect.stringMatching(/^episodes at once: /) });
    expect(learnParams({ ...form, source: 'sample', actionSetId: '2' })).toMatchObject({ ok: true, value: { sample: { actionSetId: 2, count: 4 } } });
    expect(learnParams({ ...form, source: 'sample' })).toEqual({ ok: false, problem: 'action set: choose the set to sample networks from' });
    expect(learnParams({ ...form, trainFrequencyMin: '64' })).toEqual({ ok: false, problem: 'update frequency: at least 64 is above at most 32' });
    expect(learnParams({ ...form, name: '' })).toEqual({ ok: false, problem: 'name: a controller needs a name' });
  });
});
