/**
 * Live validation: everything wrong with the set being edited, for networks on the chosen input,
 * and how many networks it allows. The set-level rules are the shared ones (ActionSetSchema,
 * parseActionSet, ActionGrammar, the layer schemas); this module adds where each problem sits (a
 * node, a parameter, a field) and the warnings only an editor needs (unreachable or unused nodes).
 */
import { ActionGrammar, ActionSetSchema, INPUT_ID, layerDraftProblems, MAX_LAYERS, OUTPUT_ID, parseActionSet, type ActionSet } from '../../../../shared/action-set';
import { DATASET_INPUTS, type DatasetName } from '../../../../shared/run-config';
import { formatShape, inferLayer, shapeKey, type TensorShape } from '../../../../shared/shapes';
import { layerInfo, paramRange } from './catalog';
import type { EditorSpec } from './types';
import type { LayerDraft } from './values';

/** The inputs a set can be checked against: the training datasets' (the toolbar's Input choice). */
export const DATASET_SHAPES = Object.entries(DATASET_INPUTS).map(([id, d]) => ({
  id: id as DatasetName,
  label: `${d.label} ${d.inputShape.join('×')}`,
  shape: d.inputShape,
}));
export type DatasetShapeId = DatasetName;

export function datasetShape(id: DatasetShapeId): readonly [number, number, number] {
  return (DATASET_SHAPES.find((d) => d.id === id) ?? DATASET_SHAPES[0]).shape;
}

export type ProblemKind = 'param' | 'node' | 'set' | 'graph' | 'unreachable' | 'dead-end' | 'unused' | 'no-network';

export interface Problem {
  severity: 'error' | 'warning';
  kind: ProblemKind;
  message: string;
  /** The node it is about, when it is about one. */
  nodeId?: string;
  /** The parameter it is about (kind "param"). */
  param?: string;
  /** The set-level field it is about. */
  field?: 'name' | 'maxLayers' | 'nodes' | 'edges';
}

export interface Validation {
  /** Distinct networks the set allows for the input shape; null when the set does not parse. */
  count: number | null;
  /** Concrete layer choices (after expanding lists); null when the set does not parse. */
  choices: number | null;
  /** Whether parseActionSet accepts the set (saving would succeed as far as the set goes). */
  parses: boolean;
  problems: Problem[];
  /** Problems about each node, by node id. */
  byNode: Record<string, Problem[]>;
}

/** The problems of one node's layer (the shared rules of layerDraftProblems), worded for the node that shows them. */
export function layerProblems(nodeId: string, layer: LayerDraft): Problem[] {
  const seen = new Set<string>();
  return layerDraftProblems(layer).flatMap((problem): Problem[] => {
    const { kind, param } = problem;
    const info = param === undefined ? undefined : layerInfo(layer.type)?.params.find((p) => p.name === param);
    let message = problem.message;
    if (kind === 'type') message = `unknown layer type "${layer.type}": use one of the palette's types`;
    else if (kind === 'missing') message = `${param} is required${info ? ` (${paramRange(info)})` : ''}`;
    else if (kind === 'empty' || kind === 'value') message = `${param}: ${problem.message}`;
    const key = `${param ?? ''}|${message}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ severity: 'error', kind: param ? 'param' : 'node', message, nodeId, ...(param ? { param } : {}) }];
  });
}

/** Why a node id cannot be used, or null when it can. */
export function nodeIdProblem(id: string, otherIds: Iterable<string>): string | null {
  if (!id.trim()) return 'the id must not be empty';
  if (id !== id.trim()) return 'the id must not start or end with a space';
  if (id === INPUT_ID || id === OUTPUT_ID) return `"${INPUT_ID}" and "${OUTPUT_ID}" are reserved`;
  for (const other of otherIds) if (other === id) return `another node is already called "${id}"`;
  return null;
}

/**
 * The nodes that appear in at least one valid network, found by walking the grammar's masks from
 * the input (one walk per node and shape, at its smallest depth); null when that takes more than
 * `budget` steps (the set is too large to tell quickly).
 */
export function usedNodes(grammar: ActionGrammar, budget = 4000): Set<string> | null {
  const used = new Set<string>();
  const seen = new Set<string>([`${INPUT_ID}|${shapeKey(grammar.start)}`]);
  const queue: Array<{ prefix: number[]; shape: TensorShape }> = [{ prefix: [], shape: grammar.start }];
  for (let head = 0; head < queue.length; head++) {
    if (head >= budget) return null;
    const { prefix, shape } = queue[head];
    const mask = grammar.mask(prefix);
    for (let action = 1; action < mask.length; action++) {
      if (!mask[action]) continue;
      const choice = grammar.choices[action - 1];
      used.add(choice.nodeId);
      const next = inferLayer(shape, choice.layer);
      if ('error' in next) continue;
      const key = `${choice.nodeId}|${shapeKey(next.output)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ prefix: [...prefix, action], shape: next.output });
    }
  }
  return used;
}

