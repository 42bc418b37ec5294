/** Turns an architecture into a tf.LayersModel: body layers in order, then the classifier head. */
import { ArchitectureError, type Architecture } from '../../shared/architecture';
import { poolStride, type LayerOf, type LayerSpec } from '../../shared/layers';
import { inferShapes, type ShapeReport } from '../../shared/shapes';
import { tf } from '../tf';

export interface BuiltModel {
  model: tf.Sequential;
  shapes: ShapeReport;
}

export interface BuildOptions {
  /** Seeds the weight initializers and dropout masks: same seed → same initial weights. */
  seed?: number;
}

/**
 * Builds the network for inputs of `inputShape` [H, W, C] and `numClasses` outputs. Shapes are
 * checked first (no tensors allocated for a network that cannot be built); anything tfjs still
 * rejects comes back as an ArchitectureError too, with the model's memory released.
 */
export function buildModel(
  architecture: Architecture,
  inputShape: readonly [number, number, number],
  numClasses: number,
  options: BuildOptions = {},
): BuiltModel {
  const shapes = inferShapes(architecture, inputShape, numClasses);
  const seed = options.seed ?? 0;
  const model = tf.sequential();
  let index = 0;
  try {
    model.add(tf.layers.inputLayer({ inputShape: [...inputShape] }));
    let spatial = true;
    for (const [i, layer] of architecture.layers.entries()) {
      index = i;
      if (layer.type === 'dense' && spatial) model.add(tf.layers.flatten());
      model.add(createLayer(layer, seed * 1009 + i));
      if (layer.type === 'dense' || layer.type === 'flatten' || layer.type === 'globalAvgPool') spatial = false;
    }
    index = architecture.layers.length;
    if (spatial) model.add(tf.layers.flatten());
    model.add(
      tf.layers.dense({
        units: numClasses,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1009 + index }),
      }),
    );
  } catch (error) {
    model.dispose();
    const where = index < architecture.layers.length ? `layer ${index + 1} (${architecture.layers[index].type})` : 'classifier head';
    throw new ArchitectureError(`cannot build ${where}: ${(error as Error).message}`, index);
  }
  return { model, shapes };
}

/** The options every convolution shares. */
function convolution(layer: LayerOf<'conv2d'> | LayerOf<'depthwiseConv2d'> | LayerOf<'separableConv2d'>) {
  return { kernelSize: layer.kernel, strides: layer.stride, padding: layer.padding, activation: layer.activation };
}

function createLayer(layer: LayerSpec, seed: number): tf.layers.Layer {
  const glorot = () => tf.initializers.glorotUniform({ seed });
  switch (layer.type) {
    case 'conv2d':
      return tf.layers.conv2d({ ...convolution(layer), filters: layer.filters, kernelInitializer: glorot() });
    case 'depthwiseConv2d':
      return tf.layers.depthwiseConv2d({ ...convolution(layer), depthMultiplier: layer.depthMultiplier, depthwiseInitializer: glorot() });
    case 'separableConv2d':
      return tf.layers.separableConv2d({
        ...convolution(layer),
        filters: layer.filters,
        depthMultiplier: layer.depthMultiplier,
        depthwiseInitializer: glorot(),
        pointwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 500_000 }),
      });
    case 'maxPool':
      return tf.layers.maxPooling2d({ poolSize: layer.size, strides: poolStride(layer), padding: layer.padding });
    case 'avgPool':
      return tf.layers.averagePooling2d({ poolSize: layer.size, strides: poolStride(layer), padding: layer.padding });
    case 'globalAvgPool':
      return tf.layers.globalAveragePooling2d({});
    case 'dense':
      return tf.layers.dense({ units: layer.units, activation: layer.activation, kernelInitializer: glorot() });
    case 'dropout':
      return tf.layers.dropout({ rate: layer.rate, seed });
    case 'batchNorm':
      return tf.layers.batchNormalization();
    case 'activation':
      return tf.layers.activation({ activation: layer.activation });
    case 'flatten':
      return tf.layers.flatten();
  }
}
