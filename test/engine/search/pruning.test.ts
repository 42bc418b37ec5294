/** The pruning rules, against expectations computed by hand. */
import { describe, expect, it } from 'vitest';
import { createPruner, median, MedianStopping, SuccessiveHalving } from '../../../src/engine/search/pruning';

/** Five completed candidates of three epochs. */
const CURVES = [
  [0.5, 0.6, 0.7],
  [0.4, 0.55, 0.65],
  [0.6, 0.7, 0.75],
  [0.3, 0.45, 0.5],
  [0.55, 0.62, 0.72],
];
// Medians: epoch 1 of [0.30 0.40 0.50 0.55 0.60] = 0.50; epoch 2 of [0.45 0.55 0.60 0.62 0.70] = 0.60.

function completeAll(pruner: MedianStopping | SuccessiveHalving, curves: number[][], first = 0): void {
  curves.forEach((curve, i) => {
    curve.forEach((acc, e) => expect(pruner.report(first + i, e + 1, acc)).toBe('continue'));
    pruner.finish(first + i, 'completed', curve);
  });
}

describe('the median stopping rule', () => {
  it('stops nothing during its warm-up of five completed candidates', () => {
    const pruner = new MedianStopping(3);
    completeAll(pruner, CURVES.slice(0, 4));
    // Four completed: a terrible candidate still goes on.
    expect(pruner.report(9, 1, 0)).toBe('continue');
    expect(pruner.report(9, 2, 0)).toBe('continue');
    // A pruned candidate does not count towards the warm-up either.
    pruner.finish(9, 'pruned', [0, 0]);
    expect(pruner.report(10, 1, 0)).toBe('continue');
  });

  it('after the warm-up, stops a candidate below the median at its epoch, keeps one at or above it, and never stops at the last epoch', () => {
    const pruner = new MedianStopping(3);
    completeAll(pruner, CURVES);
    expect(pruner.report(5, 1, 0.49)).toBe('prune');
    expect(pruner.report(6, 1, 0.5)).toBe('continue'); // equal to the median
    expect(pruner.report(6, 2, 0.59)).toBe('prune'); // median at epoch 2 is 0.60
    expect(pruner.report(7, 1, 0.52)).toBe('continue');
    expect(pruner.report(7, 2, 0.61)).toBe('continue');
    expect(pruner.report(7, 3, 0.1)).toBe('continue'); // the last epoch: nothing left to save
    pruner.finish(5, 'pruned', [0.49]);
    pruner.finish(6, 'pruned', [0.5, 0.59]);
    pruner.finish(7, 'completed', [0.52, 0.61, 0.1]);
    // Six completed now: the median at epoch 1 of [0.30 0.40 0.50 0.52 0.55 0.60] is (0.50 + 0.52) / 2 = 0.51.
    expect(pruner.report(8, 1, 0.505)).toBe('prune');
    expect(pruner.report(9, 1, 0.51)).toBe('continue');
  });

  it('answers a stopped candidate\'s late reports with prune, without recording them', () => {
    const pruner = new MedianStopping(3);
    completeAll(pruner, CURVES);
    expect(pruner.report(5, 1, 0.1)).toBe('prune');
    expect(pruner.report(5, 2, 0.99)).toBe('prune'); // the verdict arrived an epoch late
    pruner.finish(5, 'pruned', [0.1, 0.99]);
    expect(pruner.checkpoint()).toEqual({ rule: 'median', completed: CURVES });
  });

  it('the median of an odd and an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('asynchronous successive halving (η = 3)', () => {
  it('puts rungs at epochs 1, 3, 9, … below the run\'s last epoch', () => {
    expect(new SuccessiveHalving(9).rungEpochs).toEqual([1, 3]);
    expect(new SuccessiveHalving(10).rungEpochs).toEqual([1, 3, 9]);
    expect(new SuccessiveHalving(27).rungEpochs).toEqual([1, 3, 9]);
    expect(new SuccessiveHalving(2).rungEpochs).toEqual([1]);
    expect(new SuccessiveHalving(1).rungEpochs).toEqual([]);
  });

  it('lets a candidate go on from a rung only when it is in the top ⌊n/3⌋ of the n results there, and every one while fewer than 3 are in', () => {
    const asha = new SuccessiveHalving(9);
    const at1 = (index: number, acc: number) => asha.report(index, 1, acc);
    expect(at1(0, 0.5)).toBe('continue'); // n = 1 < η
    expect(at1(1, 0.6)).toBe('continue'); // n = 2 < η
    expect(at1(2, 0.4)).toBe('prune'); // n = 3: top 1 is 0.6
    expect(at1(3, 0.7)).toBe('continue'); // n = 4: top 1, and it is the best
    expect(at1(4, 0.55)).toBe('prune'); // n = 5: top 1 is 0.7
    expect(at1(5, 0.65)).toBe('continue'); // n = 6: top 2 are 0.7, 0.65
    expect(at1(6, 0.6)).toBe('prune'); // n = 7: top 2; 0.7 and 0.65 are better
    // Epochs between rungs never stop anyone.
    expect(asha.report(0, 2, 0.01)).toBe('continue');
    // Rung 3 has its own results: the first two go on whatever they score.
    expect(asha.report(0, 3, 0.2)).toBe('continue');
    expect(asha.report(1, 3, 0.1)).toBe('continue');
    expect(asha.report(3, 3, 0.15)).toBe('prune'); // n = 3: top 1 is 0.2
    // Past the last rung (epoch 9 is the run's last), nothing is stopped.
    expect(asha.report(0, 9, 0)).toBe('continue');
  });

  it('ties go on: only strictly better results count against a candidate', () => {
    const asha = new SuccessiveHalving(9);
    expect(asha.report(0, 1, 0.5)).toBe('continue');
    expect(asha.report(1, 1, 0.5)).toBe('continue');
    expect(asha.report(2, 1, 0.5)).toBe('continue');
    expect(asha.report(3, 1, 0.49)).toBe('prune');
  });

  it('keeps stopped candidates\' results at their rung, ignores their late reports, and counts a completed candidate at every rung it passed', () => {
    const asha = new SuccessiveHalving(9);
    asha.report(0, 1, 0.5);
    asha.report(1, 1, 0.6);
    expect(asha.report(2, 1, 0.4)).toBe('prune');
    expect(asha.report(2, 2, 0.9)).toBe('prune'); // late, not recorded
    asha.finish(2, 'pruned', [0.4, 0.9]);
    // Told from the cache: a whole curve, with results at epochs 1 and 3.
    asha.finish(7, 'completed', [0.3, 0.35, 0.45, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    asha.finish(0, 'failed', [0.5]);
    expect(asha.checkpoint()).toEqual({
      rule: 'asha',
      // Candidate 1 is still in flight: its result is left out, and it reports again on resume.
      rungs: [
        [
          [0, 0.5],
          [2, 0.4],
          [7, 0.3],
        ],
        [[7, 0.45]],
      ],
    });
  });
});

describe('a pruner restored from its checkpoint', () => {
  it('decides as the one it was taken from', () => {
    const original = new MedianStopping(3);
    completeAll(original, CURVES);
    const restored = createPruner('median', 3, JSON.parse(JSON.stringify(original.checkpoint())))!;
    const verdicts = (pruner: typeof restored) => [[1, 0.49], [1, 0.5], [2, 0.59], [2, 0.6]].map(([epoch, acc], i) => pruner.report(10 + i, epoch, acc));
    expect(verdicts(restored)).toEqual(['prune', 'continue', 'prune', 'continue']);
    expect(verdicts(original)).toEqual(verdicts(restored));
    const asha = new SuccessiveHalving(9);
    completeAll(asha, [[0.5, 0, 0.4, 0, 0, 0, 0, 0, 0], [0.6, 0, 0.3, 0, 0, 0, 0, 0, 0]]);
    const back = createPruner('asha', 9, JSON.parse(JSON.stringify(asha.checkpoint())))!;
    expect(back.report(2, 1, 0.55)).toBe('prune');
    expect(asha.report(2, 1, 0.55)).toBe('prune');
  });

  it('refuses a checkpoint of another rule, or a malformed one, naming the field', () => {
    expect(createPruner('none', 9)).toBeUndefined();
    expect(() => createPruner('asha', 9, { rule: 'median', completed: [] })).toThrow('the checkpoint holds a median pruner, but the run prunes with asha');
    expect(() => createPruner('asha', 9, { rule: 'asha', rungs: [[[1.5, 0.2]]] })).toThrow(/invalid pruner checkpoint: [\s\S]*rungs/);
  });
});