/** Node ids reachable from `start` following edges forward (or backward). */
function reach(start: string, edges: readonly { from: string; to: string }[], backward = false): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = backward ? [e.to, e.from] : [e.from, e.to];
    next.set(a, [...(next.get(a) ?? []), b]);
  }
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length) {
    for (const n of next.get(stack.pop() as string) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen;
}

/**
 * Everything wrong with the set for networks on `inputShape`, and how many networks it allows.
 * Errors stop a save or make the set useless; warnings point at parts that can never be used.
 */
export function validateSpec(spec: EditorSpec, inputShape: readonly [number, number, number]): Validation {
  const problems: Problem[] = [];
  const ids = spec.nodes.map((n) => n.id);

  // The set's own fields.
  if (!spec.name.trim()) problems.push({ severity: 'error', kind: 'set', field: 'name', message: 'the set needs a name' });
  const maxLayers = ActionSetSchema.shape.maxLayers.safeParse(spec.maxLayers);
  if (!maxLayers.success) {
    const why = maxLayers.error.issues[0].message.replace(/^Invalid input: /, '');
    problems.push({ severity: 'error', kind: 'set', field: 'maxLayers', message: `max layers: ${why} (${MAX_LAYERS.min}–${MAX_LAYERS.max})` });
  }
  if (spec.nodes.length === 0) problems.push({ severity: 'error', kind: 'set', field: 'nodes', message: 'add at least one layer: drag one from the palette onto the canvas' });

  // Each node: its id, its layer.
  spec.nodes.forEach((node, i) => {
    const problem = nodeIdProblem(node.id, ids.slice(0, i));
    if (problem) problems.push({ severity: 'error', kind: 'node', nodeId: node.id, message: `node id: ${problem}` });
    problems.push(...layerProblems(node.id, node.layer));
  });

  // Edges.
  const known = new Set([INPUT_ID, OUTPUT_ID, ...ids]);
  for (const e of spec.edges) {
    if (!known.has(e.from) || !known.has(e.to)) problems.push({ severity: 'error', kind: 'graph', field: 'edges', message: `edge ${e.from} → ${e.to} names a node that does not exist` });
    else if (e.from === OUTPUT_ID || e.to === INPUT_ID) problems.push({ severity: 'error', kind: 'graph', field: 'edges', message: `edge ${e.from} → ${e.to} runs backwards` });
  }

  // The graph: with edges, layers must be reachable from Input and lead on to Output.
  const flagged = new Set<string>();
  if (spec.edges.length > 0) {
    const fromInput = reach(INPUT_ID, spec.edges);
    const toOutput = reach(OUTPUT_ID, spec.edges, true);
    if (!fromInput.has(OUTPUT_ID)) {
      problems.push({ severity: 'error', kind: 'graph', field: 'edges', message: 'no path from Input to Output: connect a chain of layers from Input down to Output' });
    }
    for (const id of ids) {
      if (!fromInput.has(id)) {
        flagged.add(id);
        problems.push({ severity: 'warning', kind: 'unreachable', nodeId: id, message: 'unreachable: no edges lead here from Input' });
      } else if (!toOutput.has(id)) {
        flagged.add(id);
        problems.push({ severity: 'warning', kind: 'dead-end', nodeId: id, message: 'dead end: no edges lead from here to Output' });
      }
    }
  }

  // What the engine says: parse, count, and whether any network fits the input.
  let set: ActionSet | null = null;
  try {
    set = parseActionSet(spec);
  } catch (error) {
    if (!problems.some((p) => p.severity === 'error')) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push({ severity: 'error', kind: 'set', message });
    }
  }
  let count: number | null = null;
  let choices: number | null = null;
  if (set) {
    try {
      const grammar = new ActionGrammar(set, inputShape);
      choices = grammar.choices.length;
      count = grammar.countNetworks();
      const shapeText = formatShape(grammar.start);
      if (!grammar.allowsAnyNetwork()) {
        const pathKnownMissing = problems.some((p) => p.kind === 'graph' && p.field === 'edges');
        problems.push({
          severity: 'error',
          kind: 'no-network',
          message: `allows no network for a ${shapeText} input within ${set.maxLayers} layers${
            pathKnownMissing ? '' : ': every way from Input to Output is too long or has a layer whose input shape does not fit'
          }`,
        });
      } else {
        const used = usedNodes(grammar);
        if (used) {
          for (const id of ids) {
            if (used.has(id) || flagged.has(id)) continue;
            problems.push({ severity: 'warning', kind: 'unused', nodeId: id, message: `never used for a ${shapeText} input: no valid network within ${set.maxLayers} layers contains it (its input shape never fits)` });
          }
        }
      }
    } catch (error) {
      problems.push({ severity: 'error', kind: 'set', message: error instanceof Error ? error.message : String(error) });
    }
  }

  const byNode: Record<string, Problem[]> = {};
  for (const p of problems) if (p.nodeId !== undefined) (byNode[p.nodeId] ??= []).push(p);
  return { count, choices, parses: set !== null, problems, byNode };
}
