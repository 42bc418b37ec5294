/**
 * The layer catalog as the palette and the inspector show it, read from the shared layer schemas
 * (src/shared/layers.ts): each type's label, category and parameters with their kinds, ranges and
 * defaults. Nothing here restates a rule of the schemas.
 */
import { z } from 'zod';
import { LAYER_TYPES, LayerSpecSchema, type LayerType } from '../../../../shared/layers';
import type { LayerDraft, ParamScalar } from './values';

export interface ParamInfo {
  name: string;
  kind: 'int' | 'number' | 'enum';
  options?: readonly string[];
  min?: number;
  max?: number;
  /** The value used when the parameter is left out. */
  default?: ParamScalar;
  /** Must be given (no default). */
  required: boolean;
  /** What leaving it out means, when it has no plain default (pool stride = pool size). */
  omittedMeans?: string;
}

export type LayerCategory = 'conv' | 'pool' | 'dense' | 'regularize' | 'activation';

export interface LayerInfo {
  type: LayerType;
  label: string;
  category: LayerCategory;
  params: ParamInfo[];
}

const LAYER_TEXT: Record<LayerType, { label: string; category: LayerCategory }> = {
  conv2d: { label: '2-D convolution', category: 'conv' },
  depthwiseConv2d: { label: 'Depthwise convolution', category: 'conv' },
  separableConv2d: { label: 'Separable convolution', category: 'conv' },
  maxPool: { label: 'Max pooling', category: 'pool' },
  avgPool: { label: 'Average pooling', category: 'pool' },
  globalAvgPool: { label: 'Global average pooling', category: 'pool' },
  dense: { label: 'Fully connected', category: 'dense' },
  flatten: { label: 'Flatten to a vector', category: 'dense' },
  dropout: { label: 'Dropout', category: 'regularize' },
  batchNorm: { label: 'Batch normalization', category: 'regularize' },
  activation: { label: 'Activation function', category: 'activation' },
};

/**
 * What a new node starts with for the required parameters that have no default (an enum's first
 * option otherwise, e.g. the activation layer's relu).
 */
const INITIAL_VALUES: Record<string, ParamScalar> = { filters: 32, units: 128, rate: 0.2 };

function describeParam(name: string, schema: z.ZodType): ParamInfo {
  let inner: z.ZodType = schema;
  let required = true;
  let defaultValue: ParamScalar | undefined;
  if (inner instanceof z.ZodDefault) {
    required = false;
    defaultValue = inner.def.defaultValue as ParamScalar;
    inner = inner.def.innerType as z.ZodType;
  }
  if (inner instanceof z.ZodOptional) {
    required = false;
    inner = inner.def.innerType as z.ZodType;
  }
  const info: ParamInfo = { name, kind: 'number', required };
  if (defaultValue !== undefined) info.default = defaultValue;
  if (inner instanceof z.ZodEnum) {
    info.kind = 'enum';
    info.options = inner.options.map(String);
  } else if (inner instanceof z.ZodNumber) {
    info.kind = inner.isInt ? 'int' : 'number';
    if (inner.minValue !== null && Number.isFinite(inner.minValue)) info.min = inner.minValue;
    if (inner.maxValue !== null && Number.isFinite(inner.maxValue)) info.max = inner.maxValue;
  }
  if (!required && defaultValue === undefined && name === 'stride') info.omittedMeans = 'the pool size';
  return info;
}

/** Every layer type of the catalog, in catalog order, with its parameters. */
export const LAYER_CATALOG: readonly LayerInfo[] = LayerSpecSchema.options.map((option) => {
  const type = option.shape.type.value as LayerType;
  const params = Object.entries(option.shape)
    .filter(([name]) => name !== 'type')
    .map(([name, schema]) => describeParam(name, schema as z.ZodType));
  return { type, ...LAYER_TEXT[type], params };
});

const CATALOG_BY_TYPE = new Map<string, LayerInfo>(LAYER_CATALOG.map((info) => [info.type, info]));

export function layerInfo(type: string): LayerInfo | undefined {
  return CATALOG_BY_TYPE.get(type);
}

export function isLayerType(type: string): type is LayerType {
  return (LAYER_TYPES as readonly string[]).includes(type);
}

/** "integer 1–2048", "0–0.95", "same | valid". */
export function paramRange(info: ParamInfo): string {
  if (info.kind === 'enum') return (info.options ?? []).join(' | ');
  const kind = info.kind === 'int' ? 'integer ' : '';
  return info.min !== undefined && info.max !== undefined ? `${kind}${info.min}–${info.max}` : kind.trim() || 'number';
}

/** The range plus the default: "integer 1–11, default 3". */
export function paramHint(info: ParamInfo): string {
  const range = paramRange(info);
  if (info.required) return `${range}, required`;
  if (info.default !== undefined) return `${range}, default ${info.default}`;
  return info.omittedMeans ? `${range}, default ${info.omittedMeans}` : range;
}

/** A new layer of `type`: required parameters get a sensible single value, the rest their defaults. */
export function defaultLayer(type: LayerType): LayerDraft {
  const layer: LayerDraft = { type };
  for (const param of layerInfo(type)?.params ?? []) {
    if (param.required) layer[param.name] = INITIAL_VALUES[param.name] ?? param.min ?? param.options?.[0] ?? 1;
  }
  return layer;
}
