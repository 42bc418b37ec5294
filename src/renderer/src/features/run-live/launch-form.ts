/**
 * The launcher form: its fields as typed (strings, as inputs hold them), their defaults, and the run
 * config they describe, checked by the shared RunConfigSchema and runConfigProblems with each
 * problem attached to its field.
 */
import type { ActionSet } from '../../../../shared/action-set';
import { agentBudgetWarning } from '../../../../shared/agent-budget';
import { DEFAULT_FOLDER_IMAGE, LAYERWISE_STRATEGIES, RunConfigFieldsSchema, RunConfigSchema, runConfigProblems, type RunConfig, type RunConfigField, type RunConfigInput } from '../../../../shared/run-config';
import { TrainingConfigSchema } from '../../../../shared/training';

export interface LaunchForm {
  name: string;
  evaluator: string;
  dataset: string;
  dataDir: string;
  /** A folder dataset's image side in pixels, and its channels ('1' grayscale, '3' RGB). */
  imageSize: string;
  channels: string;
  nb201Dataset: string;
  nb201Dir: string;
  /** The id of the chosen action set (as a string, as a <select> has it). */
  actionSet: string;
  mode: string;
  predictor: string;
  /** 'on' or 'off' (a checkbox). */
  warmStart: WarmStartChoice;
  strategy: string;
  budget: string;
  /** Wall-clock seconds of search ('' is none). */
  timeBudget: string;
  epochs: string;
  subset: string;
  learningRate: string;
  batchSize: string;
  /** Selective backprop's beta ('' is off). */
  selectiveBackprop: string;
  reward: string;
  seed: string;
  backend: string;
  keepModels: string;
  workers: string;
  prune: string;
  /**
   * The run this form was prefilled from ("run again with changes"): what the form does not show
   * (the optimizer, weight decay…) keeps its values, and actionSet RUN_ACTION_SET is its action set.
   */
  base?: RunConfig;
  /** A Redis URL to queue the candidates on for remote workers ('' trains them on this machine). */
  redis: string;
}

export type LaunchField = Exclude<keyof LaunchForm, 'base'>;

/** The actionSet value that stands for the base run's own action set (it may be stored no longer, or have changed since). */
export const RUN_ACTION_SET = 'run';
export type WarmStartChoice = 'on' | 'off';

/** The run config's own defaults, for the fields the form shows with one. */
const RUN_DEFAULTS = RunConfigFieldsSchema.pick({ dataset: true, nb201Dataset: true, mode: true, predictor: true, reward: true, backend: true, keepModels: true, prune: true }).parse({});
const TRAINING_DEFAULTS = TrainingConfigSchema.parse({});

/** The schema's choices for a field with a default (a <select>'s options). */
export function launchOptions(field: 'mode' | 'predictor' | 'reward' | 'backend' | 'keepModels' | 'prune'): readonly string[] {
  return RunConfigFieldsSchema.shape[field].unwrap().options;
}

/** What the mode field does for the chosen strategy. */
export function modeHint(strategy: string, mode: string): string {
  if ((LAYERWISE_STRATEGIES as readonly string[]).includes(strategy)) return `${strategy} always builds one layer per step`;
  return mode === 'layerwise' ? 'one layer per step (ppo only)' : 'whole networks';
}

export const DEFAULT_LAUNCH_FORM: LaunchForm = {
  ...RUN_DEFAULTS,
  name: '',
  warmStart: RunConfigFieldsSchema.shape.warmStart.parse(undefined) ? 'on' : 'off',
  evaluator: 'training',
  dataDir: '',
  imageSize: String(DEFAULT_FOLDER_IMAGE.size),
  channels: String(DEFAULT_FOLDER_IMAGE.channels),
  nb201Dir: '',
  actionSet: '',
  // The form's own starting points (the schema has none, or a longer one: 3 epochs).
  strategy: 'ppo',
  budget: '20',
  timeBudget: '',
  epochs: '2',
  subset: '',
  learningRate: String(TRAINING_DEFAULTS.learningRate),
  batchSize: String(TRAINING_DEFAULTS.batchSize),
  selectiveBackprop: '',
  seed: '0',
  workers: String(RunConfigFieldsSchema.shape.workers.parse(undefined)),
  redis: '',
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
    if (sub === 'epochs' || sub === 'learningRate' || sub === 'batchSize' || sub === 'selectiveBackprop') return sub;
    return undefined;
  }
  if (head === 'image') return sub === 'channels' ? 'channels' : 'imageSize';
  const map: Record<string, LaunchField> = {
    name: 'name',
    evaluator: 'evaluator',
    strategy: 'strategy',
    mode: 'mode',
    predictor: 'predictor',
    warmStart: 'warmStart',
    reward: 'reward',
    budget: 'budget',
    timeBudgetS: 'timeBudget',
    seed: 'seed',
    backend: 'backend',
    keepModels: 'keepModels',
    workers: 'workers',
    prune: 'prune',
    redis: 'redis',
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
  const chosenSet = form.actionSet === RUN_ACTION_SET && form.base?.actionSet ? { spec: form.base.actionSet } : actionSets.find((s) => String(s.id) === form.actionSet);
  const subset = numberField(form.subset);
  const seed = numberField(form.seed);
  const beta = numberField(form.selectiveBackprop);
  // A run's settings the form does not show (optimizer, weight decay…) stay as they were; selective backprop is the β field's.
  const { selectiveBackprop: _beta, ...trainingBase } = form.base?.training ?? {};
  const timeBudget = numberField(form.timeBudget);
  const input: Record<string, unknown> = {
    evaluator: form.evaluator,
    strategy: form.strategy,
    mode: form.mode,
    predictor: form.predictor,
    warmStart: form.warmStart === 'on',
    reward: form.reward,
    budget: numberField(form.budget) ?? Number.NaN,
    seed: seed ?? Number.NaN,
    backend: form.backend,
    keepModels: form.keepModels,
    workers: numberField(form.workers) ?? Number.NaN,
    prune: form.prune,
    dataset: form.dataset,
    training: {
      ...trainingBase,
      epochs: numberField(form.epochs) ?? Number.NaN,
      learningRate: numberField(form.learningRate) ?? Number.NaN,
      batchSize: numberField(form.batchSize) ?? Number.NaN,
      // The training seed follows the run seed: one number for the user, as the CLI does.
      seed: seed !== undefined && Number.isInteger(seed) && seed >= 0 ? seed : 0,
      ...(beta === undefined ? {} : { selectiveBackprop: { ...form.base?.training.selectiveBackprop, beta } }),
    },
    nb201Dataset: form.nb201Dataset,
  };
  if (form.name.trim()) input.name = form.name.trim();
  if (form.dataDir.trim()) input.dataDir = form.dataDir.trim();
  if (form.nb201Dir.trim()) input.nb201Dir = form.nb201Dir.trim();
  const redis = form.redis.trim() || undefined;
  // The base run's attempts stay (the form shows the URL only).
  if (redis) input.redis = { ...form.base?.redis, url: redis };
  if (subset !== undefined) input.subset = subset;
  if (timeBudget !== undefined) input.timeBudgetS = timeBudget;
  if (training && chosenSet) input.actionSet = chosenSet.spec;
  const image = form.dataset === 'folder' ? folderImageOf(form) : undefined;
  if (image) input.image = image;

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
  for (const { field, message } of runConfigProblems({ ...form, dataDir, image, subset, redis, warmStart: form.warmStart === 'on', actionSet: chosenSet?.spec })) errors[launchField(field)] ??= message;
  if (Object.keys(errors).length > 0 || !result.success) return { errors };
  return { config: input as RunConfigInput, errors };
}

