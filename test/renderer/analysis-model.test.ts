/** The analysis views' pure logic: Pareto front, choices and their effects, parallel coordinates and brushing, the policy heatmap, and what sets compared runs apart. */
import { describe, expect, it } from 'vitest';
import type { AgentUpdateRow, AnalysisCandidate } from '../../src/shared/history';
import { parseRunConfig, type RunConfigInput } from '../../src/shared/run-config';
import { choiceEffects, choiceFeatures, choiceSlots, NO_LAYER, slotValues } from '../../src/renderer/src/features/analysis/choices';
import { brushedIndices, describeBrush, parallelData } from '../../src/renderer/src/features/analysis/parallel';
import { paretoFront, paretoPoints } from '../../src/renderer/src/features/analysis/pareto';
import { policyHeatmap, policyLabels } from '../../src/renderer/src/features/analysis/policy';
import { aggregateBestSoFar, compareWarnings, configDifferences, seedGroups } from '../../src/renderer/src/features/compare/differences';

const cell = (ops: string[]) => ({ nb201: `|${ops[0]}~0|+|${ops[1]}~0|${ops[2]}~1|+|${ops[3]}~0|${ops[4]}~1|${ops[5]}~2|` });

function candidate(index: number, overrides: Partial<AnalysisCandidate> = {}): AnalysisCandidate {
  return {
    index,
    status: 'completed',
    hash: `h${index}`,
    label: `net ${index}`,
    cached: false,
    signal: 0.5,
    testAcc: null,
    reward: 0.5,
    rewardParts: null,
    params: 1000,
    seconds: 1,
    architecture: { layers: [{ type: 'dense', units: 16, activation: 'relu' }] },
    ...overrides,
  };
}

describe('Pareto front', () => {
  it('keeps the candidates nothing beats on both accuracy and cost, equal ones included', () => {
    const points = [
      { index: 0, x: 100, y: 0.5 },
      { index: 1, x: 200, y: 0.7 },
      { index: 2, x: 150, y: 0.6 },
      { index: 3, x: 300, y: 0.65 }, // dominated by 1
      { index: 4, x: 200, y: 0.7 }, // equal to 1: also on the front
      { index: 5, x: 120, y: 0.5 }, // dominated by 0 (same accuracy, costs more)
      { index: 6, x: 400, y: 0.9 },
    ];
    expect(paretoFront(points)).toEqual([0, 2, 1, 4, 6]);
    expect(paretoFront([])).toEqual([]);
  });

  it('plots completed candidates once per architecture; against time, never cached ones', () => {
    const candidates = [
      candidate(0, { params: 500, signal: 0.6, seconds: 10 }),
      candidate(1, { status: 'failed', signal: 0 }),
      candidate(2, { status: 'pruned', signal: 0.3 }),
      candidate(3, { hash: 'h0', cached: true, params: 500, signal: 0.6, seconds: 0.01 }),
      candidate(4, { params: null, signal: 0.7 }),
      candidate(5, { hash: 'other', cached: true, params: 900, signal: 0.8, seconds: 0.01 }),
    ];
    expect(paretoPoints(candidates, 'params').map((p) => p.index)).toEqual([0, 5]);
    expect(paretoPoints(candidates, 'seconds').map((p) => p.index)).toEqual([0, 4]);
  });
});

