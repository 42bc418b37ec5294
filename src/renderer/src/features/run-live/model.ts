/**
 * The live view's state and the pure logic behind it: a snapshot loaded from the history (runs.get,
 * runs.series, runs.candidates, runs.agentUpdates) is turned into a LiveRun, and each pushed
 * RunUpdate is folded into it. No React, no API calls: unit-tested in test/renderer/live-model.test.ts.
 *
 * Cheap by design, because a run pushes thousands of epoch events:
 *  - per-candidate detail (epochs, architecture) is kept only for the current and the best candidate;
 *  - the chart columns (`series`, `diagnostics`) and the `finished` set are append-only and shared
 *    between successive states: each applyUpdate returns a new LiveRun object (so React sees a
 *    change) but appends to the same arrays instead of copying them. Consumers detect growth by
 *    length (the Chart component does).
 * Folding is idempotent: an update already reflected in the snapshot (a candidate finished twice,
 * an epoch or an agent update seen again) changes nothing, so updates buffered while a snapshot
 * loads can simply be replayed on top of it.
 */
import type { RunUpdate } from '../../../../shared/api';
import type { SearchEvent } from '../../../../shared/events';
import type { AgentUpdateRow, CandidateDetail, CandidateRow, RunDetail, SeriesPoint } from '../../../../shared/history';
import { ACTIVE_STATUSES, RunConfigSchema, runConfigProblems, type CandidateStatus, type RunConfig, type RunConfigInput, type RunStatus } from '../../../../shared/run-config';
import type { EpochMetrics } from '../../../../shared/training';

export const LEADERBOARD_SIZE = 10;
const FINISHED: readonly CandidateStatus[] = ['completed', 'diverged', 'failed'];

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
}

export interface LeaderboardEntry {
  index: number;
  validAcc: number;
  testAcc: number | null;
  params: number | null;
  label: string;
  status: CandidateStatus;
  cached: boolean;
}

/** One value per finished candidate, in index order (append-only). */
export interface SeriesColumns {
  index: number[];
  reward: Array<number | null>;
  signal: Array<number | null>;
  bestSoFar: Array<number | null>;
}

/** One value per agent update (append-only); a key missing from an update is null there. */
export interface DiagnosticsColumns {
  iteration: number[];
  evaluations: number[];
  values: Record<string, Array<number | null>>;
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
  budget: number;
  /** Finished candidates (cached ones included). */
  done: number;
  cacheHits: number;
  backend: LiveBackend | null;
  /** What the engine said it prepared, e.g. "synthetic 12×12×1 · action set mlp: 1,234 networks". */
  description: string | null;
  series: SeriesColumns;
  /** Indices of finished candidates: what makes folding idempotent. */
  finished: Set<number>;
  /** For the ETA: seconds of the finished candidates seen (the snapshot's most recent ones, then live). */
  secondsSum: number;
  secondsCount: number;
  leaderboard: LeaderboardEntry[];
  /** The candidate in training (or the last one proposed). */
  current: LiveCandidate | null;
  /** The best finished candidate so far (highest signal; the earliest on ties). */
  best: LiveCandidate | null;
  diagnostics: DiagnosticsColumns;
  /** Bumped by every change. */
  version: number;
}

function emptyColumns(): SeriesColumns {
  return { index: [], reward: [], signal: [], bestSoFar: [] };
}

function emptyDiagnostics(): DiagnosticsColumns {
  return { iteration: [], evaluations: [], values: {} };
}

/** A run known only by id (before its snapshot arrives, or for a run just started). */
export function emptyLiveRun(runId: string, init: Partial<Pick<LiveRun, 'name' | 'config' | 'status' | 'budget'>> = {}): LiveRun {
  return {
    runId,
    name: init.name ?? null,
    config: init.config ?? null,
    status: init.status ?? 'created',
    reason: null,
    budget: init.budget ?? init.config?.budget ?? 0,
    done: 0,
    cacheHits: 0,
    backend: null,
    description: null,
    series: emptyColumns(),
    finished: new Set(),
    secondsSum: 0,
    secondsCount: 0,
    leaderboard: [],
    current: null,
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
  };
}

