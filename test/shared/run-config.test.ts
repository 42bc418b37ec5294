/**
 * The run config's checks live in its schema, so every boundary that parses a config (the app's
 * API, the engine's messages, the CLI) refuses the same configs, each problem at its field.
 */
import { describe, expect, it } from 'vitest';
import { parseApiParams } from '../../src/shared/api';
import { parseMainToEngine } from '../../src/shared/engine-messages';
import { parseRunConfig, RunConfigSchema, searchSpaceKey, type RunConfigInput } from '../../src/shared/run-config';

const mlp = { name: 'mlp', nodes: [{ id: 'd', layer: { type: 'dense', units: 8 } }] };
/** Two 7×7 convolutions without padding: they fit Fashion-MNIST's 28×28 input, not the synthetic 12×12. */
const bigKernels = {
  name: 'big-kernels',
  maxLayers: 2,
  nodes: [
    { id: 'c1', layer: { type: 'conv2d', filters: 4, kernel: 7, padding: 'valid' } },
    { id: 'c2', layer: { type: 'conv2d', filters: 4, kernel: 7, padding: 'valid' } },
  ],
  edges: [
    { from: 'input', to: 'c1' },
    { from: 'c1', to: 'c2' },
    { from: 'c2', to: 'output' },
  ],
};
const training: RunConfigInput = { evaluator: 'training', strategy: 'random', budget: 2, seed: 0, actionSet: mlp };

function issuesOf(input: unknown) {
  const result = RunConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('RunConfigSchema', () => {
  it.each([
    [{ ...training, actionSet: undefined }, 'actionSet', /the training evaluator needs an action set/],
    [{ ...training, mode: 'layerwise' }, 'mode', /layerwise mode needs an agent that builds networks step by step/],
    [{ ...training, predictor: 'gp' }, 'predictor', /a predictor guides the PPO agent: it needs strategy ppo/],
    [{ ...training, strategy: 'ppo', warmStart: true }, 'warmStart', /a warm start seeds the PPO agent's predictor .*: it needs strategy ppo with predictor gp/],
    [{ ...training, dataset: 'cifar10' }, 'dataDir', /the cifar10 dataset needs a data directory/],
    [{ ...training, actionSet: { ...mlp, nodes: [...mlp.nodes, ...mlp.nodes] } }, 'actionSet', /action set nodes\[1\]\.id: "d" is used twice/],
    [{ ...training, actionSet: { ...mlp, edges: [{ from: 'input', to: 'nowhere' }] } }, 'actionSet', /action set edges\[0\]\.to: no node "nowhere"/],
    [{ ...training, timeBudgetS: 0 }, 'timeBudgetS', />=1/],
    [{ ...training, timeBudgetS: 1.5 }, 'timeBudgetS', /int/],
    [{ ...training, actionSet: bigKernels }, 'actionSet', /action set "big-kernels" allows no network for the synthetic input \(12×12×1\) within 2 layers/],
  ])('refuses %j at its field', (input, field, message) => {
    expect(issuesOf(input)).toEqual([{ path: field, message: expect.stringMatching(message) }]);
  });

  it('dqn and qlearning build networks step by step, so layerwise mode is theirs too', () => {
    for (const strategy of ['dqn', 'qlearning', 'ppo']) expect(issuesOf({ ...training, strategy, mode: 'layerwise' })).toEqual([]);
  });

  it('judges an action set by the input of the run’s dataset, without loading any data', () => {
    expect(issuesOf({ ...training, actionSet: bigKernels, dataset: 'fashion-mnist' })).toEqual([]);
    expect(issuesOf({ ...training, actionSet: bigKernels, dataset: 'cifar10', dataDir: '/data/cifar' })).toEqual([]);
    expect(issuesOf({ ...training, actionSet: bigKernels, dataset: 'synthetic' })).toHaveLength(1);
    // NAS-Bench-201 runs use no action set, whatever their dataset field says.
    expect(issuesOf({ evaluator: 'nb201', strategy: 'random', budget: 2, seed: 0, actionSet: bigKernels })).toEqual([]);
  });

  it('is what every boundary parses: the app’s API and the engine’s start message refuse the same config', () => {
    const bad = { ...training, actionSet: bigKernels };
    expect(() => parseRunConfig(bad)).toThrow(/allows no network for the synthetic input/);
    expect(() => parseApiParams('runs.start', { config: bad })).toThrow(/runs\.start: .*allows no network[\s\S]*config\.actionSet/);
    expect(() => parseMainToEngine({ type: 'start', runId: 'r', config: bad, budget: 2 })).toThrow(/invalid message from main: .*allows no network[\s\S]*config\.actionSet/);
    // And a good one comes out complete, defaults filled in.
    expect(parseRunConfig(training)).toMatchObject({ mode: 'full', predictor: 'none', dataset: 'synthetic', actionSet: { maxLayers: 5, edges: [] } });
  });

  it('leaves warm starts off unless asked, and allows them to PPO with the GP predictor', () => {
    expect(parseRunConfig(training).warmStart).toBe(false);
    expect(issuesOf({ ...training, strategy: 'ppo', predictor: 'gp', warmStart: true })).toEqual([]);
  });
});

describe('searchSpaceKey', () => {
  const config = (actionSet: unknown, evaluator = 'training') => parseRunConfig({ ...training, evaluator, actionSet });
  it('is the action set’s content: not its name, description or where the editor draws its nodes', () => {
    const drawn = { ...mlp, name: 'renamed', description: 'the same layers', nodes: mlp.nodes.map((n) => ({ ...n, position: { x: 10, y: 20 } })) };
    expect(searchSpaceKey(config(drawn))).toBe(searchSpaceKey(config(mlp)));
    expect(searchSpaceKey(config({ ...mlp, maxLayers: 3 }))).not.toBe(searchSpaceKey(config(mlp)));
    expect(searchSpaceKey(config({ ...mlp, nodes: [{ id: 'd', layer: { type: 'dense', units: [8, 16] } }] }))).not.toBe(searchSpaceKey(config(mlp)));
  });

  it('is one space for every NAS-Bench-201 run, whatever the table column', () => {
    const nb201 = (nb201Dataset: string) => parseRunConfig({ evaluator: 'nb201', strategy: 'random', budget: 2, seed: 0, nb201Dataset });
    expect(searchSpaceKey(nb201('cifar10'))).toBe(searchSpaceKey(nb201('cifar100')));
    expect(searchSpaceKey(nb201('cifar10'))).not.toBe(searchSpaceKey(config(mlp)));
  });
});
