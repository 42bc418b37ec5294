/**
 * Where candidates are evaluated: in the engine process itself (one at a time), in a pool of
 * worker processes on this machine, or by workers on other machines through a shared queue. The
 * search loop keeps `size` candidates in flight and does not care which.
 */
import type { CandidateOutcome, EvaluationHooks, EvaluationJob } from '../evaluators/types';

export interface EvaluationPool {
  /** How many candidates it evaluates at once. */
  readonly size: number;
  /** Where the queue of other machines' workers is (a Redis URL without its password), when candidates are evaluated there. */
  readonly remote?: string;
  evaluate(job: EvaluationJob, hooks: EvaluationHooks): Promise<CandidateOutcome>;
  close(): Promise<void>;
}
