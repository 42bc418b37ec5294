/**
 * From a run config to a search ready to run: the backend, the data or benchmark table, the
 * candidate space, the evaluator and its pool, the agent and the pruner, restored from a checkpoint
 * when resuming. The one place that assembles a search, for the engine process and for tests alike.
 */
import { ActionGrammar } from '../../shared/action-set';
import type { BackendReport } from '../../shared/backend';
import type { CachedOutcome, WarmStartResult } from '../../shared/engine-messages';
import type { RunConfig } from '../../shared/run-config';
import type { WorkerEvaluator } from '../../shared/worker-messages';
import type { SearchAgent } from '../agents/agent';
import { DqnAgent } from '../agents/dqn-agent';
import { RegularizedEvolution } from '../agents/evolution';
import { GuidedPpoAgent } from '../agents/guided/guided-ppo';
import { PpoAgent } from '../agents/ppo-agent';
import { QLearningAgent } from '../agents/qlearning';
import { RandomSearch } from '../agents/random-search';
import { initBackend, wasmThreadsPerWorker } from '../backends';
import type { PreparedData } from '../data/types';
import { loadNb201 } from '../evaluators/nb201';
import { Nb201Evaluator } from '../evaluators/nb201-evaluator';
import { restoreRunController, steeredSettingsKey, SteeredTrainingEvaluator, type RunController } from '../evaluators/steered-training';
import { TrainingEvaluator, trainingSettingsKey } from '../evaluators/training';
import { InlinePool } from '../pool/inline-pool';
import { createPruner } from '../search/pruning';
import { ProcessPool } from '../pool/process-pool';
import type { EvaluationPool } from '../pool/types';
import { ReplayCache } from '../search/replay-cache';
import { computeReward, DEFAULT_REWARD, SIGNAL_REWARD, type RewardConfig } from '../search/reward';
import { parseSearchLoopCheckpoint, SearchLoop, type SearchLoopCheckpoint, type SearchLoopOptions } from '../search/search-loop';
import { ActionSetSpace, Nb201Space, type CandidateSpace } from '../search/space';
import { loadData, RunSetupError } from './run-data';

export interface RunSetup {
  runId: string;
  config: RunConfig;
  /** Total evaluations (may exceed config.budget when a finished run is extended). */
  budget: number;
  /** The checkpoint sent with the last finished candidate, when resuming. */
  checkpoint?: unknown;
  /** The checkpoint of config.controller, when the run trains its candidates under one. */
  controller?: unknown;
}

/** Whose earlier outcomes a run reuses: every run's under the same settings, or only its own (after a resume). */
export type CacheScope = 'settings' | 'run';

export interface PreparedRun {
  backend: BackendReport;
  /** Equal keys mean comparable results: the cross-run cache is keyed on it. */
  settingsKey: string;
  /** What the user sees: "synthetic 12×12×1 · action set original-design: 1,234 networks". */
  description: string;
  /** The best signal before this session (−Infinity for a new run): a candidate above it is a new best. */
  bestSignal: number;
  /** Whose earlier outcomes to preload before starting; none when absent. */
  cacheScope?: CacheScope;
  /** Whether the agent warm-starts from earlier runs' results (a new run whose config asks for it). */
  warmStart: boolean;
  /** Earlier outcomes (from main's history) for the replay cache, and the results to warm-start from. */
  preload(entries: readonly CachedOutcome[], warmStart?: readonly WarmStartResult[]): void;
  /** Builds the search loop; `beforeAsk` is where a run pauses. */
  start(onEvent: SearchLoopOptions['onEvent'], beforeAsk?: () => Promise<void>): SearchLoop;
  /** Ends the evaluation pool (its worker processes, if any): after the search, whichever way it ended. */
  close(): Promise<void>;
}

