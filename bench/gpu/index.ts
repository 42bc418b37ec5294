/**
 * Training throughput on the GPU (and the other backends, for comparison), through the product's
 * own builder, optimizer and training loop. `npm run -s bench:gpu -- [flags]` prints one JSON object:
 *
 *   {"backends": {"webgpu": {"device": …, "nets": {"small-cnn": {"64": {"images_per_s", "step_ms",
 *     "record_ms", "dispatches_per_step", "kernels_per_step", "kernel_ms": {"Conv2D": {"ms", "calls"}, …}}}}}},
 *    "reference": {…}, "ratio_to_reference": {…}}
 *
 *   --backends a,b      backends to measure (default: every one that loads, a software GPU adapter
 *                       included, except cpu: pure JavaScript takes minutes per VGG step; name it to get it)
 *   --nets a,b          small-cnn (28×28×1, batch 64 and 256), vgg6 (32×32×3, batch 128)
 *   --batch-sizes a,b   override the batch sizes of every net
 *   --steps N           at most N measured batches per figure (default 30)
 *   --seconds S         fewer batches where N would take longer than about S seconds (default 15)
 *   --warmup N          batches before measuring: shaders compile, buffers are allocated (default 2)
 *   --read-every N      batches between loss reads in the trainer (default: the backend's; 1 = the old loop)
 *   --no-profile        skip the per-kernel timing of one step (tf.profile; GPU timestamp queries)
 *   --reference FILE    a result of bench/gpu/reference.py (PyTorch): adds ours ÷ PyTorch per figure
 *   --probes            print {"probes": [...]} (each backend, its device or why it did not load) and stop
 *   --processes N       N processes sharing the device, each measuring every figure at the same time
 *                       and exactly --steps batches (no profile): {"processes": N, "shared": {backend:
 *                       {"nets": {net: {batch: {"summed_images_per_s", "wall_images_per_s", …}}}}}}
 *
 * images_per_s: a measured epoch of the product's trainModel (its final loss read included).
 * step_ms: 1000 · batch / images_per_s. record_ms: JavaScript time to record one step (the GPU runs
 * behind it). dispatches_per_step: compute-shader dispatches of one step, counted at the WebGPU API.
 * kernels_per_step: tfjs kernel invocations of one step. kernel_ms: per kernel, summed over one step
 * (on webgpu measured with GPU timestamp queries, on CPU backends wall time).
 * GENNERATOR_WEBGPU_KERNELS=none measures stock tfjs-backend-webgpu (see src/engine/backends/webgpu-kernels).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendName } from '../../src/shared/backend';
import { TrainingConfigSchema } from '../../src/shared/training';
import { initBackend, probeBackends } from '../../src/engine/backends';
import { makeSyntheticDataset, prepareData } from '../../src/engine/data';
import { buildModel } from '../../src/engine/model/builder';
import { tf } from '../../src/engine/tf';
import { createOptimizer } from '../../src/engine/train/optimizer';
import { createTrainingStep, trainModel } from '../../src/engine/train/trainer';
import { countDispatches } from './dispatches';
import { NETS, type BenchNet } from './nets';
import { barrier, isCoordinated, leaveCoordinator, runProcesses, type TimedFigure } from './processes';

const { values: flags } = parseArgs({
  options: {
    backends: { type: 'string' },
    nets: { type: 'string' },
    'batch-sizes': { type: 'string' },
    steps: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '2' },
    'read-every': { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    reference: { type: 'string' },
    processes: { type: 'string' },
    probes: { type: 'boolean', default: false },
  },
});

const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const positive = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, got ${value}`);
  return n;
};
const maxSteps = positive('steps', flags.steps);
const targetSeconds = Number(flags.seconds);
const warmup = positive('warmup', flags.warmup);
const readEvery = flags['read-every'] === undefined ? undefined : positive('read-every', flags['read-every']);
const batchOverride = list(flags['batch-sizes'])?.map((b) => positive('batch-sizes', b));
const netNames = list(flags.nets) ?? Object.keys(NETS);
for (const name of netNames) if (!(name in NETS)) throw new Error(`unknown net ${name}; known: ${Object.keys(NETS).join(', ')}`);
const wantedBackends = list(flags.backends);
for (const name of wantedBackends ?? []) {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) throw new Error(`unknown backend ${name}; known: ${BACKEND_NAMES.join(', ')}`);
}

const significant = (x: number) => Number(x.toPrecision(3));
const log = (line: string) => process.stderr.write(`${line}\n`);

if (flags.probes) {
  process.stdout.write(`${JSON.stringify({ probes: await probeBackends() })}\n`);
  process.exit(0);
}

if (flags.processes !== undefined) {
  const processes = positive('processes', flags.processes);
  // Each copy measures exactly --steps batches per figure, so that they start and end together.
  const args = process.argv.slice(2).filter((arg, i, all) => arg !== '--processes' && all[i - 1] !== '--processes' && !arg.startsWith('--processes='));
  const shared = await runProcesses(processes, [...args, '--no-profile', '--seconds', '1e9'], log);
  process.stdout.write(`${JSON.stringify({ processes, kernels: process.env.GENNERATOR_WEBGPU_KERNELS ?? 'all', shared })}\n`);
  process.exit(0);
}
/** Started by --processes: measure together with the others, and say when and how much. */
const coordinated = isCoordinated();

