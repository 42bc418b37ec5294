/**
 * How many threads the wasm backend gets, without loading TensorFlow.js: a process that only
 * starts evaluation workers (the pool's coordinator, `gennerator worker`) divides the CPU with it.
 */
import * as os from 'node:os';

/** tfjs-backend-wasm pre-creates 8 pthread workers and caps XNNPACK's pool at 8. */
export const MAX_WASM_THREADS = 8;

export function wantedWasmThreads(): number {
  const raw = process.env.GENNERATOR_WASM_THREADS?.trim();
  if (raw === undefined || raw === '') return Math.min(MAX_WASM_THREADS, os.availableParallelism());
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`GENNERATOR_WASM_THREADS="${raw}" is not valid: use a whole number from 1 to ${MAX_WASM_THREADS}`);
  }
  return threads;
}

/**
 * The wasm threads of each of `workers` evaluation workers, which split the CPU between them:
 * floor(threads / workers), at least 1, where threads is GENNERATOR_WASM_THREADS or the CPU count.
 */
export function wasmThreadsPerWorker(workers: number): number {
  const fromEnv = process.env.GENNERATOR_WASM_THREADS?.trim();
  const total = fromEnv ? wantedWasmThreads() : os.availableParallelism();
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(total / workers)));
}