export async function prepareRun(setup: RunSetup): Promise<PreparedRun> {
  const { config, runId } = setup;
  // Checked before anything loads; the agent's part is checked by its own restore.
  const resume = setup.checkpoint === undefined ? undefined : parseSearchLoopCheckpoint(setup.checkpoint);
  const backend = await initBackend(config.backend);
  const problem = config.evaluator === 'nb201' ? nb201Problem(config) : await trainingProblem(config, runId, steeringOf(setup));
  const pool = await problem.openPool();
  const cache = new ReplayCache();
  let warmStart: readonly WarmStartResult[] | undefined;
  // Checked before the run starts, as the agent's part is (RunConfigSchema allows pruning only with training).
  const pruner = createPruner(config.prune, config.training.epochs, resume?.pruner);
  return {
    backend: poolBackend(pool, backend),
    settingsKey: problem.settingsKey,
    description: problem.description,
    bestSignal: resume?.best?.evaluation.signal ?? Number.NEGATIVE_INFINITY,
    // Trained results are worth reusing across runs; a benchmark lookup only needs this run's own to stay exact on resume.
    cacheScope: config.evaluator === 'training' ? 'settings' : resume ? 'run' : undefined,
    warmStart: config.warmStart && !resume,
    preload: (entries, warm) => {
      cache.preload(entries.map((entry) => ({ ...entry })));
      warmStart = warm;
    },
    start: (onEvent, beforeAsk) =>
      new SearchLoop(createAgent(config, problem.space, setup.budget, resume), problem.space, {
        runId,
        evaluator: config.evaluator,
        budget: { evaluations: setup.budget, ...(config.timeBudgetS === undefined ? {} : { seconds: config.timeBudgetS }) },
        pool,
        cache,
        pruner,
        reward: (action, outcome, previous) => computeReward(outcome, previous, problem.depth(action), problem.reward),
        onEvent,
        beforeAsk,
        resumeFrom: resume,
        warmStart,
      }),
    close: () => pool.close(),
  };
}

interface Problem {
  space: CandidateSpace;
  /** Equal keys mean comparable results (the evaluator's settings). */
  settingsKey: string;
  /** Where its candidates are evaluated: in this process, or in `workers` worker processes. */
  openPool(): Promise<EvaluationPool>;
  reward: RewardConfig;
  depth(action: readonly number[]): number;
  description: string;
}

function nb201Problem(config: RunConfig): Problem {
  const table = loadNb201(config.nb201Dir);
  const evaluator = new Nb201Evaluator(table, config.nb201Dataset);
  return {
    space: new Nb201Space(table),
    settingsKey: evaluator.settingsKey,
    // A lookup needs no process: the workers are candidates in flight, for the agents' sake.
    openPool: async () => new InlinePool(evaluator, config.workers),
    reward: SIGNAL_REWARD,
    depth: () => 0,
    description: `NAS-Bench-201 ${config.nb201Dataset}: 15,625 cells`,
  };
}

/** The run's controller (name and checkpoint), checked once here: a missing or broken checkpoint fails the run's setup. */
function steeringOf(setup: RunSetup): RunController | undefined {
  const name = setup.config.controller;
  if (name === undefined) return undefined;
  if (setup.controller === undefined || setup.controller === null) throw new RunSetupError(`controller "${name}" was not given to the run: it has no checkpoint in the history`);
  const controller = { name, checkpoint: setup.controller };
  try {
    restoreRunController(controller);
  } catch (error) {
    throw new RunSetupError((error as Error).message);
  }
  return controller;
}

async function trainingProblem(config: RunConfig, runId: string, controller?: RunController): Promise<Problem> {
  // A parsed config has one (RunConfigSchema checks it, and that it allows a network for this input).
  const set = config.actionSet;
  if (!set) throw new RunSetupError('the training evaluator needs an action set');
  const data = await loadData(config);
  const grammar = new ActionGrammar(set, data.dataset.inputShape);
  const space = new ActionSetSpace(grammar);
  const settingsKey = controller ? steeredSettingsKey(data, config.training, controller.checkpoint) : trainingSettingsKey(data, config.training);
  return {
    space,
    settingsKey,
    openPool: config.redis
      ? () => remoteWorkers(config, runId, settingsKey, controller)
      : config.workers === 1
        ? inlineTraining(data, config, controller)
        : () => trainingWorkers(config, settingsKey, controller),
    reward: { ...DEFAULT_REWARD, kind: config.reward },
    depth: (action) => space.layers(action).length,
    description:
      `${data.dataset.name} ${data.dataset.inputShape.join('×')} · action set ${set.name}: ${grammar.countNetworks().toLocaleString('en')} networks of up to ${grammar.maxLayers} layers` +
      (controller ? ` · each trained under controller ${controller.name}` : ''),
  };
}

