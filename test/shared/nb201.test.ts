import { describe, expect, it } from 'vitest';
import { NB201_OPS, nb201EdgeLabel, nb201Params, parseNb201Cell } from '../../src/shared/nb201';

describe('NAS-Bench-201 cells', () => {
  it('counts the parameters the benchmark publishes for its extreme cells', () => {
    expect(nb201Params(new Array(6).fill('nor_conv_3x3'), 10)).toBe(1_531_546);
    for (const op of ['none', 'skip_connect', 'avg_pool_3x3']) expect(nb201Params(new Array(6).fill(op), 10)).toBe(73_306);
    // CIFAR-100's classifier: 90 more classes of 64 weights and a bias each.
    expect(nb201Params(new Array(6).fill('none'), 100) - nb201Params(new Array(6).fill('none'), 10)).toBe(90 * 65);
  });

  it('adds a 1×1 convolution per cell: C² + 2C at each stage', () => {
    const one = ['nor_conv_1x1', 'none', 'none', 'none', 'none', 'none'];
    const perStage = (c: number) => 5 * (c * c + 2 * c);
    expect(nb201Params(one, 10) - 73_306).toBe(perStage(16) + perStage(32) + perStage(64));
  });

  it('parses a cell string edge by edge and names the edges', () => {
    const cell = parseNb201Cell('|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|');
    expect(cell).toEqual([
      { from: 0, to: 1, op: 'nor_conv_3x3' },
      { from: 0, to: 2, op: 'none' },
      { from: 1, to: 2, op: 'skip_connect' },
      { from: 0, to: 3, op: 'avg_pool_3x3' },
      { from: 1, to: 3, op: 'nor_conv_1x1' },
      { from: 2, to: 3, op: 'none' },
    ]);
    expect(parseNb201Cell('|a~0|')).toHaveProperty('error');
    expect(nb201EdgeLabel(2)).toBe('edge 2←1');
    expect(NB201_OPS).toHaveLength(5);
  });
});
