/**
 * The WebAssembly backend (@tensorflow/tfjs-backend-wasm): SIMD always, and threads under Node
 * through the init-time workaround described below.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendProbe } from '../../shared/backend';
import { tf } from '../tf';
import { firstLine, unavailable } from './probe';
import { registerWasmGradients } from './wasm-gradients';
import { MAX_WASM_THREADS, wantedWasmThreads } from './wasm-threads';

export { wantedWasmThreads, wasmThreadsPerWorker } from './wasm-threads';

const nodeRequire = createRequire(import.meta.url);
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

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

let wasmPackage: WasmPackage | undefined;

interface WasmSetup {
  simd: boolean;
  threads: number;
  /** Why multithreading is off, when it was wanted. */
  note?: string;
}
let wasmSetup: WasmSetup | undefined;

export async function probeWasm(): Promise<BackendProbe> {
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
  const binary = path.join(wasmBinaryDirectory(), 'tfjs-backend-wasm-simd.wasm');
  if (!existsSync(binary)) return unavailable(name, `${binary} is missing`);
  // Before anything can run wasm, and after the package's own kernels are in (ours replace one).
  registerWasmGradients();
  return { name, available: true };
}

/**
 * Where the package's Emscripten loader looks for its .wasm files: next to its own script, i.e. the
 * package's dist/, or, when the package is bundled into one file (bench:gpu:bundle), that file's
 * folder, where the bundle puts them.
 */
function wasmBinaryDirectory(): string {
  try {
    return path.dirname(nodeRequire.resolve(WASM_PACKAGE));
  } catch {
    return path.dirname(fileURLToPath(import.meta.url));
  }
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
  g.__require = require; // esbuild's name for require, where the package is bundled (bench:gpu:bundle)
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

/** `threads`: how many to use instead of wantedWasmThreads() (at most 8); only the first activation sets them. */
export async function activateWasm(threads?: number): Promise<WasmSetup> {
  const pkg = wasmPackage;
  if (pkg === undefined) throw new Error(`${WASM_PACKAGE} is not loaded`);
  registerWasmGradients();
  if (wasmSetup !== undefined) {
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
    return wasmSetup;
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const wanted = simd ? Math.min(MAX_WASM_THREADS, threads ?? wantedWasmThreads()) : 1;
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

export function wasmDevice(setup: WasmSetup): string {
  const isa = setup.simd ? 'WebAssembly SIMD' : 'WebAssembly without SIMD';
  const threads = `${setup.threads} thread${setup.threads === 1 ? '' : 's'}`;
  return `CPU (${isa}, ${threads}${setup.note ? `; multithreading off: ${setup.note}` : ''})`;
}