describe('choices and which of them matter', () => {
  const nb = [
    candidate(0, { architecture: cell(['nor_conv_3x3', 'none', 'none', 'none', 'none', 'none']), signal: 0.9 }),
    candidate(1, { architecture: cell(['nor_conv_3x3', 'skip_connect', 'none', 'none', 'none', 'none']), signal: 0.8 }),
    candidate(2, { architecture: cell(['none', 'none', 'none', 'none', 'none', 'none']), signal: 0.1 }),
    candidate(3, { architecture: cell(['none', 'skip_connect', 'none', 'none', 'none', 'none']), signal: 0.3 }),
    candidate(4, { architecture: cell(['avg_pool_3x3', 'none', 'none', 'none', 'none', 'none']), signal: 0.5 }),
  ];

  it('reads a cell slot by slot: an operation per edge', () => {
    const slots = choiceSlots(nb)!;
    expect(slots.labels).toEqual(['edge 1←0', 'edge 2←0', 'edge 2←1', 'edge 3←0', 'edge 3←1', 'edge 3←2']);
    expect(slotValues(nb[1].architecture, slots)).toEqual(['conv 3×3', 'skip', 'none', 'none', 'none', 'none']);
  });

  it('gives each choice the mean and 95% t interval of the accuracy of the candidates that made it, groups by spread', () => {
    const groups = choiceEffects(nb, choiceSlots(nb)!);
    // Edges 2←1 … 3←2 are "none" everywhere: they say nothing.
    expect(groups.map((g) => g.group)).toEqual(['edge 1←0', 'edge 2←0']);
    const first = groups[0];
    expect(first.effects.map((e) => [e.value, e.n])).toEqual([
      ['conv 3×3', 2],
      ['avg pool 3×3', 1],
      ['none', 2],
    ]);
    // conv 3×3: mean 0.85, s = 0.0707107, t(0.975, 1) = 12.7062: half width 0.635310, cut at 0 and 1
    expect(first.effects[0].mean).toBeCloseTo(0.85, 12);
    expect(first.effects[0].low).toBeCloseTo(0.85 - 0.63531, 4);
    expect(first.effects[0].high).toBe(1);
    expect(first.effects[1]).toMatchObject({ low: null, high: null });
    expect(first.spread).toBeCloseTo(0.85 - 0.2, 12);
    // edge 2←0: skip {0.8, 0.3} vs none {0.9, 0.1, 0.5}
    expect(groups[1].effects.map((e) => e.value)).toEqual(['skip', 'none']);
    expect(groups[1].spread).toBeCloseTo(0.55 - 0.5, 12);
  });

  it('reads a network as depth, layer by layer, layer kinds and parameter values; each architecture counts once', () => {
    const dense = (units: number) => ({ type: 'dense', units, activation: 'relu' });
    const nets = [
      candidate(0, { architecture: { layers: [dense(16)] }, signal: 0.6 }),
      candidate(1, { architecture: { layers: [dense(64), { type: 'dropout', rate: 0.5 }] }, signal: 0.8 }),
      candidate(2, { architecture: { layers: [dense(64), dense(16)] }, signal: 0.7 }),
      candidate(3, { architecture: { layers: [dense(16)] }, hash: 'h0', cached: true, signal: 0.6 }),
    ];
    const slots = choiceSlots(nets)!;
    expect(slots.labels).toEqual(['layer 1', 'layer 2']);
    expect(slotValues(nets[0].architecture, slots)).toEqual(['dense 16 relu', NO_LAYER]);
    expect(choiceFeatures(nets[2].architecture, slots)).toEqual([
      ['layer 1', 'dense 64 relu'],
      ['layer 2', 'dense 16 relu'],
      ['depth', '2'],
      ['layer kind', 'dense'],
      ['dense units', '64'],
      ['dense activation', 'relu'],
      ['dense units', '16'],
    ]);
    const groups = choiceEffects(nets, slots);
    const units = groups.find((g) => g.group === 'dense units')!;
    expect(units.effects.map((e) => [e.value, e.n, Number(e.mean.toFixed(3))])).toEqual([
      ['64', 2, 0.75],
      ['16', 2, 0.65],
    ]);
    expect(groups.find((g) => g.group === 'layer kind')!.effects.map((e) => [e.value, e.n])).toEqual([
      ['dropout', 1],
      ['dense', 3],
    ]);
    expect(groups.some((g) => g.group === 'dense activation')).toBe(false);
  });
});

