/// <reference types="@webgpu/types" />
/**
 * The WebGPU backend: @tensorflow/tfjs-backend-webgpu on Dawn's Node binding (npm `webgpu`, an
 * optional dependency whose tarball carries a prebuilt dawn.node for Linux x64/arm64, macOS and
 * Windows, so it needs no download and no compiler). Dawn reaches the GPU through Vulkan on Linux
 * (it opens libvulkan.so.1 at run time; the GPU driver provides the Vulkan ICD), Metal on macOS and
 * Direct3D 12 on Windows: NVIDIA, AMD, Intel and Apple GPUs alike.
 *
 * tfjs-backend-webgpu registers itself only if `navigator.gpu` exists when its module is evaluated,
 * and uses the WebGPU globals (GPUBuffer, GPUBufferUsage…) by name, so both are installed first.
 * Its own backend factory is then replaced by ours: it uses the adapter we probed and described
 * (the one `auto` judged), keeps a handle on the device for memory and error checks, and registers
 * at priority 0 so tfjs never picks it implicitly.
 */
import type { BackendProbe } from '../../shared/backend';
import { tf } from '../tf';
import { firstLine, unavailable } from './probe';
import { attachWebGpuDevice } from './webgpu-device';
import { registerWebGpuKernels } from './webgpu-kernels';

const DAWN_PACKAGE = 'webgpu';
const TFJS_WEBGPU_PACKAGE = '@tensorflow/tfjs-backend-webgpu';
const VULKAN_HINT = 'Linux needs libvulkan.so.1 (Debian/Ubuntu: libvulkan1) and a GPU driver with Vulkan support';

/** What the adapter says about itself, and whether it is a CPU emulation of a GPU. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: boolean;
}

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

interface Loaded {
  adapter: GPUAdapter;
  summary: AdapterSummary;
}

let loading: Promise<Loaded> | undefined;
/** Kept alive for the life of the process: the adapter and device hang off it. */
let gpuInstance: GPU | undefined;

/** Lavapipe/llvmpipe (Mesa), SwiftShader (Google), WARP (Microsoft), Apple's software renderer. */
const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b|apple software/i;

export function summarizeAdapter(info: GPUAdapterInfo): AdapterSummary {
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  const summary = {
    vendor: text(info.vendor),
    architecture: text(info.architecture),
    device: text(info.device),
    description: text(info.description),
  };
  const software =
    info.isFallbackAdapter === true ||
    /^(software|cpu)$/i.test(summary.architecture) ||
    SOFTWARE_NAMES.test(`${summary.device} ${summary.description}`);
  return { ...summary, software };
}

/** e.g. "GPU NVIDIA H200 (nvidia hopper; WebGPU/Dawn)" or "software GPU llvmpipe: Mesa 25.0.7 … (mesa software; WebGPU/Dawn)". */
export function describeAdapter(summary: AdapterSummary): string {
  const name = summary.description || summary.device || 'unnamed adapter';
  const detail = [summary.vendor, summary.architecture].filter((s) => s !== '').join(' ');
  const device = summary.device && !name.includes(summary.device) ? `, device ${summary.device}` : '';
  return `${summary.software ? 'software GPU' : 'GPU'} ${name} (${detail || 'unknown vendor'}${device}; WebGPU/Dawn)`;
}

/** Dawn's globals (GPUBuffer, GPUBufferUsage, …) where the runtime has none, and navigator.gpu. */
function installGlobals(dawn: DawnModule, gpu: GPU): void {
  const global = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (global[name] === undefined) global[name] = value;
  }
  const existing = global.navigator as { gpu?: unknown } | undefined;
  if (existing == null) {
    global.navigator = { gpu };
  } else if (existing.gpu == null) {
    // Node ≥ 21 (Electron's utility process too) has a navigator without gpu.
    Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true });
  }
}

/** On Linux with no adapter: is the Vulkan loader there at all? (The error names the fix.) */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, 'libvulkan.so.1');
  } catch (error) {
    return /cannot open shared object file/i.test(firstLine(error));
  }
  return false;
}

async function load(): Promise<Loaded> {
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(code === 'ERR_MODULE_NOT_FOUND' && firstLine(error).includes(`'${DAWN_PACKAGE}'`)
      ? `package ${DAWN_PACKAGE} is not installed (optional; npm install brings it on Linux x64/arm64, macOS and Windows)`
      : `${DAWN_PACKAGE} (Dawn) failed to load: ${firstLine(error)}`);
  }
  gpuInstance ??= dawn.create([]);
  installGlobals(dawn, gpuInstance);
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    throw new Error(`${TFJS_WEBGPU_PACKAGE} failed to load: ${firstLine(error)}`);
  }
  if (tf.findBackendFactory('webgpu') == null) {
    throw new Error(`${TFJS_WEBGPU_PACKAGE} did not register its backend (another copy of @tensorflow/tfjs-core?)`);
  }
  const adapter = await gpuInstance.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter == null) {
    throw new Error(vulkanLoaderMissing()
      ? `no WebGPU adapter: libvulkan.so.1 is missing (${VULKAN_HINT})`
      : `no WebGPU adapter found (${process.platform === 'linux' ? VULKAN_HINT : 'no supported GPU or driver'})`);
  }
  const summary = summarizeAdapter(adapter.info);
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => createBackend(adapter), 0);
  return { adapter, summary };
}

/**
 * GENNERATOR_WEBGPU_MAX_BUFFER_MB: refuse GPU buffers above this size, below what the GPU allows. It
 * makes "this network does not fit" reproducible on any GPU (the tests use it).
 */
function bufferCap(): { bytes: number; by: string } | undefined {
  const raw = process.env.GENNERATOR_WEBGPU_MAX_BUFFER_MB?.trim();
  if (raw === undefined || raw === '') return undefined;
  const megabytes = Number(raw);
  if (!Number.isFinite(megabytes) || megabytes <= 0) throw new Error(`GENNERATOR_WEBGPU_MAX_BUFFER_MB="${raw}" is not a positive number of megabytes`);
  return { bytes: megabytes * 2 ** 20, by: `GENNERATOR_WEBGPU_MAX_BUFFER_MB=${raw}` };
}

/** The factory tfjs calls on setBackend('webgpu'): a device with the adapter's full limits. */
async function createBackend(adapter: GPUAdapter): Promise<tf.KernelBackend> {
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
  const backend = new WebGPUBackend(device, adapter.info) as unknown as tf.KernelBackend;
  attachWebGpuDevice(backend, device, bufferCap());
  return backend;
}

function loadOnce(): Promise<Loaded> {
  loading ??= load();
  return loading;
}

export async function probeWebGpu(): Promise<BackendProbe> {
  const name = 'webgpu';
  let loaded: Loaded;
  try {
    loaded = await loadOnce();
  } catch (error) {
    return unavailable(name, firstLine(error));
  }
  // After the package's own kernels are registered (its import did that), so ours replace them.
  registerWebGpuKernels();
  const probe: BackendProbe = { name, available: true, device: describeAdapter(loaded.summary) };
  if (loaded.summary.software) probe.autoSkip = 'a software adapter (the CPU emulating a GPU) is slower than the CPU backends';
  return probe;
}

export async function activateWebGpu(): Promise<string> {
  const { summary } = await loadOnce();
  registerWebGpuKernels();
  if (!(await tf.setBackend('webgpu'))) throw new Error("tf.setBackend('webgpu') failed (see the warning tfjs printed)");
  await tf.ready();
  return describeAdapter(summary);
}
