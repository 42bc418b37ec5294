/// <reference types="@webgpu/types" />
/**
 * Records a compute shader of our own into tfjs-backend-webgpu's command stream, for kernels that
 * tfjs's program model cannot express: it binds one writable output and read-only inputs, while an
 * optimizer update writes a variable and its moment slots in place.
 *
 * It follows WebGPUBackend.recordAndSubmit (4.22): same command encoder and compute pass, the same
 * deferred-submit batching, the tensors marked as owned by the queue (so tfjs defers their
 * disposal until submission), and timestamp queries when tf.profile is timing kernels.
 */
import { tf } from '../../tf';
import type { ProgramUniform, WebGpuBackendLike } from '../webgpu-device';

export interface RawBinding {
  tensor: tf.TensorInfo;
  /** Written in place: the CPU copy tfjs may hold after a read is dropped. */
  writable: boolean;
}

/** Backend internals used only for kernel timing under tf.profile. */
interface TimingBackend {
  activeTimers?: Array<{ name: string; query: Promise<number> }> | null;
  supportTimestampQuery?: boolean;
  querySet?: GPUQuerySet | null;
  querySetCount?: number;
  getQueryTime?(): Promise<number>;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function pipelineFor(device: GPUDevice, label: string, code: string): GPUComputePipeline {
  let cache = pipelines.get(device);
  if (cache === undefined) {
    cache = new Map();
    pipelines.set(device, cache);
  }
  let pipeline = cache.get(code);
  if (pipeline === undefined) {
    pipeline = device.createComputePipeline({ label, layout: 'auto', compute: { module: device.createShaderModule({ label, code }), entryPoint: 'main' } });
    cache.set(code, pipeline);
  }
  return pipeline;
}

/**
 * Runs `code` (entry point `main`, bindings 0…n−1 the tensors in order, binding n the uniforms)
 * over `groups` workgroups.
 */
export function dispatchRaw(
  backend: WebGpuBackendLike,
  label: string,
  code: string,
  bindings: RawBinding[],
  uniforms: ProgramUniform[],
  groups: [number, number, number],
): void {
  const device = backend.device;
  const pipeline = pipelineFor(device, label, code);
  const entries: GPUBindGroupEntry[] = bindings.map(({ tensor }, i) => {
    backend.uploadToGPU(tensor.dataId);
    const resource = backend.tensorMap.get(tensor.dataId).resource;
    if (resource == null) throw new Error(`${label}: tensor ${i} has no GPU buffer`);
    return { binding: i, resource: { buffer: resource } };
  });
  entries.push({ binding: bindings.length, resource: backend.makeUniforms(uniforms) });
  for (const { tensor, writable } of bindings) {
    backend.commandQueueOwnedIds.add(tensor.dataId);
    if (writable) backend.tensorMap.get(tensor.dataId).values = null;
  }
  const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });

  const timing = backend as unknown as TimingBackend;
  const timed = timing.activeTimers != null;
  backend.ensureCommandEncoderReady();
  const encoder = backend.commandEncoder;
  if (encoder == null) throw new Error(`${label}: no command encoder`);
  if (timed && timing.supportTimestampQuery) {
    backend.endComputePassEncoder();
    timing.querySet ??= device.createQuerySet({ type: 'timestamp', count: timing.querySetCount ?? 2 });
    backend.computePassEncoder = encoder.beginComputePass({
      timestampWrites: { querySet: timing.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
    });
  } else if (backend.computePassEncoder == null) {
    backend.computePassEncoder = encoder.beginComputePass({});
  }
  const pass = backend.computePassEncoder;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
  backend.dispatchCountInPass++;
  if (timed || tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') <= backend.dispatchCountInPass) {
    backend.endComputePassEncoder();
    if (timed) timing.activeTimers?.push({ name: label, query: timing.getQueryTime?.() ?? Promise.resolve(0) });
    else backend.submitQueue();
  }
}
