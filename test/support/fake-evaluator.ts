import { architectureHash } from '../../src/shared/architecture';
import type { LayerSpec } from '../../src/shared/layers';
import { inferShapes } from '../../src/shared/shapes';
import type { CandidateEvaluator, CandidateOutcome } from '../../src/engine/evaluators/types';

/** Scores a network by its depth (deeper = better) after checking that it builds; counts calls. */
export class FakeEvaluator implements CandidateEvaluator {
  readonly settingsKey = 'fake';
  readonly epochs = 2;
  calls = 0;
  constructor(readonly inputShape: [number, number, number] = [28, 28, 1]) {}
  async evaluate(layers: LayerSpec[]): Promise<CandidateOutcome> {
    this.calls++;
    const params = inferShapes({ layers }, this.inputShape, 10).totalParams; // throws if unbuildable
    const epoch = (e: number) => ({ epoch: e, trainLoss: 1 / e, trainAccuracy: 0.5, validLoss: 1.5 / e, validAccuracy: 0.1 * layers.length, seconds: 1, imagesPerSecond: 1 });
    return { status: 'completed', signal: 0.1 * layers.length, epochs: [epoch(1), epoch(2)], params, hash: architectureHash(layers), cached: false };
  }
}

