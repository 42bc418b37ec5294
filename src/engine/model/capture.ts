/**
 * Between tfjs models and model artifacts (artifact.ts, TensorFlow-free): a trained model captured
 * as data, and a layers-format directory loaded back into tfjs.
 */
import { tf } from '../tf';
import { readLayersModel, type ModelArtifact } from './artifact';

export async function captureModel(model: tf.LayersModel): Promise<ModelArtifact> {
  let captured: ModelArtifact | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) throw new Error('model has no topology or weights to save');
      const data = artifacts.weightData;
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(tf.io.concatenateArrayBuffers(data));
      captured = { topology: artifacts.modelTopology as object, weightSpecs: artifacts.weightSpecs, weightData: bytes.slice() };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured) throw new Error('model.save did not call the save handler');
  return captured;
}

/** Loads a layers-format directory written by writeLayersModel (or by tfjs itself). */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  const handler: tf.io.IOHandler = {
    load: async () => {
      const { modelJson, weightSpecs, weightData } = readLayersModel(dir);
      const { modelTopology, format, generatedBy, convertedBy } = modelJson;
      return { modelTopology, weightSpecs, weightData: weightData.buffer as ArrayBuffer, format, generatedBy, convertedBy };
    },
  };
  return tf.loadLayersModel(handler);
}
