/**
 * One optimizer step for one variable as a single WebGPU dispatch, updating the variable and its
 * slots in place. The arithmetic is tfjs 4.22's (sgd, momentum without Nesterov, Adam, RMSProp not
 * centred), so training matches the other backends; tfjs spends ~15 dispatches per variable on it.
 *
 *   sgd       w ← w − lr·g
 *   momentum  a ← μ·a + g;                     w ← w − lr·a
 *   adam      m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *             w ← w − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 *   rmsprop   s ← ρ·s + (1−ρ)·g²;   a ← μ·a + lr·g / √(s + ε);   w ← w − a
 *
 * Registered as a tfjs kernel (no outputs) so that tf.profile lists and times it like any other.
 */
import { tf } from '../../tf';
import { asWebGpuBackend } from '../webgpu-device';
import { flatGroups, type KernelArgs } from './program';
import { dispatchRaw, type RawBinding } from './raw-dispatch';

export const OPTIMIZER_UPDATE_KERNEL = 'GennOptimizerUpdate';

export type OptimizerUpdateAttrs =
  | { rule: 'sgd'; learningRate: number }
  | { rule: 'momentum'; learningRate: number; momentum: number }
  | { rule: 'adam'; learningRate: number; beta1: number; beta2: number; epsilon: number; step: number }
  | { rule: 'rmsprop'; learningRate: number; decay: number; momentum: number; epsilon: number };

const WORKGROUP = 256;

/** The update of element i, per rule; p0…p3 are the uniforms `parameters` fills. */
const BODIES: Record<OptimizerUpdateAttrs['rule'], { slots: number; body: string }> = {
  sgd: { slots: 0, body: 'w[i] = w[i] - u.lr * g[i];' },
  momentum: { slots: 1, body: 'let a = u.p0 * s1[i] + g[i]; s1[i] = a; w[i] = w[i] - u.lr * a;' },
  adam: {
    slots: 2,
    body: `let grad = g[i];
      let m = u.p0 * s1[i] + (1.0 - u.p0) * grad;
      let v = u.p1 * s2[i] + (1.0 - u.p1) * grad * grad;
      s1[i] = m; s2[i] = v;
      w[i] = w[i] - u.lr * ((m / u.p2) / (sqrt(v / u.p3) + u.p4));`,
  },
  rmsprop: {
    slots: 2,
    body: `let grad = g[i];
      let s = u.p0 * s1[i] + (1.0 - u.p0) * grad * grad;
      let a = u.p1 * s2[i] + u.lr * grad / sqrt(s + u.p4);
      s1[i] = s; s2[i] = a;
      w[i] = w[i] - a;`,
  },
};

function parameters(attrs: OptimizerUpdateAttrs): [number, number, number, number, number] {
  switch (attrs.rule) {
    case 'sgd':
      return [0, 0, 1, 1, 0];
    case 'momentum':
      return [attrs.momentum, 0, 1, 1, 0];
    case 'adam':
      return [attrs.beta1, attrs.beta2, 1 - attrs.beta1 ** attrs.step, 1 - attrs.beta2 ** attrs.step, attrs.epsilon];
    case 'rmsprop':
      return [attrs.decay, attrs.momentum, 1, 1, attrs.epsilon];
  }
}

function shader(rule: OptimizerUpdateAttrs['rule']): string {
  const { slots, body } = BODIES[rule];
  const slotBindings = Array.from({ length: slots }, (_, k) => `@group(0) @binding(${2 + k}) var<storage, read_write> s${k + 1}: array<f32>;`);
  return `
struct Uniforms { n: u32, rowStride: u32, lr: f32, p0: f32, p1: f32, p2: f32, p3: f32, p4: f32 };
@group(0) @binding(0) var<storage, read_write> w: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
${slotBindings.join('\n')}
@group(0) @binding(${2 + slots}) var<uniform> u: Uniforms;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * u.rowStride;
  if (i >= u.n) { return; }
  ${body}
}`;
}

const SHADERS = new Map<string, string>();

function optimizerUpdate({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const gpu = asWebGpuBackend(backend);
  const update = attrs as unknown as OptimizerUpdateAttrs;
  const { slots } = BODIES[update.rule];
  const variable = inputs.variable;
  const gradient = inputs.gradient;
  const slotTensors = [inputs.first, inputs.second].slice(0, slots);
  if (variable === undefined || gradient === undefined || slotTensors.some((t) => t === undefined)) {
    throw new Error(`${OPTIMIZER_UPDATE_KERNEL}: ${update.rule} needs variable, gradient and ${slots} slot(s)`);
  }
  const n = tf.util.sizeFromShape(variable.shape);
  for (const t of [gradient, ...slotTensors] as tf.TensorInfo[]) {
    if (tf.util.sizeFromShape(t.shape) !== n || t.dtype !== 'float32') throw new Error(`${OPTIMIZER_UPDATE_KERNEL}: shapes or dtypes differ`);
  }
  if (n === 0) return [];
  // In place is only safe on a buffer nothing else shares (tfjs shares buffers between a tensor and its clones).
  for (const t of [variable, ...slotTensors] as tf.TensorInfo[]) {
    if (gpu.refCount(t.dataId) > 1) throw new Error(`${OPTIMIZER_UPDATE_KERNEL}: a variable or slot shares its buffer; cannot update it in place`);
  }
  let code = SHADERS.get(update.rule);
  if (code === undefined) SHADERS.set(update.rule, (code = shader(update.rule)));
  const groups = flatGroups(n, WORKGROUP, gpu.device.limits.maxComputeWorkgroupsPerDimension);
  const rowStride = groups[0] * WORKGROUP;
  const bindings: RawBinding[] = [
    { tensor: variable, writable: true },
    { tensor: gradient, writable: false },
    ...(slotTensors as tf.TensorInfo[]).map((tensor) => ({ tensor, writable: true })),
  ];
  const [p0, p1, p2, p3, p4] = parameters(update);
  dispatchRaw(gpu, `optimizer-${update.rule}`, code, bindings, [
    { type: 'uint32', data: [n] },
    { type: 'uint32', data: [rowStride] },
    { type: 'float32', data: [update.learningRate] },
    { type: 'float32', data: [p0] },
    { type: 'float32', data: [p1] },
    { type: 'float32', data: [p2] },
    { type: 'float32', data: [p3] },
    { type: 'float32', data: [p4] },
  ], groups);
  return [];
}

export const optimizerUpdateKernel: tf.KernelConfig = {
  kernelName: OPTIMIZER_UPDATE_KERNEL,
  backendName: 'webgpu',
  kernelFunc: optimizerUpdate as unknown as tf.KernelFunc,
};