const TRAINING_OPTIONS = { evaluateTest: true, captureModels: true };

/** One candidate at a time, trained in this process (the data stay here). */
function inlineTraining(data: PreparedData, config: RunConfig, controller?: RunController): () => Promise<EvaluationPool> {
  return async () =>
    new InlinePool(controller ? new SteeredTrainingEvaluator(data, config.dataset, config.training, controller, TRAINING_OPTIONS) : new TrainingEvaluator(data, config.training, TRAINING_OPTIONS));
}

/** `workers` processes that each load the data and train one candidate at a time, splitting the CPU. */
function trainingWorkers(config: RunConfig, settingsKey: string, controller?: RunController): Promise<EvaluationPool> {
  return ProcessPool.start({
    size: config.workers,
    evaluator: workerTraining(config, settingsKey, controller),
    backend: config.backend,
    wasmThreads: wasmThreadsPerWorker(config.workers),
  });
}

/** `workers` candidates at a time queued on Redis, for `gennerator worker` processes on any machine. */
async function remoteWorkers(config: RunConfig, runId: string, settingsKey: string, controller?: RunController): Promise<EvaluationPool> {
  const { url, attempts } = config.redis!;
  // Loaded only here: a run without Redis never loads BullMQ.
  const { QueuePool } = await import('../pool/queue-pool');
  return QueuePool.open({ url, attempts, runId, size: config.workers, evaluator: workerTraining(config, settingsKey, controller), backend: config.backend });
}

/** What a worker process, here or on another machine, builds its evaluator from (with the controller's checkpoint, when steered). */
function workerTraining(config: RunConfig, settingsKey: string, controller?: RunController): WorkerEvaluator {
  const { dataset, dataDir, image, subset, seed } = config;
  return {
    kind: 'training',
    data: { dataset, dataDir, image, subset, seed },
    training: config.training,
    settingsKey,
    ...TRAINING_OPTIONS,
    ...(controller ? { controller: { name: controller.name, checkpoint: controller.checkpoint as never } } : {}),
  };
}

/** The backend to report: worker processes train with their own, remote workers with whatever each machine has. */
function poolBackend(pool: EvaluationPool, backend: BackendReport): BackendReport {
  if (pool instanceof ProcessPool && pool.backend) return { ...pool.backend, device: `${pool.backend.device}, in each of ${pool.size} workers` };
  if (pool.remote) return { ...backend, device: `remote workers through BullMQ on ${pool.remote}, ${pool.size} candidates at a time` };
  return backend;
}

/** `budget`: the evaluations the run makes (the value-based agents' exploration schedules span it). */
function createAgent(config: RunConfig, space: CandidateSpace, budget: number, resume?: SearchLoopCheckpoint): SearchAgent {
  const slotMask = space.constrained ? (prefix: readonly number[]) => space.slotMask(prefix) : undefined;
  switch (config.strategy) {
    case 'random':
      return resume ? RandomSearch.restore(resume.agent, slotMask) : new RandomSearch(space.nvec, config.seed, undefined, slotMask);
    case 'evolution':
      return resume ? RegularizedEvolution.restore(resume.agent, slotMask) : new RegularizedEvolution(space.nvec, { seed: config.seed, slotMask });
    case 'ppo':
      if (config.predictor === 'gp') return resume ? GuidedPpoAgent.restore(space, resume.agent) : new GuidedPpoAgent(space, { mode: config.mode, seed: config.seed });
      return new PpoAgent({ space, mode: config.mode, seed: config.seed }, resume?.agent);
    case 'dqn':
      return new DqnAgent({ space, seed: config.seed, budget }, resume?.agent);
    case 'qlearning':
      return new QLearningAgent({ space, seed: config.seed, budget }, resume?.agent);
  }
}
