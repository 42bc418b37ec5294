/** The history as the store returns it and the UI shows it. Timestamps are epoch milliseconds; absent values are null. */
import type { ActionSet } from './action-set';
import type { PolicySnapshot, RewardParts } from './events';
import { RESUMABLE_STATUSES, type CandidateStatus, type RunConfig, type RunStatus } from './run-config';
import type { EpochMetrics } from './training';

export interface RunSummary {
  id: string;
  name: string | null;
  status: RunStatus;
  statusReason: string | null;
  /** A failed run: while setting up (its data, table, backend or checkpoint; resuming cannot help) or while searching. Null otherwise, and for runs recorded before it was. */
  failedDuring: 'setup' | 'search' | null;
  strategy: string;
  evaluator: string;
  /** The training dataset, or the NAS-Bench-201 table column for the nb201 evaluator. */
  dataset: string | null;
  mode: string | null;
  budget: number;
  evaluations: number;
  cacheHits: number;
  bestIndex: number | null;
  bestSignal: number | null;
  bestTestAcc: number | null;
  bestLabel: string | null;
  backend: string | null;
  device: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
  /** How long the run actually ran (its candidates being evaluated; not pauses, nor time the app was closed), as of measuredAt. */
  runMs: number;
  /** When runMs was measured: a running run has run for the time since, too. */
  measuredAt: number;
}

/** What a run's warm start began from: earlier results of other runs over the same space and settings. */
export interface WarmStartSummary {
  evaluations: number;
  runs: number;
}

/** "from 40 earlier evaluations of 2 runs", as the CLI and the app say it. */
export function warmStartText(warmStart: WarmStartSummary): string {
  const { evaluations: n, runs } = warmStart;
  if (n === 0) return 'no earlier evaluation on this search space and data';
  return `from ${n} earlier evaluation${n === 1 ? '' : 's'} of ${runs} run${runs === 1 ? '' : 's'}`;
}

export interface RunDetail extends RunSummary {
  config: RunConfig;
  settingsKey: string | null;
  /** Null when the run did not warm-start (or has not reached that point yet). */
  warmStart: WarmStartSummary | null;
  seed: number | null;
  ownerPid: number | null;
  heartbeatAt: number | null;
}

/**
 * A message as people should see it: without the stack trace an error may have carried ("    at f
 * (file.ts:1:2)" lines). Stacks are for logs; the history, its tooltips, the live view and the CLI
 * show what happened.
 */
export function withoutStackTrace(message: string): string {
  return message
    .split('\n')
    .filter((line) => !/^\s+at\s/.test(line))
    .join('\n')
    .trim();
}

/**
 * Whether resuming a run can take it further (a completed one needs a larger budget: extend). A run
 * that failed while setting up would fail the same way again: it needs changes, so it is run again
 * instead. Runs recorded before failedDuring existed: one that evaluated nothing failed in setup.
 */
export function resumeCanHelp(run: Pick<RunSummary, 'status' | 'failedDuring' | 'evaluations'>): boolean {
  if (run.status === 'completed' || !RESUMABLE_STATUSES.includes(run.status)) return false;
  if (run.status !== 'failed') return true;
  return run.failedDuring ? run.failedDuring === 'search' : run.evaluations > 0;
}

export interface ListRunsOptions {
  limit?: number;
  offset?: number;
  status?: RunStatus | readonly RunStatus[];
  /** Matches part of the name, the start of the id, or part of the dataset or strategy (case-insensitive). */
  text?: string;
}

export interface CandidateRow {
  runId: string;
  index: number;
  status: CandidateStatus;
  hash: string;
  label: string;
  params: number | null;
  reward: number | null;
  /** The search signal once finished; the latest epoch's validation accuracy while running. */
  validAcc: number | null;
  bestValidAcc: number | null;
  validLoss: number | null;
  trainAcc: number | null;
  trainLoss: number | null;
  testAcc: number | null;
  seconds: number | null;
  error: string | null;
  cached: boolean;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** Epochs trained once finished: all of them when completed, the epoch it was stopped at when pruned (null without training). */
  epochsReached: number | null;
  /** What the agent's predictor expected the signal to be when it proposed the candidate (null without a predictor). */
  predictionMean: number | null;
  predictionStd: number | null;
}

