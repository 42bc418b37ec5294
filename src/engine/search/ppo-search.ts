/**
 * Search driven by PPO. Unlike the ask/tell strategies, PPO drives the environment itself (so that
 * layerwise episodes of several steps work), and the search watches it: proposals and epochs through
 * the environment's hooks, outcomes at each terminal step, diagnostics after each update. The run
 * stops at the evaluation budget or when cancelled, mid-rollout if need be.
 *
 * Each candidate_finished event comes with the checkpoint of the search right after that candidate
 * (PPO mid-rollout included), from which a resumed run continues exactly as the uninterrupted one.
 */
import { z } from 'zod';
import type { SearchEvent } from '../../shared/events';
import { PPO, type PPOCheckpoint, type PPOConfig } from '../agents/ppo';
import { parseCheckpoint } from '../checkpoint';
import type { CandidateEnv, Proposal } from '../envs/candidate-env';
import { evaluationOf, type ProblemEvaluation } from './problems';
import { SearchCountsSchema, SearchTally, type EventArchitecture, type SearchBudget, type SearchCounts, type SearchSummary } from './search-run';

export interface PpoSearchCheckpoint extends SearchCounts {
  ppo: PPOCheckpoint;
  env: unknown;
}

const PpoSearchCheckpointSchema = SearchCountsSchema.extend({
  // PPO.fromCheckpoint checks the agent's part, the env's restore its own.
  ppo: z.custom<PPOCheckpoint>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'expected the PPO agent\'s checkpoint (an object)'),
  env: z.json(),
});

/** A PpoSearch checkpoint that came back from outside the engine. */
export function parsePpoSearchCheckpoint(checkpoint: unknown): PpoSearchCheckpoint {
  return parseCheckpoint(PpoSearchCheckpointSchema, checkpoint, 'PPO search');
}

export interface PpoSearchOptions {
  runId: string;
  evaluator: 'training' | 'nb201';
  budget: SearchBudget;
  ppo?: Partial<PPOConfig>;
  /** With every candidate_finished event (and only then), the checkpoint as of that candidate. */
  onEvent?: (event: SearchEvent, checkpoint?: PpoSearchCheckpoint) => void;
  resumeFrom?: PpoSearchCheckpoint;
  /** Awaited before each step of the environment (a layerwise episode has several): where a run pauses. */
  beforeStep?: () => Promise<void>;
}

/** PPO settings for NAS: each step is a trained network, so rollouts are short and updates frequent. */
export const NAS_PPO_DEFAULTS: Partial<PPOConfig> = {
  nSteps: 10,
  batchSize: 10,
  nEpochs: 10,
  learningRate: 3e-3,
  entCoef: 0.01,
  gamma: 1,
  gaeLambda: 1,
};

class StopSearch extends Error {}

type EnvAction = Parameters<CandidateEnv['step']>[0];
type EnvStep = Awaited<ReturnType<CandidateEnv['step']>>;

export class PpoSearch {
  private readonly tally: SearchTally;
  private readonly ppo: PPO;
  private signal?: AbortSignal;
  private deadline = Number.POSITIVE_INFINITY;
  /** The candidate being evaluated, from the environment's onPropose. */
  private proposal?: Proposal;
  private proposedAt = 0;
  /** The outcome of the last terminal step, reported once PPO has stored its transition. */
  private finished?: { proposal: Proposal; evaluation: ProblemEvaluation; seconds: number };

  constructor(
    private readonly env: CandidateEnv,
    private readonly options: PpoSearchOptions,
  ) {
    const resume = options.resumeFrom;
    this.tally = new SearchTally(resume);
    if (resume) env.restore(resume.env);
    const watched = this.watch(env);
    this.ppo = resume ? PPO.fromCheckpoint(watched, resume.ppo) : new PPO(watched, { ...NAS_PPO_DEFAULTS, ...options.ppo });
  }

  /**
   * The live state: exact between candidates, and whenever run() has returned (a step cut short by
   * cancellation leaves PPO and the env as before it).
   */
  checkpoint(): PpoSearchCheckpoint {
    return { ...this.tally.counts(), ppo: this.ppo.checkpoint(), env: this.env.checkpoint() };
  }

