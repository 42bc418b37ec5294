/**
 * Real-data accuracy on a backend, for comparison with PyTorch (bench/gpu/reference.py --data):
 * the small CNN (resources/architectures/small-cnn.json) trained through the product's builder and
 * trainer on every training image of a Fashion-MNIST folder, and measured after each epoch on every
 * test image of it. No validation split is taken, so both frameworks see exactly the same images.
 *
 *   npm run -s bench:gpu:accuracy -- --data DIR [--backend webgpu] [--epochs 2] [--batch 64] [--train N] [--test N]
 *
 * DIR holds the four IDX files (.gz or not), e.g. /usr/share/datasets/fashion-mnist or a subset
 * written by bench/gpu/prepare-device.sh; --train/--test take only the first N of each. Prints {"backend", "device", "train", "test", "epochs":
 * [{"epoch", "test_accuracy", "train_loss", "images_per_s"}], "test_accuracy", "seconds"}.
 */
import { parseArgs } from 'node:util';
import { parseArchitecture } from '../../src/shared/architecture';
import { isBackendChoice } from '../../src/shared/backend';
import { TrainingConfigSchema } from '../../src/shared/training';
import { initBackend } from '../../src/engine/backends';
import { loadFashionMnist } from '../../src/engine/data';
import type { Split } from '../../src/engine/data/types';
import { trainCandidate } from '../../src/engine/train/candidate';
import smallCnnJson from '../../resources/architectures/small-cnn.json' with { type: 'json' };

const { values: flags } = parseArgs({
  options: {
    data: { type: 'string' },
    backend: { type: 'string', default: 'webgpu' },
    epochs: { type: 'string', default: '2' },
    batch: { type: 'string', default: '64' },
    train: { type: 'string' },
    test: { type: 'string' },
  },
});
if (!flags.data) throw new Error('--data DIR is required (a folder with the Fashion-MNIST IDX files)');
if (!isBackendChoice(flags.backend)) throw new Error(`unknown backend ${flags.backend}`);

/** The first `count` samples of a split (all of them without a count). */
function first(split: Split, count: string | undefined): Split {
  const n = count === undefined ? split.count : Math.min(split.count, Number(count));
  const pixels = split.x.length / split.count;
  return { x: split.x.subarray(0, n * pixels), y: split.y.subarray(0, n), count: n };
}

const report = await initBackend(flags.backend);
const loaded = await loadFashionMnist(flags.data);
const dataset = { ...loaded, train: first(loaded.train, flags.train), test: first(loaded.test, flags.test) };
const config = TrainingConfigSchema.parse({ epochs: Number(flags.epochs), batchSize: Number(flags.batch) });
const started = performance.now();
const result = await trainCandidate(parseArchitecture(smallCnnJson), { dataset, train: dataset.train, validation: dataset.test, test: dataset.test }, config, {
  onEpoch: (m) => {
    process.stderr.write(`epoch ${m.epoch}: test accuracy ${m.validAccuracy.toFixed(4)}, ${Math.round(m.imagesPerSecond)} img/s\n`);
  },
});
if (result.status === 'failed') throw new Error(result.error);
const epochs = result.training.epochs.map((m) => ({
  epoch: m.epoch,
  test_accuracy: Number(m.validAccuracy.toFixed(4)),
  train_loss: Number(m.trainLoss.toFixed(4)),
  images_per_s: Math.round(m.imagesPerSecond),
}));
process.stdout.write(
  `${JSON.stringify({
    backend: report.name,
    device: report.device,
    status: result.status,
    train: dataset.train.count,
    test: dataset.test.count,
    batch: config.batchSize,
    epochs,
    test_accuracy: epochs.at(-1)?.test_accuracy,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  })}\n`,
);