/** A candidate's status as people read it: a pruned one says where it was stopped ("pruned at epoch 3"). */
export function candidateStatusText(candidate: { status: string; epochsReached?: number | null }): string {
  if (candidate.status !== 'pruned' || candidate.epochsReached === null || candidate.epochsReached === undefined) return candidate.status;
  return `pruned at epoch ${candidate.epochsReached}`;
}

export interface CandidateDetail extends CandidateRow {
  epochs: EpochMetrics[];
  architecture: unknown;
  action: number[];
  /** The candidate whose result a cached candidate reused (absent when not cached or since deleted). */
  cachedFrom?: { runId: string; index: number };
  hasModel: boolean;
  /** What the reward is made of (null for candidates recorded before the parts were). */
  rewardParts: RewardParts | null;
}

/** A finished candidate as the analysis views read it: its scores, what it cost, and its architecture. */
export interface AnalysisCandidate {
  index: number;
  status: CandidateStatus;
  hash: string;
  label: string;
  cached: boolean;
  /** The search signal (validation accuracy). */
  signal: number | null;
  testAcc: number | null;
  reward: number | null;
  rewardParts: RewardParts | null;
  params: number | null;
  /** Wall time from proposal to result (a cached candidate's is the lookup's). */
  seconds: number | null;
  /** {layers} for trained networks, {nb201} for benchmark cells. */
  architecture: unknown;
}

export const CANDIDATE_SORT_KEYS = ['index', 'reward', 'validAcc', 'testAcc', 'params', 'seconds', 'trainLoss', 'validLoss'] as const;
export type CandidateSortKey = (typeof CANDIDATE_SORT_KEYS)[number];

export interface ListCandidatesOptions {
  sortBy?: CandidateSortKey;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
  status?: CandidateStatus | readonly CandidateStatus[];
  /** Only these candidates (e.g. those an analysis view's brush keeps). */
  indices?: readonly number[];
}

export interface CandidatePage {
  /** Rows matching the filter, before paging. */
  total: number;
  rows: CandidateRow[];
}

export interface SeriesPoint {
  index: number;
  reward: number | null;
  signal: number | null;
  /** The best signal of the candidates evaluated to the end so far (pruned ones never count). */
  bestSoFar: number | null;
  /** Stopped early by the run's pruner: its signal is that of the epoch it reached (absent otherwise). */
  pruned?: true;
  /** What the agent's predictor expected of the signal when it proposed the candidate (absent without one). */
  prediction?: { mean: number; std: number };
}

export interface RunSeries {
  runId: string;
  series: SeriesPoint[];
}

export interface ArchitectureOccurrence extends CandidateRow {
  runName: string | null;
  settingsKey: string | null;
}

export interface AgentUpdateRow {
  iteration: number;
  evaluations: number;
  diagnostics: Record<string, number>;
  /** The policy after the update (PPO), null for agents without one or updates recorded before it was. */
  policy: PolicySnapshot | null;
  createdAt: number;
}

/** A finished, freshly evaluated result the engine may replay instead of training the architecture again. */
export type { CachedOutcome } from './engine-messages';

export interface StoredModel {
  topology: unknown;
  weightSpecs: unknown;
  weightData: Uint8Array;
}

export interface StoredCheckpoint {
  evaluations: number;
  state: unknown;
  createdAt: number;
}

export interface ResumePlan {
  config: RunConfig;
  budget: number;
  checkpoint?: { evaluations: number; state: unknown };
}

export interface ActionSetRow {
  id: number;
  name: string;
  spec: ActionSet;
  builtin: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ExportRow {
  id: number;
  runId: string;
  index: number;
  kind: string;
  path: string;
  createdAt: number;
}

export interface RecordExtras {
  /** The search state after this event (candidate_finished or agent_updated); replaces the run's previous one. */
  checkpoint?: unknown;
  /** The candidate's trained network (candidate_finished only). */
  model?: StoredModel;
}
