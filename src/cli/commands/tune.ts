/**
 * `tune`: the second mode, a controller that steers a network's hyperparameters while it trains.
 * `learn` and `apply` train (they load TensorFlow.js lazily, as `train` does); `list`, `show` and
 * `delete` only read the history.
 */
import { Option, type Command } from 'commander';
import { BACKEND_NAMES, type BackendChoice } from '../../shared/backend';
import { DEFAULT_FOLDER_IMAGE } from '../../shared/run-config';
import { OPTIMIZERS, type OptimizerName } from '../../shared/training';
import { HYPERPARAMETER_BOUNDS } from '../../shared/tuning';
import { CliError } from '../errors';
import { withDbOption, withHistory, type DbOptions } from '../history';
import { datasetArgument, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from '../options';
import { printController, printControllerList } from './tune-text';

/** Options both `learn` and `apply` take: the data, the training, where a task starts. */
export interface TuneTaskOptions extends DbOptions {
  dataset: string;
  dataDir?: string;
  imageSize?: number;
  channels?: '1' | '3';
  subset?: number;
  epochs: number;
  batchSize: number;
  decisionsPerEpoch: number;
  lr: number;
  optimizer: OptimizerName;
  /** Absent: each network's own (its first Dropout layer's rate, 0 without one). */
  dropout?: number;
  weightDecay: number;
  seed: number;
  backend: BackendChoice;
  json?: boolean;
}

export interface TuneLearnOptions extends TuneTaskOptions {
  name: string;
  arch?: string[];
  actionSet?: string;
  sample?: number;
  episodes?: number;
  parallelEpisodes?: number;
  resume?: boolean;
}

export interface TuneApplyOptions extends TuneTaskOptions {
  controller: string;
  arch?: string;
  run?: string;
  candidate?: number;
  baselines: string;
  seeds: string;
  fineTune: number;
  export?: string;
}

function withTaskOptions(command: Command): Command {
  return withDbOption(
    command
      .option('--dataset <name>', 'dataset to train on: fashion-mnist, cifar10, synthetic, or folder:PATH', datasetArgument, 'fashion-mnist')
      .option('--data-dir <dir>', 'directory holding the dataset files (required for cifar10)')
      .option('--image-size <px>', `with --dataset folder:PATH: resize the images to px × px (default ${DEFAULT_FOLDER_IMAGE.size})`, positiveInt)
      .addOption(new Option('--channels <n>', `with --dataset folder:PATH: 1 (grayscale) or 3 (RGB) (default ${DEFAULT_FOLDER_IMAGE.channels})`).choices(['1', '3']))
      .option('--subset <n>', 'train on at most n samples of the training set', positiveInt)
      .option('--epochs <n>', 'epochs each network trains for (an episode)', positiveInt, 3)
      .option('--batch-size <n>', 'batch size', positiveInt, 64)
      .option('--decisions-per-epoch <k>', 'decision points per epoch: 1 = at each epoch\'s end; more = also within the epoch', positiveInt, 1)
      .option('--lr <x>', 'learning rate each training starts at', positiveNumber, 1e-3)
      .addOption(new Option('--optimizer <name>', 'optimizer each training starts with').choices(OPTIMIZERS).default('adam'))
      .option('--dropout <x>', 'dropout rate each training starts at, for every Dropout layer (default: each network\'s own)', nonNegativeNumber)
      .option('--weight-decay <x>', 'L2 weight decay each training starts at', nonNegativeNumber, 0)
      .option('--seed <n>', 'seed of the data split, the tasks\' order and sampling, and the controller', nonNegativeInt, 0)
      .addOption(new Option('--backend <name>', 'tfjs backend (or env GENNERATOR_BACKEND)').choices(['auto', ...BACKEND_NAMES]).default(process.env.GENNERATOR_BACKEND ?? 'auto'))
      .option('--json', 'one JSON object per line; the last is the summary'),
  );
}

export function registerTune(program: Command): void {
  const tune = program.command('tune').description('a controller that steers a network\'s learning rate, optimizer, dropout and weight decay while it trains');

  withTaskOptions(
    tune
      .command('learn')
      .description('learn a controller on a set of networks (many short trainings), saved under its name in the history; --resume continues one')
      .requiredOption('--name <name>', 'the controller\'s name')
      .option('--arch <files...>', 'networks to learn on: JSON files (or inline JSON) of layers')
      .option('--action-set <file>', 'or sample the networks from this action set (JSON), with --sample')
      .option('--sample <k>', 'with --action-set: how many networks to sample', positiveInt)
      .option('--episodes <n>', 'learning episodes in all (one network trained for --epochs each); with --resume, the new total', positiveInt)
      .option('--parallel-episodes <n>', 'learning episodes run at once, each in a worker process sharing the CPU (default 1: one after another in this process)', positiveInt)
      .option('--resume', 'continue the stopped (or finished) controller --name from its last finished episode, on its own networks'),
  ).action(async (options: TuneLearnOptions) => {
    const { runTuneLearn } = await import('./tune-learn');
    await runTuneLearn(options);
  });

  withTaskOptions(
    tune
      .command('apply')
      .description('train one network with a controller steering it, and the same network with baseline schedules for comparison')
      .requiredOption('--controller <name>', 'the controller to apply (see `tune list`)')
      .option('--arch <file-or-json>', 'the network: a JSON file or inline JSON list of layers')
      .option('--run <id>', 'or a candidate of a past run: the run id (or a unique prefix), with --candidate')
      .option('--candidate <index>', 'with --run: the candidate\'s index', nonNegativeInt)
      .option('--baselines <list>', 'baseline schedules, comma-separated: constant, cosine, step, best-constant, or none', 'constant,cosine,step,best-constant')
      .option('--seeds <list>', 'seeds to train each schedule with, comma-separated', '0')
      .option('--fine-tune <k>', 'learning episodes on this network before applying the controller (its saved state is not changed)', nonNegativeInt, 0)
      .option('--export <dir>', 'write the controller-steered model (TensorFlow.js layers format), its architecture and its schedule here'),
  ).action(async (options: TuneApplyOptions) => {
    const { runTuneApply } = await import('./tune-apply');
    await runTuneApply(options);
  });

  withDbOption(tune.command('list').description('controllers and tuning sessions, the most recent first').option('--json', 'one JSON object')).action(
    (options: DbOptions & { json?: boolean }) => withHistory(options, (store) => printControllerList(store, Boolean(options.json))),
  );

  withDbOption(
    tune.command('show').description("a controller: its settings, networks, learning curve and tuning sessions").argument('<name>', 'controller name').option('--json', 'one JSON object'),
  ).action((name: string, options: DbOptions & { json?: boolean }) => withHistory(options, (store) => printController(store, name, Boolean(options.json))));

  withDbOption(tune.command('delete').description('delete a controller with its learning episodes and tuning sessions').argument('<name>', 'controller name')).action(
    (name: string, options: DbOptions) =>
      withHistory(options, (store) => {
        const controller = store.getController(name);
        if (!controller) throw new CliError(`there is no controller named "${name.trim()}" in the history`, 'see `tune list`');
        if (controller.status === 'learning') throw new CliError(`controller "${controller.name}" is learning`, 'stop it first (Ctrl-C in its terminal)');
        store.deleteController(controller.name);
        process.stdout.write(`deleted controller "${controller.name}" (${controller.episodesDone} learning episodes)\n`);
      }),
  );
}

/** The initial hyperparameters the options give, checked against the bounds a controller keeps to. */
export function initialHyperparameters(options: Pick<TuneTaskOptions, 'lr' | 'optimizer' | 'dropout' | 'weightDecay'>) {
  const { learningRate: lr, dropout, weightDecay } = HYPERPARAMETER_BOUNDS;
  if (options.lr < lr.min || options.lr > lr.max) throw new CliError(`--lr: ${options.lr} is outside ${lr.min}…${lr.max}`, 'a steered training keeps its learning rate within these bounds');
  if (options.dropout !== undefined && options.dropout > dropout.max) throw new CliError(`--dropout: ${options.dropout} is above ${dropout.max}`, 'a steered training keeps its dropout within 0…' + dropout.max);
  if (options.weightDecay > weightDecay.max) throw new CliError(`--weight-decay: ${options.weightDecay} is above ${weightDecay.max}`, 'a steered training keeps its weight decay within 0…' + weightDecay.max);
  return { learningRate: options.lr, optimizer: options.optimizer, dropout: options.dropout, weightDecay: options.weightDecay };
}
