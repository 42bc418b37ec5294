/**
 * Chooses and initialises the TensorFlow.js backend the engine trains on.
 *
 * Order of preference (BACKEND_NAMES): tensorflow-gpu (@tensorflow/tfjs-node-gpu, CUDA),
 * webgpu (@tensorflow/tfjs-backend-webgpu on Dawn: any Vulkan, Metal or D3D12 GPU; see webgpu.ts),
 * tensorflow (@tensorflow/tfjs-node, native CPU), wasm (@tensorflow/tfjs-backend-wasm, XNNPACK),
 * cpu (plain JavaScript). The two native packages are optionalDependencies whose installer downloads
 * libtensorflow, so they are often absent: they are only ever loaded here, lazily, in try/catch.
 * `auto` passes over a backend whose probe sets `autoSkip` (a software GPU adapter).
 *
 * Environment:
 *   GENNERATOR_BACKEND       auto | tensorflow-gpu | webgpu | tensorflow | wasm | cpu (initBackend's default)
 *   GENNERATOR_WASM_THREADS  1..8 threads for the wasm backend (default: CPU count, at most 8);
 *                            1 turns the multithreading workaround in wasm.ts off. With several
 *                            evaluation workers, the threads they share (default: the CPU count).
 */
import { createRequire } from 'node:module';
import {
  BACKEND_NAMES,
  isBackendChoice,
  type BackendChoice,
  type BackendName,
  type BackendProbe,
  type BackendReport,
} from '../../shared/backend';
import { tf } from '../tf';
import { firstLine, unavailable } from './probe';
import { activateWasm, probeWasm, wantedWasmThreads, wasmDevice } from './wasm';
import { activateWebGpu, probeWebGpu } from './webgpu';

export { wasmThreadsPerWorker } from './wasm';

const nodeRequire = createRequire(import.meta.url);
const ALLOWED_CHOICES = ['auto', ...BACKEND_NAMES].join(', ');

const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
const CPU_PACKAGE = '@tensorflow/tfjs-node';
const GPU_NEEDS = 'needs Linux or Windows x64, an NVIDIA GPU, CUDA 11.2 + cuDNN 8.1';


// ---------------------------------------------------------------------------------------------
// Native TensorFlow (tfjs-node, tfjs-node-gpu). Both register a tf backend named 'tensorflow' and
// ship their own libtensorflow, so at most one of them may ever be loaded into a process.

interface NativeInfo {
  gpuPackage: boolean;
  usingGpu: boolean;
  tfVersion?: string;
}

/** The 'tensorflow' backend registered in our tf, if any (NodeJSKernelBackend's public fields). */
function nativeBackend(): NativeInfo | null {
  if (tf.findBackendFactory('tensorflow') == null) return null;
  const backend = tf.findBackend('tensorflow') as unknown as {
    isGPUPackage?: unknown;
    isUsingGpuDevice?: unknown;
    binding?: { TF_Version?: unknown };
  } | null | undefined;
  if (backend == null) return null;
  const version = backend.binding?.TF_Version;
  return {
    gpuPackage: backend.isGPUPackage === true,
    // tfjs-node-gpu's only view of the device: TensorFlow's context lists a GPU (no name, no memory).
    usingGpu: backend.isUsingGpuDevice === true,
    tfVersion: typeof version === 'string' ? version : undefined,
  };
}

