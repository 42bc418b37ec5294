import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { MAX_BUDGET, NB201_DATASET_NAMES, parseRunConfig, PREDICTOR_NAMES, PRUNE_RULES, RunConfigError, STRATEGY_NAMES, type PruneRule, type RunConfig } from '../../shared/run-config';
import { actionSetProblems } from '../../shared/action-set';
import { problemText } from '../../shared/issues';
import { launchProblems } from '../../engine/run/launch-checks';
import { CliError, EXIT } from '../errors';
import { RunSupervisorError } from '../../main/services/run-supervisor';
import { createSupervisor, resolveRun, withDbOption, withHistory, type DbOptions } from '../history';
import { positiveInt, redisUrl } from '../options';
import { createOutput } from '../output';
import { CIFAR_DATA_DIR_HINT, dataOptionName, dataOptionsOf, trainingFields, withTrainingOptions, type TrainingOptions } from '../setup';
import { watchRun } from '../watch-run';

const DEFAULT_ACTION_SET = 'resources/action-sets/original-design.json';
const DEFAULT_BUDGET = 20;

interface SearchOptions extends TrainingOptions, DbOptions {
  evaluator: 'training' | 'nb201';
  strategy: (typeof STRATEGY_NAMES)[number];
  /** Absent: 20, or with a time budget as many as the time allows. */
  budget?: number;
  timeBudget?: number;
  mode: 'full' | 'layerwise';
  predictor: (typeof PREDICTOR_NAMES)[number];
  warmStart?: boolean;
  reward: 'accuracy' | 'improvement';
  nb201Dataset: (typeof NB201_DATASET_NAMES)[number];
  nb201Dir?: string;
  actionSet: string;
  keepModels: 'best' | 'all';
  workers: number;
  prune: PruneRule;
  redis?: string;
  attempts?: number;
  name?: string;
  controller?: string;
}

/** `--redis` and `--attempts`, of `search` and `resume`. */
interface ScaleOutOptions {
  redis?: string;
  attempts?: number;
}

function withScaleOutOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'queue the candidates on this Redis for `worker` processes on any machine (redis://[user:password@]host[:port][/db], rediss:// for TLS); --workers is then how many are in flight', redisUrl)
    .option('--attempts <n>', 'with --redis: evaluations a candidate may fail before it counts as failed (default 3)', positiveInt);
}

/** The run config's `redis`, or undefined without --redis. */
function scaleOut(options: ScaleOutOptions): RunConfig['redis'] {
  if (options.redis === undefined) {
    if (options.attempts !== undefined) throw new CliError('--attempts needs --redis', 'candidates are attempted again only on remote workers');
    return undefined;
  }
  return { url: options.redis, attempts: options.attempts ?? 3 };
}

export function registerSearch(program: Command): void {
  const command = program
    .command('search')
    .description('search for an architecture: a strategy proposes, an evaluator scores; every candidate is kept in the history')
    .addOption(new Option('--evaluator <name>', 'train candidates, or look them up in NAS-Bench-201').choices(['training', 'nb201']).default('training'))
    .addOption(new Option('--strategy <name>', 'who proposes candidates').choices(STRATEGY_NAMES).default('ppo'))
    .option('--budget <n>', `number of candidates to evaluate (default: ${DEFAULT_BUDGET}; with --time-budget, as many as the time allows)`, positiveInt)
    .option('--time-budget <seconds>', 'wall-clock time of the search: then no new candidate is proposed, those in training finish, and the run completes', positiveInt)
    .addOption(new Option('--mode <mode>', 'propose whole networks or one layer at a time').choices(['full', 'layerwise']).default('full'))
    .addOption(new Option('--predictor <name>', "ppo: none, or a Gaussian process fitted to every result, on which the agent trains between evaluations").choices(PREDICTOR_NAMES).default('none'))
    .option('--warm-start', 'with --predictor gp: first learn from the results of earlier runs in the history on the same search space and data (off by default)')
    .addOption(new Option('--reward <kind>', "the agent's reward").choices(['accuracy', 'improvement']).default('accuracy'))
    .addOption(new Option('--nb201-dataset <name>', 'NAS-Bench-201 dataset').choices(NB201_DATASET_NAMES).default('cifar10'))
    .option('--nb201-dir <dir>', 'directory of the NAS-Bench-201 tables (default ../shared/benchmarks/nasbench201)')
    .option('--action-set <file>', 'the layers the search may use (JSON)', DEFAULT_ACTION_SET)
    .addOption(new Option('--keep-models <which>', 'keep the trained weights of each new best, or of every candidate').choices(['best', 'all']).default('best'))
    .option('--workers <n>', 'candidates evaluated at once (more than 1: in worker processes)', positiveInt, 1)
    .addOption(new Option('--prune <rule>', 'stop clearly losing candidates early').choices(PRUNE_RULES).default('none'))
    .option('--name <text>', 'a name for the run in the history')
    .option('--controller <name>', 'train each candidate with this controller (see `tune list`) steering its learning rate, optimizer, dropout and weight decay');
  withDbOption(withScaleOutOptions(withTrainingOptions(command, { epochs: 1 }))).action(runSearch);

  withDbOption(
    withScaleOutOptions(
      program
        .command('resume')
        .description('continue a stopped, interrupted or failed run from its last checkpoint, or extend a finished one')
        .argument('<run>', 'run id (or a unique prefix)')
        .option('--budget <n>', 'new total budget (required to extend a completed run)', positiveInt)
        .option('--json', 'one JSON object per line; the last is the summary'),
    ),
  ).action((id: string, options: DbOptions & ScaleOutOptions & { budget?: number; json?: boolean }) =>
    withHistory(options, async (store) => {
      const supervisor = createSupervisor(store);
      const runId = resolveRun(store, id);
      const redis = scaleOut(options);
      try {
        supervisor.resume(runId, { budget: options.budget, redis });
      } catch (error) {
        throw new CliError((error as Error).message, 'see `runs show <run>`');
      }
      await watchRun(supervisor, store, runId, createOutput(Boolean(options.json)));
    }),
  );
}

