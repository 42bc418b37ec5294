/**
 * From a run config to a search ready to run: the backend, the data or benchmark table, the
 * environment, the evaluator and the strategy, restored from a checkpoint when resuming. The one
 * place that assembles a search, for the engine process and for tests alike.
 */
import { ActionGrammar } from '../../shared/action-set';
import type { BackendReport } from '../../shared/backend';
import type { SearchEvent } from '../../shared/events';
import type { RunConfig } from '../../shared/run-config';
import { RegularizedEvolution } from '../agents/evolution';
import { RandomSearch } from '../agents/random-search';
import type { SearchStrategy } from '../agents/strategy';
import { initBackend } from '../backends';
import { loadDataset, prepareData, type DatasetSpec } from '../data';
import type { PreparedData } from '../data/types';
import { NasEnv } from '../envs/nas';
import { Nb201Env } from '../envs/nb201';
import { loadNb201 } from '../evaluators/nb201';
import { TrainingEvaluator } from '../evaluators/training';
import { EnvProblem } from '../search/problems';
import { parsePpoSearchCheckpoint, PpoSearch, type PpoSearchCheckpoint } from '../search/ppo-search';
import { parseSearchCheckpoint, SearchRun, type SearchCheckpoint, type SearchSummary } from '../search/search-run';

export interface RunSetup {
  runId: string;
  config: RunConfig;
  /** Total evaluations (may exceed config.budget when a finished run is extended). */
  budget: number;
  /** The checkpoint sent with the last finished candidate, when resuming. */
  checkpoint?: unknown;
}

export interface PreparedRun {
  backend: BackendReport;
  /** Equal keys mean comparable results: the cross-run cache is keyed on it. */
  settingsKey: string;
  /** Present for the training evaluator (cache preload, trained weights). */
  evaluator?: TrainingEvaluator;
  /** What the user sees: "synthetic 12×12×1 · action set original-design: 1,234 networks". */
  description: string;
  /** The best signal before this session (−Infinity for a new run): a candidate above it is a new best. */
  bestSignal: number;
  /**
   * Builds the search driver. `onEvent` gets the checkpoint with each candidate_finished;
   * `beforeStep`, which the driver awaits before every environment step, is where a run pauses.
   */
  start(onEvent: (event: SearchEvent, checkpoint?: unknown) => void, beforeStep?: () => Promise<void>): { run(signal?: AbortSignal): Promise<SearchSummary> };
}

export class RunSetupError extends Error {
  override name = 'RunSetupError';
}

export async function prepareRun(setup: RunSetup): Promise<PreparedRun> {
  const { config } = setup;
  // Checked before anything loads; each part (strategy, env, agent) is checked by its own restore.
  const resume = parseResume(config, setup.checkpoint);
  const backend = await initBackend(config.backend);
  let env: NasEnv | Nb201Env;
  let evaluator: TrainingEvaluator | undefined;
  let settingsKey: string;
  let description: string;
  if (config.evaluator === 'nb201') {
    env = new Nb201Env(loadNb201(config.nb201Dir), config.nb201Dataset);
    settingsKey = `nb201|${config.nb201Dataset}`;
    description = `NAS-Bench-201 ${config.nb201Dataset}: 15,625 cells`;
  } else {
    // A parsed config has one (RunConfigSchema checks it, and that it allows a network for this input).
    const set = config.actionSet;
    if (!set) throw new RunSetupError('the training evaluator needs an action set');
    const data = await loadData(config);
    const grammar = new ActionGrammar(set, data.dataset.inputShape);
    evaluator = new TrainingEvaluator(data, config.training, { evaluateTest: true, captureModels: true });
    env = new NasEnv({ grammar, evaluator, mode: config.mode, reward: { kind: config.reward } });
    settingsKey = evaluator.settingsKey;
    description = `${data.dataset.name} ${data.dataset.inputShape.join('×')} · action set ${set.name}: ${grammar.countNetworks().toLocaleString('en')} networks of up to ${grammar.maxLayers} layers`;
  }

  return {
    backend,
    settingsKey,
    evaluator,
    description,
    bestSignal: (resume.ppo ?? resume.askTell)?.best?.evaluation.signal ?? Number.NEGATIVE_INFINITY,
    start: (onEvent, beforeStep) => {
      const { runId, budget: evaluations } = setup;
      const budget = { evaluations };
      if (config.strategy === 'ppo') {
        return new PpoSearch(env, {
          runId,
          evaluator: config.evaluator,
          budget,
          onEvent,
          beforeStep,
          ppo: { seed: config.seed },
          resumeFrom: resume.ppo,
        });
      }
      const problem = new EnvProblem(env, config.evaluator);
      const resumeFrom = resume.askTell;
      const strategy = askTellStrategy(config, problem, resumeFrom);
      return new SearchRun(strategy, problem, { runId, budget, onEvent, beforeStep, resumeFrom });
    },
  };
}

/** A resumed run's checkpoint, parsed for the driver its strategy uses (nothing for a new run). */
function parseResume(config: RunConfig, checkpoint: unknown): { ppo?: PpoSearchCheckpoint; askTell?: SearchCheckpoint } {
  if (checkpoint === undefined) return {};
  return config.strategy === 'ppo' ? { ppo: parsePpoSearchCheckpoint(checkpoint) } : { askTell: parseSearchCheckpoint(checkpoint) };
}

function askTellStrategy(config: RunConfig, problem: EnvProblem, resumeFrom?: SearchCheckpoint): SearchStrategy {
  const { nvec, slotMask } = problem;
  if (config.strategy === 'random') {
    return resumeFrom ? RandomSearch.restore(resumeFrom.strategy, slotMask) : new RandomSearch(nvec, config.seed, undefined, slotMask);
  }
  return resumeFrom ? RegularizedEvolution.restore(resumeFrom.strategy, slotMask) : new RegularizedEvolution(nvec, { seed: config.seed, slotMask });
}

/** Loads and splits a run's dataset (`train` and `search` share it). */
export async function loadData(config: Pick<RunConfig, 'dataset' | 'dataDir' | 'subset' | 'seed'>): Promise<PreparedData> {
  let spec: DatasetSpec;
  if (config.dataset === 'cifar10') {
    if (!config.dataDir) throw new RunSetupError('the cifar10 dataset needs a data directory');
    spec = { name: 'cifar10', dir: config.dataDir };
  } else if (config.dataset === 'fashion-mnist') {
    spec = { name: 'fashion-mnist', dir: config.dataDir };
  } else {
    spec = { name: 'synthetic', seed: config.seed };
  }
  const dataset = await loadDataset(spec);
  return prepareData(dataset, { subset: config.subset, seed: config.seed });
}
