import type { tf } from '../../tf';
import type { ProgramUniform } from '../webgpu-device';

/** What tfjs passes a kernel function. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/**
 * The shape of a program for tfjs-backend-webgpu's runWebGPUProgram (4.22's WebGPUProgram): it
 * writes one output (`result`), reads the inputs named in `variableNames` (arrays of f32 under those
 * names), and gets `uniforms` (shapes plus the fields declared in `uniforms`). tfjs compiles and
 * caches one pipeline per shaderKey and input/output ranks, so everything baked into the code must
 * be in the key, and sizes that vary belong in the uniforms.
 */
export interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  /** Output dimensions spread over the dispatch's x/y/z (tfjs's coordinate helpers use it). */
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** WGSL struct fields, e.g. `n : i32, scale : f32,` (their values are passed in the same order). */
  uniforms?: string;
  /** Adds `uniforms.size` = the output's element count. */
  size?: boolean;
  getUserCode(): string;
}

/**
 * A program with one thread per output element (or per `threads`, e.g. one per row), in workgroups
 * of 64 along x: tfjs calls its `main(index : i32)` with the flat thread index, and declares
 * `uniforms.size`, the output's element count.
 */
export abstract class FlatProgram implements WebGpuProgram {
  abstract variableNames: string[];
  abstract shaderKey: string;
  uniforms?: string;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;

  constructor(shape: number[], threads = shape.reduce((a, b) => a * b, 1)) {
    this.outputShape = shape;
    this.dispatchLayout = flatLayout(shape);
    this.dispatch = flatGroups(threads, 64);
  }

  abstract getUserCode(): string;
}

/**
 * Every output dimension along x: tfjs then calls `main(index : i32)` with the flat thread index
 * (correct for dispatches folded into y too). Any other layout gets `main()`.
 */
export function flatLayout(shape: number[]): { x: number[] } {
  return { x: shape.map((_, i) => i) };
}

/** Workgroups for `invocations` threads in groups of `size` along x, folded into y past the per-dimension limit. */
export function flatGroups(invocations: number, size: number, maxPerDimension = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(invocations / size));
  return groups <= maxPerDimension ? [groups, 1, 1] : [maxPerDimension, Math.ceil(groups / maxPerDimension), 1];
}

/** Integer uniforms, in the order the program's `uniforms` declares them. */
export function int32Uniforms(...values: number[]): ProgramUniform[] {
  return values.map((v) => ({ type: 'int32', data: [v] }));
}
