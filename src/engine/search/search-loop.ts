/**
 * The search loop, for every agent and every evaluator: it keeps as many candidates in flight as
 * the evaluation pool has workers, asking the agent for a new one whenever a worker frees up and
 * telling it each outcome as it arrives (in any order). Every step is reported as a typed event;
 * each candidate_finished comes with the checkpoint right after that candidate — the agent's state,
 * the counters, and the candidates still in flight, which a resumed run evaluates again without
 * asking for them. With one worker this is the classic ask → evaluate → tell loop, and a resumed
 * run continues exactly as the uninterrupted one.
 *
 * An architecture already evaluated (in this run, an earlier one under the same settings, or still
 * in flight) is not evaluated again: the replay cache's outcome is reused and reported as cached.
 * A pruned outcome is never reused (see ReplayCache): a duplicate waiting for one is evaluated itself.
 *
 * Early stopping: with a pruner, every epoch of every candidate is reported to it, and its verdict
 * goes back to the evaluator through the epoch hook; a candidate it stops comes back `pruned`, with
 * the epochs it reached. The pruner's state is part of the checkpoint.
 *
 * A time budget stops the asking, not the work: once it is spent no candidate is proposed, and the
 * candidates in flight finish (so every proposed candidate has a result, and the run completes).
 * The time spent is part of the checkpoint, so a resumed run gets only what is left; time that a
 * crash threw away (candidates in flight after the last checkpoint) is not charged.
 */
import { setMaxListeners } from 'node:events';
import { z } from 'zod';
import type { SearchEvent } from '../../shared/events';
import type { EpochMetrics } from '../../shared/training';
import type { PendingCandidate, SearchAgent, WarmStartResult } from '../agents/agent';
import { parseCheckpoint } from '../checkpoint';
import type { CandidateOutcome } from '../evaluators/types';
import type { ModelArtifact } from '../model/artifact';
import type { EvaluationPool } from '../pool/types';
import type { Pruner } from './pruning';
import { ReplayCache } from './replay-cache';
import { finalLosses, type FinalLosses, type Reward } from './reward';
import type { CandidateDescription, CandidateSpace } from './space';
import { SearchCountsSchema, SearchTally, type EventArchitecture, type SearchBudget, type SearchCounts, type SearchSummary } from './tally';

export interface SearchLoopCheckpoint extends SearchCounts {
  agent: unknown;
  /** Candidates asked for and not yet told, in index order: a resumed run evaluates them first. */
  pending: PendingCandidate[];
  /** The index the next ask gets. */
  nextIndex: number;
  /** The last told candidate's final losses (the improvement reward compares with them). */
  previous?: FinalLosses;
  /** The pruner's part, when the run prunes (its restore checks it). */
  pruner?: unknown;
  /** Seconds of search so far, all sessions together: only in runs with a time budget. */
  elapsedSeconds?: number;
}

const lossSchema = z.number().or(z.null().transform(() => Number.NaN)); // JSON keeps NaN as null
const SearchLoopCheckpointSchema = SearchCountsSchema.extend({
  agent: z.unknown(),
  pending: z.array(z.object({ index: z.int().min(0), action: z.array(z.int().min(0)) })),
  nextIndex: z.int().min(0),
  previous: z.object({ train: lossSchema, valid: lossSchema }).optional(),
  pruner: z.unknown().optional(),
  elapsedSeconds: z.number().min(0).optional(),
});

/** A loop checkpoint that came back from outside the engine; the agent's restore checks its own part. */
export function parseSearchLoopCheckpoint(checkpoint: unknown): SearchLoopCheckpoint {
  return parseCheckpoint(SearchLoopCheckpointSchema, checkpoint, 'search');
}

export interface SearchLoopOptions {
  runId: string;
  /** What run_started reports as the evaluator. */
  evaluator: 'training' | 'nb201';
  budget: SearchBudget;
  pool: EvaluationPool;
  /** Earlier outcomes to reuse; the loop adds its own. */
  cache?: ReplayCache;
  /** What the agent is paid for a candidate (`previous`: the last told candidate's final losses). */
  reward: (action: readonly number[], outcome: CandidateOutcome, previous: FinalLosses | undefined) => Reward;
  /**
   * Every event. A candidate_finished comes with the checkpoint as of that candidate, and with
   * the trained weights when the evaluation returned them.
   */
  onEvent?: (event: SearchEvent, extras?: { checkpoint: SearchLoopCheckpoint; model?: ModelArtifact }) => void;
  /** Awaited before each ask: where a run pauses (candidates in flight carry on). */
  beforeAsk?: () => Promise<void>;
  /** Stops weak candidates early; without one every candidate trains to its last epoch. */
  pruner?: Pruner;
  /** Continue from this checkpoint; the agent (and the pruner) must already be restored from their parts. */
  resumeFrom?: SearchLoopCheckpoint;
  /** Milliseconds on a monotonic clock, for the time budget (tests pass their own). Default: performance.now. */
  clock?: () => number;
  /** Earlier runs' results the agent learns from before its first proposal (a new run only: a checkpoint already holds them). */
  warmStart?: readonly WarmStartResult[];
}

