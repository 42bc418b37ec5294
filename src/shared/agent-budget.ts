/**
 * Whether a run's budget lets its agent learn at all: PPO updates its policy only when its rollout
 * is full, so a run that ends before then only ever samples its initial (near-uniform) policy.
 * One rule, shown by the launcher before a run starts and by the live view while it runs.
 */
import { NB201_EDGES } from './nb201';

/** Steps in PPO's rollout in a search (NAS_PPO_DEFAULTS.nSteps): one per candidate in full mode, one per slot layer-wise. */
export const NAS_PPO_ROLLOUT_STEPS = 10;

export interface AgentBudgetConfig {
  strategy: string;
  predictor?: string;
  mode?: string;
  evaluator: string;
  budget: number;
  actionSet?: { maxLayers: number };
}

/**
 * The fewest candidates after which the agent can first update, or undefined for agents this rule
 * does not cover. Full mode: one step per candidate. Layer-wise: a candidate takes at most one step
 * per slot (six edges of a cell, or the action set's maxLayers).
 */
export function candidatesBeforeFirstUpdate(config: Omit<AgentBudgetConfig, 'budget'>): number | undefined {
  if (config.strategy !== 'ppo' || (config.predictor ?? 'none') !== 'none') return undefined;
  if (config.mode !== 'layerwise') return NAS_PPO_ROLLOUT_STEPS;
  const stepsPerCandidate = config.evaluator === 'nb201' ? NB201_EDGES.length : (config.actionSet?.maxLayers ?? 1);
  return Math.ceil(NAS_PPO_ROLLOUT_STEPS / stepsPerCandidate);
}

/** Why this budget is too small for the agent to update even once, or null when it is not. */
export function agentBudgetWarning(config: AgentBudgetConfig): string | null {
  const needed = candidatesBeforeFirstUpdate(config);
  if (needed === undefined || config.budget >= needed) return null;
  const rollout =
    config.mode === 'layerwise'
      ? `once ${NAS_PPO_ROLLOUT_STEPS} layer choices fill its rollout, after ${needed} candidates at the earliest`
      : `once every ${NAS_PPO_ROLLOUT_STEPS} candidates (its rollout)`;
  return `The agent never learns with a budget of ${config.budget}: PPO updates its policy ${rollout}, so every candidate comes from its untrained, near-uniform policy. Raise the budget to at least ${needed}.`;
}
