/**
 * An environment whose episodes each end in one evaluated candidate (the NAS and NAS-Bench-201
 * environments). The search driving an agent over it listens to proposals and epochs through these
 * hooks, and reads the candidate's outcome from the terminal step's `info.outcome`.
 */
import type { EvaluationHooks } from '../evaluators/types';
import type { Space } from './spaces';
import type { Env } from './types';

/** How people and the history see a candidate. */
export interface CandidateDescription {
  label: string;
  hash: string;
  architecture: unknown;
}

export interface Proposal extends CandidateDescription {
  /** The agent's actions for this candidate (full-mode slots, or the layerwise sequence). */
  action: number[];
}

export interface CandidateEnv<OS extends Space = Space, AS extends Space = Space> extends Env<OS, AS> {
  /** Called when a candidate is complete, before it is evaluated. */
  onPropose?: (proposal: Proposal) => void;
  /** Passed to the evaluator (cancellation, per-epoch metrics). */
  hooks: EvaluationHooks;
  /** The candidate a whole-candidate action stands for. */
  describe(action: readonly number[]): CandidateDescription;
  checkpoint(): unknown;
  restore(checkpoint: unknown): void;
}
