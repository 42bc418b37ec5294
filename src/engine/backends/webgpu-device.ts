/// <reference types="@webgpu/types" />
/**
 * The live WebGPU backend's device: memory and errors, which tfjs-backend-webgpu leaves to the page.
 *
 * - Memory. tfjs keeps every released GPU buffer in a free pool keyed by size and usage, forever,
 *   so a search that trains networks of many shapes one after another would grow GPU memory without
 *   bound. `releaseCachedGpuBuffers` destroys the pool between candidates.
 * - Errors. WebGPU reports allocation failures and invalid commands asynchronously, through error
 *   scopes or an 'uncapturederror' event; tfjs checks neither, so a network that does not fit would
 *   silently train on garbage. We keep an out-of-memory and a validation scope open at all times
 *   and swap them at each checkpoint (`takeGpuErrors`), and refuse a buffer larger than the device's
 *   limits before asking for it, with an error that says so.
 */
import type { tf } from '../tf';

/** A candidate's network does not fit this GPU: the candidate fails, the run goes on. */
export class GpuMemoryError extends Error {
  override readonly name = 'GpuMemoryError';
}

/** The parts of tfjs-backend-webgpu 4.22's BufferManager this module reads and adjusts. */
interface BufferManagerLike {
  freeBuffers: Map<string, GPUBuffer[]>;
  numFreeBuffers: number;
  numBytesUsed: number;
  numBytesAllocated: number;
  acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GPUBuffer;
}

/** The parts of WebGPUBackend (tfjs-backend-webgpu 4.22) this project relies on. */
export interface WebGpuBackendLike {
  device: GPUDevice;
  bufferManager: BufferManagerLike;
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  dispatchCountInPass: number;
  commandQueueOwnedIds: WeakSet<object>;
  tensorMap: { get(dataId: object): { resource?: GPUBuffer | null; values?: unknown; refCount: number; dtype: string; shape: number[] } };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  uploadToGPU(dataId: object): void;
  makeUniforms(uniforms: ProgramUniform[]): GPUBufferBinding;
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: ProgramUniform[], output?: tf.TensorInfo): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  refCount(dataId: object): number;
}

export interface ProgramUniform {
  type: 'int32' | 'uint32' | 'float32';
  data: number[];
}

interface DeviceState {
  lost?: string;
  uncaptured: string[];
}

