/**
 * Evaluates in the engine process itself. With size 1 (the default) one candidate at a time, as
 * before pools existed; with size N the loop keeps N candidates in flight, which is what a table
 * lookup (NAS-Bench-201) needs to exercise asynchronous agents without any process to start.
 */
import type { CandidateEvaluator, EvaluationHooks, EvaluationJob } from '../evaluators/types';
import type { EvaluationPool } from './types';

export class InlinePool implements EvaluationPool {
  constructor(
    private readonly evaluator: CandidateEvaluator,
    readonly size = 1,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a pool needs at least one slot, got ${size}`);
  }

  async evaluate(job: EvaluationJob, hooks: EvaluationHooks) {
    // A lookup takes no time: started on the next turn of the event loop, it lets the loop fill its
    // slots first, as real workers would. One slot evaluates at once, exactly as before pools.
    if (this.size > 1) await new Promise((resolve) => setImmediate(resolve));
    return this.evaluator.evaluate(job, hooks);
  }

  async close(): Promise<void> {}
}
