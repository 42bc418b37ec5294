import { describe, expect, it } from 'vitest';
import { ArchitectureError, parseArchitecture, type ArchitectureInput } from '../../src/shared/architecture';
import { convOutputLength, formatShape, inferShapes } from '../../src/shared/shapes';

const shapesOf = (layers: ArchitectureInput, input: [number, number, number] = [28, 28, 1], classes = 10) =>
  inferShapes(parseArchitecture(layers), input, classes);

describe('inferShapes', () => {
  it('follows a small CNN layer by layer, with parameter counts', () => {
    const report = shapesOf([
      { type: 'conv2d', filters: 32, kernel: 3 },
      { type: 'maxPool' },
      { type: 'conv2d', filters: 64, kernel: 3, padding: 'valid' },
      { type: 'maxPool' },
      { type: 'dense', units: 128 },
    ]);
    expect(report.layers.map((l) => formatShape(l.output))).toEqual(['28×28×32', '14×14×32', '12×12×64', '6×6×64', '128']);
    expect(report.layers.map((l) => l.params)).toEqual([320, 0, 18496, 0, 6 * 6 * 64 * 128 + 128]);
    expect(report.headParams).toBe(128 * 10 + 10);
    expect(report.totalParams).toBe(320 + 18496 + 295040 + 1290);
  });

  it('counts depthwise, separable, batch-norm and global pooling like Keras', () => {
    const report = shapesOf(
      [
        { type: 'depthwiseConv2d', kernel: 3, depthMultiplier: 2, stride: 2 },
        { type: 'separableConv2d', filters: 16, kernel: 3 },
        { type: 'batchNorm' },
        { type: 'globalAvgPool' },
      ],
      [32, 32, 3],
    );
    expect(report.layers.map((l) => formatShape(l.output))).toEqual(['16×16×6', '16×16×16', '16×16×16', '16']);
    expect(report.layers.map((l) => l.params)).toEqual([9 * 6 + 6, 9 * 6 + 6 * 16 + 16, 64, 0]);
  });

  it('names the first bad layer and why', () => {
    const bad = [
      { type: 'conv2d', filters: 64, kernel: 3, stride: 4 },
      { type: 'conv2d', filters: 64, kernel: 3, stride: 4 },
      { type: 'maxPool' },
      { type: 'maxPool' },
      { type: 'dense', units: 10 },
    ] as const;
    let error: unknown;
    try {
      shapesOf([...bad]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArchitectureError);
    expect((error as ArchitectureError).message).toBe('layer 4 maxPool 2×2: input is 1×1×64');
    expect((error as ArchitectureError).layerIndex).toBe(3);
  });

  it('refuses spatial layers after flatten or dense', () => {
    expect(() => shapesOf([{ type: 'dense', units: 32 }, { type: 'conv2d', filters: 8 }])).toThrow(
      'layer 2 conv2d 8 3×3 relu: needs a spatial input but gets a flat vector of 32',
    );
    expect(() => shapesOf([{ type: 'flatten' }, { type: 'globalAvgPool' }])).toThrow(/layer 2 globalAvgPool: needs a spatial input/);
  });

  it('dense on a spatial input flattens it', () => {
    const report = shapesOf([{ type: 'dense', units: 4 }], [5, 5, 2], 3);
    expect(report.layers[0].params).toBe(50 * 4 + 4);
    expect(report.totalParams).toBe(204 + 15);
  });

  it('matches the convolution arithmetic for same and valid padding', () => {
    expect(convOutputLength(28, 5, 1, 'valid')).toBe(24);
    expect(convOutputLength(28, 5, 2, 'valid')).toBe(12);
    expect(convOutputLength(7, 3, 2, 'same')).toBe(4);
    expect(convOutputLength(2, 3, 1, 'valid')).toBe(0);
  });
});