const states = new WeakMap<object, DeviceState>();
const SCOPES: GPUErrorFilter[] = ['out-of-memory', 'validation'];

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MB`;
}

/** The per-buffer limits the guard enforces: the device's, or lower (GENNERATOR_WEBGPU_MAX_BUFFER_MB). */
interface BufferLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** Set when GENNERATOR_WEBGPU_MAX_BUFFER_MB, not the GPU, sets the limits. */
  cappedBy?: string;
}

function sizeError(bytes: number, limits: BufferLimits): GpuMemoryError | undefined {
  if (bytes > limits.maxBufferSize) {
    return new GpuMemoryError(
      `the network needs a ${mb(bytes)} GPU buffer; this GPU allows at most ${mb(limits.maxBufferSize)} per buffer (${limits.cappedBy ?? 'maxBufferSize'})`,
    );
  }
  if (bytes > limits.maxStorageBufferBindingSize) {
    return new GpuMemoryError(
      `the network needs a ${mb(bytes)} tensor on the GPU; this GPU binds at most ${mb(limits.maxStorageBufferBindingSize)} per tensor (${limits.cappedBy ?? 'maxStorageBufferBindingSize'})`,
    );
  }
  return undefined;
}

const bytesOf = (shape: number[]) => 4 * shape.reduce((a, b) => a * b, 1);

/**
 * Refuses, synchronously and with the reason, tensors this device cannot hold or bind: checked on
 * entry to each program, before tfjs allocates anything for it (so nothing leaks), and again at
 * allocation for buffers made elsewhere.
 */
function guardSizes(backend: WebGpuBackendLike, limits: BufferLimits): void {
  const run = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (program, inputs, outputDtype, uniforms, output) => {
    const shapes = [...inputs.map((t) => t.shape), output?.shape ?? (program as { outputShape: number[] }).outputShape];
    for (const shape of shapes) {
      const error = sizeError(bytesOf(shape), limits);
      if (error) throw error;
    }
    return run(program, inputs, outputDtype, uniforms, output);
  };
  const manager = backend.bufferManager;
  const acquire = manager.acquireBuffer.bind(manager);
  manager.acquireBuffer = (size, usage, mappedAtCreation, reuse) => {
    const error = (usage & GPUBufferUsage.STORAGE) !== 0 || size > limits.maxBufferSize ? sizeError(size, limits) : undefined;
    if (error) throw error;
    return acquire(size, usage, mappedAtCreation, reuse);
  };
}

/**
 * Called once, when tfjs creates the backend. `maxBufferBytes` lowers the per-buffer limits below
 * the device's (WebGPU cannot: a device never gets less than the default limits).
 */
export function attachWebGpuDevice(backend: object, device: GPUDevice, cap?: { bytes: number; by: string }): void {
  const state: DeviceState = { uncaptured: [] };
  states.set(backend, state);
  const { maxBufferSize, maxStorageBufferBindingSize } = device.limits;
  guardSizes(backend as WebGpuBackendLike, cap && cap.bytes < maxStorageBufferBindingSize
    ? { maxBufferSize: Math.min(maxBufferSize, cap.bytes), maxStorageBufferBindingSize: cap.bytes, cappedBy: cap.by }
    : { maxBufferSize, maxStorageBufferBindingSize });
  void device.lost.then((info) => {
    state.lost = info.message || info.reason || 'unknown reason';
  });
  device.addEventListener('uncapturederror', (event) => {
    if (state.uncaptured.length < 10) state.uncaptured.push((event as GPUUncapturedErrorEvent).error.message);
  });
  for (const filter of SCOPES) device.pushErrorScope(filter);
}

export function asWebGpuBackend(backend: unknown): WebGpuBackendLike {
  const candidate = backend as Partial<WebGpuBackendLike> | null;
  if (candidate == null || candidate.device == null || candidate.bufferManager == null || typeof candidate.runWebGPUProgram !== 'function') {
    throw new Error('expected the webgpu backend (tfjs-backend-webgpu 4.22)');
  }
  return candidate as WebGpuBackendLike;
}

/** Sends what tfjs has recorded but not yet submitted. */
export function flushCommands(backend: WebGpuBackendLike): void {
  if (backend.commandEncoder == null) return;
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/**
 * Destroys the GPU buffers tfjs keeps for reuse. Keys stay in the map with empty lists: tfjs's
 * releaseBuffer silently skips its bookkeeping when the map is empty.
 */
export function releaseCachedGpuBuffers(backend: WebGpuBackendLike): void {
  flushCommands(backend);
  const manager = backend.bufferManager;
  for (const buffers of manager.freeBuffers.values()) {
    for (const buffer of buffers) {
      manager.numBytesAllocated -= buffer.size;
      buffer.destroy(); // deferred by WebGPU until submitted work that uses it has finished
    }
    manager.numFreeBuffers -= buffers.length;
    buffers.length = 0;
  }
}

/** Bytes of GPU buffers tfjs holds: in tensors, and in total (tensors + its reuse pool). */
export function gpuBufferBytes(backend: WebGpuBackendLike): { inUse: number; allocated: number } {
  return { inUse: backend.bufferManager.numBytesUsed, allocated: backend.bufferManager.numBytesAllocated };
}

/**
 * Collects the errors the device reported since the last call and opens fresh scopes. Resolves once
 * the work submitted so far has been validated (so a caller that awaits it has also waited for the
 * queue). Throws GpuMemoryError for out-of-memory and oversized-buffer errors, Error otherwise.
 */
export async function takeGpuErrors(backend: WebGpuBackendLike): Promise<void> {
  const state = states.get(backend);
  const device = backend.device;
  flushCommands(backend);
  const popped: (GPUError | null)[] = [];
  for (let i = 0; i < SCOPES.length; i++) popped.push(await device.popErrorScope());
  for (const filter of SCOPES) device.pushErrorScope(filter);
  if (state?.lost !== undefined) throw new Error(`the GPU device was lost: ${state.lost}`);
  const uncaptured = state?.uncaptured.splice(0) ?? [];
  // Popped innermost first: validation, then out-of-memory.
  const [validation, outOfMemory] = popped;
  if (outOfMemory != null) throw new GpuMemoryError(`out of GPU memory: ${firstSentence(outOfMemory.message)}`);
  const messages = [validation?.message, ...uncaptured].filter((m): m is string => typeof m === 'string');
  if (messages.length === 0) return;
  const text = firstSentence(messages[0]);
  if (/out of memory|allocation|exceeds the max|maxBufferSize|maxStorageBufferBindingSize/i.test(text)) {
    throw new GpuMemoryError(`the network does not fit in GPU memory: ${text}`);
  }
  throw new Error(`WebGPU error: ${text}`);
}

function firstSentence(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return line.trim().slice(0, 300);
}
