/**
 * The search loop: strategy × problem, for a budget of evaluations (and optionally of seconds).
 * Each candidate is asked for, described, evaluated and told back, and every step is reported as a
 * typed event. The run can be cancelled between and during candidates, and its checkpoint holds what
 * it takes to continue: the strategy's state and the counters.
 */
import type { SearchEvent } from '../../shared/events';
import type { SearchStrategy } from '../agents/strategy';
import type { ProblemEvaluation, SearchProblem } from './problems';

export interface SearchBudget {
  /** Total evaluations, those of earlier sessions of a resumed run included. */
  evaluations: number;
  /** Stop proposing new candidates after this many seconds of this session. */
  seconds?: number;
}

export interface BestCandidate {
  index: number;
  action: number[];
  label: string;
  hash: string;
  architecture: unknown;
  evaluation: ProblemEvaluation;
}

export interface SearchCheckpoint {
  evaluations: number;
  cacheHits: number;
  best?: BestCandidate;
  strategy: unknown;
}

export interface SearchSummary {
  status: 'completed' | 'cancelled';
  evaluations: number;
  cacheHits: number;
  best?: BestCandidate;
}

export interface SearchRunOptions {
  runId: string;
  budget: SearchBudget;
  onEvent?: (event: SearchEvent) => void;
  /** Continue from this checkpoint (the strategy must already be restored from its part). */
  resumeFrom?: SearchCheckpoint;
}

export class SearchRun {
  private evaluations: number;
  private cacheHits: number;
  private best?: BestCandidate;

  constructor(
    private readonly strategy: SearchStrategy,
    private readonly problem: SearchProblem,
    private readonly options: SearchRunOptions,
  ) {
    this.evaluations = options.resumeFrom?.evaluations ?? 0;
    this.cacheHits = options.resumeFrom?.cacheHits ?? 0;
    this.best = options.resumeFrom?.best;
  }

  checkpoint(): SearchCheckpoint {
    return { evaluations: this.evaluations, cacheHits: this.cacheHits, best: this.best, strategy: this.strategy.checkpoint() };
  }

  async run(signal?: AbortSignal): Promise<SearchSummary> {
    const { budget, runId } = this.options;
    const emit = (event: SearchEvent) => this.options.onEvent?.(event);
    const started = performance.now();
    emit({
      type: 'run_started',
      runId,
      strategy: this.strategy.name,
      evaluator: this.problem.evaluator,
      budget: budget.evaluations,
      evaluations: this.evaluations,
    });
    let status: SearchSummary['status'] = 'completed';
    while (this.evaluations < budget.evaluations) {
      if (signal?.aborted) {
        status = 'cancelled';
        break;
      }
      if (budget.seconds !== undefined && (performance.now() - started) / 1000 >= budget.seconds) break;
      const index = this.evaluations;
      const action = await this.strategy.ask();
      const description = this.problem.describe(action);
      emit({ type: 'candidate_proposed', index, action, label: description.label, hash: description.hash });
      const candidateStarted = performance.now();
      let evaluation: ProblemEvaluation;
      try {
        evaluation = await this.problem.evaluate(action, {
          signal,
          onEpoch: (metrics) => emit({ type: 'epoch_done', index, metrics }),
        });
      } catch (error) {
        // Cancelled mid-training: the candidate is dropped and will be proposed again on resume.
        if (signal?.aborted) {
          status = 'cancelled';
          break;
        }
        throw error;
      }
      emit({
        type: 'candidate_finished',
        index,
        status: evaluation.status,
        signal: evaluation.signal,
        reward: evaluation.reward,
        cached: evaluation.cached,
        params: evaluation.params,
        testAccuracy: evaluation.testAccuracy,
        error: evaluation.error,
        seconds: (performance.now() - candidateStarted) / 1000,
      });
      await this.strategy.tell(action, evaluation.signal);
      this.evaluations++;
      if (evaluation.cached) this.cacheHits++;
      if (!this.best || evaluation.signal > this.best.evaluation.signal) {
        this.best = { index, action, ...description, evaluation };
      }
    }
    emit({ type: 'run_finished', status, evaluations: this.evaluations, cacheHits: this.cacheHits, bestIndex: this.best?.index });
    return { status, evaluations: this.evaluations, cacheHits: this.cacheHits, best: this.best };
  }
}
