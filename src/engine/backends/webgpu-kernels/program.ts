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
