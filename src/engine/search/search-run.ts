/**
 * The search loop: strategy × problem, for a budget of evaluations (and optionally of seconds).
 * Each candidate is asked for, described, evaluated and told back, and every step is reported as a
 * typed event. The run can be cancelled between and during candidates, and its checkpoint holds what
 * it takes to continue: the strategy's and the problem's state and the counters. Each
 * candidate_finished event comes with the checkpoint right after that candidate, from which a
 * resumed run continues exactly as the uninterrupted one.
 */
import { z } from 'zod';
import { CandidateEvaluationSchema, type SearchEvent } from '../../shared/events';
import type { SearchStrategy } from '../agents/strategy';
import { parseCheckpoint } from '../checkpoint';
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

/** What a run has done so far: the part of a checkpoint and summary both drivers share. */
export interface SearchCounts {
  evaluations: number;
  cacheHits: number;
  best?: BestCandidate;
}

export interface SearchCheckpoint extends SearchCounts {
  strategy: unknown;
  /** The problem's own state (e.g. the env's memory), when it has any. */
  problem?: unknown;
}

/** The counts part of both drivers' checkpoints; the rest is each part's own to check. */
export const SearchCountsSchema = z.object({
  evaluations: z.int().min(0),
  cacheHits: z.int().min(0),
  best: z
    .object({
      index: z.int().min(0),
      action: z.array(z.int().min(0)),
      label: z.string(),
      hash: z.string(),
      architecture: z.json(),
      evaluation: CandidateEvaluationSchema,
    })
    .optional(),
});

const SearchCheckpointSchema = SearchCountsSchema.extend({ strategy: z.json(), problem: z.json().optional() });

/** A SearchRun checkpoint that came back from outside the engine; the strategy and problem restores check their parts. */
export function parseSearchCheckpoint(checkpoint: unknown): SearchCheckpoint {
  return parseCheckpoint(SearchCheckpointSchema, checkpoint, 'search');
}

/** An event's `architecture`: the candidate environments describe candidates as plain JSON. */
export type EventArchitecture = Extract<SearchEvent, { type: 'candidate_proposed' }>['architecture'];

export interface SearchSummary extends SearchCounts {
  status: 'completed' | 'cancelled';
}

/** Counts evaluations and cache hits and keeps the best candidate: the highest signal, the first on ties. */
export class SearchTally {
  evaluations: number;
  cacheHits: number;
  best?: BestCandidate;

  constructor(from?: SearchCounts) {
    this.evaluations = from?.evaluations ?? 0;
    this.cacheHits = from?.cacheHits ?? 0;
    this.best = from?.best;
  }

  add(candidate: Omit<BestCandidate, 'index'>): void {
    const index = this.evaluations++;
    if (candidate.evaluation.cached) this.cacheHits++;
    if (!this.best || candidate.evaluation.signal > this.best.evaluation.signal) this.best = { index, ...candidate };
  }

  counts(): SearchCounts {
    return { evaluations: this.evaluations, cacheHits: this.cacheHits, best: this.best };
  }
}

export interface SearchRunOptions {
  runId: string;
  budget: SearchBudget;
  /** With every candidate_finished event (and only then), the checkpoint as of that candidate. */
  onEvent?: (event: SearchEvent, checkpoint?: SearchCheckpoint) => void;
  /** Continue from this checkpoint: the run restores the problem's part; the strategy must already be restored from its part. */
  resumeFrom?: SearchCheckpoint;
  /** Awaited before each step of the environment (here: before each candidate is asked for): where a run pauses. */
  beforeStep?: () => Promise<void>;
}

export class SearchRun {
  private readonly tally: SearchTally;
  /** The strategy's state before it was asked for a candidate that cancellation then dropped. */
  private strategyBeforeDropped?: unknown;

  constructor(
    private readonly strategy: SearchStrategy,
    private readonly problem: SearchProblem,
    private readonly options: SearchRunOptions,
  ) {
    this.tally = new SearchTally(options.resumeFrom);
    const problemState = options.resumeFrom?.problem;
    if (problemState !== undefined) problem.restore?.(problemState);
  }

  /** The state between candidates: a resumed run proposes a candidate dropped by cancellation again. */
  checkpoint(): SearchCheckpoint {
    const problem = this.problem.checkpoint?.();
    const strategy = this.strategyBeforeDropped ?? this.strategy.checkpoint();
    return { ...this.tally.counts(), strategy, ...(problem === undefined ? {} : { problem }) };
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
      evaluations: this.tally.evaluations,
    });
    let status: SearchSummary['status'] = 'completed';
    while (this.tally.evaluations < budget.evaluations) {
      await this.options.beforeStep?.();
      if (signal?.aborted) {
        status = 'cancelled';
        break;
      }
      if (budget.seconds !== undefined && (performance.now() - started) / 1000 >= budget.seconds) break;
      const index = this.tally.evaluations;
      const beforeAsk = this.strategy.checkpoint();
      const action = await this.strategy.ask();
      const description = this.problem.describe(action);
      const { label, hash, architecture } = description;
      emit({ type: 'candidate_proposed', index, action, label, hash, architecture: architecture as EventArchitecture });
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
          this.strategyBeforeDropped = beforeAsk;
          break;
        }
        throw error;
      }
      const seconds = (performance.now() - candidateStarted) / 1000;
      await this.strategy.tell(action, evaluation.signal);
      this.tally.add({ action, ...description, evaluation });
      // Reported once told and counted, so that the checkpoint sent with it includes the candidate.
      this.options.onEvent?.(
        {
          type: 'candidate_finished',
          index,
          status: evaluation.status,
          signal: evaluation.signal,
          reward: evaluation.reward,
          cached: evaluation.cached,
          params: evaluation.params,
          testAccuracy: evaluation.testAccuracy,
          error: evaluation.error,
          seconds,
        },
        this.checkpoint(),
      );
    }
    const { evaluations, cacheHits, best } = this.tally;
    emit({ type: 'run_finished', status, evaluations, cacheHits, bestIndex: best?.index });
    return { status, ...this.tally.counts() };
  }
}
