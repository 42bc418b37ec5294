/**
 * One candidate end to end: build, train, optionally test, and always release its memory, GPU
 * buffers cached for reuse included (candidates differ in shape, so the cache would only grow).
 */
import { architectureHash, ArchitectureError, type Architecture } from '../../shared/architecture';
import type { ShapeReport } from '../../shared/shapes';
import type { TrainingConfig, TrainingResult } from '../../shared/training';
import { releaseDeviceMemory } from '../backends/device';
import { GpuMemoryError } from '../backends/webgpu-device';
import type { PreparedData } from '../data/types';
import { buildModel } from '../model/builder';
import { tf } from '../tf';
import { evaluateModel, trainModel, type Evaluation, type TrainHooks } from './trainer';

export type CandidateResult =
  | {
      status: TrainingResult['status'];
      hash: string;
      shapes: ShapeReport;
      params: number;
      training: TrainingResult;
      /** Present when asked for and training completed. */
      test?: Evaluation;
    }
  | { status: 'failed'; hash: string; error: string; layerIndex?: number };

export interface CandidateOptions extends TrainHooks {
  evaluateTest?: boolean;
  /** Receives the trained model before it is disposed (e.g. to save it). */
  onTrained?: (model: tf.LayersModel) => Promise<void> | void;
}

export async function trainCandidate(
  architecture: Architecture,
  data: PreparedData,
  config: TrainingConfig,
  options: CandidateOptions = {},
): Promise<CandidateResult> {
  const hash = architectureHash(architecture);
  const { inputShape, numClasses } = data.dataset;
  let built;
  try {
    built = buildModel(architecture, inputShape, numClasses, { seed: config.seed });
  } catch (error) {
    if (!(error instanceof ArchitectureError)) throw error;
    return { status: 'failed', hash, error: error.message, layerIndex: error.layerIndex };
  }
  const { model, shapes } = built;
  try {
    const training = await trainModel(model, data, config, options);
    const test =
      options.evaluateTest && training.status === 'completed'
        ? await evaluateModel(model, data.test, inputShape, numClasses)
        : undefined;
    if (training.status === 'completed') await options.onTrained?.(model);
    return { status: training.status, hash, shapes, params: shapes.totalParams, training, test };
  } catch (error) {
    // A network too big for the GPU fails as a candidate; the search goes on with the next.
    if (error instanceof GpuMemoryError) return { status: 'failed', hash, error: error.message };
    throw error;
  } finally {
    model.dispose();
    releaseDeviceMemory();
  }
}
