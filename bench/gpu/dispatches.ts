/// <reference types="@webgpu/types" />
/**
 * Counts the compute dispatches and queue submissions of some tfjs work on webgpu, at the WebGPU API
 * itself (so kernels of ours that bypass tfjs's program runner are counted too).
 */
import { tf } from '../../src/engine/tf';

export async function countDispatches(work: () => tf.Tensor[]): Promise<{ dispatches: number; submits: number } | undefined> {
  const global = globalThis as { GPUComputePassEncoder?: { prototype: GPUComputePassEncoder }; GPUQueue?: { prototype: GPUQueue } };
  if (tf.getBackend() !== 'webgpu' || !global.GPUComputePassEncoder || !global.GPUQueue) {
    tf.dispose(work());
    return undefined;
  }
  const pass = global.GPUComputePassEncoder.prototype;
  const queue = global.GPUQueue.prototype;
  const { dispatchWorkgroups } = pass;
  const { submit } = queue;
  const counts = { dispatches: 0, submits: 0 };
  pass.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) {
    counts.dispatches++;
    return dispatchWorkgroups.apply(this, args);
  };
  queue.submit = function (this: GPUQueue, ...args: Parameters<GPUQueue['submit']>) {
    counts.submits++;
    return submit.apply(this, args);
  };
  try {
    const tensors = work();
    await Promise.all(tensors.map((t) => t.data())); // flushes what tfjs has batched
    tf.dispose(tensors);
  } finally {
    pass.dispatchWorkgroups = dispatchWorkgroups;
    queue.submit = submit;
  }
  return counts;
}
