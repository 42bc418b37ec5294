import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ArchitectureError, architectureHash, canonicalJson, parseArchitecture } from '../../src/shared/architecture';
import { describeLayer, LAYER_TYPES, LayerSpecSchema } from '../../src/shared/layers';

describe('layer catalog', () => {
  it('has every layer kind the product promises', () => {
    expect([...LAYER_TYPES].sort()).toEqual(
      ['activation', 'avgPool', 'batchNorm', 'conv2d', 'dense', 'depthwiseConv2d', 'dropout', 'flatten', 'globalAvgPool', 'maxPool', 'separableConv2d'].sort(),
    );
  });

  it('fills defaults so a parsed spec is complete', () => {
    expect(LayerSpecSchema.parse({ type: 'conv2d', filters: 16 })).toEqual({
      type: 'conv2d', filters: 16, kernel: 3, stride: 1, padding: 'same', activation: 'relu',
    });
    expect(LayerSpecSchema.parse({ type: 'maxPool' })).toEqual({ type: 'maxPool', size: 2, padding: 'valid' });
  });

  it('labels layers for people', () => {
    const layers = parseArchitecture([
      { type: 'conv2d', filters: 32, kernel: 5, stride: 2 },
      { type: 'maxPool', size: 2 },
      { type: 'dense', units: 128, activation: 'tanh' },
      { type: 'dropout', rate: 0.2 },
    ]).layers;
    expect(layers.map(describeLayer)).toEqual(['conv2d 32 5×5 /2 relu', 'maxPool 2×2', 'dense 128 tanh', 'dropout 0.2']);
  });
});

describe('parseArchitecture', () => {
  it('accepts a bare list or {name, layers}', () => {
    const bare = parseArchitecture([{ type: 'dense', units: 10 }]);
    const named = parseArchitecture({ name: 'tiny', layers: [{ type: 'dense', units: 10 }] });
    expect(bare.layers).toEqual(named.layers);
    expect(named.name).toBe('tiny');
  });

  it.each([
    [[{ type: 'conv2d', filters: 0 }], /layer 1 \(conv2d\): filters: .*>=1/],
    [[{ type: 'dense', units: 8 }, { type: 'conv2d', filters: 8, kernal: 3 }], /layer 2 \(conv2d\): .*kernal/],
    [[{ type: 'dropout', rate: 2 }], /layer 1 \(dropout\): rate/],
    [[{ type: 'lstm', units: 3 }], /layer 1 \(lstm\)/],
    [[{ type: 'activation', activation: 'softplus' }], /layer 1 \(activation\): activation/],
    [{ layers: 'conv' }, /architecture layers/],
  ])('rejects %j with a message naming the layer', (json, message) => {
    expect(() => parseArchitecture(json)).toThrow(ArchitectureError);
    expect(() => parseArchitecture(json)).toThrow(message);
  });

  it('parses the example files the README uses', () => {
    for (const file of ['resources/architectures/small-cnn.json', 'resources/architectures/mlp.json']) {
      const arch = parseArchitecture(JSON.parse(readFileSync(file, 'utf8')));
      expect(arch.layers.length).toBeGreaterThan(2);
    }
  });
});

describe('architectureHash', () => {
  const a = [{ type: 'conv2d', filters: 32, kernel: 3 }, { type: 'maxPool' }, { type: 'dense', units: 64 }] as const;

  it('is stable across key order, omitted defaults and names', () => {
    const reordered = [{ kernel: 3, type: 'conv2d', filters: 32 }, { size: 2, type: 'maxPool' }, { units: 64, activation: 'relu', type: 'dense' }];
    const h = architectureHash([...a]);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(architectureHash(reordered as never)).toBe(h);
    expect(architectureHash({ name: 'other name', layers: [...a] })).toBe(h);
  });

  it('changes with any parameter or the order of layers', () => {
    const h = architectureHash([...a]);
    expect(architectureHash([{ ...a[0], filters: 33 }, a[1], a[2]])).not.toBe(h);
    expect(architectureHash([a[1], a[0], a[2]])).not.toBe(h);
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});
