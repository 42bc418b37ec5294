/**
 * An action set ↔ the canvas: nodes and edges for a set (laid out when it carries no positions),
 * the set for what the canvas shows, and fresh ids and names for what the user adds.
 */
import { INPUT_ID, OUTPUT_ID } from '../../../../shared/action-set';
import { estimatedHeight, layoutGraph, NODE_WIDTH } from './layout';
import type { EdgeLike, EditorEdge, EditorGraph, EditorNode, EditorSpec, NodeLike, XY } from './types';
import type { LayerDraft } from './values';

export function edgeId(from: string, to: string): string {
  return `${from}->${to}`;
}

export function makeEdge(from: string, to: string): EditorEdge {
  return { id: edgeId(from, to), source: from, target: to, type: 'may' };
}

export function layerNode(id: string, layer: LayerDraft, position: XY): EditorNode {
  return { id, type: 'layer', position, data: { layer } };
}

function ioNode(kind: 'input' | 'output', position: XY): EditorNode {
  return { id: kind === 'input' ? INPUT_ID : OUTPUT_ID, type: `io-${kind}`, position, data: { layer: null }, deletable: false };
}

/** Canvas nodes and edges for an action set; saved positions are kept, a set without them is laid out. */
export function specToGraph(spec: EditorSpec): EditorGraph {
  const edges = spec.edges.map((e) => makeEdge(e.from, e.to));
  const body = spec.nodes.map((n) => layerNode(n.id, n.layer, n.position ?? { x: 0, y: 0 }));
  const positioned = spec.nodes.length > 0 && spec.nodes.every((n) => n.position);
  if (!positioned) {
    const nodes = layoutGraph([ioNode('input', { x: 0, y: 0 }), ...body, ioNode('output', { x: 0, y: 0 })], edges);
    return { nodes, edges, estimated: body.length > 0 };
  }
  // Input and Output have no saved place: above and below the layers, centred.
  const left = Math.min(...body.map((n) => n.position.x));
  const right = Math.max(...body.map((n) => n.position.x + NODE_WIDTH));
  const top = Math.min(...body.map((n) => n.position.y));
  const bottom = Math.max(...body.map((n) => n.position.y + estimatedHeight(n)));
  const x = Math.round((left + right) / 2 - NODE_WIDTH / 2);
  return { nodes: [ioNode('input', { x, y: top - 130 }), ...body, ioNode('output', { x, y: bottom + 80 })], edges, estimated: false };
}

/** The action set JSON of what the canvas shows (positions rounded; Input and Output are implicit). */
export function graphToSpec(
  meta: { name: string; description?: string; maxLayers: number },
  nodes: readonly NodeLike[],
  edges: readonly EdgeLike[],
  options: { positions?: boolean } = {},
): EditorSpec {
  const spec: EditorSpec = { name: meta.name, maxLayers: meta.maxLayers, nodes: [], edges: [] };
  if (meta.description?.trim()) spec.description = meta.description;
  for (const node of nodes) {
    if (node.id === INPUT_ID || node.id === OUTPUT_ID || !node.data.layer) continue;
    const entry: EditorSpec['nodes'][number] = { id: node.id, layer: node.data.layer };
    if (options.positions !== false) entry.position = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
    spec.nodes.push(entry);
  }
  spec.edges = edges.map((e) => ({ from: e.source, to: e.target }));
  return spec;
}

/** "conv2d", "conv2d2", … : the first id of that stem not in use. */
export function newNodeId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(type) && type !== INPUT_ID && type !== OUTPUT_ID) return type;
  for (let i = 2; ; i++) if (!used.has(`${type}${i}`)) return `${type}${i}`;
}

/** "untitled", "untitled 2", … : the first name not in use. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base} ${i}`)) return `${base} ${i}`;
}
