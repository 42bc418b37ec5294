import { describe, expect, it } from 'vitest';
import type { RunUpdate } from '../../src/shared/api';
import type { SearchEvent } from '../../src/shared/events';
import { candidateStatusText, warmStartText, type CandidateDetail, type CandidateRow, type RunDetail } from '../../src/shared/history';
import { formatPoints, formatPrediction, predictionError, predictorError, rowPrediction } from '../../src/renderer/src/lib/prediction';
import { parseRunConfig, type RunConfig } from '../../src/shared/run-config';
import { DEFAULT_LAUNCH_FORM, formFromRun, RUN_ACTION_SET, validateLaunch } from '../../src/renderer/src/features/run-live/launch-form';
import { candidateHeading, controls, epochProgress, etaSeconds, formatDuration, progressNote } from '../../src/renderer/src/features/run-live/live-display';
import { candidateChartSeries, PREDICTED_COLOR, PRUNED_COLOR } from '../../src/renderer/src/features/run-live/live-columns';
import { applyUpdate, emptyLiveRun, fromSnapshot, insertLeaderboard, LEADERBOARD_SIZE, type LeaderboardEntry, type LiveRun } from '../../src/renderer/src/features/run-live/live-run';

const RUN = 'run-1';
const ACTION_SET = { name: 'mlp', maxLayers: 2, nodes: [{ id: 'dense', layer: { type: 'dense', units: [16, 32] } }], edges: [] };
const CONFIG: RunConfig = parseRunConfig({ evaluator: 'training', strategy: 'ppo', budget: 10, seed: 0, actionSet: ACTION_SET, training: { epochs: 3 } });

const ev = (event: SearchEvent, runId = RUN): RunUpdate => ({ runId, kind: 'event', event });
const epoch = (index: number, n: number, validAccuracy = 0.5): RunUpdate =>
  ev({ type: 'epoch_done', index, metrics: { epoch: n, trainLoss: 1 / n, trainAccuracy: 0.4, validLoss: 1.2 / n, validAccuracy, seconds: 0.1, imagesPerSecond: 1000 } });
const proposed = (index: number): RunUpdate =>
  ev({ type: 'candidate_proposed', index, action: [1], label: `dense ${index}`, hash: `h${index}`, architecture: { layers: [{ type: 'dense', units: 16 }] } });
const finished = (index: number, signal: number, extra: Partial<Extract<SearchEvent, { type: 'candidate_finished' }>> = {}): RunUpdate =>
  ev({ type: 'candidate_finished', index, status: 'completed', signal, reward: signal, cached: false, params: 100 + index, testAccuracy: signal - 0.01, seconds: 2, ...extra });

function fold(state: LiveRun, updates: RunUpdate[]): LiveRun {
  return updates.reduce(applyUpdate, state);
}

function candidate(index: number, signal: number): RunUpdate[] {
  return [proposed(index), epoch(index, 1), epoch(index, 2), epoch(index, 3, signal), finished(index, signal)];
}

function runDetail(patch: Partial<RunDetail> = {}): RunDetail {
  return {
    id: RUN,
    name: 'live',
    status: 'running',
    statusReason: null,
    failedDuring: null,
    strategy: 'ppo',
    evaluator: 'training',
    dataset: 'synthetic',
    mode: 'full',
    budget: 10,
    evaluations: 0,
    cacheHits: 0,
    bestIndex: null,
    bestSignal: null,
    bestTestAcc: null,
    bestLabel: null,
    backend: 'wasm',
    device: 'CPU (WebAssembly)',
    createdAt: 0,
    startedAt: 0,
    finishedAt: null,
    updatedAt: 0,
    runMs: 0,
    measuredAt: 0,
    config: CONFIG,
    settingsKey: 'k',
    warmStart: null,
    seed: 0,
    ownerPid: 1,
    heartbeatAt: 0,
    ...patch,
  };
}

function row(index: number, validAcc: number | null, patch: Partial<CandidateRow> = {}): CandidateRow {
  return {
    runId: RUN,
    index,
    status: 'completed',
    hash: `h${index}`,
    label: `dense ${index}`,
    params: 100 + index,
    reward: validAcc,
    validAcc,
    bestValidAcc: validAcc,
    validLoss: 1,
    trainAcc: 0.5,
    trainLoss: 1,
    testAcc: validAcc === null ? null : validAcc - 0.01,
    seconds: 4,
    error: null,
    cached: false,
    createdAt: 0,
    updatedAt: 0,
    finishedAt: 0,
    epochsReached: null,
    predictionMean: null,
    predictionStd: null,
    ...patch,
  };
}

