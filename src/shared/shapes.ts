/**
 * Shape inference and parameter counts without TensorFlow: what the builder will produce, so that
 * the editor, the action masks and the CLI can reject a network before anything is built.
 */
import { ArchitectureError, type Architecture } from './architecture';
import { describeLayer, poolStride, type LayerSpec, type Padding } from './layers';

/** Height × width × channels, or a flat vector. */
export type TensorShape = { kind: 'spatial'; h: number; w: number; c: number } | { kind: 'flat'; units: number };

export interface LayerShapeInfo {
  layer: LayerSpec;
  output: TensorShape;
  params: number;
}

export interface ShapeReport {
  input: TensorShape;
  layers: LayerShapeInfo[];
  /** Parameters of the appended classifier head. */
  headParams: number;
  /** All parameters, head included (trainable and batch-norm statistics, as tf's countParams). */
  totalParams: number;
  /** The shape the head sees (before its implicit flatten). */
  featureShape: TensorShape;
}

export function formatShape(shape: TensorShape): string {
  return shape.kind === 'spatial' ? `${shape.h}×${shape.w}×${shape.c}` : `${shape.units}`;
}

/** A shape as a map key: equal shapes, equal keys ("28x28x1", "128"). */
export function shapeKey(shape: TensorShape): string {
  return shape.kind === 'spatial' ? `${shape.h}x${shape.w}x${shape.c}` : `${shape.units}`;
}

export function shapeSize(shape: TensorShape): number {
  return shape.kind === 'spatial' ? shape.h * shape.w * shape.c : shape.units;
}

/** Output length of a convolution or pool along one axis, or 0 when the window does not fit. */
export function convOutputLength(input: number, window: number, stride: number, padding: Padding): number {
  if (padding === 'same') return Math.ceil(input / stride);
  return input < window ? 0 : Math.floor((input - window) / stride) + 1;
}

/**
 * The output shape and parameter count of one layer, or a reason it cannot follow `input`.
 * Shared by whole-network inference and per-step action masks.
 */
export function inferLayer(input: TensorShape, layer: LayerSpec): { output: TensorShape; params: number } | { error: string } {
  const needSpatial = (): string | undefined =>
    input.kind === 'flat' ? `needs a spatial input but gets a flat vector of ${input.units}` : undefined;
  switch (layer.type) {
    case 'conv2d':
    case 'depthwiseConv2d':
    case 'separableConv2d':
    case 'maxPool':
    case 'avgPool': {
      const notSpatial = needSpatial();
      if (notSpatial || input.kind !== 'spatial') return { error: notSpatial ?? '' };
      const window = layer.type === 'maxPool' || layer.type === 'avgPool' ? layer.size : layer.kernel;
      const stride = layer.type === 'maxPool' || layer.type === 'avgPool' ? poolStride(layer) : layer.stride;
      const h = convOutputLength(input.h, window, stride, layer.padding);
      const w = convOutputLength(input.w, window, stride, layer.padding);
      if (h === 0 || w === 0) return { error: `input is ${formatShape(input)}` };
      const k2 = window * window;
      const { c } = input;
      switch (layer.type) {
        case 'conv2d':
          return { output: { kind: 'spatial', h, w, c: layer.filters }, params: k2 * c * layer.filters + layer.filters };
        case 'depthwiseConv2d': {
          const out = c * layer.depthMultiplier;
          return { output: { kind: 'spatial', h, w, c: out }, params: k2 * out + out };
        }
        case 'separableConv2d': {
          const mid = c * layer.depthMultiplier;
          return {
            output: { kind: 'spatial', h, w, c: layer.filters },
            params: k2 * mid + mid * layer.filters + layer.filters,
          };
        }
        default:
          return { output: { kind: 'spatial', h, w, c }, params: 0 };
      }
    }
    case 'globalAvgPool': {
      if (input.kind !== 'spatial') return { error: needSpatial() ?? '' };
      return { output: { kind: 'flat', units: input.c }, params: 0 };
    }
    case 'dense':
      return { output: { kind: 'flat', units: layer.units }, params: shapeSize(input) * layer.units + layer.units };
    case 'flatten':
      return { output: { kind: 'flat', units: shapeSize(input) }, params: 0 };
    case 'batchNorm': {
      const channels = input.kind === 'spatial' ? input.c : input.units;
      return { output: input, params: 4 * channels };
    }
    case 'dropout':
    case 'activation':
      return { output: input, params: 0 };
  }
}

/**
 * Shapes and parameter counts of every layer for an input of `inputShape` [H, W, C], plus the
 * classifier head for `numClasses`. Throws ArchitectureError naming the first bad layer,
 * e.g. "layer 4 maxPool 2×2: input is 1×1×64".
 */
export function inferShapes(
  architecture: Architecture,
  inputShape: readonly [number, number, number],
  numClasses: number,
): ShapeReport {
  const [h, w, c] = inputShape;
  const input: TensorShape = { kind: 'spatial', h, w, c };
  let current: TensorShape = input;
  const layers: LayerShapeInfo[] = [];
  architecture.layers.forEach((layer, index) => {
    const result = inferLayer(current, layer);
    if ('error' in result) {
      throw new ArchitectureError(`layer ${index + 1} ${describeLayer(layer)}: ${result.error}`, index);
    }
    layers.push({ layer, output: result.output, params: result.params });
    current = result.output;
  });
  const headParams = shapeSize(current) * numClasses + numClasses;
  const totalParams = layers.reduce((sum, l) => sum + l.params, headParams);
  return { input, layers, headParams, totalParams, featureShape: current };
}
