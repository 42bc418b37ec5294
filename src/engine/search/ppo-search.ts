/**
 * Search driven by PPO. Unlike the ask/tell strategies, PPO drives the environment itself (so that
 * layerwise episodes of several steps work), and the search watches it: proposals and epochs through
 * the environment's hooks, outcomes at each terminal step, diagnostics after each update. The run
 * stops at the evaluation budget or when cancelled, mid-rollout if need be.
 */
import type { SearchEvent } from '../../shared/events';
import { PPO, type PPOCheckpoint, type PPOConfig } from '../agents/ppo';
import type { CandidateEnv, Proposal } from '../envs/candidate-env';
import { evaluationOf } from './problems';
import { SearchTally, type SearchBudget, type SearchCounts, type SearchSummary } from './search-run';

export interface PpoSearchCheckpoint extends SearchCounts {  /** PPO as of its last update (the transitions of an unfinished rollout are not kept). */
  ppo: PPOCheckpoint;
  env: unknown;
}

export interface PpoSearchOptions {
  runId: string;
  evaluator: 'training' | 'nb201';
  budget: SearchBudget;
  ppo?: Partial<PPOConfig>;
  onEvent?: (event: SearchEvent) => void;
  resumeFrom?: PpoSearchCheckpoint;
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
  private lastPpoCheckpoint: PPOCheckpoint;
  private signal?: AbortSignal;
  private deadline = Number.POSITIVE_INFINITY;
  /** The candidate being evaluated, from the environment's onPropose. */
  private proposal?: Proposal;
  private proposedAt = 0;

  constructor(
    private readonly env: CandidateEnv,
    private readonly options: PpoSearchOptions,
  ) {
    const resume = options.resumeFrom;
    this.tally = new SearchTally(resume);
    if (resume) env.restore(resume.env);
    const watched = this.watch(env);
    this.ppo = resume ? PPO.fromCheckpoint(watched, resume.ppo) : new PPO(watched, { ...NAS_PPO_DEFAULTS, ...options.ppo });
    this.lastPpoCheckpoint = this.ppo.checkpoint();
  }

  checkpoint(): PpoSearchCheckpoint {
    return { ...this.tally.counts(), ppo: this.lastPpoCheckpoint, env: this.env.checkpoint() };
  }

  async run(signal?: AbortSignal): Promise<SearchSummary> {
    const { budget, runId } = this.options;
    this.signal = signal;
    const emit = (event: SearchEvent) => this.options.onEvent?.(event);
    emit({ type: 'run_started', runId, strategy: 'ppo', evaluator: this.options.evaluator, budget: budget.evaluations, evaluations: this.tally.evaluations });
    this.env.onPropose = (proposal) => {
      this.proposal = proposal;
      this.proposedAt = performance.now();
      emit({ type: 'candidate_proposed', index: this.tally.evaluations, action: proposal.action, label: proposal.label, hash: proposal.hash });
    };
    this.env.hooks = { signal, onEpoch: (metrics) => emit({ type: 'epoch_done', index: this.tally.evaluations, metrics }) };
    const started = performance.now();
    this.deadline = budget.seconds === undefined ? Number.POSITIVE_INFINITY : started + budget.seconds * 1000;
    let status: SearchSummary['status'] = 'completed';
    try {
      if (this.tally.evaluations < budget.evaluations && !signal?.aborted) {
        await this.ppo.learn(Number.MAX_SAFE_INTEGER, {
          onUpdate: (diagnostics) => {
            this.lastPpoCheckpoint = this.ppo.checkpoint();
            const numeric = Object.fromEntries(Object.entries(diagnostics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
            emit({ type: 'agent_updated', diagnostics: numeric });
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

  /** The env as PPO sees it: the same, but every terminal step is recorded and may end the search. */
  private watch(env: CandidateEnv): CandidateEnv {
    const step = async (action: EnvAction): Promise<EnvStep> => {
      if (this.signal?.aborted || performance.now() > this.deadline) throw new StopSearch();
      const result = await env.step(action);
      if (result.terminated || result.truncated) this.record(result);
      if (this.tally.evaluations >= this.options.budget.evaluations) throw new StopSearch();
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
    const index = this.tally.evaluations;
    const evaluation = evaluationOf(result);
    this.options.onEvent?.({ type: 'candidate_finished', index, ...evaluation, seconds: (performance.now() - this.proposedAt) / 1000 });
    this.tally.add({ ...proposal, evaluation });
    this.proposal = undefined;
  }
}