/** A folder's image options as the form has them (the schema checks their values). */
export function folderImageOf(form: Pick<LaunchForm, 'imageSize' | 'channels'>): { size: number; channels: number } {
  return { size: numberField(form.imageSize) ?? Number.NaN, channels: Number(form.channels) };
}

/**
 * The form field where a config field's problem shows (a folder's image options show at the size; a
 * controller, kept from the run the form was prefilled from, at pruning, what it conflicts with).
 */
export function launchField(field: RunConfigField): LaunchField {
  return field === 'image' ? 'imageSize' : field === 'controller' ? 'prune' : field;
}

/** The shared rule (agentBudgetWarning) on what the form says so far; null while the budget is not a number. */
export function launchBudgetWarning(form: LaunchForm, actionSets: ReadonlyArray<{ id: number; spec: unknown }>): string | null {
  const budget = numberField(form.budget);
  if (budget === undefined || !Number.isInteger(budget) || budget < 1) return null;
  const spec = actionSets.find((s) => String(s.id) === form.actionSet)?.spec as { maxLayers?: number } | undefined;
  return agentBudgetWarning({ ...form, budget, actionSet: spec?.maxLayers === undefined ? undefined : { maxLayers: spec.maxLayers } });
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

/** Without node positions (the editor's layout): two sets that differ only there are the same set. */
const withoutPositions = (set: ActionSet) => JSON.stringify({ ...set, nodes: set.nodes.map(({ position: _position, ...node }) => node) });

/**
 * A run's config as the launcher's form, to run it again with changes. Its action set is the stored
 * one with the same content when there is one, otherwise the run's own (RUN_ACTION_SET).
 */
export function formFromRun(config: RunConfig, actionSets: ReadonlyArray<{ id: number; spec: ActionSet }>): LaunchForm {
  const own = config.actionSet;
  const stored = own && actionSets.find((s) => withoutPositions(s.spec) === withoutPositions(own));
  const text = (value: number | string | undefined) => (value === undefined ? '' : String(value));
  return {
    name: config.name ? `${config.name} (again)` : '',
    evaluator: config.evaluator,
    dataset: config.dataset,
    dataDir: config.dataDir ?? '',
    imageSize: String(config.image?.size ?? DEFAULT_FOLDER_IMAGE.size),
    channels: String(config.image?.channels ?? DEFAULT_FOLDER_IMAGE.channels),
    nb201Dataset: config.nb201Dataset,
    nb201Dir: config.nb201Dir ?? '',
    actionSet: stored ? String(stored.id) : own ? RUN_ACTION_SET : '',
    mode: config.mode,
    predictor: config.predictor,
    strategy: config.strategy,
    budget: text(config.budget),
    epochs: text(config.training.epochs),
    subset: text(config.subset),
    learningRate: text(config.training.learningRate),
    batchSize: text(config.training.batchSize),
    selectiveBackprop: text(config.training.selectiveBackprop?.beta),
    reward: config.reward,
    seed: text(config.seed),
    backend: config.backend,
    keepModels: config.keepModels,
    workers: text(config.workers),
    timeBudget: text(config.timeBudgetS),
    warmStart: config.warmStart ? 'on' : 'off',
    redis: config.redis?.url ?? '',
    prune: config.prune,
    base: config,
  };
}
