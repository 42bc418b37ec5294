/**
 * The live view's state and the pure logic behind it: a snapshot loaded from the history (runs.get,
 * runs.series, runs.candidates, runs.agentUpdates) is turned into a LiveRun, and each pushed
 * RunUpdate is folded into it. No React, no API calls: unit-tested in test/renderer/live-model.test.ts.
 *
 * Cheap by design, because a run pushes thousands of epoch events:
 *  - per-candidate detail (epochs, architecture) is kept only for the candidates in flight (one per
 *    worker), the current one and the best one;
 *  - the chart columns (`series`, `diagnostics`: live-columns.ts) and the `finished` set are append-only and shared
 *    between successive states: each applyUpdate returns a new LiveRun object (so React sees a
 *    change) but appends to the same arrays instead of copying them. Consumers detect growth by
 *    length (the Chart component does).
 * Folding is idempotent: an update already reflected in the snapshot (a candidate finished twice,
 * an epoch or an agent update seen again) changes nothing, so updates buffered while a snapshot
 * loads can simply be replayed on top of it.
 */
import type { RunUpdate } from '../../../../shared/api';
import { competesForBest, type SearchEvent } from '../../../../shared/events';
import type { AgentUpdateRow, CandidateDetail, CandidateRow, RunDetail, SeriesPoint, WarmStartSummary } from '../../../../shared/history';
import { ACTIVE_STATUSES, type CandidateStatus, type RunConfig, type RunStatus } from '../../../../shared/run-config';
import type { EpochMetrics } from '../../../../shared/training';
import { rowPrediction, type Prediction } from '../../lib/prediction';
import { appendDiagnostics, appendPoint, emptyColumns, emptyDiagnostics, type DiagnosticsColumns, type SeriesColumns } from './live-columns';

export const LEADERBOARD_SIZE = 10;
const FINISHED: readonly CandidateStatus[] = ['completed', 'diverged', 'failed', 'pruned'];

export interface LiveCandidate {
  index: number;
  label: string;
  hash: string;
  architecture: unknown;
  status: CandidateStatus;
  epochs: EpochMetrics[];
  /** The search signal (validation accuracy) once finished. */
  signal: number | null;
  reward: number | null;
  testAcc: number | null;
  params: number | null;
  seconds: number | null;
  cached: boolean;
  error: string | null;
  /** Epochs trained once finished (where a pruned candidate was stopped). */
  epochsReached: number | null;
  /** What the agent's predictor expected of its signal when it proposed it. */
  prediction: Prediction | null;
}

export interface LeaderboardEntry {
  index: number;
  validAcc: number;
  testAcc: number | null;
  params: number | null;
  label: string;
  status: CandidateStatus;
  cached: boolean;
  prediction: Prediction | null;
}

export interface LiveBackend {
  name: string;
  device: string;
  tfBackend?: string;
}

export interface LiveRun {
  runId: string;
  name: string | null;
  config: RunConfig | null;
  status: RunStatus;
  reason: string | null;
  /** Pause was asked for and the run has not paused yet (it pauses after the candidates in flight). */
  pausing: boolean;
  /** A failed run: while setting up (resuming cannot help) or while searching. */
  failedDuring: 'setup' | 'search' | null;
  budget: number;
  /** Finished candidates (cached ones included). */
  done: number;
  cacheHits: number;
  backend: LiveBackend | null;
  /** What the engine said it prepared, e.g. "synthetic 12×12×1 · action set mlp: 1,234 networks". */
  description: string | null;
  /** What the run warm-started from (null when it did not, or has not yet). */
  warmStart: WarmStartSummary | null;
  series: SeriesColumns;
  /** Indices of finished candidates: what makes folding idempotent. */
  finished: Set<number>;
  /** For the ETA: seconds of the finished candidates seen (the snapshot's most recent ones, then live). */
  secondsSum: number;
  secondsCount: number;
  leaderboard: LeaderboardEntry[];
  /** The candidate in training (or the last one proposed). */
  current: LiveCandidate | null;
  /** Every candidate proposed and not finished yet (one per worker), by index, each with its epochs so far. */
  inFlight: LiveCandidate[];
  /** The best finished candidate so far (highest signal; the earliest on ties). */
  best: LiveCandidate | null;
  diagnostics: DiagnosticsColumns;
  /** Bumped by every change. */
  version: number;
}