function entryFromCandidate(c: LiveCandidate): LeaderboardEntry | null {
  if (c.signal === null || !FINISHED.includes(c.status)) return null;
  return { index: c.index, validAcc: c.signal, testAcc: c.testAcc, params: c.params, label: c.label, status: c.status, cached: c.cached };
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

function isBetter(signal: number | null, index: number, best: LiveCandidate | null): boolean {
  if (signal === null) return false;
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
  /** The best candidate, with its epochs. */
  best?: CandidateDetail | null;
  updates: AgentUpdateRow[];
}

/** The live state of a run as the history has it now. */
export function fromSnapshot(snapshot: LiveSnapshot): LiveRun {
  const { run } = snapshot;
  const state = emptyLiveRun(run.id, { name: run.name, config: run.config, status: run.status, budget: run.budget });
  state.reason = run.statusReason;
  state.cacheHits = run.cacheHits;
  state.backend = run.backend ? { name: run.backend, device: run.device ?? '' } : null;
  let best: number | null = null;
  for (const point of snapshot.series) {
    if (state.finished.has(point.index)) continue;
    state.finished.add(point.index);
    if (point.signal !== null && (best === null || point.signal > best)) best = point.signal;
    state.series.index.push(point.index);
    state.series.reward.push(point.reward);
    state.series.signal.push(point.signal);
    state.series.bestSoFar.push(point.bestSoFar ?? best);
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
  state.best = snapshot.best && FINISHED.includes(snapshot.best.status) ? candidateFromRow(snapshot.best) : null;
  for (const update of snapshot.updates) appendDiagnostics(state.diagnostics, update.iteration, update.evaluations, update.diagnostics);
  return state;
}

/** Appends one agent update unless its iteration is already there. Returns whether it did. */
function appendDiagnostics(columns: DiagnosticsColumns, iteration: number, evaluations: number, diagnostics: Record<string, number>): boolean {
  const last = columns.iteration[columns.iteration.length - 1];
  if (last !== undefined && iteration <= last) return false;
  const n = columns.iteration.length;
  columns.iteration.push(iteration);
  columns.evaluations.push(evaluations);
  for (const key of Object.keys(diagnostics)) {
    if (!columns.values[key]) columns.values[key] = new Array<number | null>(n).fill(null);
  }
  for (const [key, column] of Object.entries(columns.values)) {
    const value = diagnostics[key];
    column.push(typeof value === 'number' && Number.isFinite(value) ? value : null);
  }
  return true;
}

/** Folds one pushed update into the run's state; updates for other runs return it unchanged. */
export function applyUpdate(state: LiveRun, update: RunUpdate): LiveRun {
  if (update.runId !== state.runId) return state;
  switch (update.kind) {
    case 'status':
      return { ...state, status: update.status, reason: update.reason ?? null, version: state.version + 1 };
    case 'environment':
      return {
        ...state,
        backend: { name: update.backend.name, device: update.backend.device, tfBackend: update.backend.tfBackend },
        description: update.description,
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
      if (state.current?.index === event.index && state.current.status === 'running') {
        // Seen already (replayed): fill in what a stub lacked.
        if (state.current.architecture !== undefined) return state;
        return next({ current: { ...state.current, label: event.label, hash: event.hash, architecture: event.architecture } });
      }
      return next({ current: runningCandidate(event.index, { label: event.label, hash: event.hash, architecture: event.architecture }) });
    }
    case 'epoch_done': {
      if (state.finished.has(event.index)) return state;
      // Its proposal was missed (e.g. it came before the view loaded): follow it without a label.
      const current = state.current?.index === event.index ? state.current : runningCandidate(event.index, { label: `#${event.index}`, hash: '', architecture: undefined });
      if (current.epochs.some((e) => e.epoch === event.metrics.epoch)) return state;
      const epochs = [...current.epochs, event.metrics].sort((a, b) => a.epoch - b.epoch);
      return next({ current: { ...current, epochs } });
    }
    case 'candidate_finished': {
      if (state.finished.has(event.index)) return state;
      state.finished.add(event.index);
      const previousBest = state.series.bestSoFar[state.series.bestSoFar.length - 1] ?? null;
      const signal = Number.isFinite(event.signal) ? event.signal : null;
      state.series.index.push(event.index);
      state.series.reward.push(Number.isFinite(event.reward) ? event.reward : null);
      state.series.signal.push(signal);
      state.series.bestSoFar.push(signal !== null && (previousBest === null || signal > previousBest) ? signal : previousBest);
      const base = state.current?.index === event.index ? state.current : null;
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
      };
      const entry = entryFromCandidate(finished);
      const better = isBetter(signal, event.index, state.best);
      return next({
        done: state.done + 1,
        cacheHits: state.cacheHits + (event.cached ? 1 : 0),
        secondsSum: state.secondsSum + (Number.isFinite(event.seconds) ? event.seconds : 0),
        secondsCount: state.secondsCount + (Number.isFinite(event.seconds) ? 1 : 0),
        leaderboard: entry ? insertLeaderboard(state.leaderboard, entry) : state.leaderboard,
        current: base ? finished : state.current,
        best: better ? finished : state.best,
      });
    }
    case 'agent_updated':
      if (!appendDiagnostics(state.diagnostics, event.iteration, event.evaluations, event.diagnostics)) return state;
      return next({});
    case 'run_finished':
      return next({
        status: event.status === 'completed' ? 'completed' : 'stopped',
        cacheHits: event.cacheHits,
        done: Math.max(state.done, event.evaluations),
      });
  }
}

export function isActive(status: RunStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** Which controls make sense in a status. */
export function controls(status: RunStatus): { pause: boolean; resume: boolean; stop: boolean } {
  return {
    pause: status === 'running',
    resume: status === 'paused' || status === 'stopped' || status === 'interrupted' || status === 'failed',
    stop: status === 'running' || status === 'paused' || status === 'created',
  };
}

/** Mean seconds per finished candidate × candidates left; null when unknown or not running. */
export function etaSeconds(run: Pick<LiveRun, 'budget' | 'done' | 'secondsSum' | 'secondsCount' | 'status'>): number | null {
  if (!isActive(run.status) || run.secondsCount === 0) return null;
  const remaining = Math.max(0, run.budget - run.done);
  return (run.secondsSum / run.secondsCount) * remaining;
}

/** "45s", "3m 05s", "2h 07m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Epochs done / epochs planned for the current candidate (0–1), or undefined without epochs (nb201). */
export function epochProgress(run: Pick<LiveRun, 'current' | 'config'>): number | undefined {
  const c = run.current;
  if (!c || !run.config || run.config.evaluator !== 'training') return undefined;
  if (c.status !== 'running') return 1;
  const total = run.config.training.epochs;
  return total > 0 ? Math.min(1, c.epochs.length / total) : undefined;
}


/** The diagnostics the live view charts, with how to read them from PPO's record. */
export const DIAGNOSTIC_CHARTS: ReadonlyArray<{ key: string; title: string; negate?: boolean }> = [
  { key: 'entropyLoss', title: 'entropy', negate: true },
  { key: 'approxKl', title: 'approx KL' },
  { key: 'clipFraction', title: 'clip fraction' },
  { key: 'valueLoss', title: 'value loss' },
];

// ————— The launcher form —————

export interface LaunchForm {
  name: string;
  evaluator: string;
  dataset: string;
  dataDir: string;
  nb201Dataset: string;
  nb201Dir: string;
  /** The id of the chosen action set (as a string, as a <select> has it). */
  actionSet: string;
  mode: string;
  strategy: string;
  budget: string;
  epochs: string;
  subset: string;
  learningRate: string;
  batchSize: string;
  reward: string;
  seed: string;
  backend: string;
  keepModels: string;
}

export type LaunchField = keyof LaunchForm;

export const DEFAULT_LAUNCH_FORM: LaunchForm = {
  name: '',
  evaluator: 'training',
  dataset: 'synthetic',
  dataDir: '',
  nb201Dataset: 'cifar10',
  nb201Dir: '',
  actionSet: '',
  mode: 'full',
  strategy: 'ppo',
  budget: '20',
  epochs: '2',
  subset: '',
  learningRate: '0.001',
  batchSize: '64',
  reward: 'accuracy',
  seed: '0',
  backend: 'auto',
  keepModels: 'best',
};

/** A number typed into a field: '' is absent, anything unparsable is NaN (which the schema rejects). */
function numberField(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return Number(t);
}

/** Which form field a config path (from the schema) belongs to. */
function fieldOfPath(path: readonly PropertyKey[]): LaunchField | undefined {
  const [head, sub] = path;
  if (head === 'training') {
    if (sub === 'epochs' || sub === 'learningRate' || sub === 'batchSize') return sub;
    return undefined;
  }
  const map: Record<string, LaunchField> = {
    name: 'name',
    evaluator: 'evaluator',
    strategy: 'strategy',
    mode: 'mode',
    reward: 'reward',
    budget: 'budget',
    seed: 'seed',
    backend: 'backend',
    keepModels: 'keepModels',
    dataset: 'dataset',
    dataDir: 'dataDir',
    subset: 'subset',
    actionSet: 'actionSet',
    nb201Dataset: 'nb201Dataset',
    nb201Dir: 'nb201Dir',
  };
  return typeof head === 'string' ? map[head] : undefined;
}

export interface LaunchValidation {
  /** Present when the form makes a valid run config. */
  config?: RunConfigInput;
  /** In words, per field ('form': a problem that belongs to no single field). */
  errors: Partial<Record<LaunchField | 'form', string>>;
}

/**
 * The run config a launcher form describes, checked by RunConfigSchema and the same cross-checks
 * as parseRunConfig, with each problem attached to its field. `actionSets` maps ids to specs.
 */
export function validateLaunch(form: LaunchForm, actionSets: ReadonlyArray<{ id: number; spec: unknown }>): LaunchValidation {
  const errors: LaunchValidation['errors'] = {};
  const training = form.evaluator === 'training';
  const chosenSet = actionSets.find((s) => String(s.id) === form.actionSet);
  const subset = numberField(form.subset);
  const seed = numberField(form.seed);
  const input: Record<string, unknown> = {
    evaluator: form.evaluator,
    strategy: form.strategy,
    mode: form.mode,
    reward: form.reward,
    budget: numberField(form.budget) ?? Number.NaN,
    seed: seed ?? Number.NaN,
    backend: form.backend,
    keepModels: form.keepModels,
    dataset: form.dataset,
    training: {
      epochs: numberField(form.epochs) ?? Number.NaN,
      learningRate: numberField(form.learningRate) ?? Number.NaN,
      batchSize: numberField(form.batchSize) ?? Number.NaN,
      // The training seed follows the run seed: one number for the user, as the CLI does.
      seed: seed !== undefined && Number.isInteger(seed) && seed >= 0 ? seed : 0,
    },
    nb201Dataset: form.nb201Dataset,
  };
  if (form.name.trim()) input.name = form.name.trim();
  if (form.dataDir.trim()) input.dataDir = form.dataDir.trim();
  if (form.nb201Dir.trim()) input.nb201Dir = form.nb201Dir.trim();
  if (subset !== undefined) input.subset = subset;
  if (training && chosenSet) input.actionSet = chosenSet.spec;

  // Before the schema's issues, which only know that the config has no action set.
  if (training && form.actionSet && !chosenSet) errors.actionSet ??= 'this action set no longer exists';
  const result = RunConfigSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = fieldOfPath(issue.path) ?? 'form';
      if (errors[field]) continue;
      errors[field] = readableIssue(issue.message, issue.code);
    }
  }
  const dataDir = form.dataDir.trim() || undefined;
  for (const { field, message } of runConfigProblems({ ...form, dataDir, actionSet: chosenSet?.spec })) errors[field] ??= message;
  if (Object.keys(errors).length > 0 || !result.success) return { errors };
  return { config: input as RunConfigInput, errors };
}

function readableIssue(message: string, code: string): string {
  if (/expected number, received NaN/i.test(message)) return 'enter a number';
  if (code === 'invalid_type' && /int/i.test(message)) return 'enter a whole number';
  const bound = /^Too (?:small|big): expected (number|string|array) to (?:be|have) ([<>]=?)(\S+)(?: (\w+))?/.exec(message);
  if (bound) {
    const [, kind, op, limit, unit] = bound;
    const words: Record<string, string> = { '>=': 'at least', '>': 'more than', '<=': 'at most', '<': 'less than' };
    return kind === 'number' ? `must be ${words[op]} ${limit}` : `${words[op]} ${limit} ${unit ?? 'items'}`;
  }
  return message.replace(/^Invalid input: /, '');
}

/** A candidate that has been proposed and is training: no results yet. */
function runningCandidate(index: number, what: Pick<LiveCandidate, 'label' | 'hash' | 'architecture'>): LiveCandidate {
  return { index, ...what, status: 'running', epochs: [], signal: null, reward: null, testAcc: null, params: null, seconds: null, cached: false, error: null };
}
