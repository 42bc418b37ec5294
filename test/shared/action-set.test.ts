import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionGrammar, ActionSetError, actionSetProblems, expandChoices, parseActionSet, type ActionSetInput } from '../../src/shared/action-set';
import { problemText } from '../../src/shared/issues';
import { parseArchitecture } from '../../src/shared/architecture';
import { describeLayer } from '../../src/shared/layers';
import { inferShapes } from '../../src/shared/shapes';

const FASHION: [number, number, number] = [28, 28, 1];

describe('parseActionSet', () => {
  it('expands listed parameter values into choices', () => {
    const set = parseActionSet({ name: 's', nodes: [{ id: 'c', layer: { type: 'conv2d', filters: [16, 32, 64], kernel: [3, 5] } }] });
    expect(expandChoices(set).map((c) => describeLayer(c.layer))).toEqual([
      'conv2d 16 3×3 relu', 'conv2d 16 5×5 relu', 'conv2d 32 3×3 relu', 'conv2d 32 5×5 relu', 'conv2d 64 3×3 relu', 'conv2d 64 5×5 relu',
    ]);
    expect(set.maxLayers).toBe(5);
  });

  it.each<[unknown, RegExp]>([
    [{ name: 's', nodes: [{ id: 'c', layer: { type: 'conv2d', filters: [16, -1] } }] }, /nodes\[0\]\.layer\.filters\[1\]: -1 is too small: must be at least 1/],
    [{ name: 's', nodes: [{ id: 'a', layer: { type: 'flatten' } }, { id: 'a', layer: { type: 'flatten' } }] }, /nodes\[1\]\.id: "a" is used twice/],
    [{ name: 's', nodes: [{ id: 'a', layer: { type: 'flatten' } }], edges: [{ from: 'a', to: 'b' }] }, /edges\[0\]\.to: no node "b"/],
    [{ name: 's', nodes: [{ id: 'input', layer: { type: 'flatten' } }] }, /nodes\[0\]\.id: .*reserved/],
    [{ name: 's', nodes: [{ id: 'x', layer: { type: 'lstm', units: 3 } }] }, /nodes\[0\]\.layer\.type: unknown layer type "lstm"/],
    [{ name: 's', nodes: [] }, /nodes: needs at least 1 item/],
  ])('rejects an invalid set with a message naming what is wrong and where (%#)', (json, message) => {
    expect(() => parseActionSet(json)).toThrow(ActionSetError);
    expect(() => parseActionSet(json)).toThrow(message);
  });

  it('lists every problem with its path, and accepts exactly what it finds nothing wrong with', () => {
    const json = {
      name: 'broken',
      maxLayers: 2.5,
      colour: 'red',
      nodes: [
        { id: 'a', layer: { type: 'dense', units: [8, 0] } },
        { id: 'b', layer: { type: 'conv2d', filters: 8, size: 3 } },
        { id: 'c' },
        { id: 'a', layer: { type: 'dropout' } },
      ],
      edges: [{ from: 'input', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'output' }, { from: 'output', to: 'a' }, { from: 'a', to: 'nowhere' }],
    };
    const problems = actionSetProblems(json).map(problemText);
    expect(problems.sort()).toEqual(
      [
        'maxLayers: expected an integer, got 2.5',
        'colour: unknown field',
        'nodes[0].layer.units[1]: 0 is too small: must be at least 1',
        'nodes[1].layer.size: unknown parameter "size" for conv2d (it has filters, kernel, stride, padding, activation)',
        'nodes[2].layer: missing',
        'nodes[3].id: "a" is used twice (also nodes[0])',
        'nodes[3].layer.rate: missing',
        'edges[3]: output → a runs backwards (edges go from "input" towards "output")',
        'edges[4].to: no node "nowhere"',
      ].sort(),
    );
    const error = (() => {
      try {
        parseActionSet(json);
      } catch (e) {
        return e as ActionSetError;
      }
    })();
    expect(error?.problems).toHaveLength(9);
    expect(error?.message).toMatch(/^action set: 9 problems: /);
    for (const file of readdirSync('resources/action-sets')) expect(actionSetProblems(JSON.parse(readFileSync(`resources/action-sets/${file}`, 'utf8')))).toEqual([]);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const accepted = (() => {
          try {
            parseActionSet(value);
            return true;
          } catch {
            return false;
          }
        })();
        expect(accepted).toBe(actionSetProblems(value).length === 0);
      }),
    );
  });

  it('parses every default set in resources/action-sets, each allowing many networks', () => {
    for (const file of readdirSync('resources/action-sets')) {
      const set = parseActionSet(JSON.parse(readFileSync(`resources/action-sets/${file}`, 'utf8')));
      const grammar = new ActionGrammar(set, FASHION);
      expect(grammar.allowsAnyNetwork()).toBe(true);
      expect(grammar.countNetworks()).toBeGreaterThan(100);
    }
  });
});

