import { Option, type Command } from 'commander';
import { ArchitectureError } from '../../shared/architecture';
import { BACKEND_NAMES, type BackendChoice } from '../../shared/backend';
import { inferShapes } from '../../shared/shapes';
import { OPTIMIZERS, TrainingConfigSchema, type EpochMetrics, type OptimizerName } from '../../shared/training';
import { trainCandidate } from '../../engine/train/candidate';
import { CliError } from '../errors';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, readArchitecture } from '../options';
import { createOutput, createProgressBar, percent } from '../output';
import { DATASET_NAMES, loadPreparedData, startBackend } from '../setup';

interface TrainOptions {
  dataset: (typeof DATASET_NAMES)[number];
  dataDir?: string;
  arch: string;
  epochs: number;
  subset?: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  weightDecay: number;
  seed: number;
  backend: BackendChoice;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('build one architecture, train it and report validation and test accuracy')
    .addOption(new Option('--dataset <name>', 'dataset').choices(DATASET_NAMES).default('fashion-mnist'))
    .option('--data-dir <dir>', 'directory holding the dataset files (required for cifar10)')
    .requiredOption('--arch <file-or-json>', 'architecture: a JSON file or inline JSON list of layers')
    .option('--epochs <n>', 'training epochs', positiveInt, 3)
    .option('--subset <n>', 'train on at most n samples of the training set', positiveInt)
    .option('--batch-size <n>', 'batch size', positiveInt, 64)
    .option('--lr <x>', 'learning rate', positiveNumber, 1e-3)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('adam'))
    .option('--weight-decay <x>', 'L2 weight decay on kernels', nonNegativeNumber, 0)
    .option('--seed <n>', 'seed for the split, weights and batch order', nonNegativeInt, 0)
    .addOption(
      new Option('--backend <name>', 'tfjs backend (or env GENNERATOR_BACKEND)')
        .choices(['auto', ...BACKEND_NAMES])
        .default(process.env.GENNERATOR_BACKEND ?? 'auto'),
    )
    .option('--json', 'one JSON object per line; the last is the summary')
    .action(runTrain);
}

async function runTrain(options: TrainOptions): Promise<void> {
  const output = createOutput(Boolean(options.json));
  const architecture = readArchitecture(options.arch);
  const config = TrainingConfigSchema.parse({
    epochs: options.epochs,
    batchSize: options.batchSize,
    optimizer: options.optimizer,
    learningRate: options.lr,
    weightDecay: options.weightDecay,
    seed: options.seed,
  });

  const backend = await startBackend(options.backend, output);
  const data = await loadPreparedData(options);
  const { dataset } = data;
  let shapes;
  try {
    shapes = inferShapes(architecture, dataset.inputShape, dataset.numClasses);
  } catch (error) {
    if (error instanceof ArchitectureError) {
      throw new CliError(`${error.message} (input ${dataset.inputShape.join('×')})`, 'change or remove that layer');
    }
    throw error;
  }
  output.event('data', {
    dataset: dataset.name,
    input_shape: dataset.inputShape,
    train: data.train.count,
    validation: data.validation.count,
    test: data.test.count,
  });
  output.line(
    `data     ${dataset.name} ${dataset.inputShape.join('×')}: ${data.train.count} train, ` +
      `${data.validation.count} validation, ${data.test.count} test`,
  );
  output.line(`model    ${architecture.layers.length} layers + head, ${shapes.totalParams.toLocaleString('en')} parameters`);

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const bar = createProgressBar(output, 'epoch {epoch}/{epochs} [{bar}] {value}/{total} batches | loss {loss} | ETA {eta_formatted}');
  const epochs: EpochMetrics[] = [];
  const result = await trainCandidate(architecture, data, config, {
    signal: abort.signal,
    evaluateTest: true,
    onBatch: ({ epoch, batch, batches, loss }) => {
      if (batch === 1) bar?.start(batches, 0, { epoch, epochs: config.epochs, loss: '…' });
      bar?.update(batch, { loss: loss.toFixed(4) });
    },
    onEpoch: (metrics) => {
      bar?.stop();
      epochs.push(metrics);
      output.event('epoch', epochJson(metrics));
      output.line(
        `epoch ${metrics.epoch}/${config.epochs}  loss ${metrics.trainLoss.toFixed(4)}  acc ${percent(metrics.trainAccuracy)}  ` +
          `val_loss ${metrics.validLoss.toFixed(4)}  val_acc ${percent(metrics.validAccuracy)}  ` +
          `${metrics.seconds.toFixed(1)} s  ${Math.round(metrics.imagesPerSecond)} img/s`,
      );
    },
  });
  bar?.stop();
  process.off('SIGINT', onSigint);
  if (result.status === 'failed') throw new CliError(result.error, 'change or remove that layer', 1);

  const last = epochs.at(-1);
  const imagesPerSecond = epochs.length ? epochs.reduce((s, e) => s + e.imagesPerSecond, 0) / epochs.length : 0;
  output.event('summary', {
    status: result.status,
    backend: backend.name,
    device: backend.device,
    arch_hash: result.hash,
    params: result.params,
    epochs: epochs.map(epochJson),
    valid_acc: last?.validAccuracy ?? null,
    test_acc: result.test?.accuracy ?? null,
    test_loss: result.test?.loss ?? null,
    images_per_s: imagesPerSecond,
    ...(result.training.divergence ? { divergence: result.training.divergence } : {}),
  });
  output.line(`test     acc ${percent(result.test?.accuracy)}  loss ${result.test?.loss.toFixed(4) ?? '—'}`);

  if (result.status === 'diverged') {
    const d = result.training.divergence;
    throw new CliError(
      `training diverged at epoch ${d?.epoch}, batch ${d?.batch} (loss ${d?.loss})`,
      'try a lower --lr or another --optimizer',
      1,
    );
  }
  if (result.status === 'cancelled') throw new CliError('training cancelled', undefined, 130);
}

function epochJson(m: EpochMetrics) {
  return {
    epoch: m.epoch,
    train_loss: m.trainLoss,
    train_acc: m.trainAccuracy,
    valid_loss: m.validLoss,
    valid_acc: m.validAccuracy,
    seconds: m.seconds,
    images_per_s: m.imagesPerSecond,
  };
}