interface InFlight extends PendingCandidate {
  description: CandidateDescription;
  startedAt: number;
  /** Seconds the agent spent proposing it. */
  askSeconds: number;
}

type Settled = { index: number; outcome: CandidateOutcome } | { index: number; error: unknown };

export class SearchLoop {
  private readonly tally: SearchTally;
  private readonly cache: ReplayCache;
  private readonly inFlight = new Map<number, InFlight>();
  /** Evaluations under way by architecture, so a duplicate in flight waits for the first. */
  private readonly byHash = new Map<string, Promise<CandidateOutcome>>();
  private nextIndex: number;
  private previous?: FinalLosses;
  private readonly clock: () => number;
  /** When this session began (clock ms), and the search seconds of the sessions before it. */
  private sessionStart?: number;
  private readonly earlierSeconds: number;

  constructor(
    private readonly agent: SearchAgent,
    private readonly space: CandidateSpace,
    private readonly options: SearchLoopOptions,
  ) {
    const resume = options.resumeFrom;
    this.tally = new SearchTally(resume);
    this.cache = options.cache ?? new ReplayCache();
    this.nextIndex = resume?.nextIndex ?? 0;
    this.previous = resume?.previous;
    this.clock = options.clock ?? (() => performance.now());
    this.earlierSeconds = resume?.elapsedSeconds ?? 0;
  }

  /** Seconds of search so far, earlier sessions of a resumed run included. */
  private elapsedSeconds(): number {
    return this.earlierSeconds + (this.sessionStart === undefined ? 0 : (this.clock() - this.sessionStart) / 1000);
  }

  private timeIsUp(): boolean {
    const { seconds } = this.options.budget;
    return seconds !== undefined && this.elapsedSeconds() >= seconds;
  }

  /** The state as of now: exact whenever no candidate is being asked for or told. */
  checkpoint(): SearchLoopCheckpoint {
    const pending = [...this.inFlight.values()].map(({ index, action }) => ({ index, action: [...action] })).sort((a, b) => a.index - b.index);
    const { pruner } = this.options;
    return {
      ...this.tally.counts(),
      agent: this.agent.checkpoint(),
      pending,
      nextIndex: this.nextIndex,
      ...(this.previous ? { previous: { ...this.previous } } : {}),
      ...(pruner ? { pruner: pruner.checkpoint() } : {}),
      ...(this.options.budget.seconds === undefined ? {} : { elapsedSeconds: this.elapsedSeconds() }),
    };
  }

