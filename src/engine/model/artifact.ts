/**
 * Trained models as plain data (to cross the process boundary and be stored), written as and read
 * from a TensorFlow.js layers-format directory: model.json + weights.bin, what tf.loadLayersModel
 * and tensorflowjs_converter read. TensorFlow-free, so the main process and the CLI's export can
 * write models without loading tfjs; capturing a model and loading one into tfjs is capture.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { tf } from '../tf';

/** A model's topology and weights; `weightData` is the concatenated little-endian weight bytes. */
export interface ModelArtifact {
  topology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: Uint8Array;
}

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** Writes `dir/model.json` and `dir/weights.bin` (the layers format of tfjs' file:// and http:// handlers). */
export function writeLayersModel(dir: string, artifact: ModelArtifact): string[] {
  mkdirSync(dir, { recursive: true });
  const modelJson = {
    format: 'layers-model',
    generatedBy: generatedBy(artifact.topology),
    convertedBy: null,
    modelTopology: artifact.topology,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifact.weightSpecs }],
  };
  const files = [join(dir, MODEL_JSON), join(dir, WEIGHTS_BIN)];
  writeFileSync(files[0], JSON.stringify(modelJson));
  writeFileSync(files[1], artifact.weightData);
  return files;
}

/** What tfjs itself writes ("TensorFlow.js tfjs-layers v4.22.0"), from the version the topology records. */
function generatedBy(topology: object): string {
  const recorded = (topology as { keras_version?: unknown }).keras_version;
  const version = typeof recorded === 'string' ? /^tfjs-layers (\S+)$/.exec(recorded)?.[1] : undefined;
  return version ? `TensorFlow.js tfjs-layers v${version}` : 'TensorFlow.js tfjs-layers';
}

/** A layers-format directory's model.json and its weights, concatenated in manifest order. */
export function readLayersModel(dir: string): { modelJson: tf.io.ModelJSON; weightSpecs: tf.io.WeightsManifestEntry[]; weightData: Uint8Array } {
  const modelJson = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightData = new Uint8Array(Buffer.concat(modelJson.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(join(dir, path))))));
  return { modelJson, weightSpecs, weightData };
}