async function runSearch(options: SearchOptions): Promise<void> {
  const config = searchConfig(options);
  // The launcher's checks of the files, before any run is recorded.
  const [refused] = await launchProblems(config);
  if (refused) throw new CliError(`${refusedOption(config, refused.field)}: ${refused.message}`, refused.fix);
  await withHistory(options, async (store) => {
    const supervisor = createSupervisor(store);
    let runId: string;
    try {
      runId = supervisor.start(config);
    } catch (error) {
      // The one thing start refuses before recording a run: a controller that is not there or has not learned.
      if (error instanceof RunSupervisorError && config.controller !== undefined) throw new CliError(`--controller: ${error.message}`, 'see `tune list`, or learn one with `tune learn`');
      throw error;
    }
    await watchRun(supervisor, store, runId, createOutput(Boolean(options.json)));
  });
}

/** The run config the options describe, parsed once, here: a problem names the option (or file) to change. */
function searchConfig(options: SearchOptions): RunConfig {
  const data = dataOptionsOf(options);
  try {
    return parseRunConfig({
      name: options.name,
      evaluator: options.evaluator,
      strategy: options.strategy,
      mode: options.mode,
      predictor: options.predictor,
      warmStart: options.warmStart ?? false,
      reward: options.reward,
      budget: options.budget ?? (options.timeBudget === undefined ? DEFAULT_BUDGET : MAX_BUDGET),
      timeBudgetS: options.timeBudget,
      seed: options.seed,
      backend: options.backend,
      keepModels: options.keepModels,
      workers: options.workers,
      prune: options.prune,
      redis: scaleOut(options),
      dataset: data.dataset,
      dataDir: data.dataDir,
      image: data.image,
      subset: data.subset,
      training: trainingFields(options),
      actionSet: options.evaluator === 'training' ? readActionSet(options.actionSet) : undefined,
      nb201Dataset: options.nb201Dataset,
      nb201Dir: options.nb201Dir,
      controller: options.controller,
    });
  } catch (error) {
    if (error instanceof RunConfigError) throw optionError(error.issues[0], options.actionSet, data);
    throw error;
  }
}

const ACTION_SET_HINT = 'see resources/action-sets/ for examples';
/** Where a run config's option names differ from its field names. */
const OPTION_OF_FIELD: Partial<Record<string, string>> = { learningRate: '--lr', timeBudgetS: '--time-budget', size: '--image-size' };
const HINT_OF_FIELD: Partial<Record<string, string>> = { mode: 'use --strategy ppo, or --mode full', predictor: 'use --strategy ppo, or --predictor none', warmStart: 'use --strategy ppo --predictor gp, or leave out --warm-start', dataDir: CIFAR_DATA_DIR_HINT, controller: '--controller needs --epochs 2 or more, without --prune or --selective-backprop' };

function optionError(issue: RunConfigError['issues'][number] | undefined, actionSetFile: string, data: Pick<RunConfig, 'dataset' | 'dataDir'>): CliError {
  const path = (issue?.path ?? []).map(String);
  const message = issue?.message ?? 'invalid run config';
  if (path[0] === 'actionSet') {
    const where = path.length > 1 ? `action set ${path.slice(1).join('.')}: ` : message.startsWith('action set') ? '' : 'action set: ';
    return new CliError(`${actionSetFile}: ${where}${message}`, ACTION_SET_HINT);
  }
  const field = path[0] === 'training' || path[0] === 'image' ? path[1] : path[0];
  const option = field === 'dataDir' ? dataOptionName(data) : field ? optionName(field) : 'the options';
  return new CliError(`${option}: ${message}`, (field && HINT_OF_FIELD[field]) ?? 'see `search --help`');
}

/** The option that sets a run config field: `--data-dir` for dataDir. */
function optionName(field: string): string {
  return OPTION_OF_FIELD[field] ?? `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The option a launch check refused (a directory's says when it was the default); the message names the path itself. */
function refusedOption(config: RunConfig, field: string): string {
  if (field === 'dataDir') return dataOptionName(config);
  return field === 'nb201Dir' && !config.nb201Dir ? `${optionName(field)} (default)` : optionName(field);
}

/** The action set file, refused with every problem it has (the editor's import uses the same validator). */
export function readActionSet(file: string): unknown {
  const json = readJson(file);
  const problems = actionSetProblems(json);
  if (problems.length === 1) throw new CliError(`${file}: action set ${problemText(problems[0])}`, ACTION_SET_HINT);
  if (problems.length > 1) throw new CliError(`${file}: action set: ${problems.length} problems:`, ACTION_SET_HINT, EXIT.usage, problems.map(problemText));
  return json;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read: ${(error as Error).message}`, ACTION_SET_HINT);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`, ACTION_SET_HINT);
  }
}
