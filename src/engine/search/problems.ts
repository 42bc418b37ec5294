/**
 * What an ask/tell search searches: a space of action vectors, how to describe one, and how to
 * score it. Both kinds of candidate (networks from an action set, trained on real data; NAS-Bench-201
 * cells, looked up) are environments whose episodes end in one evaluated candidate, so one problem
 * serves both: a whole-candidate action is one step of the environment in full mode.
 */
import type { SlotMask } from '../agents/strategy';
import type { CandidateEnv, CandidateDescription } from '../envs/candidate-env';
import { actionNvec } from '../envs/spaces';
import type { Info } from '../envs/types';
import type { CandidateOutcome, EvaluationHooks } from '../evaluators/types';

export interface ProblemEvaluation {
  status: CandidateOutcome['status'];
  /** Validation accuracy in [0, 1]: what the search maximises. */
  signal: number;
  /** What an RL agent is paid (the environment's reward). */
  reward: number;
  cached: boolean;
  params?: number;
  /** Test accuracy in [0, 1], for reports only (nb201: the 200-epoch test accuracy). */
  testAccuracy?: number;
  error?: string;
}

export interface SearchProblem {
  readonly evaluator: 'training' | 'nb201';
  readonly nvec: readonly number[];
  readonly slotMask?: SlotMask;
  describe(action: readonly number[]): CandidateDescription;
  evaluate(action: number[], hooks: EvaluationHooks): Promise<ProblemEvaluation>;
  /** State that evaluations depend on (an env's memory and cache flags), for checkpoints; JSON-serialisable. */
  checkpoint?(): unknown;
  restore?(checkpoint: unknown): void;
}

/** The evaluation a candidate environment's terminal step reports (its reward and `info.outcome`). */
export function evaluationOf(step: { reward: number; info: Info }): ProblemEvaluation {
  const outcome = step.info.outcome as CandidateOutcome;
  return {
    status: outcome.status,
    signal: outcome.signal,
    reward: step.reward,
    cached: outcome.cached,
    params: outcome.params,
    testAccuracy: outcome.testAccuracy,
    error: outcome.error,
  };
}

export class EnvProblem implements SearchProblem {
  readonly nvec: readonly number[];
  readonly slotMask?: SlotMask;

  constructor(
    readonly env: CandidateEnv,
    readonly evaluator: 'training' | 'nb201',
  ) {
    if (env.actionSpace.kind !== 'multi-discrete') {
      throw new Error('ask/tell strategies propose whole candidates: use the environment in full mode');
    }
    this.nvec = actionNvec(env.actionSpace);
    this.slotMask = env.slotMask;
  }

  describe(action: readonly number[]): CandidateDescription {
    return this.env.describe(action);
  }

  async evaluate(action: number[], hooks: EvaluationHooks): Promise<ProblemEvaluation> {
    this.env.hooks = hooks;
    return evaluationOf(await this.env.step(action));
  }

  checkpoint(): unknown {
    return this.env.checkpoint();
  }

  restore(checkpoint: unknown): void {
    this.env.restore(checkpoint);
  }
}
