import { describe, expect, it } from 'vitest';
import { agentBudgetWarning, candidatesBeforeFirstUpdate } from '../../src/shared/agent-budget';

describe('the budget an agent needs to update at all', () => {
  it('PPO in full mode: one rollout of 10 candidates', () => {
    const config = { strategy: 'ppo', predictor: 'none', mode: 'full', evaluator: 'nb201' };
    expect(candidatesBeforeFirstUpdate(config)).toBe(10);
    expect(agentBudgetWarning({ ...config, budget: 9 })).toBe(
      'The agent never learns with a budget of 9: PPO updates its policy once every 10 candidates (its rollout), so every candidate comes from its untrained, near-uniform policy. Raise the budget to at least 10.',
    );
    expect(agentBudgetWarning({ ...config, budget: 10 })).toBeNull();
  });

  it('PPO layer-wise: a candidate is up to one step per slot (6 edges of a cell, maxLayers of an action set)', () => {
    expect(candidatesBeforeFirstUpdate({ strategy: 'ppo', mode: 'layerwise', evaluator: 'nb201' })).toBe(2);
    expect(candidatesBeforeFirstUpdate({ strategy: 'ppo', mode: 'layerwise', evaluator: 'training', actionSet: { maxLayers: 3 } })).toBe(4);
    expect(agentBudgetWarning({ strategy: 'ppo', mode: 'layerwise', evaluator: 'training', actionSet: { maxLayers: 3 }, budget: 3 })).toMatch(
      /^The agent never learns with a budget of 3: PPO updates its policy once 10 layer choices fill its rollout, after 4 candidates at the earliest/,
    );
  });

  it('says nothing for agents it does not cover', () => {
    for (const strategy of ['random', 'evolution', 'dqn', 'qlearning']) expect(agentBudgetWarning({ strategy, evaluator: 'nb201', budget: 1 })).toBeNull();
    expect(agentBudgetWarning({ strategy: 'ppo', predictor: 'gp', evaluator: 'nb201', budget: 1 })).toBeNull();
  });
});