describe('applyUpdate', () => {
  it('follows a run: candidates, epochs, series, leaderboard and best', () => {
    let state = emptyLiveRun(RUN, { config: CONFIG });
    state = fold(state, [
      ev({ type: 'run_started', runId: RUN, strategy: 'ppo', evaluator: 'training', budget: 10, evaluations: 0 }),
      ...candidate(0, 0.6),
      proposed(1),
      epoch(1, 1),
    ]);
    expect(state.status).toBe('running');
    expect(state.budget).toBe(10);
    expect(state.done).toBe(1);
    expect(state.series).toEqual({ index: [0], reward: [0.6], signal: [0.6], prunedReward: [null], prunedSignal: [null], bestSoFar: [0.6], predicted: [null], predictedStd: [null] });
    expect(state.current?.index).toBe(1);
    expect(state.current?.epochs.map((e) => e.epoch)).toEqual([1]);
    expect(state.best?.index).toBe(0);
    expect(state.best?.epochs).toHaveLength(3);
    expect(epochProgress(state)).toBeCloseTo(1 / 3);

    state = fold(state, [epoch(1, 2), epoch(1, 3, 0.4), finished(1, 0.4), ...candidate(2, 0.9)]);
    expect(state.series.bestSoFar).toEqual([0.6, 0.6, 0.9]);
    expect(state.leaderboard.map((e) => e.index)).toEqual([2, 0, 1]);
    expect(state.leaderboard[0]).toMatchObject({ validAcc: 0.9, testAcc: 0.89, params: 102, label: 'dense 2', status: 'completed' });
    expect(state.best?.index).toBe(2);
    expect(state.best?.epochs).toHaveLength(3);
    expect(epochProgress(state)).toBe(1);
  });

  it('keeps detail only for the current and the best candidate', () => {
    let state = emptyLiveRun(RUN, { config: CONFIG });
    state = fold(state, [...candidate(0, 0.9), ...candidate(1, 0.1), proposed(2), epoch(2, 1)]);
    expect(state.best?.index).toBe(0);
    expect(state.current?.index).toBe(2);
    // Candidate 1's epochs are gone; what remains of it is one leaderboard entry and its series values.
    expect(JSON.stringify(state)).not.toContain('"index":1,"label"');
  });

  it('is idempotent: replayed updates change nothing', () => {
    const updates = [...candidate(0, 0.5), ...candidate(1, 0.7), ev({ type: 'agent_updated', iteration: 1, evaluations: 2, diagnostics: { approxKl: 0.01 } })];
    const once = fold(emptyLiveRun(RUN, { config: CONFIG }), updates);
    const version = once.version;
    const twice = fold(once, updates);
    expect(twice.version).toBe(version);
    expect(twice.done).toBe(2);
    expect(twice.series.index).toEqual([0, 1]);
    expect(twice.leaderboard).toHaveLength(2);
    expect(twice.diagnostics.iteration).toEqual([1]);
    expect(twice.secondsSum).toBe(4);
  });

  it('ignores updates of other runs', () => {
    const state = emptyLiveRun(RUN);
    expect(applyUpdate(state, { runId: 'other', kind: 'status', status: 'failed', reason: 'x' })).toBe(state);
    expect(applyUpdate(state, { ...finished(0, 0.5), runId: 'other' })).toBe(state);
  });

  it('takes status with its reason, and the environment', () => {
    let state = emptyLiveRun(RUN);
    state = applyUpdate(state, {
      runId: RUN,
      kind: 'environment',
      backend: { name: 'wasm', tfBackend: 'wasm', device: 'CPU (WebAssembly SIMD)', probes: [] },
      settingsKey: 'k',
      description: 'synthetic 12×12×1',
    });
    expect(state.backend).toEqual({ name: 'wasm', device: 'CPU (WebAssembly SIMD)', tfBackend: 'wasm' });
    expect(state.description).toBe('synthetic 12×12×1');
    state = applyUpdate(state, { runId: RUN, kind: 'status', status: 'failed', reason: 'out of memory', failedDuring: 'search' });
    expect(state).toMatchObject({ status: 'failed', reason: 'out of memory', failedDuring: 'search' });
    expect(controls(state)).toEqual({ pause: false, resume: true, stop: false, runAgain: false });
    state = applyUpdate(state, { runId: RUN, kind: 'status', status: 'running' });
    expect(state).toMatchObject({ reason: null, failedDuring: null });
    expect(controls(state)).toEqual({ pause: true, resume: false, stop: true, runAgain: false });
    // Failed while setting up: resuming would fail the same way, so it is run again with changes.
    state = applyUpdate(state, { runId: RUN, kind: 'status', status: 'failed', reason: '/x: directory not found', failedDuring: 'setup' });
    expect(controls(state)).toEqual({ pause: false, resume: false, stop: false, runAgain: true });
  });

  it('ends with run_finished', () => {
    const state = fold(emptyLiveRun(RUN, { config: CONFIG }), [
      ...candidate(0, 0.5),
      finished(1, 0.5, { cached: true }),
      ev({ type: 'run_finished', status: 'cancelled', evaluations: 2, cacheHits: 1, bestIndex: 0 }),
    ]);
    expect(state.status).toBe('stopped');
    expect(state.cacheHits).toBe(1);
    expect(state.done).toBe(2);
    expect(controls({ status: 'completed', failedDuring: null, done: 2 })).toEqual({ pause: false, resume: false, stop: false, runAgain: false });
  });

  it('records agent diagnostics as columns, a new key filled with nulls before it', () => {
    const state = fold(emptyLiveRun(RUN), [
      ev({ type: 'agent_updated', iteration: 1, evaluations: 10, diagnostics: { entropyLoss: -1.5, approxKl: 0.01 } }),
      ev({ type: 'agent_updated', iteration: 2, evaluations: 20, diagnostics: { entropyLoss: -1.4, clipFraction: 0.2 } }),
      ev({ type: 'agent_updated', iteration: 2, evaluations: 20, diagnostics: { entropyLoss: -9 } }),
    ]);
    expect(state.diagnostics.iteration).toEqual([1, 2]);
    expect(state.diagnostics.evaluations).toEqual([10, 20]);
    expect(state.diagnostics.values).toEqual({ entropyLoss: [-1.5, -1.4], approxKl: [0.01, null], clipFraction: [null, 0.2] });
  });

  it('folds 10,000 epoch events into ten finished candidates', () => {
    const config = parseRunConfig({ ...CONFIG, training: { epochs: 1000 } });
    let state = emptyLiveRun(RUN, { config });
    for (let c = 0; c < 10; c++) {
      state = applyUpdate(state, proposed(c));
      for (let e = 1; e <= 1000; e++) state = applyUpdate(state, epoch(c, e));
      state = applyUpdate(state, finished(c, c / 10));
    }
    expect(state.done).toBe(10);
    expect(state.best?.epochs).toHaveLength(1000);
  });
});

