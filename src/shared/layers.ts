/**
 * The layer catalog: every layer a network may contain, with a validated parameter schema.
 * Shared by the engine (builder, shape inference), the CLI and the renderer (action-set editor).
 *
 * Parameters left out take their defaults when parsed, so a parsed spec is complete: two specs that
 * mean the same layer are equal after parsing (which the architecture hash relies on).
 */
import { z } from 'zod';

export const ACTIVATIONS = ['relu', 'elu', 'gelu', 'tanh', 'sigmoid', 'swish', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const PADDINGS = ['same', 'valid'] as const;
export type Padding = (typeof PADDINGS)[number];

const activation = z.enum(ACTIVATIONS);
const padding = z.enum(PADDINGS);
const kernel = z.int().min(1).max(11);
const stride = z.int().min(1).max(4);
const filters = z.int().min(1).max(2048);
const depthMultiplier = z.int().min(1).max(8);
const poolSize = z.int().min(1).max(8);

export const Conv2dSchema = z.strictObject({
  type: z.literal('conv2d'),
  filters,
  kernel: kernel.default(3),
  stride: stride.default(1),
  padding: padding.default('same'),
  activation: activation.default('relu'),
});

export const DepthwiseConv2dSchema = z.strictObject({
  type: z.literal('depthwiseConv2d'),
  kernel: kernel.default(3),
  stride: stride.default(1),
  padding: padding.default('same'),
  depthMultiplier: depthMultiplier.default(1),
  activation: activation.default('relu'),
});

export const SeparableConv2dSchema = z.strictObject({
  type: z.literal('separableConv2d'),
  filters,
  kernel: kernel.default(3),
  stride: stride.default(1),
  padding: padding.default('same'),
  depthMultiplier: depthMultiplier.default(1),
  activation: activation.default('relu'),
});

/** Pool stride defaults to the pool size (non-overlapping), as in Keras. */
const poolShape = {
  size: poolSize.default(2),
  stride: stride.optional(),
  padding: padding.default('valid'),
};
export const MaxPoolSchema = z.strictObject({ type: z.literal('maxPool'), ...poolShape });
export const AvgPoolSchema = z.strictObject({ type: z.literal('avgPool'), ...poolShape });

export const GlobalAvgPoolSchema = z.strictObject({ type: z.literal('globalAvgPool') });

/** A dense layer on a spatial input flattens it first (the builder inserts the Flatten). */
export const DenseSchema = z.strictObject({
  type: z.literal('dense'),
  units: z.int().min(1).max(16384),
  activation: activation.default('relu'),
});

export const DropoutSchema = z.strictObject({
  type: z.literal('dropout'),
  rate: z.number().min(0).max(0.95),
});

export const BatchNormSchema = z.strictObject({ type: z.literal('batchNorm') });

export const ActivationLayerSchema = z.strictObject({
  type: z.literal('activation'),
  activation,
});

export const FlattenSchema = z.strictObject({ type: z.literal('flatten') });

export const LayerSpecSchema = z.discriminatedUnion('type', [
  Conv2dSchema,
  DepthwiseConv2dSchema,
  SeparableConv2dSchema,
  MaxPoolSchema,
  AvgPoolSchema,
  GlobalAvgPoolSchema,
  DenseSchema,
  DropoutSchema,
  BatchNormSchema,
  ActivationLayerSchema,
  FlattenSchema,
]);

/** A complete (parsed) layer spec. */
export type LayerSpec = z.output<typeof LayerSpecSchema>;
/** A layer spec as a user may write it: defaults may be left out. */
export type LayerSpecInput = z.input<typeof LayerSpecSchema>;
export type LayerType = LayerSpec['type'];
export type LayerOf<T extends LayerType> = Extract<LayerSpec, { type: T }>;

export const LAYER_TYPES: readonly LayerType[] = LayerSpecSchema.options.map((o) => o.shape.type.value);

/** Layers that need a spatial (H×W×C) input. */
export const SPATIAL_LAYER_TYPES: ReadonlySet<LayerType> = new Set([
  'conv2d',
  'depthwiseConv2d',
  'separableConv2d',
  'maxPool',
  'avgPool',
  'globalAvgPool',
]);

/** The effective stride of a pooling layer. */
export function poolStride(layer: LayerOf<'maxPool'> | LayerOf<'avgPool'>): number {
  return layer.stride ?? layer.size;
}

/** A short human label, e.g. "conv2d 32 5×5", "maxPool 2×2", "dense 128 relu", "dropout 0.2". */
export function describeLayer(layer: LayerSpec): string {
  const strided = (s: number) => (s === 1 ? '' : ` /${s}`);
  const pad = (p: Padding) => (p === 'same' ? '' : ' valid');
  switch (layer.type) {
    case 'conv2d':
    case 'separableConv2d':
      return `${layer.type} ${layer.filters} ${layer.kernel}×${layer.kernel}${strided(layer.stride)}${pad(layer.padding)} ${layer.activation}`;
    case 'depthwiseConv2d':
      return `depthwiseConv2d ${layer.kernel}×${layer.kernel}${strided(layer.stride)}${pad(layer.padding)} ${layer.activation}`;
    case 'maxPool':
    case 'avgPool': {
      const s = poolStride(layer);
      return `${layer.type} ${layer.size}×${layer.size}${s === layer.size ? '' : ` /${s}`}${layer.padding === 'same' ? ' same' : ''}`;
    }
    case 'dense':
      return `dense ${layer.units} ${layer.activation}`;
    case 'dropout':
      return `dropout ${layer.rate}`;
    case 'activation':
      return `activation ${layer.activation}`;
    case 'globalAvgPool':
    case 'batchNorm':
    case 'flatten':
      return layer.type;
  }
}

/** A whole network for people: "conv2d 16 5×5 relu → maxPool 2×2", or a note when it is empty. */
export function describeLayers(layers: readonly LayerSpec[]): string {
  return layers.length ? layers.map(describeLayer).join(' → ') : '(classifier head only)';
}
