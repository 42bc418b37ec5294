import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionGrammar, parseActionSet, type ActionSetInput } from '../../../src/shared/action-set';
import { inferShapes } from '../../../src/shared/shapes';
import { loadNb201 } from '../../../src/engine/evaluators/nb201';
import { createRng } from '../../../src/engine/random';
import { ActionSetSpace, Nb201Space } from '../../../src/engine/search/space';
import { nb201DataDir } from '../../support/nb201';

const DENSE_SET: ActionSetInput = {
  name: 'dense',
  maxLayers: 3,
  nodes: [{ id: 'fc', layer: { type: 'dense', units: [8, 16] } }, { id: 'pool', layer: { type: 'maxPool' } }],
  edges: [{ from: 'input', to: 'pool' }, { from: 'input', to: 'fc' }, { from: 'pool', to: 'fc' }, { from: 'fc', to: 'fc' }, { from: 'fc', to: 'output' }],
};

describe('ActionSetSpace', () => {
  const space = new ActionSetSpace(new ActionGrammar(parseActionSet(DENSE_SET), [28, 28, 1]));

  it('offers what the grammar allows, and only "end" once the network ended', () => {
    expect(space.nvec).toEqual([4, 4, 4]);
    // choices: 1 dense 8, 2 dense 16, 3 maxPool; a network may not start by ending, nor end on the pool
    expect(space.slotMask([])).toEqual([false, true, true, true]);
    expect(space.slotMask([3])).toEqual([false, true, true, false]);
    expect(space.slotMask([1, 0])).toEqual([true, false, false, false]);
  });

  it('is complete when the network ends or reaches maxLayers, and pads whole candidates with 0', () => {
    expect(space.isComplete([3, 1])).toBe(false);
    expect(space.isComplete([3, 1, 0].slice(0, 3))).toBe(true);
    expect(space.isComplete([1, 0])).toBe(true);
    expect(space.complete([1, 0])).toEqual([1, 0, 0]);
    expect(space.complete([3, 2, 1])).toEqual([3, 2, 1]);
  });

  it('describes a candidate as its layers, with the architecture hash', () => {
    const described = space.describe([3, 2, 0]);
    expect(described.label).toBe('maxPool 2×2 → dense 16 relu');
    expect(described.architecture).toMatchObject({ layers: [{ type: 'maxPool', size: 2 }, { type: 'dense', units: 16 }] });
    expect(described.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(space.describe([3, 2, 0, 0].slice(0, 3)).hash).toBe(described.hash);
  });

  it('shows a layer-wise policy the chosen slots and the feature map after them', () => {
    expect(space.prefixFeatureSize).toBe(3 + 4);
    expect(Array.from(space.prefixFeatures([]))).toEqual([0, 0, 0, 1, 1, Math.fround(1 / 16), 0]);
    const afterPool = Array.from(space.prefixFeatures([3]));
    expect(afterPool.slice(0, 3)).toEqual([1, 0, 0]);
    expect(afterPool.slice(3)).toEqual([0.5, 0.5, Math.fround(1 / 16), 0]);
    expect(space.prefixFeatures([3, 2])[6]).toBe(1); // flat after the dense layer
  });
});

describe.skipIf(!nb201DataDir())('Nb201Space', () => {
  const space = new Nb201Space(loadNb201(nb201DataDir()));

  it('has 6 edges of 5 operations, all allowed, complete after the sixth', () => {
    expect(space.nvec).toEqual([5, 5, 5, 5, 5, 5]);
    expect(space.slotMask()).toEqual([true, true, true, true, true]);
    expect(space.isComplete([3, 3, 3, 3, 3])).toBe(false);
    expect(space.isComplete([3, 3, 3, 3, 3, 3])).toBe(true);
  });

  it('describes a cell by its NB201 string and index', () => {
    const described = space.describe([3, 3, 3, 3, 3, 3]);
    expect(described.label).toBe('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|');
    expect(described.hash).toMatch(/^nb201:\d+$/);
    expect(Array.from(space.prefixFeatures([4, 0]))).toEqual([1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
  });
});

describe('the default action sets', () => {
  it('never yield an unbuildable network when their masks are followed, whole or layer by layer', () => {
    const rng = createRng(7);
    for (const file of ['original-design.json', 'metaqnn.json', 'mlp.json']) {
      const space = new ActionSetSpace(new ActionGrammar(parseActionSet(JSON.parse(readFileSync(`resources/action-sets/${file}`, 'utf8'))), [28, 28, 1]));
      for (let n = 0; n < 80; n++) {
        const prefix: number[] = [];
        do {
          const allowed = space.slotMask(prefix).flatMap((ok, a) => (ok ? [a] : []));
          prefix.push(allowed[rng.int(allowed.length)]);
        } while (!space.isComplete(prefix));
        const layers = space.layers(space.complete(prefix));
        expect(() => inferShapes({ layers }, [28, 28, 1], 10), `${file}: ${JSON.stringify(prefix)}`).not.toThrow();
      }
    }
  });
});
