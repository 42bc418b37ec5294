/**
 * The contract between the search loop and every agent (PPO, random, evolution, DQN…). Ask/tell,
 * as Optuna and Nevergrad, but asynchronous: with several evaluation workers the loop asks for a
 * new candidate whenever a worker is free, so an agent may be asked again before earlier
 * candidates are told, and results come back in any order. Each candidate has an index, unique and
 * increasing, that ties its tell to its ask.
 *
 * Resume: the loop checkpoints the agent after each tell, and on resume evaluates the candidates
 * that were pending at that checkpoint again without asking for them, so an agent's checkpoint
 * must hold whatever it needs to accept their tells (e.g. PPO's stored log-probabilities).
 */
/** A candidate asked for and not yet told. */
export interface PendingCandidate {
  index: number;
  /** The whole-candidate vector (one value per slot of the space). */
  action: number[];
}

export interface Proposal {
  /** The whole-candidate vector. */
  action: number[];
  /** What the agent's predictor expects the candidate's signal to be, when it has one. */
  prediction?: { mean: number; std: number };
}

/** What a candidate's evaluation gave, as the agent is told it. */
export interface Feedback {
  action: number[];
  status: 'completed' | 'diverged' | 'failed' | 'pruned';
  /** Validation accuracy in [0, 1]: what the search maximises. */
  signal: number;
  /** What an RL agent is paid for it (the signal plus the reward's build, depth and size terms). */
  reward: number;
}

/** An update of the agent's own model (a PPO update, a predictor refit…): reported as agent_updated. */
export interface AgentUpdate {
  /** 1-based count of updates in the run. */
  iteration: number;
  diagnostics: Record<string, number>;
  /** The policy after the update, per slot (agents with a policy over the slots: PPO). */
  policy?: number[][];
}

export interface SearchAgent {
  readonly name: string;
  /** Proposes candidate `index`, knowing which candidates are still being evaluated. */
  ask(index: number, pending: readonly PendingCandidate[]): Promise<Proposal>;
  /** The outcome of candidate `index`; returns the update it triggered, if any. */
  tell(index: number, feedback: Feedback): Promise<AgentUpdate | undefined>;
  /** Everything needed to continue exactly (pending candidates' bookkeeping included); JSON-serialisable. */
  checkpoint(): unknown;
  /**
   * Agents that can learn from earlier runs' results before their first proposal (a warm start):
   * called at most once, before the first ask of a new run; the checkpoint keeps what it learnt.
   */
  warmStart?(results: readonly WarmStartResult[]): Promise<AgentUpdate | undefined>;
}

/** An earlier evaluation of a candidate of the same space under the same settings. */
export interface WarmStartResult {
  action: number[];
  signal: number;
}

/**
 * The bookkeeping an agent kept for candidate `index` since ask(), removed: tell() consumes it once.
 * Throws, naming the agent, for a candidate never asked for or told twice.
 */
export function takePending<T>(pending: Map<number, T>, index: number, agent: string): T {
  const kept = pending.get(index);
  if (kept === undefined) throw new Error(`${agent} agent: candidate ${index} was not asked for, or was told already`);
  pending.delete(index);
  return kept;
}