describe('fromSnapshot', () => {
  const current: CandidateDetail = {
    ...row(3, 0.3, { status: 'running' }),
    epochs: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.3, validLoss: 1, validAccuracy: 0.3, seconds: 1, imagesPerSecond: 10 }],
    architecture: { layers: [] },
    action: [1],
    hasModel: false,
    rewardParts: null,
  };

  it('rebuilds the live state from the history, then follows updates without duplicates', () => {
    const snapshot = fromSnapshot({
      run: runDetail({ evaluations: 3, bestIndex: 1, cacheHits: 1 }),
      series: [
        { index: 0, reward: 0.5, signal: 0.5, bestSoFar: 0.5 },
        { index: 1, reward: 0.8, signal: 0.8, bestSoFar: 0.8 },
        { index: 2, reward: 0.2, signal: 0.2, bestSoFar: 0.8 },
      ],
      // A running candidate's validAcc is its latest epoch's: not on the leaderboard.
      top: [row(1, 0.8), row(0, 0.5), current, row(2, 0.2)],
      recent: [current, row(2, 0.2), row(1, 0.8), row(0, 0.5)],
      current,
      best: { ...row(1, 0.8), epochs: [], architecture: { layers: [] }, action: [1], hasModel: true, rewardParts: null },
      updates: [{ iteration: 1, evaluations: 2, diagnostics: { approxKl: 0.02 }, policy: null, createdAt: 0 }],
    });
    expect(snapshot).toMatchObject({ status: 'running', budget: 10, done: 3, cacheHits: 1, secondsSum: 12, secondsCount: 3 });
    expect(snapshot.backend).toEqual({ name: 'wasm', device: 'CPU (WebAssembly)' });
    expect(snapshot.leaderboard.map((e) => e.index)).toEqual([1, 0, 2]);
    expect(snapshot.current?.status).toBe('running');
    expect(snapshot.current?.signal).toBeNull();
    expect(snapshot.best?.index).toBe(1);
    expect(snapshot.diagnostics.values.approxKl).toEqual([0.02]);

    // Updates buffered while it loaded overlap with it: replaying them adds only what is new.
    const state = fold(snapshot, [
      finished(2, 0.2),
      epoch(3, 1),
      epoch(3, 2),
      finished(3, 0.95),
      ev({ type: 'agent_updated', iteration: 1, evaluations: 2, diagnostics: { approxKl: 0.5 } }),
    ]);
    expect(state.series.index).toEqual([0, 1, 2, 3]);
    expect(state.series.bestSoFar).toEqual([0.5, 0.8, 0.8, 0.95]);
    expect(state.done).toBe(4);
    expect(state.best?.index).toBe(3);
    expect(state.best?.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(state.leaderboard[0].index).toBe(3);
    expect(state.diagnostics.values.approxKl).toEqual([0.02]);
  });
});