describe('parallel coordinates', () => {
  const nb = [
    candidate(0, { architecture: cell(['nor_conv_3x3', 'none', 'none', 'none', 'none', 'none']), signal: 0.9, params: 1_000_000 }),
    candidate(1, { architecture: cell(['skip_connect', 'none', 'none', 'none', 'none', 'none']), signal: 0.5, params: 100_000 }),
    candidate(2, { architecture: cell(['none', 'none', 'none', 'none', 'none', 'none']), signal: 0.1, params: 73_306 }),
  ];
  const data = parallelData(nb, choiceSlots(nb));

  it('has an axis per slot (only values used), then parameters (log scale when wide) and accuracy', () => {
    expect(data.axes.map((a) => a.label)).toEqual(['edge 1←0', 'edge 2←0', 'edge 2←1', 'edge 3←0', 'edge 3←1', 'edge 3←2', 'parameters', 'val. accuracy']);
    expect(data.axes[0]).toMatchObject({ kind: 'category', categories: ['none', 'skip', 'conv 3×3'] });
    expect(data.axes[1]).toMatchObject({ kind: 'category', categories: ['none'] });
    expect(data.axes[6]).toMatchObject({ kind: 'number', log: true, min: 73_306, max: 1_000_000 });
    expect(data.rows[0].positions[0]).toBe(1);
    expect(data.rows[1].positions[0]).toBe(0.5);
    expect(data.rows[1].positions[1]).toBe(0.5); // one category: the middle
    expect(data.rows[1].positions[7]).toBeCloseTo(0.5, 12);
  });

  it('keeps the candidates inside every brush', () => {
    expect(brushedIndices(data, {})).toEqual([0, 1, 2]);
    expect(brushedIndices(data, { signal: [0.4, 1] })).toEqual([0, 1]);
    expect(brushedIndices(data, { signal: [1, 0.4], 'slot:0': [0.6, 1] })).toEqual([0]);
    expect(brushedIndices(data, { signal: [0, 0.05] })).toEqual([2]);
    expect(brushedIndices(data, { signal: [0.2, 0.3] })).toEqual([]);
    expect(describeBrush(data.axes[0], [0.4, 1])).toBe('edge 1←0: skip, conv 3×3');
    expect(describeBrush(data.axes[7], [0.5, 1])).toBe('val. accuracy: 50.0%–90.0%');
  });
});

describe('the policy heatmap', () => {
  const update = (evaluations: number, policy: number[][] | null): AgentUpdateRow => ({ iteration: evaluations / 10, evaluations, diagnostics: {}, policy, createdAt: 0 });

  it('has a row per value of each slot and a column per update; values that never reach 1% are left out', () => {
    const config = parseRunConfig({ evaluator: 'nb201', strategy: 'ppo', budget: 20, seed: 0 });
    const heatmap = policyHeatmap(
      [
        update(10, [
          [0.2, 0.2, 0.2, 0.2, 0.2],
          [0.996, 0.001, 0.001, 0.001, 0.001],
        ]),
        update(20, null),
        update(30, [
          [0.1, 0.1, 0.1, 0.6, 0.1],
          [0.992, 0.002, 0.002, 0.002, 0.002],
        ]),
      ],
      policyLabels(config),
    )!;
    expect(heatmap.columns).toEqual([10, 30]);
    expect(heatmap.rows.map((r) => `${r.slotLabel}: ${r.valueLabel}`)).toEqual([
      'edge 1←0: none',
      'edge 1←0: skip',
      'edge 1←0: conv 1×1',
      'edge 1←0: conv 3×3',
      'edge 1←0: avg pool 3×3',
      'edge 2←0: none',
    ]);
    expect(heatmap.rows[3].cells).toEqual([0.2, 0.6]);
    expect(heatmap.hidden).toBe(4);
    expect(policyHeatmap([update(10, null)], policyLabels(config))).toBeNull();
  });

  it("names an action set's values by their layers, value 0 as the end of the network", () => {
    const config = parseRunConfig({
      evaluator: 'training',
      strategy: 'ppo',
      dataset: 'synthetic',
      budget: 20,
      seed: 0,
      actionSet: { name: 'd', nodes: [{ id: 'd', layer: { type: 'dense', units: [16, 32] } }], maxLayers: 2 },
    });
    const labels = policyLabels(config);
    expect([0, 1, 2].map((v) => labels.value(0, v))).toEqual(['end of network', 'dense 16 relu', 'dense 32 relu']);
    expect(labels.slot(1)).toBe('layer 2');
  });
});

