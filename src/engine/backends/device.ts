/**
 * What the trainer asks of the current backend's device, whichever backend it is: how often to read
 * results back, whether the device reported an error, and to hand back cached memory between
 * candidates. Only webgpu has anything to do; the CPU backends compute synchronously.
 */
import { tf } from '../tf';
import { asWebGpuBackend, releaseCachedGpuBuffers, takeGpuErrors } from './webgpu-device';

/**
 * Batches between two reads of the loss on webgpu. A read waits for the GPU to finish everything
 * queued, so reading every batch would leave the GPU idle while JavaScript records the next one.
 * A NaN loss is therefore noticed up to this many − 1 batches after the batch that produced it
 * (the batch itself is still reported exactly).
 */
export const GPU_BATCHES_PER_READ = 10;

function webgpu() {
  return tf.getBackend() === 'webgpu' ? asWebGpuBackend(tf.backend()) : undefined;
}

/** Batches to queue before reading their losses back: 1 except on a GPU backend. */
export function batchesPerRead(): number {
  return webgpu() ? GPU_BATCHES_PER_READ : 1;
}

/** Throws what the device reported since the last check (GpuMemoryError when a network does not fit). */
export async function checkDevice(): Promise<void> {
  const backend = webgpu();
  if (backend) await takeGpuErrors(backend);
}

/** Frees the GPU buffers the backend keeps for reuse (call after a candidate's tensors are disposed). */
export function releaseDeviceMemory(): void {
  const backend = webgpu();
  if (backend) releaseCachedGpuBuffers(backend);
}
