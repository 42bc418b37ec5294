/** Which TensorFlow.js backend trains the networks. Shared: the UI and CLI show it. */

/** Fastest first: the order `auto` tries them in. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** Why it is not available (missing package, no CUDA, load error…). */
  reason?: string;
  /** What it would run on, where the probe can tell (the GPU adapter for webgpu). */
  device?: string;
  /** Why `auto` passes over it although it loads (a software GPU adapter); an explicit choice may use it. */
  autoSkip?: string;
}

export interface BackendReport {
  /** The backend in use. */
  name: BackendName;
  /** tf.getBackend() after initialisation, e.g. "tensorflow" or "wasm". */
  tfBackend: string;
  /** Human-readable device, e.g. "CPU (WebAssembly SIMD, 2 threads)" or "GPU NVIDIA H200 (nvidia hopper; WebGPU/Dawn)". */
  device: string;
  /** Every backend that was tried, in order. */
  probes: BackendProbe[];
}

export function isBackendChoice(value: string): value is BackendChoice {
  return value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value);
}