interface KernelTime {
  ms: number;
  calls: number;
}

interface Figure extends Partial<Omit<TimedFigure, 'images_per_s'>> {
  images_per_s: number;
  step_ms: number;
  record_ms?: number;
  dispatches_per_step?: number;
  submits_per_step?: number;
  kernels_per_step?: number;
  kernel_ms?: Record<string, KernelTime>;
  kernel_total_ms?: number;
}

function dataFor(net: BenchNet, samples: number) {
  const dataset = makeSyntheticDataset({ shape: net.inputShape, numClasses: 10, trainSamples: samples + 20, testSamples: 10, seed: 1 });
  return prepareData(dataset, { validationFraction: 20 / (samples + 20), seed: 1 });
}

/** Images per second over one epoch of `steps` batches, after `warmup` batches on the same model. */
async function throughput(model: tf.LayersModel, net: BenchNet, batch: number, steps: number): Promise<number> {
  const config = TrainingConfigSchema.parse({ epochs: 1, batchSize: batch });
  const result = await trainModel(model, dataFor(net, steps * batch), config, { batchesPerRead: readEvery });
  if (result.status !== 'completed') throw new Error(`training ${result.status}`);
  return result.epochs[0].imagesPerSecond;
}

/** One step, three ways: recorded (JS time), counted (dispatches), profiled (per kernel). */
async function inspectStep(model: tf.LayersModel, net: BenchNet, batch: number, profile: boolean): Promise<Omit<Figure, 'images_per_s' | 'step_ms'>> {
  const config = TrainingConfigSchema.parse({ batchSize: batch });
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  const step = createTrainingStep(model, config, 10, optimizer);
  const pixels = Float32Array.from({ length: batch * net.inputShape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 255) / 255);
  const x = tf.tensor4d(pixels, [batch, ...net.inputShape]);
  const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32');
  const out: Omit<Figure, 'images_per_s' | 'step_ms'> = {};
  try {
    const runStep = async () => {
      const { loss, correct } = step(x, labels);
      await loss.data();
      tf.dispose([loss, correct]);
    };
    await runStep(); // the optimizer's slots are created on its first step
    const started = performance.now();
    const counted = await countDispatches(() => {
      const { loss, correct } = step(x, labels);
      out.record_ms = significant(performance.now() - started);
      return [loss, correct];
    });
    if (counted) {
      out.dispatches_per_step = counted.dispatches;
      out.submits_per_step = counted.submits;
    }
    if (profile) {
      const info = await tf.profile(async () => {
        const { loss, correct } = step(x, labels);
        await loss.data();
        tf.dispose([loss, correct]);
      });
      const kernels: Record<string, KernelTime> = {};
      let total = 0;
      for (const k of info.kernels) {
        const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        const entry = (kernels[k.name] ??= { ms: 0, calls: 0 });
        entry.ms += ms;
        entry.calls++;
        total += ms;
      }
      out.kernels_per_step = info.kernels.length;
      out.kernel_total_ms = significant(total);
      out.kernel_ms = Object.fromEntries(
        Object.entries(kernels)
          .sort(([, a], [, b]) => b.ms - a.ms)
          .map(([name, k]) => [name, { ms: significant(k.ms), calls: k.calls }]),
      );
    }
  } finally {
    tf.dispose([x, labels]);
    optimizer.dispose();
  }
  return out;
}

