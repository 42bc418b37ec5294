/** What `train` does: build one architecture, train it, report. Loads TensorFlow.js (train.ts loads this lazily). */
import { inferShapes } from '../../shared/shapes';
import type { EpochMetrics } from '../../shared/training';
import { trainCandidate } from '../../engine/train/candidate';
import { CliError, EXIT } from '../errors';
import { readArchitecture } from '../options';
import { createOutput, createProgressBar, percent } from '../output';
import { checkTrainInput, loadPreparedData, startBackend } from '../engine-setup';
import { dataOptionsOf, trainingConfigFrom } from '../setup';
import type { TrainOptions } from './train';

export async function runTrain(options: TrainOptions): Promise<void> {
  const output = createOutput(Boolean(options.json));
  const architecture = readArchitecture(options.arch);
  const config = trainingConfigFrom(options);
  const dataOptions = dataOptionsOf(options);
  await checkTrainInput(dataOptions, architecture);

  const backend = await startBackend(options.backend, output);
  const data = await loadPreparedData(dataOptions);
  const { dataset } = data;
  const shapes = inferShapes(architecture, dataset.inputShape, dataset.numClasses);
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
          `${metrics.seconds.toFixed(1)} s  ${Math.round(metrics.imagesPerSecond)} img/s` +
          (metrics.backpropShare === undefined ? '' : `  backprop ${percent(metrics.backpropShare)}`),
      );
    },
  });
  bar?.stop();
  process.off('SIGINT', onSigint);
  if (result.status === 'failed') throw new CliError(result.error, 'change or remove that layer', EXIT.failed);

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
      EXIT.failed,
    );
  }
  if (result.status === 'cancelled') throw new CliError('training cancelled', undefined, EXIT.interrupted);
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
    ...(m.backpropShare === undefined ? {} : { backprop_share: m.backpropShare }),
  };
}
