/**
 * GPU memory over a search, on a real GPU: candidates of many shapes trained one after another in
 * one process (as the engine does), with tfjs's own counts and the device's (nvidia-smi, where it
 * exists) read before and after. The webgpu-memory test checks the same on lavapipe with tiny nets;
 * this measures it at sizes a search uses.
 *
 *   npm run -s bench:gpu:memory -- [--backend webgpu] [--candidates 100] [--samples 512] [--batch 64] [--width 32]
 *
 * Prints {"backend", "device", "candidates", "statuses", "readings": {"start", "after_first",
 * "after_all"}, "peak_gpu_bytes_allocated", "unchanged", "seconds"}; "unchanged" compares tfjs's
 * tensors and GPU bytes after the first candidate (compiled pipelines stay for the process's life)
 * with those after the last.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseArchitecture } from '../../src/shared/architecture';
import { isBackendChoice } from '../../src/shared/backend';
import type { LayerSpecInput } from '../../src/shared/layers';
import { TrainingConfigSchema } from '../../src/shared/training';
import { initBackend } from '../../src/engine/backends';
import { asWebGpuBackend, gpuBufferBytes } from '../../src/engine/backends/webgpu-device';
import { makeSyntheticDataset, prepareData } from '../../src/engine/data';
import { tf } from '../../src/engine/tf';
import { trainCandidate } from '../../src/engine/train/candidate';

const { values: flags } = parseArgs({
  options: {
    backend: { type: 'string', default: 'webgpu' },
    candidates: { type: 'string', default: '100' },
    samples: { type: 'string', default: '512' },
    batch: { type: 'string', default: '64' },
    width: { type: 'string', default: '32' },
  },
});
if (!isBackendChoice(flags.backend)) throw new Error(`unknown backend ${flags.backend}`);
const count = Number(flags.candidates);
const width = Number(flags.width);

/** Many shapes (widths, kernels, strides, pooling, batch norm, depthwise, dense sizes), so buffers of many sizes pass through tfjs's reuse pool. */
function architecture(i: number): LayerSpecInput[] {
  const filters = width * (1 + (i % 4));
  const layers: LayerSpecInput[] = [{ type: 'conv2d', filters, kernel: 3 + 2 * (i % 2), stride: i % 3 === 0 ? 2 : 1 }];
  if (i % 4 === 1) layers.push({ type: 'maxPool', size: 2 });
  if (i % 4 === 2) layers.push({ type: 'batchNorm' });
  if (i % 4 === 3) layers.push({ type: 'depthwiseConv2d', kernel: 3 });
  if (i % 5 < 2) layers.push({ type: 'conv2d', filters: 2 * filters, kernel: 3 }, { type: 'maxPool', size: 2 });
  layers.push({ type: 'dense', units: 32 * (1 + (i % 4)), activation: i % 2 ? 'relu' : 'tanh' });
  return layers;
}

/** The device's own numbers in MiB: this process's use and the whole GPU's, where nvidia-smi answers. */
function deviceMemory(): { process_mib?: number; gpu_used_mib?: number } {
  const query = (args: string[]) => execFileSync('nvidia-smi', args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const used = Number(query(['--query-gpu=memory.used', '--format=csv,noheader,nounits']).split('\n')[0]);
    const mine = query(['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'])
      .split('\n')
      .map((line) => line.split(',').map((s) => Number(s.trim())))
      .find(([pid]) => pid === process.pid);
    return { gpu_used_mib: used, process_mib: mine?.[1] };
  } catch {
    return {};
  }
}

const gpuBytes = () => (tf.getBackend() === 'webgpu' ? gpuBufferBytes(asWebGpuBackend(tf.backend())) : undefined);

function reading() {
  const memory = tf.memory();
  const gpu = gpuBytes();
  return {
    tensors: memory.numTensors,
    tensor_bytes: memory.numBytes,
    gpu_bytes_in_use: gpu?.inUse,
    gpu_bytes_allocated: gpu?.allocated,
    ...deviceMemory(),
  };
}

const report = await initBackend(flags.backend);
const data = prepareData(makeSyntheticDataset({ seed: 4, shape: [28, 28, 1], numClasses: 10, trainSamples: Number(flags.samples), testSamples: 16 }), { seed: 4 });
const config = TrainingConfigSchema.parse({ epochs: 1, batchSize: Number(flags.batch) });
const started = performance.now();
const start = reading();
const statuses: Record<string, number> = {};
let peak = 0;
const train = async (i: number) => {
  const result = await trainCandidate(parseArchitecture(architecture(i)), data, { ...config, seed: i }, {
    evaluateTest: i % 10 === 0,
    onEpoch: () => void (peak = Math.max(peak, gpuBytes()?.allocated ?? 0)),
  });
  if (result.status === 'failed') process.stderr.write(`candidate ${i} failed: ${result.error}\n`);
  return result.status;
};
await train(0);
const afterFirst = reading();
for (let i = 0; i < count; i++) {
  const status = await train(i);
  statuses[status] = (statuses[status] ?? 0) + 1;
  if ((i + 1) % 10 === 0) process.stderr.write(`${i + 1}/${count} candidates\n`);
}
const afterAll = reading();
process.stdout.write(
  `${JSON.stringify({
    backend: report.name,
    device: report.device,
    candidates: count,
    statuses,
    readings: { start, after_first: afterFirst, after_all: afterAll },
    peak_gpu_bytes_allocated: peak,
    unchanged:
      afterAll.tensors === afterFirst.tensors &&
      afterAll.gpu_bytes_in_use === afterFirst.gpu_bytes_in_use &&
      afterAll.gpu_bytes_allocated === afterFirst.gpu_bytes_allocated,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  })}\n`,
);
