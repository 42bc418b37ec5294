import { describe, expect, it } from 'vitest';
import type { CandidateOutcome } from '../../../src/engine/evaluators/types';
import { computeReward, DEFAULT_REWARD, finalLosses } from '../../../src/engine/search/reward';

const outcome = (trainLoss: number, validLoss: number, status: CandidateOutcome['status'] = 'completed'): CandidateOutcome => ({
  status,
  signal: 0.5,
  epochs: status === 'failed' ? [] : [{ epoch: 1, trainLoss, validLoss, trainAccuracy: 0.5, validAccuracy: 0.5, seconds: 1, imagesPerSecond: 1 }],
  params: 2e6,
  hash: 'h',
  cached: false,
});

describe('rewards', () => {
  it('accuracy: the signal plus the build bonus', () => {
    expect(computeReward(outcome(1, 1), undefined, 3, DEFAULT_REWARD).total).toBeCloseTo(0.5 + 1);
  });

  it('improvement: the drop of train and validation loss against the previous candidate; NaN counts as 100', () => {
    const config = { ...DEFAULT_REWARD, kind: 'improvement' as const };
    expect(computeReward(outcome(0.5, 0.7), finalLosses(outcome(1, 1.2)), 3, config).total).toBeCloseTo(0.5 + 0.5 + 1);
    expect(computeReward(outcome(0.5, 0.7), undefined, 3, config).parts.metric).toBe(0);
    const diverged = computeReward(outcome(Number.NaN, Number.NaN, 'diverged'), finalLosses(outcome(1, 1)), 3, config);
    expect(diverged.parts.metric).toBeCloseTo(-198);
    // After a candidate without losses (failed), the next one's improvement is measured from 100.
    expect(computeReward(outcome(1, 1), finalLosses(outcome(0, 0, 'failed')), 3, config).parts.metric).toBeCloseTo(198);
  });

  it('optional penalties on depth and parameters', () => {
    const config = { ...DEFAULT_REWARD, depthPenalty: 0.01, paramPenalty: 0.1 };
    expect(computeReward(outcome(1, 1), undefined, 4, config).parts).toEqual({ metric: 0.5, build: 1, depth: -0.04, params: -0.2 });
    expect(computeReward(outcome(1, 1, 'failed'), undefined, 4, config).parts.build).toBe(-1);
  });
});