describe('ActionGrammar', () => {
  const grammarOf = (input: ActionSetInput, shape = FASHION) => new ActionGrammar(parseActionSet(input), shape);

  it('counts networks: two dense choices, any order, up to 2 layers → 1 + 2 + 4', () => {
    const grammar = grammarOf({ name: 's', maxLayers: 2, nodes: [{ id: 'd', layer: { type: 'dense', units: [8, 16] } }] });
    expect(grammar.countNetworks()).toBe(7);
  });

  it('follows the edges: start only from input, end only where an edge leads to output', () => {
    const grammar = grammarOf({
      name: 's',
      nodes: [{ id: 'conv', layer: { type: 'conv2d', filters: 8 } }, { id: 'fc', layer: { type: 'dense', units: 10 } }],
      edges: [{ from: 'input', to: 'conv' }, { from: 'conv', to: 'fc' }, { from: 'fc', to: 'output' }],
    });
    expect(grammar.mask([])).toEqual([false, true, false]); // must start with conv, cannot end yet
    expect(grammar.mask([1])).toEqual([false, false, true]); // conv → fc only
    expect(grammar.mask([1, 2])).toEqual([true, false, false]); // fc → end
    expect(grammar.countNetworks()).toBe(1);
  });

  it('masks layers the current shape cannot take', () => {
    const grammar = grammarOf(
      { name: 's', maxLayers: 4, nodes: [{ id: 'pool', layer: { type: 'maxPool', size: 2 } }, { id: 'fc', layer: { type: 'dense', units: 4 } }] },
      [4, 4, 3],
    );
    expect(grammar.mask([1])).toEqual([true, true, true]); // 2×2 map: one more pool fits
    expect(grammar.mask([1, 1])).toEqual([true, false, true]); // 1×1 map: no pooling
    expect(grammar.mask([2])).toEqual([true, false, true]); // flat: no pooling after dense
  });

  it('only offers choices from which the network can still be finished in time', () => {
    const grammar = grammarOf({
      name: 's',
      maxLayers: 2,
      nodes: [{ id: 'a', layer: { type: 'dense', units: 4 } }, { id: 'b', layer: { type: 'dense', units: 8 } }, { id: 'c', layer: { type: 'dense', units: 16 } }],
      edges: [{ from: 'input', to: 'a' }, { from: 'input', to: 'b' }, { from: 'a', to: 'c' }, { from: 'b', to: 'a' }, { from: 'c', to: 'output' }],
    });
    // b → a → c needs 3 layers; only a → c fits in 2.
    expect(grammar.mask([])).toEqual([false, true, false, false]);
  });

  it('never lets an unbuildable network through (property test over random action sets)', () => {
    const layer = fc.oneof(
      fc.record({ type: fc.constant('conv2d'), filters: fc.constantFrom(4, 8), kernel: fc.constantFrom(1, 3, 5, 7), stride: fc.constantFrom(1, 2, 3), padding: fc.constantFrom('same', 'valid') }),
      fc.record({ type: fc.constant('depthwiseConv2d'), kernel: fc.constantFrom(3, 5), stride: fc.constantFrom(1, 2), padding: fc.constantFrom('same', 'valid') }),
      fc.record({ type: fc.constantFrom('maxPool', 'avgPool'), size: fc.constantFrom(2, 3, 4), padding: fc.constantFrom('same', 'valid') }),
      fc.record({ type: fc.constant('dense'), units: fc.constantFrom(4, 16) }),
      fc.record({ type: fc.constantFrom('globalAvgPool', 'flatten', 'batchNorm') }),
      fc.record({ type: fc.constant('dropout'), rate: fc.constantFrom(0.1, 0.5) }),
    );
    const actionSet = fc.integer({ min: 1, max: 6 }).chain((n) =>
      fc.record({
        name: fc.constant('random'),
        maxLayers: fc.integer({ min: 1, max: 8 }),
        nodes: fc.tuple(...Array.from({ length: n }, (_, i) => layer.map((l) => ({ id: `n${i}`, layer: l })))),
        edges: fc.array(
          fc.record({ from: fc.constantFrom('input', ...Array.from({ length: n }, (_, i) => `n${i}`)), to: fc.constantFrom('output', ...Array.from({ length: n }, (_, i) => `n${i}`)) }),
          { maxLength: 3 * n },
        ),
      }),
    );
    const input = fc.constantFrom<[number, number, number][]>([28, 28, 1], [32, 32, 3], [6, 6, 2]);
    fc.assert(
      fc.property(actionSet, input, fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), (json, shape, picks) => {
        const grammar = new ActionGrammar(parseActionSet(json), shape);
        if (!grammar.allowsAnyNetwork()) return grammar.mask([]).every((allowed) => !allowed);
        const actions: number[] = [];
        for (const pick of picks) {
          const allowed = grammar.mask(actions).flatMap((ok, a) => (ok ? [a] : []));
          expect(allowed.length).toBeGreaterThan(0); // never a dead end
          const action = allowed[pick % allowed.length];
          if (action === 0) break;
          actions.push(action);
        }
        // Whatever the agent picked, the network builds: shape inference accepts it.
        if (actions.length === grammar.maxLayers) expect(grammar.mask(actions)[0]).toBe(true);
        inferShapes(parseArchitecture(grammar.layers(actions)), shape, 10);
        return true;
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});
