/// <reference types="@webgpu/types" />
/**
 * GPU memory over a search on the webgpu backend: candidates of many shapes trained one after
 * another leave tfjs's tensors and its GPU buffers (in use and cached) where they started, and a
 * candidate too big for the GPU fails as a candidate, naming the cause, while the next one trains.
 * The device's per-buffer limit is lowered (GENNERATOR_WEBGPU_MAX_BUFFER_MB, read when the device
 * is created) so that "too big" is the same on lavapipe and on an 80 GB GPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArchitecture } from '../../src/shared/architecture';
import type { LayerSpecInput } from '../../src/shared/layers';
import { TrainingConfigSchema } from '../../src/shared/training';
import { initBackend } from '../../src/engine/backends';
import { checkDevice } from '../../src/engine/backends/device';
import { asWebGpuBackend, gpuBufferBytes, GpuMemoryError } from '../../src/engine/backends/webgpu-device';
import { makeSyntheticDataset, prepareData } from '../../src/engine/data';
import { tf } from '../../src/engine/tf';
import { trainCandidate } from '../../src/engine/train/candidate';
import { webgpuSkipReason } from './webgpu-support';

process.env.GENNERATOR_WEBGPU_MAX_BUFFER_MB = '8';
const skip = await webgpuSkipReason();

const config = TrainingConfigSchema.parse({ epochs: 1, batchSize: 8 });
const small = () => prepareData(makeSyntheticDataset({ seed: 4, shape: [8, 8, 1], numClasses: 3, trainSamples: 20, testSamples: 4 }), { seed: 4 });

/** Twelve shapes, so buffers of many sizes go through tfjs's reuse pool. */
function architecture(i: number): LayerSpecInput[] {
  const filters = 2 + (i % 5);
  const layers: LayerSpecInput[] = [{ type: 'conv2d', filters, kernel: 1 + 2 * (i % 2), stride: 1 + (i % 3 === 0 ? 1 : 0) }];
  if (i % 4 === 1) layers.push({ type: 'maxPool', size: 2 });
  if (i % 4 === 2) layers.push({ type: 'batchNorm' });
  if (i % 4 === 3) layers.push({ type: 'depthwiseConv2d', kernel: 3 });
  layers.push({ type: 'dense', units: 4 + (i % 3) * 4, activation: i % 2 ? 'relu' : 'tanh' });
  return layers;
}

function footprint() {
  const memory = tf.memory();
  const bytes = gpuBufferBytes(asWebGpuBackend(tf.backend()));
  return { tensors: memory.numTensors, dataBuffers: memory.numDataBuffers, gpuBytesInUse: bytes.inUse, gpuBytesAllocated: bytes.allocated };
}

describe.skipIf(skip !== undefined)('webgpu memory over a search', () => {
  beforeAll(async () => {
    await initBackend('webgpu');
  });

  it('100 candidates trained one after another leave GPU memory where it started', async () => {
    const data = small();
    // One candidate first: what stays for the life of the process (compiled pipelines) is not a leak.
    expect((await trainCandidate(parseArchitecture(architecture(0)), data, config)).status).toBe('completed');
    const before = footprint();
    let peakAllocated = 0;
    for (let i = 0; i < 100; i++) {
      const result = await trainCandidate(parseArchitecture(architecture(i)), data, { ...config, seed: i }, {
        evaluateTest: i % 10 === 0,
        onEpoch: () => void (peakAllocated = Math.max(peakAllocated, gpuBufferBytes(asWebGpuBackend(tf.backend())).allocated)),
      });
      expect(result.status, `candidate ${i}`).toBe('completed');
    }
    expect(peakAllocated).toBeGreaterThan(before.gpuBytesAllocated); // the candidates did use the GPU
    expect(footprint()).toEqual(before);
  });

  it('a candidate too big for the GPU fails, naming the cause, and the next one trains', async () => {
    const data = prepareData(makeSyntheticDataset({ seed: 5, shape: [16, 16, 1], numClasses: 3, trainSamples: 20, testSamples: 4 }), { seed: 5 });
    const fits = parseArchitecture(architecture(1));
    expect((await trainCandidate(fits, data, config)).status).toBe('completed');
    const before = footprint();
    // 8 × 16 × 16 × 2048 activations = 16 MB in one tensor; the device allows 8 MB per buffer.
    const huge = parseArchitecture([{ type: 'conv2d', filters: 2048, kernel: 3 }, { type: 'globalAvgPool' }]);
    const failed = await trainCandidate(huge, data, config);
    expect(failed.status).toBe('failed');
    if (failed.status === 'failed') expect(failed.error).toBe(
      'the network needs a 16 MB GPU buffer; this GPU allows at most 8 MB per buffer (GENNERATOR_WEBGPU_MAX_BUFFER_MB=8)',
    );
    expect(footprint()).toEqual(before);
    expect((await trainCandidate(fits, data, config)).status).toBe('completed');
    expect(footprint()).toEqual(before);
  });

  it('an error the GPU reports later (here: a buffer over the limit) surfaces at the next check, once', async () => {
    const backend = asWebGpuBackend(tf.backend());
    backend.device.createBuffer({ size: backend.device.limits.maxBufferSize + 4, usage: GPUBufferUsage.STORAGE }).destroy();
    await expect(checkDevice()).rejects.toThrow(GpuMemoryError);
    await expect(checkDevice()).resolves.toBeUndefined();
  });
});