  async run(signal?: AbortSignal): Promise<SearchSummary> {
    const { budget, runId } = this.options;
    this.signal = signal;
    const emit = (event: SearchEvent) => this.options.onEvent?.(event);
    emit({ type: 'run_started', runId, strategy: 'ppo', evaluator: this.options.evaluator, budget: budget.evaluations, evaluations: this.tally.evaluations });
    this.env.onPropose = (proposal) => {
      this.proposal = proposal;
      this.proposedAt = performance.now();
      const { action, label, hash, architecture } = proposal;
      emit({ type: 'candidate_proposed', index: this.tally.evaluations, action, label, hash, architecture: architecture as EventArchitecture });
    };
    this.env.hooks = { signal, onEpoch: (metrics) => emit({ type: 'epoch_done', index: this.tally.evaluations, metrics }) };
    const started = performance.now();
    this.deadline = budget.seconds === undefined ? Number.POSITIVE_INFINITY : started + budget.seconds * 1000;
    let status: SearchSummary['status'] = 'completed';
    try {
      if (this.tally.evaluations < budget.evaluations && !this.stopRequested()) {
        // Never resetting the timestep count: a resumed run continues PPO's rollout and schedules
        // (total = MAX_SAFE_INTEGER either way).
        await this.ppo.learn(Number.MAX_SAFE_INTEGER - this.ppo.numTimesteps, {
          resetNumTimesteps: false,
          onStep: () => this.afterStep(),
          onUpdate: (diagnostics) => {
            const numeric = Object.fromEntries(Object.entries(diagnostics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
            emit({ type: 'agent_updated', iteration: diagnostics.iteration, evaluations: this.tally.evaluations, diagnostics: numeric });
          },
        });
      }
    } catch (error) {
      if (!(error instanceof StopSearch) && !signal?.aborted) throw error;
    }
    if (signal?.aborted) status = 'cancelled';
    const { evaluations, cacheHits, best } = this.tally;
    emit({ type: 'run_finished', status, evaluations, cacheHits, bestIndex: best?.index });
    return { status, ...this.tally.counts() };
  }

  private stopRequested(): boolean {
    return Boolean(this.signal?.aborted) || performance.now() > this.deadline;
  }

  /**
   * PPO's onStep: the transition is in the buffer, so the candidate a terminal step finished is
   * counted and reported now, with a checkpoint that includes it. False stops PPO at once.
   */
  private afterStep(): boolean {
    const finished = this.finished;
    if (finished) {
      this.finished = undefined;
      const index = this.tally.evaluations;
      this.tally.add({ ...finished.proposal, evaluation: finished.evaluation });
      const onEvent = this.options.onEvent;
      if (onEvent) onEvent({ type: 'candidate_finished', index, ...finished.evaluation, seconds: finished.seconds }, this.checkpoint());
    }
    return this.tally.evaluations < this.options.budget.evaluations && !this.stopRequested();
  }

  /**
   * The env as PPO sees it: the same, but each step first awaits `beforeStep` (a pause), a step may
   * end the search, and every terminal step's outcome is recorded.
   */
  private watch(env: CandidateEnv): CandidateEnv {
    const step = async (action: EnvAction): Promise<EnvStep> => {
      await this.options.beforeStep?.();
      // Thrown before the step changes anything (PPO puts back its draws): the state stays resumable.
      if (this.stopRequested()) throw new StopSearch();
      const result = await env.step(action);
      if (result.terminated || result.truncated) this.record(result);
      return result;
    };
    // Forwarding methods, not prototype delegation: the env's methods must keep writing their own state.
    return {
      observationSpace: env.observationSpace,
      actionSpace: env.actionSpace,
      hooks: env.hooks,
      reset: (seed?: number) => env.reset(seed),
      step,
      render: () => env.render(),
      describe: (action: readonly number[]) => env.describe(action),
      checkpoint: () => env.checkpoint(),
      restore: (checkpoint: unknown) => env.restore(checkpoint),
      ...(env.actionMasks ? { actionMasks: () => env.actionMasks?.() ?? [] } : {}),
      ...(env.slotMask ? { slotMask: (prefix: readonly number[]) => env.slotMask?.(prefix) ?? [] } : {}),
    };
  }

  private record(result: EnvStep): void {
    const proposal = this.proposal;
    if (!proposal) return;
    this.proposal = undefined;
    this.finished = { proposal, evaluation: evaluationOf(result), seconds: (performance.now() - this.proposedAt) / 1000 };
  }
}
