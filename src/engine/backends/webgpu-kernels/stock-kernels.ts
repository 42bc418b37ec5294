/** tfjs-backend-webgpu's own kernels that ours replaced: to put back, or to fall back on. */
import type { tf } from '../../tf';

const stock = new Map<string, tf.KernelConfig>();

export function rememberStockKernel(config: tf.KernelConfig): void {
  if (!stock.has(config.kernelName)) stock.set(config.kernelName, config);
}

export function stockKernel(kernelName: string): tf.KernelConfig | undefined {
  return stock.get(kernelName);
}
