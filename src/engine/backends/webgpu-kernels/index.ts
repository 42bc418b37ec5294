/**
 * Training kernels registered for the webgpu backend, over tfjs-backend-webgpu's own where it has
 * one (each module says why ours is faster). GENNERATOR_WEBGPU_KERNELS picks which are used:
 * `all` (the default), `none` (stock tfjs-webgpu), or a comma-separated list of the names below;
 * it exists to measure each kernel against tfjs's (bench/gpu).
 */
import { tf } from '../../tf';
import { activationGradKernels, wrapActivationGradients } from './activation-grads';
import { conv2DBackpropFilterKernel } from './conv2d-filter-grad';
import { crossEntropyKernels } from './cross-entropy';
import { maxPoolGradKernel } from './max-pool-grad';
import { optimizerUpdateKernel } from './optimizer-update';
import { rememberStockKernel, stockKernel } from './stock-kernels';

/**
 * tfjs submits its recorded commands every 15 dispatches by default (its flag); a training step has
 * about fifty and the trainer reads results back only every few steps, so fewer, larger submissions
 * do. Listed with the kernel sets so that `none` is stock tfjs-webgpu throughout.
 */
const BATCHED_SUBMITS = 'batched-submits';
const SUBMIT_EVERY = { batched: 64, stock: 15 };

const KERNEL_SETS: Record<string, tf.KernelConfig[]> = {
  optimizer: [optimizerUpdateKernel],
  'conv-filter': [conv2DBackpropFilterKernel],
  'max-pool-grad': [maxPoolGradKernel],
  'cross-entropy': crossEntropyKernels,
  'activation-grads': activationGradKernels,
};
export const WEBGPU_KERNEL_SETS = [...Object.keys(KERNEL_SETS), BATCHED_SUBMITS];

function wantedSets(): Set<string> {
  const raw = process.env.GENNERATOR_WEBGPU_KERNELS?.trim() || 'all';
  if (raw === 'all') return new Set(WEBGPU_KERNEL_SETS);
  if (raw === 'none') return new Set();
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !WEBGPU_KERNEL_SETS.includes(n));
  if (unknown.length > 0) {
    throw new Error(`GENNERATOR_WEBGPU_KERNELS: unknown kernel set(s) ${unknown.join(', ')}; use all, none or some of ${WEBGPU_KERNEL_SETS.join(', ')}`);
  }
  return new Set(names);
}

/** Registers (or, for sets turned off, unregisters) our kernels. Idempotent; call after tfjs-backend-webgpu is imported. */
export function registerWebGpuKernels(): void {
  const wanted = wantedSets();
  wrapActivationGradients();
  tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', wanted.has(BATCHED_SUBMITS) ? SUBMIT_EVERY.batched : SUBMIT_EVERY.stock);
  for (const [set, configs] of Object.entries(KERNEL_SETS)) {
    for (const config of configs) {
      const existing = tf.getKernel(config.kernelName, 'webgpu');
      const ours = existing?.kernelFunc === config.kernelFunc;
      if (wanted.has(set) === ours) continue;
      if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'webgpu');
      if (wanted.has(set)) {
        if (existing !== undefined) rememberStockKernel(existing);
        tf.registerKernel(config);
      } else {
        const original = stockKernel(config.kernelName);
        if (original !== undefined) tf.registerKernel(original);
      }
    }
  }
}
