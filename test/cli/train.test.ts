import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDataDir } from '../support/cli';

const SYNTHETIC = ['train', '--dataset', 'synthetic', '--arch', 'resources/architectures/mlp.json', '--epochs', '2', '--backend', 'wasm'];

describe('cli train', () => {
  it('--json prints one event per line and a summary with every field', async () => {
    const run = await runCli([...SYNTHETIC, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.events.map((e) => e.type)).toEqual(['backend', 'data', 'epoch', 'epoch', 'summary']);
    const summary = run.events.at(-1) as Record<string, unknown> & { epochs: unknown[] };
    expect(summary).toMatchObject({ type: 'summary', status: 'completed', backend: 'wasm' });
    expect(summary.epochs).toHaveLength(2);
    expect(summary.valid_acc).toBeGreaterThan(0.8);
    expect(summary.test_acc).toBeGreaterThan(0.8);
    expect(summary.images_per_s).toBeGreaterThan(0);
    expect(summary.params).toBe(144 * 256 + 256 + 256 * 128 + 128 + 128 * 4 + 4);
  });

  it('--selective-backprop trains on a share of the samples and reports it per epoch', async () => {
    const run = await runCli([...SYNTHETIC, '--selective-backprop', '1', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const epochs = run.events.filter((e) => e.type === 'epoch') as Array<{ backprop_share: number }>;
    expect(epochs).toHaveLength(2);
    for (const e of epochs) expect(e.backprop_share).toBeGreaterThan(0.1);
    for (const e of epochs) expect(e.backprop_share).toBeLessThan(0.7);
  });

  it('prints per-epoch lines for people', async () => {
    const run = await runCli(['train', '--dataset', 'synthetic', '--arch', '[{"type":"dense","units":16}]', '--epochs', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^backend +\w+/m);
    expect(run.stdout).toMatch(/^epoch 1\/1 +loss \d\.\d{4} +acc [\d.]+% +val_loss \d\.\d{4} +val_acc [\d.]+%/m);
    expect(run.stdout).toMatch(/^test +acc [\d.]+%/m);
  });

  it.each([
    [['--epochs', 'two'], /--epochs.*expected a positive integer, got "two"/],
    [['--optimizer', 'adagrad'], /--optimizer.*adagrad/],
    [['--lr', '-1'], /--lr.*positive number/],
    [['--arch', 'no/such/file.json'], /cannot read architecture file no\/such\/file\.json: no such file/],
    [['--arch', '[{"type":"conv2d","filters":-3}]'], /layer 1 \(conv2d\): filters/],
    [['--arch', '[{"type":"dense","units":8},{"type":"maxPool"}]'], /layer 2 maxPool 2×2: needs a spatial input/],
    [['--dataset', 'cifar10'], /--dataset cifar10 needs --data-dir/],
    [['--dataset', 'fashion-mnist', '--data-dir', '/nonexistent'], /\/nonexistent/],
    [['--backend', 'tensorflow-gpu'], /tensorflow-gpu/],
  ])('bad arguments %j exit non-zero with a reason and a hint', async (extra, reason) => {
    const base = ['train', '--dataset', 'synthetic', '--arch', 'resources/architectures/mlp.json', '--epochs', '1'];
    const run = await runCli([...base, ...extra]);
    if (extra[1] === 'tensorflow-gpu' && run.code === 0) return; // tfjs-node-gpu is installed on this machine
    expect(run.code).not.toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(reason);
    expect(lines.at(-1)).toMatch(/^hint: /);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('reports the backends', async () => {
    const run = await runCli(['backends', '--json']);
    expect(run.code).toBe(0);
    const report = run.events[0] as { chosen: string; backends: Array<{ name: string; available: boolean; autoSkip?: string }> };
    expect(report.backends.map((b) => b.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    // auto takes the first that works, passing over a software GPU (lavapipe here).
    expect(report.chosen).toBe(report.backends.find((b) => b.available && b.autoSkip === undefined)?.name);
  });
});

describe('cli search', () => {
  it('searches NAS-Bench-201 and ends with the summary the issue names', async () => {
    const run = await runCli(['search', '--evaluator', 'nb201', '--strategy', 'evolution', '--budget', '30', '--seed', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.events.filter((e) => e.type === 'candidate_finished')).toHaveLength(30);
    const summary = run.events.at(-1) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['type', 'run_id', 'best_arch', 'best_signal', 'best_test_acc', 'evaluations', 'cache_hits']));
    expect(summary).toMatchObject({ type: 'summary', status: 'completed', evaluations: 30 });
    expect(summary.best_test_acc).toBeGreaterThan(0.9);
    const signals = run.events.filter((e) => e.type === 'candidate_finished').map((e) => e.signal as number);
    expect(summary.best_signal).toBe(Math.max(...signals));
  });

  it('PPO (the default strategy) searches NAS-Bench-201 and reports its agent updates', async () => {
    const run = await runCli(['search', '--evaluator', 'nb201', '--budget', '20', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.events.find((e) => e.type === 'run_started')).toMatchObject({ strategy: 'ppo', evaluator: 'nb201', budget: 20 });
    expect(run.events.filter((e) => e.type === 'agent_updated').length).toBeGreaterThan(0);
    expect(run.events.at(-1)).toMatchObject({ type: 'summary', strategy: 'ppo', evaluations: 20 });
  });

  it.each(['dqn', 'qlearning'])('%s searches NAS-Bench-201 one edge per step and reports its agent updates', async (strategy) => {
    const run = await runCli(['search', '--evaluator', 'nb201', '--strategy', strategy, '--budget', '20', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.events.find((e) => e.type === 'run_started')).toMatchObject({ strategy, evaluator: 'nb201', budget: 20 });
    expect(run.events.filter((e) => e.type === 'agent_updated').length).toBeGreaterThan(0);
    expect(run.events.at(-1)).toMatchObject({ type: 'summary', strategy, evaluations: 20 });
  });

  it('trains candidates from an action set and reports the best with its test accuracy', async () => {
    const run = await runCli(['search', '--dataset', 'synthetic', '--strategy', 'random', '--budget', '4', '--epochs', '1', '--action-set', 'resources/action-sets/mlp.json', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.events.filter((e) => e.type === 'epoch_done').length).toBeGreaterThan(0);
    const summary = run.events.at(-1) as { best_arch: { layers: unknown[] }; best_signal: number; best_test_acc: number; evaluations: number };
    expect(summary.evaluations).toBe(4);
    expect(summary.best_arch.layers.length).toBeGreaterThan(0);
    expect(summary.best_test_acc).toBeGreaterThan(0.25);
  });

  it('with --workers 2 trains two candidates at a time in worker processes, each index once', async () => {
    const run = await runCli(['search', '--dataset', 'synthetic', '--strategy', 'random', '--budget', '5', '--epochs', '1', '--workers', '2', '--action-set', 'resources/action-sets/mlp.json', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.events.find((e) => e.type === 'backend')).toMatchObject({ device: expect.stringMatching(/, in each of 2 workers$/) });
    const finished = run.events.filter((e) => e.type === 'candidate_finished');
    expect(finished.map((e) => e.index).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(finished.every((e) => e.status === 'completed')).toBe(true);
    // Two in flight: the second candidate is proposed before the first one finishes.
    const position = (type: string, index: number) => run.events.findIndex((e) => e.type === type && e.index === index);
    expect(position('candidate_proposed', 1)).toBeLessThan(position('candidate_finished', 0));
    expect(run.events.at(-1)).toMatchObject({ type: 'summary', status: 'completed', evaluations: 5 });
  });

  it('with --time-budget and no --budget, searches until the time is spent and completes saying so', async () => {
    const run = await runCli(['search', '--dataset', 'synthetic', '--strategy', 'random', '--time-budget', '2', '--epochs', '1', '--action-set', 'resources/action-sets/mlp.json', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const finished = run.events.filter((e) => e.type === 'candidate_finished');
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.map((e) => e.index).sort((a, b) => Number(a) - Number(b))).toEqual([...finished.keys()]);
    expect(run.events.find((e) => e.type === 'run_finished')).toMatchObject({ status: 'completed', time_budget_spent: true });
    expect(run.events.find((e) => e.type === 'status' && e.status === 'completed')).toMatchObject({ reason: expect.stringMatching(`^its time budget ran out after ${finished.length} candidates?$`) });
    expect(run.events.at(-1)).toMatchObject({ type: 'summary', status: 'completed', evaluations: finished.length, budget: 1_000_000 });
  });

  it.each([
    [['--action-set', 'no/such.json'], /no\/such\.json: cannot read/],
    [['--action-set', 'package.json'], /package\.json: action set/],
    [['--strategy', 'random', '--mode', 'layerwise'], /--mode: layerwise mode needs an agent that builds networks step by step/],
  ])('bad input %j: a one-line reason and a hint', async (extra, reason) => {
    const run = await runCli(['search', '--dataset', 'synthetic', '--budget', '1', ...extra]);
    expect(run.code).not.toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(reason);
    expect(lines.at(-1)).toMatch(/^hint: /);
  });

  it('refuses an action set that allows no network for the dataset’s input, before any run is recorded', async () => {
    const dir = tempDataDir();
    const file = join(dir, 'big-kernels.json');
    const conv = { type: 'conv2d', filters: 4, kernel: 7, padding: 'valid' };
    const edges = [{ from: 'input', to: 'c1' }, { from: 'c1', to: 'c2' }, { from: 'c2', to: 'output' }];
    writeFileSync(file, JSON.stringify({ name: 'big-kernels', maxLayers: 2, nodes: [{ id: 'c1', layer: conv }, { id: 'c2', layer: conv }], edges }));
    const db = join(dir, 'history.db');
    const run = await runCli(['search', '--dataset', 'synthetic', '--budget', '1', '--action-set', file, '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${file}: action set "big-kernels" allows no network for the synthetic input (12×12×1) within 2 layers`);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^hint: /);
    const runs = await runCli(['runs', 'list', '--json', '--db', db]);
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });
});
