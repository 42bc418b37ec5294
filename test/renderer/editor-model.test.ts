/**
 * The action-set editor's pure logic (the modules of src/renderer/src/features/action-set-editor/): the
 * catalog as the inspector shows it, parameter text, JSON ↔ canvas, and live validation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionGrammar, INPUT_ID, OUTPUT_ID, parseActionSet } from '../../src/shared/action-set';
import { LAYER_TYPES, LayerSpecSchema } from '../../src/shared/layers';
import { defaultLayer, LAYER_CATALOG, layerInfo, paramHint } from '../../src/renderer/src/features/action-set-editor/catalog';
import { formatCount } from '../../src/renderer/src/features/action-set-editor/format';
import { importActionSetText, specFromSet } from '../../src/renderer/src/features/action-set-editor/import-spec';
import { freeSpot, layoutGraph } from '../../src/renderer/src/features/action-set-editor/layout';
import { graphToSpec, newNodeId, specToGraph, uniqueName } from '../../src/renderer/src/features/action-set-editor/spec-graph';
import type { EditorSpec } from '../../src/renderer/src/features/action-set-editor/types';
import { datasetShape, layerProblems, nodeIdProblem, validateSpec } from '../../src/renderer/src/features/action-set-editor/validation';
import { choiceCount, formatValues, parseValuesText, sameValue, toggleValue } from '../../src/renderer/src/features/action-set-editor/values';

const FASHION = [28, 28, 1] as const;
const DEFAULTS = readdirSync('resources/action-sets').map((file) => specFromSet(parseActionSet(JSON.parse(readFileSync(`resources/action-sets/${file}`, 'utf8')))));

function spec(partial: Partial<EditorSpec>): EditorSpec {
  return { name: 'test', maxLayers: 5, nodes: [], edges: [], ...partial };
}

describe('layer catalog', () => {
  it('lists every layer type with the parameters of its schema', () => {
    expect(LAYER_CATALOG.map((l) => l.type)).toEqual([...LAYER_TYPES]);
    for (const info of LAYER_CATALOG) {
      const option = LayerSpecSchema.options.find((o) => o.shape.type.value === info.type);
      expect(info.params.map((p) => p.name)).toEqual(Object.keys(option?.shape ?? {}).filter((k) => k !== 'type'));
    }
  });

  it('knows ranges, defaults, options and what is required', () => {
    const conv = layerInfo('conv2d');
    const filters = conv?.params.find((p) => p.name === 'filters');
    expect(filters).toMatchObject({ kind: 'int', min: 1, max: 2048, required: true });
    expect(conv?.params.find((p) => p.name === 'kernel')).toMatchObject({ kind: 'int', default: 3, required: false });
    expect(conv?.params.find((p) => p.name === 'padding')).toMatchObject({ kind: 'enum', options: ['same', 'valid'], default: 'same' });
    expect(layerInfo('dropout')?.params[0]).toMatchObject({ name: 'rate', kind: 'number', min: 0, max: 0.95 });
    expect(layerInfo('maxPool')?.params.find((p) => p.name === 'stride')).toMatchObject({ required: false, omittedMeans: 'the pool size' });
    expect(paramHint(filters ?? conv!.params[0])).toBe('integer 1–2048, required');
    expect(layerInfo('lstm')).toBeUndefined();
  });

  it('starts every new layer valid', () => {
    for (const type of LAYER_TYPES) {
      const layer = defaultLayer(type);
      expect(layerProblems('n', layer)).toEqual([]);
      expect(LayerSpecSchema.safeParse(layer).success).toBe(true);
    }
  });
});

describe('parameter values', () => {
  it('reads comma- or space-separated lists and writes them back', () => {
    expect(parseValuesText('16, 32, 64')).toEqual([16, 32, 64]);
    expect(parseValuesText('relu tanh,relu')).toEqual(['relu', 'tanh']);
    expect(parseValuesText(' 0.1 ')).toBe(0.1);
    expect(parseValuesText('true')).toBe(true);
    expect(parseValuesText(' , ')).toBeUndefined();
    expect(parseValuesText('3x')).toBe('3x');
    expect(formatValues([16, 32, 64])).toBe('16, 32, 64');
    expect(formatValues(undefined)).toBe('');
    expect(parseValuesText(formatValues([0.1, 0.2]))).toEqual([0.1, 0.2]);
  });

  it('toggles chips and compares values', () => {
    expect(toggleValue('relu', 'tanh')).toEqual(['relu', 'tanh']);
    expect(toggleValue(['relu', 'tanh'], 'relu')).toBe('tanh');
    expect(toggleValue('relu', 'relu')).toBeUndefined();
    expect(toggleValue(undefined, 'same')).toBe('same');
    expect(sameValue(3, [3])).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
  });

  it('counts the choices a node expands to', () => {
    expect(choiceCount({ type: 'conv2d', filters: [16, 32, 64], kernel: [3, 5] })).toBe(6);
    expect(choiceCount({ type: 'batchNorm' })).toBe(1);
  });
});

describe('action set JSON ↔ canvas', () => {
  it('round-trips every default set', () => {
    for (const set of DEFAULTS) {
      const graph = specToGraph(set);
      expect(graph.nodes[0]).toMatchObject({ id: INPUT_ID, type: 'io-input', deletable: false });
      expect(graph.nodes.at(-1)).toMatchObject({ id: OUTPUT_ID, type: 'io-output', deletable: false });
      expect(graph.estimated).toBe(true);
      const back = graphToSpec(set, graph.nodes, graph.edges);
      expect(back.nodes.map(({ id, layer }) => ({ id, layer }))).toEqual(set.nodes.map(({ id, layer }) => ({ id, layer })));
      expect(back.edges).toEqual(set.edges);
      expect(back.nodes.every((n) => n.position && Number.isInteger(n.position.x))).toBe(true);
      // What the editor saves is what the engine accepts, and means the same set.
      const parsed = parseActionSet(back);
      expect(new ActionGrammar(parsed, FASHION).countNetworks()).toBe(new ActionGrammar(parseActionSet(set), FASHION).countNetworks());
    }
  });

  it('keeps saved positions and places Input above and Output below them', () => {
    const saved = spec({
      nodes: [
        { id: 'a', layer: { type: 'batchNorm' }, position: { x: 100, y: 200 } },
        { id: 'b', layer: { type: 'flatten' }, position: { x: 400, y: 300 } },
      ],
    });
    const graph = specToGraph(saved);
    expect(graph.estimated).toBe(false);
    const byId = new Map(graph.nodes.map((n) => [n.id, n.position]));
    expect(byId.get('a')).toEqual({ x: 100, y: 200 });
    expect(byId.get(INPUT_ID)!.y).toBeLessThan(200);
    expect(byId.get(OUTPUT_ID)!.y).toBeGreaterThan(300);
    expect(graphToSpec(saved, graph.nodes, graph.edges, { positions: false }).nodes[0]).toEqual({ id: 'a', layer: { type: 'batchNorm' } });
  });

  it('lays out sets without positions so that no two nodes overlap, edges running downwards', () => {
    for (const set of DEFAULTS) {
      const { nodes, edges } = specToGraph(set);
      for (const a of nodes) {
        for (const b of nodes) {
          if (a === b) continue;
          const apart = Math.abs(a.position.x - b.position.x) >= 200 || Math.abs(a.position.y - b.position.y) >= 50;
          expect(apart, `${set.name}: ${a.id} and ${b.id} overlap`).toBe(true);
        }
      }
      const y = new Map(nodes.map((n) => [n.id, n.position.y]));
      expect(y.get(INPUT_ID)).toBeLessThan(y.get(OUTPUT_ID)!);
      if (set.edges.length) expect(edges.filter((e) => e.source === INPUT_ID).every((e) => y.get(e.target)! > y.get(INPUT_ID)!)).toBe(true);
    }
    expect(layoutGraph([], [])).toEqual([]);
  });

  it('imports a file all or nothing: every problem with its path, or the set exactly as written', () => {
    const refused = importActionSetText(
      JSON.stringify({ name: 'x', maxLayers: 'five', nodes: [{ id: 'c', layer: { type: 'conv2d', filters: [8, { bad: 1 }] } }, {}], edges: [{ from: 'input', to: 'nowhere' }] }),
    );
    expect(refused).toEqual({
      ok: false,
      problems: [
        'maxLayers: expected a number, got "five"',
        'nodes[0].layer.filters: expected a number, text or true/false, or a list of them',
        'nodes[1].id: missing',
        'nodes[1].layer: missing',
        'edges[0].to: no node "nowhere"',
      ],
    });
    expect(importActionSetText('{"name": ')).toEqual({ ok: false, problems: [expect.stringMatching(/^not valid JSON/)] });
    expect(importActionSetText('[1, 2]')).toEqual({ ok: false, problems: ['expected an object, got [1,2]'] });
    expect(importActionSetText('{"name": "no nodes"}')).toEqual({ ok: false, problems: ['nodes: missing'] });
    // A valid file comes in as written (defaults only where it says nothing), a stored row as its spec.
    const file = { name: 'mine', nodes: [{ id: 'd', layer: { type: 'dense', units: [8, 16] }, position: { x: 1, y: 2 } }] };
    expect(importActionSetText(JSON.stringify(file))).toEqual({ ok: true, spec: { ...file, maxLayers: 5, edges: [] } });
    expect(importActionSetText(JSON.stringify({ id: 3, name: 'row', spec: file }))).toMatchObject({ ok: true, spec: { name: 'mine' } });
  });
});

describe('names and ids', () => {
  it('finds free ids and names and says why an id cannot be used', () => {
    expect(newNodeId('conv2d', [])).toBe('conv2d');
    expect(newNodeId('conv2d', ['conv2d', 'conv2d2'])).toBe('conv2d3');
    expect(uniqueName('untitled', ['untitled', 'untitled 2'])).toBe('untitled 3');
    expect(nodeIdProblem('input', [])).toMatch(/reserved/);
    expect(nodeIdProblem('', [])).toMatch(/empty/);
    expect(nodeIdProblem('a', ['a'])).toMatch(/already/);
    expect(nodeIdProblem('b', ['a'])).toBeNull();
  });

  it('puts a new node on a free spot', () => {
    expect(freeSpot({ x: 0, y: 0 }, [])).toEqual({ x: 0, y: 0 });
    const spot = freeSpot({ x: 0, y: 0 }, [{ x: 0, y: 0, w: 210, h: 150 }]);
    expect(spot).not.toEqual({ x: 0, y: 0 });
    expect(Math.abs(spot.x) >= 234 || Math.abs(spot.y) >= 174).toBe(true);
  });
});

describe('validateSpec', () => {
  it('finds nothing wrong with the default sets and counts what the grammar counts', () => {
    for (const set of DEFAULTS) {
      for (const shape of [[28, 28, 1], [32, 32, 3], [12, 12, 1]] as const) {
        const result = validateSpec(set, shape);
        expect(result.problems).toEqual([]);
        expect(result.parses).toBe(true);
        expect(result.count).toBe(new ActionGrammar(parseActionSet(set), shape).countNetworks());
        expect(result.choices).toBeGreaterThan(0);
      }
    }
  });

  it('puts out-of-range and unknown parameters on their node, one message per bad value', () => {
    const result = validateSpec(
      spec({ nodes: [{ id: 'c', layer: { type: 'conv2d', filters: [16, 5000], kernel: 3, foo: 1 } }, { id: 'x', layer: { type: 'lstm' } }] }),
      FASHION,
    );
    expect(result.parses).toBe(false);
    expect(result.count).toBeNull();
    const c = result.byNode.c;
    expect(c.find((p) => p.param === 'filters')?.message).toMatch(/^filters: 5000 is too big: must be at most 2048/);
    expect(c.find((p) => p.param === 'foo')?.message).toMatch(/unknown parameter "foo"/);
    expect(c.filter((p) => p.param === 'filters')).toHaveLength(1);
    expect(result.byNode.x[0].message).toMatch(/unknown layer type "lstm"/);
    expect(result.problems.every((p) => p.severity === 'error')).toBe(true);
  });

  it('says what is missing: a required value, a name, layers, a valid depth', () => {
    expect(layerProblems('d', { type: 'dense' })[0]).toMatchObject({ param: 'units', message: expect.stringMatching(/units is required/) });
    const result = validateSpec(spec({ name: ' ', maxLayers: 0 }), FASHION);
    expect(result.problems.map((p) => p.field)).toEqual(['name', 'maxLayers', 'nodes']);
  });

  it('reports unreachable nodes, dead ends and a missing path from Input to Output', () => {
    const result = validateSpec(
      spec({
        nodes: [
          { id: 'a', layer: { type: 'batchNorm' } },
          { id: 'b', layer: { type: 'flatten' } },
          { id: 'lonely', layer: { type: 'dropout', rate: 0.1 } },
        ],
        edges: [
          { from: 'input', to: 'a' },
          { from: 'a', to: 'b' },
        ],
      }),
      FASHION,
    );
    const kinds = result.problems.map((p) => `${p.kind}:${p.nodeId ?? ''}`);
    expect(kinds).toContain('graph:');
    expect(kinds).toContain('dead-end:a');
    expect(kinds).toContain('dead-end:b');
    expect(kinds).toContain('unreachable:lonely');
    expect(kinds).toContain('no-network:');
    expect(result.count).toBe(0);
  });

  it('says when no network fits the input, and which node can never be used', () => {
    // dense → conv2d → Output: a convolution cannot follow a flat vector.
    const none = validateSpec(
      spec({
        nodes: [
          { id: 'd', layer: { type: 'dense', units: 10 } },
          { id: 'c', layer: { type: 'conv2d', filters: 8 } },
        ],
        edges: [
          { from: 'input', to: 'd' },
          { from: 'd', to: 'c' },
          { from: 'c', to: 'output' },
        ],
      }),
      FASHION,
    );
    expect(none.count).toBe(0);
    expect(none.problems).toEqual([expect.objectContaining({ kind: 'no-network', severity: 'error', message: expect.stringMatching(/allows no network for a 28×28×1 input/) })]);

    const unused = validateSpec(
      spec({
        nodes: [
          { id: 'd', layer: { type: 'dense', units: 10 } },
          { id: 'c', layer: { type: 'conv2d', filters: 8 } },
        ],
        edges: [
          { from: 'input', to: 'd' },
          { from: 'd', to: 'output' },
          { from: 'd', to: 'c' },
          { from: 'c', to: 'output' },
        ],
      }),
      FASHION,
    );
    expect(unused.count).toBe(1);
    expect(unused.problems).toEqual([expect.objectContaining({ kind: 'unused', nodeId: 'c', severity: 'warning' })]);
  });

  it('depends on the input shape', () => {
    // A 5×5 valid convolution fits twice on 28×28 but not three times on 12×12 (12 → 8 → 4 → none).
    const set = spec({ maxLayers: 3, nodes: [{ id: 'c', layer: { type: 'conv2d', filters: 4, kernel: 5, padding: 'valid' } }] });
    expect(validateSpec(set, datasetShape('fashion-mnist')).count).toBe(4);
    expect(validateSpec(set, datasetShape('synthetic')).count).toBe(3);
  });
});

describe('formatCount', () => {
  it('formats counts for people', () => {
    expect(formatCount(null)).toBe('— networks');
    expect(formatCount(1)).toBe('1 network');
    expect(formatCount(35017)).toBe('35,017 networks');
    expect(formatCount(1.23e12)).toBe('≈ 1.2 × 10¹² networks');
    expect(formatCount(Number.POSITIVE_INFINITY)).toBe('more than 9.0 × 10¹⁵ networks');
  });
});