export function isActive(status: RunStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** A run known only by id (before its snapshot arrives, or for a run just started). */
export function emptyLiveRun(runId: string, init: Partial<Pick<LiveRun, 'name' | 'config' | 'status' | 'budget'>> = {}): LiveRun {
  return {
    runId,
    name: init.name ?? null,
    config: init.config ?? null,
    status: init.status ?? 'created',
    reason: null,
    pausing: false,
    failedDuring: null,
    budget: init.budget ?? init.config?.budget ?? 0,
    done: 0,
    cacheHits: 0,
    backend: null,
    description: null,
    warmStart: null,
    series: emptyColumns(),
    finished: new Set(),
    secondsSum: 0,
    secondsCount: 0,
    leaderboard: [],
    current: null,
    inFlight: [],
    best: null,
    diagnostics: emptyDiagnostics(),
    version: 0,
  };
}

function candidateFromRow(row: CandidateRow | CandidateDetail): LiveCandidate {
  const detail = row as Partial<CandidateDetail>;
  const finished = FINISHED.includes(row.status);
  return {
    index: row.index,
    label: row.label,
    hash: row.hash,
    architecture: detail.architecture,
    status: row.status,
    epochs: detail.epochs ? [...detail.epochs] : [],
    signal: finished ? row.validAcc : null,
    reward: row.reward,
    testAcc: row.testAcc,
    params: row.params,
    seconds: row.seconds,
    cached: row.cached,
    error: row.error,
    epochsReached: row.epochsReached,
    prediction: rowPrediction(row),
  };
}

/** Pruned candidates stay off the leaderboard: their accuracy is that of an epoch before the last. */
function entryFromCandidate(c: LiveCandidate): LeaderboardEntry | null {
  if (c.signal === null || !FINISHED.includes(c.status) || !competesForBest(c.status)) return null;
  return { index: c.index, validAcc: c.signal, testAcc: c.testAcc, params: c.params, label: c.label, status: c.status, cached: c.cached, prediction: c.prediction };
}

function compareEntries(a: LeaderboardEntry, b: LeaderboardEntry): number {
  return b.validAcc - a.validAcc || a.index - b.index;
}

/** The leaderboard with `entry` in its place (replacing an entry of the same index), top `size` kept. */
export function insertLeaderboard(board: readonly LeaderboardEntry[], entry: LeaderboardEntry, size = LEADERBOARD_SIZE): LeaderboardEntry[] {
  const others = board.filter((e) => e.index !== entry.index);
  const full = others.length === board.length && board.length >= size;
  // A new entry below a full board's last changes nothing: keep the same array.
  if (full && compareEntries(entry, board[board.length - 1]) > 0) return board as LeaderboardEntry[];
  return [...others, entry].sort(compareEntries).slice(0, size);
}

function isBetter(signal: number | null, index: number, status: CandidateStatus, best: LiveCandidate | null): boolean {
  if (signal === null || !competesForBest(status)) return false;
  if (!best || best.signal === null) return true;
  return signal > best.signal || (signal === best.signal && index < best.index);
}

export interface LiveSnapshot {
  run: RunDetail;
  series: SeriesPoint[];
  /** Candidates by validation accuracy, best first (only finished ones are used). */
  top: CandidateRow[];
  /** The most recent candidates (any order): their seconds seed the ETA. */
  recent: CandidateRow[];
  /** The latest candidate, with its epochs. */
  current?: CandidateDetail | null;
  /** The candidates still running, with their epochs (several with several workers). */
  running?: CandidateDetail[];
  /** The best candidate, with its epochs. */
  best?: CandidateDetail | null;
  updates: AgentUpdateRow[];
}

/** The live state of a run as the history has it now. */
export function fromSnapshot(snapshot: LiveSnapshot): LiveRun {
  const { run } = snapshot;
  const state = emptyLiveRun(run.id, { name: run.name, config: run.config, status: run.status, budget: run.budget });
  state.reason = run.statusReason;
  state.failedDuring = run.failedDuring;
  state.cacheHits = run.cacheHits;
  state.backend = run.backend ? { name: run.backend, device: run.device ?? '' } : null;
  state.warmStart = run.warmStart;
  for (const point of snapshot.series) {
    if (state.finished.has(point.index)) continue;
    state.finished.add(point.index);
    appendPoint(state.series, { ...point, pruned: point.pruned === true });
  }
  state.done = state.finished.size;
  for (const row of snapshot.recent) {
    if (FINISHED.includes(row.status) && row.seconds !== null) {
      state.secondsSum += row.seconds;
      state.secondsCount += 1;
    }
  }
  let board: LeaderboardEntry[] = [];
  for (const row of snapshot.top) {
    const entry = entryFromCandidate(candidateFromRow(row));
    if (entry) board = insertLeaderboard(board, entry);
  }
  state.leaderboard = board;
  state.current = snapshot.current ? candidateFromRow(snapshot.current) : null;
  state.inFlight = isActive(run.status) ? (snapshot.running ?? []).filter((c) => c.status === 'running').map(candidateFromRow).sort(byIndex) : [];
  state.best = snapshot.best && FINISHED.includes(snapshot.best.status) ? candidateFromRow(snapshot.best) : null;
  for (const update of snapshot.updates) appendDiagnostics(state.diagnostics, update.iteration, update.evaluations, update.diagnostics);
  return state;
}

/** Folds one pushed update into the run's state; updates for other runs return it unchanged. */
export function applyUpdate(state: LiveRun, update: RunUpdate): LiveRun {
  if (update.runId !== state.runId) return state;
  switch (update.kind) {
    case 'status': {
      // A run that is no longer active has nothing in flight; a pause asked for is done once the run is anything but running.
      const active = isActive(update.status);
      return {
        ...state,
        status: update.status,
        reason: update.reason ?? null,
        failedDuring: update.failedDuring ?? null,
        pausing: update.status === 'running' && state.pausing,
        inFlight: active ? state.inFlight : [],
        current: active ? state.current : ended(state.current),
        version: state.version + 1,
      };
    }
    case 'environment':
      return {
        ...state,
        backend: { name: update.backend.name, device: update.backend.device, tfBackend: update.backend.tfBackend },
        description: update.description,
        warmStart: update.warmStart ?? state.warmStart,
        version: state.version + 1,
      };
    case 'event':
      return applyEvent(state, update.event);
  }
}

export function applyEvent(state: LiveRun, event: SearchEvent): LiveRun {
  const next = (patch: Partial<LiveRun>): LiveRun => ({ ...state, ...patch, version: state.version + 1 });
  switch (event.type) {
    case 'run_started':
      return next({ status: 'running', reason: null, budget: event.budget, done: Math.max(state.done, event.evaluations) });
    case 'candidate_proposed': {
      if (state.finished.has(event.index)) return state;
      const what = { label: event.label, hash: event.hash, architecture: event.architecture, prediction: event.prediction ?? null };
      // Seen already (replayed, or first known by its epochs): fill in what a stub lacked.
      const fill = (c: LiveCandidate) => (c.architecture === undefined ? { ...c, ...what } : c);
      const known = state.inFlight.find((c) => c.index === event.index);
      const flying = known ? fill(known) : runningCandidate(event.index, what);
      // The newest candidate is the current one; a replayed older proposal does not take it back.
      const current = state.current;
      const focus =
        current?.status === 'running' && current.index === event.index ? fill(current) : current?.status === 'running' && current.index > event.index ? current : flying;
      if (flying === known && focus === current) return state;
      return next({ current: focus, inFlight: flying === known ? state.inFlight : withCandidate(state.inFlight, flying) });
    }
    case 'epoch_done': {
      if (state.finished.has(event.index)) return state;
      // Its proposal was missed (e.g. it came before the view loaded): follow it without a label.
      const known = state.inFlight.find((c) => c.index === event.index) ?? (state.current?.index === event.index ? state.current : undefined);
      const flying = known ?? runningCandidate(event.index, { label: `#${event.index}`, hash: '', architecture: undefined });
      if (flying.epochs.some((e) => e.epoch === event.metrics.epoch)) return state;
      const updated = { ...flying, epochs: [...flying.epochs, event.metrics].sort((a, b) => a.epoch - b.epoch) };
      // The current panel follows its own candidate; another one's epoch takes it over only when it shows none in training.
      const follows = state.current?.index === event.index || state.current?.status !== 'running';
      const current = state.current?.index === event.index ? { ...state.current, epochs: updated.epochs } : follows ? updated : state.current;
      return next({ current, inFlight: withCandidate(state.inFlight, updated) });
    }
    case 'candidate_finished': {
      if (state.finished.has(event.index)) return state;
      state.finished.add(event.index);
      const signal = Number.isFinite(event.signal) ? event.signal : null;
      const reward = Number.isFinite(event.reward) ? event.reward : null;
      const isCurrent = state.current?.index === event.index;
      const base = isCurrent ? state.current : (state.inFlight.find((c) => c.index === event.index) ?? null);
      appendPoint(state.series, { index: event.index, reward, signal, pruned: event.status === 'pruned', prediction: base?.prediction });
      const finished: LiveCandidate = {
        index: event.index,
        label: base?.label ?? `#${event.index}`,
        hash: base?.hash ?? '',
        architecture: base?.architecture,
        epochs: base?.epochs ?? [],
        status: event.status,
        signal,
        reward: event.reward,
        testAcc: event.testAccuracy ?? null,
        params: event.params ?? null,
        seconds: event.seconds,
        cached: event.cached,
        error: event.error ?? null,
        epochsReached: event.epochsReached ?? null,
        prediction: base?.prediction ?? null,
      };
      const entry = entryFromCandidate(finished);
      const better = isBetter(signal, event.index, event.status, state.best);
      return next({
        done: state.done + 1,
        cacheHits: state.cacheHits + (event.cached ? 1 : 0),
        secondsSum: state.secondsSum + (Number.isFinite(event.seconds) ? event.seconds : 0),
        secondsCount: state.secondsCount + (Number.isFinite(event.seconds) ? 1 : 0),
        leaderboard: entry ? insertLeaderboard(state.leaderboard, entry) : state.leaderboard,
        current: isCurrent ? finished : state.current,
        inFlight: state.inFlight.filter((c) => c.index !== event.index),
        best: better ? finished : state.best,
      });
    }
    case 'agent_updated':
      if (!appendDiagnostics(state.diagnostics, event.iteration, event.evaluations, event.diagnostics)) return state;
      return next({});
    case 'run_finished':
      return next({
        inFlight: [],
        current: ended(state.current),
        pausing: false,
        status: event.status === 'completed' ? 'completed' : 'stopped',
        cacheHits: event.cacheHits,
        done: Math.max(state.done, event.evaluations),
      });
  }
}

/** A candidate left in training when its run ended was interrupted (as the history records it). */
function ended(candidate: LiveCandidate | null): LiveCandidate | null {
  return candidate?.status === 'running' ? { ...candidate, status: 'interrupted' } : candidate;
}

const byIndex = (a: LiveCandidate, b: LiveCandidate) => a.index - b.index;

/** The in-flight list with `candidate` in its place (replacing the one of its index), by index. */
function withCandidate(inFlight: readonly LiveCandidate[], candidate: LiveCandidate): LiveCandidate[] {
  return [...inFlight.filter((c) => c.index !== candidate.index), candidate].sort(byIndex);
}

/** A candidate that has been proposed and is training: no results yet. */
function runningCandidate(index: number, what: Pick<LiveCandidate, 'label' | 'hash' | 'architecture'> & Partial<Pick<LiveCandidate, 'prediction'>>): LiveCandidate {
  return {
    prediction: null,
    ...what,
    index,
    status: 'running',
    epochs: [],
    signal: null,
    reward: null,
    testAcc: null,
    params: null,
    seconds: null,
    cached: false,
    error: null,
    epochsReached: null,
  };
}