function isInstalled(pkg: string): boolean {
  try {
    nodeRequire.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Loads a native package; returns why it did not load, or null. */
async function loadNativePackage(pkg: string, notInstalled: string): Promise<string | null> {
  if (!isInstalled(pkg)) return notInstalled;
  const previous = tf.getBackend() as string | null | undefined;
  try {
    nodeRequire(pkg);
  } catch (error) {
    return `${pkg} failed to load: ${firstLine(error)}`;
  } finally {
    // Loading tfjs-node makes 'tensorflow' the current backend as a side effect: undo that.
    if (previous && tf.getBackend() !== previous) await tf.setBackend(previous);
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    return `${pkg} loaded but registered its backend into another copy of @tensorflow/tfjs (two versions installed?)`;
  }
  return null;
}

async function probeTensorflowGpu(): Promise<BackendProbe> {
  const name = 'tensorflow-gpu';
  let native = nativeBackend();
  if (native === null) {
    const failure = await loadNativePackage(GPU_PACKAGE, `package ${GPU_PACKAGE} is not installed (optional; ${GPU_NEEDS})`);
    if (failure) return unavailable(name, failure);
    native = nativeBackend();
    if (native === null) return unavailable(name, `${GPU_PACKAGE} loaded but its backend failed to start`);
  }
  if (!native.gpuPackage) {
    return unavailable(name, isInstalled(GPU_PACKAGE)
      ? `${CPU_PACKAGE} is already loaded in this process; ${GPU_PACKAGE} cannot be loaded beside it`
      : `package ${GPU_PACKAGE} is not installed (optional; ${GPU_NEEDS})`);
  }
  if (!native.usingGpu) {
    return unavailable(name, `${GPU_PACKAGE} loaded but TensorFlow found no usable CUDA GPU (${GPU_NEEDS})`);
  }
  return { name, available: true };
}

async function probeTensorflow(): Promise<BackendProbe> {
  const name = 'tensorflow';
  let native = nativeBackend();
  if (native === null) {
    const failure = await loadNativePackage(CPU_PACKAGE, `package ${CPU_PACKAGE} is not installed (optional; its installer downloads libtensorflow)`);
    if (failure) return unavailable(name, failure);
    native = nativeBackend();
    if (native === null) return unavailable(name, `${CPU_PACKAGE} loaded but its backend failed to start`);
  }
  if (native.gpuPackage && native.usingGpu) {
    return unavailable(name, `this process's 'tensorflow' backend is ${GPU_PACKAGE} on the GPU ('tensorflow-gpu'); ${CPU_PACKAGE} cannot be loaded beside it`);
  }
  return { name, available: true };
}

function nativeDevice(name: BackendName): string {
  const native = nativeBackend();
  const version = native?.tfVersion ? `TensorFlow ${native.tfVersion}` : 'TensorFlow';
  if (name === 'tensorflow-gpu') return `GPU (CUDA, ${version})`;
  if (native?.gpuPackage) return `CPU (${version} native, from ${GPU_PACKAGE}: no CUDA GPU found)`;
  return `CPU (${version} native)`;
}

// ---------------------------------------------------------------------------------------------
// Probing and initialisation.

async function probeCpu(): Promise<BackendProbe> {
  return tf.findBackendFactory('cpu') == null
    ? unavailable('cpu', 'the cpu backend is not registered in @tensorflow/tfjs')
    : { name: 'cpu', available: true };
}

const PROBES: Record<BackendName, () => Promise<BackendProbe>> = {
  'tensorflow-gpu': probeTensorflowGpu,
  webgpu: probeWebGpu,
  tensorflow: probeTensorflow,
  wasm: probeWasm,
  cpu: probeCpu,
};

/** One probe per backend per process: packages load once, and loading cannot be undone. */
const probeCache = new Map<BackendName, Promise<BackendProbe>>();

async function probe(name: BackendName): Promise<BackendProbe> {
  let cached = probeCache.get(name);
  if (cached === undefined) {
    cached = PROBES[name]().catch((error: unknown) => unavailable(name, `probe failed: ${firstLine(error)}`));
    probeCache.set(name, cached);
  }
  return { ...(await cached) };
}

function markUnavailable(name: BackendName, reason: string): void {
  probeCache.set(name, Promise.resolve(unavailable(name, reason)));
}

/** Sequential, in preference order: whether the GPU package loaded decides what 'tensorflow' is. */
async function probeAll(): Promise<BackendProbe[]> {
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_NAMES) probes.push(await probe(name));
  return probes;
}

/** Makes `name` tf's current backend; returns its device description. */
async function activate(name: BackendName, options: BackendOptions): Promise<string> {
  if (name === 'wasm') return wasmDevice(await activateWasm(options.wasmThreads));
  if (name === 'webgpu') return activateWebGpu();
  const tfName = name === 'cpu' ? 'cpu' : 'tensorflow';
  if (!(await tf.setBackend(tfName))) throw new Error(`tf.setBackend('${tfName}') failed`);
  await tf.ready();
  return name === 'cpu' ? 'CPU (plain JavaScript, 1 thread)' : nativeDevice(name);
}

function resolveChoice(choice: BackendChoice | undefined): BackendChoice {
  if (choice !== undefined) {
    if (!isBackendChoice(choice)) throw new Error(`unknown backend "${String(choice)}"; allowed: ${ALLOWED_CHOICES}`);
    return choice;
  }
  const fromEnv = process.env.GENNERATOR_BACKEND?.trim();
  if (fromEnv === undefined || fromEnv === '') return 'auto';
  if (!isBackendChoice(fromEnv)) {
    throw new Error(`GENNERATOR_BACKEND="${fromEnv}" is not a backend; allowed values: ${ALLOWED_CHOICES}`);
  }
  return fromEnv;
}

function notAvailableError(name: BackendName, reason: string | undefined, all: BackendProbe[]): Error {
  const usable = all.filter((p) => p.available).map((p) => p.name);
  return new Error(
    `backend '${name}' is not available: ${reason ?? 'unknown reason'}. Available here: ${usable.length > 0 ? usable.join(', ') : 'none'}`,
  );
}

export interface BackendOptions {
  /**
   * Threads for the wasm backend, instead of GENNERATOR_WASM_THREADS or the CPU count (an
   * evaluation worker gets its share of the CPU). Fixed by the first wasm initialisation in a process.
   */
  wasmThreads?: number;
}

let current: { choice: BackendChoice; report: BackendReport } | undefined;

async function initNow(requested: BackendChoice | undefined, options: BackendOptions): Promise<BackendReport> {
  const choice = resolveChoice(requested);
  wantedWasmThreads(); // validate GENNERATOR_WASM_THREADS up front: a typo must fail, not demote wasm
  if (current !== undefined && current.choice === choice && tf.getBackend() === current.report.tfBackend) {
    return { ...current.report, probes: current.report.probes.map((p) => ({ ...p })) };
  }

  let report: BackendReport | undefined;
  if (choice === 'auto') {
    for (const name of BACKEND_NAMES) {
      const probed = await probe(name);
      if (!probed.available || probed.autoSkip !== undefined) continue;
      try {
        const device = await activate(name, options);
        report = { name, tfBackend: tf.getBackend(), device, probes: [] };
        break;
      } catch (error) {
        markUnavailable(name, firstLine(error));
      }
    }
    if (report === undefined) throw new Error(`no TensorFlow.js backend could be initialised: ${JSON.stringify(await probeAll())}`);
    // All of them, not only those tried before the pick, so callers can show what else loads here.
    report.probes = await probeAll();
  } else {
    const probed = await probe(choice);
    if (!probed.available) throw notAvailableError(choice, probed.reason, await probeAll());
    let device: string;
    try {
      device = await activate(choice, options);
    } catch (error) {
      markUnavailable(choice, firstLine(error));
      throw notAvailableError(choice, firstLine(error), await probeAll());
    }
    report = { name: choice, tfBackend: tf.getBackend(), device, probes: [probed] };
  }
  current = { choice, report };
  return { ...report, probes: report.probes.map((p) => ({ ...p })) };
}

// Backend switching is process-global: run probes and initialisations one at a time.
let queue: Promise<unknown> = Promise.resolve();
function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Whether each backend loads in this process, in preference order, with the reason when not.
 * Loading a native package can make it tf's current backend when none was chosen yet; initBackend
 * decides.
 */
export function probeBackends(): Promise<BackendProbe[]> {
  return serialised(probeAll);
}

/**
 * Initialises a backend and makes it tf's current one. `auto` (the default unless
 * GENNERATOR_BACKEND says otherwise) takes the first that works in BACKEND_NAMES order; an explicit
 * choice that does not work rejects, naming it, the reason and what is available. Calling again
 * with the same choice is cheap (its options are those of the first call). `probes` holds every
 * backend for `auto`, the chosen one otherwise.
 */
export function initBackend(choice?: BackendChoice, options: BackendOptions = {}): Promise<BackendReport> {
  return serialised(() => initNow(choice, options));
}