  async run(signal?: AbortSignal): Promise<SearchSummary> {
    const { budget, runId, pool } = this.options;
    this.emit({ type: 'run_started', runId, strategy: this.agent.name, evaluator: this.options.evaluator, budget: budget.evaluations, evaluations: this.tally.evaluations });
    await this.warmStart();
    this.sessionStart = this.clock();
    // Aborted by the caller, or by the loop itself when an evaluation fails for good.
    const abort = new AbortController();
    // Every candidate in flight listens to it: with many workers, more than Node's default 10 is expected.
    setMaxListeners(Math.max(10, 2 * pool.size), abort.signal);
    const onAbort = () => abort.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const running = new Map<number, Promise<Settled>>();
    const launch = (candidate: InFlight) => {
      this.inFlight.set(candidate.index, candidate);
      const { index, action, description } = candidate;
      running.set(
        index,
        this.evaluate(index, action, description, abort.signal).then(
          (outcome) => ({ index, outcome }),
          (error: unknown) => ({ index, error }),
        ),
      );
    };
    const settle = async (settled: Settled) => {
      running.delete(settled.index);
      if (!('error' in settled)) return this.finish(settled.index, settled.outcome);
      // Cancelled: the candidate stays pending in the last checkpoint, and is evaluated again on resume.
      if (abort.signal.aborted) return;
      abort.abort(settled.error);
      await Promise.allSettled(running.values());
      throw settled.error;
    };
    try {
      for (const { index, action } of this.options.resumeFrom?.pending ?? []) launch(this.propose(index, action, 0));
      // The pause point before the next ask; while it holds, results in flight are still told.
      let gate: Promise<'open'> | undefined;
      for (;;) {
        const wantsAsk = running.size < pool.size && this.nextIndex < budget.evaluations && !abort.signal.aborted && !this.timeIsUp();
        if (!wantsAsk && running.size === 0) break;
        if (!wantsAsk) {
          await settle(await Promise.race(running.values()));
          continue;
        }
        gate ??= (this.options.beforeAsk?.() ?? Promise.resolve()).then(() => 'open' as const);
        const next = await Promise.race([gate, ...running.values()]);
        if (next !== 'open') {
          await settle(next);
          continue;
        }
        gate = undefined;
        // The time may have run out while the run was paused.
        if (abort.signal.aborted || this.timeIsUp()) continue;
        const index = this.nextIndex;
        const asked = performance.now();
        const proposal = await this.agent.ask(index, this.pendingCandidates());
        this.nextIndex++;
        launch(this.propose(index, proposal.action, (performance.now() - asked) / 1000, proposal.prediction));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const status: SearchSummary['status'] = signal?.aborted ? 'cancelled' : 'completed';
    const { evaluations, cacheHits, best } = this.tally;
    const timeBudgetSpent = status === 'completed' && evaluations < budget.evaluations;
    this.emit({ type: 'run_finished', status, evaluations, cacheHits, bestIndex: best?.index, ...(timeBudgetSpent ? { timeBudgetSpent: true as const } : {}) });
    return { status, ...this.tally.counts() };
  }

  private async warmStart(): Promise<void> {
    const results = this.options.warmStart;
    if (!results || results.length === 0) return;
    if (this.options.resumeFrom) throw new Error('a resumed run does not warm-start again: its checkpoint holds what the first warm start gave');
    if (!this.agent.warmStart) throw new Error(`agent ${this.agent.name} cannot warm-start from earlier results`);
    const update = await this.agent.warmStart(results);
    if (update) this.emit({ type: 'agent_updated', iteration: update.iteration, evaluations: this.tally.evaluations, diagnostics: update.diagnostics });
  }

  private emit(event: SearchEvent): void {
    this.options.onEvent?.(event);
  }

  private pendingCandidates(): PendingCandidate[] {
    return [...this.inFlight.values()].map(({ index, action }) => ({ index, action }));
  }

  /** Checks an agent's candidate against the space's masks and announces it. */
  private propose(index: number, action: number[], askSeconds: number, prediction?: { mean: number; std: number }): InFlight {
    if (action.length !== this.space.nvec.length) throw new Error(`agent ${this.agent.name} proposed ${JSON.stringify(action)}: expected ${this.space.nvec.length} slots`);
    action.forEach((value, slot) => {
      if (!this.space.slotMask(action.slice(0, slot))[value]) {
        throw new Error(`agent ${this.agent.name} proposed ${JSON.stringify(action)}: value ${value} is not allowed in slot ${slot + 1}`);
      }
    });
    const description = this.space.describe(action);
    const { label, hash, architecture } = description;
    this.emit({ type: 'candidate_proposed', index, action, label, hash, architecture: architecture as EventArchitecture, ...(prediction ? { prediction } : {}) });
    return { index, action, description, startedAt: performance.now(), askSeconds };
  }

  /** The cached outcome, the one of the same architecture in flight (unless pruned), or a fresh evaluation. */
  private evaluate(index: number, action: number[], description: CandidateDescription, signal: AbortSignal): Promise<CandidateOutcome> {
    const known = this.cache.lookup(description.hash);
    if (known) return Promise.resolve(known);
    const twin = this.byHash.get(description.hash);
    if (twin) {
      return twin.then(({ model: _model, ...outcome }) =>
        outcome.status === 'pruned' ? this.evaluate(index, action, description, signal) : { ...outcome, cached: true },
      );
    }
    const { pruner } = this.options;
    const onEpoch = (metrics: EpochMetrics) => {
      this.emit({ type: 'epoch_done', index, metrics });
      return pruner?.report(index, metrics.epoch, metrics.validAccuracy) === 'prune' ? 'prune' : undefined;
    };
    const job = { index, action, hash: description.hash, architecture: description.architecture };
    const evaluation = this.options.pool.evaluate(job, { signal, onEpoch }).finally(() => this.byHash.delete(description.hash));
    this.byHash.set(description.hash, evaluation);
    return evaluation;
  }

  /** Tells the agent, counts the candidate and reports it with the checkpoint after it. */
  private async finish(index: number, outcome: CandidateOutcome): Promise<void> {
    const candidate = this.inFlight.get(index)!;
    const seconds = (performance.now() - candidate.startedAt) / 1000;
    this.cache.remember(outcome);
    this.options.pruner?.finish(index, outcome.status, outcome.epochs.map((e) => e.validAccuracy));
    const reward = this.options.reward(candidate.action, outcome, this.previous);
    this.previous = finalLosses(outcome);
    const told = performance.now();
    const update = await this.agent.tell(index, { action: candidate.action, status: outcome.status, signal: outcome.signal, reward: reward.total });
    const agentSeconds = candidate.askSeconds + (performance.now() - told) / 1000;
    this.inFlight.delete(index);
    const evaluation = {
      status: outcome.status,
      signal: outcome.signal,
      reward: reward.total,
      cached: outcome.cached,
      ...(outcome.params === undefined ? {} : { params: outcome.params }),
      ...(outcome.testAccuracy === undefined ? {} : { testAccuracy: outcome.testAccuracy }),
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      ...(outcome.epochs.length === 0 ? {} : { epochsReached: outcome.epochs.length }),
    };
    const { action, description } = candidate;
    this.tally.add({ index, action, label: description.label, hash: description.hash, architecture: description.architecture, evaluation });
    this.options.onEvent?.({ type: 'candidate_finished', index, ...evaluation, seconds, agentSeconds, rewardParts: reward.parts }, { checkpoint: this.checkpoint(), model: outcome.model });
    if (update) {
      const { iteration, diagnostics, policy } = update;
      this.emit({ type: 'agent_updated', iteration, evaluations: this.tally.evaluations, diagnostics, ...(policy ? { policy } : {}) });
    }
  }
}
