/// <reference types="@webgpu/types" />
/**
 * The webgpu backend as the rest of the product sees it: the probe describes the adapter, `auto`
 * never picks a software one, an explicit choice does, and the trainer trains on it, reading
 * losses back every GPU_BATCHES_PER_READ batches yet reporting every batch and catching a NaN.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseArchitecture } from '../../src/shared/architecture';
import { TrainingConfigSchema } from '../../src/shared/training';
import { initBackend, probeBackends } from '../../src/engine/backends';
import { GPU_BATCHES_PER_READ } from '../../src/engine/backends/device';
import { describeAdapter, summarizeAdapter } from '../../src/engine/backends/webgpu';
import { makeSyntheticDataset, prepareData, type PreparedData } from '../../src/engine/data';
import { tf } from '../../src/engine/tf';
import { trainCandidate } from '../../src/engine/train/candidate';
import type { BatchProgress } from '../../src/engine/train/trainer';
import { webgpuSkipReason } from './webgpu-support';

const skip = await webgpuSkipReason();
const savedBackendEnv = process.env.GENNERATOR_BACKEND;
afterEach(() => {
  if (savedBackendEnv === undefined) delete process.env.GENNERATOR_BACKEND;
  else process.env.GENNERATOR_BACKEND = savedBackendEnv;
});

const info = (fields: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & { isFallbackAdapter?: boolean }) =>
  ({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, ...fields }) as unknown as GPUAdapterInfo;

describe('adapter descriptions', () => {
  it('tells software adapters (lavapipe, SwiftShader, fallback) from GPUs', () => {
    const lavapipe = summarizeAdapter(info({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' }));
    expect(lavapipe.software).toBe(true);
    expect(describeAdapter(lavapipe)).toBe('software GPU llvmpipe: Mesa 25.0.7 (LLVM 15.0.6) (mesa software, device llvmpipe-llvm-15; WebGPU/Dawn)');
    expect(summarizeAdapter(info({ vendor: 'google', description: 'SwiftShader Device (Subzero)' })).software).toBe(true);
    expect(summarizeAdapter(info({ vendor: 'x', description: 'y', isFallbackAdapter: true })).software).toBe(true);
    const nvidia = summarizeAdapter(info({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }));
    expect(nvidia.software).toBe(false);
    expect(describeAdapter(nvidia)).toBe('GPU NVIDIA H200 (nvidia hopper; WebGPU/Dawn)');
    expect(summarizeAdapter(info({ vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX (RADV NAVI31)' })).software).toBe(false);
  });
});

const data = (): PreparedData => prepareData(makeSyntheticDataset({ seed: 6, shape: [8, 8, 1], numClasses: 3, trainSamples: 200, testSamples: 30 }), { seed: 6 });
const CNN = parseArchitecture([{ type: 'conv2d', filters: 4 }, { type: 'maxPool' }, { type: 'dense', units: 16 }]);

describe.skipIf(skip !== undefined)('the webgpu backend', () => {
  it('is probed with its adapter; auto passes over a software one, an explicit choice takes it', async () => {
    const probe = (await probeBackends()).find((p) => p.name === 'webgpu');
    expect(probe).toMatchObject({ name: 'webgpu', available: true });
    expect(probe?.device).toMatch(/GPU .+ \(.+; WebGPU\/Dawn\)$/);
    const software = probe?.device?.startsWith('software GPU') ?? false;
    expect(probe?.autoSkip !== undefined).toBe(software);

    const auto = await initBackend('auto');
    if (software) expect(auto.name).not.toBe('webgpu');
    else expect(auto.name === 'webgpu' || auto.name === 'tensorflow-gpu').toBe(true);

    process.env.GENNERATOR_BACKEND = 'webgpu';
    const chosen = await initBackend();
    expect(chosen).toMatchObject({ name: 'webgpu', tfBackend: 'webgpu', device: probe?.device });
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('trains a small CNN, reporting every batch in order though it reads them back in groups', async () => {
    await initBackend('webgpu');
    const batches: BatchProgress[] = [];
    const result = await trainCandidate(CNN, data(), TrainingConfigSchema.parse({ epochs: 2, batchSize: 8, learningRate: 3e-3 }), {
      evaluateTest: true,
      onBatch: (b) => batches.push(b),
    });
    if (result.status === 'failed') throw new Error(result.error);
    expect(result.status).toBe('completed');
    const perEpoch = batches[0].batches;
    expect(perEpoch).toBeGreaterThan(GPU_BATCHES_PER_READ); // so reads are grouped and one group is partial
    expect(batches.map((b) => `${b.epoch}:${b.batch}`)).toEqual(
      [1, 2].flatMap((epoch) => Array.from({ length: perEpoch }, (_, i) => `${epoch}:${i + 1}`)),
    );
    expect(batches.every((b) => Number.isFinite(b.loss))).toBe(true);
    const [first, last] = result.training.epochs;
    expect(last.trainLoss).toBeLessThan(first.trainLoss);
    expect(result.test?.accuracy).toBeGreaterThan(1 / 3);
  });

  it('catches a NaN loss at the next read and reports the batch that produced it', async () => {
    await initBackend('webgpu');
    const clean = data();
    const poisoned: PreparedData = { ...clean, train: { ...clean.train, x: clean.train.x.slice() } };
    poisoned.train.x.fill(Number.NaN); // every batch's loss is NaN, from the first
    const seen: number[] = [];
    // No ReLU or max-pool here: WGSL leaves NaN handling to the hardware and GPUs' max() drops a NaN,
    // so such a network can wash a NaN input out where the cpu backend propagates it.
    const linear = parseArchitecture([{ type: 'flatten' }, { type: 'dense', units: 8, activation: 'linear' }]);
    const result = await trainCandidate(linear, poisoned, TrainingConfigSchema.parse({ epochs: 1, batchSize: 8 }), { onBatch: (b) => seen.push(b.batch) });
    expect(result.status).toBe('diverged');
    if (result.status !== 'diverged') return;
    expect(result.training.divergence).toMatchObject({ epoch: 1, batch: 1 });
    expect(Number.isNaN(result.training.divergence?.loss)).toBe(true);
    expect(seen).toEqual([]);
  });
});
