/** Evaluates in the engine process itself, one candidate at a time (workers = 1: as before pools). */
import type { CandidateEvaluator, EvaluationHooks, EvaluationJob } from '../evaluators/types';
import type { EvaluationPool } from './types';

export class InlinePool implements EvaluationPool {
  readonly size = 1;

  constructor(private readonly evaluator: CandidateEvaluator) {}

  evaluate(job: EvaluationJob, hooks: EvaluationHooks) {
    return this.evaluator.evaluate(job, hooks);
  }

  async close(): Promise<void> {}
}