describe('what sets compared runs apart', () => {
  const base: RunConfigInput = { evaluator: 'nb201', strategy: 'ppo', budget: 20, seed: 0 };
  const run = (id: string, overrides: Partial<RunConfigInput>) => {
    const config = parseRunConfig({ ...base, ...overrides });
    return { id, evaluator: config.evaluator, dataset: config.evaluator === 'nb201' ? config.nb201Dataset : config.dataset, config };
  };

  it('warns when evaluators or datasets differ', () => {
    const a = run('a', {});
    const b = run('b', { nb201Dataset: 'cifar100' });
    const c = run('c', {
      evaluator: 'training',
      dataset: 'synthetic',
      actionSet: { name: 'd', nodes: [{ id: 'd', layer: { type: 'dense', units: 16 } }] },
    });
    expect(compareWarnings([a, run('a2', { seed: 1 })])).toEqual([]);
    expect(compareWarnings([a, b])).toEqual(['These runs search different datasets (NAS-Bench-201 cifar10, NAS-Bench-201 cifar100): their accuracies do not compare.']);
    expect(compareWarnings([a, c])[0]).toMatch(/^These runs use different evaluators \(nb201, training\)/);
  });

  it('shows the config fields that differ, one value per run', () => {
    const rows = configDifferences([run('a', {}).config, run('b', { seed: 3, name: 'b', strategy: 'random' }).config]);
    expect(rows).toEqual([
      { path: 'name', values: ['–', 'b'] },
      { path: 'seed', values: ['0', '3'] },
      { path: 'strategy', values: ['ppo', 'random'] },
    ]);
  });

  it('says which fields an evaluator ignores instead of comparing their defaults', () => {
    const nb = run('a', {}).config;
    const trained = run('t', { evaluator: 'training', dataset: 'synthetic', actionSet: { name: 'd', nodes: [{ id: 'd', layer: { type: 'dense', units: 16 } }] } }).config;
    const rows = configDifferences([nb, trained]);
    expect(rows.find((r) => r.path === 'dataset')?.values).toEqual(['(unused)', 'synthetic']);
    expect(rows.find((r) => r.path === 'training.epochs')?.values).toEqual(['(unused)', String(trained.training.epochs)]);
    expect(rows.find((r) => r.path === 'nb201Dataset')?.values).toEqual(['cifar10', '(unused)']);
  });

  it('groups runs that differ only in seed and aggregates their best-so-far', () => {
    const runs = [run('a', {}), run('b', { seed: 1, name: 'other name' }), run('c', { budget: 30 }), run('d', { seed: 2 })];
    expect(seedGroups(runs)).toEqual([['a', 'b', 'd']]);
    const curve = aggregateBestSoFar([
      { runId: 'a', series: [{ index: 0, reward: 0.5, signal: 0.5, bestSoFar: 0.5 }, { index: 1, reward: 0.7, signal: 0.7, bestSoFar: 0.7 }] },
      { runId: 'b', series: [{ index: 0, reward: 0.6, signal: 0.6, bestSoFar: 0.6 }, { index: 1, reward: 0.4, signal: 0.4, bestSoFar: 0.6 }] },
      { runId: 'd', series: [{ index: 0, reward: 0.4, signal: 0.4, bestSoFar: 0.4 }] },
    ]);
    expect(curve.x).toEqual([0, 1]);
    expect(curve.n).toEqual([3, 2]);
    expect(curve.mean[0]).toBeCloseTo(0.5, 12);
    // {0.5, 0.6, 0.4}: s = 0.1, t(0.975, 2) = 4.302653: half width 0.248414
    expect(curve.high[0]! - 0.5).toBeCloseTo(0.248414, 5);
    expect(curve.mean[1]).toBeCloseTo(0.65, 12);
  });
});

describe("the reward's parts", () => {
  it('reads as a sum of the parts that are not zero, and charts those', async () => {
    const { rewardPartsText, rewardPartSeries } = await import('../../src/renderer/src/features/analysis/reward');
    expect(rewardPartsText({ metric: 0.8731, build: 1, depth: -0.2, params: 0 })).toBe('0.8731 metric + 1 build bonus − 0.2 depth penalty');
    expect(rewardPartsText({ metric: 0, build: -1, depth: 0, params: 0 })).toBe('−1 build bonus');
    const chart = rewardPartSeries([
      candidate(0, { rewardParts: { metric: 0.5, build: 1, depth: 0, params: 0 } }),
      candidate(1),
      candidate(2, { rewardParts: { metric: 0.6, build: 1, depth: 0, params: 0 } }),
    ]);
    expect(chart.x).toEqual([0, 2]);
    expect(chart.series.map((s) => [s.label, s.values])).toEqual([
      ['metric', [0.5, 0.6]],
      ['build bonus', [1, 1]],
    ]);
  });
});
