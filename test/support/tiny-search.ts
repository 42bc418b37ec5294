/** A tiny action set, an agent that proposes its networks in turn, and a search loop over them: for search loop tests. */
import { ActionGrammar, parseActionSet } from '../../src/shared/action-set';
import type { PendingCandidate, SearchAgent } from '../../src/engine/agents/agent';
import type { CandidateEvaluator } from '../../src/engine/evaluators/types';
import type { EvaluationPool } from '../../src/engine/pool/types';
import { computeReward, DEFAULT_REWARD } from '../../src/engine/search/reward';
import { SearchLoop, type SearchLoopOptions } from '../../src/engine/search/search-loop';
import { ActionSetSpace } from '../../src/engine/search/space';

/** A small action set: the 10 networks of NETWORKS, of up to two layers. */
const SET = parseActionSet({
  name: 'tiny',
  maxLayers: 2,
  nodes: [{ id: 'pool', layer: { type: 'maxPool', size: [2, 4] } }, { id: 'fc', layer: { type: 'dense', units: 8 } }],
});
export const space = new ActionSetSpace(new ActionGrammar(SET, [12, 12, 1]));
export const slotMask = (prefix: readonly number[]) => space.slotMask(prefix);
/** Every network of the set, each once: an agent that proposes them in turn never repeats itself. */
export const NETWORKS = [[0, 0], [1, 0], [2, 0], [3, 0], [1, 1], [1, 2], [1, 3], [2, 1], [2, 3], [3, 3]];

/** Proposes `networks` (NETWORKS by default) in order; its checkpoint is how far it got. */
export class ScriptedAgent implements SearchAgent {
  readonly name = 'scripted';
  readonly pendingAtAsk: number[][] = [];
  constructor(
    private next = 0,
    private readonly networks: readonly number[][] = NETWORKS,
  ) {}
  async ask(_index: number, pending: readonly PendingCandidate[]) {
    this.pendingAtAsk.push(pending.map((p) => p.index));
    return { action: [...this.networks[this.next++]] };
  }
  async tell() {
    return undefined;
  }
  checkpoint() {
    return { next: this.next };
  }
}

/** A loop over the tiny space, paid the default reward (the signal plus 1 for a network that builds). */
export function loopOver(agent: SearchAgent, pool: EvaluationPool, options: Partial<SearchLoopOptions> = {}): SearchLoop {
  return new SearchLoop(agent, space, {
    runId: 'r',
    evaluator: 'training',
    budget: { evaluations: 8 },
    pool,
    reward: (action, outcome, previous) => computeReward(outcome, previous, space.layers(action).length, DEFAULT_REWARD),
    ...options,
  });
}

/** A pool of `size` slots over one evaluator. */
export const poolOf = (evaluator: CandidateEvaluator, size: number): EvaluationPool => ({ size, evaluate: (job, hooks) => evaluator.evaluate(job, hooks), close: async () => {} });
