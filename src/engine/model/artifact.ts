/**
 * Trained models as data: captured from a tfjs model after training (to cross the process boundary
 * and be stored), written as a TensorFlow.js layers-format directory (model.json + weights.bin,
 * what tf.loadLayersModel and tensorflowjs_converter read), and loaded back from one.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../tf';

/** A model's topology and weights; `weightData` is the concatenated little-endian weight bytes. */
export interface ModelArtifact {
  topology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: Uint8Array;
}

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

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

/** Writes `dir/model.json` and `dir/weights.bin` (the layers format of tfjs' file:// and http:// handlers). */
export function writeLayersModel(dir: string, artifact: ModelArtifact): string[] {
  mkdirSync(dir, { recursive: true });
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: artifact.topology,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifact.weightSpecs }],
  };
  const files = [join(dir, MODEL_JSON), join(dir, WEIGHTS_BIN)];
  writeFileSync(files[0], JSON.stringify(modelJson));
  writeFileSync(files[1], artifact.weightData);
  return files;
}

/** Loads a layers-format directory written by {@link writeLayersModel} (or by tfjs itself). */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  const handler: tf.io.IOHandler = {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      const specs = json.weightsManifest.flatMap((group) => group.weights);
      const buffers = json.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(join(dir, path))));
      const weightData = tf.io.concatenateArrayBuffers(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy };
    },
  };
  return tf.loadLayersModel(handler);
}
