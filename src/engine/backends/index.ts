/**
 * Chooses and initialises the TensorFlow.js backend the engine trains on.
 *
 * Order of preference (BACKEND_NAMES): tensorflow-gpu (@tensorflow/tfjs-node-gpu, CUDA),
 * tensorflow (@tensorflow/tfjs-node, native CPU), wasm (@tensorflow/tfjs-backend-wasm, XNNPACK),
 * cpu (plain JavaScript). The two native packages are optionalDependencies whose installer downloads
 * libtensorflow, so they are often absent: they are only ever loaded here, lazily, in try/catch.
 *
 * Environment:
 *   GENNERATOR_BACKEND       auto | tensorflow-gpu | tensorflow | wasm | cpu (initBackend's default)
 *   GENNERATOR_WASM_THREADS  1..8 threads for the wasm backend (default: CPU count, at most 8);
 *                            1 turns the multithreading workaround below off.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BACKEND_NAMES,
  isBackendChoice,
  type BackendChoice,
  type BackendName,
  type BackendProbe,
  type BackendReport,
} from '../../shared/backend';
import { tf } from '../tf';
import { registerWasmGradients } from './wasm-gradients';

const nodeRequire = createRequire(import.meta.url);
const ALLOWED_CHOICES = ['auto', ...BACKEND_NAMES].join(', ');

const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
const CPU_PACKAGE = '@tensorflow/tfjs-node';
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const GPU_NEEDS = 'needs Linux or Windows x64, an NVIDIA GPU, CUDA 11.2 + cuDNN 8.1';

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
}

function unavailable(name: BackendName, reason: string): BackendProbe {
  return { name, available: false, reason };
}

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
// WebAssembly.
//
// tfjs-backend-wasm ships three binaries: plain, SIMD, and SIMD + threads (pthreads on Web Workers,
// XNNPACK's thread pool). It finds its .wasm next to its own file under Node, so setWasmPaths is not
// needed. Node has had wasm SIMD since v16, so the SIMD binary is always picked. Threads, though,
// are switched off under Node (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE, tfjs issue
// #3830), and forcing the flag alone fails: the pthread worker is handed to worker_threads as a
// blob: URL, which Node refuses (ERR_WORKER_PATH), and the main script reaches the worker as a Blob
// that the worker cannot read synchronously. On top of that the C++ side caps the pool at
// os.cpus().length / 2 (it assumes hyper-threading), i.e. 1 thread on a 2-vCPU machine.
//
// Measured on a 2-vCPU machine, 2 threads make the XNNPACK convolutions ~1.8× faster and a whole
// training step of a 2-conv CNN ~1.2× faster (≈745 vs ≈620 images/s; pooling gradients and
// element-wise kernels stay single-threaded); more cores gain more. So we use them, with a narrow
// workaround that is active only while the module initialises:
//  - the worker and main scripts are written to a private temporary folder and the worker gets a
//    file path; the worker evaluates the main script from that file, with the few free variables
//    of the Node bundle (require$$N, commonjsGlobal, tslib helpers) defined; the folder is removed
//    as soon as the workers have loaded;
//  - os.cpus() reports twice the wanted thread count so the C++ cap lets them all run;
//  - the pthread workers are unref()'d so they do not keep the process alive.
// The workaround targets the internals of the 4.22.0 Node bundle (package.json pins that version);
// any other version, or any failure, falls back to the single-threaded SIMD binary and the device
// string says why. GENNERATOR_WASM_THREADS=1 skips it.

const WASM_SHIM_VERSION = '4.22.0';
/** tfjs-backend-wasm pre-creates 8 pthread workers and caps XNNPACK's pool at 8. */
const MAX_WASM_THREADS = 8;

let wasmPackage: WasmPackage | undefined;

interface WasmSetup {
  simd: boolean;
  threads: number;
  /** Why multithreading is off, when it was wanted. */
  note?: string;
}
let wasmSetup: WasmSetup | undefined;

async function probeWasm(): Promise<BackendProbe> {
  const name = 'wasm';
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') return unavailable(name, 'this JavaScript runtime has no WebAssembly');
  try {
    wasmPackage ??= await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return unavailable(name, `${WASM_PACKAGE} failed to load: ${firstLine(error)}`);
  }
  if (tf.findBackendFactory('wasm') == null) {
    return unavailable(name, `${WASM_PACKAGE} registered its backend into another copy of @tensorflow/tfjs (two versions installed?)`);
  }
  const binary = path.join(path.dirname(nodeRequire.resolve(WASM_PACKAGE)), 'tfjs-backend-wasm-simd.wasm');
  if (!existsSync(binary)) return unavailable(name, `${binary} is missing`);
  // Before anything can run wasm, and after the package's own kernels are in (ours replace one).
  registerWasmGradients();
  return { name, available: true };
}