describe('pruned candidates', () => {
  const pruned = (index: number, signal: number, reached: number): RunUpdate[] => [
    proposed(index),
    ...Array.from({ length: reached }, (_, e) => epoch(index, e + 1, signal)),
    finished(index, signal, { status: 'pruned', epochsReached: reached, testAccuracy: undefined }),
  ];

  it('are drawn apart in the per-candidate charts, in their own colour, and stay off the best-so-far line, the leaderboard and the best', () => {
    const state = fold(emptyLiveRun(RUN, { config: { ...CONFIG, prune: 'median' } }), [...candidate(0, 0.6), ...pruned(1, 0.9, 1), ...candidate(2, 0.7)]);
    expect(state.series).toEqual({
      index: [0, 1, 2],
      reward: [0.6, null, 0.7],
      signal: [0.6, null, 0.7],
      prunedReward: [null, 0.9, null],
      prunedSignal: [null, 0.9, null],
      bestSoFar: [0.6, 0.6, 0.7],
      predicted: [null, null, null],
      predictedStd: [null, null, null],
    });
    expect(state.leaderboard.map((e) => e.index)).toEqual([2, 0]);
    expect(state.best?.index).toBe(2);
    expect(state.done).toBe(3);

    const { reward, accuracy } = candidateChartSeries(state.series, true);
    const prunedPoints = accuracy.find((s) => s.values === state.series.prunedSignal);
    expect(prunedPoints).toMatchObject({ color: PRUNED_COLOR, points: true, label: 'pruned: accuracy when stopped' });
    expect(accuracy.find((s) => s.values === state.series.signal)?.color).not.toBe(PRUNED_COLOR);
    expect(reward.find((s) => s.values === state.series.prunedReward)).toMatchObject({ color: PRUNED_COLOR, points: true });
    // A run that does not prune has no legend entry for them.
    expect(candidateChartSeries(state.series, false).accuracy.map((s) => s.label)).toEqual(['best so far', 'validation accuracy']);
  });

  it('say where they were stopped: "pruned at epoch e"', () => {
    const state = fold(emptyLiveRun(RUN, { config: CONFIG }), pruned(4, 0.3, 2));
    expect(state.current).toMatchObject({ status: 'pruned', epochsReached: 2 });
    expect(candidateStatusText(state.current!)).toBe('pruned at epoch 2');
    expect(candidateStatusText(row(1, 0.5, { status: 'pruned', epochsReached: 3 }))).toBe('pruned at epoch 3');
    expect(candidateStatusText(row(1, 0.5))).toBe('completed');
  });

  it('come from the history marked, and keep out of best-so-far there too', () => {
    const state = fromSnapshot({
      run: runDetail({ evaluations: 2, bestIndex: 0, config: { ...CONFIG, prune: 'asha' } }),
      series: [
        { index: 0, reward: 0.5, signal: 0.5, bestSoFar: 0.5 },
        { index: 1, reward: 0.8, signal: 0.8, bestSoFar: 0.5, pruned: true },
      ],
      top: [row(1, 0.8, { status: 'pruned', epochsReached: 1 }), row(0, 0.5)],
      recent: [],
      updates: [],
    });
    expect(state.series).toMatchObject({ signal: [0.5, null], prunedSignal: [null, 0.8], bestSoFar: [0.5, 0.5] });
    expect(state.leaderboard.map((e) => e.index)).toEqual([0]);
  });
});