async function measure(key: string, net: BenchNet, batch: number): Promise<Figure> {
  const { model } = buildModel(net.architecture, net.inputShape, 10, { seed: 1 });
  try {
    const warmStarted = performance.now();
    await throughput(model, net, batch, warmup);
    const warmStep = (performance.now() - warmStarted) / 1000 / warmup;
    const steps = Math.max(2, Math.min(maxSteps, Math.floor(targetSeconds / warmStep)));
    await barrier(key);
    const started = Date.now();
    const imagesPerSecond = await throughput(model, net, batch, steps);
    const figure: Figure = { images_per_s: significant(imagesPerSecond), step_ms: significant((1000 * batch) / imagesPerSecond) };
    if (coordinated) Object.assign(figure, { images: steps * batch, started_ms: started, ended_ms: Date.now() });
    Object.assign(figure, await inspectStep(model, net, batch, !flags['no-profile']));
    return figure;
  } finally {
    model.dispose();
  }
}

interface BackendResult {
  device: string;
  nets: Record<string, Record<string, Figure>>;
}

const results: Partial<Record<BackendName, BackendResult>> = {};
for (const probe of await probeBackends()) {
  if (wantedBackends ? !wantedBackends.includes(probe.name) : !probe.available || probe.name === 'cpu') continue;
  if (!probe.available) {
    log(`${probe.name}: not available: ${probe.reason}`);
    continue;
  }
  const report = await initBackend(probe.name);
  const result: BackendResult = { device: report.device, nets: {} };
  results[probe.name] = result;
  for (const netName of netNames) {
    const net = NETS[netName];
    for (const batch of batchOverride ?? net.batchSizes) {
      const figure = await measure(`${probe.name}/${netName}/${batch}`, net, batch);
      (result.nets[netName] ??= {})[String(batch)] = figure;
      log(`${probe.name} ${netName} batch ${batch}: ${figure.images_per_s} img/s, ${figure.step_ms} ms/step, ${figure.dispatches_per_step ?? '–'} dispatches`);
    }
  }
}

/** PyTorch's figures (bench/gpu/reference.py) and ours ÷ theirs, net by net. */
function compareToReference(file: string) {
  const reference = JSON.parse(readFileSync(file, 'utf8')) as { nets?: Record<string, Record<string, { images_per_s: number }>> };
  const ratio: Record<string, Record<string, Record<string, number>>> = {};
  for (const [backend, result] of Object.entries(results)) {
    for (const [net, byBatch] of Object.entries(result?.nets ?? {})) {
      for (const [batch, figure] of Object.entries(byBatch)) {
        const theirs = reference.nets?.[net]?.[batch]?.images_per_s;
        if (theirs) ((ratio[backend] ??= {})[net] ??= {})[batch] = significant(figure.images_per_s / theirs);
      }
    }
  }
  return { reference, ratio_to_reference: ratio };
}

process.stdout.write(
  `${JSON.stringify({
    backends: results,
    kernels: process.env.GENNERATOR_WEBGPU_KERNELS ?? 'all',
    batches_per_read: readEvery ?? 'default',
    ...(flags.reference ? compareToReference(flags.reference) : {}),
  })}\n`,
);
leaveCoordinator();