function wantedWasmThreads(): number {
  const raw = process.env.GENNERATOR_WASM_THREADS?.trim();
  if (raw === undefined || raw === '') return Math.min(MAX_WASM_THREADS, os.availableParallelism());
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`GENNERATOR_WASM_THREADS="${raw}" is not valid: use a whole number from 1 to ${MAX_WASM_THREADS}`);
  }
  return threads;
}

/**
 * Emscripten's Node runtime adds process-wide 'uncaughtException'/'unhandledRejection' listeners
 * that rethrow, which would kill the process before the host's own handlers (vitest, the engine
 * process's error report) could act. Remove the ones added while `body` ran.
 */
async function withoutEmscriptenProcessHandlers<T>(body: () => Promise<T>): Promise<T> {
  const exceptionsBefore = new Set(process.listeners('uncaughtException'));
  const rejectionsBefore = new Set(process.listeners('unhandledRejection'));
  const isEmscripten = (listener: unknown) => /ExitStatus|throw reason/.test(String(listener));
  try {
    return await body();
  } finally {
    for (const listener of process.listeners('uncaughtException')) {
      if (!exceptionsBefore.has(listener) && isEmscripten(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of process.listeners('unhandledRejection')) {
      if (!rejectionsBefore.has(listener) && isEmscripten(listener)) process.removeListener('unhandledRejection', listener);
    }
  }
}

/** Appended to Emscripten's pthread worker script (see the comment above). */
function workerEpilogue(mainFile: string): string {
  return `
;(function () {
  var g = globalThis;
  g.require$$0 = require('fs'); g.require$$1 = require('path'); g.require$$3 = require('perf_hooks'); g.require$$4 = require('os');
  g.commonjsGlobal = g; g._scriptDir = ${JSON.stringify(mainFile)}; g.__dirname = ${JSON.stringify(path.dirname(mainFile))};
  g.__values = function (o) { return o[Symbol.iterator](); };
  g.__read = function (o, n) { var a = Array.from(o); return n === undefined ? a : a.slice(0, n); };
  g.__spreadArray = function (to, from) { return to.concat(Array.from(from)); };
  g.importScripts = function () {
    (0, eval)(require('fs').readFileSync(${JSON.stringify(mainFile)}, 'utf8') + '\\n//# sourceURL=' + ${JSON.stringify(mainFile)});
  };
})();
`;
}

interface ThreadShim {
  /** Removes the patches; `initialised` says whether the workers have read the script files. */
  uninstall(initialised: boolean): void;
}

/** Installs the init-time patches. */
function installWasmThreadShim(threads: number): ThreadShim {
  // A private folder (mkdtemp: mode 0700) per process: nothing shared that another user could
  // plant code in, and nothing left behind once the workers have loaded.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gennerator-wasm-'));
  const mainFile = path.join(dir, 'main.cjs');
  let mainWritten = false;
  const texts = new WeakMap<Blob, string>();

  const OriginalBlob = globalThis.Blob;
  class RecordingBlob extends OriginalBlob {
    constructor(...args: ConstructorParameters<typeof OriginalBlob>) {
      super(...args);
      const parts = args[0];
      if (parts?.every((part) => typeof part === 'string')) {
        const text = parts.join('');
        texts.set(this, text);
        if (text.startsWith('var WasmBackendModuleThreadedSimd')) {
          writeFileSync(mainFile, text);
          mainWritten = true;
        }
      }
    }
  }
  const originalCreateObjectURL = URL.createObjectURL;
  const osModule = nodeRequire('os') as typeof os; // the object the wasm bundle's require('os') returns
  const originalCpus = osModule.cpus;

  globalThis.Blob = RecordingBlob;
  URL.createObjectURL = (blob: Blob): string => {
    const text = texts.get(blob);
    if (text !== undefined && mainWritten && text.includes('WasmBackendModuleThreadedSimd(Module)')) {
      const workerFile = path.join(dir, 'worker.cjs');
      writeFileSync(workerFile, text + workerEpilogue(mainFile));
      return workerFile;
    }
    return originalCreateObjectURL(blob);
  };
  osModule.cpus = () => {
    const cpus = originalCpus();
    if (cpus.length >= 2 * threads) return cpus;
    const filler = cpus[0] ?? { model: 'unknown', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
    return Array.from({ length: 2 * threads }, (_, i) => cpus[i] ?? filler);
  };
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  return {
    uninstall(initialised) {
      globalThis.Blob = OriginalBlob;
      URL.createObjectURL = originalCreateObjectURL;
      osModule.cpus = originalCpus;
      // After a failed start a worker may still be reading the files: remove them at exit then.
      if (initialised) removeDir();
      else process.once('exit', removeDir);
    },
  };
}

/** Why the threaded binary cannot be tried here, or null. */
function threadsBlocker(pkg: WasmPackage): string | null {
  if (pkg.version_wasm !== WASM_SHIM_VERSION) {
    return `the Node workaround targets ${WASM_PACKAGE} ${WASM_SHIM_VERSION}, found ${pkg.version_wasm}`;
  }
  if (typeof SharedArrayBuffer !== 'function') return 'no SharedArrayBuffer';
  try {
    nodeRequire('worker_threads');
  } catch {
    return 'no worker_threads';
  }
  return null;
}

function unrefPthreadWorkers(): void {
  const backend = tf.findBackend('wasm') as unknown as {
    wasm?: { PThread?: { runningWorkers?: Array<{ unref?: () => void }> } };
  } | undefined;
  for (const worker of backend?.wasm?.PThread?.runningWorkers ?? []) worker.unref?.();
}

async function initWasmThreaded(pkg: WasmPackage, threads: number): Promise<boolean> {
  const shim = installWasmThreadShim(threads);
  let ok = false;
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    pkg.setThreadsCount(threads);
    // Resolves once every pthread worker has loaded (Emscripten waits for them all).
    ok = await withoutEmscriptenProcessHandlers(() => tf.setBackend('wasm'));
    if (ok) unrefPthreadWorkers();
    return ok;
  } finally {
    shim.uninstall(ok);
  }
}

async function activateWasm(): Promise<WasmSetup> {
  const pkg = wasmPackage;
  if (pkg === undefined) throw new Error(`${WASM_PACKAGE} is not loaded`);
  registerWasmGradients();
  if (wasmSetup !== undefined) {
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
    return wasmSetup;
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const wanted = simd ? wantedWasmThreads() : 1;
  let note: string | undefined;
  let ok = false;
  if (wanted > 1) {
    note = threadsBlocker(pkg) ?? undefined;
    if (note === undefined) {
      try {
        ok = await initWasmThreaded(pkg, wanted);
        if (!ok) note = 'the threaded module failed to initialise';
      } catch (error) {
        note = firstLine(error);
      }
    }
    if (!ok) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!ok) ok = await withoutEmscriptenProcessHandlers(() => tf.setBackend('wasm'));
  if (!ok) throw new Error('the wasm module failed to initialise (see the warning tfjs printed)');
  wasmSetup = { simd, threads: pkg.getThreadsCount(), note };
  return wasmSetup;
}

function wasmDevice(setup: WasmSetup): string {
  const isa = setup.simd ? 'WebAssembly SIMD' : 'WebAssembly without SIMD';
  const threads = `${setup.threads} thread${setup.threads === 1 ? '' : 's'}`;
  return `CPU (${isa}, ${threads}${setup.note ? `; multithreading off: ${setup.note}` : ''})`;
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
async function activate(name: BackendName): Promise<string> {
  if (name === 'wasm') return wasmDevice(await activateWasm());
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

let current: { choice: BackendChoice; report: BackendReport } | undefined;

async function initNow(requested: BackendChoice | undefined): Promise<BackendReport> {
  const choice = resolveChoice(requested);
  wantedWasmThreads(); // validate GENNERATOR_WASM_THREADS up front: a typo must fail, not demote wasm
  if (current !== undefined && current.choice === choice && tf.getBackend() === current.report.tfBackend) {
    return { ...current.report, probes: current.report.probes.map((p) => ({ ...p })) };
  }

  let report: BackendReport | undefined;
  if (choice === 'auto') {
    for (const name of BACKEND_NAMES) {
      if (!(await probe(name)).available) continue;
      try {
        const device = await activate(name);
        report = { name, tfBackend: tf.getBackend(), device, probes: [] };
        break;
      } catch (error) {
        markUnavailable(name, firstLine(error));
      }
    }
    if (report === undefined) throw new Error(`no TensorFlow.js backend could be initialised: ${JSON.stringify(await probeAll())}`);
    // All four, not only those tried before the pick, so callers can show what else loads here.
    report.probes = await probeAll();
  } else {
    const probed = await probe(choice);
    if (!probed.available) throw notAvailableError(choice, probed.reason, await probeAll());
    let device: string;
    try {
      device = await activate(choice);
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
 * with the same choice is cheap. `probes` holds all four backends for `auto`, the chosen one
 * otherwise.
 */
export function initBackend(choice?: BackendChoice): Promise<BackendReport> {
  return serialised(() => initNow(choice));
}
