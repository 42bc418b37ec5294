/**
 * What a search run is: everything the engine needs to start it, or to start it again on resume.
 * Stored with the run (so a resumed run trains exactly as it began) and sent to the engine process.
 * The schema carries every check, cross-field ones included, so each boundary that parses a config
 * (the app's API, the CLI's arguments, the engine's messages) refuses the same configs, once; code
 * past a boundary takes the parsed `RunConfig` and does not check again.
 */
import { z } from 'zod';
import { ActionGrammar, ActionSetError, ActionSetSchema, parseActionSet, type ActionSet } from './action-set';
import { canonicalJson } from './architecture';
import { BACKEND_NAMES } from './backend';
import { isRedisUrl, REDIS_URL_FORM } from './redis-url';
import { TrainingConfigSchema } from './training';

/** 'folder': the user's own images, one subfolder per class (dataDir is the folder; `image` says how they are decoded). */
export const DATASET_NAMES = ['fashion-mnist', 'cifar10', 'synthetic', 'folder'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
/** The datasets whose input is fixed (a folder's depends on its `image` options and its subfolders). */
export type BuiltinDatasetName = Exclude<DatasetName, 'folder'>;

/** What each built-in dataset feeds a network (the engine's loaders produce exactly these; a test checks). */
export const DATASET_INPUTS: Readonly<Record<BuiltinDatasetName, DatasetInput>> = {
  'fashion-mnist': { label: 'Fashion-MNIST', inputShape: [28, 28, 1], numClasses: 10 },
  cifar10: { label: 'CIFAR-10', inputShape: [32, 32, 3], numClasses: 10 },
  synthetic: { label: 'synthetic', inputShape: [12, 12, 1], numClasses: 4 },
};

export interface DatasetInput {
  label: string;
  inputShape: [number, number, number];
  /** Unknown for a folder until its subfolders are counted (the launch checks do). */
  numClasses?: number;
}

/** A built-in dataset's input by name (a folder's needs its config: configInput). */
export function datasetInput(name: string | null | undefined): DatasetInput | undefined {
  return name && Object.hasOwn(DATASET_INPUTS, name) ? DATASET_INPUTS[name as BuiltinDatasetName] : undefined;
}

/** How a folder's images are decoded: resized to size × size pixels, with 1 (grayscale) or 3 (RGB) channels. */
export const FolderImageSchema = z.strictObject({
  size: z.int().min(4).max(512),
  channels: z.union([z.literal(1), z.literal(3)]),
});
export type FolderImage = z.infer<typeof FolderImageSchema>;
/** What a folder dataset is decoded to when its config names no `image` (the CLI's and the launcher's defaults). */
export const DEFAULT_FOLDER_IMAGE: FolderImage = { size: 32, channels: 3 };

/** The folder dataset's decoding options, defaults filled in. */
export function folderImage(config: { image?: FolderImage }): FolderImage {
  return config.image ?? DEFAULT_FOLDER_IMAGE;
}

/** What a run's networks take in: a built-in dataset's input, or a folder's images as decoded. */
export function configInput(config: { dataset?: string | null; image?: FolderImage }): DatasetInput | undefined {
  if (config.dataset !== 'folder') return datasetInput(config.dataset);
  const { size, channels } = folderImage(config);
  return { label: 'folder', inputShape: [size, size, channels] };
}

/** Why a subset is too small for the dataset's classes (the schema's check for a built-in dataset, the launch checks' for a folder). */
export function subsetProblem(subset: number, numClasses: number, label: string): string | undefined {
  if (subset >= numClasses) return undefined;
  return `a subset of ${subset} is smaller than the ${numClasses} classes of ${label}: use at least ${numClasses} images, so that every class is in the training set`;
}

export const STRATEGY_NAMES = ['ppo', 'random', 'evolution', 'dqn', 'qlearning'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
/** Value-based agents that always build a candidate one slot per step (whatever the mode says). */
export const LAYERWISE_STRATEGIES: readonly StrategyName[] = ['dqn', 'qlearning'];
/** Agents that can build a candidate one slot per step (layerwise mode). */
const STEPWISE_STRATEGIES: readonly string[] = ['ppo', ...LAYERWISE_STRATEGIES];
export const PRUNE_RULES = ['none', 'median', 'asha'] as const;
export type PruneRule = (typeof PRUNE_RULES)[number];
/** PPO's performance predictor: none (learn from real rewards alone), or a Gaussian process it trains on between evaluations. */
export const PREDICTOR_NAMES = ['none', 'gp'] as const;
export const EVALUATOR_NAMES = ['training', 'nb201'] as const;
export const NB201_DATASET_NAMES = ['cifar10', 'cifar100', 'imagenet16'] as const;

/** The most candidates a run may have: also what a time-boxed run gets when no budget is given. */
export const MAX_BUDGET = 1_000_000;
/** Thirty days. */
const MAX_TIME_BUDGET_S = 30 * 24 * 3600;

/** Each field's own schema, without the cross-field checks: for forms that read defaults and options. Parse configs with RunConfigSchema. */
export const RunConfigFieldsSchema = z.strictObject({
  /** A name people give the run; the history shows the id's first characters otherwise. */
  name: z.string().max(200).optional(),
  evaluator: z.enum(EVALUATOR_NAMES),
  strategy: z.enum(STRATEGY_NAMES),
  /** PPO: propose whole networks, or one layer per step (MetaQNN-style); dqn and qlearning always go one layer per step. */
  mode: z.enum(['full', 'layerwise']).default('full'),
  /** PPO only: with 'gp', every result refits a predictor on which PPO takes many cheap updates, and proposals carry its prediction. */
  predictor: z.enum(PREDICTOR_NAMES).default('none'),
  /**
   * With predictor 'gp': before its first proposal the agent learns from the results of earlier runs
   * in the history over the same search space and settings (searchSpaceKey, and the engine's
   * settings key). Off by default, so that a run (a benchmark's above all) depends on its seed alone.
   */
  warmStart: z.boolean().default(false),
  reward: z.enum(['accuracy', 'improvement']).default('accuracy'),
  /** Total candidates to evaluate (a resumed run counts those already done). */
  budget: z.int().min(1).max(MAX_BUDGET),
  /**
   * Wall-clock seconds of search (a resumed run's sessions together): once spent, no new candidate is
   * proposed, those in flight finish, and the run completes, whichever of the two budgets ends first.
   */
  timeBudgetS: z.int().min(1).max(MAX_TIME_BUDGET_S).optional(),
  /** Seeds the strategy (and, through `training.seed`, data split and weights). */
  seed: z.int().min(0),
  backend: z.enum(['auto', ...BACKEND_NAMES]).default('auto'),
  /** Keep the trained weights of every candidate, or only of each new best (enough to export the best). */
  keepModels: z.enum(['best', 'all']).default('best'),
  /** How many candidates are evaluated at once: 1 trains in the engine process, more in worker processes. */
  workers: z.int().min(1).max(64).default(1),
  /** Stop candidates that are clearly losing after an epoch: median stopping, or asynchronous successive halving. */
  prune: z.enum(PRUNE_RULES).default('none'),
  /**
   * Scale-out: queue the candidates on this Redis (BullMQ) for `gennerator worker` processes on any
   * machine, instead of training them here; `workers` is then how many are queued or in evaluation at once.
   */
  redis: z
    .strictObject({
      url: z.string().refine(isRedisUrl, `expected ${REDIS_URL_FORM}`),
      /** Evaluations of a candidate that may fail (an error, or a worker lost twice) before it counts as failed. */
      attempts: z.int().min(1).max(100).default(3),
    })
    .optional(),
  /** Training evaluator: the data, the action set and how each candidate is trained. */
  dataset: z.enum(DATASET_NAMES).default('synthetic'),
  /** The dataset's directory: a built-in dataset's files, or the folder of a folder dataset. */
  dataDir: z.string().optional(),
  /** Folder dataset only: the size and channels its images are decoded to (DEFAULT_FOLDER_IMAGE when absent). */
  image: FolderImageSchema.optional(),
  subset: z.int().min(1).optional(),
  training: TrainingConfigSchema.default(TrainingConfigSchema.parse({})),
  /**
   * Train each candidate under this controller (its name in the history): it steers the learning
   * rate, optimizer, dropout and weight decay from `training`'s starting values. The run is given the
   * controller's checkpoint when it starts (or resumes); absent, candidates train as `training` says.
   */
  controller: z.string().trim().min(1).max(100).optional(),
  actionSet: ActionSetSchema.optional(),
  /** NAS-Bench-201 evaluator: which table column, and where the tables are. */
  nb201Dataset: z.enum(NB201_DATASET_NAMES).default('cifar10'),
  nb201Dir: z.string().optional(),
});

export const RunConfigSchema = RunConfigFieldsSchema.superRefine((config, ctx) => {
  for (const { field, message } of runConfigProblems(config)) ctx.addIssue({ code: 'custom', path: [field], message });
});
export type RunConfig = z.output<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

export class RunConfigError extends Error {
  override name = 'RunConfigError';
  constructor(
    message: string,
    /** What is wrong, each with its path in the config (the CLI names the option to blame). */
    readonly issues: readonly z.core.$ZodIssue[] = [],
  ) {
    super(message);
  }
}

export type RunConfigField = 'actionSet' | 'mode' | 'predictor' | 'warmStart' | 'dataDir' | 'image' | 'prune' | 'subset' | 'nb201Dir' | 'redis' | 'controller';

/**
 * Why a run cannot start, found before it is recorded (launch-checks.ts in the engine): the field to
 * change, what is wrong, and how to fix it. The launcher shows it at the field, the CLI at the option.
 */
export interface LaunchProblem {
  field: RunConfigField;
  message: string;
  fix: string;
}

/**
 * What the fields' own schemas cannot check: fields that depend on each other, and whether the
 * action set allows any network for the dataset's input. Each problem names its field. Part of
 * RunConfigSchema; exported for the launcher form, which shows them while other fields are still invalid.
 */
export function runConfigProblems(config: {
  evaluator?: string;
  strategy?: string;
  mode?: string;
  predictor?: string;
  warmStart?: boolean;
  dataset?: string;
  dataDir?: string;
  image?: unknown;
  actionSet?: unknown;
  prune?: string;
  subset?: unknown;
  redis?: unknown;
  controller?: unknown;
  training?: { selectiveBackprop?: unknown; epochs?: unknown };
}): Array<{ field: RunConfigField; message: string }> {
  const training = config.evaluator === 'training';
  const problems: Array<{ field: RunConfigField; message: string }> = [];
  if (training && !config.actionSet) problems.push({ field: 'actionSet', message: 'the training evaluator needs an action set' });
  if (config.mode === 'layerwise' && !STEPWISE_STRATEGIES.includes(config.strategy ?? '')) {
    problems.push({ field: 'mode', message: 'layerwise mode needs an agent that builds networks step by step (strategy ppo, dqn or qlearning)' });
  }
  if (config.predictor !== undefined && config.predictor !== 'none' && config.strategy !== 'ppo') {
    problems.push({ field: 'predictor', message: 'a predictor guides the PPO agent: it needs strategy ppo' });
  }
  if (config.warmStart === true && (config.predictor !== 'gp' || config.strategy !== 'ppo')) {
    problems.push({ field: 'warmStart', message: "a warm start seeds the PPO agent's predictor with earlier results: it needs strategy ppo with predictor gp" });
  }
  if (training && config.dataset === 'cifar10' && !config.dataDir) problems.push({ field: 'dataDir', message: 'the cifar10 dataset needs a data directory' });
  if (training && config.dataset === 'folder' && !config.dataDir) problems.push({ field: 'dataDir', message: 'a folder dataset needs its folder: a directory with one subfolder of PNG/JPEG images per class' });
  if (config.image !== undefined && config.dataset !== 'folder') {
    problems.push({ field: 'image', message: 'an image size and channels apply to a folder dataset only (the built-in datasets have their own)' });
  }
  if (!training && config.prune !== undefined && config.prune !== 'none') {
    problems.push({ field: 'prune', message: 'pruning stops candidates between epochs: it needs the training evaluator (NAS-Bench-201 lookups have no epochs)' });
  }
  if (!training && config.redis !== undefined) {
    problems.push({ field: 'redis', message: 'remote workers train candidates: they need the training evaluator (NAS-Bench-201 lookups take no time)' });
  }
  if (config.controller !== undefined) {
    if (!training) problems.push({ field: 'controller', message: 'a controller steers training: it needs the training evaluator (NAS-Bench-201 lookups train nothing)' });
    else if (config.prune !== undefined && config.prune !== 'none') problems.push({ field: 'controller', message: 'a controller steers each candidate through all its epochs: it cannot be combined with pruning' });
    else if (typeof config.training?.epochs === 'number' && config.training.epochs < 2) problems.push({ field: 'controller', message: 'a controller decides at the end of each epoch but the last: it needs 2 epochs or more' });
    else if (config.training?.selectiveBackprop !== undefined) problems.push({ field: 'controller', message: 'a controller-steered training backpropagates every sample: it cannot be combined with selective backprop' });
  }
  const parsedImage = FolderImageSchema.safeParse(config.image);
  const input = configInput({ dataset: config.dataset, image: parsedImage.success ? parsedImage.data : undefined });
  const tooSmall = training && input?.numClasses !== undefined && typeof config.subset === 'number' && subsetProblem(config.subset, input.numClasses, input.label);
  if (tooSmall) problems.push({ field: 'subset', message: tooSmall });
  if (training && config.actionSet && input) {
    const message = actionSetProblem(config.actionSet, input);
    if (message) problems.push({ field: 'actionSet', message });
  }
  return problems;
}

/** Why an action set cannot drive a search on this input, or undefined when it can. */
function actionSetProblem(actionSet: unknown, input: DatasetInput): string | undefined {
  try {
    const set = parseActionSet(actionSet);
    if (new ActionGrammar(set, input.inputShape).allowsAnyNetwork()) return undefined;
    return `action set "${set.name}" allows no network for the ${input.label} input (${input.inputShape.join('×')}) within ${set.maxLayers} layers: add edges to output or raise maxLayers`;
  } catch (error) {
    if (error instanceof ActionSetError) return error.message;
    throw error;
  }
}

/**
 * Which candidates a run proposes, as vectors: runs with equal keys mean the same network by the
 * same vector, so one's results can warm-start another (given equal settings keys as well). An
 * action set counts by its content: its name, description and the editor's node positions do not change the space.
 */
export function searchSpaceKey(config: Pick<RunConfig, 'evaluator' | 'actionSet'>): string {
  if (config.evaluator === 'nb201') return 'nb201';
  const set: ActionSet | undefined = config.actionSet;
  if (!set) throw new RunConfigError('the training evaluator needs an action set');
  const { maxLayers, nodes, edges } = set;
  return `actions:${canonicalJson({ maxLayers, nodes: nodes.map(({ id, layer }) => ({ id, layer })), edges })}`;
}

/** A run's data as the history lists it: the NAS-Bench-201 column, a built-in dataset's name, or `folder:PATH` (as the CLI's --dataset takes it). */
export function runDataset(config: Pick<RunConfig, 'evaluator' | 'nb201Dataset' | 'dataset' | 'dataDir'>): string {
  if (config.evaluator === 'nb201') return config.nb201Dataset;
  return config.dataset === 'folder' ? `folder:${config.dataDir ?? ''}` : config.dataset;
}

/** Parses and cross-checks a run config; the error says which field is wrong and why. */
export function parseRunConfig(json: unknown): RunConfig {
  const result = RunConfigSchema.safeParse(json);
  if (!result.success) throw new RunConfigError(`invalid run config: ${z.prettifyError(result.error)}`, result.error.issues);
  return result.data;
}

/** The lifecycle of a run as the history records it. */
export const RUN_STATUSES = ['created', 'running', 'paused', 'completed', 'stopped', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses a run can be resumed from (completed: with a larger budget, "extend"). */
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['stopped', 'interrupted', 'failed', 'completed'];
export const ACTIVE_STATUSES: readonly RunStatus[] = ['created', 'running', 'paused'];

/** `pruned`: stopped early by the run's pruner (a finished candidate, like completed, diverged and failed). */
export const CANDIDATE_STATUSES = ['running', 'completed', 'diverged', 'failed', 'interrupted', 'pruned'] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];
