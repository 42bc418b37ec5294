/** What a run has done so far: counts and the best candidate, for checkpoints and the summary. */
import { z } from 'zod';
import { CandidateEvaluationSchema, competesForBest, type SearchEvent } from '../../shared/events';

export interface SearchBudget {
  /** Total evaluations, those of earlier sessions of a resumed run included. */
  evaluations: number;
  /** Stop proposing new candidates after this many seconds of search (a resumed run's sessions together). */
  seconds?: number;
}

/** How a candidate scored, as its candidate_finished event reports it. */
export type CandidateEvaluation = z.output<typeof CandidateEvaluationSchema>;

export interface BestCandidate {
  index: number;
  action: number[];
  label: string;
  hash: string;
  architecture: unknown;
  evaluation: CandidateEvaluation;
}

export interface SearchCounts {
  /** Candidates finished (in any order: with several workers they finish out of order). */
  evaluations: number;
  cacheHits: number;
  best?: BestCandidate;
}

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

export interface SearchSummary extends SearchCounts {
  status: 'completed' | 'cancelled';
}

/** An event's `architecture`: candidates are described as plain JSON. */
export type EventArchitecture = Extract<SearchEvent, { type: 'candidate_proposed' }>['architecture'];

/** Counts finished candidates and cache hits and keeps the best: the highest signal, the first told on ties (pruned ones never). */
export class SearchTally {
  evaluations: number;
  cacheHits: number;
  best?: BestCandidate;

  constructor(from?: SearchCounts) {
    this.evaluations = from?.evaluations ?? 0;
    this.cacheHits = from?.cacheHits ?? 0;
    this.best = from?.best;
  }

  add(candidate: BestCandidate): void {
    this.evaluations++;
    if (candidate.evaluation.cached) this.cacheHits++;
    const { status, signal } = candidate.evaluation;
    if (competesForBest(status) && (!this.best || signal > this.best.evaluation.signal)) this.best = candidate;
  }

  counts(): SearchCounts {
    return { evaluations: this.evaluations, cacheHits: this.cacheHits, best: this.best };
  }
}