describe('several candidates in flight (workers > 1)', () => {
  const WORKERS: RunConfig = { ...CONFIG, workers: 3 };
  const inFlight = (state: LiveRun) => state.inFlight.map((c) => ({ index: c.index, epoch: c.epochs.at(-1)?.epoch ?? 0, valid: c.epochs.at(-1)?.validAccuracy ?? null }));

  it('shows every candidate in flight with its latest epoch, keeps the current panel on the newest, and drops each as it finishes', () => {
    const updates = [proposed(0), proposed(1), proposed(2), epoch(0, 1), epoch(2, 1, 0.7), epoch(0, 2, 0.55), epoch(1, 1, 0.4)];
    let state = fold(emptyLiveRun(RUN, { config: WORKERS }), updates);
    expect(inFlight(state)).toEqual([
      { index: 0, epoch: 2, valid: 0.55 },
      { index: 1, epoch: 1, valid: 0.4 },
      { index: 2, epoch: 1, valid: 0.7 },
    ]);
    // The current panel shows the newest candidate's own epochs, not the others'.
    expect(state.current?.index).toBe(2);
    expect(state.current?.epochs.map((e) => e.validAccuracy)).toEqual([0.7]);
    expect(state.inFlight[1].label).toBe('dense 1');

    const more = [finished(1, 0.45), proposed(3), epoch(0, 3, 0.6)];
    state = fold(state, more);
    expect(inFlight(state).map((c) => c.index)).toEqual([0, 2, 3]);
    expect(state.leaderboard.map((e) => e.index)).toEqual([1]);
    expect(state.current?.index).toBe(3);
    expect(state.done).toBe(1);

    // A candidate that finishes out of the current panel keeps its epochs as the best.
    state = fold(state, [finished(0, 0.6)]);
    expect(state.best).toMatchObject({ index: 0, signal: 0.6, label: 'dense 0' });
    expect(state.best?.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(inFlight(state).map((c) => c.index)).toEqual([2, 3]);

    // Replayed, nothing changes.
    const version = state.version;
    expect(fold(state, [...updates, ...more, finished(0, 0.6)]).version).toBe(version);

    state = fold(state, [ev({ type: 'run_finished', status: 'cancelled', evaluations: 2, cacheHits: 0 })]);
    expect(state.inFlight).toEqual([]);
  });

  it('after a reload, the running candidates come back from the history with their epochs; a stopped run has none', () => {
    const running = (index: number, epochs: number): CandidateDetail => ({
      ...row(index, 0.3, { status: 'running' }),
      epochs: Array.from({ length: epochs }, (_, e) => ({ epoch: e + 1, trainLoss: 1, trainAccuracy: 0.3, validLoss: 1, validAccuracy: 0.3 + e / 10, seconds: 1, imagesPerSecond: 10 })),
      architecture: { layers: [] },
      action: [1],
      hasModel: false,
      rewardParts: null,
    });
    const snapshot = fromSnapshot({
      run: runDetail({ evaluations: 3, config: WORKERS }),
      series: [],
      top: [],
      recent: [running(4, 2), running(3, 1)],
      current: running(4, 2),
      running: [running(4, 2), running(3, 1)],
      updates: [],
    });
    expect(inFlight(snapshot)).toEqual([
      { index: 3, epoch: 1, valid: 0.3 },
      { index: 4, epoch: 2, valid: 0.4 },
    ]);
    const next = fold(snapshot, [epoch(3, 2, 0.5)]);
    expect(inFlight(next)[0]).toEqual({ index: 3, epoch: 2, valid: 0.5 });
    expect(next.current?.index).toBe(4);
    expect(fold(next, [{ runId: RUN, kind: 'status', status: 'stopped' }]).inFlight).toEqual([]);
  });

  it('the ETA shares the candidates left among the workers', () => {
    const run = { budget: 10, done: 4, secondsSum: 20, secondsCount: 4, status: 'running' as const, config: WORKERS };
    expect(etaSeconds(run)).toBe(10);
    expect(etaSeconds({ ...run, done: 8 })).toBe(5);
  });
});

describe('leaderboard', () => {
  const entry = (index: number, validAcc: number): LeaderboardEntry => ({ index, validAcc, testAcc: null, params: null, label: '', status: 'completed', cached: false, prediction: null });

  it('keeps the top entries by validation accuracy, the earlier first on ties', () => {
    let board: LeaderboardEntry[] = [];
    for (let i = 0; i < 30; i++) board = insertLeaderboard(board, entry(i, (i % 7) / 10));
    expect(board).toHaveLength(LEADERBOARD_SIZE);
    expect(board.map((e) => e.validAcc)).toEqual([0.6, 0.6, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4]);
    expect(board.slice(0, 4).map((e) => e.index)).toEqual([6, 13, 20, 27]);
  });

  it('returns the same array when a new entry does not make it', () => {
    let board: LeaderboardEntry[] = [];
    for (let i = 0; i < LEADERBOARD_SIZE; i++) board = insertLeaderboard(board, entry(i, 0.5 + i / 100));
    expect(insertLeaderboard(board, entry(99, 0.1))).toBe(board);
    expect(insertLeaderboard(board, entry(99, 0.9))[0].index).toBe(99);
  });
});

describe('ETA', () => {
  it('is the mean seconds per candidate times the candidates left', () => {
    expect(etaSeconds({ budget: 10, done: 4, secondsSum: 20, secondsCount: 4, status: 'running' })).toBe(30);
    expect(etaSeconds({ budget: 10, done: 4, secondsSum: 20, secondsCount: 4, status: 'completed' })).toBeNull();
    expect(etaSeconds({ budget: 10, done: 0, secondsSum: 0, secondsCount: 0, status: 'running' })).toBeNull();
    expect(etaSeconds({ budget: 4, done: 6, secondsSum: 6, secondsCount: 6, status: 'running' })).toBe(0);
  });

  it('does not run while the run is paused or pausing', () => {
    const run = { budget: 10, done: 4, secondsSum: 20, secondsCount: 4 };
    expect(etaSeconds({ ...run, status: 'paused' })).toBeNull();
    expect(etaSeconds({ ...run, status: 'running', pausing: true })).toBeNull();
    expect(progressNote({ ...run, status: 'running', pausing: false })).toBe('ETA 30s');
    expect(progressNote({ ...run, status: 'running', pausing: true })).toBe('pausing after this candidate…');
    expect(progressNote({ ...run, status: 'paused', pausing: false })).toBe('paused: resume to go on');
    expect(progressNote({ ...run, status: 'completed', pausing: false })).toBe('done');
    expect(progressNote({ ...run, status: 'stopped', pausing: false })).toBe('');
  });

  it('formats durations', () => {
    expect(formatDuration(0.4)).toBe('0s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(7620)).toBe('2h 07m');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('validateLaunch', () => {
  const sets = [{ id: 7, spec: ACTION_SET }];
  const form = { ...DEFAULT_LAUNCH_FORM, actionSet: '7' };

  it('prefills the form from a run ("run again with changes"): unchanged, it gives back the same config', () => {
    const run = parseRunConfig({
      name: 'sgd run',
      evaluator: 'training',
      strategy: 'evolution',
      budget: 12,
      seed: 4,
      dataset: 'fashion-mnist',
      dataDir: '/data/fmnist',
      subset: 500,
      prune: 'median',
      workers: 2,
      training: { epochs: 3, optimizer: 'sgd', weightDecay: 0.001, learningRate: 0.05, seed: 4, selectiveBackprop: { beta: 2, staleEpochs: 3 } },
      actionSet: ACTION_SET,
    });
    const stored = parseRunConfig(validateLaunch({ ...formFromRun(run, sets), name: 'sgd run' }, sets).config);
    expect(stored).toEqual(run);
    expect(formFromRun(run, sets)).toMatchObject({ name: 'sgd run (again)', actionSet: '7', dataDir: '/data/fmnist', subset: '500', selectiveBackprop: '2' });
    // Its action set no longer stored (or changed since): the run's own is used.
    const own = formFromRun(run, []);
    expect(own.actionSet).toBe(RUN_ACTION_SET);
    expect(parseRunConfig(validateLaunch(own, []).config).actionSet).toEqual(run.actionSet);
    // What was wrong is changed in the form; what the form does not show (sgd, weight decay) stays.
    const changed = parseRunConfig(validateLaunch({ ...own, dataDir: '/elsewhere' }, []).config);
    expect(changed).toMatchObject({ dataDir: '/elsewhere', training: { optimizer: 'sgd', weightDecay: 0.001 } });
  });

  it('makes a run config that main accepts', () => {
    const { config, errors } = validateLaunch({ ...form, name: ' quick ', budget: '5', epochs: '1', subset: '200', seed: '3' }, sets);
    expect(errors).toEqual({});
    const parsed = parseRunConfig(config);
    expect(parsed).toMatchObject({ name: 'quick', budget: 5, subset: 200, seed: 3, training: { epochs: 1, seed: 3 }, actionSet: { name: 'mlp' } });
  });

  it('switches selective backprop on with a beta, and leaves it off when empty', () => {
    expect(parseRunConfig(validateLaunch({ ...form, selectiveBackprop: '2' }, sets).config).training.selectiveBackprop).toEqual({ beta: 2, staleEpochs: 1 });
    expect(parseRunConfig(validateLaunch(form, sets).config).training).not.toHaveProperty('selectiveBackprop');
  });

  it('adds a time budget when one is typed, and none when the field is empty', () => {
    expect(parseRunConfig(validateLaunch({ ...form, timeBudget: '600' }, sets).config)).toMatchObject({ timeBudgetS: 600 });
    expect(parseRunConfig(validateLaunch(form, sets).config)).not.toHaveProperty('timeBudgetS');
  });

  it('selects the predictor-guided PPO agent', () => {
    const { config, errors } = validateLaunch({ ...form, predictor: 'gp' }, sets);
    expect(errors).toEqual({});
    expect(parseRunConfig(config)).toMatchObject({ strategy: 'ppo', predictor: 'gp' });
  });

  it('queues the candidates on a Redis for remote workers when given one, and trains here otherwise', () => {
    const { config, errors } = validateLaunch({ ...form, redis: ' rediss://u:p@cache:6390/1 ', workers: '8' }, sets);
    expect(errors).toEqual({});
    expect(parseRunConfig(config)).toMatchObject({ workers: 8, redis: { url: 'rediss://u:p@cache:6390/1', attempts: 3 } });
    expect(parseRunConfig(validateLaunch(form, sets).config)).not.toHaveProperty('redis');
  });

  it('leaves the action set out for the nb201 evaluator', () => {
    const { config } = validateLaunch({ ...form, evaluator: 'nb201', actionSet: '' }, sets);
    expect(parseRunConfig(config)).toMatchObject({ evaluator: 'nb201', nb201Dataset: 'cifar10' });
    expect(config?.actionSet).toBeUndefined();
  });

  it.each<[Partial<typeof form>, string, RegExp]>([
    [{ budget: '0' }, 'budget', /.+/],
    [{ budget: '' }, 'budget', /number/],
    [{ epochs: '2.5' }, 'epochs', /.+/],
    [{ learningRate: '-1' }, 'learningRate', /.+/],
    [{ batchSize: 'x' }, 'batchSize', /number/],
    [{ seed: '-1' }, 'seed', /.+/],
    [{ timeBudget: '0' }, 'timeBudget', /at least 1/],
    [{ timeBudget: '1.5' }, 'timeBudget', /whole number/],
    [{ subset: '0' }, 'subset', /.+/],
    [{ selectiveBackprop: '-1' }, 'selectiveBackprop', /.+/],
    [{ mode: 'layerwise', strategy: 'random' }, 'mode', /ppo/],
    [{ predictor: 'gp', strategy: 'evolution' }, 'predictor', /ppo/],
    [{ dataset: 'cifar10' }, 'dataDir', /cifar10/],
    [{ actionSet: '' }, 'actionSet', /action set/],
    [{ actionSet: '99' }, 'actionSet', /no longer/],
    [{ redis: 'localhost:6379' }, 'redis', /redis:\/\//],
    [{ redis: 'redis://h', evaluator: 'nb201', actionSet: '' }, 'redis', /training evaluator/],
  ])('%j: an error at %s', (patch, field, message) => {
    const result = validateLaunch({ ...form, ...patch }, sets);
    expect(result.config).toBeUndefined();
    expect(result.errors[field as keyof typeof result.errors]).toMatch(message);
  });
});

describe('the predictor beside the results', () => {
  const GP = parseRunConfig({ ...CONFIG, predictor: 'gp', warmStart: true });
  const guess = (index: number, mean: number, std: number): RunUpdate =>
    ev({ type: 'candidate_proposed', index, action: [1], label: `dense ${index}`, hash: `h${index}`, architecture: { layers: [] }, prediction: { mean, std } });

  it('keeps each candidate’s estimate from its proposal to the leaderboard, the series and the chart', () => {
    let state = fold(emptyLiveRun(RUN, { config: GP }), [proposed(0), finished(0, 0.5), guess(1, 0.6, 0.05), guess(2, 0.7, 0.02)]);
    expect(state.inFlight.map((c) => c.prediction)).toEqual([{ mean: 0.6, std: 0.05 }, { mean: 0.7, std: 0.02 }]);
    expect(state.current?.prediction).toEqual({ mean: 0.7, std: 0.02 });
    state = fold(state, [finished(1, 0.62), finished(2, 0.65)]);
    expect(state.series.predicted).toEqual([null, 0.6, 0.7]);
    expect(state.series.predictedStd).toEqual([null, 0.05, 0.02]);
    expect(state.leaderboard.map((e) => [e.index, e.validAcc, e.prediction])).toEqual([
      [2, 0.65, { mean: 0.7, std: 0.02 }],
      [1, 0.62, { mean: 0.6, std: 0.05 }],
      [0, 0.5, null],
    ]);
    const { accuracy } = candidateChartSeries(state.series, false);
    expect(accuracy.find((s) => s.label === 'predicted')).toEqual({ label: 'predicted', values: state.series.predicted, color: PREDICTED_COLOR, points: true });
    // Without any estimate there is no such series.
    expect(candidateChartSeries(fold(emptyLiveRun(RUN), [...candidate(0, 0.5)]).series, false).accuracy.map((s) => s.label)).not.toContain('predicted');
  });

  it('reads the estimates and the warm start back from the history', () => {
    const state = fold(
      fromSnapshot({
        run: runDetail({ config: GP, evaluations: 2, warmStart: { evaluations: 12, runs: 2 } }),
        series: [
          { index: 0, reward: 0.5, signal: 0.5, bestSoFar: 0.5, prediction: { mean: 0.55, std: 0.04 } },
          { index: 1, reward: 0.7, signal: 0.7, bestSoFar: 0.7 },
        ],
        top: [row(1, 0.7), row(0, 0.5, { predictionMean: 0.55, predictionStd: 0.04 })],
        recent: [],
        updates: [],
      }),
      [],
    );
    expect(state.warmStart).toEqual({ evaluations: 12, runs: 2 });
    expect(state.series.predicted).toEqual([0.55, null]);
    expect(state.leaderboard.map((e) => e.prediction)).toEqual([null, { mean: 0.55, std: 0.04 }]);
    expect(warmStartText(state.warmStart!)).toBe('from 12 earlier evaluations of 2 runs');
    // A live run learns its warm start from the environment update.
    const live = applyUpdate(emptyLiveRun(RUN, { config: GP }), {
      runId: RUN,
      kind: 'environment',
      backend: { name: 'wasm', tfBackend: 'wasm', device: 'CPU', probes: [] },
      settingsKey: 'k',
      description: 'd',
      warmStart: { evaluations: 1, runs: 1 },
    });
    expect(warmStartText(live.warmStart!)).toBe('from 1 earlier evaluation of 1 run');
    expect(warmStartText({ evaluations: 0, runs: 0 })).toBe('no earlier evaluation on this search space and data');
  });

  it('sums up its error: mean absolute error, bias, rank correlation and coverage of ±1 std', () => {
    // Three pairs (a pruned or unestimated candidate has a null on one side): errors −2, +5, +5 points.
    const error = predictorError([0.6, 0.7, 0.5, null, 0.9], [0.05, 0.02, 0.1, null, 0.01], [0.62, 0.65, 0.45, 0.9, null]);
    expect(error?.n).toBe(3);
    expect(error?.meanAbsoluteError).toBeCloseTo(0.04, 10);
    expect(error?.bias).toBeCloseTo(0.08 / 3, 10);
    expect(error?.rankCorrelation).toBeCloseTo(1, 10);
    expect(error?.withinOneStd).toBeCloseTo(2 / 3, 10);
    // Ties share their average rank: estimates ranked [1.5, 1.5, 4, 3] against results [1, 2, 4, 3].
    expect(predictorError([0.5, 0.5, 0.7, 0.6], [0, 0, 0, 0], [0.1, 0.2, 0.4, 0.3])?.rankCorrelation).toBeCloseTo(4.5 / Math.sqrt(22.5), 10);
    // Below three pairs, or with no spread, there is no correlation to speak of.
    expect(predictorError([0.5, 0.6], [0, 0], [0.4, 0.7])?.rankCorrelation).toBeNull();
    expect(predictorError([0.5, 0.5, 0.5], [0, 0, 0], [0.4, 0.7, 0.6])?.rankCorrelation).toBeNull();
    expect(predictorError([null], [null], [0.5])).toBeNull();
  });

  it('writes estimates and errors in points', () => {
    expect(formatPrediction({ mean: 0.8412, std: 0.0123 })).toBe('84.1% ± 1.2');
    expect(formatPrediction(null)).toBe('–');
    expect(predictionError({ mean: 0.8412, std: 0.0123 }, 0.8505)).toBeCloseTo(-0.0093, 10);
    expect(formatPoints(-0.0093)).toBe('−0.9 pp');
    expect(formatPoints(0.0123)).toBe('+1.2 pp');
    expect(formatPoints(0.0123, { signed: false, digits: 2 })).toBe('1.23 pp');
    expect(predictionError(null, 0.5)).toBeNull();
    expect(rowPrediction({ predictionMean: 0.7, predictionStd: null })).toEqual({ mean: 0.7, std: 0 });
    expect(rowPrediction({ predictionMean: null, predictionStd: null })).toBeNull();
  });
});

describe('state that stays true', () => {
  const running = () => fold(emptyLiveRun(RUN, { config: CONFIG, budget: 10 }), [ev({ type: 'run_started', budget: 10, evaluations: 0 } as SearchEvent), ...candidate(0, 0.5), proposed(1), epoch(1, 1)]);

  it('a pause asked for shows until the run pauses, and Pause is not offered twice', () => {
    const asked = { ...running(), pausing: true };
    expect(controls(asked).pause).toBe(false);
    // More epochs of the candidate in training: still pausing.
    expect(fold(asked, [epoch(1, 2)]).pausing).toBe(true);
    const paused = applyUpdate(asked, { runId: RUN, kind: 'status', status: 'paused' });
    expect(paused.pausing).toBe(false);
    expect(controls(paused)).toMatchObject({ pause: false, resume: true });
  });

  it('after Stop, the candidate that was training says it was stopped, not that it trains', () => {
    const before = running();
    expect(candidateHeading(before.current, before.status)).toBe('Training candidate #1');
    const stopped = applyUpdate(before, { runId: RUN, kind: 'status', status: 'stopped' });
    expect(stopped.current).toMatchObject({ index: 1, status: 'interrupted' });
    expect(stopped.inFlight).toEqual([]);
    expect(candidateHeading(stopped.current, stopped.status)).toBe('Candidate #1: stopped before it finished');
    // The same when the engine's run_finished comes first.
    const finishedFirst = applyUpdate(before, ev({ type: 'run_finished', status: 'cancelled', evaluations: 1, cacheHits: 0 }));
    expect(finishedFirst.current?.status).toBe('interrupted');
    // A candidate that did finish says the run is over.
    const done = fold(running(), [finished(1, 0.6), { runId: RUN, kind: 'status', status: 'stopped' }]);
    expect(candidateHeading(done.current, done.status)).toBe('Last candidate #1 · run stopped');
    expect(candidateHeading(null, 'running')).toBe('Waiting for the first candidate');
  });
});
